"""Rules of the code base that a reviewer should not have to remember."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ("billing_bff", "customers", "invoices", "usage", "config")
IMPORTS_REQUESTS = re.compile(r"^\s*(import requests|from requests\b)", re.MULTILINE)


def test_only_the_upstream_client_talks_http():
    offenders = [
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "upstream" not in path.relative_to(ROOT).parts
        and IMPORTS_REQUESTS.search(path.read_text())
    ]
    assert offenders == []
