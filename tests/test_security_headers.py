"""The browser's guards on every answer: Content-Security-Policy, Permissions-Policy, the
language cookie; and templates that need no inline script or style to pass the policy
(a real browser checks the pages themselves: tests/browser/test_content_security_policy.py)."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FEATURES = ("camera", "microphone", "geolocation", "payment", "usb")


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/api/v1/me", "/no-such-page/"])
def test_every_answer_has_a_strict_policy_and_refuses_the_features(client, path):
    response = client.get(path)
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    permissions = response["Permissions-Policy"]
    for feature in FEATURES:
        assert f"{feature}=()" in permissions


@pytest.mark.django_db
def test_only_the_api_docs_allow_data_images(client):
    assert directives(client.get("/api/docs/"))["img-src"] == ["'self'", "data:"]
    assert directives(client.get("/login/"))["img-src"] == ["'self'"]


@pytest.mark.django_db
def test_the_language_cookie_is_http_only(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    cookie = response.cookies["django_language"]
    assert cookie.value == "en"
    assert cookie["httponly"]


def test_production_sends_the_language_cookie_over_https_only():
    environment = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; "
            "print(settings.LANGUAGE_COOKIE_SECURE, settings.LANGUAGE_COOKIE_HTTPONLY)",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.split() == ["True", "True"]


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>", re.I), "script"),
    (re.compile(r"<style\b", re.I), "style element"),
    (re.compile(r"\sstyle=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_has_inline_script_or_style():
    templates = [
        path
        for folder in (
            "templates",
            "billing_bff",
            "customers",
            "invoices",
            "usage",
            "overview",
            "exports",
        )
        for path in (ROOT / folder).rglob("*.html")
    ]
    assert len(templates) > 10
    found = [
        f"{path.relative_to(ROOT)}: {what}"
        for path in templates
        for pattern, what in INLINE
        if pattern.search(path.read_text())
    ]
    assert found == []
