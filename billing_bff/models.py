"""Who may act for which customer, the audit trail of what they did, and mobile logins.

A `CustomerLink` ties a user to one customer of one ledger with a role; it is the only
source of "may see". Customer-service agents are not linked: they hold the
`billing_bff.act_as_agent` permission instead (see billing_bff.access). The
`AuditLog` is append-only for the application. A `TokenFamily` is one mobile login:
every refresh token rotated from it carries its id, so reuse of a spent refresh token
can revoke all of them at once (see billing_bff.auth).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    VIEWER = "viewer", _("Viewer")
    AGENT = "agent", _("Customer service")


# Agents are a permission, not a link: a link can only make an owner or a viewer.
LINK_ROLES = [(Role.OWNER.value, Role.OWNER.label), (Role.VIEWER.value, Role.VIEWER.label)]


class CustomerLink(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customer_links"
    )
    ledger_no = models.CharField(_("ledger number"), max_length=20)
    customer_no = models.CharField(_("customer number"), max_length=20)
    role = models.CharField(_("role"), max_length=16, choices=LINK_ROLES, default=Role.VIEWER)
    display_name = models.CharField(
        _("display name"), max_length=200, blank=True, help_text=_("The customer's name in menus.")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("customer link")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "ledger_no", "customer_no"], name="one_link_per_user_and_customer"
            ),
        ]
        indexes = [models.Index(fields=["ledger_no", "customer_no"])]
        ordering = ["display_name", "customer_no"]
        permissions = [
            ("act_as_agent", "May open any customer of the ledger as customer service"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.customer_no} ({self.role})"


class AppendOnly(Exception):
    """Raised when code tries to change or remove an audit entry."""


class AuditLogQuerySet(models.QuerySet):
    # Bulk paths skip save()/delete(), so they are closed here as well.
    def update(self, **kwargs):
        raise AppendOnly("Audit entries cannot be changed.")

    def delete(self):
        raise AppendOnly("Audit entries cannot be deleted.")


class AuditLog(models.Model):
    """One thing someone did or saw on someone else's behalf.

    The actor is kept by id and name rather than as a foreign key: the entry must
    survive the user's removal unchanged, and a cascading SET NULL would be an update.
    """

    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        API = "api", _("API")

    at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    actor_id = models.BigIntegerField(null=True, editable=False)
    actor_username = models.CharField(max_length=150, editable=False)
    actor_role = models.CharField(max_length=16, choices=Role.choices, editable=False)
    ledger_no = models.CharField(max_length=20, editable=False)
    customer_no = models.CharField(max_length=20, editable=False)
    action = models.CharField(max_length=64, editable=False)
    channel = models.CharField(max_length=8, choices=Channel.choices, editable=False)
    request_id = models.CharField(max_length=64, blank=True, editable=False)
    details = models.JSONField(default=dict, blank=True, editable=False)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["ledger_no", "customer_no", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action} {self.customer_no}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("Audit entries cannot be deleted.")


class TokenFamily(models.Model):
    """One mobile login; revoked as a whole on logout or when a spent refresh token returns.

    Kept in the database, not Redis: forgetting a revocation would let a stolen token
    family live again.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="token_families"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=16, blank=True)

    class Meta:
        verbose_name = _("mobile login")

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"
