"""A bare Django JSON view: the floor of what a request costs on this server.

The benchmark compares the warm overview's requests per second with this view's (6),
under the same server and middleware. Only the benchmark's own URLconf
(scripts.benchmark.urls) routes it; the project's (config.urls) never does.
"""

from django.http import JsonResponse


def bare_json(request):
    return JsonResponse({"ok": True})
