"""The CNS North Korea Missile Test Database: every launch is one event.

Two layouts are read. The bundled one is nagix/nk-missile-tests' JSON (a test file
whose records name a missile and a facility by key, resolved through companion
``missile``/``facility``/``dict`` files). The other is NTI's own 19-column layout, as
CSV or as the ``.xlsx`` workbook NTI offers, with dates like ``9-Apr-84`` or, where
only the month is known, ``Sep-84``. A launch's ``source_id`` is its date plus its
place among the launches of that date, so re-reading the same file gives the same ids.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
import reprlib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from ..codes import cameo_fields
from ..errors import SourceError
from ..schema import new_event
from .base import Reject, Row, Source, bundled_path, csv_records, decode_text

KIND = "missiles"
BUNDLED_TEST_FILE = "dprk/cns_missile_tests_nagix_test.en.json"
CAMEO_CODE = "150"  # Demonstrate military or police power
RELIABILITY = "A"

CITATION_CNS = {
    "publisher": "James Martin Center for Nonproliferation Studies (CNS) / NTI",
    "title": "CNS North Korea Missile Test Database",
    "date": None,
    "url": "https://www.nti.org/analysis/articles/cns-north-korea-missile-test-database/",
}
CITATION_NAGIX = {
    "publisher": "nagix (GitHub)",
    "title": "North Korea Missile Test Visualization (nagix/nk-missile-tests)",
    "date": None,
    "url": "https://github.com/nagix/nk-missile-tests",
}

#: missile type (upper case) -> tags; a type not listed is kept and tagged by its own name
MISSILE_TYPE_TAGS: dict[str, tuple[str, ...]] = {
    "SRBM": ("srbm",),
    "MRBM": ("mrbm",),
    "IRBM": ("irbm",),
    "ICBM": ("icbm",),
    "SLBM": ("slbm",),
    "HGV": ("hgv",),
    "SLV": ("slv", "satellite"),
    "CRUISE": ("cruise",),
    "UNKNOWN": (),
}

#: NTI's confirmation status (lower case) -> Admiralty credibility; "" is a layout without one
CREDIBILITY_BY_STATUS: dict[str, int] = {"confirmed": 1, "unconfirmed": 3, "": 2}

#: companion tables of the nagix layout: attribute -> the word that replaces "test" in the name
COMPANIONS: dict[str, str] = {"missiles": "missile", "facilities": "facility", "labels": "dict"}

#: facility keys whose coordinates are a placeholder, not a launch site (nagix puts "unknown"
#: at Pyongyang airport)
UNLOCATED_FACILITIES = frozenset({"unknown"})

#: values that mean "not known", compared lower-cased
NOT_KNOWN = frozenset({"", "unknown", "na", "n/a", "none", "-"})

MONTHS: dict[str, int] = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
TWO_DIGIT_YEAR_PIVOT = 80  # 80-99 -> 19xx, 00-79 -> 20xx

#: accepted date spellings and the precision each gives
DATE_FORMATS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"), "day"),
    (re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})"), "month"),
    (re.compile(r"(?P<year>\d{4})"), "year"),
    (re.compile(r"(?P<day>\d{1,2})-(?P<month>[A-Za-z]{3})-(?P<year>\d{2}|\d{4})"), "day"),
    (re.compile(r"(?P<month>[A-Za-z]{3})-(?P<year>\d{2}|\d{4})"), "month"),
)
_KEY_LENGTH = {"day": 10, "month": 7, "year": 4}
DateOrReason = tuple[dt.date, str] | str

#: NTI layout column -> field of ``Launch``; every one must be in the header
NTI_COLUMNS: dict[str, str] = {
    "F1": "nti_number",
    "Date": "date",
    "Launch Time (UTC)": "launch_time_utc",
    "Missile Name": "missile",
    "Missile Type": "missile_type",
    "Facility Name": "facility",
    "Facility Latitude": "lat",
    "Facility Longitude": "lon",
    "Landing Location": "landing",
    "Apogee": "apogee",
    "Distance Travelled": "distance",
    "Confirmation Status": "confirmation",
    "Test Outcome": "outcome",
    "Additional Information": "description",
    "Source(s)": "sources",
}
_KM = re.compile(r"\s*(\d[\d,]*(?:\.\d+)?)\s*(?:km)?\s*", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s;,\"]+")
_XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Lookups:
    """The nagix companion tables: missiles and facilities by key, display labels by key."""

    missiles: Mapping[str, Any]
    facilities: Mapping[str, Any]
    labels: Mapping[str, Any]


@dataclass(frozen=True)
class Launch:
    """One launch as either layout gives it, before it becomes an event."""

    date: str
    missile: str | None
    missile_type: str | None
    facility: str | None
    lat: float | None = None
    lon: float | None = None
    landing: str | None = None
    apogee_km: float | None = None
    distance_km: float | None = None
    outcome: str = "unknown"
    confirmation: str = ""
    description: str | None = None
    url: str | None = None
    nuclear_capable: bool = False
    citations: tuple[Mapping[str, Any], ...] = (CITATION_CNS,)
    extra: Mapping[str, Any] = field(default_factory=dict)


def _known(value: Any) -> str | None:
    """The value as stripped text, or None when it says nothing is known."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = " ".join(str(value).split())
    return None if text.lower() in NOT_KNOWN else text


