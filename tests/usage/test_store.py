"""The usage layout in a real Redis: paging, sorting, filtering and totals."""

from datetime import date
from decimal import Decimal

import pytest

from usage.store import Query, iter_view, read_page, write_set


def record(
    i: int,
    *,
    usage_type="voice",
    zone="domestic",
    roaming=False,
    amount="1.00",
    volume="60",
    code="S",
    day=1,
    destination="Stockholm",
):
    return {
        "usageId": f"u{i:05d}",
        "startTime": f"2026-10-{day:02d}T10:{i // 60 % 60:02d}:{i % 60:02d}+02:00",
        "usageType": usage_type,
        "destination": destination,
        "destinationCode": "46",
        "zone": zone,
        "roaming": roaming,
        "volume": volume,
        "volumeCode": code,
        "unitPrice": amount,
        "amount": amount,
        "currency": "SEK",
        "detailInfo": "",
    }


@pytest.fixture
def mixed():
    records = [
        record(0, usage_type="data", volume="2", code="MB", amount="5.00", zone="eu", roaming=True),
        record(1, amount="0.50", day=2),
        record(2, usage_type="sms", volume="1", code="E", amount="0.79", day=3, destination="Oslo"),
        record(3, amount="3.25", volume="120", day=4),
        record(4, usage_type="data", volume="512", code="KB", amount="0.00", day=5),
    ]
    summary = write_set("t:set", list(reversed(records)))
    return summary


def test_the_summary_totals_the_whole_set(mixed):
    assert mixed["count"] == 5
    totals = mixed["totals"]
    assert totals["amount"] == "9.54"
    assert totals["byUsageType"]["data"] == {
        "count": 2,
        "amount": "5.00",
        "volume": {"bytes": 2 * 1024**2 + 512 * 1024},
    }
    assert totals["byUsageType"]["voice"]["volume"] == {"seconds": 180}


def test_default_order_is_newest_first_and_pages_split_it(mixed):
    page1, count, _ = read_page("t:set", mixed, Query(page=1, page_size=2))
    page2, _, _ = read_page("t:set", mixed, Query(page=2, page_size=2))
    page3, _, _ = read_page("t:set", mixed, Query(page=3, page_size=2))
    assert count == 5
    assert [r["usageId"] for r in page1 + page2 + page3] == [
        "u00004",
        "u00003",
        "u00002",
        "u00001",
        "u00000",
    ]
    assert read_page("t:set", mixed, Query(page=4, page_size=2))[0] == []


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("time", ["u00000", "u00001", "u00002", "u00003", "u00004"]),
        ("amount", ["u00004", "u00001", "u00002", "u00003", "u00000"]),
        ("-amount", ["u00000", "u00003", "u00002", "u00001", "u00004"]),
        ("volume", ["u00002", "u00001", "u00003", "u00004", "u00000"]),
    ],
)
def test_sorts(mixed, sort, expected):
    page, _, _ = read_page("t:set", mixed, Query(sort=sort, page_size=10))
    assert [r["usageId"] for r in page] == expected


def test_filters_combine_and_totals_follow_the_filter(mixed):
    query = Query(
        usage_types=("voice", "sms"),
        date_from=date(2026, 10, 2),
        date_to=date(2026, 10, 3),
        sort="-amount",
    )
    page, count, totals = read_page("t:set", mixed, query)
    assert [r["usageId"] for r in page] == ["u00002", "u00001"]
    assert count == 2
    assert totals["amount"] == "1.29"
    assert set(totals["byUsageType"]) == {"voice", "sms"}


def test_roaming_zone_and_destination_search(mixed):
    assert [r["usageId"] for r in read_page("t:set", mixed, Query(roaming=True))[0]] == ["u00000"]
    assert read_page("t:set", mixed, Query(zones=("eu",)))[1] == 1
    assert [r["usageId"] for r in read_page("t:set", mixed, Query(search="OSL"))[0]] == ["u00002"]


def test_a_filtered_view_is_kept_so_later_pages_do_not_rescan(mixed):
    from billing_bff.redis import get_redis

    query = Query(usage_types=("voice",))
    read_page("t:set", mixed, query)
    get_redis().delete(f"t:set:v{mixed['version']}:cols")
    page, count, _ = read_page("t:set", mixed, query)
    assert count == 2 and len(page) == 2


def test_iterating_a_view_yields_every_record_in_order():
    records = [record(i, amount=str(Decimal(i) / 100)) for i in range(2500)]
    summary = write_set("t:big", records)
    ids = [r["usageId"] for r in iter_view("t:big", summary, Query(sort="time"))]
    assert ids == [f"u{i:05d}" for i in range(2500)]
