"""Start-up checks: a production configuration without its PayEx settings, or with a
weak SECRET_KEY, does not start."""

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


def secret_key_problems() -> list[str]:
    """What is wrong with SECRET_KEY for production (never the key itself)."""
    key = settings.SECRET_KEY or ""
    advice = (
        "set SECRET_KEY to a random value of at least "
        f"{settings.SECRET_KEY_MIN_LENGTH} characters, e.g. the output of "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
    if key in settings.INSECURE_SECRET_KEYS:
        return [f"SECRET_KEY is the local development default: {advice}"]
    if len(key) < settings.SECRET_KEY_MIN_LENGTH:
        return [f"SECRET_KEY is shorter than {settings.SECRET_KEY_MIN_LENGTH} characters: {advice}"]
    return []


@checks.register(checks.Tags.security)
def check_secret_key(app_configs, **kwargs):
    if not settings.SECRET_KEY_REQUIRE_STRONG:
        return []
    return [checks.Error(problem, id="billing_bff.E002") for problem in secret_key_problems()]


def refuse_weak_secret_key() -> None:
    """Called at start-up when settings.SECRET_KEY_REQUIRE_STRONG is on (production)."""
    problems = secret_key_problems()
    if problems:
        raise ImproperlyConfigured("; ".join(problems))
