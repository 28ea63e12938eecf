"""Request-wide middleware of the BFF."""

from django.conf import settings

from billing_bff.upstream.deadline import deadline


class UpstreamDeadlineMiddleware:
    """Every end-user request gets one deadline shared by all the upstream calls it makes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with deadline(settings.PAYEX_REQUEST_DEADLINE):
            return self.get_response(request)
