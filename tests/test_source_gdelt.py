"""GDELT 2.0 event and mention files, read from the real 2024 files and fixtures."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import axiswatch.sources.gdelt as gdelt_module
from axiswatch.codes import fips_iso3
from axiswatch.errors import SourceError
from axiswatch.sources import ParseResult, get_source
from axiswatch.sources.gdelt import (
    GdeltSource,
    confidence_scores,
    read_events_raw,
    read_mentions_raw,
)
from axiswatch.sources.gdelt_fast import KeepFilter, read_fast

from .helpers import assert_parses_or_source_error

OFFICIAL_NAMES = (
    "GlobalEventID Day MonthYear Year FractionDate "
    + " ".join(
        f"{actor}{field}"
        for actor in ("Actor1", "Actor2")
        for field in (
            "Code Name CountryCode KnownGroupCode EthnicCode Religion1Code Religion2Code "
            "Type1Code Type2Code Type3Code"
        ).split()
    )
    + " IsRootEvent EventCode EventBaseCode EventRootCode QuadClass GoldsteinScale "
    "NumMentions NumSources NumArticles AvgTone "
    + " ".join(
        f"{geo}_{field}"
        for geo in ("Actor1Geo", "Actor2Geo", "ActionGeo")
        for field in "Type FullName CountryCode ADM1Code ADM2Code Lat Long FeatureID".split()
    )
    + " DATEADDED SOURCEURL"
).split()
MENTION_NAMES = (
    "GlobalEventID EventTimeDate MentionTimeDate MentionType MentionSourceName "
    "MentionIdentifier SentenceID Actor1CharOffset Actor2CharOffset ActionCharOffset "
    "InSentence Confidence MentionDocLen MentionDocTone MentionDocTranslationInfo Extras"
).split()
REAL_ROWS = {"20240515224500": 1434, "20240819130000": 1544, "20241029231500": 1378}
NORTH_KOREA_FILE = "20241029231500.export.CSV"
# CAMEO root 01 (make statement) has no PLOVER type: such rows are skipped by rule, and counted
STATEMENTS = "CAMEO 01 (make public statement): PLOVER codes no statements"


@pytest.fixture(scope="module")
def source() -> GdeltSource:
    return GdeltSource()


def _export(shared_data: Path, stamp: str) -> Path:
    return shared_data / "gdelt" / "2024" / f"{stamp}.export.CSV"


def _zip(data: bytes, *members: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in members:
            archive.writestr(member, data)
    return buffer.getvalue()


def _lines(shared_data: Path, stamp: str = "20241029231500") -> list[bytes]:
    return _export(shared_data, stamp).read_bytes().splitlines()


def _with_line(lines: list[bytes], index: int, line: bytes) -> bytes:
    return b"\n".join([*lines[:index], line, *lines[index + 1 :]]) + b"\n"


def _set_field(line: bytes, column: str, value: bytes) -> bytes:
    fields = line.split(b"\t")
    fields[OFFICIAL_NAMES.index(column)] = value
    return b"\t".join(fields)


def _events(result: ParseResult) -> list[dict]:
    return result.events.to_pylist()


# --- the source as a whole ---------------------------------------------------------------


def test_source_is_registered() -> None:
    assert isinstance(get_source("gdelt"), GdeltSource)
    assert GdeltSource.kind == "gdelt"


def test_bundled_files_are_the_real_2024_exports(shared_data: Path) -> None:
    assert GdeltSource.bundled == tuple(f"gdelt/2024/{stamp}.export.CSV" for stamp in REAL_ROWS)
    for rel, path in zip(GdeltSource.bundled, GdeltSource().bundled_paths(), strict=True):
        assert path.read_bytes() == (shared_data / rel).read_bytes()


@pytest.mark.parametrize(("stamp", "rows"), REAL_ROWS.items())
def test_real_file_every_row_parses_or_is_explained(
    shared_data: Path, source: GdeltSource, stamp: str, rows: int
) -> None:
    path = _export(shared_data, stamp)
    result = source.parse(path.read_bytes(), path.name)
    assert result.rows_seen == rows
    assert result.rejects == []
    assert set(result.skipped) == {STATEMENTS}
    assert result.events.num_rows + result.skipped[STATEMENTS] == rows
    assert result.events.num_rows > 0.8 * rows


@pytest.mark.parametrize(("stamp", "rows"), REAL_ROWS.items())
def test_raw_table_has_the_61_official_columns(shared_data: Path, stamp: str, rows: int) -> None:
    path = _export(shared_data, stamp)
    table, rejects = read_events_raw(path.read_bytes(), path.name)
    assert table.column_names == OFFICIAL_NAMES and len(OFFICIAL_NAMES) == 61
    assert (table.num_rows, rejects) == (rows, [])
    assert table.schema.field("GlobalEventID").type == pa.int64()
    assert table.schema.field("GoldsteinScale").type == pa.float64()
    assert table.schema.field("EventCode").type == pa.string()
    ids = table["GlobalEventID"].to_pylist()
    assert ids == list(range(ids[0], ids[0] + rows))  # consecutive, as the README says


def test_event_fields(shared_data: Path, source: GdeltSource) -> None:
    result = source.parse(_export(shared_data, "20241029231500").read_bytes(), NORTH_KOREA_FILE)
    event = next(e for e in _events(result) if e["source_id"] == "1207023711")
    assert event["date"].isoformat() == "2023-10-30" and event["date_precision"] == "day"
    assert (event["actor"], event["recipient"], event["country"]) == ("USA", "THA", "THA")
    assert (event["plover_type"], event["plover_context"], event["cameo_code"]) == (
        "AGREE", "economic", "0311",
    )  # fmt: skip
    assert (event["quad_class"], event["intensity"], event["mentions"]) == (1, 5.2, 5)
    assert (event["reliability"], event["credibility"], event["tags"]) == ("C", 3, [])
    assert event["title"] == "A US express intent to cooperate economically THAILAND"
    assert event["url"].startswith("https://www.bangkokpost.com/")
    attrs = json.loads(event["attrs"])
    assert attrs["GlobalEventID"] == 1207023711 and attrs["EventBaseCode"] == "031"
    assert attrs["ActionGeo_FullName"] == "Bangkok, Krung Thep Mahanakhon, Thailand"
    assert attrs["DATEADDED"] == 20241029231500


def test_north_korea_rows(shared_data: Path, source: GdeltSource) -> None:
    result = source.parse(_export(shared_data, "20241029231500").read_bytes(), NORTH_KOREA_FILE)
    prk = [e for e in _events(result) if "PRK" in (e["actor"], e["recipient"])]
    assert len(prk) == 5
    assert {e["country"] for e in prk} == {"RUS"}  # ActionGeo_CountryCode RS is FIPS for Russia
    to_russia = [e for e in prk if (e["actor"], e["recipient"]) == ("PRK", "RUS")]
    assert len(to_russia) == 1
    assert to_russia[0]["plover_type"] == "AGREE"
    assert to_russia[0]["title"] == "DPRK express intent to cooperate RUSSIA"
    assert {e["actor_sector"] for e in prk if e["actor_code"] == "PRKGOV"} == {"GOV"}


@pytest.mark.parametrize("stamp", REAL_ROWS)
def test_action_country_is_fips_mapped(shared_data: Path, source: GdeltSource, stamp: str) -> None:
    path = _export(shared_data, stamp)
    table, _ = read_events_raw(path.read_bytes(), path.name)
    ids, fips_codes = table["GlobalEventID"], table["ActionGeo_CountryCode"]
    fips_by_id = dict(zip(ids.to_pylist(), fips_codes.to_pylist(), strict=True))
    result = source.parse(path.read_bytes(), path.name)
    for event in _events(result):
        fips = fips_by_id[int(event["source_id"])]
        assert event["country"] == (fips and fips_iso3()[fips])


def test_confidence_formula(shared_data: Path, source: GdeltSource) -> None:
    table = pa.table(
        {"NumSources": [1, 3, 0, None], "NumMentions": [1, 10, 0, None],
         "IsRootEvent": [0, 1, 0, None]}
    )  # fmt: skip
    assert confidence_scores(table) == [0.348, 0.872, 0.0, 0.0]
    result = source.parse(_export(shared_data, "20240819130000").read_bytes(), "x.export.CSV")
    assert all(0 <= c <= 1 for c in result.events["confidence"].to_pylist())


# --- zips --------------------------------------------------------------------------------


def test_zipped_and_unzipped_give_identical_tables(shared_data: Path, source: GdeltSource) -> None:
    data = _export(shared_data, "20241029231500").read_bytes()
    zipped = _zip(data, NORTH_KOREA_FILE)
    assert read_events_raw(zipped, NORTH_KOREA_FILE + ".zip") == read_events_raw(data, "x")
    plain = source.parse(data, NORTH_KOREA_FILE).events.drop_columns(["file"])
    from_zip = source.parse(zipped, NORTH_KOREA_FILE + ".zip").events.drop_columns(["file"])
    assert from_zip.equals(plain)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"PK\x03\x04 this is no zip", "a.export.CSV.zip", "corrupt zip archive"),
        (b"not a zip at all", "a.export.CSV.zip", "not a zip archive"),
        (_zip(b"x", "a.export.CSV")[:-30], "a.export.CSV.zip", "corrupt zip archive"),
        (_zip(b""), "a.export.CSV.zip", "zip holds 0 members, expected exactly one"),
        (_zip(b"x", "a.export.CSV", "b.export.CSV"), "a.export.CSV.zip", "holds 2 members"),
        (_zip(b"x", "b.export.CSV"), "a.export.CSV.zip", "member is 'b.export.CSV'"),
        (_zip(b"x", "a.mentions.CSV"), "a.export.CSV.zip", "expected 'a.export.CSV'"),
        (_zip(b"x", "a.mentions.CSV"), "upload.zip", "expected '*.export.CSV'"),
    ],
)
def test_bad_zips_raise_one_line(source: GdeltSource, data: bytes, name: str, message: str) -> None:
    with pytest.raises(SourceError, match=re.escape(message)) as caught:
        source.parse(data, name)
    assert "\n" not in str(caught.value) and str(caught.value).startswith(name)


def test_corrupt_member_crc_is_a_source_error(shared_data: Path, source: GdeltSource) -> None:
    zipped = bytearray(_zip(_export(shared_data, "20241029231500").read_bytes(), "a.export.CSV"))
    zipped[len(zipped) // 2] ^= 0xFF  # inside the compressed data
    with pytest.raises(SourceError, match="corrupt zip archive"):
        source.parse(bytes(zipped), "a.export.CSV.zip")


# --- bad rows ----------------------------------------------------------------------------


def test_empty_file_gives_no_events(source: GdeltSource) -> None:
    for data in (b"", b"\n", b"\n\r\n\n"):
        result = source.parse(data, "empty.export.CSV")
        assert (result.events.num_rows, result.rejects) == (0, [])
    table, rejects = read_events_raw(b"", "empty.export.CSV")
    assert (table.column_names, table.num_rows, rejects) == (OFFICIAL_NAMES, 0, [])


def test_wrong_column_counts_are_quarantined(shared_data: Path, source: GdeltSource) -> None:
    lines = _lines(shared_data)
    lines[2] = lines[2].rsplit(b"\t", 1)[0]  # 60 columns
    lines[6] = lines[6] + b"\textra"  # 62 columns
    lines[9] = b"garbage"
    data = b"\n".join(lines) + b"\n"
    table, rejects = read_events_raw(data, "x.export.CSV")
    assert [(r.line, r.reason) for r in rejects] == [
        (3, "60 columns, expected 61"), (7, "62 columns, expected 61"),
        (10, "1 columns, expected 61"),
    ]  # fmt: skip
    assert rejects[2].raw == "garbage"
    assert table.num_rows == 1378 - 3
    result = source.parse(data, "x.export.CSV")
    assert result.rows_seen == 1378
    assert {3, 7, 10} <= {r.line for r in result.rejects}


def test_blank_lines_are_skipped_and_lines_still_count(
    shared_data: Path, source: GdeltSource
) -> None:
    lines = _lines(shared_data)[:5]
    data = b"\n".join([lines[0], b"", lines[3], b"   ", lines[4]]) + b"\n\n"
    result = source.parse(data, "x.export.CSV")
    assert result.rejects == [] and result.events["line"].to_pylist() == [1, 3, 5]


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (b"20241332", "Day 20241332 is not a YYYYMMDD date"),
        (b"2024103", "Day 2024103 is not a YYYYMMDD date"),
        (b"2024-10-29", "Day '2024-10-29' is not a valid int32"),
        (b"", "Day is missing"),
    ],
)
def test_bad_dates_are_rejected(
    shared_data: Path, source: GdeltSource, day: bytes, reason: str
) -> None:
    lines = _lines(shared_data)
    data = _with_line(lines, 1, _set_field(lines[1], "Day", day))
    result = source.parse(data, "x.export.CSV")
    assert [(r.line, r.reason) for r in result.rejects if r.line == 2] == [(2, reason)]
    assert result.rows_seen == 1378


def test_mistyped_number_rejects_its_row_only(shared_data: Path) -> None:
    lines = _lines(shared_data)
    bad = _set_field(lines[4], "NumMentions", b"many")
    table, rejects = read_events_raw(_with_line(lines, 4, bad), "x.export.CSV")
    assert [(r.line, r.reason, r.raw) for r in rejects] == [
        (5, "NumMentions 'many' is not a valid int32", bad.decode())
    ]
    assert table.num_rows == 1377


def test_unknown_codes_are_rejected_loudly(shared_data: Path, source: GdeltSource) -> None:
    lines = _lines(shared_data)
    edits = {
        1: ("Actor1CountryCode", b"XYZ", "Actor1: unknown CAMEO country code 'XYZ'"),
        2: ("Actor2Type1Code", b"ZZZ", "Actor2: unknown CAMEO actor type code 'ZZZ'"),
        3: ("ActionGeo_CountryCode", b"QQ", "ActionGeo: unmapped FIPS country code 'QQ'"),
        4: ("EventCode", b"999", "unmapped CAMEO code 999"),
    }
    for index, (column, value, _) in edits.items():
        lines[index] = _set_field(lines[index], column, value)
    result = source.parse(b"\n".join(lines[:6]), "x.export.CSV")
    assert [(r.line, r.reason) for r in result.rejects] == [
        (index + 1, reason) for index, (_, _, reason) in edits.items()
    ]


def test_invalid_utf8_rejects_the_line(shared_data: Path, source: GdeltSource) -> None:
    lines = _lines(shared_data)
    data = _with_line(lines, 4, _set_field(lines[4], "Actor1Name", b"KIM \xff\xfe JONG"))
    table, rejects = read_events_raw(data, "x.export.CSV")
    assert [(r.line, r.reason[:17]) for r in rejects] == [(5, "not valid UTF-8 (")]
    assert "KIM \\xff\\xfe JONG" in rejects[0].raw
    assert table.num_rows == 1377
    result = source.parse(data, "x.export.CSV")
    assert result.rows_seen == 1378 and 5 in {r.line for r in result.rejects}


def test_byte_order_mark_is_dropped(shared_data: Path) -> None:
    data = _export(shared_data, "20241029231500").read_bytes()
    assert read_events_raw(b"\xef\xbb\xbf" + data, "x") == read_events_raw(data, "x")


# --- fixtures ----------------------------------------------------------------------------

FIXTURES = (
    "gdelt2_events_20150218230000_plus_20200318_head100.export.tsv",
    "gdelt2_events_20180323221500_head100_padded_geonames.export.tsv",
    "gdelt2_translation_events_20150218224500_plus_20200318_head100.export.tsv",
)


@pytest.mark.parametrize("fixture", FIXTURES)
def test_fixtures_parse_or_explain(shared_data: Path, source: GdeltSource, fixture: str) -> None:
    result = source.parse((shared_data / "gdelt" / "fixtures" / fixture).read_bytes(), fixture)
    assert result.rows_seen == 100
    assert result.rejects == []
    assert result.events.num_rows + result.skipped[STATEMENTS] == 100


def test_padded_geonames_are_normalised(shared_data: Path, source: GdeltSource) -> None:
    path = shared_data / "gdelt" / "fixtures" / FIXTURES[1]
    assert b"San Francisco      " in path.read_bytes()
    events = source.parse(path.read_bytes(), path.name).events
    places = [json.loads(attrs)["ActionGeo_FullName"] for attrs in events["attrs"].to_pylist()]
    assert "San Francisco, California, United States" in places
    assert all("  " not in p and " ," not in p for p in places if p)


def test_gdelt1_rows_inside_a_gdelt2_file_are_quarantined(
    shared_data: Path, source: GdeltSource
) -> None:
    """A whole GDELT 1.0 file is named as such (below); stray 1.0 rows in a 2.0 file are rows."""
    old = shared_data / "gdelt" / "fixtures" / "gdelt1_events_historical_head100.tsv"
    stray = old.read_bytes().splitlines()[:3]
    lines = _lines(shared_data)
    data = b"\n".join([*lines[:10], *stray, *lines[10:]]) + b"\n"
    result = source.parse(data, "mixed.export.CSV")
    assert [r.line for r in result.rejects] == [11, 12, 13]
    assert {r.reason for r in result.rejects} <= {
        "57 columns, expected 61",
        "58 columns, expected 61",
    }
    assert result.rows_seen == len(lines) + 3


# --- mentions ----------------------------------------------------------------------------


def test_mentions_file(shared_data: Path) -> None:
    folder = shared_data / "gdelt" / "2024"
    mentions = read_mentions_raw((folder / "20241029231500.mentions.CSV").read_bytes(), "m")
    assert mentions.column_names == MENTION_NAMES and mentions.num_rows == 3661
    ids = mentions["GlobalEventID"].to_pylist()
    assert len(set(ids)) == 2796
    events, _ = read_events_raw((folder / NORTH_KOREA_FILE).read_bytes(), NORTH_KOREA_FILE)
    exported = set(events["GlobalEventID"].to_pylist())
    assert sum(event_id in exported for event_id in ids) == 1391
    assert set(mentions["MentionTimeDate"].to_pylist()) == {20241029231500}


def test_mentions_zipped_and_bad_rows(shared_data: Path) -> None:
    data = (shared_data / "gdelt" / "2024" / "20241029231500.mentions.CSV").read_bytes()
    name = "20241029231500.mentions.CSV"
    assert read_mentions_raw(_zip(data, name), name + ".zip") == read_mentions_raw(data, name)
    with pytest.raises(SourceError, match="expected '20241029231500.mentions.CSV'"):
        read_mentions_raw(_zip(data, NORTH_KOREA_FILE), name + ".zip")
    broken = data.replace(b"\n", b"\nshort line\n", 1)
    with pytest.raises(SourceError, match="1 unreadable row.*line 2: 1 columns, expected 16"):
        read_mentions_raw(broken, name)


# --- never a traceback -------------------------------------------------------------------


_ANY_BYTES = st.one_of(
    st.binary(max_size=4000), st.binary(max_size=400).map(lambda tail: b"PK\x03\x04" + tail)
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_ANY_BYTES, zipped=st.booleans())
def test_arbitrary_bytes_never_crash(data: bytes, zipped: bool) -> None:
    name = "x.export.CSV.zip" if zipped else "x.export.CSV"
    assert_parses_or_source_error(GdeltSource(), data, name)


_REAL_LINES = (
    (Path(gdelt_module.__file__).parents[1] / "data" / "gdelt" / "2024" / NORTH_KOREA_FILE)
    .read_bytes()
    .splitlines()[1010:1020]
)

_MUTATION = st.tuples(
    st.integers(0, len(_REAL_LINES) - 1),
    st.integers(0, 600),
    st.integers(0, 20),
    st.one_of(st.binary(max_size=12), st.sampled_from([b"\t", b"\t\t", b"\n", b"\r", b"\xff"])),
)


@settings(max_examples=300, deadline=None)
@given(mutations=st.lists(_MUTATION, max_size=6), zipped=st.booleans())
def test_mutated_real_lines_never_crash(
    mutations: list[tuple[int, int, int, bytes]], zipped: bool
) -> None:
    lines = list(_REAL_LINES)
    for index, start, length, replacement in mutations:
        line = lines[index]
        lines[index] = line[:start] + replacement + line[start + length :]
    data = b"\n".join(lines) + b"\n"
    if zipped:
        data = _zip(data, NORTH_KOREA_FILE)
    name = NORTH_KOREA_FILE + (".zip" if zipped else "")
    assert_parses_or_source_error(GdeltSource(), data, name)


@settings(max_examples=200, deadline=None)
@given(position=st.integers(0, 10_000), replacement=st.binary(min_size=1, max_size=8))
def test_damaged_zips_never_crash(position: int, replacement: bytes) -> None:
    zipped = _zip(b"\n".join(_REAL_LINES) + b"\n", NORTH_KOREA_FILE)
    position %= len(zipped)
    damaged = zipped[:position] + replacement + zipped[position + len(replacement) :]
    assert_parses_or_source_error(GdeltSource(), damaged, NORTH_KOREA_FILE + ".zip")


@pytest.mark.parametrize(
    ("fixture", "layout"),
    [
        ("gdelt2_mentions_20150218230000_head100.tsv", "GDELT 2.0 mentions file"),
        ("gdelt2_gkg_20150218230000_head100.tsv", "GDELT GKG 2.1 file"),
    ],
)
def test_other_gdelt_layouts_are_named(shared_data: Path, fixture: str, layout: str) -> None:
    data = (shared_data / "gdelt" / "fixtures" / fixture).read_bytes()
    with pytest.raises(SourceError, match=f"this looks like a {layout}"):
        GdeltSource().parse(data, fixture)


# --- GDELT 1.0 and the column-wise fast path ---------------------------------------------


def test_gdelt1_daily_file_is_read(shared_data: Path, source: GdeltSource) -> None:
    """57- and 58-column rows (SOURCEURL came in 2013) both load; ADM2 codes are absent."""
    path = shared_data / "gdelt" / "fixtures" / "gdelt1_events_historical_head100.tsv"
    widths = {line.count(b"\t") + 1 for line in path.read_bytes().splitlines()}
    assert widths == {57, 58}
    result = source.parse(path.read_bytes(), "19790101.export.CSV")
    assert result.rejects == [] and result.rows_seen == 100
    assert result.events.num_rows + result.skipped[STATEMENTS] == 100
    event = _events(result)[1]
    assert (event["source_id"], str(event["date"]), event["country"]) == ("1", "1979-01-01", "NGA")
    assert json.loads(event["attrs"])["DATEADDED"] == 20130203


FAST_CASES = [
    ("2024", "20240515224500.export.CSV"),
    ("2024", "20240819130000.export.CSV"),
    ("2024", NORTH_KOREA_FILE),
    ("fixtures", "gdelt1_events_historical_head100.tsv"),
    *(("fixtures", fixture) for fixture in FIXTURES),
]


@pytest.mark.parametrize(("folder", "file"), FAST_CASES)
def test_fast_path_gives_the_same_events_as_the_careful_one(
    shared_data: Path, source: GdeltSource, folder: str, file: str
) -> None:
    data = (shared_data / "gdelt" / folder / file).read_bytes()
    careful = source.parse(data, "x.export.CSV")
    fast = read_fast(_zip(data, "x.export.CSV"), "x.export.CSV.zip")
    plain = ["ingested_at", "attrs", "file"]
    assert fast.events.drop_columns(plain).equals(careful.events.drop_columns(plain))
    assert set(fast.events["file"].to_pylist()) <= {"x.export.CSV.zip"}
    attrs = [json.loads(a) for a in fast.events["attrs"].to_pylist()]
    assert attrs == [json.loads(a) for a in careful.events["attrs"].to_pylist()]
    assert fast.skipped == careful.skipped and fast.rejects == careful.rejects


def test_fast_path_rejects_bad_rows_like_the_careful_one(
    shared_data: Path, source: GdeltSource
) -> None:
    lines = _lines(shared_data)
    lines[2] = b"\t".join(lines[2].split(b"\t")[:30])
    fields = lines[4].split(b"\t")
    fields[1] = b"20240231"
    lines[4] = b"\t".join(fields)
    lines[6] = lines[6].replace(b"\t", b"\t\xc3\x28", 1)
    fields = lines[8].split(b"\t")
    fields[26] = b"99X"
    lines[8] = b"\t".join(fields)
    data = b"\n".join(lines) + b"\n"
    careful = source.parse(data, "x.export.CSV")
    fast = read_fast(data, "x.export.CSV")
    assert [(r.line, r.reason) for r in fast.rejects] == [
        (r.line, r.reason) for r in careful.rejects
    ]
    assert [r.line for r in fast.rejects] == [3, 5, 7, 9]
    assert fast.events.num_rows == careful.events.num_rows


def test_lens_filter_keeps_the_dyad_and_pairs_of_lens_actors(shared_data: Path) -> None:
    data = _export(shared_data, "20241029231500").read_bytes()
    keep = KeepFilter(("PRK", "RUS"), ("PRK", "RUS", "CHN", "KOR", "JPN", "USA", "UKR"))
    kept = read_fast(data, NORTH_KOREA_FILE, keep).events
    everything = read_fast(data, NORTH_KOREA_FILE).events
    lens = {"PRK", "RUS", "CHN", "KOR", "JPN", "USA", "UKR"}

    def wanted(e: dict) -> bool:
        attrs = json.loads(e["attrs"])
        sides = {e["actor"], e["recipient"]}
        return (
            bool(sides & {"PRK", "RUS"})
            or e["country"] in ("PRK", "RUS")
            or (e["actor"] in lens and e["recipient"] in lens and attrs is not None)
        )

    expected = sorted(e["event_id"] for e in everything.to_pylist() if wanted(e))
    assert sorted(kept["event_id"].to_pylist()) == expected
    assert 0 < kept.num_rows < everything.num_rows / 5
