"""Input rules of the invoice list, shared by the API and the page: paging and filters."""

from rest_framework import serializers

from billing_bff.web.api import PageQuery

from .openapi import STATUSES


class InvoiceQuery(PageQuery):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    status = serializers.ChoiceField(choices=STATUSES, required=False)
