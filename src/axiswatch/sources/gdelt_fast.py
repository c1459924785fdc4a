"""The fast path for GDELT event files: parse, filter and map whole columns at a time.

``GdeltSource`` (``gdelt.py``) reads a file row by row into canonical event dicts: thorough,
and slow for a year of GDELT. ``read_fast`` reaches the same events without a Python loop
over rows:

1. pyarrow parses only the columns the mapping needs, already typed (threads release the
   GIL, so several files parse at once); a row with the wrong column count is a reject.
   If a value does not take its column's type (or a line is not UTF-8), the file is read
   again the careful way (``gdelt._read``), which rejects just the bad rows.
2. ``keep`` (a ``KeepFilter``) drops, on the raw country columns and before any mapping,
   the rows the lens does not need.
3. Codes are looked up once per distinct value (cached across files), and the results are
   taken back onto the rows; rows whose lookup fails become rejects, CAMEO statements are
   skipped by rule, as in ``gdelt.py``.
4. ``attrs`` (GDELT's own fields, as JSON) and ``event_id`` are built by DuckDB in one
   vectorised query.

GDELT 1.0 event files (57 or 58 columns; no ``*_ADM2Code``, and no ``SOURCEURL`` in the
57-column layout) are read into the 2.0 columns: the missing ones are null.
"""

from __future__ import annotations

import io
import struct
import threading
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..codes import (
    OutsideOntology,
    UnmappedCode,
    fips_iso3,
    iso3_from_fips,
    plover_for,
    state_from_cameo,
)
from ..errors import SourceError
from ..schema import EVENT_SCHEMA
from . import gdelt as careful
from .base import Reject
from .gdelt_columns import EVENT_COLUMNS, Columns

_inflate: Callable[[bytes, int], bytes] | None
_crc32: Callable[[bytes], int] | None
try:  # ISA-L inflates GDELT's zips about twice as fast as zlib
    from isal.isal_zlib import crc32 as _crc32
    from isal.isal_zlib import decompress as _inflate
except ImportError:  # pragma: no cover - zipfile does it, slower
    _inflate = _crc32 = None

#: the columns the canonical mapping reads
NEEDED = (
    "GlobalEventID", "Day", "Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1Type1Code",
    "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2Type1Code", "IsRootEvent",
    "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone", "ActionGeo_FullName",
    "ActionGeo_CountryCode", "ActionGeo_Lat", "ActionGeo_Long", "DATEADDED", "SOURCEURL",
)  # fmt: skip
_TYPES = dict(EVENT_COLUMNS)
_V2_NAMES = [name for name, _ in EVENT_COLUMNS]
_V1_58 = [name for name in _V2_NAMES if not name.endswith("_ADM2Code")]
_V1_57 = _V1_58[:-1]
#: column count → (layout name, column names)
LAYOUTS = {61: ("GDELT 2.0", _V2_NAMES), 58: ("GDELT 1.0", _V1_58), 57: ("GDELT 1.0", _V1_57)}


@dataclass(frozen=True)
class KeepFilter:
    """Which rows to keep, judged on GDELT's raw columns before any mapping.

    A row is kept when its actor, recipient or action location is in ``core`` (the lens's
    dyad), or when both actor and recipient are among ``actors`` (all the lens's actors).
    ``None`` as a filter keeps every row.
    """

    core: tuple[str, ...]
    actors: tuple[str, ...]

    @cached_property
    def _fips(self) -> pa.Array:
        return pa.array([f for f, iso in fips_iso3().items() if iso in self.core], pa.string())

    def mask(self, table: pa.Table) -> pa.Array:
        """True for each row to keep."""
        core, actors, fips = pa.array(self.core), pa.array(self.actors), self._fips
        a1, a2 = table["Actor1CountryCode"], table["Actor2CountryCode"]
        touches = pc.or_(
            pc.or_(pc.is_in(a1, core), pc.is_in(a2, core)),
            pc.is_in(table["ActionGeo_CountryCode"], fips),
        )
        between = pc.and_(pc.is_in(a1, actors), pc.is_in(a2, actors))
        return pc.or_(touches, between).combine_chunks()


