"""The UN Security Council Consolidated List (XML): its DPRK (1718 Committee) designations.

Each ``INDIVIDUAL`` or ``ENTITY`` whose ``UN_LIST_TYPE`` is ``DPRK`` becomes one event
on its ``LISTED_ON`` date: the UN imposes sanctions (CAMEO 163) on North Korea through
that person or body. Records of other regimes are skipped, not rejected. The XML is
read with the standard library's expat, which fetches no external entity; a file that
declares entities is refused, and one that is not well-formed is a one-line
``SourceError`` naming the line, the column (counted from 1) and what is there.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any, ClassVar
from xml.parsers import expat

from ..codes import cameo_fields
from ..errors import SourceError
from ..schema import new_event
from .base import Reject, Row, Source

KIND = "un-sanctions"
ROOT_TAG = "CONSOLIDATED_LIST"
DPRK_LIST = "DPRK"
CAMEO_CODE = "163"  # Impose embargo, boycott, or sanctions
TAGS = ("sanctions", "un_designation", "un_security_council")
RELIABILITY = "A"
CREDIBILITY = 1
COMMITTEE_URL = "https://www.un.org/securitycouncil/sanctions/1718"
LIST_URL = "https://www.un.org/securitycouncil/content/un-sc-consolidated-list"

#: record element -> the kind of designation it holds
RECORD_KINDS: dict[str, str] = {"INDIVIDUAL": "individual", "ENTITY": "entity"}
NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")

#: designee's name (entities) or designation (individuals) -> recipient sector; first match
#: wins, none is UNKNOWN
SECTOR_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), sector)
    for pattern, sector in (
        (r"\b(ambassador|embassy)\b", "DIPLOMATIC"),
        (r"reconnaissance|state security|intelligence", "INTEL"),
        (r"\barmy\b|armed forces|rocket force", "MIL"),
        (r"\b(ministry|minister|department|bureau|committee|commission|administration"
         r"|academy|office 39|workers.? party)\b", "GOV"),
        (r"\b(corporation|corp|company|companies|co|ltd|limited|bank|banking|trading|trade"
         r"|shipping|insurance|finance|jv|group|electronics|freight|energy|international)\b",
         "BUSINESS"),
    )
)  # fmt: skip

#: comment sentences that are identifiers or bookkeeping, not a summary
BOILERPLATE = re.compile(
    r"^(gender|location|imo number|swift|pursuant to|interpol|photo available|review pursuant)",
    re.IGNORECASE,
)
#: a sentence ending with one of these did not end
ABBREVIATIONS = ("Co.", "Ltd.", "No.", "Inc.", "Corp.", "St.", "Mr.", "U.S.", "Jan.", "Feb.",
                 "Mar.", "Apr.", "Aug.", "Sep.", "Sept.", "Oct.", "Nov.", "Dec.")  # fmt: skip
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(])")
_LEADING_CLAUSE = re.compile(r",\s+(?:which|a|an|the)\b|;")
_OPEN_AMPERSAND = re.compile(r"&[^;\s<&]*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


# --- reading the XML ------------------------------------------------------------------


def _offending(data: bytes, line: int, column: int) -> str:
    """What stands at a 0-based column of a 1-based line: a bad byte, a control character,
    or the text around it ("" when there is none)."""
    lines = data.splitlines()
    text = lines[line - 1].decode("utf-8", "surrogateescape") if 0 < line <= len(lines) else ""
    char = text[column] if column < len(text) else ""
    if "\udc80" <= char <= "\udcff":
        return f"byte 0x{ord(char) - 0xDC00:02X} is not valid UTF-8"
    if char and _CONTROL.match(char):
        return f"control character U+{ord(char):04X} is not allowed in XML"
    if _OPEN_AMPERSAND.search(text[:column]):
        return f"'&' starts no entity reference (no ';'): near {_near(text, column)!r}"
    near = _near(text, column)
    return f"near {near!r}" if near.strip() else ""


def _near(text: str, column: int) -> str:
    """Up to 20 characters either side of a column, non-ASCII escaped."""
    return text[max(column - 20, 0) : column + 20].encode("ascii", "backslashreplace").decode()


def _not_well_formed(name: str, data: bytes, exc: expat.ExpatError) -> SourceError:
    """One line: the file, where expat stopped (columns from 1), expat's reason, what is there."""
    reason = expat.ErrorString(exc.code).removeprefix("not well-formed (").removesuffix(")")
    detail = _offending(data, exc.lineno, exc.offset)
    where = f"line {exc.lineno}, column {exc.offset + 1}"
    return SourceError(
        f"{name}: not well-formed XML at {where} ({'; '.join(filter(None, (reason, detail)))})"
    )


