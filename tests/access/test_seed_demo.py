"""seed_demo: the demo users and links, from the sandbox's customers, idempotently."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from billing_bff.access import is_agent
from billing_bff.models import CustomerLink

pytestmark = pytest.mark.django_db
User = get_user_model()


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def state():
    return (
        sorted(User.objects.values_list("username", "password", "is_staff")),
        sorted(CustomerLink.objects.values_list("user__username", "customer_no", "role")),
        sorted(Group.objects.values_list("name", "permissions__codename")),
    )


@pytest.fixture
def against_sandbox(settings, sandbox):
    settings.PAYEX_BASE_URL = sandbox.url
    return {str(c["customerNo"]): c for c in sandbox.customers()}


def test_seed_makes_the_demo_people(against_sandbox):
    customers = against_sandbox
    output = seed()
    assert "user anna: created" in output

    def links(username):
        return {
            link.customer_no: link.role
            for link in CustomerLink.objects.filter(user__username=username)
        }

    ((anna_customer, anna_role),) = links("anna").items()
    assert anna_role == "owner"
    assert customers[anna_customer]["legalEntity"] == "consumer"
    assert customers[anna_customer]["subscriptionCount"] >= 3
    assert links("bertil") == {anna_customer: "viewer"}
    cecilia = links("cecilia")
    assert set(cecilia.values()) == {"owner"} and len(cecilia) == 2
    entities = sorted(customers[no]["legalEntity"] for no in cecilia)
    assert entities == ["business", "consumer"]
    business = next(no for no in cecilia if customers[no]["legalEntity"] == "business")
    assert customers[business]["subscriptionCount"] >= 25
    if any(c.get("bigUnbilledSubscription") for c in customers.values()):
        assert customers[business]["bigUnbilledSubscription"]
    assert anna_customer not in cecilia
    service = User.objects.get(username="service")
    assert is_agent(service)
    assert not CustomerLink.objects.filter(user=service).exists()
    for username in ("anna", "bertil", "cecilia", "service"):
        assert User.objects.get(username=username).check_password("mypages-demo")
    link = CustomerLink.objects.get(user__username="anna")
    assert link.display_name == customers[anna_customer]["name"]


def test_seed_twice_changes_nothing(against_sandbox):
    seed()
    first = state()
    output = seed()
    assert state() == first
    assert "created" not in output.replace("exists", "")


def test_seed_keeps_a_changed_password_unless_asked(against_sandbox, monkeypatch):
    seed()
    anna = User.objects.get(username="anna")
    anna.set_password("anna-changed-it")
    anna.save()
    seed()
    assert User.objects.get(username="anna").check_password("anna-changed-it")
    monkeypatch.setenv("DEMO_PASSWORD", "another-demo-password")
    seed("--reset-passwords")
    assert User.objects.get(username="anna").check_password("another-demo-password")


def test_seed_says_clearly_when_the_sandbox_is_not_there(settings):
    settings.PAYEX_BASE_URL = "http://127.0.0.1:9"
    with pytest.raises(CommandError, match="did not answer"):
        seed()
    assert not User.objects.exists()


def test_seed_refuses_outside_the_sandbox(settings):
    settings.PAYEX_SANDBOX = False
    with pytest.raises(CommandError, match="sandbox"):
        seed()
