"""The CSIS provocations source: the real facts CSV, the coding tables, bad input."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from axiswatch.errors import SourceError
from axiswatch.sources import get_source
from axiswatch.sources.base import ParseResult, bundled_path
from axiswatch.sources.provocations import (
    ACTION_RULES,
    PROVOCATION_TYPES,
    ProvocationSource,
    coding_for,
)

from .helpers import assert_parses_or_source_error, mutated_bytes

DATA_FILE = bundled_path("dprk", "csis_north_korea_provocations_1958_present.facts.csv")
HEADER = "date,type,event,source_url"


@pytest.fixture(scope="module")
def result() -> ParseResult:
    source = ProvocationSource()
    return source.parse(source.fetch(DATA_FILE), DATA_FILE.name)


@pytest.fixture(scope="module")
def events(result: ParseResult) -> list[dict]:
    return result.events.to_pylist()


def _parse(text: str, name: str = "p.csv") -> ParseResult:
    return ProvocationSource().parse(text.encode(), name)


def _by_title(events: list[dict], title: str) -> dict:
    return next(event for event in events if event["title"] == title)


def test_registry_and_bundled_file() -> None:
    assert isinstance(get_source("provocations"), ProvocationSource)
    assert ProvocationSource().bundled_paths() == [DATA_FILE]


def test_every_row_is_an_event(result: ParseResult, events: list[dict]) -> None:
    assert result.rejects == []
    assert result.events.num_rows == 493
    assert min(e["date"] for e in events) == dt.date(1958, 2, 16)
    assert max(e["date"] for e in events) == dt.date(2026, 8, 20)
    assert {e["actor"] for e in events} == {"PRK"}
    assert all({"belligerence", "provocation"} <= set(e["tags"]) for e in events)
    assert {(e["reliability"], e["credibility"]) for e in events} == {("B", 2)}


def test_every_type_in_the_file_is_mapped() -> None:
    with DATA_FILE.open(encoding="utf-8", newline="") as handle:
        types = {row["type"] for row in csv.DictReader(handle)}
    assert types == {"Missile Provocation", "Nuclear Provocation", "Other Provocation"}
    assert types <= set(PROVOCATION_TYPES)


def test_ids_are_unique_and_stable(events: list[dict]) -> None:
    ids = [e["source_id"] for e in events]
    again = _parse(DATA_FILE.read_text(encoding="utf-8")).events.column("source_id").to_pylist()
    assert len(set(ids)) == 493 and ids == again
    # two balloon launches on 2024-10-11 share date and title: the second is numbered
    balloons = [i for i, e in zip(ids, events, strict=True) if e["date"] == dt.date(2024, 10, 11)]
    assert len(balloons) == 2 and balloons[1] == f"{balloons[0]}-2"


def test_codes_agree_with_cameo2plover_and_goldstein(shared_data: Path, events: list[dict]) -> None:
    plover = {}
    for line in (shared_data / "cameo_plover/CAMEO2PLOVER-2021.txt").read_text().splitlines():
        code, _, rest = line.partition(":")
        if code.strip().isdigit() and rest.strip():
            plover.setdefault(code.strip(), rest.split(",")[0].strip())
    goldstein_file = shared_data / "gdelt/lookups/CAMEO.goldsteinscale.txt"
    goldstein = dict(line.split("\t") for line in goldstein_file.read_text().splitlines()[1:])
    codes = {coding.cameo for coding in PROVOCATION_TYPES.values()}
    codes |= {code for _, code, _ in ACTION_RULES}
    assert codes <= set(plover) and codes <= set(goldstein)
    for event in events:
        assert event["plover_type"] == plover[event["cameo_code"]], event["title"]
        assert event["intensity"] == float(goldstein[event["cameo_code"]]), event["title"]
    assert Counter(e["plover_type"] for e in events) == {
        "MOBILIZE": 370,
        "ASSAULT": 80,
        "COERCE": 38,
        "THREATEN": 4,
        "REJECT": 1,
    }


def test_event_rows_carry_plover_and_goldstein(events: list[dict]) -> None:
    for event in events:
        assert event["intensity"] is not None and event["plover_type"]
    shelling = _by_title(events, "Shelling of Yeonpyeong Island")
    assert (shelling["cameo_code"], shelling["plover_type"], shelling["intensity"]) == (
        "194",
        "ASSAULT",
        -10.0,
    )


@pytest.mark.parametrize(
    ("title", "cameo", "recipient", "tags"),
    [
        ("Shelling of Yeonpyeong Island", "194", "KOR", {"inter_korean", "maritime"}),
        ("DMZ Exchange of Fire", "190", "KOR", {"inter_korean", "border", "armed_clash"}),
        ("Balloon-floating Trash", "170", "KOR", {"inter_korean", "gray_zone"}),
        ("Nuclear Test", "150", None, {"nuclear", "nuclear_test"}),
        ("Satellite Launch", "150", None, {"missile_test", "satellite"}),
        ("Short-range Ballistic Missile Launch", "150", None, {"missile_test"}),
        ("Seizure of USS Pueblo", "171", "USA", {"us_target"}),
        ("Hijacking of JAL aircraft (Boeing 727)", "181", "JPN", {"hijacking"}),
        ("The Rangoon Bombing", "183", "KOR", {"terrorism"}),
        ("Withdrawal from NPT", "128", None, {"nuclear"}),
        ("Artillery Fire", "150", None, set()),
    ],
)
def test_titles_refine_the_coding(
    events: list[dict], title: str, cameo: str, recipient: str | None, tags: set[str]
) -> None:
    event = _by_title(events, title)
    assert (event["cameo_code"], event["recipient"]) == (cameo, recipient)
    assert tags <= set(event["tags"])


def test_six_nuclear_tests(events: list[dict]) -> None:
    tests = [e["date"].year for e in events if "nuclear_test" in e["tags"]]
    assert sorted(tests) == [2006, 2009, 2013, 2016, 2016, 2017]


def test_recipients(events: list[dict]) -> None:
    assert Counter(e["recipient"] for e in events) == {None: 305, "KOR": 173, "USA": 14, "JPN": 1}


def test_urls_and_citations(events: list[dict]) -> None:
    first = events[0]
    assert first["url"].startswith("https://www.reuters.com/")
    assert first["citations"][0]["publisher"] == "CSIS Beyond Parallel"
    assert first["citations"][0]["title"] == "North Korean provocations database"
    assert first["citations"][1]["publisher"] == "reuters.com"
    clash = next(e for e in events if e["citations"][-1]["title"] == "Korean Peninsula Clashes")
    assert clash["url"] is None  # a bibliographic note, not an address: the row is kept
    no_source = [e for e in events if len(e["citations"]) == 1]
    assert len(no_source) == 1 and no_source[0]["url"] is None


def test_unknown_type_is_rejected_by_name() -> None:
    result = _parse(f"{HEADER}\n2020-01-01,Cyber Provocation,Hack,https://x.org\n")
    assert [(r.line, r.reason) for r in result.rejects] == [
        (2, "unknown provocation type 'Cyber Provocation'")
    ]
    assert coding_for("Cyber Provocation", "x") == "unknown provocation type 'Cyber Provocation'"


def test_malformed_rows_are_rejects(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        f"{HEADER}\n"
        "2020-01-01,Missile Provocation,Missile Launch,https://a.org/1\n"
        "2020-02-30,Missile Provocation,Missile Launch,https://a.org/2\n"
        "2020-03-01,Missile Provocation\n"
        "\n"
        '2020-04-01,Other Provocation,"multi\nline",https://a.org/3,extra\n'
        "2020-05-01,Other Provocation,,https://a.org/4\n"
        "01/06/2020,Other Provocation,DMZ Enroachment,\n"
        "2020-07-01,Other Provocation,DMZ Enroachment,www.mnd.go.kr/x.pdf\n",
        encoding="utf-8",
    )
    source = ProvocationSource()
    result = source.parse(source.fetch(path), path.name)
    assert [(r.line, r.reason) for r in result.rejects] == [
        (3, "bad date '2020-02-30' (expected YYYY-MM-DD)"),
        (4, "expected 4 fields, got 2"),
        (6, "expected 4 fields, got 5"),
        (8, "missing event title"),
        (9, "bad date '01/06/2020' (expected YYYY-MM-DD)"),
    ]
    kept = result.events.to_pylist()
    assert [(e["line"], e["url"]) for e in kept] == [(2, "https://a.org/1"), (10, None)]
    assert kept[1]["recipient"] == "KOR"


def test_wrong_layout_is_a_source_error() -> None:
    with pytest.raises(SourceError, match=r"p\.csv: not the CSIS provocations layout"):
        _parse("when,what\n2020-01-01,x\n")
    with pytest.raises(SourceError, match=r"p\.csv: empty file"):
        _parse("")
    with pytest.raises(SourceError, match=r"p\.csv: not valid UTF-8"):
        ProvocationSource().parse(HEADER.encode() + b"\n2020-01-01,\xff,x,y\n", "p.csv")


# --- never a crash ------------------------------------------------------------------------

REAL = DATA_FILE.read_bytes()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    assert_parses_or_source_error(ProvocationSource(), data, "p.csv")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300).map(lambda text: f"{HEADER}\n{text}".encode()))
def test_arbitrary_rows_never_crash(data: bytes) -> None:
    assert_parses_or_source_error(ProvocationSource(), data, "p.csv")


@settings(max_examples=60, deadline=None)
@given(mutated_bytes(REAL, max_flips=8))
def test_mutated_real_file_never_crashes(data: bytes) -> None:
    assert_parses_or_source_error(ProvocationSource(), data, "p.csv")


def test_csv_field_too_large_is_a_reject() -> None:
    big = "x" * (csv.field_size_limit() + 10)
    text = f'{HEADER}\n2020-01-01,Other Provocation,"{big}",\n2020-01-02,Other Provocation,DMZ,\n'
    result = _parse(text)
    assert [r.reason.startswith("unreadable CSV record") for r in result.rejects] == [True]
    assert result.events.num_rows == 1
