"""How a usage set lives in Redis: compact (a few dozen bytes a record), and a page costs
the same for 500 or 90,000 records.

The upstream returns a subscription's usage whole. A loaded set is written once, under
a fresh version, as:

    {set}:v{n}:rec        string: the records in time order, in zstd-compressed chunks of
                          _RECORD_CHUNK records, each the records' JSON as it came
    {set}:v{n}:ord:amount record indices ascending by amount, in compressed blocks of
                          _CHUNK (absent when that is the time order itself)
    {set}:v{n}:ord:volume the same by volume (in base units: seconds, bytes, events)
    {set}:v{n}:cols       the columns filters and totals read (day, type, zone, roaming,
                          destination, unit, amount in öre, volume), compressed JSON

and described by a small summary (version, count, totals, and the byte offsets of every
chunk and block) that billing_bff.caching keeps as the set's cached document, with the
usual fresh/stale windows. A page of an unfiltered view reads its indices (arithmetic in
time order, else the one or two blocks holding them) and GETRANGEs the chunks holding its
records: one or two chunks for a page in time order, whatever the set's size. A record
reads back exactly as the upstream sent it: the same keys in the same order, the same
values of the same types. A filtered view is computed once from the columns and kept as
its own blocks of indices (or just its first index, when it is a run of the time order)
with its totals ({set}:v{n}:q:{digest}); every later page of it is O(page) again.

While Redis cannot answer, a set just loaded is held in this process instead (`_Held`,
the same keys in a dict, the last HELD_SETS sets), under a version "h..." that says
so: pages, filters, sorts, totals and CSV answer the same, and a set no longer held is
loaded again like an evicted one (LookupError), as is a set written in an older layout.
"""

from __future__ import annotations

import hashlib
import json
import operator
import threading
import uuid
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import reduce
from itertools import accumulate, islice, pairwise, starmap

import orjson
import redis
import zstandard
from django.conf import settings

from billing_bff import amounts
from billing_bff import redis as shared_redis
from billing_bff.redis import get_redis

USAGE_TYPES = ("voice", "sms", "mms", "data", "content", "other")
ZONES = ("domestic", "eu", "world")
SORTS = ("time", "-time", "amount", "-amount", "volume", "-volume")
MAX_PAGE_SIZE = 200
_CHUNK = 1024  # records a filter-column pass, and indices a block
_RECORD_CHUNK = 128  # records a stored chunk (a page of 50 decodes one or two)
_ZSTD_LEVEL = 3
LAYOUT = 3  # the summary's "layout" version: a set in another is loaded again

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
        self._keys: dict[str, bytes] = {}

    def pipeline(self, transaction: bool = False) -> _HeldPipeline:
        return _HeldPipeline(self)

    def set(self, name: str, value, ex: int | None = None) -> bool:
        self._keys[name] = value.encode() if isinstance(value, str) else bytes(value)
        return True

    def expire(self, name: str, seconds: int) -> bool:
        return name in self._keys

    def get(self, name: str):
        return self._keys.get(name)

    def getrange(self, name: str, start: int, end: int) -> bytes:
        return self._keys.get(name, b"")[start : end + 1]


class _HeldPipeline:
    """A pipeline on held keys: each command runs at once, `execute` returns the answers."""

    def __init__(self, held: _Held) -> None:
        self._held, self._answers = held, []

    def __getattr__(self, command: str):
        run = getattr(self._held, command)

        def queued(*args, **kwargs) -> _HeldPipeline:
            self._answers.append(run(*args, **kwargs))
            return self

        return queued

    def execute(self) -> list:
        answers, self._answers = self._answers, []
        return answers


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


def _layout(summary: dict) -> dict:
    layout = summary.get("layout")
    if not isinstance(layout, dict) or layout.get("v") != LAYOUT:
        # A set written in an older layout: loaded again, like an evicted one.
        raise LookupError("usage set in another layout")
    return layout


def set_keys(set_key: str, summary: dict) -> list[str]:
    """Every Redis key the set of `summary` may have, besides its kept filtered views
    ({set}:v{n}:q:* and :daily:*, which expire on their own): for measuring."""
    base = f"{set_key}:v{summary['version']}"
    layout = _layout(summary)
    keys = [f"{set_key}:version", f"{base}:rec", f"{base}:cols"]
    keys += [f"{base}:ord:{order}" for order in ("amount", "volume") if layout[order]]
    return keys


