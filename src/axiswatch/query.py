"""Selecting events and writing them out (CSV, JSON) by their canonical column names."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa

from .schema import COLUMNS

#: nested columns, written as JSON text in CSV
_NESTED = ("citations", "tags")


def select_events(
    events: ir.Table,
    *,
    actors: Sequence[str] = (),
    since: dt.date | None = None,
    until: dt.date | None = None,
    source: str | None = None,
    limit: int | None = None,
) -> ir.Table:
    """Events filtered by actor (as actor or recipient), dates and source; newest first."""
    if actors:
        codes = [code.upper() for code in actors]
        events = events.filter(events.actor.isin(codes) | events.recipient.isin(codes))
    if since is not None:
        events = events.filter(events.date >= since)
    if until is not None:
        events = events.filter(events.date <= until)
    if source is not None:
        events = events.filter(events.source == source)
    events = events.select(*COLUMNS).order_by([events.date.desc(), events.event_id])
    return events.limit(limit) if limit is not None else events


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def event_rows(table: pa.Table) -> list[dict[str, Any]]:
    """Events as plain dicts: dates as ISO text, nested fields as lists and dicts."""
    return [{key: _plain(value) for key, value in row.items()} for row in table.to_pylist()]


def events_to_json(table: pa.Table) -> str:
    """Events as a JSON array of objects keyed by canonical column names."""
    rows = event_rows(table)
    for row in rows:
        if row.get("attrs"):
            row["attrs"] = json.loads(row["attrs"])
    return json.dumps(rows, ensure_ascii=False)


def events_to_csv(table: pa.Table) -> str:
    """Events as CSV with a header of canonical column names; nested fields as JSON."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    for row in event_rows(table):
        for key in _NESTED:
            row[key] = json.dumps(row[key], ensure_ascii=False) if row[key] is not None else ""
        writer.writerow(row)
    return buffer.getvalue()


def frame_records(frame: Any, digits: int = 4) -> list[dict[str, Any]]:
    """DataFrame rows as JSON-safe dicts: floats rounded, NaN as None."""

    def clean(value: Any) -> Any:
        if isinstance(value, float):
            return None if value != value else round(value, digits)
        return _plain(value)

    return [{k: clean(v) for k, v in row.items()} for row in frame.to_dict("records")]
