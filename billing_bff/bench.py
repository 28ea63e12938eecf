"""A bare Django JSON view: the floor of what a request costs on this server.

scripts/benchmark.py compares the warm overview's requests per second with this view's,
under the same server and middleware. Routed only when BENCHMARK_VIEWS is true
(config.urls); production settings force it off.
"""

from django.http import JsonResponse


def bare_json(request):
    return JsonResponse({"ok": True})
