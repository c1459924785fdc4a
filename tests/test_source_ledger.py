"""The curated ledger as shipped: real, sourced, coded, and covering what the paper covers."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from axiswatch.errors import SourceError
from axiswatch.lens import load_lens
from axiswatch.sources.ledger import LedgerSource

from .helpers import ledger_entry, write_ledger


@pytest.fixture(scope="module")
def ledger():
    source = LedgerSource()
    path = source.bundled_paths()[0]
    return source.parse(source.fetch(path), path.name)


def test_every_entry_loads(ledger):
    assert ledger.rejects == []
    assert ledger.events.num_rows >= 120


def test_it_runs_from_the_vladivostok_summit(ledger):
    dates = ledger.events.column("date").to_pylist()
    assert min(dates) == dt.date(2019, 4, 25)
    assert max(dates) >= dt.date(2025, 1, 1)
    assert dates == sorted(dates)


def test_every_event_is_sourced_graded_and_summarised(ledger):
    for event in ledger.events.to_pylist():
        assert event["citations"], event["source_id"]
        for citation in event["citations"]:
            assert citation["publisher"] and citation["title"] and citation["date"]
            assert citation["url"] is None or citation["url"].startswith("https://")
        assert event["reliability"] in "ABC" and 1 <= event["credibility"] <= 4
        assert event["summary"] and event["summary"] != event["title"]


KEY_EVENTS = {
    "2019-04-25": "summit",  # Vladivostok
    "2023-09-13": "summit",  # Vostochny
    "2024-03-28": "un_veto",  # the end of the Panel of Experts
    "2024-06-19": "treaty",  # the Comprehensive Strategic Partnership treaty
    "2024-10-16": "msmt",  # the Multilateral Sanctions Monitoring Team
    "2024-12-04": "treaty",  # its entry into force
}


@pytest.mark.parametrize(("day", "tag"), KEY_EVENTS.items())
def test_the_key_events_are_there(ledger, day, tag):
    tags = [e["tags"] for e in ledger.events.to_pylist() if str(e["date"]) == day]
    assert any(tag in t for t in tags), f"no {tag} event on {day}"


def test_every_theme_of_the_paper_has_evidence(ledger):
    counts = Counter(tag for tags in ledger.events.column("tags").to_pylist() for tag in tags)
    for tag in ("rec_rok_ukraine", "rec_deterrence", "rec_jkc", "rec_minilateral",
                "rec_information"):  # fmt: skip
        assert counts[tag] >= 3, tag
    assert counts["china"] >= 6 and counts["troops"] + counts["kursk"] >= 8
    for tag in (
        "un_veto",
        "panel_of_experts",
        "msmt",
        "sanctions_evasion",
        "arms_transfer",
        "missiles_in_ukraine",
        "belligerence",
        "transport_link",
        "technology_transfer",
    ):
        assert counts[tag] >= 1, tag


def test_no_tag_rule_of_the_lens_is_dead(ledger):
    """Each indicator that reads tags finds at least one of its tags in the ledger."""
    lens = load_lens()
    used = {t for tags in ledger.events.column("tags").to_pylist() for t in tags}
    dead = [i.id for f in lens.families for i in f.indicators if i.rule.tags
            and not set(i.rule.tags) & used]  # fmt: skip
    assert dead == []


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"colour": "red"}, "unknown field(s): colour"),
        ({"sources": []}, "at least one source is required"),
        ({"sources": [{"publisher": "X", "date": "2024"}]}, "source is missing title"),
        ({"tags": []}, "tags must be a non-empty list"),
        ({"date": "2024-02-30"}, "'2024-02-30' is not an ISO date"),
        ({"plover_type": "FIGHT"}, "not a PLOVER type"),
    ],
)
def test_malformed_entries_are_rejected_with_a_reason(tmp_path, change, reason):
    entries = [ledger_entry(1), ledger_entry(2, **change)]
    path = write_ledger(tmp_path / "l.yaml", entries)
    result = LedgerSource().parse(path.read_bytes(), path.name)
    assert result.events.num_rows == 1 and len(result.rejects) == 1
    assert reason in result.rejects[0].reason and result.rejects[0].line > 1


def test_duplicate_ids_and_non_mappings(tmp_path):
    path = write_ledger(tmp_path / "l.yaml", [ledger_entry(1), ledger_entry(1), "just text"])
    result = LedgerSource().parse(path.read_bytes(), path.name)
    reasons = sorted(r.reason for r in result.rejects)
    assert result.events.num_rows == 1
    assert reasons == ["an event must be a mapping of fields", "duplicate id 'test-event-0001'"]


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_any_bytes_give_events_rejects_or_one_source_error(data):
    """Property: the ledger parser never fails with anything but a SourceError."""
    try:
        result = LedgerSource().parse(data, "fuzz.yaml")
    except SourceError as exc:
        assert "\n" not in str(exc)
    else:
        assert result.rows_seen == result.events.num_rows + len(result.rejects)