@dataclass
class FastResult:
    """One file's events (``EVENT_SCHEMA``), rejects, rows skipped by rule, and rows seen."""

    events: pa.Table
    rejects: list[Reject] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    seen: int = 0
    layout: str = "GDELT 2.0"
    kept: int = 0


# --- parsing ---------------------------------------------------------------------------


def unzip(data: bytes, name: str) -> bytes:
    """The member of a GDELT event zip (``gdelt.unzip_member`` checks the same things);
    inflated with ISA-L when ``isal`` is installed (about twice zlib's speed), CRC checked."""
    if _inflate is None or not data.startswith(careful._ZIP_MAGIC):
        return careful.unzip_member(data, name, ".export.CSV")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            member = careful._check_member(archive, name, ".export.CSV")
        if member.compress_type != zipfile.ZIP_DEFLATED:
            return careful.unzip_member(data, name, ".export.CSV")
        offset = member.header_offset
        if data[offset : offset + 4] != b"PK\x03\x04":
            raise zipfile.BadZipFile("bad local file header")
        name_len, extra_len = struct.unpack("<HH", data[offset + 26 : offset + 30])
        start = offset + 30 + name_len + extra_len
        out = _inflate(data[start : start + member.compress_size], -15)
        if len(out) != member.file_size or _crc32 is None or _crc32(out) != member.CRC:
            raise zipfile.BadZipFile("CRC or size check failed")
        return bytes(out)
    except (*careful._ZIP_ERRORS, struct.error) as exc:
        raise SourceError(f"{name}: corrupt zip archive ({careful._one_line(exc)})") from None
    except Exception as exc:  # isal's own error type
        if type(exc).__name__ == "error":
            raise SourceError(f"{name}: corrupt zip archive ({careful._one_line(exc)})") from None
        raise


def _layout(data: bytes, name: str) -> tuple[str, list[str]]:
    end = data.find(b"\n")
    first = (data if end < 0 else data[:end]).rstrip(b"\r")
    count = first.count(b"\t") + 1
    if count in LAYOUTS:
        return LAYOUTS[count]
    if count == 16:
        raise SourceError(f"{name}: this looks like a GDELT 2.0 mentions file, not an event file")
    if count == 27:
        raise SourceError(f"{name}: this looks like a GDELT GKG 2.1 file, not an event file")
    return LAYOUTS[61]  # its rows will be rejected one by one with their column count


def _parse(
    data: bytes, names: list[str], columns: tuple[str, ...] = NEEDED
) -> tuple[pa.Table, list[int], list[Reject]]:
    """Typed ``columns``, the line numbers of the rows skipped, and wrong-width rejects."""
    skipped: list[int] = []
    rejects: list[Reject] = []

    def on_bad(row: Any) -> str:
        skipped.append(row.number)
        if row.text.strip():
            reason = f"{row.actual_columns} columns, expected {row.expected_columns}"
            rejects.append(Reject(row.number, reason, row.text[:2000]))
        return "skip"

    include = [c for c in columns if c in names]
    table = pacsv.read_csv(
        pa.py_buffer(data),
        read_options=pacsv.ReadOptions(
            column_names=names,
            use_threads=False,
            block_size=min(max(len(data) + 1, 1 << 20), 2**31 - 1),
        ),
        parse_options=pacsv.ParseOptions(
            delimiter="\t", quote_char=False, ignore_empty_lines=False, invalid_row_handler=on_bad
        ),
        convert_options=pacsv.ConvertOptions(
            include_columns=include,
            column_types={c: _TYPES[c] for c in include},
            null_values=[""],
            strings_can_be_null=True,
        ),
    )
    return table, skipped, rejects


def _careful(data: bytes, name: str, names: list[str]) -> tuple[pa.Table, np.ndarray, list[Reject]]:
    """The careful read (bad values and non-UTF-8 lines rejected row by row)."""
    columns: Columns = tuple((n, _TYPES[n]) for n in names)
    text, table = careful._read(data, name.removesuffix(".zip"), columns, ".export.CSV")
    return table.select([c for c in NEEDED if c in names]), text.lines, text.rejects


