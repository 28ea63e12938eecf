"""The operation policy: what each role is shown, and what each role may do."""

import pytest

from billing_bff.access import (
    POLICY,
    CustomerAccess,
    Role,
    get_customer_access,
    narrow_operations,
    require_operation,
)
from billing_bff.models import AuditLog
from billing_bff.problems import Conflict, Forbidden, NotFound
from tests.access.conftest import MINE, THEIRS

BASE = f"/api/v1/customers/{MINE}"
# Operations as the BFF shows them after mapping the upstream's hrefs onto its own routes.
CUSTOMER_OPS = [
    {"rel": "partial-update", "method": "PATCH", "href": BASE},
    {"rel": "create-recurring-product", "method": "POST", "href": f"{BASE}/recurring-products"},
    {"rel": "refresh", "method": "POST", "href": f"{BASE}/refresh"},
    {"rel": "export", "method": "GET", "href": f"{BASE}/usage?format=csv"},
]
SUBSCRIPTION_OPS = [
    {
        "rel": "create-recurring-product",
        "method": "post",  # PayEx writes methods in either case
        "href": f"{BASE}/subscriptions/0701234567/recurring-products",
    },
]
RECURRING_PRODUCT_OPS = [
    {"rel": "partial-update", "method": "patch", "href": f"{BASE}/recurring-products/42"},
    {"rel": "delete", "method": "DELETE", "href": f"{BASE}/recurring-products/42"},
]
WRITES = {"partial-update", "delete", "create-recurring-product"}
KINDS = ["customer", "subscription", "recurring-product", "invoice", "usage"]


def access(role: str) -> CustomerAccess:
    return CustomerAccess(user=None, ledger_no="501", customer_no=MINE, role=role, channel="api")


def rels(operations):
    return [op["rel"] for op in operations]


# Every rel that can be offered on each kind: PayEx's writes where it offers them, the
# BFF's own refresh and export on the whole customer; invoices and usage are read-only.
OFFERABLE = {
    "customer": {"partial-update", "delete", "create-recurring-product", "refresh", "export"},
    "subscription": {"partial-update", "delete", "create-recurring-product"},
    "recurring-product": {"partial-update", "delete"},
    "invoice": set(),
    "usage": set(),
}


def test_the_policy_decides_every_rel_that_can_be_offered_and_no_other():
    assert sorted(POLICY) == sorted(KINDS)
    for kind in KINDS:
        assert set(POLICY[kind]) == OFFERABLE[kind], kind


@pytest.mark.parametrize(
    ("kind", "operations"),
    [
        ("customer", CUSTOMER_OPS),
        ("subscription", SUBSCRIPTION_OPS),
        ("recurring-product", RECURRING_PRODUCT_OPS),
    ],
)
def test_a_viewer_is_shown_no_write_operation(kind, operations):
    shown = narrow_operations(kind=kind, role=Role.VIEWER, operations=operations)
    assert not WRITES & set(rels(shown))


def test_a_viewer_keeps_refresh_and_export_of_what_they_see():
    shown = narrow_operations(kind="customer", role=Role.VIEWER, operations=CUSTOMER_OPS)
    assert rels(shown) == ["refresh", "export"]


def test_an_owner_is_shown_the_self_service_writes():
    assert rels(narrow_operations(kind="customer", role=Role.OWNER, operations=CUSTOMER_OPS)) == [
        "partial-update",
        "create-recurring-product",
        "refresh",
        "export",
    ]
    assert rels(
        narrow_operations(kind="subscription", role=Role.OWNER, operations=SUBSCRIPTION_OPS)
    ) == ["create-recurring-product"]
    assert rels(
        narrow_operations(
            kind="recurring-product", role=Role.OWNER, operations=RECURRING_PRODUCT_OPS
        )
    ) == ["partial-update", "delete"]


def test_an_agent_is_shown_everything_offered():
    for kind, ops in [("customer", CUSTOMER_OPS), ("recurring-product", RECURRING_PRODUCT_OPS)]:
        assert narrow_operations(kind=kind, role=Role.AGENT, operations=ops) == ops


def test_unknown_writes_are_dropped_and_unknown_reads_kept():
    ops = [
        {"rel": "cancel-everything", "method": "POST", "href": f"{BASE}/x"},
        {"rel": "pdf", "method": "GET", "href": f"{BASE}/invoices/1/pdf"},
    ]
    for role in (Role.OWNER, Role.AGENT):
        assert rels(narrow_operations(kind="invoice", role=role, operations=ops)) == ["pdf"]
    assert narrow_operations(kind="no-such-kind", role=Role.AGENT, operations=ops[:1]) == []


def test_narrowing_keeps_the_operations_as_given():
    shown = narrow_operations(kind="customer", role=Role.OWNER, operations=CUSTOMER_OPS)
    assert shown[0] is CUSTOMER_OPS[0]


