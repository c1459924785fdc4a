"""The CNS missile test source: the nagix JSON, NTI's CSV and xlsx layouts, bad input."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from axiswatch.errors import SourceError
from axiswatch.sources import get_source
from axiswatch.sources.base import ParseResult, bundled_path
from axiswatch.sources.missiles import (
    CAMEO_CODE,
    MissileSource,
    layout_of,
    missile_tags,
    parse_date,
)

from .helpers import assert_parses_or_source_error, mutated_bytes

TEST_FILE = bundled_path("dprk", "cns_missile_tests_nagix_test.en.json")
SAMPLE_CSV = bundled_path("dprk", "cns_missile_test_database_official_layout.sample.csv")


@pytest.fixture(scope="module")
def launches() -> ParseResult:
    source = MissileSource()
    return source.parse(source.fetch(TEST_FILE), TEST_FILE.name)


@pytest.fixture(scope="module")
def events(launches: ParseResult) -> list[dict]:
    return launches.events.to_pylist()


def _xlsx_from_csv(text: str) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in csv.reader(io.StringIO(text, newline="")):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _parse(data: bytes, name: str) -> ParseResult:
    return MissileSource().parse(data, name)


# --- the bundled database --------------------------------------------------------------


def test_registry_gives_the_missile_source() -> None:
    assert isinstance(get_source("missiles"), MissileSource)
    assert MissileSource.bundled == ("dprk/cns_missile_tests_nagix_test.en.json",)
    assert MissileSource().bundled_paths() == [TEST_FILE]


def test_reproduces_the_database_counts(launches: ParseResult, events: list[dict]) -> None:
    years = Counter(event["date"].year for event in events)
    assert launches.rejects == []
    assert launches.events.num_rows == 339
    assert sum(n for year, n in years.items() if 1984 <= year <= 2013) == 39
    assert years[2022] == 69


def test_ids_are_unique_and_stable(events: list[dict]) -> None:
    again = _parse(TEST_FILE.read_bytes(), TEST_FILE.name).events.column("source_id").to_pylist()
    ids = [event["source_id"] for event in events]
    assert len(set(ids)) == 339
    assert ids == again
    # the data's own series numbers repeat within 2006-07-05; the ids do not
    assert [i for i in ids if i.startswith("2006-07-05")] == [
        f"2006-07-05#{n}" for n in range(1, 8)
    ]


def test_a_launch_is_coded_as_a_show_of_military_power(events: list[dict]) -> None:
    launch = next(e for e in events if e["source_id"] == "2023-04-12#1")
    assert launch["title"] == "Hwasong-18 (ICBM) launch from Samsok missle test site"
    assert (launch["actor"], launch["actor_sector"], launch["country"]) == ("PRK", "MIL", "PRK")
    assert (launch["cameo_code"], launch["plover_type"], launch["intensity"]) == (
        "150",
        "MOBILIZE",
        -7.2,
    )
    assert (launch["lat"], launch["lon"]) == (39.112, 125.998)
    assert launch["tags"] == ["missile_test", "icbm"]
    assert launch["reliability"] == "A"
    assert "apogee 3000 km" in launch["summary"] and "distance 1000 km" in launch["summary"]
    attrs = json.loads(launch["attrs"])
    assert attrs["outcome"] == "success"
    assert attrs["landing"] == "Sea of Japan or East Sea"
    assert attrs["launch_time_utc"] == "22:22"
    assert launch["citations"][0]["publisher"] == (
        "James Martin Center for Nonproliferation Studies (CNS) / NTI"
    )
    assert launch["citations"][0]["title"] == "CNS North Korea Missile Test Database"


def test_code_and_intensity_agree_with_the_cameo_tables(shared_data: Path) -> None:
    goldstein = dict(
        line.split("\t")
        for line in (shared_data / "gdelt/lookups/CAMEO.goldsteinscale.txt")
        .read_text()
        .splitlines()[1:]
        if line.strip()
    )
    plover_line = next(
        line
        for line in (shared_data / "cameo_plover/CAMEO2PLOVER-2021.txt").read_text().splitlines()
        if line.startswith(f"{CAMEO_CODE}:")
    )
    assert float(goldstein[CAMEO_CODE]) == -7.2
    assert plover_line.split(":")[1].split(",")[0].strip() == "MOBILIZE"


def test_month_only_dates_keep_month_precision(events: list[dict]) -> None:
    month = [e for e in events if e["date_precision"] == "month"]
    assert len(month) == 8
    assert next(e for e in month if e["source_id"] == "1984-09#1")["date"] == dt.date(1984, 9, 1)


def test_satellite_launchers_and_unknown_sites(events: list[dict]) -> None:
    slv = [e for e in events if "slv" in e["tags"]]
    assert slv and all("satellite" in e["tags"] for e in slv)
    unlocated = [e for e in events if json.loads(e["attrs"])["facility_key"] == "unknown"]
    assert unlocated and all(e["lat"] is None and e["lon"] is None for e in unlocated)
    assert not any("nuclear_capable" in e["tags"] for e in events)  # the data never says so


def test_missile_tags_keep_unlisted_types() -> None:
    assert missile_tags("SLV", False) == ["missile_test", "slv", "satellite"]
    assert missile_tags("Hypersonic Glide Vehicle", False) == [
        "missile_test",
        "hypersonic_glide_vehicle",
    ]
    assert missile_tags("Unknown", True) == ["missile_test", "nuclear_capable"]
    assert missile_tags(None, False) == ["missile_test"]


# --- dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9-Apr-84", (dt.date(1984, 4, 9), "day")),
        ("Sep-84", (dt.date(1984, 9, 1), "month")),
        ("5-Jul-06", (dt.date(2006, 7, 5), "day")),
        ("12-dec-79", (dt.date(2079, 12, 12), "day")),
        ("1984-09", (dt.date(1984, 9, 1), "month")),
        ("2023-04-12", (dt.date(2023, 4, 12), "day")),
        ("", "missing date"),
        ("31-Feb-84", "bad date '31-Feb-84'"),
        ("Foo-84", "bad date 'Foo-84'"),
        ("yesterday", "bad date 'yesterday'"),
    ],
)
def test_parse_date(text: str, expected: object) -> None:
    assert parse_date(text) == expected


# --- NTI's own layout -------------------------------------------------------------------


def test_reads_ntis_csv_layout() -> None:
    result = _parse(SAMPLE_CSV.read_bytes(), SAMPLE_CSV.name)
    rows = result.events.to_pylist()
    assert result.rejects == []
    assert [(e["source_id"], e["date_precision"]) for e in rows] == [
        ("1984-04-09#1", "day"),
        ("1984-09#1", "month"),
        ("1992-06#1", "month"),
        ("1993-05-29#1", "day"),
        ("1998-08-31#1", "day"),
        ("2006-07-05#1", "day"),
    ]
    assert [e["credibility"] for e in rows] == [1, 1, 3, 1, 1, 1]  # 1992 is Unconfirmed
    taepodong = rows[4]
    assert taepodong["tags"] == ["missile_test", "slv", "satellite"]
    assert json.loads(taepodong["attrs"])["distance_km"] == 1380
    assert taepodong["url"] == "http://www.astronautix.com/g/gitdaeryung.html"
    assert rows[0]["line"] == 2 and rows[0]["lat"] == 40.8499966


def test_reads_the_same_rows_from_an_xlsx_workbook(tmp_path: Path) -> None:
    text = SAMPLE_CSV.read_text(encoding="utf-8")
    path = tmp_path / "nti.xlsx"
    path.write_bytes(_xlsx_from_csv(text))
    source = MissileSource()
    from_xlsx = source.parse(source.fetch(path), path.name).events
    from_csv = _parse(SAMPLE_CSV.read_bytes(), SAMPLE_CSV.name).events
    for column in ("event_id", "date", "date_precision", "title", "summary", "tags", "lat"):
        assert from_xlsx.column(column).to_pylist() == from_csv.column(column).to_pylist()


def test_xlsx_date_cells_keep_their_precision(tmp_path: Path) -> None:
    header = next(csv.reader(io.StringIO(SAMPLE_CSV.read_text(encoding="utf-8"))))
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for day, number_format in (
        (dt.datetime(1984, 4, 9), "d-mmm-yy"),
        (dt.datetime(1984, 9, 1), "mmm-yy"),
    ):
        sheet.append([""] * len(header))
        cell = sheet.cell(row=sheet.max_row, column=header.index("Date") + 1, value=day)
        cell.number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = _parse(buffer.getvalue(), "dates.xlsx").events.to_pylist()
    assert [(e["date"], e["date_precision"]) for e in rows] == [
        (dt.date(1984, 4, 9), "day"),
        (dt.date(1984, 9, 1), "month"),
    ]
    assert rows[0]["title"] == "Missile launch"


def _nti_csv(*rows: dict[str, str] | list[str]) -> bytes:
    """NTI's header and rows; a dict row changes fields of the first sample record."""
    header, first = list(csv.reader(io.StringIO(SAMPLE_CSV.read_text(encoding="utf-8"))))[:2]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    sample = dict(zip(header, first, strict=True))
    for row in rows:
        writer.writerow(list({**sample, **row}.values()) if isinstance(row, dict) else row)
    return out.getvalue().encode()


