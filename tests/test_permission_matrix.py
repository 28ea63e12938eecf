"""Who gets what, for every route of the URLconf, every actor and every method.

The routes are read from the URLconf itself, so a new route without a rule in MATRIX
fails `test_every_route_has_a_rule` (and a rule for a route that is gone fails too).
Each route is then requested over the real stack (middleware, DRF, the database, a
real Redis and, where a route reads PayEx, the sandbox over HTTP) as each actor, with
GET, POST, PATCH, PUT and DELETE, and every status is compared with the rule. Every
refusal (4xx) under /api/ must be application/problem+json.

Actors
    anonymous  no credentials
    viewer     linked to customer A as viewer
    owner      linked to customer A as owner
    stranger   linked to customer B as owner (the owner of another customer)
    agent      staff with billing_bff.act_as_agent, linked to nobody (its browser
               session has customer A chosen, as an agent's search would)
  /api/ routes are called with a Bearer access token, everything else with a session
  cookie and a CSRF token (as the browser does). Every write starts from the sandbox's
  seeded state and an empty Redis (`fresh_state`), so no actor's write decides another's.

Targets (routes with placeholders, or rules with `scoped=True`). Pages take the
customer from the session (the actor's own) and the other placeholders from the target.
    own      the actor's linked customer (A for viewer and owner, B for stranger;
             A for the agent and anonymous, who have none)
    other    another existing customer (B, or A for the stranger)
    missing  a well-formed number no customer has

Rules
    `expect` maps a method to a spec, and "*" to the spec of every method not listed.
    A spec maps keys to statuses, looked up most specific first:
    "actor@target", "actor", "@target", "*".

Adding a customer route (say GET, PATCH on api/v1/customers/<str:customerNo>):

    "api/v1/customers/<str:customerNo>": Rule(
        expect={
            "GET": CUSTOMER_READ,
            "PATCH": {**CUSTOMER_READ, "viewer@own": 403},
            "*": {**CUSTOMER_READ, "@own": 405, "agent@other": 405},
        },
        data={"PATCH": lambda actor, customer_no: {"emailAddress": "a@example.com"}},
    ),

Placeholders other than customerNo (subscriptionNo, invoiceNo, ...) need a value
provider in PLACEHOLDERS. `MATRIX_REPORT=1 pytest -s tests/test_permission_matrix.py`
prints what every route answered, to write or review a rule.

Excluded, by rule (see `excluded`): the admin's internals under admin/ (each wrapped
in admin_view, Django's staff-only gate; the matrix keeps the admin's entry point
"admin/" to prove that gate), static file serving (no authorisation to test), and
the benchmark's bare view "bench/json" (routed only by the benchmark's own URLconf,
scripts.benchmark.urls; `test_the_benchmark_view_is_not_routed` proves it is absent).
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.crypto import get_random_string

from billing_bff.access import SESSION_CUSTOMER_KEY
from billing_bff.auth import issue_token_pair
from billing_bff.redis import get_redis
from billing_bff.refresh import queue_refresh
from exports.models import Export
from tests.access.actors import PASSWORD, link, make_agent, make_user
from tests.customers.upstream import (
    matrix_invoice,
    matrix_product,
    matrix_subscription,
    order_body,
)

ACTORS = ("anonymous", "viewer", "owner", "stranger", "agent")
METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")
TARGETS = ("own", "other", "missing")

Spec = dict[str, int]


@dataclass(frozen=True)
class Rule:
    expect: dict[str, Spec]
    # method -> body, or a callable (actor, customer_no) -> body
    data: dict[str, dict | Callable] = field(default_factory=dict)
    # None: scoped when the route has placeholders; True for routes taking one in the body.
    scoped: bool | None = None


# --- reusable specs ----------------------------------------------------------------------
def everyone(status: int) -> Spec:
    return {"*": status}


# A read of one customer's data: the customer's own people and agents see it.
CUSTOMER_READ: Spec = {
    "anonymous": 401,
    "@own": 200,
    "@other": 404,
    "@missing": 404,
    "agent@other": 200,
    "agent@missing": 404,  # the upstream's own 404
}
# A route of the logged-in user: anonymous first gets 401, then a missing method is 405.
API_LOGIN_NEEDED: Spec = {"anonymous": 401, "*": 405}
# Customer writes: a viewer may not; owners and agents may (an agent even for the other).
CUSTOMER_WRITE: Spec = {**CUSTOMER_READ, "viewer@own": 403}
CUSTOMER_CREATE: Spec = {**CUSTOMER_WRITE, "@own": 201, "agent@other": 201}
CUSTOMER_DELETE: Spec = {**CUSTOMER_WRITE, "@own": 204, "agent@other": 204}
# A method a customer route lacks: 404 for whom the customer is hidden, else 405 (an agent
# may open any well-formed number, so the method is refused before any upstream read).
CUSTOMER_NO_METHOD: Spec = {**CUSTOMER_READ, "@own": 405, "agent@other": 405, "agent@missing": 405}
# Work queued for the customer (refresh, export): 202 for everyone who sees it.
CUSTOMER_ACCEPTED: Spec = {**CUSTOMER_READ, "@own": 202, "agent@other": 202, "agent@missing": 202}
# Pages about the session's customer (the agent has chosen customer A): login first; ids
# of another customer, or made-up ones, are 404.
PAGE_READ: Spec = {"anonymous": 302, "@other": 404, "@missing": 404, "*": 200}
PAGE_NO_METHOD: Spec = {"anonymous": 302, "*": 405}


# --- the matrix --------------------------------------------------------------------------
MATRIX: dict[str, Rule] = {
    # Probes for load balancers and monitoring: open, GET only.
    "healthz": Rule(expect={"GET": everyone(200), "*": everyone(405)}),
    "readyz": Rule(expect={"GET": everyone(200), "*": everyone(405)}),
    # No METRICS_TOKEN in tests and DEBUG off: the route does not exist for anyone.
    "metrics": Rule(expect={"GET": everyone(404), "*": everyone(405)}),
    # The OpenAPI document and its docs page: public, GET only. They describe the API and
    # hold no data, and an app must read them before it has a token.
    "api/schema/": Rule(expect={"GET": everyone(200), "*": everyone(405)}),
    "api/docs/": Rule(expect={"GET": everyone(200), "*": everyone(405)}),
    # --- identity (billing_bff) ---
    "api/v1/auth/token": Rule(
        expect={"POST": {"anonymous": 401, "*": 200}, "*": everyone(405)},
        data={
            "POST": lambda actor, _c: {
                "username": actor.username or "nobody-by-that-name",
                "password": PASSWORD,
            }
        },
    ),
    "api/v1/auth/token/refresh": Rule(
        expect={"POST": {"anonymous": 401, "*": 200}, "*": everyone(405)},
        data={"POST": lambda actor, _c: {"refresh": actor.fresh_refresh()}},
    ),
    "api/v1/auth/logout": Rule(
        expect={"POST": {"anonymous": 401, "*": 204}, "*": everyone(405)},
        data={"POST": lambda actor, _c: {"refresh": actor.fresh_refresh()}},
    ),
    "api/v1/me": Rule(expect={"GET": {"anonymous": 401, "*": 200}, "*": API_LOGIN_NEEDED}),
    # --- browser pages (billing_bff) ---
    "": Rule(expect={"GET": {"anonymous": 302, "*": 200}, "*": everyone(405)}),
    # Logged-in users are sent home from the login page, whatever the method.
    "login/": Rule(
        expect={
            "GET": {"anonymous": 200, "*": 302},
            "POST": {"anonymous": 200, "*": 302},  # an empty form answers with its errors
            "*": {"anonymous": 405, "*": 302},
        }
    ),
    "logout/": Rule(expect={"POST": everyone(302), "*": everyone(405)}),
    # The customer switcher takes the number in the body: linked customers only.
    "customer/": Rule(
        scoped=True,
        expect={
            "POST": {"anonymous": 302, "@own": 302, "@other": 404, "@missing": 404, "agent": 302},
            "*": everyone(405),
        },
        data={"POST": lambda _actor, customer_no: {"customer_no": customer_no}},
    ),
    # The admin's entry point: staff only (the agent is staff); others go to its login.
    "admin/": Rule(expect={"*": {"agent": 200, "*": 302}}),
    # --- customers and invoices (customers, invoices) ---
    # Owners and agents write; viewers get 403 before anything is read. Placeholders
    # name a changeable product, an active subscription, an invoice (see PLACEHOLDERS);
    # every write starts from the sandbox's seeded state (see check_route).
    "api/v1/customers/<str:customerNo>": Rule(
        expect={"GET": CUSTOMER_READ, "PATCH": CUSTOMER_WRITE, "*": CUSTOMER_NO_METHOD},
        data={"PATCH": lambda actor, _c: {"emailAddress": f"{actor.name}@example.com"}},
    ),
    "api/v1/customers/<str:customerNo>/subscriptions": Rule(
        expect={"GET": CUSTOMER_READ, "*": CUSTOMER_NO_METHOD}
    ),
    "api/v1/customers/<str:customerNo>/subscriptions/<str:subscriptionNo>": Rule(
        expect={"GET": CUSTOMER_READ, "*": CUSTOMER_NO_METHOD}
    ),
    "api/v1/customers/<str:customerNo>/recurring-products": Rule(
        expect={"GET": CUSTOMER_READ, "POST": CUSTOMER_CREATE, "*": CUSTOMER_NO_METHOD},
        data={"POST": lambda _a, _c: order_body("CUS-SEC")},
    ),
    "api/v1/customers/<str:customerNo>/recurring-products/<str:recurringProductId>": Rule(
        expect={
            "GET": CUSTOMER_READ,
            "PATCH": CUSTOMER_WRITE,
            "DELETE": CUSTOMER_DELETE,
            "*": CUSTOMER_NO_METHOD,
        },
        data={"PATCH": {"quantity": 2}},
    ),
    "api/v1/customers/<str:customerNo>/subscriptions/<str:subscriptionNo>/recurring-products": Rule(
        expect={"GET": CUSTOMER_READ, "POST": CUSTOMER_CREATE, "*": CUSTOMER_NO_METHOD},
        data={"POST": lambda _a, _c: order_body("ADD-SURF10")},
    ),
    (
        "api/v1/customers/<str:customerNo>/subscriptions/<str:subscriptionNo>"
        "/recurring-products/<str:recurringProductId>"
    ): Rule(
        expect={
            "GET": CUSTOMER_READ,
            "PATCH": CUSTOMER_WRITE,
            "DELETE": CUSTOMER_DELETE,
            "*": CUSTOMER_NO_METHOD,
        },
        data={"PATCH": {"quantity": 2}},
    ),
    "api/v1/customers/<str:customerNo>/catalogue": Rule(
        expect={"GET": CUSTOMER_READ, "*": CUSTOMER_NO_METHOD}
    ),
    "api/v1/customers/<str:customerNo>/invoices": Rule(
        expect={"GET": CUSTOMER_READ, "*": CUSTOMER_NO_METHOD}
    ),
    "api/v1/customers/<str:customerNo>/invoices/<str:invoiceNo>": Rule(
        expect={"GET": CUSTOMER_READ, "*": CUSTOMER_NO_METHOD}
    ),
    # Pages act for the session's customer. A posted form is refused to a viewer (403);
    # an owner's empty profile form is shown again with its errors, an owner's order is
    # placed and redirected (PRG).
    "profile/": Rule(
        expect={"GET": PAGE_READ, "POST": {**PAGE_READ, "viewer": 403}, "*": PAGE_NO_METHOD}
    ),
    "subscriptions/<str:subscriptionNo>/": Rule(
        expect={
            "GET": PAGE_READ,
            "POST": {**PAGE_READ, "viewer@own": 403, "*": 302},
            "*": PAGE_NO_METHOD,
        },
        data={"POST": {"action": "order", "productCode": "ADD-SURF10", "quantity": "1"}},
    ),
    "invoices/": Rule(expect={"GET": PAGE_READ, "*": PAGE_NO_METHOD}),
    "invoices/<str:invoiceNo>/": Rule(expect={"GET": PAGE_READ, "*": PAGE_NO_METHOD}),
    # --- usage, refresh and exports (usage) ---
    "api/v1/customers/<str:customerNo>/usage": Rule(
        expect={"GET": CUSTOMER_READ, "*": CUSTOMER_NO_METHOD}
    ),
    "api/v1/customers/<str:customerNo>/subscriptions/<str:subscriptionNo>/usage": Rule(
        expect={"GET": CUSTOMER_READ, "*": CUSTOMER_NO_METHOD}
    ),
    "api/v1/customers/<str:customerNo>/invoices/<str:invoiceNo>/usage": Rule(
        expect={"GET": CUSTOMER_READ, "*": CUSTOMER_NO_METHOD}
    ),
    (
        "api/v1/customers/<str:customerNo>/invoices/<str:invoiceNo>"
        "/subscriptions/<str:subscriptionNo>/usage"
    ): Rule(expect={"GET": CUSTOMER_READ, "*": CUSTOMER_NO_METHOD}),
    # Everyone who sees the customer may ask for fresh data or an export (the policy's
    # refresh and export rels). Neither reads the upstream on the request, so an agent's
    # request for a number no customer has is accepted; its task finds out.
    "api/v1/customers/<str:customerNo>/refresh": Rule(
        expect={"POST": CUSTOMER_ACCEPTED, "*": CUSTOMER_NO_METHOD}
    ),
    "api/v1/customers/<str:customerNo>/refresh/<str:taskId>": Rule(
        expect={"GET": CUSTOMER_READ, "*": CUSTOMER_NO_METHOD}
    ),
    "api/v1/customers/<str:customerNo>/exports": Rule(
        expect={
            "GET": {**CUSTOMER_READ, "agent@missing": 200},
            "POST": CUSTOMER_ACCEPTED,
            "*": CUSTOMER_NO_METHOD,
        }
    ),
    # One export: its status; its file only when done (a queued one is a 409).
    "api/v1/customers/<str:customerNo>/exports/<str:exportId>": Rule(
        expect={"GET": CUSTOMER_READ, "*": CUSTOMER_NO_METHOD}
    ),
    "api/v1/customers/<str:customerNo>/exports/<str:exportId>/download": Rule(
        expect={"GET": {**CUSTOMER_READ, "@own": 409, "agent@other": 409}, "*": CUSTOMER_NO_METHOD}
    ),
    # The exports page posts its form and redirects to itself (PRG).
    "exports/": Rule(expect={"GET": PAGE_READ, "POST": everyone(302), "*": PAGE_NO_METHOD}),
    # --- overview, usage pages, refresh and language (the browser experience) ---
    "api/v1/customers/<str:customerNo>/overview": Rule(
        expect={"GET": CUSTOMER_READ, "*": CUSTOMER_NO_METHOD}
    ),
    "subscriptions/<str:subscriptionNo>/usage/": Rule(
        expect={"GET": PAGE_READ, "*": PAGE_NO_METHOD}
    ),
    "invoices/<str:invoiceNo>/subscriptions/<str:subscriptionNo>/usage/": Rule(
        expect={"GET": PAGE_READ, "*": PAGE_NO_METHOD}
    ),
    # "Refresh now" for the session's customer: everyone who sees it; back to the page.
    "refresh/": Rule(expect={"POST": everyone(302), "*": PAGE_NO_METHOD}),
    # Django's set_language: anyone may choose a language; it redirects back.
    "i18n/setlang/": Rule(expect={"*": everyone(302)}),
}


# --- values for URL placeholders ----------------------------------------------------------
# Placeholders other than customerNo: name -> provider(world, customer_no), called for each
# request; customer_no is None for the "missing" target, where the provider answers a
# made-up id. Placeholders are filled left to right.
def matrix_task(world, customer_no: str | None) -> str:
    """A refresh of the customer, queued as POST .../refresh would (no worker runs it)."""
    if customer_no is None:
        return "0" * 32
    task_id, _queued = queue_refresh(
        ledger_no=settings.PAYEX_OWNER_NO, customer_no=customer_no, resource="all"
    )
    return task_id


def matrix_export(world, customer_no: str | None) -> str:
    """An export of the customer, as POST .../exports makes it (queued: no worker runs)."""
    if customer_no is None:
        return str(uuid.uuid4())
    return str(
        Export.objects.create(
            ledger_no=settings.PAYEX_OWNER_NO, customer_no=customer_no, requested_by=None
        ).pk
    )


PLACEHOLDERS: dict[str, Callable[[World, str | None], str]] = {
    "subscriptionNo": matrix_subscription,
    "recurringProductId": matrix_product,
    "invoiceNo": matrix_invoice,
    "taskId": matrix_task,
    "exportId": matrix_export,
}


# --- walking the URLconf -----------------------------------------------------------------
def excluded(route: str, pattern: URLPattern) -> bool:
    """The documented exclusions; everything else needs a rule."""
    if route.startswith("admin/") and route != "admin/":
        return True  # admin internals: admin_view's staff gate, covered via "admin/"
    if route.startswith("bench/"):
        return True  # scripts.benchmark.urls only; see test_the_benchmark_view_is_not_routed
    view = getattr(pattern.callback, "__module__", "")
    return view in {"django.views.static", "django.contrib.staticfiles.views"}


def walk(patterns, prefix: str = ""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and not excluded(route, pattern):
            yield route


def routes() -> list[str]:
    return sorted(set(walk(get_resolver().url_patterns)))


_PLACEHOLDER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def placeholders(route: str) -> list[str]:
    return [m.group("name") for m in _PLACEHOLDER.finditer(route)]


# --- the world the actors live in --------------------------------------------------------
class Actor:
    def __init__(self, name: str, user, world: World):
        self.name = name
        self.user = user
        self.world = world
        self.username = user.username if user else None
        self._access: str | None = None

    def access_token(self) -> str:
        if self._access is None:
            self._access = issue_token_pair(user=self.user)["access"]
        return self._access

    def fresh_refresh(self) -> str:
        return issue_token_pair(user=self.user)["refresh"] if self.user else "not-a-token"

    def customer(self, target: str) -> str:
        own = self.world.b if self.name == "stranger" else self.world.a
        other = self.world.a if self.name == "stranger" else self.world.b
        return {"own": own, "other": other, "missing": self.world.missing}[target]

    def browser(self) -> Client:
        """A fresh browser: this actor's session (if any) acting for its own customer."""
        client = Client(enforce_csrf_checks=True)
        if self.user is not None:
            client.force_login(self.user)
            session = client.session
            session[SESSION_CUSTOMER_KEY] = self.customer("own")  # the agent has no link
            session.save()
        # The cookie any form page would have set; the header below sends it back.
        client.cookies["csrftoken"] = get_random_string(32)
        return client


