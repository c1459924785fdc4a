"""GDELT event files (2.0 ``YYYYMMDDHHMMSS.export.CSV``, 1.0 daily ``YYYYMMDD.export.CSV``;
zipped or not) as canonical events.

A zip is recognised by its signature; it must hold exactly one member, named like the
zip without ``.zip`` (``X.export.CSV.zip`` → ``X.export.CSV``).

Reading is two steps. ``read_events_raw`` turns a file into an Arrow table holding its 61
columns under their official names, typed, and quarantines the rows it cannot read;
``GdeltSource.rows`` maps that table onto the canonical event with lookups done once per
distinct code. ``read_mentions_raw`` reads the 16-column mentions files the same way.

Bad input, row by row (the row becomes a ``Reject`` with its line number, the rest load):
a line with the wrong number of columns, a line that is not valid UTF-8, a value that is
not of its column's type (``Day`` = ``2024-10-29``), a bad date, an unmapped code. Lines
are counted as pyarrow splits them (``\\n``, ``\\r\\n`` or ``\\r``); blank lines are
skipped. Whole-file problems raise a one-line ``SourceError``: a corrupt zip, a zip that
does not hold exactly the one expected member, an unreadable CSV.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import reduce
from pathlib import PurePath
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..codes import (
    OutsideOntology,
    UnmappedCode,
    event_name,
    iso3_from_fips,
    plover_for,
    state_from_cameo,
)
from ..errors import SourceError
from ..schema import new_event
from .base import Reject, Row, Skip, Source
from .gdelt_columns import EVENT_COLUMNS, MENTION_COLUMNS, SECTOR_BY_TYPE, Columns

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_BOM = b"\xef\xbb\xbf"
_ZIP_ERRORS = (
    zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError,
    RuntimeError,
)  # fmt: skip
_NOT_SPECIFIED = re.compile(r",?\s*not specified below\s*$", re.IGNORECASE)


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


# --- unzipping ------------------------------------------------------------------------


def _check_member(archive: zipfile.ZipFile, name: str, suffix: str) -> zipfile.ZipInfo:
    """The one member of a GDELT zip; its name must end in ``suffix`` and match the zip's."""
    members = archive.infolist()
    if len(members) != 1:
        raise SourceError(f"{name}: zip holds {len(members)} members, expected exactly one")
    member, outer = members[0], PurePath(name).name
    outer = outer[: -len(".zip")] if outer.lower().endswith(".zip") else ""
    inner = PurePath(member.filename).name
    expected = outer if outer.lower().endswith(suffix.lower()) else f"*{suffix}"
    if not inner.lower().endswith(suffix.lower()) or (expected == outer and inner != outer):
        raise SourceError(f"{name}: zip member is {inner!r}, expected {expected!r}")
    return member


def unzip_member(data: bytes, name: str, suffix: str) -> bytes:
    """The bytes inside a GDELT zip (``name.zip`` → its one ``*suffix`` member), else data."""
    if not data.startswith(_ZIP_MAGIC):
        if data and name.lower().endswith(".zip"):
            raise SourceError(f"{name}: not a zip archive")
        return data
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.read(_check_member(archive, name, suffix))
    except _ZIP_ERRORS as exc:
        raise SourceError(f"{name}: corrupt zip archive ({_one_line(exc)})") from None


# --- raw tables -------------------------------------------------------------------------


def _utf8_reject(number: int, line: bytes) -> Reject | None:
    try:
        line.decode("utf-8")
        return None
    except UnicodeDecodeError as exc:
        text = line.rstrip(b"\r\n").decode("utf-8", "backslashreplace")
        return Reject(number, f"not valid UTF-8 (byte {exc.start}: {exc.reason})", text)


def _screen_utf8(data: bytes) -> tuple[bytes, list[Reject]]:
    """The data with every line that is not UTF-8 blanked, and a Reject for each of them."""
    try:
        data.decode("utf-8")
        return data, []
    except UnicodeDecodeError:
        pass
    lines, rejects = data.splitlines(keepends=True), []
    for number, line in enumerate(lines, start=1):
        if reject := _utf8_reject(number, line):
            rejects.append(reject)
            lines[number - 1] = line[len(line.rstrip(b"\r\n")) :]  # keep only the line end
    return b"".join(lines), rejects


