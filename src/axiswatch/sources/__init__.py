"""The sources axiswatch reads, by kind. Each kind's ``source`` field is its name here."""

from __future__ import annotations

from importlib import import_module

from ..errors import UserError
from .base import ParseResult, Reject, Skip, Source

#: kind -> "module:Class"; modules are imported only when their kind is used
SOURCE_CLASSES: dict[str, str] = {
    "ledger": "ledger:LedgerSource",
    "missiles": "missiles:MissileSource",
    "provocations": "provocations:ProvocationSource",
    "un-sanctions": "un_sanctions:UnSanctionsSource",
    "gdelt": "gdelt:GdeltSource",
}


def get_source(kind: str) -> Source:
    """The source for a kind name, or a UserError listing the kinds there are."""
    try:
        module_name, class_name = SOURCE_CLASSES[kind].split(":")
    except KeyError:
        raise UserError(
            f"unknown source kind {kind!r}; choose one of: {', '.join(SOURCE_CLASSES)}"
        ) from None
    module = import_module(f"{__name__}.{module_name}")
    source: Source = getattr(module, class_name)()
    return source


__all__ = ["SOURCE_CLASSES", "ParseResult", "Reject", "Skip", "Source", "get_source"]