@dataclass
class World:
    sandbox: object
    a: str
    b: str
    missing: str
    actors: dict[str, Actor] = field(default_factory=dict)


@pytest.fixture
def world(db, sandbox) -> World:
    sandbox.reset_state()
    numbers = [str(c["customerNo"]) for c in sandbox.customers()]
    assert len(numbers) >= 2, "the sandbox needs two customers for the matrix"
    missing = str(max(int(n) for n in numbers) + 1)
    world = World(sandbox=sandbox, a=numbers[0], b=numbers[1], missing=missing)
    viewer, owner, stranger = make_user("viewer"), make_user("owner"), make_user("stranger")
    link(viewer, world.a, "viewer")
    link(owner, world.a, "owner")
    link(stranger, world.b, "owner")
    users = {"anonymous": None, "viewer": viewer, "owner": owner, "stranger": stranger}
    users["agent"] = make_agent("agent")
    world.actors = {name: Actor(name, user, world) for name, user in users.items()}
    return world


# --- running one request -----------------------------------------------------------------
def expected(rule: Rule, *, method: str, actor: str, target: str | None) -> int:
    spec = rule.expect.get(method, rule.expect.get("*"))
    assert spec is not None, f"no spec for {method} and no '*' spec"
    keys = [f"{actor}@{target}", actor, f"@{target}", "*"] if target else [actor, "*"]
    for candidate in keys:
        if candidate in spec:
            return spec[candidate]
    raise AssertionError(f"spec {spec} has no entry for {actor}@{target}")