def _with_all_needed(table: pa.Table) -> pa.Table:
    if table.column_names == list(NEEDED):
        return table
    for column in NEEDED:
        if column not in table.column_names:
            table = table.append_column(column, pa.nulls(table.num_rows, _TYPES[column]))
    return table.select(list(NEEDED))


#: the columns ``KeepFilter`` reads
FILTER_COLUMNS = ("Actor1CountryCode", "Actor2CountryCode", "ActionGeo_CountryCode")


def _numbered(table: pa.Table, skipped: list[int], name: str) -> np.ndarray:
    if not skipped:
        return np.arange(1, table.num_rows + 1)
    lines = np.setdiff1d(np.arange(1, table.num_rows + len(skipped) + 1), skipped)
    if len(lines) != table.num_rows:
        raise SourceError(f"{name}: cannot number the rows of the file")
    return lines


def _gather(data: bytes, numbers: np.ndarray) -> bytes:
    """Some lines (1-based numbers, split at ``\\n``) of the data, in order."""
    ends = np.flatnonzero(np.frombuffer(data, np.uint8) == 10) + 1
    starts = np.concatenate(([0], ends))
    ends = np.concatenate((ends, [len(data)]))
    parts = [data[starts[n - 1] : ends[n - 1]] for n in numbers.tolist()]
    if parts and not parts[-1].endswith(b"\n"):
        parts[-1] += b"\n"
    return b"".join(parts)


def _one_pass(
    data: bytes, name: str, names: list[str]
) -> tuple[pa.Table, np.ndarray, list[Reject]]:
    try:
        table, skipped, rejects = _parse(data, names)
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return _careful(data, name, names)
    return table, _numbered(table, skipped, name), rejects


def _two_pass(
    data: bytes, name: str, names: list[str], keep: KeepFilter
) -> tuple[pa.Table, np.ndarray, list[Reject], int] | None:
    """Only the rows ``keep`` wants, read whole: a first pass reads just the filter columns,
    a second reads the kept lines. None where line numbers could disagree (``\\r``) or the
    filter columns themselves are unreadable: the caller reads the file in one pass."""
    if b"\r" in data:
        return None
    try:
        first, skipped, rejects = _parse(data, names, FILTER_COLUMNS)
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    lines = _numbered(first, skipped, name)
    seen = first.num_rows + len(rejects)
    wanted = lines[keep.mask(first).to_numpy(zero_copy_only=False)]
    if not len(wanted):
        return _with_all_needed(pa.table({})), wanted, rejects, seen
    table, sub_lines, sub_rejects = _one_pass(_gather(data, wanted), name, names)
    rejects += [Reject(int(wanted[r.line - 1]), r.reason, r.raw) for r in sub_rejects]
    return table, wanted[sub_lines - 1], rejects, seen


def read_table(
    data: bytes, name: str, keep: KeepFilter | None = None
) -> tuple[pa.Table, np.ndarray, list[Reject], str, int]:
    """An event file's NEEDED columns for the rows ``keep`` wants (all if None), each row's
    line number, the rejects, the layout and the number of rows seen."""
    data = unzip(data, name).removeprefix(careful._BOM)
    if not data or (len(data) < 64 and not data.strip()):
        return _with_all_needed(pa.table({})), np.empty(0, np.int64), [], "empty", 0
    layout, names = _layout(data, name)
    if layout == "GDELT 1.0":
        data, names = careful.pad_gdelt1(data), _V1_58
    if keep is not None and (found := _two_pass(data, name, names, keep)) is not None:
        table, lines, rejects, seen = found
        rejects.sort(key=lambda r: r.line)
        return _with_all_needed(table), lines, rejects, layout, seen
    table, lines, rejects = _one_pass(data, name, names)
    seen = table.num_rows + len(rejects)
    if keep is not None and table.num_rows:
        mask = keep.mask(table)
        table, lines = table.filter(mask), lines[mask.to_numpy(zero_copy_only=False)]
    return _with_all_needed(table), lines, rejects, layout, seen


# --- mapping ----------------------------------------------------------------------------

_MISSING = object()
_NO_TEXT = pa.scalar(None, pa.string())


@dataclass(frozen=True)
class _Failed:
    reason: str
    skip: bool = False


