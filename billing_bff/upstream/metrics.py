"""Prometheus metrics of upstream calls: latency and outcome per API and route template,
the state of each API's breaker and the calls its bulkhead refused.

Labels are route templates and outcome classes, never ids, so cardinality stays small
and no personal data reaches the metrics store.
"""

from prometheus_client import Counter, Gauge, Histogram

UPSTREAM_CALLS = Counter(
    "payex_upstream_calls_total",
    "Upstream calls to PayEx Billing by API, method, route template and outcome.",
    ["api", "method", "route", "outcome"],
)
UPSTREAM_LATENCY = Histogram(
    "payex_upstream_call_seconds",
    "Duration of one upstream attempt to PayEx Billing.",
    ["api", "method", "route"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
BREAKER_STATE = Gauge(
    "payex_breaker_state",
    "State of the circuit breaker of a PayEx Billing API as last seen: "
    "0 closed, 1 half-open, 2 open.",
    ["api"],
    multiprocess_mode="mostrecent",
)
BULKHEAD_REJECTIONS = Counter(
    "payex_bulkhead_rejections_total",
    "Upstream calls refused at once because their API's bulkhead (concurrent calls of "
    "this process) was full.",
    ["api"],
)