def url_of(route: str, *, world: World, customer_no: str, target: str | None) -> str:
    """The route with the target customer's number and ids (made-up ones for "missing")."""

    def value(match: re.Match) -> str:
        name = match.group("name")
        if name == "customerNo":
            return customer_no
        assert name in PLACEHOLDERS, f"no value for <{name}>: add a provider to PLACEHOLDERS"
        return PLACEHOLDERS[name](world, None if target == "missing" else customer_no)

    return "/" + _PLACEHOLDER.sub(value, route)


def send(actor: Actor, *, method: str, url: str, body: dict | None):
    api = url.startswith("/api/")
    if api:
        client = Client()
        headers = {"HTTP_AUTHORIZATION": f"Bearer {actor.access_token()}"} if actor.user else {}
        payload = json.dumps(body) if body is not None else ""
        content_type = "application/json"
    else:
        client = actor.browser()
        headers = {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}
        payload = urlencode(body or {})
        content_type = "application/x-www-form-urlencoded"
    if method == "GET":
        return client.get(url, **headers)
    # A well-behaved client sends a fresh key with every write.
    headers["HTTP_IDEMPOTENCY_KEY"] = get_random_string(24)
    return client.generic(method, url, payload, content_type=content_type, **headers)


def fresh_state(world: World) -> None:
    """Every write starts from the seeded sandbox and an empty cache, so its status says
    what this actor may do, not what an earlier actor's write left behind."""
    world.sandbox.reset_state()
    get_redis().flushdb()


