"""The customer-scoped bases: 401 first, then 404 for anything not yours, then the role."""

import pytest

from billing_bff.access import SESSION_CUSTOMER_KEY
from billing_bff.activity import active_customers
from billing_bff.models import AuditLog
from tests.access.actors import bearer, link
from tests.access.conftest import MINE, THEIRS

pytestmark = [pytest.mark.urls("tests.access.probe_urls"), pytest.mark.django_db]

WRITES = {"partial-update", "create-recurring-product"}


def probe(customer_no: str) -> str:
    return f"/api/v1/customers/{customer_no}/probe"


def test_anonymous_is_401_before_any_customer_lookup(client):
    for number in (MINE, "12ab"):
        response = client.get(probe(number))
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"


def test_a_viewer_sees_no_write_operation_and_may_not_write(client, viewer):
    response = client.get(probe(MINE), **bearer(viewer))
    assert response.status_code == 200
    assert response.json()["role"] == "viewer"
    assert not WRITES & {op["rel"] for op in response.json()["operations"]}

    response = client.patch(probe(MINE), {}, content_type="application/json", **bearer(viewer))
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 403
    assert not AuditLog.objects.exists()


def test_an_owner_sees_and_performs_the_writes(client, owner):
    body = client.get(probe(MINE), **bearer(owner)).json()
    assert {op["rel"] for op in body["operations"]} >= WRITES
    response = client.patch(probe(MINE), {}, content_type="application/json", **bearer(owner))
    assert response.status_code == 204
    entry = AuditLog.objects.get()
    assert (entry.actor_username, entry.action, entry.channel, entry.customer_no) == (
        "olivia",
        "customer.partial-update",
        "api",
        MINE,
    )


def test_another_customer_is_404_exactly_like_one_that_does_not_exist(
    client, owner, stranger, sandbox
):
    """Another real customer, a number nobody has, and junk: one answer, bar the instance."""
    existing = [c["customerNo"] for c in sandbox.customers()]
    link(stranger, existing[0], "owner")
    missing = str(max(int(n) for n in existing) + 1000)
    assert missing not in existing
    headers = bearer(owner)
    answers = []
    for number in (existing[0], THEIRS, missing, "12ab"):
        for method in ("get", "patch"):
            response = getattr(client, method)(probe(number), **headers)
            answers.append((response.status_code, response["Content-Type"], response.json()))
    instances = {body.pop("instance") for _status, _type, body in answers}
    assert len(instances) == len(answers), "each answer names its own request"
    assert all(answer == answers[0] for answer in answers), answers
    assert answers[0][0] == 404
    assert answers[0][1] == "application/problem+json"


def test_an_agent_opens_any_customer_and_is_audited_once_per_login(client, agent):
    headers = bearer(agent)
    for _ in range(3):
        response = client.get(probe(THEIRS), **headers)
        assert response.status_code == 200
        assert response.json()["role"] == "agent"
    assert list(AuditLog.objects.values_list("action", "customer_no", "channel")) == [
        ("customer.open", THEIRS, "api")
    ]
    # A new login is a new session: the opening is recorded again.
    client.get(probe(THEIRS), **bearer(agent))
    assert AuditLog.objects.filter(action="customer.open").count() == 2


def test_an_agents_change_is_audited(client, agent):
    response = client.patch(probe(THEIRS), {}, content_type="application/json", **bearer(agent))
    assert response.status_code == 204
    assert list(AuditLog.objects.order_by("id").values_list("action", "actor_role")) == [
        ("customer.open", "agent"),
        ("customer.partial-update", "agent"),
    ]


# --- the page mixin ----------------------------------------------------------------------


def test_a_page_needs_login(client):
    response = client.get("/probe/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_single_customer_needs_no_choice(client, owner):
    client.force_login(owner)
    response = client.get("/probe/")
    assert response.content.decode() == f"{MINE} owner"


def test_several_customers_are_chosen_in_the_session_and_only_linked_ones(client, owner):
    link(owner, "7000003", "viewer")
    client.force_login(owner)
    assert client.get("/probe/")["Location"] == "/"

    response = client.post("/customer/", {"customer_no": "7000003"})
    assert response.status_code == 302
    assert client.get("/probe/").content.decode() == "7000003 viewer"

    response = client.post("/customer/", {"customer_no": THEIRS})
    assert response.status_code == 404
    assert client.session[SESSION_CUSTOMER_KEY] == "7000003"


def test_a_removed_link_forgets_the_choice(client, owner):
    client.force_login(owner)
    assert client.get("/probe/").status_code == 200
    owner.customer_links.all().delete()
    assert client.get("/probe/")["Location"] == "/"
    assert SESSION_CUSTOMER_KEY not in client.session


def test_an_agent_searches_a_customer_by_number(client, agent):
    client.force_login(agent)
    assert client.get("/probe/")["Location"] == "/"
    assert "customer-search" in client.get("/").content.decode()
    client.post("/customer/", {"customer_no": THEIRS})
    assert client.get("/probe/").content.decode() == f"{THEIRS} agent"
    assert AuditLog.objects.filter(action="customer.open", channel="web").count() == 1


def test_the_function_view_decorator_does_the_same(client, owner, viewer):
    assert client.get("/probe-function/")["Location"].startswith("/login/")
    client.force_login(viewer)
    assert client.get("/probe-function/").content.decode() == f"{MINE} viewer"
    assert client.post("/probe-function/").status_code == 403  # the policy's Forbidden
    client.force_login(owner)
    assert client.post("/probe-function/").status_code == 200
    link(owner, "7000003", "owner")
    client.logout()  # a new session: with two customers, one must be chosen
    client.force_login(owner)
    assert client.get("/probe-function/")["Location"] == "/"


def test_only_customers_that_answer_are_kept_warm_for_an_agent(client, owner, agent, sandbox):
    """An agent may type any well-formed number: a customer PayEx does not know is never
    marked looked at (the background refresh would poll PayEx for it for half an hour),
    one that answers is; a user's own customer is marked on entry."""
    existing = [c["customerNo"] for c in sandbox.customers()]
    missing = str(max(int(n) for n in existing) + 1000)

    def active() -> set[str]:
        return {customer for _ledger, customer in active_customers(within_seconds=60)}

    # The real customer route: the upstream is asked, and says the customer does not exist.
    assert client.get(f"/api/v1/customers/{missing}", **bearer(agent)).status_code == 404
    assert missing not in active()
    assert client.get(f"/api/v1/customers/{existing[0]}", **bearer(agent)).status_code == 200
    assert existing[0] in active()
    assert client.get(probe(MINE), **bearer(owner)).status_code == 200
    assert MINE in active()
