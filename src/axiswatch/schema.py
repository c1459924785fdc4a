"""The canonical event: one PLOVER-shaped row per event, whatever its source.

Every source's ``parse()`` yields plain dicts keyed by the names in ``FIELDS``;
``validate_event`` says what is wrong with one, and ``events_table`` turns the good
ones into an Arrow table with ``EVENT_SCHEMA``. The table is documented field by
field in ``docs/schema.md`` (a test keeps the two in step).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

PLOVER_TYPES = frozenset(
    {
        "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
        "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
    }
)  # fmt: skip
DATE_PRECISIONS = ("day", "month", "year")
RELIABILITY_GRADES = ("A", "B", "C", "D", "E", "F")
SECTORS = frozenset(
    {
        "GOV", "MIL", "LEADER", "DIPLOMATIC", "LEGISLATURE", "JUDICIARY", "INTEL", "POLICE",
        "BUSINESS", "MEDIA", "CIVIL", "NGO", "IGO", "REBEL", "REFUGEE", "LABOR", "STATE_MEDIA",
        "UNKNOWN",
    }
)  # fmt: skip

CITATION_TYPE = pa.struct(
    [
        ("publisher", pa.string()),
        ("title", pa.string()),
        ("date", pa.string()),
        ("url", pa.string()),
    ]
)


@dataclass(frozen=True)
class Field:
    """One column of the canonical event."""

    name: str
    type: pa.DataType
    required: bool
    doc: str


FIELDS: tuple[Field, ...] = (
    Field("event_id", pa.string(), True, "Stable id: hash of source and source_id."),
    Field("source", pa.string(), True, "Source kind: ledger, missiles, provocations, ..."),
    Field("source_id", pa.string(), True, "The event's id within its source."),
    Field("date", pa.date32(), True, "Day the event happened (first day of its period)."),
    Field("date_precision", pa.string(), True, "day, month or year."),
    Field("actor", pa.string(), False, "ISO 3166 alpha-3 of the acting state, or IGO code."),
    Field("actor_sector", pa.string(), False, "Sector of the actor: GOV, MIL, LEADER, ..."),
    Field("actor_code", pa.string(), False, "The source's own actor code (CAMEO), kept."),
    Field("recipient", pa.string(), False, "ISO 3166 alpha-3 of the target state, or IGO code."),
    Field("recipient_sector", pa.string(), False, "Sector of the recipient."),
    Field("recipient_code", pa.string(), False, "The source's own recipient code (CAMEO)."),
    Field("plover_type", pa.string(), True, "PLOVER event type (AGREE ... ASSAULT)."),
    Field("plover_mode", pa.string(), False, "PLOVER mode, where the source gives one."),
    Field("plover_context", pa.string(), False, "PLOVER contexts, ';'-separated."),
    Field("cameo_code", pa.string(), False, "CAMEO event code, kept as text (leading zeros)."),
    Field("quad_class", pa.int8(), False, "CAMEO quad class 1-4 (verbal/material coop/conflict)."),
    Field("intensity", pa.float64(), False, "Goldstein-style score, -10 (conflict) to +10."),
    Field("mentions", pa.int32(), False, "How many mentions the source counted."),
    Field("sources_count", pa.int32(), False, "How many distinct sources reported it."),
    Field("tone", pa.float64(), False, "Average tone of the reporting (GDELT AvgTone)."),
    Field("country", pa.string(), False, "ISO 3166 alpha-3 of where the action took place."),
    Field("lat", pa.float64(), False, "Latitude of the action."),
    Field("lon", pa.float64(), False, "Longitude of the action."),
    Field("url", pa.string(), False, "Primary source URL (http or https)."),
    Field("title", pa.string(), False, "Short title of the event."),
    Field("summary", pa.string(), False, "One-sentence summary."),
    Field("citations", pa.list_(CITATION_TYPE), False, "Public sources: publisher/title/date/url."),
    Field("reliability", pa.string(), False, "Admiralty source grade A (reliable) to F."),
    Field("credibility", pa.int8(), False, "Admiralty information credibility 1 (confirmed) to 6."),
    Field("confidence", pa.float64(), False, "Confidence in the event as coded, 0 to 1."),
    Field("tags", pa.list_(pa.string()), False, "Free tags used by lens rules."),
    Field("attrs", pa.string(), False, "JSON object of source-specific fields kept verbatim."),
    Field("file", pa.string(), False, "Name of the file the event was read from."),
    Field("line", pa.int64(), False, "Line (or record number) in that file."),
    Field("ingested_at", pa.timestamp("us", tz="UTC"), False, "When the event was loaded."),
)

EVENT_SCHEMA = pa.schema([pa.field(f.name, f.type, nullable=not f.required) for f in FIELDS])
COLUMNS = tuple(f.name for f in FIELDS)
_REQUIRED = tuple(f.name for f in FIELDS if f.required)
_ISO3 = re.compile(r"^[A-Z]{3}$")
_CAMEO = re.compile(r"^\d{2,4}$")


def make_event_id(source: str, source_id: str) -> str:
    """The stable id of an event: the same source and source id always give the same id."""
    digest = hashlib.sha256(f"{source}\x1f{source_id}".encode()).hexdigest()
    return f"{source[:3]}-{digest[:16]}"


def new_event(source: str, source_id: str, **values: Any) -> dict[str, Any]:
    """A canonical event dict with its id filled in and every other field defaulted to None."""
    event = dict.fromkeys(COLUMNS)
    event.update(values, source=source, source_id=str(source_id))
    event["event_id"] = make_event_id(source, str(source_id))
    return event


def _check_code(value: Any, pattern: re.Pattern[str], what: str) -> str | None:
    if value is None or (isinstance(value, str) and pattern.match(value)):
        return None
    return f"{what} {value!r} is not valid"


def _check_range(value: Any, low: float, high: float, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, int | float) or value != value or not low <= value <= high:
        return f"{what} {value!r} is outside {low}..{high}"
    return None


def is_http_url(value: Any) -> bool:
    """True for an http(s) address: the only links axiswatch stores or ever makes."""
    return isinstance(value, str) and value.startswith(("http://", "https://"))


def _check_url(value: Any) -> str | None:
    if value is None or is_http_url(value):
        return None
    return f"url {value!r} is not an http(s) address"


def _check_sector(value: Any, what: str) -> str | None:
    if value is None or value in SECTORS:
        return None
    return f"{what} {value!r} is not one of {sorted(SECTORS)}"


def validate_event(event: Mapping[str, Any]) -> str | None:
    """The first thing wrong with one canonical event dict, or None when it is valid."""
    unknown = set(event) - set(COLUMNS)
    if unknown:
        return f"unknown field(s): {', '.join(sorted(unknown))}"
    for name in _REQUIRED:
        if event.get(name) in (None, ""):
            return f"{name} is missing"
    if not isinstance(event["date"], dt.date) or isinstance(event["date"], dt.datetime):
        return f"date {event['date']!r} is not a date"
    checks = (
        None if event["date_precision"] in DATE_PRECISIONS
        else f"date_precision {event['date_precision']!r} is not one of {DATE_PRECISIONS}",
        None if event["plover_type"] in PLOVER_TYPES
        else f"plover_type {event['plover_type']!r} is not a PLOVER type",
        _check_code(event.get("actor"), _ISO3, "actor"),
        _check_code(event.get("recipient"), _ISO3, "recipient"),
        _check_code(event.get("country"), _ISO3, "country"),
        _check_code(event.get("cameo_code"), _CAMEO, "cameo_code"),
        _check_sector(event.get("actor_sector"), "actor_sector"),
        _check_sector(event.get("recipient_sector"), "recipient_sector"),
        _check_range(event.get("quad_class"), 1, 4, "quad_class"),
        _check_range(event.get("intensity"), -10, 10, "intensity"),
        _check_range(event.get("lat"), -90, 90, "lat"),
        _check_range(event.get("lon"), -180, 180, "lon"),
        _check_range(event.get("credibility"), 1, 6, "credibility"),
        _check_range(event.get("confidence"), 0, 1, "confidence"),
        _check_url(event.get("url")),
        None if event.get("reliability") in (None, *RELIABILITY_GRADES)
        else f"reliability {event.get('reliability')!r} is not a grade A-F",
    )  # fmt: skip
    return next((problem for problem in checks if problem), None)


def events_table(events: Iterable[Mapping[str, Any]]) -> pa.Table:
    """An Arrow table in ``EVENT_SCHEMA`` from canonical event dicts (validate them first)."""
    rows = [{name: event.get(name) for name in COLUMNS} for event in events]
    for row in rows:
        if isinstance(row["attrs"], dict):
            row["attrs"] = json.dumps(row["attrs"], ensure_ascii=False, sort_keys=True)
    return pa.Table.from_pylist(rows, schema=EVENT_SCHEMA)


def empty_events() -> pa.Table:
    """An events table with no rows."""
    return EVENT_SCHEMA.empty_table()