def check_route(route: str, world: World, *, rule: Rule | None = None) -> list[str]:
    rule = rule or MATRIX[route]
    scoped = rule.scoped if rule.scoped is not None else bool(placeholders(route))
    problems, seen = [], []
    for target in TARGETS if scoped else (None,):
        for method in METHODS:
            row = []
            for name in ACTORS:
                actor = world.actors[name]
                customer_no = actor.customer(target or "own")
                if method != "GET":
                    fresh_state(world)
                url = url_of(route, world=world, customer_no=customer_no, target=target)
                body = rule.data.get(method)
                if callable(body):
                    body = body(actor, customer_no)
                response = send(actor, method=method, url=url, body=body)
                want = expected(rule, method=method, actor=name, target=target)
                who = f"{name}@{target}" if target else name
                row.append(f"{who}={response.status_code}")
                if response.status_code != want:
                    problems.append(
                        f"{method} {url} as {who}: expected {want}, got {response.status_code}"
                    )
                if (
                    url.startswith("/api/")
                    and 400 <= response.status_code < 500
                    and response.get("Content-Type") != "application/problem+json"
                ):
                    problems.append(
                        f"{method} {url} as {who}: {response.status_code} "
                        f"is {response.get('Content-Type')}, not application/problem+json"
                    )
            seen.append(f"  {method:6} " + " ".join(row))
    if os.environ.get("MATRIX_REPORT"):
        # What the route answered, to write or review its rule: MATRIX_REPORT=1 pytest -s
        print(f"\n{route or '/'}\n" + "\n".join(seen))  # noqa: T201
    return problems


