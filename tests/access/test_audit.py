"""The audit log: append-only for the application, read-only in the admin, no secrets."""

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from billing_bff.access import CustomerAccess, audit
from billing_bff.models import AppendOnly, AuditLog
from tests.access.conftest import MINE

pytestmark = pytest.mark.django_db


def entry(user) -> AuditLog:
    access = CustomerAccess(
        user=user, ledger_no="501", customer_no=MINE, role="owner", channel="web"
    )
    return audit(access=access, action="customer.partial-update", details={"fields": ["msisdn"]})


def test_an_entry_says_who_when_which_customer_what_and_where(owner):
    saved = AuditLog.objects.get(pk=entry(owner).pk)
    assert (saved.actor_id, saved.actor_username, saved.actor_role) == (owner.pk, "olivia", "owner")
    assert (saved.ledger_no, saved.customer_no, saved.channel) == ("501", MINE, "web")
    assert saved.action == "customer.partial-update"
    assert saved.details == {"fields": ["msisdn"]}
    assert saved.at is not None


def test_an_entry_cannot_be_changed(owner):
    saved = entry(owner)
    saved.action = "nothing.happened"
    with pytest.raises(AppendOnly):
        saved.save()
    with pytest.raises(AppendOnly):
        AuditLog.objects.filter(pk=saved.pk).update(action="nothing.happened")
    assert AuditLog.objects.get(pk=saved.pk).action == "customer.partial-update"


def test_an_entry_cannot_be_deleted(owner):
    saved = entry(owner)
    with pytest.raises(AppendOnly):
        saved.delete()
    with pytest.raises(AppendOnly):
        AuditLog.objects.all().delete()
    with pytest.raises(AppendOnly):
        AuditLog.objects.filter(pk=saved.pk).delete()
    assert AuditLog.objects.count() == 1


def test_entries_outlive_their_actor(owner):
    saved = entry(owner)
    owner.delete()
    kept = AuditLog.objects.get(pk=saved.pk)
    assert kept.actor_username == "olivia"


def test_secrets_never_reach_the_details(owner, settings):
    access = CustomerAccess(
        user=owner, ledger_no="501", customer_no=MINE, role="owner", channel="api"
    )
    saved = audit(
        access=access,
        action="customer.partial-update",
        details={
            "password": "hunter2",
            "nested": [{"refreshToken": "eyJ..."}, {"note": f"Bearer {settings.PAYEX_TOKEN}"}],
            "fields": ["emailAddress"],
        },
    )
    text = str(AuditLog.objects.get(pk=saved.pk).details)
    assert "hunter2" not in text
    assert "eyJ" not in text
    assert settings.PAYEX_TOKEN not in text
    assert "emailAddress" in text


def test_the_admin_reads_but_never_writes(admin_user, owner):
    saved = entry(owner)
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    model_admin = site._registry[AuditLog]
    assert model_admin.has_view_permission(request, saved)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, saved)
    assert not model_admin.has_delete_permission(request, saved)


def test_the_admin_pages_show_the_log_without_a_delete_button(admin_client, owner):
    saved = entry(owner)
    assert admin_client.get("/admin/billing_bff/auditlog/").status_code == 200
    page = admin_client.get(f"/admin/billing_bff/auditlog/{saved.pk}/change/")
    assert page.status_code == 200
    assert b"deletelink" not in page.content
    assert admin_client.post(f"/admin/billing_bff/auditlog/{saved.pk}/delete/").status_code == 403
    assert AuditLog.objects.filter(pk=saved.pk).exists()
