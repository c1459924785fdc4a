"""Loading files into the store: one file, one transaction, every rejected row kept.

The rule for a file with bad rows: its good rows load and each bad row goes to the
quarantine with its line and reason (status ``partial``), unless more than
``max_bad_share`` of its rows are bad (default one half). Rows skipped by a documented rule (a
CAMEO statement, say) are counted apart and are not bad rows. Then the file is taken to
be the wrong kind or badly broken, and none of it loads (status ``rejected``); its
bad rows are still quarantined so the user sees why. A file that cannot be read at
all (status ``failed``) leaves one quarantine record with the reason. A file whose
content (sha256) already loaded for its source is skipped (status ``unchanged``)
and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from .errors import SourceError
from .schema import empty_events
from .sources import SOURCE_CLASSES, get_source
from .sources.base import ParseResult, Reject
from .store import FileLoad, LoadOutcome, Store

DEFAULT_MAX_BAD_SHARE = 0.5
#: the bundled data the demo loads, in this order
DEMO_KINDS = ("ledger", "missiles", "provocations", "un-sanctions", "gdelt")
SOURCE_KINDS = tuple(SOURCE_CLASSES)


@dataclass(frozen=True)
class FileResult:
    """What happened to one file."""

    source: str
    file: str
    status: str
    accepted: int = 0
    rejected: int = 0
    new: int = 0
    skipped: int = 0
    reason: str | None = None
    #: the rows this load quarantined: (line, reason); line 0 is the file itself
    quarantine: tuple[tuple[int, str], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The counts and status (the quarantined rows are listed apart)."""
        summary = asdict(self)
        del summary["quarantine"]
        return summary


@dataclass
class IngestSummary:
    """What happened to a batch of files."""

    files: list[FileResult] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return sum(f.accepted for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": len(self.files),
            "accepted": self.accepted,
            "rejected": self.rejected,
            "new": sum(f.new for f in self.files),
            "quarantined": [
                {"source": f.source, "file": f.file, "line": line, "reason": reason}
                for f in self.files
                for line, reason in f.quarantine
            ],
            "results": [f.as_dict() for f in self.files],
        }


def judge(result: ParseResult, max_bad_share: float) -> tuple[str, str | None]:
    """The status of a parsed file under the bad-row rule, and the reason if rejected."""
    return judge_rows(result.rows_judged, result.rejects, max_bad_share)


def judge_rows(
    seen: int, rejects: Sequence[Reject], max_bad_share: float
) -> tuple[str, str | None]:
    """The bad-row rule on counts: of ``seen`` rows judged, ``rejects`` were bad."""
    bad = len(rejects)
    if bad == 0:
        return "loaded", None
    if bad / seen > max_bad_share:
        first = rejects[0]
        return "rejected", (
            f"file rejected: {bad} of {seen} rows bad ({bad / seen:.0%}, over "
            f"{max_bad_share:.0%}); first, line {first.line}: {first.reason}"
        )
    return "partial", None


def _outcome_result(load: FileLoad, outcome: LoadOutcome, rejects: Sequence[Reject]) -> FileResult:
    return FileResult(
        load.source, load.file, outcome.status, outcome.accepted, outcome.rejected,
        outcome.new, outcome.skipped, outcome.reason, tuple((r.line, r.reason) for r in rejects),
    )  # fmt: skip


def ingest_file(
    store: Store, kind: str, path: str | Path, *, max_bad_share: float = DEFAULT_MAX_BAD_SHARE
) -> FileResult:
    """Load one file of one source kind into the store, atomically."""
    source = get_source(kind)
    path = Path(path)
    started = dt.datetime.now(dt.UTC)
    data = source.fetch(path)
    load = FileLoad(kind, path.name, str(path), hashlib.sha256(data).hexdigest(), started)
    if store.loaded_sha(kind, load.sha256):
        return FileResult(kind, path.name, "unchanged")
    try:
        result = source.parse(data, path.name)
    except SourceError as exc:
        failure = [Reject(0, str(exc))]
        outcome = store.record_load(load, empty_events(), failure, "failed", str(exc))
        return _outcome_result(load, outcome, failure)
    status, reason = judge(result, max_bad_share)
    events = result.events if status != "rejected" else result.events.slice(0, 0)
    rejects = result.rejects + ([Reject(0, reason)] if reason else [])
    outcome = store.record_load(
        load, events, rejects, status, reason, skipped=result.skipped.total()
    )
    return _outcome_result(load, outcome, rejects)


def expand_paths(kind: str, paths: Sequence[str | Path]) -> list[Path]:
    """Files to load: a folder stands for the files in it that its kind reads, sorted."""
    patterns = get_source(kind).patterns
    expanded: list[Path] = []
    for path in map(Path, paths):
        if not path.is_dir():
            expanded.append(path)
            continue
        inside = [p for p in sorted(path.iterdir()) if p.is_file()]
        expanded += [p for p in inside if any(fnmatch(p.name.lower(), pat) for pat in patterns)]
    return expanded


def ingest_files(
    store: Store,
    kind: str,
    paths: Sequence[str | Path],
    *,
    max_bad_share: float = DEFAULT_MAX_BAD_SHARE,
    on_file: Callable[[FileResult], None] | None = None,
) -> IngestSummary:
    """Load many files of one kind; a file that fails is recorded and the rest go on."""
    summary = IngestSummary()
    for path in expand_paths(kind, paths):
        try:
            result = ingest_file(store, kind, path, max_bad_share=max_bad_share)
        except SourceError as exc:  # the file could not even be read: nothing to record
            result = FileResult(kind, Path(path).name, "failed", reason=str(exc))
        summary.files.append(result)
        if on_file:
            on_file(result)
    return summary


def bundled_files(kinds: Iterable[str] = DEMO_KINDS) -> list[tuple[str, Path]]:
    """Every bundled data file with its kind, in demo order."""
    return [(kind, path) for kind in kinds for path in get_source(kind).bundled_paths()]


def ingest_bundled(
    store: Store, *, on_file: Callable[[FileResult], None] | None = None
) -> IngestSummary:
    """Load all the bundled real data (what ``axiswatch demo`` starts from)."""
    summary = IngestSummary()
    for kind, path in bundled_files():
        summary.files.extend(ingest_files(store, kind, [path], on_file=on_file).files)
    return summary