def _number(value: Any) -> float | None:
    """A finite number from a number or numeric text (``"1,380 km"``), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    match = _KM.fullmatch(value) if isinstance(value, str) else None
    return float(match.group(1).replace(",", "")) if match else None


def _year(text: str) -> int:
    """A four-digit year; two digits pivot at ``TWO_DIGIT_YEAR_PIVOT``."""
    year = int(text)
    if len(text) == 2:
        year += 1900 if year >= TWO_DIGIT_YEAR_PIVOT else 2000
    return year


def parse_date(text: str) -> DateOrReason:
    """(date, precision) of a launch date in any accepted spelling, or why it is unusable."""
    text = text.strip()
    if not text:
        return "missing date"
    for pattern, precision in DATE_FORMATS:
        match = pattern.fullmatch(text)
        if match:
            return _build_date(match.groupdict(), precision, text)
    return f"bad date {text!r}"


def _build_date(parts: dict[str, str | None], precision: str, text: str) -> DateOrReason:
    month_text = parts.get("month") or "1"
    month = MONTHS.get(month_text.lower()) if month_text.isalpha() else int(month_text)
    try:
        date = dt.date(_year(parts["year"] or ""), month or 0, int(parts.get("day") or 1))
    except ValueError:
        return f"bad date {text!r}"
    return date, precision


def missile_tags(missile_type: str | None, nuclear_capable: bool) -> list[str]:
    """``missile_test``, the type's tags (or its own name if unlisted), ``nuclear_capable``."""
    tags = ["missile_test"]
    if missile_type:
        slug = re.sub(r"[^a-z0-9]+", "_", missile_type.lower()).strip("_")
        tags += MISSILE_TYPE_TAGS.get(missile_type.upper(), (slug,) if slug else ())
    if nuclear_capable:
        tags.append("nuclear_capable")
    return list(dict.fromkeys(tags))


def _label(launch: Launch) -> str:
    """``Hwasong-18 (ICBM)``, or whichever of name and type is known, or ``Missile``."""
    kind = launch.missile_type if launch.missile_type else None
    if launch.missile and kind:
        return f"{launch.missile} ({kind})"
    return launch.missile or kind or "Missile"


def _title(launch: Launch) -> str:
    where = f" from {launch.facility}" if launch.facility else ""
    return f"{_label(launch)} launch{where}"


def _summary(launch: Launch) -> str:
    parts = [f"{_label(launch)} launched{f' from {launch.facility}' if launch.facility else ''}"]
    parts.append(f"outcome {launch.outcome}")
    if launch.apogee_km is not None:
        parts.append(f"apogee {launch.apogee_km:g} km")
    if launch.distance_km is not None:
        parts.append(f"distance {launch.distance_km:g} km")
    if launch.landing:
        parts.append(f"landed in {launch.landing}")
    return "; ".join(parts) + "."


def _attrs(launch: Launch) -> dict[str, Any]:
    return {
        "missile": launch.missile,
        "missile_type": launch.missile_type,
        "facility": launch.facility,
        "outcome": launch.outcome,
        "apogee_km": launch.apogee_km,
        "distance_km": launch.distance_km,
        "landing": launch.landing,
        "description": launch.description,
        "confirmation": launch.confirmation or None,
        **launch.extra,
    }