class _Lookup:
    """``fn`` (one value → a tuple of results) applied once per distinct value and cached
    across files; a failure is a _Failed (a race between threads computes a value twice)."""

    def __init__(
        self, fn: Callable[[Any], tuple[Any, ...]], types: tuple[pa.DataType, ...],
        missing: str | None = None,
    ) -> None:  # fmt: skip
        self.fn, self.types, self.missing = fn, types, missing
        self.cache: dict[Any, Any] = {}

    def _one(self, value: Any) -> Any:
        found = self.cache.get(value, _MISSING)
        if found is _MISSING:
            try:
                found = self.fn(value)
            except OutsideOntology as exc:
                found = _Failed(str(exc), skip=True)
            except (UnmappedCode, ValueError) as exc:
                found = _Failed(str(exc))
            self.cache[value] = found
        return found

    def __call__(self, column: pa.ChunkedArray) -> tuple[list[pa.Array], pa.Array, pa.Array]:
        """Each result column, the failure reasons (null where fine) and the skip flags."""
        encoded = column.combine_chunks().dictionary_encode(null_encoding="encode")
        empty = (None,) * len(self.types)
        results = [
            _Failed(self.missing) if value is None and self.missing
            else empty if value is None else self._one(value)
            for value in encoded.dictionary.to_pylist()
        ]  # fmt: skip
        indices = encoded.indices
        outputs = [
            pa.array([None if isinstance(r, _Failed) else r[i] for r in results], type_).take(
                indices
            )
            for i, type_ in enumerate(self.types)
        ]
        failed = [r for r in results if isinstance(r, _Failed)]
        if not failed:
            n = len(indices)
            return outputs, pa.nulls(n, pa.string()), pa.array(np.zeros(n, bool))
        reasons = pa.array([r.reason if isinstance(r, _Failed) else None for r in results],
                           pa.string())  # fmt: skip
        skips = pa.array([isinstance(r, _Failed) and r.skip for r in results], pa.bool_())
        return outputs, reasons.take(indices), skips.take(indices)


def _code_fields(code: str) -> tuple[Any, ...]:
    plover = plover_for(code)
    return plover.type, plover.mode, plover.context, careful._verb(code)


def _single(fn: Callable[[Any], Any], column: str | None = None) -> Callable[[Any], tuple[Any]]:
    wrapped = careful._in_column(fn, column) if column else fn
    return lambda value: (wrapped(value),)


_S = pa.string()
#: GDELT column → (canonical fields, lookup); the order is the order problems are reported in
_LOOKUPS: tuple[tuple[str, tuple[str, ...], _Lookup], ...] = (
    ("Day", ("date",), _Lookup(_single(careful._day), (pa.date32(),), "Day is missing")),
    ("EventCode", ("plover_type", "plover_mode", "plover_context", "_verb"),
     _Lookup(_code_fields, (_S, _S, _S, _S), "EventCode is missing")),
    ("Actor1CountryCode", ("actor",), _Lookup(_single(state_from_cameo, "Actor1"), (_S,))),
    ("Actor2CountryCode", ("recipient",), _Lookup(_single(state_from_cameo, "Actor2"), (_S,))),
    ("Actor1Type1Code", ("actor_sector",), _Lookup(_single(careful._sector, "Actor1"), (_S,))),
    ("Actor2Type1Code", ("recipient_sector",),
     _Lookup(_single(careful._sector, "Actor2"), (_S,))),
    ("ActionGeo_CountryCode", ("country",),
     _Lookup(_single(iso3_from_fips, "ActionGeo"), (_S,))),
)  # fmt: skip
#: GDELT column → canonical field, copied as it is (the range checks of validate_event)
_RANGES = (
    ("QuadClass", "quad_class", 1, 4), ("GoldsteinScale", "intensity", -10, 10),
    ("ActionGeo_Lat", "lat", -90, 90), ("ActionGeo_Long", "lon", -180, 180),
)  # fmt: skip