# --- Writing ----------------------------------------------------------------------------


def write_set(set_key: str, records: Iterable[dict]) -> dict:
    """Store a whole set under a new version; returns its summary (the cached document).

    `records` may be any iterable of record dicts (a list, or the upstream body's
    records parsed as they are read): they are turned into compressed chunks as they
    come, so the set is never held whole as dicts. Into Redis; into this process
    (`_Held`) when Redis cannot take it.
    """
    built = _build(records)
    try:
        r = get_redis()
        return _store(r, set_key, built, version=r.incr(f"{set_key}:version"))
    except redis.RedisError as exc:
        shared_redis.failed(exc)
    held, version = _Held(), f"h{uuid.uuid4().hex}"
    with _held_lock:
        _held[version] = held
        while len(_held) > HELD_SETS:
            _held.popitem(last=False)
    return _store(held, set_key, built, version=version)


def _sort_key(record: dict) -> tuple[str, str]:
    return (str(record.get("startTime", "")), str(record.get("usageId", "")))


class _Built:
    """A set encoded in memory: record chunks, filter columns, sort orders and totals."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.cols: dict[str, list] = {name: [] for name in _FILTER_COLUMNS}
        self.count = 0
        self.last: tuple[str, str] | None = None  # the sort key of the last record
        self.memos: dict[str, dict] = {"dest": {}, "amt": {}, "vol": {}}


_FILTER_COLUMNS = ("day", "type", "zone", "roam", "dest", "unit", "amt", "vol")


class _OutOfOrder(Exception):
    pass


def _build(records: Iterable[dict]) -> _Built:
    """Chunks in time order. Records come in time order from the upstream and are encoded
    as they come; when they do not, the set is read whole and sorted (as stable as
    before: time, then usage id)."""
    stream = iter(records)
    built = _Built()
    try:
        while chunk := list(islice(stream, _CHUNK)):
            _add_chunk(built, chunk, check=True)
        return built
    except _OutOfOrder:
        pass
    if isinstance(records, list):
        whole = records
    else:
        whole = [row for blob in built.chunks for row in _decode_json(blob)]
        whole += chunk
        whole += stream
    built, stream = _Built(), iter(sorted(whole, key=_sort_key))
    while chunk := list(islice(stream, _CHUNK)):
        _add_chunk(built, chunk, check=False)
    return built


# The fields the filter columns and the order are read from.
_FIELDS = (
    "startTime",
    "usageId",
    "usageType",
    "zone",
    "roaming",
    "destination",
    "destinationCode",
    "amount",
    "volume",
    "volumeCode",
)
_FIELD_GETTERS = {name: operator.itemgetter(name) for name in _FIELDS}


def _add_chunk(built: _Built, chunk: list[dict], *, check: bool) -> None:
    try:  # every record with every field (the upstream's usual): C calls only
        found = {name: list(map(get, chunk)) for name, get in _FIELD_GETTERS.items()}
    except KeyError:
        found = {}

    def field(name: str, default) -> list:
        return found[name] if found else [record.get(name, default) for record in chunk]

    starts = list(map(str, field("startTime", "")))
    if check:
        keys = list(zip(starts, map(str, field("usageId", "")), strict=True))
        if (built.last is not None and keys[0] < built.last) or not all(
            starmap(operator.le, pairwise(keys))
        ):
            raise _OutOfOrder
        built.last = keys[-1]
    built.chunks += [
        _encode_json(chunk[at : at + _RECORD_CHUNK]) for at in range(0, len(chunk), _RECORD_CHUNK)
    ]
    cols, memos = built.cols, built.memos
    cols["type"] += map(str, field("usageType", "other"))
    cols["zone"] += map(str, field("zone", ""))
    cols["roam"] += map(bool, field("roaming", None))
    cols["day"] += [text[:10] for text in starts]
    cols["dest"] += _memo_map(
        memos["dest"],
        _destination,
        list(map(str, field("destination", ""))),
        list(map(str, field("destinationCode", ""))),
    )
    cols["amt"] += _memo_map(memos["amt"], _cents, list(map(str, field("amount", 0))))
    volumes = _memo_map(
        memos["vol"],
        _base_volume_of,
        list(map(str, field("volume", 0))),
        list(map(str, field("volumeCode", ""))),
    )
    cols["unit"] += (unit for unit, _ in volumes)
    cols["vol"] += (volume for _, volume in volumes)
    built.count += len(chunk)


def _memo_map(memo: dict, function, values: list[str], other: list[str] | None = None) -> list:
    """`function` of each string (or pair of strings), computed once per distinct one."""
    if other is not None:
        if len(set(values)) == 1 and len(set(other)) == 1:
            # One value each (a chunk's field mostly): one computation.
            return [_memo_map(memo, function, [(values[0], other[0])])[0]] * len(values)
        values = list(zip(values, other, strict=True))
    for value in dict.fromkeys(values).keys() - memo.keys():
        memo[value] = function(value)
    return list(map(memo.__getitem__, values))


def _destination(pair: tuple) -> str:
    return f"{pair[0]} {pair[1]}".lower()


def _base_volume_of(pair: tuple[str, str]) -> tuple[str, float]:
    return base_volume({"volume": pair[0], "volumeCode": pair[1]})


def _store(r, set_key: str, built: _Built, *, version) -> dict:
    base = f"{set_key}:v{version}"
    cols, count = built.cols, built.count
    ttl = _ttl()
    indices = range(count)
    layout: dict = {
        "v": LAYOUT,
        "chunk": _CHUNK,
        "records": _RECORD_CHUNK,
        "rec": _offsets(built.chunks),
    }
    pipe = r.pipeline(transaction=False)
    pipe.set(f"{base}:rec", b"".join(built.chunks), ex=ttl)
    for order, column in (("amount", cols["amt"]), ("volume", cols["vol"])):
        ranked = sorted(indices, key=column.__getitem__)
        if _is_range(ranked, 0):
            layout[order] = None  # the time order itself: nothing to keep
            continue
        blocks = _index_blocks(ranked)
        layout[order] = _offsets(blocks)
        pipe.set(f"{base}:ord:{order}", b"".join(blocks), ex=ttl)
    pipe.set(f"{base}:cols", _encode_json(cols), ex=ttl)
    pipe.expire(f"{set_key}:version", ttl)
    pipe.execute()
    return {
        "version": version,
        "count": count,
        "totals": _totals(cols, indices),
        "layout": layout,
    }


def _offsets(blobs: list[bytes]) -> list[int]:
    return [0, *accumulate(map(len, blobs))]


def _is_range(indices: list[int], start: int) -> bool:
    return not indices or (
        indices[0] == start and indices[-1] == start + len(indices) - 1 and _ascending(indices)
    )


def _ascending(indices: list[int]) -> bool:
    return all(starmap(operator.lt, pairwise(indices)))


def _totals(cols: dict, indices) -> dict:
    """`Totals` of the records at `indices`, added in that order (so float sums agree)."""
    types, units, amts, vols = cols["type"], cols["unit"], cols["amt"], cols["vol"]
    count = len(indices)
    pairs = dict.fromkeys(zip(types, units, strict=False)) if isinstance(indices, range) else None
    by_type: dict[str, dict] = {}
    if pairs is not None and len(pairs) == 1 and count:
        ((usage_type, unit),) = pairs
        by_type[usage_type] = {
            "count": count,
            "amount_cents": sum(amts),
            "volume": {unit: reduce(operator.add, vols, 0.0)},
        }
    else:
        totals = Totals()
        for i in indices:
            totals.add(types[i], amts[i], units[i], vols[i])
        return totals.as_json()
    totals = Totals(count=count, by_type=by_type)
    return totals.as_json()


# --- Encoding ---------------------------------------------------------------------------
#
# A blob is zstd(u32 header length, header JSON, parts): the header names each column's
# encoding and the lengths of the binary parts that follow it. Column encodings:
#   ["c", value]                 one value for every row
#   ["d", values, part, tc]      dictionary: codes (array typecode tc) into values
#   ["i", base, step, part, tc, delta, as_float]
#                                integers: base + step * u (or a running sum of deltas);
#                                as_float: floats that are whole numbers
#   ["f", part]                  floats, as doubles
#   ["s", lens, part, tc]        strings: character lengths, then the text (UTF-8)
#   ["j", lens, part, tc]        anything else: each value's JSON text

_local = threading.local()


def _compressor() -> zstandard.ZstdCompressor:
    found = getattr(_local, "compressor", None)
    if found is None:
        found = _local.compressor = zstandard.ZstdCompressor(level=_ZSTD_LEVEL)
    return found


def _decompressor() -> zstandard.ZstdDecompressor:
    found = getattr(_local, "decompressor", None)
    if found is None:
        found = _local.decompressor = zstandard.ZstdDecompressor()
    return found


def _signed_code(low: int, high: int) -> str:
    for code in ("b", "h", "i", "q"):
        half = 256 ** array(code).itemsize // 2
        if -half <= low and high < half:
            return code
    raise OverflowError


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _encode_json(value) -> bytes:
    """A chunk of records (or the filter columns) as JSON, compressed: read back exactly
    (keys, their order, values and their types) with one decompression and one parse.
    The first byte says the parser: orjson, or the standard one for what only it keeps
    (an integer past 64 bits)."""
    try:
        raw = b"o" + orjson.dumps(value)
    except TypeError:
        raw = b"j" + json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
    return _compressor().compress(raw)


def _decode_json(blob: bytes):
    raw = _decompressor().decompress(blob)
    return orjson.loads(raw[1:]) if raw[:1] == b"o" else json.loads(raw[1:])


def _index_blocks(indices: list[int]) -> list[bytes]:
    """A list of record indices in compressed blocks of _CHUNK, each its first index and
    the differences after it (small where the list runs mostly upwards)."""
    blocks = []
    for start in range(0, len(indices), _CHUNK):
        block = indices[start : start + _CHUNK]
        deltas = [b - a for a, b in pairwise(block)]
        code = _signed_code(min(deltas, default=0), max(deltas, default=0))
        blocks.append(
            _compressor().compress(
                code.encode() + block[0].to_bytes(4, "little") + array(code, deltas).tobytes()
            )
        )
    return blocks


def _decode_block(blob: bytes) -> list[int]:
    raw = _decompressor().decompress(blob)
    deltas = array(chr(raw[0]), raw[5:])
    return list(accumulate(deltas, initial=int.from_bytes(raw[1:5], "little")))


# --- Decoding ---------------------------------------------------------------------------


# --- Reading ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Indices:
    """A view's record indices in view order: `start`, `start + 1`, ... when `key` is
    None, else kept in compressed blocks at `key` (byte `offsets` of each block)."""

    start: int = 0
    key: str | None = None
    offsets: tuple[int, ...] = ()


def _view(r, set_key: str, summary: dict, query: Query) -> tuple[_Indices, int, dict]:
    """(the view's indices, count, totals) of the query's view."""
    base = f"{set_key}:v{summary['version']}"
    layout = _layout(summary)
    if not query.filtered:
        order = query.sort.lstrip("-")
        offsets = None if order == "time" else layout[order]
        indices = _Indices() if offsets is None else _Indices(0, f"{base}:ord:{order}", offsets)
        return indices, summary["count"], summary["totals"]
    view_key = f"{base}:q:{query.digest()}"
    meta = r.get(view_key + ":meta")
    found = json.loads(meta) if meta is not None else _compute_view(r, base, view_key, query)
    if found["blocks"] is None:
        indices = _Indices(found["start"])
    else:
        indices = _Indices(0, view_key, tuple(found["blocks"]))
    return indices, found["count"], found["totals"]


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


def _columns(r, base: str) -> dict[str, list]:
    raw = r.get(f"{base}:cols")
    if raw is None:
        raise LookupError("usage set expired")
    return _decode_json(raw)


def _compute_view(r, base: str, view_key: str, query: Query) -> dict:
    cols = _columns(r, base)
    selected = _matching(cols, query)
    order = query.sort.lstrip("-")
    if order == "amount":
        selected.sort(key=cols["amt"].__getitem__)
    elif order == "volume":
        selected.sort(key=cols["vol"].__getitem__)
    ttl = min(_ttl(), settings.USAGE_VIEW_TTL_SECONDS)
    meta = {"count": len(selected), "totals": _totals(cols, selected), "blocks": None}
    pipe = r.pipeline(transaction=False)
    if selected and _is_range(selected, selected[0]):
        meta["start"] = selected[0]
    else:
        blocks = _index_blocks(selected)
        meta["blocks"] = _offsets(blocks)
        pipe.set(view_key, b"".join(blocks), ex=ttl)
    pipe.set(view_key + ":meta", json.dumps(meta), ex=ttl)
    pipe.execute()
    if meta["blocks"] is None:
        meta.setdefault("start", 0)
    return meta


def _positions(r, indices: _Indices, lo: int, hi: int, size: int) -> list[int]:
    """The record indices at view positions lo..hi-1."""
    if hi <= lo:
        return []
    if indices.key is None:
        return list(range(indices.start + lo, indices.start + hi))
    first, last = lo // size, (hi - 1) // size
    offsets = indices.offsets
    raw = r.getrange(indices.key, offsets[first], offsets[last + 1] - 1)
    if len(raw) != offsets[last + 1] - offsets[first]:
        raise LookupError("usage set expired")
    found: list[int] = []
    for block in range(first, last + 1):
        at = offsets[block] - offsets[first]
        found += _decode_block(raw[at : at + offsets[block + 1] - offsets[block]])
    return found[lo - first * size : hi - first * size]


def _records(r, base: str, layout: dict, indices: list[int], kept: dict) -> list[dict]:
    """The records at `indices`, in that order; `kept` holds the chunks decoded so far."""
    size, offsets = layout["records"], layout["rec"]
    wanted = sorted({i // size for i in indices} - kept.keys())
    runs: list[list[int]] = []
    for chunk in wanted:
        if runs and runs[-1][-1] == chunk - 1:
            runs[-1].append(chunk)
        else:
            runs.append([chunk])
    if runs:
        pipe = r.pipeline(transaction=False)
        for run in runs:
            pipe.getrange(f"{base}:rec", offsets[run[0]], offsets[run[-1] + 1] - 1)
        for run, raw in zip(runs, pipe.execute(), strict=False):
            if len(raw) != offsets[run[-1] + 1] - offsets[run[0]]:
                raise LookupError("usage set expired")
            for chunk in run:
                at = offsets[chunk] - offsets[run[0]]
                kept[chunk] = _decode_json(raw[at : at + offsets[chunk + 1] - offsets[chunk]])
    return [kept[i // size][i % size] for i in indices]


def _span(count: int, page: int, page_size: int, descending: bool) -> tuple[int, int]:
    start = (page - 1) * page_size
    stop = min(start + page_size, count)
    if start >= count:
        return 0, 0
    return (count - stop, count - start) if descending else (start, stop)


def read_page(set_key: str, summary: dict, query: Query) -> tuple[list[dict], int, dict]:
    """(records of the page, count of the view, totals of the view)."""
    r = _client(summary)
    indices, count, totals = _view(r, set_key, summary, query)
    layout = _layout(summary)
    descending = query.sort.startswith("-")
    lo, hi = _span(count, query.page, query.page_size, descending)
    positions = _positions(r, indices, lo, hi, layout["chunk"])
    if not positions:
        return [], count, totals
    if descending:
        positions.reverse()
    base = f"{set_key}:v{summary['version']}"
    return _records(r, base, layout, positions, {}), count, totals


def iter_view(set_key: str, summary: dict, query: Query) -> Iterator[dict]:
    """Every record of the view in order, read a chunk at a time: memory for CSV stays
    near one chunk's in time order, and the set's compressed size in any other."""
    r = _client(summary)
    indices, count, _ = _view(r, set_key, summary, query)
    layout = _layout(summary)
    size = layout["chunk"]
    base = f"{set_key}:v{summary['version']}"
    descending = query.sort.startswith("-")
    kept: dict[int, list[dict]] = {}
    for page in range(1, (count + size - 1) // size + 1):
        lo, hi = _span(count, page, size, descending)
        positions = _positions(r, indices, lo, hi, size)
        if descending:
            positions.reverse()
        if indices.key is None:
            kept.clear()  # in time order no chunk is read twice
        yield from _records(r, base, layout, positions, kept)


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
    _layout(summary)
    cols = _columns(r, base)
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
