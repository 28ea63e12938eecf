from django.apps import AppConfig


class BillingBffConfig(AppConfig):
    name = "billing_bff"
