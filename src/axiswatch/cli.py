"""The ``axiswatch`` command: short adapters over the library.

Each command parses its options, calls the public API and prints. A user error
(``UserError``) becomes one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import __version__
from .analysis.index import index_report, indicator_series
from .errors import AxiswatchError, UserError
from .evidence import assessment
from .ingest import (
    SOURCE_KINDS,
    FileResult,
    IngestSummary,
    bundled_files,
    expand_paths,
    ingest_files,
)
from .lens import load_lens
from .query import event_rows, events_to_csv, events_to_json, frame_records, select_events
from .report.brief import write_brief
from .store import Store, default_store_path

app = typer.Typer(
    name="axiswatch",
    help="Early warning and analysis for dangerous state partnerships (the Kim–Putin axis).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
lens_app = typer.Typer(help="Check and show lens files.", no_args_is_help=True)
app.add_typer(lens_app, name="lens")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _table(*columns: str, title: str | None = None) -> Table:
    """A Rich table whose long words fold instead of being cut off."""
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


#: rows the events table shows unless --limit says otherwise
TABLE_LIMIT = 50


class State:
    store_path: Path = default_store_path()


STATE = State()


class EventFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class BriefFormat(StrEnum):
    html = "html"
    md = "md"


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UserError(f"{option} {value!r} is not a date (YYYY-MM-DD)") from None


@contextmanager
def _store(read_only: bool = False) -> Iterator[Store]:
    store = Store(STATE.store_path, read_only=read_only)
    try:
        yield store
    finally:
        store.close()


def _version(value: bool) -> None:
    if value:
        out.print(f"axiswatch {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    store: Annotated[
        Path | None,
        typer.Option(
            "--store", help="Store file (default $AXISWATCH_STORE or ./axiswatch.duckdb)."
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Early warning and analysis for dangerous state partnerships."""
    STATE.store_path = store or default_store_path()


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
        EventFormat, typer.Option("--format", help="Output format.")
    ] = EventFormat.table,
    limit: Annotated[
        int | None,
        typer.Option(help=f"At most this many events, newest first (table: {TABLE_LIMIT})."),
    ] = None,
) -> None:
    """List events from the store."""
    if limit is None and fmt is EventFormat.table:
        limit = TABLE_LIMIT
    with _store(read_only=True) as store:
        expr = select_events(
            store.events(), actors=actor or [], since=_date(since, "--since"),
            until=_date(until, "--until"), source=source,
        )  # fmt: skip
        total = store.execute(expr.count())
        table = store.to_arrow(expr if limit is None else expr.limit(limit))
    if fmt is EventFormat.csv:
        sys.stdout.write(events_to_csv(table))
    elif fmt is EventFormat.json:
        sys.stdout.write(events_to_json(table) + "\n")
    else:
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


# -- analysis ---------------------------------------------------------------------------------


@app.command()
def index(
    lens: Annotated[str, typer.Option(help="Lens name or path.")] = "kim-putin-axis",
    fmt: Annotated[
        EventFormat, typer.Option("--format", help="Output format.")
    ] = EventFormat.table,
    since: Annotated[str | None, typer.Option(help="First month to show (YYYY-MM-DD).")] = None,
    top: Annotated[int, typer.Option(help="Events to list behind each month.")] = 3,
) -> None:
    """The monthly partnership index, its two components and the top events behind each month."""
    first = _date(since, "--since")
    with _store(read_only=True) as store:
        result, evidence = assessment(store, load_lens(lens))
    frame = index_report(result.index, evidence.scored, evidence.events, top=top,
                         since=None if first is None else pd.Timestamp(first))  # fmt: skip
    if fmt is EventFormat.csv:
        flat = frame.assign(
            top_events=[json.dumps(t, ensure_ascii=False) for t in frame["top_events"]]
        )
        sys.stdout.write(flat.to_csv(index=False, float_format="%.4f"))
    elif fmt is EventFormat.json:
        sys.stdout.write(json.dumps(frame_records(frame), ensure_ascii=False) + "\n")
    else:
        _print_index(frame)


@app.command()
def series(
    lens: Annotated[str, typer.Option(help="Lens name or path.")] = "kim-putin-axis",
    family: Annotated[
        list[str] | None, typer.Option("--family", help="Only these families (repeatable).")
    ] = None,
    fmt: Annotated[EventFormat, typer.Option("--format", help="Output format.")] = EventFormat.csv,
) -> None:
    """Monthly events and weighted score for every indicator of the lens (long form)."""
    chosen = load_lens(lens)
    unknown = sorted(set(family or []) - {f.id for f in chosen.families})
    if unknown:
        raise UserError(f"no family {', '.join(unknown)} in lens {chosen.name}")
    with _store(read_only=True) as store:
        _, evidence = assessment(store, chosen)
    frame = indicator_series(evidence.scored, family or None)
    frame = frame.assign(month=frame["month"].dt.strftime("%Y-%m-%d")) if len(frame) else frame
    if fmt is EventFormat.json:
        sys.stdout.write(json.dumps(frame_records(frame), ensure_ascii=False) + "\n")
    elif fmt is EventFormat.csv:
        sys.stdout.write(frame.to_csv(index=False, float_format="%.4f"))
    else:
        table = _table("month", "family", "indicator", "events", "score")
        for row in frame[frame["events"] > 0].itertuples(index=False):
            table.add_row(row.month, row.family, row.indicator, str(row.events), f"{row.score:.2f}")
        out.print(table)


