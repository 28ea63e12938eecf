"""The start-up check refuses a production configuration without its PayEx settings, or
with a weak SECRET_KEY."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from billing_bff.checks import (
    check_secret_key,
    payex_configuration_problems,
    refuse_incomplete_configuration,
    secret_key_problems,
)


def test_the_sandbox_needs_url_ledger_and_token(settings):
    settings.PAYEX_SANDBOX = True
    settings.PAYEX_TOKEN = ""
    assert payex_configuration_problems() == ["PAYEX_TOKEN is not set"]


def test_the_real_service_needs_https_and_a_client_certificate(settings):
    settings.PAYEX_SANDBOX = False
    settings.PAYEX_BASE_URL = "http://lf-api.payex.com"
    settings.PAYEX_CLIENT_CERT = ""
    settings.PAYEX_CLIENT_KEY = "/etc/payex/client.key"
    problems = payex_configuration_problems()
    assert "PAYEX_BASE_URL must be https:// outside the sandbox" in problems
    assert any(p.startswith("PAYEX_CLIENT_CERT") for p in problems)
    with pytest.raises(ImproperlyConfigured) as caught:
        refuse_incomplete_configuration()
    assert settings.PAYEX_TOKEN not in str(caught.value)


def test_a_complete_production_configuration_passes(settings):
    settings.PAYEX_SANDBOX = False
    settings.PAYEX_BASE_URL = "https://lf-api.payex.com"
    settings.PAYEX_CLIENT_CERT = "/etc/payex/client.crt"
    settings.PAYEX_CLIENT_KEY = "/etc/payex/client.key"
    assert payex_configuration_problems() == []


# --- SECRET_KEY ---------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]


def production(secret_key: str, folder: Path) -> subprocess.CompletedProcess:
    """`manage.py check` with the production settings and a production-shaped
    environment (as scripts/check_deploy.sh), but the given SECRET_KEY."""
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": str(folder),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "mypages.example.com",
        "DATABASE_URL": f"sqlite:///{folder / 'check.sqlite3'}",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "PAYEX_BASE_URL": "https://lf-api.payex.com",
        "PAYEX_OWNER_NO": "501",
        "PAYEX_TOKEN": "check-only",
        "PAYEX_CLIENT_CERT": "/etc/payex/client.crt",
        "PAYEX_CLIENT_KEY": "/etc/payex/client.key",
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_local_default_key_is_refused(settings):
    settings.SECRET_KEY = "local-only-insecure-key-do-not-use-in-production"
    [problem] = secret_key_problems()
    assert problem.startswith("SECRET_KEY is the local development default")
    assert "set SECRET_KEY" in problem
    settings.SECRET_KEY_REQUIRE_STRONG = True
    assert [e.id for e in check_secret_key(None)] == ["billing_bff.E002"]


def test_a_short_key_is_refused_without_being_echoed(settings):
    settings.SECRET_KEY = "s3cr3t-but-only-49-characters-long-xxxxxxxxxxxxxx"[:49]
    [problem] = secret_key_problems()
    assert "shorter than 50 characters" in problem
    assert settings.SECRET_KEY not in problem


def test_a_long_random_key_passes(settings):
    settings.SECRET_KEY = secrets.token_urlsafe(50)
    assert secret_key_problems() == []


def test_outside_production_the_local_key_is_fine(settings):
    assert settings.SECRET_KEY_REQUIRE_STRONG is False
    settings.SECRET_KEY = "local-only-insecure-key-do-not-use-in-production"
    assert check_secret_key(None) == []


@pytest.mark.parametrize(
    "key", ["local-only-insecure-key-do-not-use-in-production", "x" * 49], ids=["local", "short"]
)
def test_production_settings_refuse_to_start_with_a_weak_key(key, tmp_path):
    result = production(key, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "set SECRET_KEY to a random value of at least 50 characters" in result.stderr


def test_production_settings_start_with_a_strong_key(tmp_path):
    result = production(secrets.token_urlsafe(50), tmp_path)
    assert result.returncode == 0, result.stderr


def test_the_local_settings_default_is_the_one_refused(settings):
    from config.settings import local

    assert local.SECRET_KEY in settings.INSECURE_SECRET_KEYS