def _range_problem(values: pa.ChunkedArray, what: str, low: float, high: float) -> pa.Array:
    """A reason for each value outside ``low..high`` (NaN included), null elsewhere."""
    array = values.combine_chunks()
    numbers = np.asarray(array.to_numpy(zero_copy_only=False), dtype=float)
    present = ~np.asarray(array.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    with np.errstate(invalid="ignore"):
        bad = present & ~((numbers >= low) & (numbers <= high))
    if not bad.any():
        return pa.nulls(len(array), pa.string())
    texts = [f"{what} {v!r} is outside {low}..{high}" if b else None
             for v, b in zip(array.to_pylist(), bad.tolist(), strict=True)]  # fmt: skip
    return pa.array(texts, pa.string())


def _coalesce(reasons: list[pa.Array]) -> pa.Array:
    reasons = [r.combine_chunks() if isinstance(r, pa.ChunkedArray) else r for r in reasons]
    present = [r for r in reasons if r.null_count < len(r)]
    if not present:
        return reasons[0] if reasons else pa.nulls(0, pa.string())
    return present[0] if len(present) == 1 else pc.coalesce(*present)


def _titles(t: pa.Table, verbs: pa.Array) -> pa.Array:
    names = [pc.utf8_trim_whitespace(t[f"Actor{n}Name"]).combine_chunks() for n in (1, 2)]
    titles = pc.binary_join_element_wise(names[0], verbs, names[1], " ", null_handling="skip")
    return pc.if_else(pc.equal(titles, ""), _NO_TEXT, titles)


#: the columns ``finish`` turns into ``attrs``, carried beside the events as ``_a_<name>``
ATTR_PREFIX = "_a_"
_EVENT_ID_SQL = "'gde-' || substr(sha256('gdelt' || chr(31) || source_id), 1, 16)"
_ATTRS_SQL = (
    "CAST(json_object("
    + ", ".join(f"'{c}', \"{ATTR_PREFIX}{c}\"" for c in sorted(careful.ATTR_COLUMNS))
    + ") AS VARCHAR)"
)


def finish_sql(relation: str) -> str:
    """SQL that turns mapped rows (events + ``_a_*`` columns) into ``EVENT_SCHEMA`` rows:
    the event id (the hash ``schema.make_event_id`` computes) and the ``attrs`` JSON."""
    computed = {"event_id": _EVENT_ID_SQL, "attrs": _ATTRS_SQL}
    columns = ", ".join(
        f'{computed[f.name]} AS "{f.name}"' if f.name in computed else f'"{f.name}"'
        for f in EVENT_SCHEMA
    )
    return f"SELECT {columns} FROM {relation}"


_local = threading.local()


def _duck() -> duckdb.DuckDBPyConnection:
    """A private in-memory DuckDB per thread, for ``finish`` outside a store."""
    con = getattr(_local, "con", None)
    if con is None:
        con = _local.con = duckdb.connect(":memory:", config={"threads": 1})
    return con


def finish(mapped: pa.Table) -> pa.Table:
    """``EVENT_SCHEMA`` events from mapped rows (see ``finish_sql``)."""
    con = _duck()
    con.register("_mapped", mapped)
    try:
        out = con.sql(finish_sql("_mapped")).to_arrow_table()
    finally:
        con.unregister("_mapped")
    return out.cast(EVENT_SCHEMA)


def map_table(
    t: pa.Table, lines: np.ndarray, files: pa.Array
) -> tuple[pa.Table, list[tuple[int, str]], dict[str, Counter[str]]]:
    """Mapped rows (``EVENT_SCHEMA`` columns, ``event_id`` and ``attrs`` still empty, then the
    ``_a_*`` columns ``finish`` needs); (row index, reason) of each row that fails; per file,
    counts of the rows skipped by rule. Rows of many files can be mapped at once (``files``
    names each row's file). Problems are judged in the order ``gdelt.py`` judges them."""
    n = t.num_rows
    values: dict[str, pa.Array] = {"source_id": pc.cast(t["GlobalEventID"], _S).combine_chunks()}
    lookup_reasons = [pc.if_else(pc.is_null(values["source_id"]),
                                 pa.scalar("GlobalEventID is missing"), _NO_TEXT)]  # fmt: skip
    skip = None
    for column, targets, lookup in _LOOKUPS:
        outputs, reason, skips = lookup(t[column])
        values.update(zip(targets, outputs, strict=True))
        lookup_reasons.append(reason)
        if column == "EventCode":
            skip = skips if skips.true_count else None
            before = _coalesce(lookup_reasons[:-1])
            if skip is not None and before.null_count < n:
                skip = pc.and_(skip, pc.is_null(before))
    codes = t["EventCode"].combine_chunks()
    code_ok = pc.fill_null(pc.match_substring_regex(codes, r"^\d{2,4}$"), True)
    check_reasons = [
        pc.if_else(code_ok, _NO_TEXT, pc.binary_join_element_wise(
            "cameo_code '", codes, "' is not valid", "")),
        *(_range_problem(t[col], what, low, high) for col, what, low, high in _RANGES),
    ]  # fmt: skip
    reason = _coalesce([*lookup_reasons, *check_reasons])
    bad = pc.is_valid(reason)
    if skip is not None:
        bad = pc.and_(bad, pc.invert(skip))
        good = pc.invert(pc.or_(bad, skip))
        skipped = _count_by_file(pc.filter(files, skip), pc.filter(reason, skip))
    else:
        good, skipped = pc.invert(bad), {}
    failures: list[tuple[int, str]] = []
    if bad.true_count:
        failures = list(zip(np.flatnonzero(bad.to_numpy(zero_copy_only=False)).tolist(),
                            pc.filter(reason, bad).to_pylist(), strict=True))  # fmt: skip
    if good.false_count:
        t = t.filter(good)
        values = {k: v.filter(good) for k, v in values.items()}
        lines = lines[good.to_numpy(zero_copy_only=False)]
        files = files.filter(good)
    return _assemble(t, values, lines, files), failures, skipped


def _count_by_file(files: pa.Array, reasons: pa.Array) -> dict[str, Counter[str]]:
    # one value_counts over "file<US>reason" (few distinct pairs) beats a grouped aggregation
    pairs = pc.value_counts(pc.binary_join_element_wise(files, reasons, "\x1f"))
    found: dict[str, Counter[str]] = {}
    for pair, n in zip(pairs.field("values").to_pylist(), pairs.field("counts").to_pylist(),
                       strict=True):  # fmt: skip
        f, r = pair.split("\x1f", 1)
        found.setdefault(f, Counter())[r] = n
    return found


def _assemble(
    t: pa.Table, values: dict[str, pa.Array], lines: np.ndarray, files: pa.Array
) -> pa.Table:
    m = t.num_rows
    columns: dict[str, Any] = {
        "source": pa.repeat(pa.scalar("gdelt", _S), m),
        "date_precision": pa.repeat(pa.scalar("day", _S), m),
        "actor_code": t["Actor1Code"], "recipient_code": t["Actor2Code"],
        "cameo_code": t["EventCode"], "quad_class": t["QuadClass"],
        "intensity": t["GoldsteinScale"], "mentions": t["NumMentions"],
        "sources_count": t["NumSources"], "tone": t["AvgTone"],
        "lat": t["ActionGeo_Lat"], "lon": t["ActionGeo_Long"],
        "url": careful._http_urls(t["SOURCEURL"]),
        "title": _titles(t, values.pop("_verb")),
        "reliability": pa.repeat(pa.scalar("C", _S), m),
        "credibility": pa.array(np.full(m, 3, np.int8)),
        "confidence": pa.array(careful.confidence_array(t), pa.float64()),
        "tags": pa.ListArray.from_arrays(pa.array(np.zeros(m + 1, np.int32)), pa.array([], _S)),
        "file": files,
        "line": pa.array(np.asarray(lines, np.int64)),
    } | values  # fmt: skip
    arrays = [_as(columns[f.name], f.type) if f.name in columns else pa.nulls(m, f.type)
              for f in EVENT_SCHEMA]  # fmt: skip
    names = [f.name for f in EVENT_SCHEMA]
    for column in careful.ATTR_COLUMNS:
        data = careful._place(t[column]) if column == "ActionGeo_FullName" else t[column]
        arrays.append(_as(data, t.schema.field(column).type))
        names.append(ATTR_PREFIX + column)
    return pa.Table.from_arrays(arrays, names=names)


def _as(values: Any, type_: pa.DataType) -> Any:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return values if values.type == type_ else pc.cast(values, type_)


def _raw_lines(data: bytes, numbers: list[int]) -> dict[int, str]:
    """The text of some lines of a file (1-based), for quarantine records."""
    if not numbers:
        return {}
    lines = data.split(b"\n")
    return {
        n: lines[n - 1].rstrip(b"\r").decode("utf-8", "backslashreplace")[:2000]
        for n in numbers
        if 0 < n <= len(lines)
    }


@dataclass
class RawFile:
    """One event file parsed and filtered, not yet mapped (what a worker thread hands on)."""

    name: str
    data: bytes
    table: pa.Table
    lines: np.ndarray
    rejects: list[Reject]
    seen: int
    layout: str


def read_raw(data: bytes, name: str, keep: KeepFilter | None = None) -> RawFile:
    """Parse one event file (zipped or not) and keep the rows ``keep`` wants."""
    table, lines, rejects, layout, seen = read_table(data, name, keep)
    return RawFile(name, data, table, lines, rejects, seen, layout)


def map_files(raws: list[RawFile]) -> tuple[pa.Table, dict[str, FastResult]]:
    """Map the rows of many files in one go (the fixed cost of each step is paid once): the
    mapped rows of all of them (unfinished, see ``finish_sql``), and per file its result
    with its rejects, skips and counts (its ``events`` left empty: the rows are in the
    returned table, with their ``file``)."""
    tables = [r.table for r in raws if r.table.num_rows]
    results = {r.name: FastResult(pa.table({}), list(r.rejects), Counter(), r.seen, r.layout)
               for r in raws}  # fmt: skip
    if not tables:
        return _assemble(_with_all_needed(pa.table({})), _empty_values(), np.empty(0, np.int64),
                         pa.array([], _S)), results  # fmt: skip
    table = pa.concat_tables(tables)
    lines = np.concatenate([r.lines for r in raws if r.table.num_rows])
    with_rows = [r for r in raws if r.table.num_rows]
    files = pa.array([r.name for r in with_rows], _S).take(
        np.repeat(np.arange(len(with_rows)), [r.table.num_rows for r in with_rows])
    )
    mapped, failures, skipped = map_table(table, lines, files)
    for name, counts in skipped.items():
        results[name].skipped = counts
    if failures:
        by_name = {r.name: r for r in raws}
        wanted: dict[str, list[tuple[int, str]]] = {}
        names = files.to_pylist()
        for index, reason in failures:
            wanted.setdefault(names[index], []).append((int(lines[index]), reason))
        for name, found in wanted.items():
            raw = by_name[name]
            text = _raw_lines(unzip(raw.data, name),
                              [n for n, _ in found])  # fmt: skip
            results[name].rejects += [Reject(n, why, text.get(n, "")) for n, why in found]
    for result in results.values():
        result.rejects.sort(key=lambda r: r.line)
    kept: dict[str, int] = {}
    if mapped.num_rows:
        per_file = pc.value_counts(mapped["file"])
        kept = dict(zip(per_file.field("values").to_pylist(),
                        per_file.field("counts").to_pylist(), strict=True))  # fmt: skip
    for name, result in results.items():
        result.kept = kept.get(name, 0)
    return mapped, results


def _empty_values() -> dict[str, pa.Array]:
    values = {"source_id": pa.array([], _S), "_verb": pa.array([], _S)}
    for _, targets, lookup in _LOOKUPS:
        values.update((t, pa.array([], ty)) for t, ty in zip(targets, lookup.types, strict=True))
    values.pop("_verb")
    return values | {"_verb": pa.array([], _S)}


def read_fast(
    data: bytes, name: str, keep: KeepFilter | None = None, *, finished: bool = True
) -> FastResult:
    """One GDELT event file (zipped or not) as canonical events, the fast way.

    With ``finished=False`` the events are left as ``map_table`` gives them, for a caller
    that finishes many files in one query (``finish_sql``)."""
    mapped, results = map_files([read_raw(data, name, keep)])
    result = results[name]
    result.events = finish(mapped) if finished else mapped
    return result
