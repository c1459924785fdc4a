"""Selecting events and writing them out (CSV, JSON, Parquet) by their canonical column names."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.parquet as pq

from .schema import COLUMNS

#: nested columns, written as JSON text in CSV
_NESTED = ("citations", "tags")


def one_a_day(events: ir.Table) -> ir.Table:
    """At most one event a day per dyad and CAMEO root code (the best-sourced one: highest
    confidence, then most sources); events without a CAMEO code are all kept.

    GDELT codes the same happening many times as the news repeats it; this rule counts a
    pair's visit, threat or deal once a day however often it was reported."""
    root = events.cameo_code.substr(0, 2)
    ranked = events.mutate(
        _rank=ibis.row_number().over(
            group_by=[events.date, events.actor, events.recipient, root],
            order_by=[events.confidence.desc(), events.sources_count.desc(), events.event_id],
        )
    )
    kept = ranked.filter(ranked.cameo_code.isnull() | (ranked._rank == 0))
    return kept.drop("_rank")


def select_events(
    events: ir.Table,
    *,
    actors: Sequence[str] = (),
    since: dt.date | None = None,
    until: dt.date | None = None,
    source: str | None = None,
    limit: int | None = None,
    dedupe_daily: bool = False,
) -> ir.Table:
    """Events filtered by actor (as actor or recipient), dates and source; newest first.
    ``dedupe_daily`` applies the one-a-day rule (``one_a_day``) after the filters."""
    if actors:
        codes = [code.upper() for code in actors]
        events = events.filter(events.actor.isin(codes) | events.recipient.isin(codes))
    if since is not None:
        events = events.filter(events.date >= since)
    if until is not None:
        events = events.filter(events.date <= until)
    if source is not None:
        events = events.filter(events.source == source)
    if dedupe_daily:
        events = one_a_day(events)
    events = events.select(*COLUMNS).order_by([events.date.desc(), events.event_id])
    return events.limit(limit) if limit is not None else events


def events_to_parquet(table: pa.Table, path: str | Path) -> Path:
    """Write events to a Parquet file (canonical schema), atomically; the path written."""
    target = Path(path)
    temp = target.with_name(f".{target.name}.tmp")
    pq.write_table(table, temp, compression="zstd")
    os.replace(temp, target)
    return target


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