@dataclass
class _Raw:
    """A file read as text columns: the table, each row's line number, and the rejects."""

    text: pa.Table
    lines: np.ndarray
    rejects: list[Reject]


def _csv_options(size: int, columns: Columns, on_bad: Callable[[Any], str]) -> dict[str, Any]:
    names = [column for column, _ in columns]
    block_size = min(max(size + 1, 1 << 20), 2**31 - 1)  # one block: no row can straddle two
    return {
        "read_options": pacsv.ReadOptions(
            column_names=names, use_threads=False, block_size=block_size
        ),
        "parse_options": pacsv.ParseOptions(
            delimiter="\t", quote_char=False, ignore_empty_lines=False, invalid_row_handler=on_bad
        ),
        "convert_options": pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            null_values=[""],
            strings_can_be_null=True,
        ),
    }


def _read_text(data: bytes, name: str, columns: Columns) -> _Raw:
    """Every line as ``len(columns)`` text columns; lines with another count are rejected."""
    rejects: list[Reject] = []
    skipped: list[int] = []

    def on_bad(row: Any) -> str:
        skipped.append(row.number)
        if row.text.strip():
            reason = f"{row.actual_columns} columns, expected {row.expected_columns}"
            rejects.append(Reject(row.number, reason, row.text))
        return "skip"

    if not data:
        return _Raw(_empty_text(columns), np.empty(0, np.int64), [])
    try:
        table = pacsv.read_csv(pa.py_buffer(data), **_csv_options(len(data), columns, on_bad))
    except pa.ArrowException as exc:
        raise SourceError(
            f"{name}: cannot read as tab-separated GDELT ({_one_line(exc)})"
        ) from None
    lines = np.setdiff1d(np.arange(1, table.num_rows + len(skipped) + 1), skipped)
    if len(lines) != table.num_rows:
        raise SourceError(f"{name}: cannot number the rows of the file")
    return _drop_blank(_Raw(table, lines, rejects))


def _empty_text(columns: Columns) -> pa.Table:
    return pa.schema([(column, pa.string()) for column, _ in columns]).empty_table()


def _drop_blank(raw: _Raw) -> _Raw:
    """Without the rows that hold no value at all (blank lines)."""
    if raw.text.num_rows == 0:
        return raw
    blank = reduce(pc.and_, [pc.is_null(column) for column in raw.text.columns])
    keep = pc.invert(blank)
    return _Raw(raw.text.filter(keep), raw.lines[np.asarray(keep)], raw.rejects)


def _bad_values(column: pa.ChunkedArray, type_: pa.DataType) -> dict[int, str]:
    """Row index → text of each value in a text column that does not cast to ``type_``."""
    try:
        pc.cast(column, type_)
        return {}
    except pa.ArrowException:
        pass
    bad = {}
    for index, value in enumerate(column.to_pylist()):
        try:
            pc.cast(pa.array([value], pa.string()), type_)
        except pa.ArrowException:
            bad[index] = value
    return bad


def _raw_text(text: pa.Table, indices: list[int]) -> list[str]:
    """The original lines of some rows, rebuilt from the text columns."""
    if not indices:
        return []
    rows = text.take(indices)
    cells = [pc.fill_null(column, "") for column in rows.columns]
    return pc.binary_join_element_wise(*cells, "\t").to_pylist()


def _type_problems(raw: _Raw, columns: Columns) -> dict[int, str]:
    """Row index → why the row's first mistyped value cannot take its column's type."""
    problems: dict[int, str] = {}
    for column, type_ in columns:
        if type_ == pa.string():
            continue
        for index, value in _bad_values(raw.text[column], type_).items():
            problems.setdefault(index, f"{column} {value!r} is not a valid {type_}")
    return problems


def _typed(raw: _Raw, columns: Columns) -> tuple[_Raw, pa.Table]:
    """The rows whose values all take their column's type, as text and as typed columns."""
    problems = _type_problems(raw, columns)
    bad = sorted(problems)
    texts = _raw_text(raw.text, bad)
    rejects = [Reject(int(raw.lines[i]), problems[i], t) for i, t in zip(bad, texts, strict=True)]
    keep = np.ones(raw.text.num_rows, dtype=bool)
    keep[bad] = False
    text = raw.text.filter(pa.array(keep))
    schema = pa.schema(list(columns))
    return _Raw(text, raw.lines[keep], raw.rejects + rejects), text.cast(schema)


