"""The UN sanctions source: the 2020 consolidated list, the corrupted 2025 copy, bad input."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from axiswatch.errors import SourceError
from axiswatch.sources import get_source
from axiswatch.sources.base import ParseResult, bundled_path
from axiswatch.sources.un_sanctions import UnSanctionsSource, sector_of, summary_of

from .helpers import assert_parses_or_source_error, mutated_bytes

LIST_FILE = bundled_path("dprk", "un_sc_consolidated_list_2020-11-30.xml")
MOJIBAKE = "dprk/un_sc_consolidated_list_2025-08-16_MOJIBAKE_dirty.xml"
CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@pytest.fixture(scope="module")
def result() -> ParseResult:
    source = UnSanctionsSource()
    return source.parse(source.fetch(LIST_FILE), LIST_FILE.name)


@pytest.fixture(scope="module")
def events(result: ParseResult) -> list[dict]:
    return result.events.to_pylist()


def _parse(data: bytes, name: str = "list.xml") -> ParseResult:
    return UnSanctionsSource().parse(data, name)


def _small_list(*records: str) -> bytes:
    body = "".join(records)
    return f'<?xml version="1.0" encoding="UTF-8"?><CONSOLIDATED_LIST dateGenerated="2020-11-30T20:31:19"><INDIVIDUALS>{body}</INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>'.encode()  # noqa: E501


def _individual(reference: str, listed_on: str, list_type: str = "DPRK") -> str:
    return (
        f"<INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>KIM</FIRST_NAME><SECOND_NAME>TEST</SECOND_NAME>"
        f"<UN_LIST_TYPE>{list_type}</UN_LIST_TYPE><REFERENCE_NUMBER>{reference}</REFERENCE_NUMBER>"
        f"<LISTED_ON>{listed_on}</LISTED_ON><COMMENTS1>Gender: male. Works for a bank.</COMMENTS1>"
        "</INDIVIDUAL>\n"
    )


def test_registry_and_bundled_file() -> None:
    assert isinstance(get_source("un-sanctions"), UnSanctionsSource)
    assert UnSanctionsSource().bundled_paths() == [LIST_FILE]


def test_155_dprk_designations(result: ParseResult, events: list[dict]) -> None:
    kinds = Counter(json.loads(e["attrs"])["kind"] for e in events)
    years = {e["date"].year for e in events}
    assert result.rejects == []
    assert result.events.num_rows == 155
    assert kinds == {"individual": 80, "entity": 75}
    assert (min(years), max(years)) == (2009, 2018)


def test_matches_the_derived_reference_list(shared_data: Path, events: list[dict]) -> None:
    derived = shared_data / "dprk/un_sc_1718_dprk_designations_2020-11-30.derived.csv"
    with derived.open(encoding="utf-8", newline="") as handle:
        rows = {row["reference_number"]: row for row in csv.DictReader(handle)}
    assert {e["source_id"] for e in events} == set(rows)
    for event in events:
        row = rows[event["source_id"]]
        assert event["date"] == dt.date.fromisoformat(row["listed_on"])
        assert json.loads(event["attrs"])["kind"] == row["kind"]


def test_a_designation_event(events: list[dict]) -> None:
    event = next(e for e in events if e["source_id"] == "KPi.001")
    assert event["title"] == "UN 1718 Committee designates YUN HO-JIN (individual)"
    assert event["summary"] == (
        "Director of Namchongang Trading Corporation; oversees the import of items needed for "
        "the uranium enrichment program."
    )
    assert (event["actor"], event["actor_sector"], event["recipient"]) == ("UNO", "IGO", "PRK")
    assert event["recipient_sector"] == "BUSINESS"
    assert (event["cameo_code"], event["plover_type"], event["intensity"]) == (
        "163",
        "COERCE",
        -8.0,
    )
    assert event["tags"] == ["sanctions", "un_designation", "un_security_council"]
    assert (event["reliability"], event["credibility"]) == ("A", 1)
    assert event["citations"][0]["date"] == "2020-11-30"
    assert event["line"] == 862
    attrs = json.loads(event["attrs"])
    assert attrs["aliases"] == ["Yun Ho-chin"]
    assert attrs["nationality"] == ["Democratic People's Republic of Korea"]
    assert attrs["designation"] == ["Director of Namchongang Trading Corporation"]


def test_code_agrees_with_cameo2plover_and_goldstein(shared_data: Path) -> None:
    plover = (shared_data / "cameo_plover/CAMEO2PLOVER-2021.txt").read_text()
    goldstein = (shared_data / "gdelt/lookups/CAMEO.goldsteinscale.txt").read_text()
    assert re.search(r"^163: COERCE, restrict,\s+diplomatic", plover, re.MULTILINE)
    assert re.search(r"^163\t-8\.0$", goldstein, re.MULTILINE)


def test_sectors_and_summaries(events: list[dict]) -> None:
    by_id = {e["source_id"]: e for e in events}
    assert by_id["KPe.031"]["recipient_sector"] == "INTEL"  # Reconnaissance General Bureau
    assert by_id["KPe.027"]["recipient_sector"] == "GOV"  # Ministry of Atomic Energy Industry
    assert by_id["KPe.046"]["recipient_sector"] == "MIL"  # Strategic Rocket Force
    assert by_id["KPi.044"]["recipient_sector"] == "BUSINESS"  # president of a trading company
    assert by_id["KPi.029"]["recipient_sector"] == "DIPLOMATIC"  # an ambassador
    # identifier sentences are skipped: the summary says what the designee did
    assert by_id["KPe.022"]["summary"].startswith("The Chongchongang Shipping Company, through")
    assert by_id["KPi.016"]["summary"] == "Tanchon Commercial Bank Representative in Syria."
    assert all("\n" not in e["summary"] for e in events)


def test_summary_and_sector_helpers() -> None:
    listed = dt.date(2017, 1, 1)
    assert summary_of("IMO Number: 1. Owns Co. Ltd. ships. More.", [], listed) == (
        "Owns Co. Ltd. ships."
    )
    assert summary_of("Gender: male", ["Bank official"], listed) == "Bank official."
    assert summary_of("", [], listed).startswith("Listed on 2017-01-01")
    assert sector_of("entity", "SOMETHING VAGUE", []) == "UNKNOWN"
    assert sector_of("individual", "X", ["Official of a bank, which reports to a Ministry"]) == (
        "BUSINESS"
    )


def test_the_corrupted_2025_list_is_one_clear_error(shared_data: Path) -> None:
    path = shared_data / MOJIBAKE
    source = UnSanctionsSource()
    with pytest.raises(SourceError) as caught:
        source.parse(source.fetch(path), str(path))
    message = str(caught.value)
    assert "\n" not in message
    assert message == (
        f"{path}: not well-formed XML at line 53, column 11 "
        "(invalid token; control character U+0019 is not allowed in XML)"
    )


def test_the_corrupted_list_fails_on_latin1_then_on_a_bare_ampersand(shared_data: Path) -> None:
    data = CONTROL_BYTES.sub(b"", (shared_data / MOJIBAKE).read_bytes())
    with pytest.raises(SourceError, match=r"line 54, column 4 \(invalid token; byte 0xE9 is not"):
        _parse(data, "m.xml")
    repaired = data.decode("latin-1").encode("utf-8")
    with pytest.raises(SourceError, match=r"line 5199, column 51 .*'&' starts no entity reference"):
        _parse(repaired, "m.xml")


def test_bad_listed_on_is_a_reject_and_other_regimes_are_skipped() -> None:
    data = _small_list(
        _individual("KPi.901", "2017-13-01"),
        _individual("QDi.001", "2001-01-01", list_type="Al-Qaida"),
        _individual("KPi.902", "2017-08-05"),
        _individual("", "2017-08-05"),
    )
    result = _parse(data)
    assert [(r.line, r.reason, r.raw) for r in result.rejects] == [
        (1, "bad LISTED_ON date '2017-13-01' (expected YYYY-MM-DD)", "KPi.901"),
        (4, "missing REFERENCE_NUMBER", ""),
    ]
    (kept,) = result.events.to_pylist()
    assert (kept["source_id"], kept["line"], kept["summary"]) == (
        "KPi.902",
        3,
        "Works for a bank.",
    )
    assert kept["recipient_sector"] == "UNKNOWN"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "list.xml: empty file"),
        (b"<a>", "list.xml: not well-formed XML at line 1, column 4 (no element found"),
        (b"<a/>", "list.xml: not a UN consolidated list (root element <a>)"),
        (
            b'<!DOCTYPE a [<!ENTITY boom "boom">]><a>&boom;</a>',
            "list.xml: declares XML entity 'boom' at line 1; refused",
        ),
        (
            b'<!DOCTYPE a [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd">]><a/>',
            "list.xml: declares XML entity 'p' at line 1; refused",
        ),
    ],
)
def test_unusable_files_are_source_errors(data: bytes, message: str) -> None:
    with pytest.raises(SourceError) as caught:
        _parse(data)
    assert str(caught.value).startswith(message)


# --- never a crash ------------------------------------------------------------------------

REAL = LIST_FILE.read_bytes()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    assert_parses_or_source_error(UnSanctionsSource(), data, "list.xml")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_record_text_never_crashes(text: str) -> None:
    data = _small_list(_individual("KPi.1", "2017-01-01")[:-1] + text)
    assert_parses_or_source_error(UnSanctionsSource(), data, "list.xml")


@settings(max_examples=30, deadline=None)
@given(mutated_bytes(REAL, max_flips=6))
def test_mutated_real_file_never_crashes(data: bytes) -> None:
    assert_parses_or_source_error(UnSanctionsSource(), data, "list.xml")
