"""What every source is: ``fetch()`` is its only IO, ``parse()`` is pure.

A source's ``rows()`` turns the bytes of one file into numbered items, each either
a canonical event dict (see ``axiswatch.schema``) or a ``Reject`` saying why a row
could not become one. ``Source.parse`` validates the events and gathers both into a
``ParseResult``. A ``Skip`` is a sound row that a documented rule keeps out
(it is counted, not quarantined). A file that cannot be read as its kind at all raises
``SourceError`` with a one-line reason.
"""

from __future__ import annotations

import csv
from _csv import Reader
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

import pyarrow as pa

from ..errors import SourceError
from ..schema import events_table, validate_event


@dataclass(frozen=True)
class Reject:
    """A row that could not become an event: where it was, why, and its raw text."""

    line: int
    reason: str
    raw: str = ""


@dataclass(frozen=True)
class Skip:
    """A row that is sound but, by a documented rule, no event (e.g. a CAMEO statement)."""

    line: int
    reason: str


@dataclass
class ParseResult:
    """The events parsed from one file, the rows rejected and the rows skipped by rule."""

    events: pa.Table
    rejects: list[Reject] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)

    @property
    def rows_judged(self) -> int:
        """Rows that were meant to become events: accepted or rejected."""
        return self.events.num_rows + len(self.rejects)

    @property
    def rows_seen(self) -> int:
        return self.rows_judged + self.skipped.total()


Row = tuple[int, "dict[str, Any] | Reject | Skip"]


def bundled_path(*parts: str) -> Path:
    """Path of a data file shipped inside the package (``src/axiswatch/data/...``)."""
    return Path(str(resources.files("axiswatch").joinpath("data", *parts)))


class Source(ABC):
    """Base class: subclasses set ``kind`` and implement ``rows``."""

    kind: ClassVar[str] = ""
    #: bundled files the demo loads, relative to ``axiswatch/data``
    bundled: ClassVar[tuple[str, ...]] = ()
    #: file names (lower-cased glob patterns) this source reads when given a folder
    patterns: ClassVar[tuple[str, ...]] = ()

    def fetch(self, location: str | Path) -> bytes:
        """The raw bytes of one local file."""
        path = Path(location)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise SourceError(f"{path}: no such file") from None
        except IsADirectoryError:
            raise SourceError(f"{path}: is a directory, not a file") from None
        except OSError as exc:
            raise SourceError(f"{path}: cannot read ({exc.strerror})") from None

    @abstractmethod
    def rows(self, data: bytes, name: str) -> Iterator[Row]:
        """Numbered events or rejects from one file's bytes; raise SourceError if unreadable."""

    def parse(self, data: bytes, name: str) -> ParseResult:
        """Validate every row of one file into events and rejects."""
        events: list[dict[str, Any]] = []
        rejects: list[Reject] = []
        skipped: Counter[str] = Counter()
        for line, item in self.rows(data, name):
            if isinstance(item, Reject):
                rejects.append(item)
                continue
            if isinstance(item, Skip):
                skipped[item.reason] += 1
                continue
            problem = validate_event(item)
            if problem:
                rejects.append(Reject(line, problem, str(item.get("source_id", ""))))
                continue
            item["file"], item["line"] = name, line
            events.append(item)
        return ParseResult(events_table(events), rejects, skipped)

    def bundled_paths(self) -> list[Path]:
        """The bundled files of this source, for the demo."""
        return [bundled_path(*rel.split("/")) for rel in self.bundled]


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 text of a file (a BOM is dropped), or SourceError naming the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            f"{name}: not valid UTF-8 (byte {exc.start}, line {line}: {exc.reason})"
        ) from None


def csv_records(reader: Reader) -> Iterator[tuple[int, list[str] | Reject]]:
    """(line, fields) of each record left in a reader; a record csv cannot read is a Reject."""
    while True:
        line = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield line, Reject(line, f"unreadable CSV record ({exc})")
            continue
        yield line, fields
