"""The shapes the OpenAPI document gives the customer routes, with their examples.

Documentation only: the bodies themselves are built by customers.selectors, which keeps
the billing system's own fields (camelCase) and adds `operations` and `meta`.
"""

from __future__ import annotations

from rest_framework import serializers

from billing_bff.web.openapi import (
    SUBSCRIPTION_STATUSES,
    AmountField,
    HrefField,
    MetaSerializer,
    operations_field,
    paged_list,
)

CHARGE_INTERVALS = ("monthly", "quarterly", "yearly")


class NationalIdentifierSerializer(serializers.Serializer):
    regNo = serializers.CharField()
    countryCode = serializers.CharField()


class BillingAddressSerializer(serializers.Serializer):
    addressee = serializers.CharField()
    coAddress = serializers.CharField(allow_null=True)
    streetAddress = serializers.CharField()
    zipCode = serializers.CharField()
    city = serializers.CharField()
    countryCode = serializers.CharField(help_text="ISO 3166-1 alpha-2.")


class CustomerSerializer(serializers.Serializer):
    """The customer's profile; PATCH changes its contact fields."""

    customerNo = serializers.CharField()
    legalEntity = serializers.ChoiceField(choices=("consumer", "business"))
    name = serializers.CharField()
    nationalIdentifier = NationalIdentifierSerializer()
    emailAddress = serializers.CharField(allow_null=True)
    msisdn = serializers.CharField(allow_null=True, help_text="E.164, e.g. +46701234567.")
    billingAddress = BillingAddressSerializer(allow_null=True)
    language = serializers.CharField(help_text="e.g. `sv`, `en`.")
    invoiceDistribution = serializers.CharField(help_text="`email`, `paper`, `e-invoice`, `kivra`.")
    subscriptions = HrefField(required=False, help_text="The subscriptions list.")
    recurringProducts = HrefField(required=False, help_text="The customer-level products.")
    operations = operations_field()
    meta = MetaSerializer()


class RecurringProductSerializer(serializers.Serializer):
    """A charge that recurs, on the customer or on one subscription."""

    recurringProductId = serializers.CharField()
    productCode = serializers.CharField()
    description = serializers.CharField()
    quantity = serializers.IntegerField()
    unitPrice = AmountField(help_text="Excluding VAT.")
    vatRate = AmountField()
    currency = serializers.CharField(help_text="ISO 4217, e.g. SEK.")
    chargeInterval = serializers.ChoiceField(choices=CHARGE_INTERVALS)
    startDate = serializers.DateField()
    endDate = serializers.DateField(allow_null=True)
    externalReference = serializers.CharField(allow_null=True)
    operations = operations_field()


class RecurringProductDetailSerializer(RecurringProductSerializer):
    meta = MetaSerializer()


class SubscriptionSerializer(serializers.Serializer):
    """A subscription (a phone line or other service) of the customer."""

    subscriptionNo = serializers.CharField()
    description = serializers.CharField()
    productCode = serializers.CharField()
    productName = serializers.CharField()
    status = serializers.ChoiceField(choices=SUBSCRIPTION_STATUSES)
    startDate = serializers.DateField()
    endDate = serializers.DateField(allow_null=True)
    recurringProducts = HrefField(required=False, help_text="Its recurring products.")
    operations = operations_field()


class SubscriptionDetailSerializer(SubscriptionSerializer):
    """One subscription with its recurring products (running ones first)."""

    recurringProducts = RecurringProductSerializer(many=True)
    meta = MetaSerializer()


class CatalogueProductSerializer(serializers.Serializer):
    productCode = serializers.CharField()
    name = serializers.CharField()
    unitPrice = AmountField(help_text="Excluding VAT.")
    vatRate = AmountField()
    currency = serializers.CharField()
    chargeInterval = serializers.ChoiceField(choices=CHARGE_INTERVALS)
    levels = serializers.ListField(
        child=serializers.ChoiceField(choices=("customer", "subscription")),
        help_text="Where this user may order it: on the customer, on a subscription, or both.",
    )
    operations = operations_field()


