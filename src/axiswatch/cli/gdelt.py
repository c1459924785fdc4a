"""``axiswatch gdelt sync`` and ``axiswatch gdelt update``: GDELT 2.0 from a mirror."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from ..errors import UserError
from ..gdelt_sync import (
    DEFAULT_BASE_URL,
    SyncOptions,
    SyncProgress,
    SyncSummary,
    sync,
    update_window,
)
from .app import _date, _store, app, err, out

gdelt_app = typer.Typer(help="Sync GDELT 2.0 event files into the store.", no_args_is_help=True)
app.add_typer(gdelt_app, name="gdelt")


def default_cache() -> Path:
    """``$XDG_CACHE_HOME/axiswatch/gdelt`` (``~/.cache/axiswatch/gdelt``)."""
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "axiswatch" / "gdelt"


class _Reporter:
    """One progress line on stderr: files done/total, events/s, MB/s, ETA."""

    def __init__(self, quiet: bool) -> None:
        self.quiet, self.last = quiet, 0.0
        self.live = err.is_terminal

    def __call__(self, p: SyncProgress) -> None:
        now = time.monotonic()
        if self.quiet or (p.done < p.total and now - self.last < (0.5 if self.live else 10)):
            return
        self.last = now
        rate = p.seen / p.seconds if p.seconds else 0.0
        mbs = p.bytes / p.seconds / 1e6 if p.seconds else 0.0
        eta = (p.total - p.done) * p.seconds / p.done if p.done else 0.0
        line = (
            f"gdelt: {p.done}/{p.total} files, {p.kept:,} of {p.seen:,} events kept, "
            f"{rate:,.0f} events/s, {mbs:.1f} MB/s, ETA {eta:.0f}s"
        )
        if self.live:
            sys.stderr.write("\r" + line.ljust(100))
            if p.done == p.total:
                sys.stderr.write("\n")
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()


def _print_summary(summary: SyncSummary, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(summary.to_dict()) + "\n")
    else:
        files = ", ".join(f"{n} {status}" for status, n in sorted(summary.files.items()))
        rate = summary.seen / summary.seconds if summary.seconds else 0.0
        out.print(
            f"gdelt sync: {summary.listed} files listed, {summary.done_before} done before"
            f"{'; ' + files if files else ''}\n"
            f"events: {summary.kept:,} kept of {summary.seen:,} seen ({summary.new:,} new), "
            f"{summary.skipped_rule:,} skipped by rule, {summary.quarantined:,} rows quarantined; "
            f"{summary.retried} retries; {summary.bytes / 1e6:.1f} MB in {summary.seconds:.1f}s "
            f"({rate:,.0f} events/s)",
            highlight=False, markup=False,
        )  # fmt: skip
    for number, reason in summary.malformed[:20]:
        err.print(f"warning: file list line {number}: {reason}", highlight=False, markup=False)
    for file, status, reason in summary.problems[:50]:
        err.print(f"{status}: {file}: {reason}", highlight=False, markup=False)
    if summary.failed:
        err.print(
            f"error: {summary.failed} file(s) failed to download; run again to retry them",
            highlight=False, markup=False,
        )  # fmt: skip
        raise typer.Exit(1)


BaseUrl = Annotated[str, typer.Option("--base-url", help="GDELT 2.0 mirror (gdeltv2/).")]
Workers = Annotated[int, typer.Option("--workers", help="Parallel downloads and parses.")]
Tables = Annotated[str, typer.Option("--tables", help="events, or events,mentions.")]
Keep = Annotated[str, typer.Option("--keep", help="lens: the lens's events; all: every event.")]
Cache = Annotated[
    Path | None, typer.Option("--cache", help="Cache folder (default ~/.cache/axiswatch/gdelt).")
]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Keep no downloaded files.")]
LensName = Annotated[str, typer.Option("--lens", help="Lens whose actors --keep lens keeps.")]
Translingual = Annotated[
    bool, typer.Option("--translingual", help="Also the translated (translingual) stream.")
]
Json = Annotated[bool, typer.Option("--json", help="Print a JSON summary.")]
Quiet = Annotated[bool, typer.Option("--quiet", help="No progress line.")]
Retries = Annotated[int, typer.Option("--retries", help="Retries of a failed download.")]
Timeout = Annotated[float, typer.Option("--timeout", help="Seconds before a download times out.")]
Backoff = Annotated[float, typer.Option("--backoff", help="First retry's wait (doubles).")]


def _options(
    since: dt.date | None, until: dt.date | None, base_url: str, workers: int, tables: str,
    keep: str, cache: Path | None, no_cache: bool, lens: str, translingual: bool, latest: bool,
    retries: int, timeout: float, backoff: float,
) -> SyncOptions:  # fmt: skip
    return SyncOptions(
        since=since, until=until, base_url=base_url, workers=workers,
        tables=tuple(t.strip() for t in tables.split(",") if t.strip()), keep=keep, lens=lens,
        translingual=translingual, latest=latest,
        cache=None if no_cache else (cache or default_cache()),
        retries=retries, timeout=timeout, backoff=backoff,
    )  # fmt: skip


@gdelt_app.command("sync")
def sync_command(
    since: Annotated[str | None, typer.Option(help="First day (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Last day (YYYY-MM-DD).")] = None,
    base_url: BaseUrl = DEFAULT_BASE_URL,
    workers: Workers = 4,
    tables: Tables = "events",
    keep: Keep = "lens",
    translingual: Translingual = False,
    latest: Annotated[
        bool, typer.Option("--latest", help="Only the newest quarter-hour (lastupdate.txt).")
    ] = False,
    cache: Cache = None,
    no_cache: NoCache = False,
    lens: LensName = "kim-putin-axis",
    as_json: Json = False,
    quiet: Quiet = False,
    retries: Retries = 4,
    timeout: Timeout = 30.0,
    backoff: Backoff = 1.0,
) -> None:
    """Download, verify and load GDELT 2.0 event files for a window of days (resumable)."""
    options = _options(
        _date(since, "--since"), _date(until, "--until"), base_url, workers, tables, keep,
        cache, no_cache, lens, translingual, latest, retries, timeout, backoff,
    )  # fmt: skip
    _run(options, as_json, quiet)


def _run(options: SyncOptions, as_json: bool, quiet: bool) -> None:
    options.check()
    with _store() as store:
        if options.keep == "all" and str(store.path) == ":memory:":
            raise UserError("--keep all writes Parquet beside the store: use a store file")
        summary = sync(store, options, _Reporter(quiet or as_json))
    _print_summary(summary, as_json)


@gdelt_app.command("update")
def update_command(
    base_url: BaseUrl = DEFAULT_BASE_URL,
    workers: Workers = 4,
    tables: Tables = "events",
    keep: Keep = "lens",
    translingual: Translingual = False,
    cache: Cache = None,
    no_cache: NoCache = False,
    lens: LensName = "kim-putin-axis",
    as_json: Json = False,
    quiet: Quiet = False,
    retries: Retries = 4,
    timeout: Timeout = 30.0,
    backoff: Backoff = 1.0,
) -> None:
    """Sync whatever is new since the last sync (from its newest day to today), for cron."""
    with _store() as store:
        since, until = update_window(store, keep)
    options = _options(since, until, base_url, workers, tables, keep, cache, no_cache, lens,
                       translingual, False, retries, timeout, backoff)  # fmt: skip
    _run(options, as_json, quiet)
