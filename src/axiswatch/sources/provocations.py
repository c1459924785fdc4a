"""CSIS Beyond Parallel's database of North Korean provocations (facts CSV).

Columns ``date,type,event,source_url``; one row is one event by North Korea. Its
``type`` (Missile, Nuclear or Other Provocation) must be in ``PROVOCATION_TYPES``: an
unknown one rejects the row by name. The ``event`` title then refines the coding
through two ordered rule tables: ``ACTION_RULES`` pick the CAMEO code (and so the
PLOVER type and Goldstein intensity) and ``TARGET_RULES`` pick the recipient, for
example South Korea for DMZ, border and maritime incidents.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

from ..codes import cameo_fields
from ..errors import SourceError
from ..schema import new_event
from .base import Reject, Row, Source, csv_records, decode_text

KIND = "provocations"
HEADER = ("date", "type", "event", "source_url")
BASE_TAGS = ("belligerence", "provocation")
RELIABILITY = "B"
CREDIBILITY = 2
CITATION_CSIS = {
    "publisher": "CSIS Beyond Parallel",
    "title": "North Korean provocations database",
    "date": None,
    "url": "https://beyondparallel.csis.org/database-north-korean-provocations/",
}


@dataclass(frozen=True)
class Coding:
    """How one kind of provocation is coded: CAMEO code, actor sector, recipient and tags."""

    cameo: str
    actor_sector: str | None = None
    recipient: str | None = None
    tags: tuple[str, ...] = ()


#: the ``type`` column -> its default coding; a type not listed here is a Reject
PROVOCATION_TYPES: dict[str, Coding] = {
    "Missile Provocation": Coding("150", "MIL", None, ("missile_test",)),
    "Nuclear Provocation": Coding("150", None, None, ("nuclear",)),
    "Other Provocation": Coding("150"),
}


def _rule(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


#: event title -> (CAMEO code, extra tags); the first match wins, none keeps the type's code
ACTION_RULES: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = (
    (_rule(r"nuclear test.*missile"), "150", ("nuclear", "nuclear_test", "missile_test")),
    (_rule(r"nuclear test"), "150", ("nuclear", "nuclear_test")),
    (_rule(r"withdrawal from npt"), "128", ("nuclear",)),
    (_rule(r"nuclear|uranium"), "150", ("nuclear",)),
    (_rule(r"satellite"), "150", ("missile_test", "satellite")),
    (_rule(r"engine test|rocket experiment|launcher deployment"), "150", ("missile_program",)),
    (_rule(r"missile|rocket|\bmlrs\b|\bmirv\b"), "150", ("missile_test",)),
    (_rule(r"assas+inat|blue house"), "185", ("assassination",)),
    (_rule(r"bombing|terror|explosion at"), "183", ("terrorism",)),
    (_rule(r"hijack"), "181", ("hijacking",)),
    (_rule(r"cyber|hack"), "170", ("cyber",)),
    (_rule(r"shelling"), "194", ("armed_clash",)),
    (
        _rule(r"exchange of fire|naval campaign|sinking of (south korean|sk|the roks)"
              r"|shot down|attack|fires at|ambush|killing|assault|axe murder|henderson|land mine"),
        "190",
        ("armed_clash",),
    ),
    (_rule(r"seizure|detainment"), "171", ("seizure",)),
    (_rule(r"liaison office|^explosion$"), "1712", ()),
    (_rule(r"balloon|loudspeaker|jamming"), "170", ("gray_zone",)),
    (_rule(r"declar"), "130", ()),
    (_rule(r"infiltration|incursion|enc?roachment|spy|tunnel|\(uavs\)"), "150", ("incursion",)),
)  # fmt: skip

_MARITIME = (
    r"\bNLL\b|maritime|naval|vessel|boat|fisherm|yeonpyeong|cheonan|no-sail|coast guard|patrol"
)
_BORDER = (
    r"DMZ|\bMDL\b|panmunjom|tunnel|loudspeaker|land mine|\((ground|territorial|air)\)|\(UAVs\)"
)
_SOUTH = (
    r"south korea|\bSK\b|\bKAL\b|inter-korean|balloon|blue house|park chung-hee|rangoon|airport"
    r"|train station|jamming|infiltration|incursion|spy|exchange of fire|jeju|uljin|samcheok"
)

#: event title -> (recipient, extra tags); the first match wins, none leaves the recipient open
TARGET_RULES: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = (
    (_rule(r"\bU\.S\.|(?-i:\bUSS?\b)|pueblo|henderson|axe murder|taegu"), "USA", ("us_target",)),
    (_rule(r"\bJAL\b"), "JPN", ()),
    (_rule(_MARITIME), "KOR", ("inter_korean", "maritime")),
    (_rule(_BORDER), "KOR", ("inter_korean", "border")),
    (_rule(_SOUTH), "KOR", ("inter_korean",)),
)
_URL = re.compile(r"https?://[^\s;]+")


def coding_for(type_: str, event: str) -> Coding | str:
    """The coding of one row: its type's, refined by the event title; or why there is none."""
    base = PROVOCATION_TYPES.get(type_)
    if base is None:
        return f"unknown provocation type {type_!r}"
    action = next(((code, tags) for rx, code, tags in ACTION_RULES if rx.search(event)), None)
    target = next(((who, tags) for rx, who, tags in TARGET_RULES if rx.search(event)), None)
    cameo, action_tags = action or (base.cameo, ())
    recipient, target_tags = target or (base.recipient, ())
    tags = tuple(dict.fromkeys((*BASE_TAGS, *base.tags, *action_tags, *target_tags)))
    return Coding(cameo, base.actor_sector, recipient, tags)