def test_bad_rows_become_rejects() -> None:
    data = _nti_csv(
        {"Date": "31-Feb-84"},
        {"Date": ""},
        ["4", "9-Apr-84", "too", "few"],
        [],
        {"Missile Type": "Hypersonic Thing"},
        {},
    )
    result = _parse(data, "bad.csv")
    assert [(r.line, r.reason) for r in result.rejects] == [
        (2, "bad date '31-Feb-84'"),
        (3, "missing date"),
        (4, "expected 19 fields, got 4"),
    ]
    kept = result.events.to_pylist()
    assert [e["line"] for e in kept] == [6, 7]
    assert kept[0]["tags"] == ["missile_test", "hypersonic_thing"]
    assert [e["source_id"] for e in kept] == ["1984-04-09#1", "1984-04-09#2"]


def test_unknown_confirmation_status_is_rejected_by_name() -> None:
    result = _parse(_nti_csv({"Confirmation Status": "Rumoured"}), "status.csv")
    assert [r.reason for r in result.rejects] == ["unknown confirmation status 'rumoured'"]


def test_a_csv_in_another_layout_is_a_source_error() -> None:
    with pytest.raises(SourceError, match=r"x\.csv: not NTI's missile test layout \(missing F1"):
        _parse(b"date,type,event\n2020-01-01,a,b\n", "x.csv")
    with pytest.raises(SourceError, match="empty file"):
        _parse(b"", "empty.csv")


