"""CAMEO and country-code lookups, read from the data files bundled in ``axiswatch/data``.

Every table is loaded once and cached. The lookups fail loudly: a code the tables do not
know raises ``UnmappedCode`` rather than falling into a default. Files and their origin:

- ``cameo_plover/CAMEO2PLOVER-2021.txt``: CAMEO → PLOVER (openeventdata/PLOVER, CC BY-SA 4.0)
- ``gdelt/lookups/CAMEO.{eventcodes,goldsteinscale,country,type}.txt``: GDELT's CAMEO lookups
- ``gdelt/lookups/geonames_countryInfo_iso_fips.txt``: ISO ↔ FIPS 10-4 (GeoNames, CC BY 4.0)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from .schema import PLOVER_TYPES

PLOVER_FILE = ("cameo_plover", "CAMEO2PLOVER-2021.txt")
EVENTCODES_FILE = ("gdelt", "lookups", "CAMEO.eventcodes.txt")
GOLDSTEIN_FILE = ("gdelt", "lookups", "CAMEO.goldsteinscale.txt")
COUNTRY_FILE = ("gdelt", "lookups", "CAMEO.country.txt")
TYPE_FILE = ("gdelt", "lookups", "CAMEO.type.txt")
GEONAMES_FILE = ("gdelt", "lookups", "geonames_countryInfo_iso_fips.txt")

#: CAMEO country codes that are states under another ISO 3166 alpha-3 code
CAMEO_ISO3_ALIASES: dict[str, str] = {"ROM": "ROU", "TMP": "TLS", "MTN": "MNE", "IMY": "IMN"}

#: CAMEO "country" codes that are regions, cities or territories rather than states
CAMEO_NON_STATES = frozenset(
    {
        "AFR", "ASA", "BAG", "BLK", "CAS", "CAU", "CEU", "CFR", "CRB", "EAF", "EEU", "EIN",
        "EUR", "GZS", "LAM", "MDT", "MEA", "NAF", "NMR", "PGS", "SAF", "SAM", "SAS", "SCN",
        "SEA", "WAF", "WSB", "WST",
    }
)  # fmt: skip

#: FIPS 10-4 codes GDELT uses that GeoNames lacks: old codes and places that are no state
GDELT_FIPS_EXTRAS: dict[str, str | None] = {
    "GZ": "PSE",  # Gaza Strip
    "RB": "SRB",  # Serbia, FIPS code before 2008 (GeoNames has RI)
    "OS": None,  # oceans
    "PF": None,  # Paracel Islands
    "PG": None,  # Spratly Islands
}

#: CAMEO root code → quad class as GDELT assigns it: 1 verbal cooperation, 2 material
#: cooperation (09 "investigate" included), 3 verbal conflict (14 "protest" included), 4
#: material conflict
CAMEO_QUAD_CLASSES: dict[str, int] = {
    "01": 1, "02": 1, "03": 1, "04": 1, "05": 1,
    "06": 2, "07": 2, "08": 2, "09": 2,
    "10": 3, "11": 3, "12": 3, "13": 3, "14": 3,
    "15": 4, "16": 4, "17": 4, "18": 4, "19": 4, "20": 4,
}  # fmt: skip

_PLOVER_LINE = re.compile(r"^(\d{2,4}):\s*([^#]*?)\s*(?:#.*)?$")
# the upstream event-code file runs two entries together: "...engagement106:[-5.0] Demand ..."
_RUN_ON_ENTRY = re.compile(r"^(.*?)(\d{2,4}):\[-?\d+(?:\.\d+)?\]\s*(.+)$")


class UnmappedCode(LookupError):
    """A code that a lookup table does not map; the message says which and where."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class OutsideOntology(UnmappedCode):
    """A CAMEO code that PLOVER leaves out on purpose: its rows are skipped, not quarantined."""


@dataclass(frozen=True)
class PloverMapping:
    """The PLOVER event type, mode and context of one CAMEO code (``cameo`` is the key used)."""

    cameo: str
    type: str
    mode: str | None
    context: str | None


