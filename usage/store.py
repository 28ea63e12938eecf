"""How a usage set lives in Redis, so that a page costs the same for 500 or 50,000 records.

The upstream returns a subscription's usage whole. A loaded set is written once, under
a fresh version, as:

    {set}:v{n}:rec        hash  index -> record JSON    (records in time order)
    {set}:v{n}:ord:amount string of packed uint32 indices, ascending by amount
    {set}:v{n}:ord:volume the same by volume (in base units: seconds, bytes, events)
    {set}:v{n}:cols       JSON columns used to filter (day, type, zone, roaming, ...)

and described by a small summary (version, count, totals) that billing_bff.caching keeps
as the set's cached document, with the usual fresh/stale windows. A page of an
unfiltered view reads its slice of indices (GETRANGE on the packed order, or plain
arithmetic for time order) and HMGETs those records: O(page), whatever the set's size.
A filtered view is computed once from the columns and kept as its own packed index list
with its totals ({set}:v{n}:q:{digest}); every later page of it is O(page) again.

While Redis cannot answer, a set just loaded is held in this process instead (`_Held`,
the same keys in a dict, the last HELD_SETS sets), under a version "h..." that says
so: pages, filters, sorts, totals and CSV answer the same, and a set no longer held is
loaded again like an evicted one (LookupError).
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from array import array
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

import redis
from django.conf import settings

from billing_bff import amounts
from billing_bff import redis as shared_redis
from billing_bff.redis import get_redis

USAGE_TYPES = ("voice", "sms", "mms", "data", "content", "other")
ZONES = ("domestic", "eu", "world")
SORTS = ("time", "-time", "amount", "-amount", "volume", "-volume")
MAX_PAGE_SIZE = 200
_CHUNK = 1000

# Volume codes in base units, so volumes of one usage type add up and sort together.
_BASE_UNITS = {
    "S": ("seconds", 1),
    "MIN": ("seconds", 60),
    "E": ("events", 1),
    "B": ("bytes", 1),
    "KB": ("bytes", 1024),
    "MB": ("bytes", 1024**2),
    "GB": ("bytes", 1024**3),
}


def base_volume(record: dict) -> tuple[str, float]:
    unit, factor = _BASE_UNITS.get(str(record.get("volumeCode", "")).upper(), ("units", 1))
    return unit, float(amounts.amount(str(record.get("volume", 0)))) * factor


@dataclass(frozen=True)
class Query:
    """A validated view of a usage set: filters, sort and page."""

    usage_types: tuple[str, ...] = ()
    zones: tuple[str, ...] = ()
    roaming: bool | None = None
    date_from: date | None = None
    date_to: date | None = None
    search: str = ""
    sort: str = "-time"
    page: int = 1
    page_size: int = 50

    @property
    def filtered(self) -> bool:
        return bool(
            self.usage_types
            or self.zones
            or self.roaming is not None
            or self.date_from
            or self.date_to
            or self.search
        )

    def digest(self) -> str:
        canonical = json.dumps(
            [
                sorted(self.usage_types),
                sorted(self.zones),
                self.roaming,
                self.date_from and self.date_from.isoformat(),
                self.date_to and self.date_to.isoformat(),
                self.search.lower(),
                self.sort,
            ]
        )
        return hashlib.sha256(canonical.encode()).hexdigest()[:32]


@dataclass
class Totals:
    count: int = 0
    by_type: dict[str, dict] = field(default_factory=dict)

    def add(self, usage_type: str, amount_cents: int, unit: str, volume: float) -> None:
        self.count += 1
        entry = self.by_type.setdefault(usage_type, {"count": 0, "amount_cents": 0, "volume": {}})
        entry["count"] += 1
        entry["amount_cents"] += amount_cents
        entry["volume"][unit] = entry["volume"].get(unit, 0.0) + volume

    def as_json(self) -> dict:
        amount = sum(e["amount_cents"] for e in self.by_type.values())
        return {
            "count": self.count,
            "amount": _cents_to_str(amount),
            "byUsageType": {
                kind: {
                    "count": e["count"],
                    "amount": _cents_to_str(e["amount_cents"]),
                    "volume": {unit: round(v, 3) for unit, v in sorted(e["volume"].items())},
                }
                for kind, e in sorted(self.by_type.items())
            },
        }


def _cents(value) -> int:
    return int((amounts.amount(str(value)) * 100).to_integral_value())


def _cents_to_str(cents: int) -> str:
    return f"{Decimal(cents) / 100:.2f}"


def _ttl() -> int:
    # Outlives the summary that points at it (see billing_bff.caching.store).
    fresh, stale = max(settings.CACHE_WINDOWS.values())
    return fresh + stale + settings.CACHE_ERROR_GRACE_SECONDS + 60


class _Held:
    """The few Redis commands of this module on one set's keys, in this process's memory."""

    def __init__(self) -> None:
        self._keys: dict[str, object] = {}

    def pipeline(self, transaction: bool = False) -> _Held:
        return self

    def execute(self) -> list:
        return []

    def hset(self, name: str, mapping: dict) -> None:
        self._keys.setdefault(name, {}).update(
            {field: value.encode() for field, value in mapping.items()}
        )

    def set(self, name: str, value, ex: int | None = None) -> None:
        self._keys[name] = value.encode() if isinstance(value, str) else value

    def expire(self, name: str, seconds: int) -> None:
        pass

    def get(self, name: str):
        return self._keys.get(name)

    def getrange(self, name: str, start: int, end: int) -> bytes:
        return self._keys.get(name, b"")[start : end + 1]

    def hmget(self, name: str, fields: list[str]) -> list:
        held = self._keys.get(name, {})
        return [held.get(field) for field in fields]


_held: OrderedDict[str, _Held] = OrderedDict()
_held_lock = threading.Lock()
HELD_SETS = 2


def _client(summary: dict):
    """Where a set's keys are: Redis, or this process for a set held while Redis was away."""
    if str(summary["version"]).startswith("h"):
        with _held_lock:
            held = _held.get(str(summary["version"]))
        if held is None:
            raise LookupError("usage set no longer held")
        return held
    return get_redis()


