"""Who may see which customer, and do what: the one policy every route goes through.

- `get_customer_access` answers "may this user see this customer, and as what?" from
  the user's links (or the agent permission) before anything is read from a cache or
  the upstream. A customer the user may not see is a 404, word for word the one of a
  customer that does not exist, so customer numbers cannot be probed.
- `POLICY` says which role may perform which operation on which kind of resource.
  `narrow_operations` applies it to the operations shown in a response;
  `require_operation` applies it (and the upstream's current offer) to every write.
- `audit` is the one way to record what someone did; agents' reads are recorded too:
  the customers they open, and (`audit_agent_read`, called by the views) each invoice,
  usage set, CSV, export download and refresh, compacted to one entry per window.
- `system_access` is the access a background job reads a customer's data under.

The access check reads the user's principal (billing_bff.principal: a snapshot in
Redis, checked against the user's generation in the same round trip, else the
database) and nothing else: the request's cache scope is entered afterwards by the
bases of every customer route (billing_bff.web.api, billing_bff.web.pages), which
resolve the access before the handler runs.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django_guid import get_guid

from billing_bff import principal
from billing_bff.caching import Scope
from billing_bff.models import AuditLog, Role
from billing_bff.problems import Conflict, Forbidden, NotFound
from billing_bff.redis import customer_key, get_redis

logger = logging.getLogger(__name__)

__all__ = [
    "POLICY",
    "SESSION_CUSTOMER_KEY",
    "CustomerAccess",
    "NoCustomerSelected",
    "Role",
    "audit",
    "audit_agent_read",
    "get_customer_access",
    "is_agent",
    "linked_customers",
    "narrow_operations",
    "page_customer_access",
    "require_operation",
    "system_access",
]

AGENT_PERMISSION = principal.AGENT_PERMISSION
# Where the browser pages keep the customer the user currently acts for.
SESSION_CUSTOMER_KEY = "bff_customer_no"
# PayEx customer numbers are digits; the bound keeps junk out of keys and upstream URLs.
_CUSTOMER_NO = re.compile(r"[0-9]{1,20}")

OWNER, VIEWER, AGENT = Role.OWNER.value, Role.VIEWER.value, Role.AGENT.value
_ALL = frozenset({OWNER, VIEWER, AGENT})
_OWNER_AGENT = frozenset({OWNER, AGENT})
_AGENT = frozenset({AGENT})
_NOBODY: frozenset[str] = frozenset()

# kind -> rel -> roles allowed, for every rel that can be offered on that kind: the
# upstream's (partial-update, delete, create-recurring-product where PayEx offers them)
# and the BFF's own (refresh and export, of a whole customer). A kind or rel missing
# here is refused to everyone for writes; a read (GET) is as visible as its resource.
# The upstream's own offer still bounds every cell: a rel it does not offer for a
# resource is a 409.
# - Viewers may `refresh` and `export`: neither changes the customer's data at PayEx; a
#   refresh only re-reads what they may already see (rate-limited where it is served),
#   and an export is the same data as a download.
# - Agents (customer service) may do whatever the upstream offers; every change they
#   make, every customer they open and everything they read there is audited.
# - Invoices and usage are read-only: nothing can be offered on them but reads.
POLICY: dict[str, dict[str, frozenset[str]]] = {
    "customer": {
        "partial-update": _OWNER_AGENT,
        "delete": _AGENT,
        "create-recurring-product": _OWNER_AGENT,
        "refresh": _ALL,
        "export": _ALL,
    },
    "subscription": {
        "partial-update": _AGENT,
        "delete": _AGENT,
        "create-recurring-product": _OWNER_AGENT,
    },
    "recurring-product": {
        "partial-update": _OWNER_AGENT,
        "delete": _OWNER_AGENT,
    },
    "invoice": {},
    "usage": {},
}

# An operation that only reads is as visible as the resource it belongs to.
_READ_METHODS = frozenset({"GET", "HEAD"})


@dataclass(frozen=True)
class CustomerAccess:
    """Who acts for which customer, as what, through which channel."""

    user: Any
    ledger_no: str
    customer_no: str
    role: str
    channel: str
    # The customer's cache as this request sees it: set by billing_bff.caching.enter at
    # the entry point (a route's base, a task), never by the access check.
    scope: Scope | None = field(default=None, compare=False, repr=False)

    @property
    def linked(self) -> bool:
        """Through a link of the user's own (not an agent's search, not a job)."""
        return self.role in (OWNER, VIEWER)


SYSTEM = "system"


def system_access(ledger_no: str, customer_no: str) -> CustomerAccess:
    """The access a background job reads a customer's data under: the customer, no user."""
    return CustomerAccess(
        user=None, ledger_no=ledger_no, customer_no=customer_no, role=SYSTEM, channel="task"
    )


