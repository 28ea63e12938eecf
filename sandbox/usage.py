"""Usage records: each one computed on its own from a hash, cached per subscription and month.

Record k of subscription S in calendar month M is a pure function of (seed, S, M, k): its
start time is M's first midnight + k * interval + a jitter below one interval, so start
times only grow with k. The records of a month are those whose start lies inside the
subscription's active window; the unbilled ones are, in addition, those that have
started by `now`. A later `now` therefore yields the same records plus a longer tail, and
an invoiced month yields exactly what was unbilled before the invoice day.

Records are generated per calendar month (not per billing period) so that the unbilled
set before the 10th and the billed set after it agree record for record.

`MonthUsage` keeps a month's records as ready-made JSON fragments and extends them only by
the tail that has started since the last call, so serving the busy M2M subscription
(tens of thousands of records) costs a list join, not a regeneration.
"""

import bisect
import json
import math
import struct
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from hashlib import blake2b
from typing import NamedTuple

from .catalog import CURRENCY, MOBILE_PREFIXES, money
from .cycle import STOCKHOLM, add_months, midnight, unbilled_period_start
from .data import Subscription

_WORDS = struct.Struct("<8I")
_RANGE = 4294967296
_SCALE = 1 / _RANGE

_CONTENT = ("Parkering", "Kollektivtrafikbiljett", "Insamling", "Röstning", "Tjänst via SMS")
_ABROAD_EU = ("49", "45", "47", "358", "33", "34")
_ABROAD_WORLD = ("1", "44", "66", "90", "971", "61")
_ROAMING_CALL = "Samtal i utlandet"


def _mobile_prefix(draw: float) -> str:
    return MOBILE_PREFIXES[int(draw * len(MOBILE_PREFIXES))]


def _masked(prefix: str, draw: float, digits: int) -> str:
    # Call records show the other party with the last digits hidden, as on real invoices.
    number = f"{prefix}{int(draw * 10**digits):0{digits}d}"
    return number[:-3] + "XXX"


class Record(NamedTuple):
    """What a record's amount depends on; `describe` adds the descriptive fields."""

    k: int
    start: int  # epoch seconds
    amount: int  # öre excl. VAT
    usage_type: str
    zone: str
    roaming: bool
    volume: int
    volume_code: str
    unit_price: int  # öre per started minute, event or MB
    words: tuple  # the record's hash, for `describe`