def read_xml(data: bytes, name: str) -> tuple[ET.Element, dict[ET.Element, int]]:
    """The document's root, and the line each record element starts on."""
    if not data.strip():
        raise SourceError(f"{name}: empty file")
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate()
    lines: dict[ET.Element, int] = {}

    def start(tag: str, attributes: dict[str, str]) -> None:
        element = builder.start(tag, attributes)
        if tag in RECORD_KINDS:
            lines[element] = parser.CurrentLineNumber

    def refuse_entity(entity: str, *_: Any) -> None:
        line = parser.CurrentLineNumber
        raise SourceError(f"{name}: declares XML entity {entity!r} at line {line}; refused")

    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    parser.EntityDeclHandler = refuse_entity
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise _not_well_formed(name, data, exc) from None
    return builder.close(), lines


# --- one designation ----------------------------------------------------------------------


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _text(record: ET.Element, tag: str) -> str:
    return _clean(record.findtext(tag))


def _values(record: ET.Element, path: str) -> list[str]:
    return [value for value in (_clean(e.text) for e in record.iterfind(path)) if value]


def _sentences(text: str) -> list[str]:
    sentences: list[str] = []
    for piece in _SENTENCE_BREAK.split(text):
        if sentences and sentences[-1].endswith(ABBREVIATIONS):
            sentences[-1] += " " + piece
        else:
            sentences.append(piece)
    return sentences


def summary_of(comments: str, designation: list[str], listed: dt.date) -> str:
    """The first informative sentence of the comments, else the designation, else a stock line."""
    sentence = next((s for s in _sentences(comments) if s and not BOILERPLATE.match(s)), "")
    if sentence:
        return sentence
    if designation:
        return designation[0].rstrip(".") + "."
    return f"Listed on {listed.isoformat()} under the UN sanctions regime on the DPRK."


def sector_of(kind: str, name: str, designation: list[str]) -> str:
    """The recipient sector an entity's name or an individual's designation shows, or UNKNOWN.

    Only an individual's leading clause counts: the President of a trading company "that
    procures supplies for the General Bureau of Atomic Energy" works for the company.
    """
    text = name if kind == "entity" else _LEADING_CLAUSE.split(" ".join(designation))[0]
    return next((sector for rx, sector in SECTOR_RULES if rx.search(text)), "UNKNOWN")


def _citation(generated: str | None) -> dict[str, Any]:
    date = generated[:10] if generated and re.match(r"\d{4}-\d{2}-\d{2}", generated) else None
    return {
        "publisher": "United Nations Security Council",
        "title": "United Nations Security Council Consolidated List",
        "date": date,
        "url": LIST_URL,
    }


def designation_event(
    record: ET.Element, kind: str, citation: dict[str, Any]
) -> dict[str, Any] | str:
    """The event of one DPRK designation, or why it cannot be one."""
    reference = _text(record, "REFERENCE_NUMBER")
    if not reference:
        return "missing REFERENCE_NUMBER"
    listed_text = _text(record, "LISTED_ON")
    try:
        listed = dt.date.fromisoformat(listed_text)
    except ValueError:
        return f"bad LISTED_ON date {listed_text!r} (expected YYYY-MM-DD)"
    name = " ".join(filter(None, (_text(record, part) for part in NAME_PARTS))) or reference
    designation = _values(record, "DESIGNATION/VALUE")
    comments = _text(record, "COMMENTS1")
    return new_event(
        KIND,
        reference,
        date=listed,
        date_precision="day",
        actor="UNO",
        actor_sector="IGO",
        recipient="PRK",
        recipient_sector=sector_of(kind, name, designation),
        **cameo_fields(CAMEO_CODE),
        url=COMMITTEE_URL,
        title=f"UN 1718 Committee designates {name} ({kind})",
        summary=summary_of(comments, designation, listed),
        citations=[citation],
        reliability=RELIABILITY,
        credibility=CREDIBILITY,
        tags=list(TAGS),
        attrs={
            "reference_number": reference,
            "kind": kind,
            "dataid": _text(record, "DATAID") or None,
            "name": name,
            "name_original_script": _text(record, "NAME_ORIGINAL_SCRIPT") or None,
            "aliases": _values(record, f"{kind.upper()}_ALIAS/ALIAS_NAME"),
            "nationality": _values(record, "NATIONALITY/VALUE"),
            "designation": designation,
            "comments": comments or None,
        },
    )


class UnSanctionsSource(Source):
    """DPRK designations on the UN Security Council Consolidated List (XML)."""

    kind: ClassVar[str] = KIND
    bundled: ClassVar[tuple[str, ...]] = ("dprk/un_sc_consolidated_list_2020-11-30.xml",)
    patterns: ClassVar[tuple[str, ...]] = ("*.xml",)

    def rows(self, data: bytes, name: str) -> Iterator[Row]:
        root, lines = read_xml(data, name)
        if root.tag != ROOT_TAG:
            raise SourceError(f"{name}: not a UN consolidated list (root element <{root.tag}>)")
        citation = _citation(root.get("dateGenerated"))
        for tag, kind in RECORD_KINDS.items():
            for record in root.iter(tag):
                if _text(record, "UN_LIST_TYPE") != DPRK_LIST:
                    continue
                line = lines.get(record, 0)
                item = designation_event(record, kind, citation)
                raw = _text(record, "REFERENCE_NUMBER")
                yield line, Reject(line, item, raw) if isinstance(item, str) else item
