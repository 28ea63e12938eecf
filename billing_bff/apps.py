from django.apps import AppConfig
from django.conf import settings


class BillingBffConfig(AppConfig):
    name = "billing_bff"

    def ready(self) -> None:
        from billing_bff import checks, principal

        principal.connect_signals()

        if settings.SECRET_KEY_REQUIRE_STRONG:
            checks.refuse_weak_secret_key()
        if settings.PAYEX_REQUIRE_CONFIG:
            checks.refuse_incomplete_configuration()
