"""What every page's header needs: the customers the user acts for and the current one.

Lazy, so a response that renders no header (a redirect, JSON) costs no query.
"""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from billing_bff.access import SESSION_CUSTOMER_KEY, is_agent, linked_customers


def customer_switch(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    session = getattr(request, "session", None)
    return {
        "switch_links": SimpleLazyObject(lambda: linked_customers(user=user)),
        "switch_selected": session.get(SESSION_CUSTOMER_KEY) if session is not None else None,
        "switch_agent": SimpleLazyObject(lambda: is_agent(user)),
    }
