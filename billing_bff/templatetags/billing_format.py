"""Template filters over billing_bff.web.formatting: `{{ amount|money }}`, `{{ d|day }}`."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from billing_bff.amounts import with_vat
from billing_bff.web import formatting

register = template.Library()


@register.filter
def money(value, currency="SEK"):
    return formatting.money(value, currency or "SEK")


@register.filter
def day(value):
    return formatting.day(value)


@register.filter
def vat_rate(value):
    return formatting.rate(value)


@register.filter
def moment(value):
    return formatting.moment(value)


@register.filter
def label(value):
    return formatting.label(value)


@register.filter
def ago(value):
    return formatting.ago(value)


@register.simple_tag(takes_context=True)
def price(context, amount, vat_rate, currency="SEK"):
    """A price excl. VAT as the customer reads prices: consumers incl. VAT first (Swedish
    consumer prices are quoted so), excl. VAT as the secondary figure; business customers
    the other way round. The page says whose prices these are with `legal_entity`."""
    excl = formatting.money(amount, currency or "SEK")
    incl = formatting.money(with_vat(amount, vat_rate), currency or "SEK")
    if context.get("legal_entity") == "business":
        first, second, note = excl, incl, _("incl. VAT")
        label = _("excl. VAT")
    else:
        first, second, note = incl, excl, _("excl. VAT")
        label = _("incl. VAT")
    return format_html(
        '<span class="price">{} <span class="price-basis">{}</span>'
        ' <span class="price-secondary">({} {})</span></span>',
        first,
        label,
        second,
        note,
    )