class _LocalClock:
    """Epoch seconds to Stockholm ISO 8601 within one month, fast.

    A month holds at most one DST switch, so two offsets and the switch instant are
    found once; formatting then needs no time zone lookups (records are many).
    """

    def __init__(self, start: float, end: float):
        first, last = _offset(start), _offset(end - 1)
        switch = int(end)
        if first != last:
            low, high = int(start), int(end) - 1
            while low < high:
                middle = (low + high) // 2
                if _offset(middle) == last:
                    high = middle
                else:
                    low = middle + 1
            switch = low
        self.switch, self.before, self.after = switch, first, last
        self.days: dict[int, str] = {}

    def iso(self, ts: int) -> str:
        offset = self.before if ts < self.switch else self.after
        day, second = divmod(ts + offset, 86400)
        text = self.days.get(day)
        if text is None:
            text = self.days[day] = date.fromordinal(_EPOCH_ORDINAL + day).isoformat()
        hours, minutes = divmod(offset // 60, 60)
        return (
            f"{text}T{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
            f"+{hours:02d}:{minutes:02d}"
        )


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def _offset(ts: float) -> int:
    return int(datetime.fromtimestamp(ts, STOCKHOLM).utcoffset().total_seconds())


class MonthPlan:
    """What all records of one subscription in one calendar month share.

    `record(k)` computes record k alone from blake2b(seed|subscriptionNo|month|k).
    """

    def __init__(self, seed: str, sub: Subscription, month: date):
        self.sub, self.month = sub, month
        self.prefix = f"{seed}|{sub.subscription_no}|{month:%Y-%m}|".encode()
        self.stem = f"{sub.subscription_no}-{month:%Y%m}-"
        self.base = base = midnight(month)
        month_end = midnight(add_months(month, 1))
        self.clock = _LocalClock(base, month_end)
        self.end = month_end if sub.usage_end is None else min(month_end, midnight(sub.usage_end))
        self.start = max(base, midnight(sub.start_date))
        self.empty = sub.records_per_day <= 0 or self.end <= self.start
        self.interval = 86400 / sub.records_per_day if not self.empty else 1.0
        # Records before the subscription started are skipped without being computed.
        self.first_k = 0 if self.empty else max(0, int((self.start - base) // self.interval) - 1)

    def records(self, until: float = math.inf, k: int | None = None):
        """Records from index k (default: the first) that start in the window and by `until`.

        Stops at the first record past `until`; `self.next_k` is where to resume.
        """
        k = self.first_k if k is None else k
        self.next_k, self.complete = k, self.empty
        if self.empty:
            return
        while True:
            record = self.record(k)
            if record.start >= self.end:
                self.complete = True
                return
            if record.start > until:
                return
            k += 1
            self.next_k = k
            if record.start >= self.start:
                yield record

    def record(self, k: int) -> Record:
        w = _WORDS.unpack(blake2b(self.prefix + b"%d" % k, digest_size=32).digest())
        interval = self.interval
        start = int(self.base + k * interval + w[0] * _SCALE * interval * 0.9)
        if self.sub.kind == "iot":
            return Record(k, start, 10, "data", "domestic", False, 1 + w[4] * 800 // _RANGE,
                          "KB", 10, w)  # fmt: skip
        roaming = self.sub.roaming and w[2] * _SCALE < 0.12
        u3 = w[3] * _SCALE
        if roaming:
            zone = "eu" if u3 < 0.8 else "world"
        else:
            zone = "eu" if u3 < 0.04 else "world" if u3 < 0.05 else "domestic"
        kind, u4 = w[1] * _SCALE, w[4] * _SCALE
        if kind < 0.40:
            seconds = 5 + int(1795 * u4**3)
            if zone == "domestic" or (roaming and zone == "eu"):
                price = 49  # EU roaming is charged as at home
            elif roaming:
                price = 1990
            else:
                price = 199 if zone == "eu" else 990
            # Calls are charged per started minute.
            return Record(k, start, -(-seconds // 60) * price, "voice", zone, roaming, seconds,
                          "S", price, w)  # fmt: skip
        if kind < 0.68:
            if kind >= 0.65:
                return Record(k, start, 149, "mms", zone, roaming, 1, "E", 149, w)
            price = 39 if zone != "world" else (490 if roaming else 190)
            return Record(k, start, price, "sms", zone, roaming, 1, "E", price, w)
        if kind < 0.93:
            if roaming and zone == "world":
                kb = 1 + int(2048 * u4)
                price, amount = 1490, 1490 * -(-kb // 1024)
            else:
                kb = 1 + int(200_000 * u4**3)
                price, amount = 0, 0  # domestic and EU data are included in the plan
            zone = zone if roaming else "domestic"
            if kb >= 10240:
                return Record(k, start, amount, "data", zone, roaming, -(-kb // 1024), "MB",
                              price, w)  # fmt: skip
            return Record(k, start, amount, "data", zone, roaming, kb, "KB", price, w)
        if kind < 0.97:
            amount = 1000 + int(u4 * 90) * 100
            return Record(k, start, amount, "content", "domestic", False, 1, "E", amount, w)
        seconds = 5 + int(600 * u4**2)
        price = 0 if w[5] * _SCALE < 0.7 else 990  # voicemail, or a premium-rate number
        return Record(k, start, -(-seconds // 60) * price, "other", "domestic", False, seconds,
                      "S", price, w)  # fmt: skip

    def describe(self, record: Record) -> tuple[str, str, str]:
        """(destination, destinationCode, detailInfo): shown, but never part of the amount."""
        w, zone, roaming = record.words, record.zone, record.roaming
        u5, u6, u7 = w[5] * _SCALE, w[6] * _SCALE, w[7] * _SCALE
        usage_type = record.usage_type
        if self.sub.kind == "iot":
            return "m2m.iot", "APN-M2M", "M2M data"
        if usage_type == "voice":
            if roaming:
                return _masked(_mobile_prefix(u5), u6, 7), f"ROAM-{zone.upper()}", _ROAMING_CALL
            if zone == "domestic":
                if u5 < 0.75:
                    return _masked(_mobile_prefix(u6), u7, 7), "SE-MOB", "Samtal till mobil"
                return _masked("468", u7, 7), "SE-FIX", "Samtal till fast telefon"
            countries = _ABROAD_EU if zone == "eu" else _ABROAD_WORLD
            number = _masked(countries[int(u5 * len(countries))], u6, 8)
            return number, zone.upper(), "Samtal till utlandet"
        if usage_type in ("sms", "mms"):
            if roaming:
                code = f"ROAM-{zone.upper()}"
            else:
                code = "SE-MSG" if zone == "domestic" else "ABROAD"
            return _masked(_mobile_prefix(u5), u6, 7), code, usage_type.upper()
        if usage_type == "data":
            if not roaming:
                return "internet", "APN-INTERNET", "Mobildata"
            detail = "Mobildata utomlands" if zone == "world" else "Mobildata utomlands (EU)"
            return "internet", "APN-INTERNET", detail
        if usage_type == "content":
            return f"72{int(u6 * 1000):03d}", "CONTENT", _CONTENT[int(u5 * len(_CONTENT))]
        if record.unit_price == 0:
            return "voicemail", "SE-VMAIL", "Röstbrevlåda"
        return _masked("46900", u6, 5), "SE-PREMIUM", "Samtal till betalnummer"

    def render(self, record: Record) -> dict:
        """The record as the API shows it."""
        destination, destination_code, detail = self.describe(record)
        return {
            "usageId": f"{self.stem}{record.k:06d}",
            "startTime": self.clock.iso(record.start),
            "usageType": record.usage_type,
            "destination": destination,
            "destinationCode": destination_code,
            "zone": record.zone,
            "roaming": record.roaming,
            "volume": record.volume,
            "volumeCode": record.volume_code,
            "unitPrice": _money(record.unit_price),
            "amount": _money(record.amount),
            "currency": CURRENCY,
            "detailInfo": detail,
        }

    def fragment(self, record: Record) -> bytes:
        """`render` as compact JSON, written out by hand because it runs per record.

        Every string in a record comes from this module's constants or digits, so none
        needs escaping; a test checks that this equals json.dumps(render(record)).
        """
        destination, destination_code, detail = self.describe(record)
        return (
            f'{{"usageId":"{self.stem}{record.k:06d}",'
            f'"startTime":"{self.clock.iso(record.start)}",'
            f'"usageType":"{record.usage_type}","destination":"{destination}",'
            f'"destinationCode":"{destination_code}","zone":"{record.zone}",'
            f'"roaming":{"true" if record.roaming else "false"},"volume":{record.volume},'
            f'"volumeCode":"{record.volume_code}","unitPrice":"{_money(record.unit_price)}",'
            f'"amount":"{_money(record.amount)}","currency":"{CURRENCY}",'
            f'"detailInfo":"{detail}"}}'
        ).encode()


_money_cache: dict[int, str] = {}


def _money(ore: int) -> str:
    text = _money_cache.get(ore)
    if text is None:
        text = _money_cache[ore] = money(ore)
    return text


class MonthUsage:
    """One subscription's records in one calendar month, extended as time passes."""

    def __init__(self, seed: str, sub: Subscription, month: date):
        self.plan = MonthPlan(seed, sub, month)
        self.next_k = self.plan.first_k
        self.complete = self.plan.empty
        self.starts: list[int] = []
        self.fragments: list[bytes] = []
        self.running_total: list[int] = []  # öre, cumulative, for prefix sums
        self.lock = threading.Lock()

    def _extend(self, until: float) -> None:
        plan = self.plan
        total = self.running_total[-1] if self.running_total else 0
        for record in plan.records(until, self.next_k):
            total += record.amount
            self.starts.append(record.start)
            self.fragments.append(plan.fragment(record))
            self.running_total.append(total)
        self.next_k, self.complete = plan.next_k, plan.complete

    def until(self, until: float) -> tuple[list[bytes], int]:
        """The fragments of records started by `until`, and the sum of their amounts."""
        with self.lock:
            if not self.complete and (not self.starts or self.starts[-1] < until):
                self._extend(until)
            count = bisect.bisect_right(self.starts, until)
            return self.fragments[:count], (self.running_total[count - 1] if count else 0)


_CACHE_SIZE = 256
_months: OrderedDict[tuple, MonthUsage] = OrderedDict()
_months_lock = threading.Lock()


def month_usage(seed: str, sub: Subscription, month: date) -> MonthUsage:
    key = (seed, sub, month)
    with _months_lock:
        found = _months.get(key)
        if found is None:
            found = _months[key] = MonthUsage(seed, sub, month)
            if len(_months) > _CACHE_SIZE:
                _months.popitem(last=False)
        else:
            _months.move_to_end(key)
        return found


_totals: dict[tuple, tuple[int, int]] = {}
_totals_lock = threading.Lock()


def month_totals(seed: str, sub: Subscription, month: date) -> tuple[int, int]:
    """(record count, amount in öre) of a whole month, without keeping the records.

    Invoices need these for every subscription and month; computing them with the same
    `MonthPlan.record` as the served records is what keeps invoice lines and usage equal.
    """
    key = (seed, sub, month)
    with _totals_lock:
        found = _totals.get(key)
    if found is not None:
        return found
    count = amount = 0
    for record in MonthPlan(seed, sub, month).records():
        count += 1
        amount += record.amount
    with _totals_lock:
        _totals[key] = (count, amount)
    return count, amount


@dataclass(frozen=True)
class UsageSlice:
    fragments: list[bytes]
    count: int
    total: int  # öre

    def records(self) -> list[dict]:
        return [json.loads(fragment) for fragment in self.fragments]


def billed_usage(seed: str, sub: Subscription, month: date) -> UsageSlice:
    fragments, total = month_usage(seed, sub, month).until(math.inf)
    return UsageSlice(fragments, len(fragments), total)


def unbilled_usage(seed: str, sub: Subscription, now: datetime) -> UsageSlice:
    """Records from the unbilled period start up to `now` (an aware datetime)."""
    until = now.timestamp()
    month = unbilled_period_start(now.astimezone(STOCKHOLM).date())
    current = now.astimezone(STOCKHOLM).date().replace(day=1)
    fragments: list[bytes] = []
    total = 0
    while month <= current:
        part, amount = month_usage(seed, sub, month).until(until)
        fragments.extend(part)
        total += amount
        month = add_months(month, 1)
    return UsageSlice(fragments, len(fragments), total)
