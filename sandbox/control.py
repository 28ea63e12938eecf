"""The sandbox's own control API under /_sandbox/, for tests, benchmarks and the demo seed.

It needs no token (the sandbox is a local simulator bound to 127.0.0.1), is never
faulted and never counted in the stats.

  GET  /_sandbox/customers     every customer: customerNo, legalEntity, name,
                               subscriptionCount, bigUnbilledSubscription
  GET  /_sandbox/faults        the fault settings
  POST /_sandbox/faults        change the keys the JSON body names; answers all settings
  POST /_sandbox/faults/reset  back to the start-up (environment) settings
  GET  /_sandbox/stats         {"total": n, "routes": {"GET /billing/...template": n}}
  POST /_sandbox/stats/reset   zero the counts
  POST /_sandbox/state/reset   forget all writes (contact edits, recurring products)
"""

import json

from django.http import HttpResponse

from . import config, cycle, stats, store
from .data import world_for
from .faults import get_faults
from .problems import Problem, render
from .validation import parse_body


def _json(body) -> HttpResponse:
    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/json")


def _methods(*allowed):
    """Dispatch by method to the decorated functions; 405 otherwise."""

    def decorate(view):
        def dispatch(request):
            if request.method not in allowed:
                problem = Problem(
                    "method-not-allowed",
                    f"{request.method} is not allowed here.",
                    headers={"Allow": ", ".join(allowed)},
                )
                return render("sandbox", problem)
            try:
                return view(request)
            except Problem as problem:
                return render("sandbox", problem)

        return dispatch

    return decorate


@_methods("GET")
def customers(request):
    cfg = config.get()
    world = world_for(cfg.seed, cfg.customers, cycle.unbilled_period_start(cycle.now().date()))
    return _json(
        [
            {
                "customerNo": c.customer_no,
                "legalEntity": c.legal_entity,
                "name": c.name,
                "subscriptionCount": len(c.subscriptions),
                "bigUnbilledSubscription": (
                    world.big_subscription_no if c.customer_no == world.big_customer_no else None
                ),
            }
            for c in world.customers
        ]
    )


@_methods("GET", "POST")
def faults(request):
    if request.method == "GET":
        return _json(get_faults().snapshot())
    return _json(get_faults().update(parse_body(request)))


@_methods("POST")
def faults_reset(request):
    return _json(get_faults().reset())


@_methods("GET")
def stats_view(request):
    return _json(stats.snapshot())


@_methods("POST")
def stats_reset(request):
    return _json(stats.reset())


@_methods("POST")
def state_reset(request):
    store.reset()
    return HttpResponse(status=204)


@_methods("GET", "POST")
def clock(request):
    """The sandbox's clock offset: `{"offsetSeconds": N}`; a POST sets it (0 resets)."""
    if request.method == "POST":
        body = parse_body(request)
        offset = body.get("offsetSeconds") if isinstance(body, dict) else None
        if (
            set(body or {}) != {"offsetSeconds"}
            or not isinstance(offset, int | float)
            or isinstance(offset, bool)
            or not -366 * 86400 <= offset <= 366 * 86400
        ):
            raise Problem(
                "validation",
                'Send {"offsetSeconds": N} with N a number of seconds within a year.',
            )
        cycle.set_offset(float(offset))
    return _json({"offsetSeconds": cycle.offset_seconds(), "now": cycle.now().isoformat()})