def _read(data: bytes, name: str, columns: Columns, suffix: str) -> tuple[_Raw, pa.Table]:
    data = unzip_member(data, name, suffix).removeprefix(_BOM)
    data, utf8_rejects = _screen_utf8(data)
    raw = _read_text(data, name, columns)
    raw.rejects[:0] = utf8_rejects
    text, table = _typed(raw, columns)
    text.rejects.sort(key=lambda reject: reject.line)
    return text, table


def read_events_raw(data: bytes, name: str) -> tuple[pa.Table, list[Reject]]:
    """The 61 typed columns of a GDELT 2.0 event file, and the rows that could not be read."""
    text, table = _read(data, name, EVENT_COLUMNS, ".export.CSV")
    return table, text.rejects


def read_mentions_raw(data: bytes, name: str) -> pa.Table:
    """The 16 typed columns of a GDELT 2.0 mentions file; any unreadable row is a SourceError."""
    text, table = _read(data, name, MENTION_COLUMNS, ".mentions.CSV")
    if text.rejects:
        first = text.rejects[0]
        raise SourceError(
            f"{name}: {len(text.rejects)} unreadable row(s), first at line {first.line}: "
            f"{first.reason}"
        )
    return table


# --- mapping onto canonical events ---------------------------------------------------------


@dataclass(frozen=True)
class _Problem:
    """Why one row cannot become an event (``skip``: by rule, not because it is bad)."""

    reason: str
    skip: bool = False


def _lookup(
    column: pa.ChunkedArray, fn: Callable[[Any], Any], missing: str | None = None
) -> list[Any]:
    """``fn`` of every value, computed once per distinct value; a failure becomes a _Problem."""
    encoded = column.combine_chunks().dictionary_encode()
    results = [_attempt(fn, value) for value in encoded.dictionary.to_pylist()]
    absent = _Problem(missing) if missing else None
    return [absent if i is None else results[i] for i in encoded.indices.to_pylist()]


def _attempt(fn: Callable[[Any], Any], value: Any) -> Any:
    try:
        return fn(value)
    except OutsideOntology as exc:
        return _Problem(str(exc), skip=True)
    except (UnmappedCode, ValueError) as exc:
        return _Problem(str(exc))


def _day(value: int) -> dt.date:
    text = str(value)
    try:
        if len(text) != 8 or not text.isdigit():
            raise ValueError
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise ValueError(f"Day {value} is not a YYYYMMDD date") from None


def _sector(code: str) -> str | None:
    try:
        return SECTOR_BY_TYPE[code]
    except KeyError:
        raise UnmappedCode(f"unknown CAMEO actor type code {code!r}") from None


def _in_column(fn: Callable[[str], Any], column: str) -> Callable[[str], Any]:
    """``fn`` whose failures name the column they came from."""

    def wrapped(value: str) -> Any:
        try:
            return fn(value)
        except UnmappedCode as exc:
            raise UnmappedCode(f"{column}: {exc}") from None

    return wrapped


def _plover_part(part: str) -> Callable[[str], str | None]:
    def get(code: str) -> str | None:
        value: str | None = getattr(plover_for(code), part)
        return value

    return get


def _verb(code: str) -> str | None:
    """A CAMEO code's description as a short lower-case verb phrase: ``make a visit``."""
    name = event_name(code)
    if not name:
        return None
    verb = _NOT_SPECIFIED.sub("", name).strip()
    return verb.lower() if verb.isupper() else verb[:1].lower() + verb[1:]


