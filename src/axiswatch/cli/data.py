"""Loading and reading: ``ingest``, ``events``, ``stats``, ``quarantine``."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..errors import UserError
from ..ingest import SOURCE_KINDS, FileResult, IngestSummary, expand_paths, ingest_files
from ..query import event_rows, events_to_csv, events_to_json, events_to_parquet, select_events
from ..store import Store
from .app import TABLE_LIMIT, _date, _store, _table, app, err, out


class EventsFormat(StrEnum):
    """``events`` output formats (Parquet needs ``--out``)."""

    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


# -- ingest ---------------------------------------------------------------------------------


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[file]}"), TimeElapsedColumn(), console=err,
        transient=True, disable=not err.is_terminal,
    )  # fmt: skip


def _result_line(result: FileResult) -> str:
    text = f"{result.source:<13} {result.file:<44} {result.status:<9}"
    text += f" {result.accepted:>6} accepted {result.rejected:>5} quarantined {result.new:>6} new"
    return text + (f" {result.skipped:>5} skipped" if result.skipped else "")


def _ingest_with_progress(store: Store, jobs: list[tuple[str, Path]]) -> list[FileResult]:
    results: list[FileResult] = []
    with _progress() as progress:
        task = progress.add_task("ingest", total=len(jobs), file="")
        for kind, path in jobs:
            progress.update(task, file=path.name)
            results.extend(ingest_files(store, kind, [path]).files)
            progress.advance(task)
    return results


def _report_results(results: list[FileResult], as_json: bool, fail: bool = True) -> None:
    """Print what each file did; failures go to stderr, and end the run with 2 if ``fail``."""
    failed = [r for r in results if r.status in ("failed", "rejected")]
    if as_json:
        sys.stdout.write(json.dumps(IngestSummary(results).to_dict()) + "\n")
    else:
        for result in results:
            if result not in failed:
                out.print(_result_line(result), highlight=False, markup=False)
    for result in failed:
        where = "" if result.status == "failed" else f"{result.file}: "
        err.print(f"error: {where}{result.reason}", highlight=False, markup=False)
    if failed and fail:
        raise typer.Exit(2)


@app.command()
def ingest(
    kind: Annotated[str, typer.Argument(help=f"Source kind: {', '.join(SOURCE_KINDS)}.")],
    paths: Annotated[list[Path], typer.Argument(help="Files, or folders of them, to load.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    """Load files of one source kind into the store (each file atomically)."""
    jobs = [(kind, path) for path in expand_paths(kind, paths)]  # an unknown kind stops here
    with _store() as store:
        results = _ingest_with_progress(store, jobs)
    _report_results(results, as_json)


# -- reading --------------------------------------------------------------------------------


@app.command()
def events(
    actor: Annotated[
        list[str] | None, typer.Option("--actor", help="ISO3 code, as actor or recipient.")
    ] = None,
    since: Annotated[str | None, typer.Option(help="First date (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Last date (YYYY-MM-DD).")] = None,
    source: Annotated[str | None, typer.Option(help="Only this source kind.")] = None,
    fmt: Annotated[
        EventsFormat, typer.Option("--format", help="Output format (parquet needs --out).")
    ] = EventsFormat.table,
    limit: Annotated[
        int | None,
        typer.Option(help=f"At most this many events, newest first (table: {TABLE_LIMIT})."),
    ] = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write to this file (needed for parquet).")
    ] = None,
    one_a_day: Annotated[
        bool,
        typer.Option("--one-a-day", help="One event a day per dyad and CAMEO root code."),
    ] = False,
) -> None:
    """List events from the store."""
    if fmt is EventsFormat.parquet and out_file is None:
        raise UserError("--format parquet writes a file: give --out FILE")
    if limit is None and fmt is EventsFormat.table:
        limit = TABLE_LIMIT
    with _store(read_only=True) as store:
        expr = select_events(
            store.events(), actors=actor or [], since=_date(since, "--since"),
            until=_date(until, "--until"), source=source, dedupe_daily=one_a_day,
        )  # fmt: skip
        total = store.execute(expr.count())
        table = store.to_arrow(expr if limit is None else expr.limit(limit))
    if fmt is EventsFormat.parquet and out_file is not None:
        path = events_to_parquet(table, out_file)
        err.print(f"{table.num_rows} events written to {path}", highlight=False)
        return
    text = None
    if fmt is EventsFormat.csv:
        text = events_to_csv(table)
    elif fmt is EventsFormat.json:
        text = events_to_json(table) + "\n"
    if text is not None:
        if out_file is not None:
            out_file.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return
    _print_events_table(event_rows(table), total)


def _print_events_table(rows: list[dict[str, Any]], total: int) -> None:
    table = _table("date", "source", "actor → recipient", "type", "title")
    for row in rows:
        who = " → ".join(x for x in (row["actor"], row["recipient"]) if x)
        table.add_row(str(row["date"]), row["source"], who, row["plover_type"],
                      (row["title"] or "")[:90])  # fmt: skip
    out.print(table)
    more = f" of {total}; --limit or --format csv for more" if total > len(rows) else ""
    out.print(f"{len(rows)} events{more}", style="dim")


@app.command()
def stats(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Events per source, files loaded and rows quarantined."""
    with _store(read_only=True) as store:
        summary = store.stats()
    if as_json:
        sys.stdout.write(json.dumps(summary) + "\n")
        return
    table = _table("source", "events", "first", "last", title=f"store {summary['store']}")
    for name, info in summary["sources"].items():
        table.add_row(name, str(info["events"]), info["first"], info["last"])
    out.print(table)
    files = ", ".join(f"{n} {status}" for status, n in summary["files"].items()) or "none"
    out.print(f"{summary['events']} events; files: {files}; "
              f"{summary['quarantined']} rows quarantined")  # fmt: skip


@app.command()
def quarantine(
    limit: Annotated[int, typer.Option(help="At most this many rows.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Rows that were rejected, with their file, line and reason."""
    with _store(read_only=True) as store:
        rows = store.quarantined(limit)
    if as_json:
        sys.stdout.write(json.dumps(rows, default=str) + "\n")
        return
    if not rows:
        out.print("no rows quarantined")
        return
    table = _table("source", "file", "line", "reason")
    for row in rows:
        table.add_row(row["source"], row["file"], str(row["line"]), row["reason"])
    out.print(table)
