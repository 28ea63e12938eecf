"""The self-service catalogue: the recurring products end customers may order themselves.

The company keeps it in the Django admin. Everything else about a customer (profile,
subscriptions, recurring products) lives at PayEx and is only cached here.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class CatalogueProductQuerySet(models.QuerySet):
    def active(self) -> CatalogueProductQuerySet:
        return self.filter(active=True)

    def for_level(self, level: str) -> CatalogueProductQuerySet:
        return self.filter(level__in=(level, CatalogueProduct.Level.BOTH))


class CatalogueProduct(models.Model):
    class Level(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        SUBSCRIPTION = "subscription", _("Subscription")
        BOTH = "both", _("Customer and subscription")

    class Interval(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        YEARLY = "yearly", _("Yearly")

    product_code = models.CharField(
        _("product code"),
        max_length=32,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9][A-Z0-9_-]*$", _("Capitals, digits, - and _."))],
        help_text=_("The product code in PayEx Billing, e.g. ADD-SURF10."),
    )
    name_sv = models.CharField(_("name in Swedish"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=100)
    unit_price = models.DecimalField(
        _("price excl. VAT"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text=_("Per charge interval, in SEK, excluding VAT."),
    )
    vat_rate = models.DecimalField(
        _("VAT rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("25.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    charge_interval = models.CharField(
        _("charge interval"), max_length=16, choices=Interval.choices, default=Interval.MONTHLY
    )
    level = models.CharField(
        _("level"),
        max_length=16,
        choices=Level.choices,
        default=Level.SUBSCRIPTION,
        help_text=_("Where the product may be attached: to the customer, a subscription or both."),
    )
    owners_may_order = models.BooleanField(
        _("owners may order"),
        default=True,
        help_text=_("Off: only customer service may order it."),
    )
    active = models.BooleanField(_("active"), default=True)

    objects = CatalogueProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("catalogue product")
        verbose_name_plural = _("self-service catalogue")
        ordering = ["product_code"]

    def __str__(self) -> str:
        return f"{self.product_code} {self.name_sv}"

    @property
    def name(self) -> str:
        """The name in the active language (Swedish unless English is active)."""
        return self.name_en if (get_language() or "").startswith("en") else self.name_sv

    @property
    def levels(self) -> list[str]:
        if self.level == self.Level.BOTH:
            return [self.Level.CUSTOMER.value, self.Level.SUBSCRIPTION.value]
        return [self.level]