def test_json_that_is_not_a_test_file_is_a_source_error() -> None:
    with pytest.raises(SourceError, match=r"t\.json: not valid JSON \(line 1, column 2"):
        _parse(b"{oops", "t.json")
    with pytest.raises(SourceError, match="no 'timeBins' list"):
        _parse(b'{"x": 1}', "t.json")
    with pytest.raises(SourceError, match="not valid UTF-8"):
        _parse(b'{"x": "\xff"}', "t.json")


def test_odd_json_records_are_rejected_or_kept() -> None:
    document = {
        "timeBins": [{"data": ["text", {"date": 1984}, {"date": "1990-05", "missile": "x"}]}]
    }
    result = _parse(json.dumps(document).encode(), "odd.json")
    assert [(r.line, r.reason) for r in result.rejects] == [
        (1, "record is not a JSON object"),
        (2, "missing date"),
    ]
    (kept,) = result.events.to_pylist()
    assert (kept["title"], kept["date_precision"]) == ("x launch", "month")


@pytest.mark.parametrize(
    ("data", "name", "layout"),
    [
        (b' \n{"timeBins": []}', "a.csv", "json"),
        (b"PK\x03\x04rest", "a.csv", "xlsx"),
        (b"F1,Date", "a.json", "json"),
        (b"F1,Date", "a.XLSX", "xlsx"),
        (b"F1,Date", "a.txt", "csv"),
    ],
)
def test_layout_by_content_then_extension(data: bytes, name: str, layout: str) -> None:
    assert layout_of(data, name) == layout


def test_fetch_reads_companion_tables_beside_the_file(tmp_path: Path) -> None:
    for part in ("test", "missile", "facility", "dict"):
        name = f"cns_missile_tests_nagix_{part}.en.json"
        shutil.copy(bundled_path("dprk", name), tmp_path / name)
    missiles = json.loads((tmp_path / "cns_missile_tests_nagix_missile.en.json").read_text())
    missiles["hwasong-18"] = {"name": "Renamed-18", "type": "ICBM", "nuclear_capable": True}
    (tmp_path / "cns_missile_tests_nagix_missile.en.json").write_text(json.dumps(missiles))
    source = MissileSource()
    path = tmp_path / "cns_missile_tests_nagix_test.en.json"
    rows = source.parse(source.fetch(path), path.name).events.to_pylist()
    renamed = [e for e in rows if e["title"].startswith("Renamed-18 (ICBM)")]
    assert len(renamed) == 3 and all("nuclear_capable" in e["tags"] for e in renamed)


def test_an_unreadable_workbook_is_a_source_error() -> None:
    with pytest.raises(SourceError, match=r"w\.xlsx: not a readable \.xlsx workbook"):
        _parse(b"PK\x03\x04 not really a zip", "w.xlsx")


# --- never a crash ------------------------------------------------------------------------

REAL_FILES = {
    "test.en.json": TEST_FILE.read_bytes(),
    "nti.csv": SAMPLE_CSV.read_bytes(),
    "nti.xlsx": _xlsx_from_csv(SAMPLE_CSV.read_text(encoding="utf-8")),
}


MUTATED_REAL_FILES = st.sampled_from(sorted(REAL_FILES)).flatmap(
    lambda name: st.tuples(st.just(name), mutated_bytes(REAL_FILES[name], max_flips=6))
)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=2000), name=st.sampled_from(["f.json", "f.csv", "f.xlsx", "f"]))
def test_arbitrary_bytes_never_crash(data: bytes, name: str) -> None:
    assert_parses_or_source_error(MissileSource(), data, name)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MUTATED_REAL_FILES)
def test_mutated_real_files_never_crash(case: tuple[str, bytes]) -> None:
    name, data = case
    assert_parses_or_source_error(MissileSource(), data, name)
