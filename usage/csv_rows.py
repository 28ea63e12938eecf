"""Usage records as CSV rows: the one column list and row shape of every usage CSV.

The API streams a filtered view with them (usage.apis), and a full export writes whole
sets with them behind its own leading columns (exports.services).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

CSV_COLUMNS = (
    "usageId",
    "startTime",
    "usageType",
    "destination",
    "destinationCode",
    "zone",
    "roaming",
    "volume",
    "volumeCode",
    "unitPrice",
    "amount",
    "currency",
    "detailInfo",
)


def csv_row(record: dict, *, lead: tuple = ()) -> list:
    """One record's row: `lead` (an export's own columns), then CSV_COLUMNS."""
    return [*lead, *(record.get(column, "") for column in CSV_COLUMNS)]


class _Echo:
    """A file that hands back what is written: csv.writer's line, for streaming."""

    def write(self, value: str) -> str:
        return value


def csv_lines(records: Iterable[dict]) -> Iterator[bytes]:
    """The header and one encoded line per record, for a streamed response."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS).encode()
    for record in records:
        yield writer.writerow(csv_row(record)).encode()
