from django.apps import AppConfig


class OverviewConfig(AppConfig):
    """The home screen and the customer-wide refresh: combines customers, invoices, usage."""

    name = "overview"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the login warm-up