def write_set(set_key: str, records: list[dict]) -> dict:
    """Store a whole set under a new version; returns its summary (the cached document).

    Into Redis; into this process (`_Held`) when Redis cannot take it.
    """
    try:
        r = get_redis()
        return _write_set(r, set_key, records, version=r.incr(f"{set_key}:version"))
    except redis.RedisError as exc:
        shared_redis.failed(exc)
    held, version = _Held(), f"h{uuid.uuid4().hex}"
    with _held_lock:
        _held[version] = held
        while len(_held) > HELD_SETS:
            _held.popitem(last=False)
    return _write_set(held, set_key, records, version=version)


def _write_set(r, set_key: str, records: list[dict], *, version) -> dict:
    base = f"{set_key}:v{version}"
    records = sorted(
        records, key=lambda rec: (str(rec.get("startTime", "")), str(rec.get("usageId", "")))
    )
    totals = Totals()
    cols: dict[str, list] = {"day": [], "type": [], "zone": [], "roam": [], "dest": [], "unit": []}
    amounts: list[int] = []
    volumes: list[float] = []
    ttl = _ttl()
    pipe = r.pipeline(transaction=False)
    for start in range(0, len(records), _CHUNK):
        chunk = records[start : start + _CHUNK]
        pipe.hset(
            f"{base}:rec",
            mapping={
                str(start + i): json.dumps(rec, separators=(",", ":"))
                for i, rec in enumerate(chunk)
            },
        )
    for rec in records:
        usage_type = str(rec.get("usageType", "other"))
        amount = _cents(rec.get("amount", 0))
        unit, volume = base_volume(rec)
        totals.add(usage_type, amount, unit, volume)
        amounts.append(amount)
        volumes.append(volume)
        cols["day"].append(str(rec.get("startTime", ""))[:10])
        cols["type"].append(usage_type)
        cols["zone"].append(str(rec.get("zone", "")))
        cols["roam"].append(bool(rec.get("roaming")))
        cols["unit"].append(unit)
        cols["dest"].append(
            f"{rec.get('destination', '')} {rec.get('destinationCode', '')}".lower()
        )
    indices = range(len(records))
    pipe.set(f"{base}:ord:amount", array("I", sorted(indices, key=amounts.__getitem__)).tobytes())
    pipe.set(f"{base}:ord:volume", array("I", sorted(indices, key=volumes.__getitem__)).tobytes())
    cols["amt"], cols["vol"] = amounts, volumes
    pipe.set(f"{base}:cols", json.dumps(cols, separators=(",", ":")))
    for suffix in ("rec", "ord:amount", "ord:volume", "cols"):
        pipe.expire(f"{base}:{suffix}", ttl)
    pipe.expire(f"{set_key}:version", ttl)
    pipe.execute()
    return {"version": version, "count": len(records), "totals": totals.as_json()}


def _view(set_key: str, summary: dict, query: Query) -> tuple[str | None, int, dict]:
    """(packed index key or None for time order, count, totals) of the query's view."""
    base = f"{set_key}:v{summary['version']}"
    if not query.filtered:
        order = query.sort.lstrip("-")
        return (
            (None if order == "time" else f"{base}:ord:{order}"),
            summary["count"],
            summary["totals"],
        )
    view_key = f"{base}:q:{query.digest()}"
    r = _client(summary)
    meta = r.get(view_key + ":meta")
    if meta is None:
        count, totals = _compute_view(r, base, view_key, query)
    else:
        found = json.loads(meta)
        count, totals = found["count"], found["totals"]
    return view_key, count, totals


