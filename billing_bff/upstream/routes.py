"""The one route table between PayEx's paths and the BFF's.

Each row names an upstream path template (below `/billing/{api}/v1/{ownerNo}`) and the
name of the BFF route it is shown as (the URLconf is the one source of BFF paths: an
href is `reverse()`d from the name). It serves three purposes: building upstream URLs,
naming the route template in logs and metrics (so no customer or invoice number is
logged), and turning an upstream `href` in `operations` into a BFF `href`. An
operation whose href matches no row, another ledger or another customer is dropped,
never passed through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.http import RFC3986_SUBDELIMS


@dataclass(frozen=True)
class Route:
    api: str  # customer | invoice | usage
    template: str  # below /billing/{api}/v1/{ownerNo}
    bff: str  # the BFF's URL name; its arguments are the template's placeholders

    @property
    def upstream_template(self) -> str:
        return f"/billing/{self.api}/v1/{{ownerNo}}{self.template}"


_RP = "/recurring-products"
_S = "/customers/{customerNo}/subscriptions/{subscriptionNo}"
ROUTES: tuple[Route, ...] = (
    Route("customer", "/customers/{customerNo}", "customers:customer"),
    Route("customer", "/customers/{customerNo}/subscriptions", "customers:subscriptions"),
    Route("customer", _S, "customers:subscription"),
    Route("customer", f"/customers/{{customerNo}}{_RP}", "customers:recurring-products"),
    Route(
        "customer",
        f"/customers/{{customerNo}}{_RP}/{{recurringProductId}}",
        "customers:recurring-product",
    ),
    Route("customer", f"{_S}{_RP}", "customers:subscription-recurring-products"),
    Route(
        "customer",
        f"{_S}{_RP}/{{recurringProductId}}",
        "customers:subscription-recurring-product",
    ),
    Route("invoice", "/customers/{customerNo}/invoices", "invoices:invoices"),
    Route("invoice", "/customers/{customerNo}/invoices/{invoiceNo}", "invoices:invoice"),
    Route("usage", "/invoices/{invoiceNo}", "usage:billed-summary"),
    Route("usage", "/invoices/{invoiceNo}/subscriptions/{subscriptionNo}", "usage:billed-records"),
    Route("usage", "/customers/{customerNo}", "usage:unbilled-summary"),
    Route("usage", _S, "usage:unbilled-records"),
)

_SEGMENT = r"[^/]+"


def _compile(route: Route) -> re.Pattern[str]:
    pattern = re.escape(route.upstream_template)
    pattern = re.sub(r"\\\{(\w+)\\\}", lambda m: f"(?P<{m.group(1)}>{_SEGMENT})", pattern)
    return re.compile(f"^{pattern}/?$")


_COMPILED = tuple((route, _compile(route)) for route in ROUTES)


def find(api: str, template: str) -> Route:
    for route in ROUTES:
        if route.api == api and route.template == template:
            return route
    raise KeyError(f"no upstream route {api} {template}")


def match(href: str) -> tuple[Route, dict[str, str]] | None:
    """The route and its parameters for an upstream path (or absolute URL)."""
    found = _match(href or "")
    return None if found is None else (found[0], dict(found[1]))


@lru_cache(maxsize=4096)
def _match(href: str) -> tuple[Route, tuple[tuple[str, str], ...]] | None:
    # Every body presents the same few hrefs again and again (each resource's own and
    # its operations'), so trying the routes one by one is done once per href, not per
    # request. Pure: the answer depends on the href alone.
    path = re.sub(r"^https?://[^/]+", "", href).split("?", 1)[0]
    for route, pattern in _COMPILED:
        found = pattern.match(path)
        if found:
            return route, tuple(found.groupdict().items())
    return None


def to_bff_href(href: str, *, owner_no: str, customer_no: str) -> str | None:
    """The BFF path for an upstream href, or None when it must not be shown.

    `customer_no` is the customer the request was authorised for: the Usage API's
    invoice paths carry no customer, and an href naming another customer or ledger
    is dropped rather than shown.
    """
    found = match(href)
    if found is None:
        return None
    route, params = found
    if params.pop("ownerNo") != owner_no:
        return None
    if params.setdefault("customerNo", customer_no) != customer_no:
        return None
    if not all(params.values()):
        return None  # an empty segment: no BFF route takes one
    values = {name: _segment(value) for name, value in params.items()}
    return _bff_template(route.bff, get_script_prefix()).format_map(values)


def _segment(value: str) -> str:
    """A path segment as reverse() writes it."""
    return value if _PLAIN.fullmatch(value) else quote(value, safe=_SAFE)


# What reverse() leaves unquoted in a path segment (django.urls.resolvers), and ids that
# need no quoting at all (nearly all of them).
_SAFE = RFC3986_SUBDELIMS + "~:@"
_PLAIN = re.compile(r"[A-Za-z0-9._~-]*")
_MARK = "__bff_{}__"


@lru_cache(maxsize=256)
def _bff_template(name: str, script_prefix: str) -> str:
    """The BFF path of a URL name with `{placeholders}`, reversed once from the URLconf.

    Every href is the URLconf's (reverse()), but reversing costs ~20 µs and a body holds
    dozens of hrefs: the route is reversed once with marker arguments and formatted after.
    Keyed by the script prefix, which reverse() prepends; the URLconf is the project's
    (ROOT_URLCONF), as for every href of this table.
    """
    template = next(route.template for route in ROUTES if route.bff == name)
    # The Usage API's invoice paths carry no customer; every BFF path does.
    placeholders = {*re.findall(r"\{(\w+)\}", template), "customerNo"}
    try:
        path = reverse(name, kwargs={p: _MARK.format(p) for p in placeholders})
    except NoReverseMatch as exc:
        raise ImproperlyConfigured(f"the upstream route table names {name!r}") from exc
    path = path.replace("{", "{{").replace("}", "}}")
    for p in placeholders:
        path = path.replace(_MARK.format(p), "{" + p + "}")
    return path


def parse_operations(resource: object) -> list[dict[str, str]]:
    """`operations` of an upstream resource as `[{rel, method, href}]`, method upper-cased."""
    operations = resource.get("operations") if isinstance(resource, dict) else None
    parsed = []
    for op in operations if isinstance(operations, list) else []:
        if not isinstance(op, dict):
            continue
        rel, method, href = op.get("rel"), op.get("method"), op.get("href")
        if isinstance(rel, str) and isinstance(method, str) and isinstance(href, str):
            parsed.append({"rel": rel, "method": method.strip().upper(), "href": href})
    return parsed


def bff_operations(resource: object, *, owner_no: str, customer_no: str) -> list[dict[str, str]]:
    """The resource's operations with BFF hrefs; those with no BFF route are dropped."""
    mapped = []
    for op in parse_operations(resource):
        href = to_bff_href(op["href"], owner_no=owner_no, customer_no=customer_no)
        if href is not None:
            mapped.append({**op, "href": href})
    return mapped