#: CAMEO roots that CAMEO2PLOVER-2021 does not list, and the PLOVER type axiswatch gives them
CAMEO_PLOVER_SUPPLEMENT: dict[str, PloverMapping] = {
    # CAMEO 02 "make an appeal or request" is PLOVER's REQUEST (PLOVER renamed DEMAND to
    # REQUEST and lists only CAMEO 10 under it; an appeal is the verbal form of the same act)
    "02": PloverMapping("02", "REQUEST", None, None),
}
#: CAMEO roots that are no event in PLOVER (it codes no mere statements): skipped and counted
CAMEO_OUTSIDE_PLOVER: dict[str, str] = {
    "01": "CAMEO 01 (make public statement): PLOVER codes no statements",
}


def _read_lines(parts: tuple[str, ...]) -> list[str]:
    path = resources.files(__package__) / "data"
    for part in parts:
        path = path / part
    return path.read_text(encoding="utf-8").splitlines()


def _two_columns(parts: tuple[str, ...]) -> list[tuple[str, str]]:
    """The rows of a two-column tab-separated lookup file, its header line dropped."""
    rows = [line.split("\t") for line in _read_lines(parts)[1:] if line.strip()]
    return [(row[0].strip(), row[1].strip()) for row in rows]


def _blank_to_none(text: str) -> str | None:
    return text.strip() or None


def _plover_mapping(code: str, body: str) -> PloverMapping:
    type_, mode, context = (body.split(",") + ["", ""])[:3]
    if type_.strip() not in PLOVER_TYPES:
        raise ValueError(f"{PLOVER_FILE[-1]}: {code}: {type_.strip()!r} is not a PLOVER type")
    contexts = [part.strip() for part in context.split(";") if part.strip()]
    return PloverMapping(code, type_.strip(), _blank_to_none(mode), ";".join(contexts) or None)


@cache
def cameo_plover_entries() -> tuple[PloverMapping, ...]:
    """Every mapping line of CAMEO2PLOVER-2021.txt in file order, repeated codes included."""
    entries = []
    for line in _read_lines(PLOVER_FILE):
        if not line.strip() or line.startswith(("#", "~")):
            continue
        match = _PLOVER_LINE.match(line)
        if not match:
            raise ValueError(f"{PLOVER_FILE[-1]}: cannot read line {line!r}")
        entries.append(_plover_mapping(*match.groups()))
    return tuple(entries)


@cache
def cameo_plover() -> dict[str, PloverMapping | None]:
    """CAMEO code → PLOVER mapping; None marks a code the file maps two different ways."""
    table: dict[str, PloverMapping | None] = {}
    for entry in cameo_plover_entries():
        earlier = table.get(entry.cameo, entry)
        table[entry.cameo] = entry if earlier == entry else None
    return table


def plover_for(code: str) -> PloverMapping:
    """The PLOVER mapping of a CAMEO code, else of its base (3-digit) or root (2-digit) code."""
    table = cameo_plover()
    for key in dict.fromkeys((code, code[:3], code[:2])):
        if key not in table:
            continue
        mapping = table[key]
        if mapping is None:
            raise UnmappedCode(f"ambiguous CAMEO code {key}: mapped to two PLOVER types")
        return mapping
    if code[:2] in CAMEO_PLOVER_SUPPLEMENT:
        return CAMEO_PLOVER_SUPPLEMENT[code[:2]]
    if code[:2] in CAMEO_OUTSIDE_PLOVER:
        raise OutsideOntology(CAMEO_OUTSIDE_PLOVER[code[:2]])
    raise UnmappedCode(f"unmapped CAMEO code {code}")


def _split_run_on(code: str, text: str) -> list[tuple[str, str]]:
    match = _RUN_ON_ENTRY.match(text)
    if not match:
        return [(code, text)]
    first, second_code, second = match.groups()
    return [(code, first.strip()), (second_code, second.strip())]


