"""The start-up check refuses a production configuration without its PayEx settings."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from billing_bff.checks import payex_configuration_problems, refuse_incomplete_configuration


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