def launch_event(launch: Launch, source_id: str, date: dt.date, precision: str) -> dict[str, Any]:
    """The canonical event of one launch."""
    return new_event(
        KIND,
        source_id,
        date=date,
        date_precision=precision,
        actor="PRK",
        actor_sector="MIL",
        country="PRK",
        lat=launch.lat,
        lon=launch.lon,
        **cameo_fields(CAMEO_CODE),
        url=launch.url,
        title=_title(launch),
        summary=_summary(launch),
        citations=[dict(c) for c in launch.citations],
        reliability=RELIABILITY,
        credibility=CREDIBILITY_BY_STATUS[launch.confirmation],
        tags=missile_tags(launch.missile_type, launch.nuclear_capable),
        attrs=_attrs(launch),
    )


def _numbered(items: Iterable[tuple[int, Launch | Reject]]) -> Iterator[Row]:
    """Events with ids ``<date>#<n>`` (n-th launch of that date in file order), or rejects."""
    seen: Counter[str] = Counter()
    for line, launch in items:
        if isinstance(launch, Reject):
            yield line, launch
            continue
        if launch.confirmation not in CREDIBILITY_BY_STATUS:
            yield line, Reject(line, f"unknown confirmation status {launch.confirmation!r}")
            continue
        parsed = parse_date(launch.date)
        if isinstance(parsed, str):
            yield line, Reject(line, parsed, launch.date)
            continue
        date, precision = parsed
        key = date.isoformat()[: _KEY_LENGTH[precision]]
        seen[key] += 1
        yield line, launch_event(launch, f"{key}#{seen[key]}", date, precision)


# --- the nagix JSON layout -------------------------------------------------------------


def _load_json(data: bytes, name: str) -> Any:
    try:
        return json.loads(decode_text(data, name))
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"{name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except (ValueError, RecursionError) as exc:
        raise SourceError(f"{name}: not valid JSON ({exc.__class__.__name__})") from None


def _lookups_from(tables: Mapping[str, Any], name: str) -> Lookups:
    """Lookups from the three parsed companion documents; SourceError if one is the wrong shape."""
    facility_file = tables["facilities"]
    facilities = facility_file.get("facilities") if isinstance(facility_file, dict) else None
    shaped = {"missiles": tables["missiles"], "facilities": facilities, "labels": tables["labels"]}
    for key, table in shaped.items():
        if not isinstance(table, dict):
            raise SourceError(f"{name}: the {COMPANIONS[key]} table is not a JSON object")
    return Lookups(**shaped)


@cache
def bundled_lookups() -> Lookups:
    """The companion tables shipped beside the bundled test file, read once."""
    test_file = bundled_path(*BUNDLED_TEST_FILE.split("/"))
    return lookups_beside(test_file) or Lookups({}, {}, {})


def companion_path(test_file: Path, part: str) -> Path | None:
    """``x_missile.en.json`` beside ``x_test.en.json``; None if the name has no ``test`` part."""
    name, count = re.subn(r"test(?=(?:\.[a-z]{2})?\.json$)", part, test_file.name)
    return test_file.with_name(name) if count else None


def lookups_beside(test_file: Path) -> Lookups | None:
    """The companion tables beside a test file, or None unless all three are there."""
    paths = {key: companion_path(test_file, part) for key, part in COMPANIONS.items()}
    if not all(path and path.is_file() for path in paths.values()):
        return None
    try:
        tables = {key: _load_json(p.read_bytes(), str(p)) for key, p in paths.items() if p}
    except OSError as exc:
        raise SourceError(
            f"{test_file}: cannot read its companion tables ({exc.strerror})"
        ) from None
    return _lookups_from(tables, str(test_file))


def _records(document: Any, name: str) -> Iterator[Any]:
    """Every record of every time bin, in file order."""
    bins = document.get("timeBins") if isinstance(document, dict) else None
    if not isinstance(bins, list):
        raise SourceError(f"{name}: not a nagix missile test file (no 'timeBins' list)")
    for number, time_bin in enumerate(bins, start=1):
        records = time_bin.get("data") if isinstance(time_bin, dict) else None
        if not isinstance(records, list):
            raise SourceError(f"{name}: time bin {number} has no 'data' list")
        yield from records


