"""Start-up checks: a production configuration without its PayEx settings does not start."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def payex_configuration_problems() -> list[str]:
    problems = [
        f"{name} is not set"
        for name in ("PAYEX_BASE_URL", "PAYEX_OWNER_NO", "PAYEX_TOKEN")
        if not getattr(settings, name)
    ]
    if not settings.PAYEX_SANDBOX:
        # The real service: TLS and a PayEx-issued client certificate, always.
        if settings.PAYEX_BASE_URL and not settings.PAYEX_BASE_URL.startswith("https://"):
            problems.append("PAYEX_BASE_URL must be https:// outside the sandbox")
        problems += [
            f"{name} is not set (mutual TLS is required outside the sandbox)"
            for name in ("PAYEX_CLIENT_CERT", "PAYEX_CLIENT_KEY")
            if not getattr(settings, name)
        ]
    return problems


@checks.register("payex")
def check_payex_configuration(app_configs, **kwargs):
    return [
        checks.Error(problem, id="billing_bff.E001") for problem in payex_configuration_problems()
    ]


def refuse_incomplete_configuration() -> None:
    """Called at start-up when settings.PAYEX_REQUIRE_CONFIG is on (production)."""
    problems = payex_configuration_problems()
    if problems:
        raise ImproperlyConfigured("PayEx configuration incomplete: " + "; ".join(problems))
