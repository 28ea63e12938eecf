"""The sandbox's clock control: unbilled usage grows when the clock moves forward."""

import requests


def test_moving_the_clock_forward_adds_unbilled_records(sandbox):
    big = next(c for c in sandbox.customers() if c["bigUnbilledSubscription"])
    url = sandbox.billing_url(
        "usage", f"/customers/{big['customerNo']}/subscriptions/{big['bigUnbilledSubscription']}"
    )
    before = requests.get(url, headers=sandbox.headers, timeout=30).json()["usage"]
    assert sandbox.advance_clock(3600)["offsetSeconds"] == 3600
    after = requests.get(url, headers=sandbox.headers, timeout=30).json()["usage"]
    assert len(after) >= len(before) + 100  # a record every ~30 s
    assert after[: len(before)] == before
    sandbox.advance_clock(0)
    again = requests.get(url, headers=sandbox.headers, timeout=30).json()["usage"]
    assert len(again) < len(after)


def test_the_clock_refuses_nonsense(sandbox):
    answer = requests.post(
        f"{sandbox.url}/_sandbox/clock", json={"offsetSeconds": "soon"}, timeout=5
    )
    assert answer.status_code == 400
    assert answer.headers["Content-Type"] == "application/problem+json"
