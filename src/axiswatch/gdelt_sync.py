"""GDELT 2.0 at full scale: list, download, verify, load and resume.

``sync`` reads GDELT's file list (``masterfilelist.txt``; ``lastupdate.txt`` for the latest
quarter-hour; their ``-translation`` twins for the translingual stream), picks the event
files (and, if asked, the mentions files) in a date window, and loads each file once:

- **Download**: worker threads fetch the zips concurrently. A 5xx answer, a time-out, a
  broken connection or a body whose size or MD5 differs from the list is retried with
  exponential backoff; a 404 or an empty file is *skipped* (GDELT lists files it never
  published) and recorded so in the ingest ledger. With a cache directory, a verified zip
  is written there atomically (temp file + rename) and read from there next time.
- **Parse and keep**: ``sources.gdelt_fast`` parses the zips column-wise and drops, before
  any mapping, the rows the lens does not need (``keep="lens"``), or keeps them all
  (``keep="all"``).
- **Load**: the main thread writes results in batches, each batch one DuckDB transaction
  holding its files' events, quarantine rows and ledger rows. ``keep="lens"`` upserts into
  the store's ``events`` table (by ``event_id``, so an event listed twice is one event);
  ``keep="all"`` writes date-partitioned Parquet beside the store (see ``archive_dir``),
  renamed into place before the batch commits; ``Store.events()`` reads it.
- **Resume**: a file whose ledger row says it is done is not fetched again. A sync killed
  at any moment loses at most its open batch (no ledger rows, no events), and Parquet
  files that no committed ledger row names are deleted when the next sync starts; a rerun
  therefore ends with the store a clean run gives.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import os
import random
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .errors import SourceError, UserError
from .ingest import DEFAULT_MAX_BAD_SHARE, judge_rows
from .lens import load_lens
from .sources.base import Reject
from .sources.gdelt import read_mentions_raw
from .sources.gdelt_fast import FastResult, KeepFilter, RawFile, finish_sql, map_files, read_raw
from .store import FileRecord, Store

DEFAULT_BASE_URL = "http://data.gdeltproject.org/gdeltv2/"
#: ledger ``source`` of the files each keep mode loaded (a file counts as done per mode)
LEDGER_SOURCES = {"lens": "gdelt", "all": "gdelt-archive"}
#: ledger statuses after which a file is not fetched again (``failed`` is retried)
DONE_STATUSES = ("loaded", "partial", "rejected", "skipped")
TABLES = ("events", "mentions")
KEEP_MODES = ("lens", "all")
_SUFFIXES = {"events": ".export.CSV.zip", "mentions": ".mentions.CSV.zip"}
_NAME = re.compile(r"^(\d{14})\.(translation\.)?(export|mentions|gkg)\.(csv|CSV)\.zip$")
_MD5 = re.compile(r"^[0-9a-fA-F]{32}$")
_KINDS = {"export": "events", "mentions": "mentions", "gkg": "gkg"}


# --- the file list -------------------------------------------------------------------------


@dataclass(frozen=True)
class ListedFile:
    """One line of a GDELT file list: a zip, its size and MD5."""

    size: int
    md5: str
    url: str
    name: str
    stamp: dt.datetime
    table: str
    translingual: bool = False


def parse_file_list(text: str) -> tuple[list[ListedFile], list[tuple[int, str]]]:
    """The files of a ``masterfilelist.txt``/``lastupdate.txt``, and (line, reason) of the
    lines that cannot be read (they are reported, the rest is used)."""
    files: list[ListedFile] = []
    malformed: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 3:
            malformed.append((number, f"{len(parts)} fields, expected SIZE MD5 URL"))
            continue
        size, md5, url = parts
        name = url.rsplit("/", 1)[-1]
        match = _NAME.match(name)
        if not size.isdigit():
            malformed.append((number, f"size {size!r} is not a number"))
        elif not _MD5.match(md5):
            malformed.append((number, f"MD5 {md5!r} is not 32 hex digits"))
        elif not match:
            malformed.append((number, f"{name!r} is not a GDELT 2.0 file name"))
        else:
            try:
                stamp = dt.datetime.strptime(match.group(1), "%Y%m%d%H%M%S")
            except ValueError:
                malformed.append((number, f"{name!r} has no valid timestamp"))
                continue
            table = _KINDS[match.group(3)]
            files.append(
                ListedFile(int(size), md5.lower(), url, name, stamp, table, bool(match.group(2)))
            )
    return files, malformed


# --- downloading ------------------------------------------------------------------------------


class Missing(Exception):
    """A listed file that is not there (404) or empty: skipped, not retried."""


class Transient(Exception):
    """A failure worth retrying: 5xx, time-out, broken connection, size or MD5 mismatch."""

    retries = 0


@dataclass(frozen=True)
class Fetcher:
    """Gets files from a GDELT mirror, with retries and an optional cache."""

    base_url: str = DEFAULT_BASE_URL
    cache: Path | None = None
    timeout: float = 30.0
    retries: int = 4
    backoff: float = 1.0

    def url(self, name: str) -> str:
        return self.base_url.rstrip("/") + "/" + name

    def _status(self, url: str, code: int, reason: str) -> None:
        if code in (404, 410):
            raise Missing(f"not found ({code})")
        if code >= 500 or code == 429:
            raise Transient(f"HTTP {code}")
        if code != 200:
            raise SourceError(f"{url}: HTTP {code} {reason}")

    def _get_kept_alive(self, url: str) -> bytes:
        """GET over this thread's open connection to the host (one TCP connection a worker)."""
        parts = urllib.parse.urlsplit(url)
        connections = _connections()
        key = (parts.scheme, parts.netloc)
        conn = connections.get(key)
        if conn is None:
            kind = (
                http.client.HTTPSConnection
                if parts.scheme == "https"
                else http.client.HTTPConnection
            )
            conn = connections[key] = kind(parts.netloc, timeout=self.timeout)
        try:
            conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
            response = conn.getresponse()
            body = response.read()
        except BaseException:
            conn.close()
            del connections[key]
            raise
        if response.will_close:
            conn.close()
            del connections[key]
        self._status(url, response.status, response.reason)
        return body

    def _get_once(self, url: str) -> bytes:
        try:
            if url.startswith(("http://", "https://")) and not urllib.request.getproxies():
                return self._get_kept_alive(url)
            with urllib.request.urlopen(url, timeout=self.timeout) as response:
                return bytes(response.read())
        except urllib.error.HTTPError as exc:
            self._status(url, exc.code, str(exc.reason))
            raise SourceError(f"{url}: HTTP {exc.code} {exc.reason}") from None
        except TimeoutError as exc:
            raise Transient(f"timed out ({exc})") from None
        except (urllib.error.URLError, http.client.HTTPException, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise Transient(f"connection failed ({reason})") from None

    def get(
        self, name: str, check: Callable[[bytes], None] = lambda data: None
    ) -> tuple[bytes, int]:
        """A file's bytes, checked by ``check`` (raise Transient to retry), and the retries."""
        retries = 0
        while True:
            try:
                data = self._get_once(self.url(name))
                check(data)
                return data, retries
            except Transient as exc:
                if retries >= self.retries:
                    final = Transient(f"{exc}, after {retries} retries")
                    final.retries = retries
                    raise final from None
                time.sleep(self.backoff * 2**retries * (0.5 + random.random() / 2))
                retries += 1

    def text(self, name: str) -> str:
        """A small text file (a file list); any failure is a one-line SourceError."""
        try:
            data, _ = self.get(name)
        except (Missing, Transient) as exc:
            raise SourceError(f"{self.url(name)}: {exc}") from None
        return data.decode("utf-8", "replace")

    def listed(self, entry: ListedFile) -> tuple[bytes, int]:
        """A listed zip, verified against the list's size and MD5, from the cache if there."""
        cached = self.cache / entry.name if self.cache else None
        if cached is not None and cached.is_file() and cached.stat().st_size == entry.size:
            data = cached.read_bytes()
            if hashlib.md5(data).hexdigest() == entry.md5:
                return data, 0
        if entry.size == 0:
            raise Missing("empty file (size 0 in the list)")

        def verify(data: bytes) -> None:
            if not data:
                raise Missing("empty file")
            if len(data) != entry.size:
                raise Transient(f"size {len(data)}, the list says {entry.size}")
            if hashlib.md5(data).hexdigest() != entry.md5:
                raise Transient("MD5 differs from the list")

        data, retries = self.get(entry.name, verify)
        if cached is not None:
            _write_atomic(cached, data)
        return data, retries


_local = threading.local()


def _connections() -> dict[tuple[str, str], http.client.HTTPConnection]:
    found: dict[tuple[str, str], http.client.HTTPConnection] | None = getattr(_local, "conns", None)
    if found is None:
        found = _local.conns = {}
    return found


def _write_atomic(path: Path, data: bytes) -> None:
    """Write a file whole or not at all: a temp file beside it, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    temp.write_bytes(data)
    os.replace(temp, path)


# --- one quarter-hour ---------------------------------------------------------------------------


@dataclass
class FileOutcome:
    """What became of one listed file (before it is written)."""

    entry: ListedFile
    status: str  # loaded, partial, rejected, skipped, failed
    sha256: str = ""
    size: int = 0
    retries: int = 0
    reason: str | None = None
    raw: RawFile | None = None
    result: FastResult | None = None
    #: rows already mapped in the worker (``--keep all``: large files map in parallel)
    mapped: pa.Table | None = None
    #: event table only: citations per GlobalEventID from the mentions file of the same stamp
    mentions: FileOutcome | None = None
    citations: pa.Table | None = None

    @property
    def kept(self) -> int:
        return self.result.kept if self.result else 0

    @property
    def seen(self) -> int:
        return self.raw.seen if self.raw else 0

    @property
    def rejects(self) -> list[Reject]:
        found = list(self.result.rejects) if self.result else []
        return found + (
            [Reject(0, self.reason)] if self.reason and self.status != "skipped" else []
        )


def _download(fetcher: Fetcher, entry: ListedFile) -> tuple[FileOutcome, bytes]:
    """One listed file's bytes and its outcome so far ("loaded", or why not)."""
    try:
        data, retries = fetcher.listed(entry)
    except Missing as exc:
        return FileOutcome(entry, "skipped", reason=str(exc)), b""
    except Transient as exc:
        return FileOutcome(entry, "failed", reason=str(exc), retries=exc.retries), b""
    except SourceError as exc:
        return FileOutcome(entry, "failed", reason=str(exc)), b""
    sha = hashlib.sha256(data).hexdigest()
    return FileOutcome(entry, "loaded", sha, len(data), retries), data


def process_events(fetcher: Fetcher, entry: ListedFile, keep: KeepFilter | None) -> FileOutcome:
    """Download, verify, parse and filter one event zip (runs in a worker thread)."""
    outcome, data = _download(fetcher, entry)
    if outcome.status != "loaded":
        return outcome
    try:
        outcome.raw = read_raw(data, entry.name, keep)
    except SourceError as exc:
        outcome.status, outcome.reason = "rejected", str(exc)
        return outcome
    if keep is None:  # every row kept: map here, in parallel, not in the writer
        outcome.mapped, results = map_files([outcome.raw])
        outcome.result = results[entry.name]
        raw = outcome.raw  # only its counts are needed now: let the rows and bytes go
        outcome.raw = replace(raw, table=raw.table.slice(0, 0), data=b"")
    return outcome


def process_mentions(fetcher: Fetcher, entry: ListedFile, ids: pa.Array) -> FileOutcome:
    """Download a mentions zip and gather, per GlobalEventID in ``ids``, its citations."""
    outcome, data = _download(fetcher, entry)
    if outcome.status != "loaded":
        return outcome
    try:
        mentions = read_mentions_raw(data, entry.name)
    except SourceError as exc:
        outcome.status, outcome.reason = "rejected", str(exc)
        return outcome
    mine = mentions.filter(pc.is_in(mentions["GlobalEventID"], ids))
    outcome.citations = mine.select(
        ["GlobalEventID", "MentionSourceName", "MentionIdentifier", "MentionTimeDate"]
    )
    return outcome


# --- the sync ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncOptions:
    """What to sync and how (the ``axiswatch gdelt sync`` options)."""

    since: dt.date | None = None
    until: dt.date | None = None
    base_url: str = DEFAULT_BASE_URL
    workers: int = 4
    tables: tuple[str, ...] = ("events",)
    keep: str = "lens"
    lens: str = "kim-putin-axis"
    translingual: bool = False
    latest: bool = False
    cache: Path | None = None
    timeout: float = 30.0
    retries: int = 4
    backoff: float = 1.0
    max_bad_share: float = DEFAULT_MAX_BAD_SHARE
    #: a batch (one transaction) closes after this many files or seconds
    batch_files: int | None = None
    batch_seconds: float = 2.0

    @property
    def files_per_batch(self) -> int:
        """``batch_files``, else 96 for ``--keep lens`` (each batch's upsert checks the ids
        already stored: fewer, larger batches keep that cost small as the store grows) and
        24 for ``--keep all`` (its batches hold every row: smaller keeps memory flat)."""
        return self.batch_files or (96 if self.keep == "lens" else 24)

    def check(self) -> None:
        unknown = set(self.tables) - set(TABLES)
        if unknown or "events" not in self.tables:
            raise UserError(f"--tables {','.join(self.tables)}: choose events or events,mentions")
        if self.keep not in KEEP_MODES:
            raise UserError(f"--keep {self.keep!r}: choose lens or all")
        if "mentions" in self.tables and self.keep != "lens":
            raise UserError("--tables events,mentions works with --keep lens (citations)")
        if self.workers < 1:
            raise UserError("--workers must be at least 1")
        if not self.latest and (self.since is None or self.until is None):
            raise UserError("give --since and --until (or --latest)")
        if self.since and self.until and self.since > self.until:
            raise UserError(f"--since {self.since} is after --until {self.until}")


@dataclass
class SyncSummary:
    """What a sync did, for the end-of-run summary and ``--json``."""

    listed: int = 0
    done_before: int = 0
    files: Counter[str] = field(default_factory=Counter)
    kept: int = 0
    seen: int = 0
    quarantined: int = 0
    retried: int = 0
    skipped_rule: int = 0
    new: int = 0
    bytes: int = 0
    seconds: float = 0.0
    malformed: list[tuple[int, str]] = field(default_factory=list)
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (file, status, reason)

    @property
    def failed(self) -> int:
        return self.files["failed"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "listed": self.listed, "done_before": self.done_before, "files": dict(self.files),
            "events_kept": self.kept, "events_seen": self.seen, "events_new": self.new,
            "quarantined": self.quarantined, "retried": self.retried,
            "skipped_by_rule": self.skipped_rule, "bytes": self.bytes,
            "seconds": round(self.seconds, 3),
            "malformed_list_lines": [{"line": n, "reason": r} for n, r in self.malformed],
            "problems": [{"file": f, "status": s, "reason": r} for f, s, r in self.problems],
        }  # fmt: skip


@dataclass(frozen=True)
class SyncProgress:
    """Where a running sync is (handed to the progress callback after each file)."""

    done: int
    total: int
    kept: int
    seen: int
    bytes: int
    seconds: float


def _lists(options: SyncOptions) -> tuple[str, ...]:
    base = "lastupdate" if options.latest else "masterfilelist"
    return (f"{base}.txt",) + ((f"{base}-translation.txt",) if options.translingual else ())


def plan(
    fetcher: Fetcher, options: SyncOptions
) -> tuple[list[ListedFile], dict[str, ListedFile], list[tuple[int, str]]]:
    """The event files in the window, the mentions files by stamp, and malformed list lines."""
    entries: list[ListedFile] = []
    malformed: list[tuple[int, str]] = []
    for name in _lists(options):
        found, bad = parse_file_list(fetcher.text(name))
        entries += found
        malformed += bad

    def wanted(entry: ListedFile) -> bool:
        if entry.translingual and not options.translingual:
            return False
        day = entry.stamp.date()
        return options.latest or bool(
            options.since and options.until and options.since <= day <= options.until
        )

    chosen = {e.name: e for e in entries if wanted(e)}  # a file listed twice counts once
    events = sorted((e for e in chosen.values() if e.table == "events"), key=lambda e: e.name)
    mentions = {}
    if "mentions" in options.tables:
        mentions = {e.name: e for e in chosen.values() if e.table == "mentions"}
    return events, mentions, malformed


def _mentions_name(event_file: str) -> str:
    return event_file.replace(".export.", ".mentions.")


def _keep_filter(options: SyncOptions) -> KeepFilter | None:
    if options.keep == "all":
        return None
    lens = load_lens(options.lens)
    return KeepFilter(tuple(lens.dyad), tuple(lens.actors))


def _work(
    fetcher: Fetcher,
    entry: ListedFile,
    mentions: ListedFile | None,
    keep: KeepFilter | None,
    options: SyncOptions,
) -> FileOutcome:
    outcome = process_events(fetcher, entry, keep)
    if mentions is not None:
        ids = (
            pc.unique(outcome.raw.table["GlobalEventID"])
            if outcome.raw is not None
            else pa.array([], pa.int64())
        )
        outcome.mentions = process_mentions(fetcher, mentions, ids)
    return outcome


def _bounded(
    pool: ThreadPoolExecutor, jobs: list[Callable[[], FileOutcome]], ahead: int
) -> Iterator[FileOutcome]:
    """Results in completion order, never more than ``ahead`` jobs in flight (flat memory)."""
    pending: set[Future[FileOutcome]] = set()
    queue = iter(jobs)
    for job in queue:
        pending.add(pool.submit(job))
        if len(pending) >= ahead:
            break
    while pending:
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            yield future.result()
            nxt = next(queue, None)
            if nxt is not None:
                pending.add(pool.submit(nxt))


def sync(
    store: Store,
    options: SyncOptions,
    on_progress: Callable[[SyncProgress], None] | None = None,
) -> SyncSummary:
    """Bring the store up to date with GDELT for the window in ``options``."""
    options.check()
    started = time.perf_counter()
    fetcher = Fetcher(options.base_url, options.cache, options.timeout, options.retries,
                      options.backoff)  # fmt: skip
    keep = _keep_filter(options)
    source = LEDGER_SOURCES[options.keep]
    writer = _Writer(store, source, options.keep)
    writer.remove_orphans()
    events, mentions, malformed = plan(fetcher, options)
    done = store.done_files(source, DONE_STATUSES)
    todo = [e for e in events if e.name not in done]
    summary = SyncSummary(listed=len(events), done_before=len(events) - len(todo))
    summary.malformed = malformed
    jobs: list[Callable[[], FileOutcome]] = [
        partial(_work, fetcher, e, mentions.get(_mentions_name(e.name)), keep, options)
        for e in todo
    ]
    batch: list[FileOutcome] = []
    opened = time.perf_counter()
    with ThreadPoolExecutor(options.workers, thread_name_prefix="gdelt") as pool:
        for count, outcome in enumerate(
            _bounded(pool, jobs, max(options.workers * 3, options.files_per_batch)), start=1
        ):
            batch.append(outcome)
            # near the end, smaller batches: the last one is written after every worker is
            # done, so its size is time nothing else overlaps
            tail = len(todo) - count < options.files_per_batch
            limit = max(1, options.files_per_batch // 4) if tail else options.files_per_batch
            full = len(batch) >= limit
            if full or time.perf_counter() - opened >= options.batch_seconds:
                summary.new += writer.write(batch, options.max_bad_share, summary)
                batch, opened = [], time.perf_counter()
            if on_progress:
                on_progress(SyncProgress(count, len(todo), summary.kept, summary.seen,
                                         summary.bytes, time.perf_counter() - started))  # fmt: skip
        summary.new += writer.write(batch, options.max_bad_share, summary)
    summary.seconds = time.perf_counter() - started
    return summary


def _count(summary: SyncSummary, outcome: FileOutcome) -> None:
    for one in (outcome, outcome.mentions):
        if one is None:
            continue
        summary.files[one.status] += 1
        summary.retried += one.retries
        summary.bytes += one.size
        if one.status in ("rejected", "failed", "skipped", "partial") and one.reason:
            summary.problems.append((one.entry.name, one.status, one.reason))
    summary.kept += outcome.kept
    summary.seen += outcome.seen
    summary.quarantined += len(outcome.rejects)
    if outcome.result:
        summary.skipped_rule += outcome.result.skipped.total()


def update_window(store: Store, keep: str = "lens") -> tuple[dt.date, dt.date]:
    """The window ``gdelt update`` syncs: from the day of the newest file done, to today."""
    if keep not in LEDGER_SOURCES:
        raise UserError(f"--keep {keep!r}: choose lens or all")
    newest = store.newest_file(LEDGER_SOURCES[keep], DONE_STATUSES)
    today = dt.datetime.now(dt.UTC).date()
    if newest is None:
        return today, today
    day = dt.datetime.strptime(newest[:8], "%Y%m%d").date()
    return day, max(day, today)


# --- writing ---------------------------------------------------------------------------------


#: the ledger ``path`` of an archived file: ``archive:day=YYYY-MM-DD/NAME.parquet``, relative
#: to the archive folder (so the store can be opened from anywhere)
def _archive_name(path: Path, archive: Path) -> str:
    return f"archive:{path.relative_to(archive).as_posix()}"


class _Writer:
    """Writes batches of outcomes: events (or Parquet), quarantine and ledger, atomically."""

    def __init__(self, store: Store, source: str, keep: str) -> None:
        self.store, self.source, self.keep = store, source, keep
        self.archive = store.archive

    def remove_orphans(self) -> None:
        """Delete archive Parquet files that no committed ledger row names (a crash's)."""
        if self.keep != "all" or not self.archive.is_dir():
            return
        named = self.store.ledger_paths(self.source)
        for path in self.archive.rglob("*.parquet"):
            if _archive_name(path, self.archive) not in named:
                path.unlink()
        for temp in self.archive.rglob(".*.tmp"):
            temp.unlink()

    def _map(self, outcomes: list[FileOutcome], max_bad_share: float) -> pa.Table:
        """Map the batch's parsed rows at once; judge each file; the rows of the files kept."""
        raws = [o.raw for o in outcomes if o.raw is not None and o.mapped is None]
        mapped, results = map_files(raws)
        done = [o for o in outcomes if o.mapped is not None and o.result is not None]
        results.update((o.entry.name, o.result) for o in done if o.result is not None)
        tables = [t for t in (mapped, *(o.mapped for o in done)) if t is not None and t.num_rows]
        mapped = pa.concat_tables(tables) if tables else mapped
        rejected = []
        for outcome in outcomes:
            if outcome.raw is None:
                continue
            result = results[outcome.entry.name]
            judged = result.kept + len(result.rejects)
            outcome.status, outcome.reason = judge_rows(judged, result.rejects, max_bad_share)
            if outcome.status == "rejected":
                rejected.append(outcome.entry.name)
                result.kept = 0
            outcome.result = result
        if rejected and mapped.num_rows:
            mapped = mapped.filter(pc.invert(pc.is_in(mapped["file"], pa.array(rejected))))
        return mapped

    def _parquet(self, outcomes: list[FileOutcome], mapped: pa.Table) -> dict[str, str]:
        """Write the batch's events as Parquet, one file per day; file name → its path."""
        paths: dict[str, str] = {}
        by_day: dict[str, list[FileOutcome]] = {}
        for outcome in outcomes:
            if outcome.kept:
                by_day.setdefault(outcome.entry.stamp.strftime("%Y-%m-%d"), []).append(outcome)
        con = self.store.con
        for day, group in by_day.items():
            names = sorted(o.entry.name for o in group)
            folder = self.archive / f"day={day}"
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{names[0][:14]}-{names[-1][:14]}-{len(group)}.parquet"
            temp = folder / f".{path.name}.tmp"
            rows = mapped.filter(pc.is_in(mapped["file"], pa.array(names)))
            con.register("_mapped", rows)
            try:
                con.execute(
                    f"COPY ({finish_sql('_mapped')}) TO '{temp}' (FORMAT parquet, COMPRESSION zstd)"
                )
            finally:
                con.unregister("_mapped")
            os.replace(temp, path)
            paths.update((o.entry.name, _archive_name(path, self.archive)) for o in group)
        return paths

    def write(self, outcomes: list[FileOutcome], max_bad_share: float, summary: SyncSummary) -> int:
        """One transaction for the batch; the number of events that were new to the store."""
        if not outcomes:
            return 0
        mapped = self._map(outcomes, max_bad_share)
        for outcome in outcomes:
            _count(summary, outcome)
        paths = self._parquet(outcomes, mapped) if self.keep == "all" else {}
        with self.store.transaction():
            new = 0
            if self.keep == "lens" and mapped.num_rows:
                citations = [o.mentions.citations for o in outcomes
                             if o.mentions and o.mentions.citations is not None]  # fmt: skip
                new = self.store.upsert_mapped(
                    mapped, finish_sql, pa.concat_tables(citations) if citations else None
                )
            records = []
            for outcome in outcomes:
                records.append(
                    self._record(outcome, paths.get(outcome.entry.name, outcome.entry.url))
                )
                if outcome.mentions is not None:
                    records.append(self._record(outcome.mentions, outcome.mentions.entry.url))
            self.store.record_files(self.source, records)
        return new

    def _record(self, outcome: FileOutcome, path: str) -> FileRecord:
        result = outcome.result
        return FileRecord(
            outcome.entry.name, path, outcome.sha256, outcome.seen, outcome.kept,
            result.skipped.total() if result else 0, outcome.status, outcome.reason,
            outcome.rejects,
        )  # fmt: skip
