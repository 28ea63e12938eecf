"""Two sandboxes started with the same seed serve byte-identical data; another seed differs."""

import contextlib

import requests

from tests.fixtures.sandbox import running_sandbox


def snapshot(sandbox) -> list[bytes]:
    """The raw bytes of the customer list and, for three customers, every customer and
    invoice resource."""

    def get(url):
        response = requests.get(url, headers=sandbox.headers, timeout=30)
        assert response.status_code == 200, response.text
        return response.content

    bodies = [get(f"{sandbox.url}/_sandbox/customers")]
    for listed in sandbox.customers()[:3]:
        number = listed["customerNo"]
        bodies.append(get(sandbox.billing_url("customer", f"/customers/{number}")))
        bodies.append(get(sandbox.billing_url("customer", f"/customers/{number}/subscriptions")))
        invoices = get(sandbox.billing_url("invoice", f"/customers/{number}/invoices"))
        bodies.append(invoices)
        first = requests.get(
            sandbox.billing_url("invoice", f"/customers/{number}/invoices"),
            headers=sandbox.headers, timeout=30,
        ).json()["invoices"][0]  # fmt: skip
        bodies.append(get(sandbox.url + first["@id"]))
    return bodies


def test_same_seed_gives_identical_bytes_and_another_seed_does_not():
    with contextlib.ExitStack() as stack:
        one, two, other = (
            stack.enter_context(running_sandbox(SANDBOX_SEED=seed, SANDBOX_CUSTOMERS="12"))
            for seed in ("determinism", "determinism", "something-else")
        )
        first, second, third = snapshot(one), snapshot(two), snapshot(other)

    assert first == second
    assert first[0] != third[0]
    assert all(a != b for a, b in zip(first[1:], third[1:], strict=True))