# --- the tests ---------------------------------------------------------------------------
def test_every_route_has_a_rule_and_every_rule_a_route():
    found = set(routes())
    missing = sorted(found - set(MATRIX))
    stale = sorted(set(MATRIX) - found)
    assert not missing, f"routes without a rule in MATRIX: {missing}"
    assert not stale, f"rules for routes that no longer exist: {stale}"


@pytest.mark.django_db
def test_the_benchmark_view_is_not_routed(client):
    assert "bench-json" not in get_resolver().reverse_dict
    assert client.get("/bench/json").status_code == 404


def test_rules_name_only_known_methods_actors_and_targets():
    keys = {"*", *ACTORS, *(f"@{t}" for t in TARGETS)}
    keys |= {f"{a}@{t}" for a in ACTORS for t in TARGETS}
    for route, rule in MATRIX.items():
        assert set(rule.expect) <= {"*", *METHODS}, route
        assert set(rule.data) <= set(METHODS), route
        for spec in rule.expect.values():
            assert set(spec) <= keys, (route, set(spec) - keys)


def test_the_walk_sees_included_routes_and_applies_the_exclusions():
    found = routes()
    assert "api/v1/me" in found  # two levels of include()
    assert "admin/" in found
    assert not [r for r in found if r.startswith("admin/") and r != "admin/"]


@pytest.mark.parametrize("route", sorted(set(routes()) | set(MATRIX)), ids=lambda r: r or "/")
def test_route(route, world):
    if route not in MATRIX and os.environ.get("MATRIX_REPORT"):
        check_route(route, world, rule=Rule(expect={"*": everyone(0)}))  # report only
    assert route in MATRIX, f"no rule for route {route!r}: add one to MATRIX"
    problems = check_route(route, world)
    assert not problems, "\n".join(problems)