def is_agent(user) -> bool:
    """Customer service: an active staff user holding the agent permission.

    Superusers hold every permission, so an active staff superuser is an agent too.
    """
    return bool(getattr(user, "is_authenticated", False) and principal.of_user(user).agent)


def linked_customers(*, user) -> list[principal.Link]:
    """The customers of the configured ledger this user is linked to, in menu order."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(principal.of_user(user).links)


def get_customer_access(
    *, user, customer_no: str, channel: str, session_ref: str | None = None
) -> CustomerAccess:
    """Resolve what `user` may be to `customer_no`, or raise NotFound.

    Called before any cache or upstream read. A link decides the role; an agent
    without a link gets the agent role for any well-formed number (whether the
    customer exists is the upstream's 404 to tell). A link wins over the agent
    permission: an agent looking at a customer they are linked to acts as themselves.

    `session_ref` (the session key or the mobile login's family id) scopes the
    de-duplication of agents' "opened customer" audit entries.
    """
    ledger_no = settings.PAYEX_OWNER_NO
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise NotFound()
    if not isinstance(customer_no, str) or not _CUSTOMER_NO.fullmatch(customer_no):
        raise NotFound()
    found = principal.of_user(user)
    role = found.role_for(customer_no)
    if role is not None:
        access = CustomerAccess(
            user=user, ledger_no=ledger_no, customer_no=customer_no, role=role, channel=channel
        )
    elif found.agent:
        access = CustomerAccess(
            user=user, ledger_no=ledger_no, customer_no=customer_no, role=AGENT, channel=channel
        )
        _audit_agent_open(access=access, session_ref=session_ref)
    else:
        raise NotFound()
    return access


def _audit_agent_open(*, access: CustomerAccess, session_ref: str | None) -> None:
    """Record an agent opening a customer, once per customer per session and window.

    The window bounds the log to one entry per visit rather than one per page view.
    If Redis cannot answer, the entry is written anyway: too many is better than none.
    """
    scope = hashlib.sha256((session_ref or "").encode()).hexdigest()[:16]
    seen_key = customer_key(
        access.ledger_no, access.customer_no, "audit-open", access.user.pk, access.channel, scope
    )
    _audit_once(access, seen_key, window=settings.AGENT_OPEN_AUDIT_WINDOW, action="customer.open")


def _audit_once(
    access: CustomerAccess, seen_key: str, *, window: int, action: str, details: dict | None = None
) -> None:
    """One audit entry per `seen_key` and window (a SET NX in Redis). If Redis cannot
    answer, the entry is written anyway: too many is better than none."""
    try:
        first = get_redis().set(seen_key, 1, nx=True, ex=window)
    except Exception as exc:  # the audit must not depend on Redis being up
        logger.warning("audit de-duplication unavailable: %s", type(exc).__name__)
        first = True
    if first:
        audit(access=access, action=action, details=details)


# What an agent's reads are recorded as (audit_agent_read); nothing else is accepted.
AGENT_READ_ACTIONS = frozenset(
    {"invoice.read", "usage.read", "usage.csv", "export.download", "customer.refresh"}
)


def audit_agent_read(access: CustomerAccess, action: str, **ids: str | None) -> None:
    """Record an agent's read of one resource: once per agent, customer, action and
    resource within AGENT_READ_AUDIT_WINDOW.

    `ids` name the resource and are the entry's details: numbers and ids only
    (`invoiceNo`, `subscriptionNo`, `exportId`), never personal data; a None is left
    out (the unbilled usage of a subscription has no invoice). Owners' and
    viewers' reads are not recorded (they read their own customers). As with an agent
    opening a customer, the entry is written anyway when Redis cannot answer.
    """
    if access.role != AGENT:
        return
    if action not in AGENT_READ_ACTIONS:
        raise ValueError(f"unknown agent read {action!r}")
    named = {name: str(value) for name, value in ids.items() if value is not None}
    resource = "&".join(f"{name}={value}" for name, value in sorted(named.items()))
    seen_key = customer_key(
        access.ledger_no,
        access.customer_no,
        "audit-read",
        access.user.pk,
        action,
        hashlib.sha256(resource.encode()).hexdigest()[:16],
    )
    _audit_once(
        access, seen_key, window=settings.AGENT_READ_AUDIT_WINDOW, action=action, details=named
    )


# Keys whose values never belong in an audit entry, whatever a caller passes.
_SECRET_KEY_PARTS = ("password", "token", "secret", "authorization", "cookie", "session")


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            str(k): "[removed]"
            if any(part in str(k).lower() for part in _SECRET_KEY_PARTS)
            else _scrub(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    if isinstance(value, str) and settings.PAYEX_TOKEN and settings.PAYEX_TOKEN in value:
        return value.replace(settings.PAYEX_TOKEN, "[removed]")
    return value


def audit(*, access: CustomerAccess, action: str, details: dict | None = None) -> AuditLog:
    """Append one audit entry: who, when, which customer, what, through which channel.

    `action` is "<kind>.<rel>" (e.g. "recurring-product.delete"), "customer.open", or
    one of an agent's reads (AGENT_READ_ACTIONS).
    `details` should name ids and changed field names, not personal data; secrets are
    removed here whatever is passed.
    """
    user = access.user
    return AuditLog.objects.create(
        actor_id=user.pk,
        actor_username=user.get_username(),
        actor_role=access.role,
        ledger_no=access.ledger_no,
        customer_no=access.customer_no,
        action=action,
        channel=access.channel,
        request_id=get_guid() or "",
        details=_scrub(details or {}),
    )


def _allowed(*, kind: str, rel: str, role: str) -> bool:
    return role in POLICY.get(kind, {}).get(rel, _NOBODY)


def narrow_operations(*, kind: str, role: str, operations: list[dict]) -> list[dict]:
    """The operations of a resource this role may perform (hrefs already the BFF's).

    A rel the policy names is kept only for the roles it lists. A rel it does not name
    is kept only if it reads (GET): reading is what seeing the resource already allows,
    and an unknown write is refused rather than guessed at.
    """
    kept = []
    for operation in operations:
        rel = operation.get("rel", "")
        if rel in POLICY.get(kind, {}):
            if _allowed(kind=kind, rel=rel, role=role):
                kept.append(operation)
        elif str(operation.get("method", "")).upper() in _READ_METHODS:
            kept.append(operation)
    return kept


def require_operation(
    *, access: CustomerAccess, kind: str, rel: str, offered: list[dict] | None
) -> None:
    """Refuse a write the role may not perform (403) or the resource does not offer (409).

    `offered` is the upstream's operations for the resource in its current state;
    None for BFF-only operations (refresh, export) that have no upstream state.
    The role is checked first: a viewer learns nothing about the resource's state.
    """
    if not _allowed(kind=kind, rel=rel, role=access.role):
        raise Forbidden()
    if offered is not None and rel not in {op.get("rel") for op in offered}:
        raise Conflict()


class NoCustomerSelected(Exception):
    """The user acts for several customers and has not picked one yet."""


def page_customer_access(request: HttpRequest) -> CustomerAccess:
    """The customer a browser page is about: the one chosen in the session.

    A user with exactly one customer needs no choice. A choice that is no longer
    allowed (link removed) is forgotten and raises NoCustomerSelected.
    """
    customer_no = request.session.get(SESSION_CUSTOMER_KEY)
    if not customer_no:
        links = linked_customers(user=request.user)
        if len(links) != 1:
            raise NoCustomerSelected()
        customer_no = links[0].customer_no
        request.session[SESSION_CUSTOMER_KEY] = customer_no
    try:
        return get_customer_access(
            user=request.user,
            customer_no=customer_no,
            channel=AuditLog.Channel.WEB,
            session_ref=request.session.session_key,
        )
    except NotFound:
        request.session.pop(SESSION_CUSTOMER_KEY, None)
        raise NoCustomerSelected() from None