PagedSubscriptionList = paged_list("PagedSubscriptionList", SubscriptionSerializer(many=True))
PagedRecurringProductList = paged_list(
    "PagedRecurringProductList",
    RecurringProductSerializer(many=True),
    operations=operations_field(),
)
PagedCatalogueList = paged_list("PagedCatalogueList", CatalogueProductSerializer(many=True))


# --- examples -------------------------------------------------------------------------------
C = "/api/v1/customers/3996668"
S = f"{C}/subscriptions/46765474359"
META = {"asOf": "2026-11-21T19:54:22+00:00", "stale": False, "source": "cache"}

CUSTOMER = {
    "customerNo": "3996668",
    "legalEntity": "consumer",
    "name": "Kristina Strömberg",
    "nationalIdentifier": {"regNo": "19481221-4627", "countryCode": "SE"},
    "emailAddress": "kristina.stromberg34@example.com",
    "msisdn": "+46720818104",
    "billingAddress": {
        "addressee": "Kristina Strömberg",
        "coAddress": None,
        "streetAddress": "Västra Hamngatan 70",
        "zipCode": "973 19",
        "city": "Luleå",
        "countryCode": "SE",
    },
    "language": "sv",
    "invoiceDistribution": "kivra",
    "subscriptions": f"{C}/subscriptions",
    "recurringProducts": f"{C}/recurring-products",
    "operations": [
        {"rel": "partial-update", "method": "PATCH", "href": C},
        {"rel": "create-recurring-product", "method": "POST", "href": f"{C}/recurring-products"},
    ],
    "meta": META,
}

PRODUCT = {
    "recurringProductId": "20000000",
    "productCode": "ADD-SURF10",
    "description": "Extra surf 10 GB",
    "quantity": 1,
    "unitPrice": "79.20",
    "vatRate": "25.00",
    "currency": "SEK",
    "chargeInterval": "monthly",
    "startDate": "2026-11-21",
    "endDate": None,
    "externalReference": "bff-6f1c2a8e3b4d4e5f",
    "operations": [
        {"rel": "partial-update", "method": "PATCH", "href": f"{S}/recurring-products/20000000"},
        {"rel": "delete", "method": "DELETE", "href": f"{S}/recurring-products/20000000"},
    ],
}

SUBSCRIPTION = {
    "subscriptionNo": "46765474359",
    "description": "Erik Strömberg",
    "productCode": "MOB-5GB",
    "productName": "Mobil 5 GB",
    "status": "active",
    "startDate": "2023-12-16",
    "endDate": None,
    "recurringProducts": f"{S}/recurring-products",
    "operations": [
        {"rel": "create-recurring-product", "method": "POST", "href": f"{S}/recurring-products"}
    ],
}

SUBSCRIPTION_DETAIL = {**SUBSCRIPTION, "recurringProducts": [PRODUCT], "meta": META}

SUBSCRIPTIONS = {
    "count": 1,
    "next": None,
    "previous": None,
    "results": [SUBSCRIPTION],
    "meta": META,
}

PRODUCTS = {
    "count": 1,
    "next": None,
    "previous": None,
    "results": [PRODUCT],
    "meta": META,
    "operations": [
        {"rel": "create-recurring-product", "method": "POST", "href": f"{S}/recurring-products"}
    ],
}

CATALOGUE = {
    "count": 1,
    "next": None,
    "previous": None,
    "results": [
        {
            "productCode": "CUS-SEC",
            "name": "Security package",
            "unitPrice": "39.20",
            "vatRate": "25.00",
            "currency": "SEK",
            "chargeInterval": "monthly",
            "levels": ["customer"],
            "operations": [
                {
                    "rel": "create-recurring-product",
                    "method": "POST",
                    "href": f"{C}/recurring-products",
                }
            ],
        }
    ],
    "meta": META,
}

CUSTOMER_CHANGES = {"emailAddress": "kristina@example.com", "msisdn": "+46701234567"}
PRODUCT_ORDERS = {
    "On the customer": {"productCode": "CUS-SEC", "quantity": 1},
    "On a subscription": {"productCode": "ADD-SURF10", "quantity": 1, "startDate": "2030-01-01"},
}
PRODUCT_CHANGES = {"quantity": 2, "endDate": "2030-12-31"}