def _print_index(frame: Any) -> None:
    if frame.empty:
        out.print("no partnership evidence in the store for this lens")
        return
    table = _table("month", "trans.", "strat.", "index", "strat. share", "events", "top event")
    for row in frame.itertuples(index=False):
        share = "" if row.strategic_share != row.strategic_share else f"{row.strategic_share:.0%}"
        lead = row.top_events[0]["title"] if row.top_events else ""
        table.add_row(row.month, f"{row.transactional:.1f}", f"{row.strategic:.1f}",
                      f"{row.index:.1f}", share, str(row.events), lead)  # fmt: skip
    out.print(table)


@app.command()
def brief(
    lens: Annotated[str, typer.Option(help="Lens name or path.")] = "kim-putin-axis",
    since: Annotated[str | None, typer.Option(help="'What changed' from this date.")] = None,
    until: Annotated[str | None, typer.Option(help="Assess as of this date.")] = None,
    fmt: Annotated[BriefFormat, typer.Option("--format", help="html or md.")] = BriefFormat.html,
    out_file: Annotated[Path | None, typer.Option("--out", help="Output file.")] = None,
) -> None:
    """Write the briefing: the paper's sections, charts, every claim linked to sources."""
    target = out_file or Path(f"briefing.{fmt.value}")
    window = {"since": _date(since, "--since"), "until": _date(until, "--until")}
    with _store(read_only=True) as store, err.status("coding the events and writing the briefing"):
        result, evidence = assessment(store, load_lens(lens), **window)
        path = write_brief(result, evidence, target, fmt.value, store.stats())
    out.print(f"briefing written to {path}", highlight=False)


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Where to write the briefing.")] = Path(
        "axiswatch-demo"
    ),
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Do not serve the dashboard (for scripts).")
    ] = False,
) -> None:
    """Build the store from the bundled real data, write the briefing, print the headline."""
    with _store() as store:
        results = _ingest_with_progress(store, bundled_files())
        _report_results(results, as_json=False, fail=False)
        with err.status("coding the events and writing the briefing"):
            result, evidence = assessment(store, load_lens())
            summary = store.stats()
            html = write_brief(result, evidence, out_dir / "briefing.html", "html", summary)
            md = write_brief(result, evidence, out_dir / "briefing.md", "md", summary)
    out.rule("Headline assessment")
    for sentence in [*result.headline.sentences, *result.threat_lines.values()]:
        out.print(sentence, highlight=False, soft_wrap=False)
    out.print(f"\nstore: {STATE.store_path}  ({summary['events']} events)")
    out.print(f"briefing: {html.resolve()}\n          {md.resolve()}", highlight=False)
    if not no_serve:
        out.print("(the dashboard is not part of this release; nothing to serve)", style="dim")
    if any(r.status in ("failed", "rejected") for r in results):
        raise typer.Exit(2)


# -- lenses ---------------------------------------------------------------------------------


@lens_app.command("check")
def lens_check(path: Annotated[str, typer.Argument(help="Lens name or YAML path.")]) -> None:
    """Validate a lens file; print a one-line error naming the field and line if it is bad."""
    lens = load_lens(path)
    indicators = sum(len(f.indicators) for f in lens.families)
    out.print(f"{lens.name}: ok ({len(lens.families)} families, {indicators} indicators, "
              f"{len(lens.scenarios)} scenarios)")  # fmt: skip


@lens_app.command("show")
def lens_show(
    path: Annotated[str, typer.Argument(help="Lens name or YAML path.")] = "kim-putin-axis",
) -> None:
    """Show a lens's families and indicators, one indicator a line."""
    lens = load_lens(path)
    for family in lens.families:
        out.print(f"[bold]{family.title}[/bold]  ({family.kind}: {family.id})")
        for ind in family.indicators:
            component = f" [{ind.component}]" if ind.component else ""
            out.print(f"  {ind.id}  weight {ind.weight:g}{component}  — {ind.section}",
                      highlight=False, markup=False)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code; a user error prints one line and returns 2."""
    try:
        app(args=argv, prog_name="axiswatch")
    except AxiswatchError as exc:
        err.print(f"error: {' '.join(str(exc).splitlines())}", highlight=False, markup=False)
        return 2
    except SystemExit as exc:  # typer ends every run, usage errors included, with SystemExit
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
