"""The canonical schema: validation rules and the docs that describe it."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from axiswatch.schema import (
    COLUMNS,
    EVENT_SCHEMA,
    FIELDS,
    events_table,
    make_event_id,
    new_event,
    validate_event,
)

from .conftest import REPO


def good_event(**changes: object) -> dict[str, object]:
    event = new_event(
        "ledger", "x-1", date=dt.date(2024, 6, 19), date_precision="day", actor="PRK",
        recipient="RUS", plover_type="AGREE", cameo_code="057", intensity=8.0,
        url="https://example.org/a", reliability="A", credibility=1, confidence=0.9,
        tags=["treaty"],
    )  # fmt: skip
    event.update(changes)
    return event


def test_a_good_event_is_valid_and_becomes_an_arrow_row():
    event = good_event()
    assert validate_event(event) is None
    table = events_table([event])
    assert table.schema.equals(EVENT_SCHEMA)
    assert table.column("cameo_code").to_pylist() == ["057"]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"date": None}, "date is missing"),
        ({"date": "2024-06-19"}, "is not a date"),
        ({"date_precision": "week"}, "date_precision"),
        ({"plover_type": "FIGHT"}, "not a PLOVER type"),
        ({"actor": "North Korea"}, "actor"),
        ({"recipient": "ru"}, "recipient"),
        ({"cameo_code": "57a"}, "cameo_code"),
        ({"intensity": 11.0}, "intensity"),
        ({"intensity": float("nan")}, "intensity"),
        ({"lat": 91.0}, "lat"),
        ({"credibility": 7}, "credibility"),
        ({"confidence": 1.5}, "confidence"),
        ({"reliability": "Z"}, "reliability"),
        ({"url": "javascript:alert(1)"}, "http"),
        ({"actor_sector": "ARMY"}, "actor_sector"),
        ({"colour": "red"}, "unknown field"),
    ],
)
def test_each_rule_rejects_what_it_should(changes, reason):
    problem = validate_event(good_event(**changes))
    assert problem is not None and reason in problem


def test_event_ids_are_stable_and_distinct_per_source():
    assert make_event_id("ledger", "a") == make_event_id("ledger", "a")
    assert make_event_id("ledger", "a") != make_event_id("gdelt", "a")
    assert make_event_id("ledger", "a").startswith("led-")


def test_docs_list_every_field_with_its_type():
    text = (REPO / "docs" / "schema.md").read_text(encoding="utf-8")
    documented = dict(re.findall(r"^\| `(\w+)` \| `([^`]+)` \|", text, flags=re.M))
    assert list(documented) == list(COLUMNS)
    assert documented == {f.name: str(f.type) for f in FIELDS}
