"""Amounts and dates in the user's language: one helper, one set of template filters."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from billing_bff.web import formatting

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "currency", "swedish", "english"),
    [
        ("1234.50", "SEK", f"1{NBSP}234,50{NBSP}kr", f"SEK{NBSP}1,234.50"),
        ("149.00", "SEK", f"149,00{NBSP}kr", f"SEK{NBSP}149.00"),
        ("0", "SEK", f"0,00{NBSP}kr", f"SEK{NBSP}0.00"),
        ("-50.00", "SEK", f"-50,00{NBSP}kr", f"-SEK{NBSP}50.00"),
        ("1234567.891", "SEK", f"1{NBSP}234{NBSP}567,89{NBSP}kr", f"SEK{NBSP}1,234,567.89"),
        (Decimal("12.5"), "EUR", f"12,50{NBSP}EUR", f"EUR{NBSP}12.50"),
        (7, "SEK", f"7,00{NBSP}kr", f"SEK{NBSP}7.00"),
    ],
)
def test_money(value, currency, swedish, english):
    assert formatting.money(value, currency, language="sv") == swedish
    assert formatting.money(value, currency, language="en") == english


def test_money_shows_what_it_cannot_read_as_it_came():
    assert formatting.money("n/a", language="sv") == "n/a"
    assert formatting.money(None, language="sv") == ""
    assert formatting.money(1.5, language="sv") == "1.5"  # floats are never money here


def test_dates():
    assert formatting.day("2026-10-31", language="sv") == "2026-10-31"
    assert formatting.day("2026-10-31", language="en") == "31 Oct 2026"
    assert formatting.day(date(2026, 1, 5), language="en") == "5 Jan 2026"
    assert formatting.day(None, language="sv") == ""
    assert formatting.day("soon", language="sv") == "soon"


def test_moments_are_shown_in_stockholm_time():
    moment = datetime(2026, 10, 31, 13, 5, tzinfo=UTC)
    assert formatting.moment(moment.isoformat(), language="sv") == "2026-10-31 14:05"
    assert formatting.moment(moment, language="en") == "31 Oct 2026 14:05"


def test_vat_rates():
    assert formatting.rate("25.00", language="sv") == f"25{NBSP}%"
    assert formatting.rate("12.50", language="sv") == f"12,5{NBSP}%"
    assert formatting.rate("6.00", language="en") == "6%"


def test_the_filters_follow_the_active_language():
    template = Template(
        "{% load billing_format %}{{ amount|money:'SEK' }} {{ day|day }} {{ code|label }}"
    )
    context = Context({"amount": "1234.50", "day": "2026-10-31", "code": "monthly"})
    with translation.override("sv"):
        assert template.render(context) == f"1{NBSP}234,50{NBSP}kr 2026-10-31 per månad"
    with translation.override("en"):
        assert template.render(context) == f"SEK{NBSP}1,234.50 31 Oct 2026 monthly"