def source_id(date: dt.date, event: str) -> str:
    """``<date>-<first 8 hex of sha1(event)>``; the caller numbers repeats of the same pair."""
    digest = hashlib.sha1(event.encode("utf-8")).hexdigest()[:8]
    return f"{date.isoformat()}-{digest}"


def _citations(source_url: str) -> list[dict[str, Any]]:
    """The CSIS database, then the row's own linked source (a URL or a bibliographic text)."""
    if not source_url:
        return [CITATION_CSIS]
    urls = _URL.findall(source_url)
    if not urls:
        return [CITATION_CSIS, {"publisher": None, "title": source_url, "date": None, "url": None}]
    publisher = urlsplit(urls[0]).hostname or None
    if publisher and publisher.startswith("www."):
        publisher = publisher[4:]
    linked = {
        "publisher": publisher,
        "title": "Source linked by CSIS",
        "date": None,
        "url": urls[0],
    }
    return [CITATION_CSIS, linked]


def row_event(
    date: dt.date, type_: str, event: str, source_url: str, coding: Coding, sid: str
) -> dict[str, Any]:
    """The canonical event of one provocation row."""
    urls = _URL.findall(source_url)
    return new_event(
        KIND,
        sid,
        date=date,
        date_precision="day",
        actor="PRK",
        actor_sector=coding.actor_sector,
        recipient=coding.recipient,
        **cameo_fields(coding.cameo),
        url=urls[0] if urls else None,
        title=event,
        summary=f"North Korea: {event} ({type_.lower()}, per CSIS Beyond Parallel).",
        citations=_citations(source_url),
        reliability=RELIABILITY,
        credibility=CREDIBILITY,
        tags=list(coding.tags),
        attrs={"type": type_, "event": event, "source_url": source_url or None},
    )


def _records(data: bytes, name: str) -> Iterator[tuple[int, list[str] | Reject]]:
    """(line, fields) of each CSV record after the checked header; unreadable ones as Rejects."""
    reader = csv.reader(io.StringIO(decode_text(data, name), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise SourceError(f"{name}: empty file, no header row") from None
    except csv.Error as exc:
        raise SourceError(f"{name}: unreadable CSV header ({exc})") from None
    if tuple(column.strip().lower() for column in header) != HEADER:
        raise SourceError(
            f"{name}: not the CSIS provocations layout (header {','.join(header)[:120]!r}, "
            f"expected {','.join(HEADER)!r})"
        )
    for line, fields in csv_records(reader):
        if fields:  # a blank line reads as [] and is no record (a Reject is always kept)
            yield line, fields


def _row(fields: list[str], seen: Counter[str]) -> dict[str, Any] | str:
    """The event of one record, or why it cannot be one; ``seen`` numbers repeated ids."""
    if len(fields) != len(HEADER):
        return f"expected {len(HEADER)} fields, got {len(fields)}"
    date_text, type_, event, source_url = (field.strip() for field in fields)
    try:
        date = dt.date.fromisoformat(date_text)
    except ValueError:
        return f"bad date {date_text!r} (expected YYYY-MM-DD)"
    if not event:
        return "missing event title"
    coding = coding_for(type_, event)
    if isinstance(coding, str):
        return coding
    sid = source_id(date, event)
    seen[sid] += 1
    sid = sid if seen[sid] == 1 else f"{sid}-{seen[sid]}"
    return row_event(date, type_, event, source_url, coding, sid)


class ProvocationSource(Source):
    """North Korean provocations 1958-present from CSIS Beyond Parallel (facts CSV)."""

    kind: ClassVar[str] = KIND
    bundled: ClassVar[tuple[str, ...]] = (
        "dprk/csis_north_korea_provocations_1958_present.facts.csv",
    )
    patterns: ClassVar[tuple[str, ...]] = ("*.csv",)

    def rows(self, data: bytes, name: str) -> Iterator[Row]:
        seen: Counter[str] = Counter()
        for line, fields in _records(data, name):
            if isinstance(fields, Reject):
                yield line, fields
                continue
            item = _row(fields, seen)
            yield (
                line,
                Reject(line, item, ",".join(fields)[:200]) if isinstance(item, str) else item,
            )