def _matching(cols: dict, query: Query) -> list[int]:
    """Indices (time order) of the records the query's filters select."""
    types, zones = set(query.usage_types), set(query.zones)
    day_from = query.date_from.isoformat() if query.date_from else None
    day_to = query.date_to.isoformat() if query.date_to else None
    needle = query.search.lower()
    return [
        i
        for i in range(len(cols["day"]))
        if (not types or cols["type"][i] in types)
        and (not zones or cols["zone"][i] in zones)
        and (query.roaming is None or cols["roam"][i] == query.roaming)
        and (day_from is None or cols["day"][i] >= day_from)
        and (day_to is None or cols["day"][i] <= day_to)
        and (not needle or needle in cols["dest"][i])
    ]


def _compute_view(r, base: str, view_key: str, query: Query) -> tuple[int, dict]:
    raw = r.get(f"{base}:cols")
    if raw is None:
        raise LookupError("usage set expired")
    cols = json.loads(raw)
    selected = _matching(cols, query)
    order = query.sort.lstrip("-")
    if order == "amount":
        selected.sort(key=cols["amt"].__getitem__)
    elif order == "volume":
        selected.sort(key=cols["vol"].__getitem__)
    totals = Totals()
    for i in selected:
        totals.add(cols["type"][i], cols["amt"][i], cols["unit"][i], cols["vol"][i])
    ttl = min(_ttl(), settings.USAGE_VIEW_TTL_SECONDS)
    meta = {"count": len(selected), "totals": totals.as_json()}
    pipe = r.pipeline(transaction=False)
    pipe.set(view_key, array("I", selected).tobytes(), ex=ttl)
    pipe.set(view_key + ":meta", json.dumps(meta), ex=ttl)
    pipe.execute()
    return meta["count"], meta["totals"]


def _page_indices(r, index_key: str | None, count: int, query: Query) -> list[int]:
    start = (query.page - 1) * query.page_size
    stop = min(start + query.page_size, count)
    if start >= count:
        return []
    descending = query.sort.startswith("-")
    lo, hi = (count - stop, count - start) if descending else (start, stop)
    if index_key is None:
        indices = list(range(lo, hi))
    else:
        raw = r.getrange(index_key, lo * 4, hi * 4 - 1)
        indices = array("I", raw).tolist()
    return indices[::-1] if descending else indices


def read_page(set_key: str, summary: dict, query: Query) -> tuple[list[dict], int, dict]:
    """(records of the page, count of the view, totals of the view)."""
    index_key, count, totals = _view(set_key, summary, query)
    r = _client(summary)
    indices = _page_indices(r, index_key, count, query)
    if not indices:
        return [], count, totals
    raw = r.hmget(f"{set_key}:v{summary['version']}:rec", [str(i) for i in indices])
    if any(item is None for item in raw):
        raise LookupError("usage set expired")
    return [json.loads(item) for item in raw], count, totals


def iter_view(set_key: str, summary: dict, query: Query) -> Iterator[dict]:
    """Every record of the view in order, fetched in chunks: constant memory for CSV."""
    index_key, count, _ = _view(set_key, summary, query)
    r = _client(summary)
    size = _CHUNK
    for page in range(1, (count + size - 1) // size + 1):
        chunk_query = Query(**{**query.__dict__, "page": page, "page_size": size})
        indices = _page_indices(r, index_key, count, chunk_query)
        raw = r.hmget(f"{set_key}:v{summary['version']}:rec", [str(i) for i in indices])
        for item in raw:
            if item is not None:
                yield json.loads(item)


def daily_totals(set_key: str, summary: dict, query: Query) -> list[dict]:
    """Count, amount and volume (per base unit) per day of the query's filtered records.

    Sort and page do not change it, so it is kept per filter set, like a filtered view:
    the columns are read once, and every later page of the same filters costs one GET.
    """
    base = f"{set_key}:v{summary['version']}"
    daily_key = f"{base}:daily:{replace(query, sort='time', page=1).digest()}"
    r = _client(summary)
    kept = r.get(daily_key)
    if kept is not None:
        return json.loads(kept)
    raw = r.get(f"{base}:cols")
    if raw is None:
        raise LookupError("usage set expired")
    cols = json.loads(raw)
    days: dict[str, dict] = {}
    for i in _matching(cols, query):
        entry = days.setdefault(cols["day"][i], {"count": 0, "cents": 0, "volume": {}})
        entry["count"] += 1
        entry["cents"] += cols["amt"][i]
        unit = cols["unit"][i]
        entry["volume"][unit] = entry["volume"].get(unit, 0.0) + cols["vol"][i]
    result = [
        {
            "day": day,
            "count": entry["count"],
            "amount": _cents_to_str(entry["cents"]),
            "volume": {unit: round(v, 3) for unit, v in sorted(entry["volume"].items())},
        }
        for day, entry in sorted(days.items())
    ]
    r.set(daily_key, json.dumps(result), ex=min(_ttl(), settings.USAGE_VIEW_TTL_SECONDS))
    return result
