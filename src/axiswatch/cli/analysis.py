"""Analysis and reporting: ``index``, ``series``, ``brief`` and ``lens check|show``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from ..analysis.index import index_report, indicator_series
from ..errors import UserError
from ..evidence import assessment
from ..lens import load_lens
from ..query import frame_records
from ..report.brief import write_brief
from .app import BriefFormat, EventFormat, _date, _store, _table, app, err, lens_app, out

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