@cache
def cameo_event_names() -> dict[str, str]:
    """CAMEO event code → description (CAMEO.eventcodes.txt, its run-on 1056/106 line split)."""
    rows = _two_columns(EVENTCODES_FILE)
    return dict(pair for code, text in rows for pair in _split_run_on(code, text))


def event_name(code: str) -> str | None:
    """The description of a CAMEO code, else of its base or root code; None if none has one."""
    names = cameo_event_names()
    return next((names[key] for key in (code, code[:3], code[:2]) if key in names), None)


@cache
def goldstein_scale() -> dict[str, float]:
    """CAMEO event code → Goldstein score (-10 conflict .. +10 cooperation)."""
    return {code: float(value) for code, value in _two_columns(GOLDSTEIN_FILE)}


def _intensity(code: str) -> float:
    """The Goldstein score of exactly this CAMEO code."""
    try:
        return goldstein_scale()[code]
    except KeyError:
        raise UnmappedCode(f"no Goldstein score for CAMEO code {code}") from None


def _quad_class(code: str) -> int:
    try:
        return CAMEO_QUAD_CLASSES[code[:2]]
    except KeyError:
        raise UnmappedCode(f"no quad class for CAMEO code {code}") from None


def cameo_fields(code: str) -> dict[str, Any]:
    """The event fields a CAMEO code fixes: its PLOVER coding, quad class and intensity."""
    plover = plover_for(code)
    return {
        "plover_type": plover.type,
        "plover_mode": plover.mode,
        "plover_context": plover.context,
        "cameo_code": code,
        "quad_class": _quad_class(code),
        "intensity": _intensity(code),
    }


@cache
def cameo_countries() -> dict[str, str]:
    """CAMEO country (and region) code → label."""
    return dict(_two_columns(COUNTRY_FILE))


@cache
def cameo_types() -> dict[str, str]:
    """CAMEO actor type code (GOV, MIL, ...) → label."""
    return dict(_two_columns(TYPE_FILE))


@cache
def _geonames_rows() -> tuple[tuple[str, str], ...]:
    """(ISO3, FIPS) of every GeoNames country; FIPS is blank for a few."""
    rows = [line.split("\t") for line in _read_lines(GEONAMES_FILE)[1:] if line.strip()]
    return tuple((row[1], row[3]) for row in rows)


@cache
def iso3_codes() -> frozenset[str]:
    """Every ISO 3166 alpha-3 code GeoNames lists."""
    return frozenset(iso3 for iso3, _ in _geonames_rows())


@cache
def fips_iso3() -> dict[str, str | None]:
    """FIPS 10-4 country code → ISO 3166 alpha-3 (None: a place that is no state)."""
    table: dict[str, str | None] = {fips: iso3 for iso3, fips in _geonames_rows() if fips}
    return table | GDELT_FIPS_EXTRAS


def iso3_from_fips(fips: str) -> str | None:
    """The ISO3 code of a FIPS 10-4 code (GDELT's ``*Geo_CountryCode``): KN → PRK, RS → RUS."""
    try:
        return fips_iso3()[fips]
    except KeyError:
        raise UnmappedCode(f"unmapped FIPS country code {fips!r}") from None


@cache
def cameo_country_iso3() -> dict[str, str | None]:
    """CAMEO country code → ISO3 of the state, None for regions; every code classified."""
    table: dict[str, str | None] = {}
    for code in cameo_countries():
        if code in CAMEO_NON_STATES:
            table[code] = None
        elif code in CAMEO_ISO3_ALIASES or code in iso3_codes():
            table[code] = CAMEO_ISO3_ALIASES.get(code, code)
        else:
            raise ValueError(f"{COUNTRY_FILE[-1]}: {code} is neither an ISO3 state nor a region")
    return table


def state_from_cameo(code: str) -> str | None:
    """The ISO3 state of a CAMEO country code (or of an ISO3 code CAMEO lacks); None: a region."""
    table = cameo_country_iso3()
    if code in table:
        return table[code]
    if code in iso3_codes():
        return code
    raise UnmappedCode(f"unknown CAMEO country code {code!r}")
