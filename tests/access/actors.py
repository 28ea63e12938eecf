"""People for access tests: users linked to customers in each role, and an agent.

Plain functions, so both tests/access and tests/test_permission_matrix.py use them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from billing_bff.auth import issue_token_pair
from billing_bff.models import CustomerLink

PASSWORD = "correct horse battery staple"


def make_user(username: str, *, password: str = PASSWORD, **fields):
    user = get_user_model().objects.create_user(username=username, password=password, **fields)
    return user


def link(user, customer_no: str, role: str, *, name: str = "") -> CustomerLink:
    return CustomerLink.objects.create(
        user=user,
        ledger_no=settings.PAYEX_OWNER_NO,
        customer_no=customer_no,
        role=role,
        display_name=name or f"Customer {customer_no}",
    )


def make_agent(username: str = "agent"):
    user = make_user(username, is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="billing_bff", codename="act_as_agent")
    )
    return get_user_model().objects.get(pk=user.pk)  # fresh: no stale permission cache


def bearer(user) -> dict[str, str]:
    """Headers of a mobile app logged in as `user`."""
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_token_pair(user=user)['access']}"}