@pytest.mark.parametrize(
    ("kind", "rel", "offered"),
    [
        ("customer", "partial-update", CUSTOMER_OPS),
        ("customer", "create-recurring-product", CUSTOMER_OPS),
        ("subscription", "create-recurring-product", SUBSCRIPTION_OPS),
        ("recurring-product", "partial-update", RECURRING_PRODUCT_OPS),
        ("recurring-product", "delete", RECURRING_PRODUCT_OPS),
    ],
)
def test_a_viewer_may_not_write_even_what_is_offered(kind, rel, offered):
    with pytest.raises(Forbidden) as raised:
        require_operation(access=access(Role.VIEWER), kind=kind, rel=rel, offered=offered)
    assert raised.value.status_code == 403
    # The owner passes the same check: the refusal is the role's, not the resource's.
    require_operation(access=access(Role.OWNER), kind=kind, rel=rel, offered=offered)


def test_a_write_the_resource_does_not_offer_now_is_a_conflict():
    # A terminated subscription offers no create-recurring-product.
    with pytest.raises(Conflict) as raised:
        require_operation(
            access=access(Role.OWNER),
            kind="subscription",
            rel="create-recurring-product",
            offered=[],
        )
    assert raised.value.status_code == 409


def test_the_role_is_checked_before_the_resource_state():
    with pytest.raises(Forbidden):
        require_operation(access=access(Role.VIEWER), kind="customer", rel="delete", offered=[])


def test_bff_only_operations_need_no_upstream_offer():
    for role in (Role.VIEWER, Role.OWNER, Role.AGENT):
        require_operation(access=access(role), kind="customer", rel="refresh", offered=None)
        require_operation(access=access(role), kind="customer", rel="export", offered=None)


def test_an_owner_may_not_do_what_only_agents_may():
    with pytest.raises(Forbidden):
        require_operation(
            access=access(Role.OWNER), kind="customer", rel="delete", offered=[{"rel": "delete"}]
        )
    require_operation(
        access=access(Role.AGENT), kind="customer", rel="delete", offered=[{"rel": "delete"}]
    )


def test_an_unknown_rel_is_refused_to_everyone():
    for role in (Role.VIEWER, Role.OWNER, Role.AGENT):
        with pytest.raises(Forbidden):
            require_operation(access=access(role), kind="customer", rel="merge", offered=None)


# --- resolving access ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_link_gives_its_role(owner, viewer):
    got = get_customer_access(user=owner, customer_no=MINE, channel="api")
    assert (got.customer_no, got.role, got.ledger_no, got.channel) == (MINE, "owner", "501", "api")
    assert get_customer_access(user=viewer, customer_no=MINE, channel="web").role == "viewer"


@pytest.mark.django_db
@pytest.mark.parametrize("number", [THEIRS, "7999999", "", "12ab", "1" * 21, "7000001\n", "../1"])
def test_anything_but_a_linked_customer_is_not_found(owner, stranger, number):
    with pytest.raises(NotFound) as raised:
        get_customer_access(user=owner, customer_no=number, channel="api")
    assert str(raised.value.detail) == str(NotFound().detail)


@pytest.mark.django_db
def test_a_link_to_another_ledger_does_not_count(owner):
    owner.customer_links.update(ledger_no="999")
    with pytest.raises(NotFound):
        get_customer_access(user=owner, customer_no=MINE, channel="api")


@pytest.mark.django_db
def test_an_inactive_user_sees_nothing(owner):
    owner.is_active = False
    owner.save()
    with pytest.raises(NotFound):
        get_customer_access(user=owner, customer_no=MINE, channel="api")


@pytest.mark.django_db
def test_the_agent_permission_alone_is_not_enough_without_staff(owner):
    from django.contrib.auth.models import Permission

    owner.user_permissions.add(Permission.objects.get(codename="act_as_agent"))
    with pytest.raises(NotFound):
        get_customer_access(user=owner, customer_no=THEIRS, channel="api")


@pytest.mark.django_db
def test_an_agent_opens_any_customer_and_it_is_audited_once_per_session(agent):
    for _ in range(3):
        got = get_customer_access(user=agent, customer_no=THEIRS, channel="web", session_ref="s1")
        assert got.role == "agent"
    get_customer_access(user=agent, customer_no=MINE, channel="web", session_ref="s1")
    get_customer_access(user=agent, customer_no=THEIRS, channel="web", session_ref="s2")
    entries = list(AuditLog.objects.order_by("id").values_list("customer_no", "action", "channel"))
    assert entries == [
        (THEIRS, "customer.open", "web"),
        (MINE, "customer.open", "web"),
        (THEIRS, "customer.open", "web"),
    ]
    entry = AuditLog.objects.first()
    assert (entry.actor_username, entry.actor_role, entry.ledger_no) == ("agent", "agent", "501")


@pytest.mark.django_db
def test_an_agent_still_needs_a_well_formed_number(agent):
    with pytest.raises(NotFound):
        get_customer_access(user=agent, customer_no="12ab", channel="api")
    assert not AuditLog.objects.exists()
