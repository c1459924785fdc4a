"""The curated ledger: key events of the partnership, each with its public sources.

A YAML list of mappings (see ``data/ledger/kim_putin_axis.yaml``). Each entry names
its date and precision, actor and recipient, PLOVER type and CAMEO code, a summary,
its sources (publisher, title, date, optional url), a reliability grade, a
confidence and tags. An entry with a missing or unknown key becomes a quarantine
record naming the key and the entry's line; YAML that cannot be read at all is a
``SourceError`` naming the line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, ClassVar

import yaml

from ..errors import SourceError
from ..schema import new_event
from .base import Reject, Row, Source, decode_text

REQUIRED_KEYS = frozenset(
    {"id", "date", "date_precision", "actor", "plover_type", "title", "summary", "sources",
     "reliability", "credibility", "confidence", "tags"}
)  # fmt: skip
OPTIONAL_KEYS = frozenset(
    {"actor_sector", "recipient", "recipient_sector", "country", "plover_mode", "plover_context",
     "cameo_code", "intensity", "lat", "lon", "notes"}
)  # fmt: skip
SOURCE_KEYS = frozenset({"publisher", "title", "date", "url"})
_LINE_KEY = "__line__"


class _LineLoader(yaml.SafeLoader):
    """A safe loader that remembers each mapping's line and leaves dates as text.

    Dates stay strings so that one impossible date (``2019-13-01``) rejects its own
    entry instead of failing the whole file.
    """

    yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        mapping[_LINE_KEY] = node.start_mark.line + 1
        return mapping


def _load_yaml(text: str, name: str) -> list[Any]:
    try:
        document = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown place"
        raise SourceError(f"{name}: not valid YAML at {where}: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:  # e.g. a control character the reader refuses
        detail = " ".join(str(exc).split())
        raise SourceError(f"{name}: not valid YAML: {detail}") from None
    if document is None:
        return []
    if not isinstance(document, list):
        raise SourceError(
            f"{name}: a ledger is a YAML list of events, not {type(document).__name__}"
        )
    return document


def _citation(entry: Any) -> dict[str, str | None] | str:
    """A citation dict, or the reason this source entry is unusable."""
    if not isinstance(entry, dict):
        return "each source must be a mapping with publisher, title and date"
    entry = {k: v for k, v in entry.items() if k != _LINE_KEY}
    unknown = set(entry) - SOURCE_KEYS
    if unknown:
        return f"unknown source field(s): {', '.join(sorted(map(str, unknown)))}"
    missing = [key for key in ("publisher", "title", "date") if not entry.get(key)]
    if missing:
        return f"source is missing {', '.join(missing)}"
    url = entry.get("url")
    if url is not None and not str(url).startswith(("http://", "https://")):
        return f"source url {url!r} is not an http(s) address"
    return {key: None if entry.get(key) is None else str(entry[key]) for key in SOURCE_KEYS}


def _as_date(value: Any) -> dt.date | str:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return f"date {value!r} is not an ISO date (YYYY-MM-DD)"


def entry_to_event(entry: dict[str, Any]) -> dict[str, Any] | str:
    """One ledger entry as a canonical event, or the reason it cannot be one."""
    keys = set(entry) - {_LINE_KEY}
    missing, unknown = REQUIRED_KEYS - keys, keys - REQUIRED_KEYS - OPTIONAL_KEYS
    if missing:
        return f"missing field(s): {', '.join(sorted(missing))}"
    if unknown:
        return f"unknown field(s): {', '.join(sorted(map(str, unknown)))}"
    date = _as_date(entry["date"])
    if isinstance(date, str):
        return date
    sources = entry["sources"] if isinstance(entry["sources"], list) else []
    citations = [_citation(s) for s in sources]
    if not citations:
        return "at least one source is required"
    problem = next((c for c in citations if isinstance(c, str)), None)
    if problem:
        return problem
    tags = entry["tags"]
    if not isinstance(tags, list) or not tags:
        return "tags must be a non-empty list"
    optional = {key: entry.get(key) for key in OPTIONAL_KEYS - {"notes"}}
    for key in ("cameo_code", "plover_mode", "plover_context"):
        optional[key] = str(optional[key]) if optional[key] not in (None, "") else None
    urls = [c["url"] for c in citations if isinstance(c, dict) and c["url"]]
    return new_event(
        "ledger",
        str(entry["id"]),
        **optional,
        date=date,
        date_precision=entry["date_precision"],
        actor=entry["actor"],
        plover_type=entry["plover_type"],
        title=str(entry["title"]),
        summary=str(entry["summary"]),
        citations=citations,
        url=urls[0] if urls else None,
        reliability=entry["reliability"],
        credibility=entry["credibility"],
        confidence=entry["confidence"],
        tags=[str(tag) for tag in tags],
    )


class LedgerSource(Source):
    """The curated ledger of key events (YAML)."""

    kind: ClassVar[str] = "ledger"
    bundled: ClassVar[tuple[str, ...]] = ("ledger/kim_putin_axis.yaml",)
    patterns: ClassVar[tuple[str, ...]] = ("*.yaml", "*.yml")

    def rows(self, data: bytes, name: str) -> Iterator[Row]:
        seen: set[str] = set()
        for index, entry in enumerate(_load_yaml(decode_text(data, name), name), start=1):
            line = entry.get(_LINE_KEY, index) if isinstance(entry, dict) else index
            if not isinstance(entry, dict):
                yield line, Reject(line, "an event must be a mapping of fields", repr(entry)[:200])
                continue
            event = entry_to_event(entry)
            if isinstance(event, str):
                yield (
                    line,
                    Reject(
                        line, f"event {entry.get('id', '?')!r}: {event}", str(entry.get("id", ""))
                    ),
                )
            elif event["source_id"] in seen:
                yield line, Reject(line, f"duplicate id {event['source_id']!r}", event["source_id"])
            else:
                seen.add(event["source_id"])
                yield line, event