def _entry(table: Mapping[str, Any], key: str | None) -> Mapping[str, Any]:
    entry = table.get(key) if key else None
    return entry if isinstance(entry, dict) else {}


def _key(value: Any) -> str | None:
    """A record's key into a companion table, as given."""
    return (value.strip() or None) if isinstance(value, str) else None


def _json_facility(key: str | None, lookups: Lookups) -> dict[str, Any]:
    entry = _entry(lookups.facilities, key)
    if key is None or key in UNLOCATED_FACILITIES:
        return {"facility": None, "lat": None, "lon": None}
    return {
        "facility": _known(entry.get("name")) or _known(key),
        "lat": _number(entry.get("lat")),
        "lon": _number(entry.get("lon")),
    }


def _json_launch(record: Any, lookups: Lookups) -> Launch | str:
    """A launch from one nagix record, or why it cannot be one."""
    if not isinstance(record, dict):
        return "record is not a JSON object"
    missile_key, facility_key = _key(record.get("missile")), _key(record.get("facility"))
    missile = _entry(lookups.missiles, missile_key)
    landing = _known(record.get("landing"))
    outcome = _known(record.get("outcome"))
    date = record.get("date")
    return Launch(
        date=date if isinstance(date, str) else "",
        missile=_known(missile.get("name")) or _known(missile_key),
        missile_type=_known(missile.get("type")),
        **_json_facility(facility_key, lookups),
        landing=_known(lookups.labels.get(landing, landing)) if landing else None,
        apogee_km=_number(record.get("apogee")),
        distance_km=_number(record.get("distance")),
        outcome=outcome.lower() if outcome else "unknown",
        description=_known(record.get("description")),
        nuclear_capable=missile.get("nuclear_capable") is True,
        citations=(CITATION_CNS, CITATION_NAGIX),
        extra={
            "missile_key": missile_key,
            "facility_key": facility_key,
            "series": record.get("series") if isinstance(record.get("series"), int) else None,
            "launch_time_utc": _known(str(record.get("time", "")).replace("(UTC)", "")),
            "maneuver": _known(missile.get("maneuver")),
        },
    )


def json_rows(data: bytes, name: str, lookups: Lookups) -> Iterator[tuple[int, Launch | Reject]]:
    """Numbered launches (or rejects) of a nagix test file; the number is the record's."""
    for number, record in enumerate(_records(_load_json(data, name), name), start=1):
        launch = _json_launch(record, lookups)
        if isinstance(launch, str):
            yield number, Reject(number, launch, reprlib.repr(record))
        else:
            yield number, launch


# --- NTI's own layout: CSV or xlsx -------------------------------------------------------


def _csv_lines(data: bytes, name: str) -> Iterator[tuple[int, list[str] | Reject]]:
    """(line, fields) of each CSV record; a record the csv module cannot read is a Reject."""
    yield from csv_records(csv.reader(io.StringIO(decode_text(data, name), newline="")))


def _cell_text(cell: Any) -> str:
    """A cell as text; a date cell is ISO, month-only when its number format shows no day."""
    value = cell.value
    if isinstance(value, dt.datetime | dt.date):
        month_only = "d" not in str(cell.number_format).lower()
        return value.strftime("%Y-%m") if month_only else value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _xlsx_lines(data: bytes, name: str) -> Iterator[tuple[int, list[str] | Reject]]:
    """(row number, cell texts) of the first worksheet of a workbook."""
    import openpyxl  # heavy; only xlsx input needs it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
        sheet = workbook.worksheets[0]
        rows = [[_cell_text(cell) for cell in row] for row in sheet.iter_rows()]
    except Exception as exc:  # openpyxl raises many kinds of error on a damaged workbook
        raise SourceError(
            f"{name}: not a readable .xlsx workbook ({exc.__class__.__name__})"
        ) from None
    width = next((_width(row) for row in rows if _width(row)), 0)
    for number, row in enumerate(rows, start=1):
        yield number, _fit(row, width)


def _width(row: list[str]) -> int:
    """How many cells a row spans up to its last non-empty one."""
    return max((i + 1 for i, text in enumerate(row) if text.strip()), default=0)


