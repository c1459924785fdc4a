"""axiswatch: early warning and analysis for dangerous state partnerships.

The public API: open a ``Store``, load files with ``ingest_files`` (or the bundled
data with ``ingest_bundled``), load a ``Lens``, and get an ``Assessment`` with
``assessment``; ``write_brief`` writes it out.
"""

from __future__ import annotations

from .analysis.assessment import Assessment, assess
from .errors import (
    AxiswatchError,
    LensError,
    MissingExtra,
    NotEnoughEvidence,
    SourceError,
    StoreError,
    UserError,
)
from .evidence import Evidence, assessment, gather
from .ingest import IngestSummary, ingest_bundled, ingest_file, ingest_files
from .lens import Lens, load_lens
from .schema import EVENT_SCHEMA, validate_event
from .store import Store

__version__ = "0.1.0"

__all__ = [
    "Assessment",
    "AxiswatchError",
    "EVENT_SCHEMA",
    "Evidence",
    "IngestSummary",
    "Lens",
    "LensError",
    "MissingExtra",
    "NotEnoughEvidence",
    "SourceError",
    "Store",
    "StoreError",
    "UserError",
    "__version__",
    "assess",
    "assessment",
    "gather",
    "ingest_bundled",
    "ingest_file",
    "ingest_files",
    "load_lens",
    "validate_event",
    "write_brief",
]


def __getattr__(name: str) -> object:
    # the briefing pulls in Altair and Jinja: load it only when asked for
    if name == "write_brief":
        from .report.brief import write_brief

        return write_brief
    raise AttributeError(name)
