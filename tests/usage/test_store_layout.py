"""The compact usage layout answers exactly what the records say.

A realistic set with edge cases (missing and unknown fields, other key orders, unicode,
odd volume codes and amounts, equal start times, records out of order) is written, and
every page, filter, sort, total, per-day total and CSV iteration is compared with an
answer computed here, straight from the records, byte for byte as JSON.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

import pytest
import redis

from billing_bff.redis import get_redis
from usage import store
from usage.store import Query, daily_totals, iter_view, read_page, write_set

UNITS = {
    "S": ("seconds", 1),
    "MIN": ("seconds", 60),
    "E": ("events", 1),
    "B": ("bytes", 1),
    "KB": ("bytes", 1024),
    "MB": ("bytes", 1024**2),
    "GB": ("bytes", 1024**3),
}


def _decimal(value) -> Decimal:
    try:
        number = Decimal(str(value).strip()) if isinstance(value, int | str) else None
    except InvalidOperation:
        number = None
    return number if number is not None and number.is_finite() else Decimal("0.00")


def cents(record: dict) -> int:
    return int((_decimal(str(record.get("amount", 0))) * 100).to_integral_value())


def volume(record: dict) -> tuple[str, float]:
    unit, factor = UNITS.get(str(record.get("volumeCode", "")).upper(), ("units", 1))
    return unit, float(_decimal(str(record.get("volume", 0)))) * factor


def day(record: dict) -> str:
    return str(record.get("startTime", ""))[:10]


def selects(record: dict, query: Query) -> bool:
    destination = f"{record.get('destination', '')} {record.get('destinationCode', '')}"
    return (
        (not query.usage_types or str(record.get("usageType", "other")) in query.usage_types)
        and (not query.zones or str(record.get("zone", "")) in query.zones)
        and (query.roaming is None or bool(record.get("roaming")) == query.roaming)
        and (query.date_from is None or day(record) >= query.date_from.isoformat())
        and (query.date_to is None or day(record) <= query.date_to.isoformat())
        and (not query.search or query.search.lower() in destination.lower())
    )


def expected_view(records: list[dict], query: Query) -> list[dict]:
    ordered = sorted(
        records, key=lambda r: (str(r.get("startTime", "")), str(r.get("usageId", "")))
    )
    chosen = [r for r in ordered if selects(r, query)]
    order = query.sort.lstrip("-")
    if order == "amount":
        chosen.sort(key=cents)
    elif order == "volume":
        chosen.sort(key=lambda r: volume(r)[1])
    return chosen[::-1] if query.sort.startswith("-") else chosen


def _money(total: int) -> str:
    return f"{Decimal(total) / 100:.2f}"


def expected_totals(chosen: list[dict]) -> dict:
    by_type: dict[str, dict] = {}
    for record in chosen:
        entry = by_type.setdefault(
            str(record.get("usageType", "other")), {"count": 0, "cents": 0, "volume": {}}
        )
        unit, amount = volume(record)
        entry["count"] += 1
        entry["cents"] += cents(record)
        entry["volume"][unit] = entry["volume"].get(unit, 0.0) + amount
    return {
        "count": len(chosen),
        "amount": _money(sum(e["cents"] for e in by_type.values())),
        "byUsageType": {
            kind: {
                "count": e["count"],
                "amount": _money(e["cents"]),
                "volume": {unit: round(v, 3) for unit, v in sorted(e["volume"].items())},
            }
            for kind, e in sorted(by_type.items())
        },
    }


def expected_daily(chosen_in_time_order: list[dict]) -> list[dict]:
    days: dict[str, dict] = {}
    for record in chosen_in_time_order:
        entry = days.setdefault(day(record), {"count": 0, "cents": 0, "volume": {}})
        unit, amount = volume(record)
        entry["count"] += 1
        entry["cents"] += cents(record)
        entry["volume"][unit] = entry["volume"].get(unit, 0.0) + amount
    return [
        {
            "day": d,
            "count": e["count"],
            "amount": _money(e["cents"]),
            "volume": {unit: round(v, 3) for unit, v in sorted(e["volume"].items())},
        }
        for d, e in sorted(days.items())
    ]


def realistic(n: int, seed: int = 12) -> list[dict]:
    """Records as the Usage API sends them, with the oddities it may send."""
    rng = random.Random(seed)
    start = date(2026, 10, 1)
    records = []
    for i in range(n):
        kind = rng.choice(["voice"] * 4 + ["sms"] * 3 + ["data"] * 3 + ["mms", "content", "other"])
        zone = rng.choice(["domestic"] * 8 + ["eu", "world"])
        roaming = rng.random() < 0.1
        code, amount = {
            "voice": ("S", rng.randint(5, 1800)),
            "sms": ("E", 1),
            "mms": ("E", 1),
            "data": (rng.choice(["KB", "MB"]), rng.randint(1, 200_000)),
            "content": ("E", 1),
            "other": ("S", rng.randint(5, 600)),
        }[kind]
        moment = i * 40 + rng.randint(0, 30)
        when = start + timedelta(days=moment // 86400)
        seconds = moment % 86400
        record = {
            "usageId": f"4671736815283-202610-{i:06d}",
            "startTime": f"{when.isoformat()}T{seconds // 3600:02d}:{seconds // 60 % 60:02d}:"
            f"{seconds % 60:02d}+02:00",
            "usageType": kind,
            "destination": rng.choice(
                ["internet", "voicemail", f"4670{rng.randint(0, 99999):05d}XXX"]
            ),
            "destinationCode": rng.choice(["SE-MOB", "APN-INTERNET", "ROAM-EU", "SE-FIX"]),
            "zone": zone,
            "roaming": roaming,
            "volume": amount,
            "volumeCode": code,
            "unitPrice": rng.choice(["0.49", "0.00", "1.99", "9.90"]),
            "amount": f"{rng.randint(0, 5000) / 100:.2f}",
            "currency": "SEK",
            "detailInfo": rng.choice(["Samtal till mobil", "Mobildata", "SMS", "Röstbrevlåda"]),
        }
        records.append(record)
    # The oddities, spread over the chunks.
    odd = records[:: max(1, n // 40)]
    for j, record in enumerate(odd):
        variant = j % 10
        if variant == 0:
            del record["destination"], record["volumeCode"]
        elif variant == 1:
            record["extra"] = {"nested": [1, 2.5, None, True, "ü"], "big": 2**70}
            record["note"] = -0.0
        elif variant == 2:
            record["destination"] = 'Zürich ☎ 𝄞 "quoted" \\ back'
            record["volumeCode"] = "kb"
        elif variant == 3:
            record["volume"] = "1.5"
            record["volumeCode"] = "GB"
            record["amount"] = "1.005"
        elif variant == 4:
            record["amount"] = "not a number"
            record["volumeCode"] = "XYZ"
            record["volume"] = 7.25
        elif variant == 5:
            reordered = dict(reversed(list(record.items())))
            record.clear()
            record.update(reordered)
        elif variant == 6:
            record["roaming"] = None
            record["zone"] = 3
            record["usageType"] = "satellite"
        elif variant == 7:
            del record["amount"], record["usageType"]
            record["volume"] = 2**62
        elif variant == 8:
            record["startTime"] = records[0]["startTime"]  # equal start times: usage id decides
            record["unitPrice"] = 0.1
        else:
            record["volume"] = None
            record["currency"] = ""
    shuffled = records[:]
    rng.shuffle(shuffled)
    return shuffled


QUERIES = [
    Query(),
    Query(sort="time"),
    Query(sort="amount"),
    Query(sort="-amount"),
    Query(sort="volume"),
    Query(sort="-volume"),
    Query(usage_types=("data",), sort="-amount"),
    Query(usage_types=("voice", "sms"), zones=("domestic",)),
    Query(zones=("eu", "world"), sort="volume"),
    Query(roaming=True, sort="-volume"),
    Query(roaming=False, sort="amount"),
    Query(date_from=date(2026, 10, 3), date_to=date(2026, 10, 9)),
    Query(date_from=date(2026, 10, 5), sort="time"),
    Query(date_to=date(2026, 10, 2), sort="-amount"),
    Query(search="XXX", sort="amount"),
    Query(search="zürich"),
    Query(search="nothing matches this"),
    Query(usage_types=("voice",), roaming=False, search="se-mob", sort="-volume"),
]


def dumped(records: list[dict]) -> list[str]:
    return [json.dumps(record) for record in records]


def check_set(set_key: str, summary: dict, records: list[dict]) -> None:
    everything = expected_view(records, Query(sort="time"))
    assert summary["count"] == len(records)
    assert summary["totals"] == expected_totals(everything)
    for query in QUERIES:
        view = expected_view(records, query)
        # A view's totals are added in its ascending order; an unfiltered one's are the
        # set's (in time order).
        ascending = expected_view(
            records, Query(**{**query.__dict__, "sort": query.sort.lstrip("-")})
        )
        added = ascending if query.filtered else everything
        for size in (50, 200):
            last = max(1, -(-len(view) // size))
            for page in sorted({1, 2, last // 2 or 1, last, last + 1}):
                paged = Query(**{**query.__dict__, "page": page, "page_size": size})
                found, count, totals = read_page(set_key, summary, paged)
                assert count == len(view), query
                assert dumped(found) == dumped(view[(page - 1) * size : page * size]), paged
                assert totals == expected_totals(added), query
        assert dumped(list(iter_view(set_key, summary, query))) == dumped(view), query
        in_time = expected_view(records, Query(**{**query.__dict__, "sort": "time"}))
        assert daily_totals(set_key, summary, query) == expected_daily(in_time), query


@pytest.fixture
def records():
    return realistic(3100)


def test_every_answer_of_a_realistic_set_is_what_its_records_say(records):
    summary = write_set("t:layout", [dict(r) for r in records])
    check_set("t:layout", summary, records)
    # Kept views answer the same a second time.
    check_set("t:layout", summary, records)


def test_a_set_written_from_a_stream_in_time_order_answers_the_same(records):
    ordered = sorted(records, key=lambda r: (r["startTime"], r["usageId"]))
    summary = write_set("t:stream", (dict(r) for r in ordered))
    check_set("t:stream", summary, records)


def test_a_stream_out_of_order_is_sorted_like_a_list(records):
    summary = write_set("t:unsorted", (dict(r) for r in records))
    check_set("t:unsorted", summary, records)


def test_an_empty_set_and_a_one_record_set():
    empty = write_set("t:empty", [])
    assert read_page("t:empty", empty, Query()) == ([], 0, expected_totals([]))
    assert list(iter_view("t:empty", empty, Query(sort="-amount"))) == []
    one = realistic(1)
    summary = write_set("t:one", one)
    check_set("t:one", summary, one)


def test_the_big_sets_layout_is_compact():
    """A busy M2M subscription's month: well under 48 bytes a record, all keys counted."""
    records = [
        {
            "usageId": f"4671736815283-202611-{k:06d}",
            "startTime": f"2026-11-{1 + k // 2880:02d}T{k % 2880 // 120:02d}:"
            f"{k % 120 // 2:02d}:{k % 2 * 30 + random.Random(k).randint(0, 25):02d}+01:00",
            "usageType": "data",
            "destination": "m2m.iot",
            "destinationCode": "APN-M2M",
            "zone": "domestic",
            "roaming": False,
            "volume": 1 + random.Random(-k).randint(0, 799),
            "volumeCode": "KB",
            "unitPrice": "0.10",
            "amount": "0.10",
            "currency": "SEK",
            "detailInfo": "M2M data",
        }
        for k in range(20_000)
    ]
    summary = write_set("t:m2m", records)
    r = get_redis()
    used = sum(r.memory_usage(key) or 0 for key in store.set_keys("t:m2m", summary))
    assert used / len(records) < 48
    first, count, _ = read_page("t:m2m", summary, Query(page=3, page_size=50))
    assert count == 20_000
    assert dumped(first) == dumped(records[::-1][100:150])


def test_a_set_held_while_redis_is_away_answers_the_same(monkeypatch, records):
    def away():
        raise redis.ConnectionError("away")

    monkeypatch.setattr(store, "get_redis", away)
    monkeypatch.setattr(store.shared_redis, "failed", lambda exc=None: None)
    summary = write_set("t:held", [dict(r) for r in records])
    assert str(summary["version"]).startswith("h")
    check_set("t:held", summary, records)


def test_a_summary_of_another_layout_is_loaded_again():
    summary = write_set("t:old", realistic(10))
    old = {key: value for key, value in summary.items() if key != "layout"}
    with pytest.raises(LookupError):
        read_page("t:old", old, Query())


def test_an_evicted_set_is_a_lookup_error(records):
    summary = write_set("t:gone", records)
    get_redis().delete(f"t:gone:v{summary['version']}:rec")
    with pytest.raises(LookupError):
        read_page("t:gone", summary, Query())
    get_redis().delete(f"t:gone:v{summary['version']}:cols")
    with pytest.raises(LookupError):
        read_page("t:gone", summary, Query(usage_types=("sms",)))