def _place(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Geo names with whitespace runs collapsed and commas as ``", "`` (the regexes run once
    per distinct name: a file names a few hundred places in its thousands of rows)."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    encoded = array.dictionary_encode()
    spaced = pc.replace_substring_regex(encoded.dictionary, r"\s+", " ")
    commas = pc.replace_substring_regex(spaced, r" ?, ?", ", ")
    return pc.utf8_trim_whitespace(commas).take(encoded.indices)


def _http_urls(column: pa.ChunkedArray) -> pa.ChunkedArray:
    is_http = pc.match_substring_regex(column, r"^https?://")
    return pc.if_else(is_http, column, pa.scalar(None, pa.string()))


def _titles(t: pa.Table) -> pa.Array:
    """``Actor1Name <verb> Actor2Name``, leaving out whichever part is missing."""
    verbs = pa.array(_lookup(t["EventCode"], _verb), pa.string())
    names = [pc.utf8_trim_whitespace(t[f"Actor{n}Name"]).combine_chunks() for n in (1, 2)]
    titles = pc.binary_join_element_wise(names[0], verbs, names[1], " ", null_handling="skip")
    return pc.if_else(pc.equal(titles, ""), pa.scalar(None, pa.string()), titles)


def confidence_scores(table: pa.Table) -> list[float]:
    """``confidence_array`` as a list."""
    return list(confidence_array(table).tolist())


def confidence_array(table: pa.Table) -> np.ndarray:
    """Confidence 0..1 of GDELT rows: ``0.6·(1-½^NumSources) + 0.3·(1-½^(NumMentions/4))
    + 0.1·IsRootEvent``, rounded to 3 places.

    Each further independent source halves the remaining doubt and weighs most; mentions
    (repeats of the same reports) add less; a root event (from a lead paragraph) adds 0.1.
    One source, one mention: 0.35; three sources, ten mentions, root: 0.87.
    """
    sources = np.clip(table["NumSources"].fill_null(0).to_numpy(), 0, None)
    mentions = np.clip(table["NumMentions"].fill_null(0).to_numpy(), 0, None)
    root = table["IsRootEvent"].fill_null(0).to_numpy() == 1
    score = 0.6 * (1 - 0.5**sources) + 0.3 * (1 - 0.5 ** (mentions / 4)) + 0.1 * root
    return np.round(score, 3)


#: canonical field → GDELT column copied as it is
_COPIED = {
    "actor_code": "Actor1Code", "recipient_code": "Actor2Code", "cameo_code": "EventCode",
    "quad_class": "QuadClass", "intensity": "GoldsteinScale", "mentions": "NumMentions",
    "sources_count": "NumSources", "tone": "AvgTone", "lat": "ActionGeo_Lat",
    "lon": "ActionGeo_Long",
}  # fmt: skip

#: GDELT columns kept in ``attrs`` (ActionGeo_FullName whitespace-normalised)
ATTR_COLUMNS = (
    "GlobalEventID", "IsRootEvent", "NumArticles", "EventBaseCode", "EventRootCode",
    "Actor1Code", "Actor1Name", "Actor2Code", "Actor2Name", "ActionGeo_FullName", "DATEADDED",
)  # fmt: skip

_CONSTANT = {"date_precision": "day", "reliability": "C", "credibility": 3}


def _checked_columns(t: pa.Table) -> dict[str, list[Any]]:
    """Looked-up fields, where a _Problem marks a row that cannot become an event."""
    ids = pc.cast(t["GlobalEventID"], pa.string())
    return {
        "source_id": _lookup(ids, str, "GlobalEventID is missing"),
        "date": _lookup(t["Day"], _day, "Day is missing"),
        "plover_type": _lookup(t["EventCode"], _plover_part("type"), "EventCode is missing"),
        "actor": _lookup(t["Actor1CountryCode"], _in_column(state_from_cameo, "Actor1")),
        "recipient": _lookup(t["Actor2CountryCode"], _in_column(state_from_cameo, "Actor2")),
        "actor_sector": _lookup(t["Actor1Type1Code"], _in_column(_sector, "Actor1")),
        "recipient_sector": _lookup(t["Actor2Type1Code"], _in_column(_sector, "Actor2")),
        "country": _lookup(t["ActionGeo_CountryCode"], _in_column(iso3_from_fips, "ActionGeo")),
    }


def _attrs(t: pa.Table) -> list[dict[str, Any]]:
    columns = [t[name] for name in ATTR_COLUMNS]
    columns[ATTR_COLUMNS.index("ActionGeo_FullName")] = _place(t["ActionGeo_FullName"])
    values = zip(*(column.to_pylist() for column in columns), strict=True)
    return [dict(zip(ATTR_COLUMNS, row, strict=True)) for row in values]


def _derived_columns(t: pa.Table) -> dict[str, list[Any]]:
    """Fields copied or computed without a chance of failing."""
    columns = {field: t[column].to_pylist() for field, column in _COPIED.items()}
    return columns | {
        "plover_mode": _lookup(t["EventCode"], _plover_part("mode")),
        "plover_context": _lookup(t["EventCode"], _plover_part("context")),
        "url": _http_urls(t["SOURCEURL"]).to_pylist(),
        "title": _titles(t).to_pylist(),
        "confidence": confidence_scores(t),
        "attrs": _attrs(t),
    }


def _problems(checked: dict[str, list[Any]]) -> dict[int, _Problem]:
    """Row index → the first failed lookup of each row that has one."""
    problems: dict[int, _Problem] = {}
    for column in checked.values():
        for index, value in enumerate(column):
            if isinstance(value, _Problem):
                problems.setdefault(index, value)
    return problems


def _map_events(text: _Raw, table: pa.Table) -> Iterator[Row]:
    """Numbered canonical events, or Rejects saying which lookup failed, for typed rows."""
    checked = _checked_columns(table)
    problems = _problems(checked)
    rejected = sorted(problems)
    raws = dict(zip(rejected, _raw_text(text.text, rejected), strict=True))
    columns = checked | _derived_columns(table)
    fields = tuple(columns)
    for index, values in enumerate(zip(*columns.values(), strict=True)):
        line = int(text.lines[index])
        problem = problems.get(index)
        if problem is not None:
            yield line, (Skip(line, problem.reason) if problem.skip
                         else Reject(line, problem.reason, raws[index]))  # fmt: skip
            continue
        event = dict(zip(fields, values, strict=True), tags=[], **_CONSTANT)
        yield line, new_event("gdelt", event.pop("source_id"), **event)


#: column counts of other GDELT layouts, and what those files are
OTHER_LAYOUTS = {
    16: "a GDELT 2.0 mentions file",
    27: "a GDELT GKG 2.1 file",
}
#: GDELT 1.0 event files: the 2.0 columns without the three ``*_ADM2Code`` (58 columns;
#: files before 2013-04-01 also lack ``SOURCEURL``: 57)
V1_COLUMNS: Columns = tuple(c for c in EVENT_COLUMNS if not c[0].endswith("_ADM2Code"))


def is_gdelt1(data: bytes) -> bool:
    """Whether a file's first line has the 57 or 58 columns of a GDELT 1.0 event file."""
    end = data.find(b"\n")
    first = data if end < 0 else data[:end]
    return first.rstrip(b"\r").count(b"\t") + 1 in (57, 58)


def pad_gdelt1(data: bytes) -> bytes:
    """A GDELT 1.0 file with every 57-column row given an empty ``SOURCEURL`` (58 columns)."""
    lines = data.split(b"\n")
    return b"\n".join(line + b"\t" if line.count(b"\t") == 56 else line for line in lines)


_COUNT = re.compile(r"^(\d+) columns, expected")


def _refuse_other_layouts(text: _Raw, table: pa.Table, name: str) -> None:
    """A file none of whose rows fit, all in one known other layout, is named for what it is."""
    if table.num_rows or not text.rejects:
        return
    counts = [m.group(1) for r in text.rejects if (m := _COUNT.match(r.reason))]
    layouts = {OTHER_LAYOUTS.get(int(count)) for count in counts}
    if len(counts) == len(text.rejects) and len(layouts) == 1 and None not in layouts:
        raise SourceError(f"{name}: this looks like {layouts.pop()}, not a GDELT 2.0 event file")


class GdeltSource(Source):
    """GDELT 2.0 15-minute event files.

    Machine-coded from news media and unverified, so every event is graded C3 on the
    Admiralty scale: fairly reliable source, possibly true.
    """

    kind = "gdelt"
    bundled = (
        "gdelt/2024/20240515224500.export.CSV",
        "gdelt/2024/20240819130000.export.CSV",
        "gdelt/2024/20241029231500.export.CSV",
    )
    patterns = ("*.export.csv", "*.export.csv.zip")

    def rows(self, data: bytes, name: str) -> Iterator[Row]:
        """Events and rejects of one event file (GDELT 2.0, or 1.0 daily), in line order."""
        data = unzip_member(data, name, ".export.CSV").removeprefix(_BOM)
        columns = EVENT_COLUMNS
        if is_gdelt1(data):
            data, columns = pad_gdelt1(data), V1_COLUMNS
        text, table = _read(data, name.removesuffix(".zip"), columns, ".export.CSV")
        _refuse_other_layouts(text, table, name)
        numbered: list[Row] = [(reject.line, reject) for reject in text.rejects]
        numbered.extend(_map_events(text, table))
        return iter(sorted(numbered, key=lambda item: item[0]))
