"""A URLconf for tests of Django's own 500 under /api/: the real one plus a view that fails.

A plain Django view (not DRF), so the error reaches handler500 as a framework error would.
"""

from config.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def failing(request):
    raise RuntimeError("token=sandbox-501 at /billing/customer/v1/501/customers")


from django.urls import path  # noqa: E402

urlpatterns = [path("api/v1/test-only/failing", failing), *urlpatterns]
