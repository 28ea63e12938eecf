from django.apps import AppConfig


class ExportsConfig(AppConfig):
    """Full usage exports of a customer: combines usage and invoices."""

    name = "exports"
