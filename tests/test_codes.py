"""The CAMEO and country-code lookups, checked against the real files they are read from."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow.compute as pc
import pytest

from axiswatch import codes
from axiswatch.schema import PLOVER_TYPES
from axiswatch.sources.gdelt import read_events_raw
from axiswatch.sources.gdelt_columns import SECTOR_BY_TYPE

EXPORTS = ("20240515224500", "20240819130000", "20241029231500")


def _mapping_lines(shared_data: Path) -> list[str]:
    text = (shared_data / "cameo_plover" / "CAMEO2PLOVER-2021.txt").read_text()
    return [line for line in text.splitlines() if re.match(r"^\d{2,4}:", line)]


def test_plover_table_loads_every_entry(shared_data: Path) -> None:
    lines = _mapping_lines(shared_data)
    entries = codes.cameo_plover_entries()
    assert len(entries) == len(lines) == 276
    assert [entry.cameo for entry in entries] == [line.split(":")[0] for line in lines]
    assert {entry.type for entry in entries} <= PLOVER_TYPES
    assert len(codes.cameo_plover()) == len({entry.cameo for entry in entries}) == 274


def test_plover_fields_are_read() -> None:
    assert codes.plover_for("0311") == codes.PloverMapping("0311", "AGREE", None, "economic")
    assert codes.plover_for("041") == codes.PloverMapping("041", "CONSULT", "phone", None)
    assert codes.plover_for("1124").context == "military;legal"
    assert codes.plover_for("0861").mode == "access"
    assert codes.plover_for("175").type == "ASSAULT"  # listed twice, the same both times


def test_plover_falls_back_to_base_then_root() -> None:
    assert codes.plover_for("0875") == codes.plover_for("087")  # base code
    assert codes.plover_for("176") == codes.PloverMapping("17", "COERCE", None, None)  # root
    assert codes.plover_for("1057").cameo == "105"


def test_appeals_are_requests_by_the_documented_supplement() -> None:
    assert codes.plover_for("0214") == codes.PloverMapping("02", "REQUEST", None, None)
    assert "02" not in codes.cameo_plover()  # the 2021 table itself leaves appeals out


def test_unmapped_and_ambiguous_codes_fail_loudly() -> None:
    with pytest.raises(codes.OutsideOntology, match="PLOVER codes no statements"):
        codes.plover_for("010")
    with pytest.raises(codes.UnmappedCode, match="unmapped CAMEO code 999"):
        codes.plover_for("999")
    # the file maps root 08 to CONCEDE and again to RETREAT
    with pytest.raises(codes.UnmappedCode, match="ambiguous CAMEO code 08"):
        codes.plover_for("08")


@pytest.mark.parametrize("stamp", EXPORTS)
def test_goldstein_and_quad_tables_agree_with_real_rows(shared_data: Path, stamp: str) -> None:
    path = shared_data / "gdelt" / "2024" / f"{stamp}.export.CSV"
    table, rejects = read_events_raw(path.read_bytes(), path.name)
    assert not rejects and table.num_rows > 1000
    scale = codes.goldstein_scale()
    pairs = zip(table["EventCode"].to_pylist(), table["GoldsteinScale"].to_pylist(), strict=True)
    assert [(code, score) for code, score in pairs if scale[code] != score] == []
    quads = zip(table["EventRootCode"].to_pylist(), table["QuadClass"].to_pylist(), strict=True)
    assert {(root, q) for root, q in quads if codes.CAMEO_QUAD_CLASSES[root] != q} == set()


def test_goldstein_and_event_names_cover_the_same_codes() -> None:
    assert len(codes.goldstein_scale()) == 311
    assert set(codes.goldstein_scale()) == set(codes.cameo_event_names())


def test_quad_classes_cover_every_cameo_root() -> None:
    assert set(codes.CAMEO_QUAD_CLASSES) == {code[:2] for code in codes.goldstein_scale()}


def test_cameo_fields_are_plover_quad_class_and_intensity() -> None:
    assert codes.cameo_fields("150") == {
        "plover_type": "MOBILIZE",
        "plover_mode": None,
        "plover_context": None,
        "cameo_code": "150",
        "quad_class": 4,
        "intensity": -7.2,  # CAMEO.goldsteinscale.txt
    }
    assert codes.cameo_fields("057")["quad_class"] == 1
    assert codes.cameo_fields("057")["plover_context"] == "diplomatic"


def test_cameo_fields_fail_loudly() -> None:
    with pytest.raises(codes.UnmappedCode, match="unmapped CAMEO code 999"):
        codes.cameo_fields("999")
    # PLOVER maps 176 through its root, but Goldstein scores only exact codes
    with pytest.raises(codes.UnmappedCode, match="no Goldstein score for CAMEO code 176"):
        codes.cameo_fields("176")


def test_event_names_split_the_run_on_line() -> None:
    names = codes.cameo_event_names()
    assert names["1056"] == "Demand de-escalation of military engagement"
    assert names["106"] == "Demand withdrawal"
    assert codes.event_name("0875") == names["087"]
    assert codes.event_name("99") is None


@pytest.mark.parametrize(
    ("fips", "iso3"),
    [("KN", "PRK"), ("RS", "RUS"), ("KS", "KOR"), ("CH", "CHN"), ("JA", "JPN"), ("UP", "UKR"),
     ("US", "USA"), ("UK", "GBR"), ("GZ", "PSE"), ("RB", "SRB"), ("RI", "SRB"), ("OS", None)],
)  # fmt: skip
def test_fips_to_iso3(fips: str, iso3: str | None) -> None:
    assert codes.iso3_from_fips(fips) == iso3


def test_unknown_fips_fails_loudly() -> None:
    with pytest.raises(codes.UnmappedCode, match="unmapped FIPS country code 'ZZ'"):
        codes.iso3_from_fips("ZZ")


@pytest.mark.parametrize("stamp", EXPORTS)
def test_every_real_fips_code_is_mapped(shared_data: Path, stamp: str) -> None:
    path = shared_data / "gdelt" / "2024" / f"{stamp}.export.CSV"
    table, _ = read_events_raw(path.read_bytes(), path.name)
    for column in ("Actor1Geo_CountryCode", "Actor2Geo_CountryCode", "ActionGeo_CountryCode"):
        for fips in pc.unique(table[column].drop_null()).to_pylist():
            codes.iso3_from_fips(fips)


def test_cameo_country_codes_are_all_classified() -> None:
    table = codes.cameo_country_iso3()
    assert set(table) == set(codes.cameo_countries())
    states = {code: iso3 for code, iso3 in table.items() if iso3}
    assert set(states.values()) <= codes.iso3_codes()
    assert {code for code, iso3 in table.items() if iso3 is None} == codes.CAMEO_NON_STATES


@pytest.mark.parametrize(
    ("cameo", "iso3"),
    [("PRK", "PRK"), ("RUS", "RUS"), ("ROM", "ROU"), ("TMP", "TLS"), ("EUR", None),
     ("WSB", None), ("SSD", "SSD")],
)  # fmt: skip
def test_state_from_cameo(cameo: str, iso3: str | None) -> None:
    assert codes.state_from_cameo(cameo) == iso3


def test_unknown_cameo_country_fails_loudly() -> None:
    with pytest.raises(codes.UnmappedCode, match="unknown CAMEO country code 'XYZ'"):
        codes.state_from_cameo("XYZ")


def test_sector_table_covers_every_cameo_type() -> None:
    assert set(SECTOR_BY_TYPE) == set(codes.cameo_types())
