"""Template filters over billing_bff.web.formatting: `{{ amount|money }}`, `{{ d|day }}`."""

from django import template

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