def _fit(row: list[str], width: int) -> list[str]:
    """A worksheet row cut or padded to the header's width, unless it holds values beyond it."""
    if _width(row) > width:
        return row
    return (row + [""] * width)[:width]


def _header(lines: Iterator[tuple[int, list[str] | Reject]], name: str) -> list[str]:
    """The first non-empty row, checked to hold every column of ``NTI_COLUMNS``."""
    for _, fields in lines:
        if isinstance(fields, list) and any(f.strip() for f in fields):
            header = [f.strip() for f in fields]
            missing = [column for column in NTI_COLUMNS if column not in header]
            if missing:
                columns = ", ".join(missing)
                raise SourceError(f"{name}: not NTI's missile test layout (missing {columns})")
            return header
    raise SourceError(f"{name}: empty file, no header row")


def _nti_launch(record: dict[str, str]) -> Launch:
    """A launch from one NTI row, keyed by ``Launch`` field names."""
    urls = _URL.findall(record["sources"])
    return Launch(
        date=record["date"],
        missile=_known(record["missile"]),
        missile_type=_known(record["missile_type"]),
        facility=_known(record["facility"]),
        lat=_coordinate(record["lat"]),
        lon=_coordinate(record["lon"]),
        landing=_known(record["landing"]),
        apogee_km=_number(record["apogee"]),
        distance_km=_number(record["distance"]),
        outcome=(_known(record["outcome"]) or "unknown").lower(),
        confirmation=(_known(record["confirmation"]) or "").lower(),
        description=_known(record["description"]),
        url=urls[0] if urls else None,
        extra={
            "nti_number": _known(record["nti_number"]),
            "launch_time_utc": _known(record["launch_time_utc"]),
            "sources": _known(record["sources"]),
        },
    )


def _coordinate(text: str) -> float | None:
    """A signed decimal coordinate, or None."""
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def nti_rows(
    lines: Iterator[tuple[int, list[str] | Reject]], name: str
) -> Iterator[tuple[int, Launch | Reject]]:
    """Numbered launches (or rejects) of NTI's layout, from (line, fields) pairs."""
    header = _header(lines, name)
    for line, fields in lines:
        if isinstance(fields, Reject):
            yield line, fields
        elif not any(f.strip() for f in fields):
            continue
        elif len(fields) != len(header):
            raw = ",".join(fields)[:200]
            yield line, Reject(line, f"expected {len(header)} fields, got {len(fields)}", raw)
        else:
            row = dict(zip(header, fields, strict=True))
            yield line, _nti_launch({key: row[column] for column, key in NTI_COLUMNS.items()})


# --- the source ---------------------------------------------------------------------------


def layout_of(data: bytes, name: str) -> str:
    """``json``, ``xlsx`` or ``csv``: by the content's first bytes, else by the file extension."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:4]
    if head.startswith(b"{"):
        return "json"
    if head.startswith(_XLSX_MAGIC):
        return "xlsx"
    suffix = Path(name).suffix.lower()
    return {".json": "json", ".xlsx": "xlsx"}.get(suffix, "csv")


class MissileSource(Source):
    """North Korean missile launches from the CNS database (nagix JSON, NTI CSV or xlsx)."""

    kind: ClassVar[str] = KIND
    bundled: ClassVar[tuple[str, ...]] = (BUNDLED_TEST_FILE,)
    patterns: ClassVar[tuple[str, ...]] = ("*_test.en.json", "*.csv", "*.xlsx")

    def __init__(self, lookups: Lookups | None = None) -> None:
        self.given_lookups = lookups
        self.lookups = lookups

    def fetch(self, location: str | Path) -> bytes:
        """The file's bytes; companion tables beside a nagix test file are read too."""
        data = super().fetch(location)
        if layout_of(data, str(location)) == "json":
            self.lookups = lookups_beside(Path(location)) or self.given_lookups
        return data

    def rows(self, data: bytes, name: str) -> Iterator[Row]:
        layout = layout_of(data, name)
        if layout == "json":
            launches = json_rows(data, name, self.lookups or bundled_lookups())
        elif layout == "xlsx":
            launches = nti_rows(_xlsx_lines(data, name), name)
        else:
            launches = nti_rows(_csv_lines(data, name), name)
        return _numbered(launches)
