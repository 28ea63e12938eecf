"""The data generator in-process: determinism, the billing calendar, growth over time."""

import json
from datetime import date, datetime, timedelta

import pytest

from sandbox import cycle, data, invoices, usage
from sandbox.cycle import STOCKHOLM

PERIOD = date(2026, 11, 1)


@pytest.fixture(scope="module")
def world():
    return data.build_world("generator-test", 30, PERIOD)


def test_same_seed_same_world_other_seed_other_world(world):
    again = data.build_world("generator-test", 30, PERIOD)
    other = data.build_world("another-seed", 30, PERIOD)

    assert again == world
    assert [c.customer_no for c in other.customers] != [c.customer_no for c in world.customers]
    assert [c.name for c in other.customers] != [c.name for c in world.customers]


def test_a_customer_does_not_depend_on_how_many_there_are(world):
    smaller = data.build_world("generator-test", 5, PERIOD)
    assert smaller.customers[3].name == world.customers[3].name
    assert smaller.customers[3].customer_no == world.customers[3].customer_no


@pytest.mark.parametrize(
    ("today", "period_start"),
    [
        (date(2026, 11, 9), date(2026, 10, 1)),
        (date(2026, 11, 10), date(2026, 11, 1)),
        (date(2026, 1, 3), date(2025, 12, 1)),
        (date(2026, 12, 31), date(2026, 12, 1)),
    ],
)
def test_the_unbilled_period_turns_on_the_tenth(today, period_start):
    assert cycle.unbilled_period_start(today) == period_start
    months = cycle.billed_months(today)
    assert months[0] == cycle.add_months(period_start, -1)
    assert len(months) == 12


def test_a_later_now_yields_more_unbilled_records_with_the_same_prefix(world):
    subscription = next(
        s for c in world.customers for s in c.subscriptions
        if s.kind == "mobile" and s.status == "active"
    )  # fmt: skip
    earlier = datetime(2026, 11, 20, 12, 0, tzinfo=STOCKHOLM)
    later = earlier + timedelta(days=3)

    first = usage.unbilled_usage("generator-test", subscription, earlier).records()
    second = usage.unbilled_usage("generator-test", subscription, later).records()
    # Asking for the earlier instant again (after the cache grew) gives the same answer.
    repeated = usage.unbilled_usage("generator-test", subscription, earlier).records()

    assert len(second) > len(first) > 0
    assert second[: len(first)] == first == repeated
    assert all(datetime.fromisoformat(r["startTime"]) <= later for r in second)
    assert datetime.fromisoformat(second[-1]["startTime"]) > earlier


def test_before_the_tenth_unbilled_usage_spans_two_months(world):
    subscription = world.subscription(world.big_subscription_no)
    ninth = datetime(2026, 12, 9, 8, 0, tzinfo=STOCKHOLM)
    records = usage.unbilled_usage("generator-test", subscription, ninth).records()
    months = {r["startTime"][:7] for r in records}
    assert months == {"2026-11", "2026-12"}


def test_the_big_subscription_has_20000_records_even_on_the_tenth(world):
    subscription = world.subscription(world.big_subscription_no)
    tenth = datetime(2026, 11, 10, 0, 0, 1, tzinfo=STOCKHOLM)
    assert usage.unbilled_usage("generator-test", subscription, tenth).count >= 20_000


def test_any_record_can_be_computed_alone(world):
    subscription = world.customers[0].subscriptions[0]
    plan = usage.MonthPlan("generator-test", subscription, date(2026, 10, 1))
    records = list(plan.records())
    middle = records[len(records) // 2]
    alone = usage.MonthPlan("generator-test", subscription, date(2026, 10, 1)).record(middle.k)
    assert alone == middle


@pytest.mark.parametrize("month", [date(2026, 3, 1), date(2026, 10, 1), date(2026, 6, 1)])
def test_hand_written_json_matches_the_rendered_record(world, month):
    # March and October hold the DST switches, where +01:00 and +02:00 meet.
    offsets = set()
    for subscription in world.customers[1].subscriptions[:10]:
        plan = usage.MonthPlan("generator-test", subscription, month)
        for record in plan.records():
            rendered = plan.render(record)
            assert json.loads(plan.fragment(record)) == rendered
            expected = datetime.fromtimestamp(record.start, STOCKHOLM).isoformat()
            assert rendered["startTime"] == expected
            offsets.add(rendered["startTime"][-6:])
    assert offsets == ({"+01:00", "+02:00"} if month.month in (3, 10) else {"+02:00"})


def test_month_totals_equal_the_served_records(world):
    for subscription in world.customers[0].subscriptions:
        for month in (date(2026, 8, 1), date(2026, 9, 1)):
            served = usage.billed_usage("generator-test", subscription, month)
            count, amount = usage.month_totals("generator-test", subscription, month)
            assert (served.count, served.total) == (count, amount)
            records = served.records()
            assert sum(int(r["amount"].replace(".", "")) for r in records) == amount


def test_every_invoice_of_every_customer_adds_up(world):
    today = date(2026, 11, 21)
    for customer in world.customers[:12]:
        for invoice in invoices.build_invoices(world, customer, today):
            vat = sum(c.vat_amount for c in invoice.charges)
            assert invoice.vat_amount == vat
            assert invoice.total_amount == sum(c.amount for c in invoice.charges) + vat
            for number, _count, amount in invoice.usage:
                lines = [c for c in invoice.charges if c.charge_type == "usage"]
                assert [c.amount for c in lines if c.subscription_no == number] == [amount]
