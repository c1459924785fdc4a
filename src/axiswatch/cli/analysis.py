"""Analysis and reporting: ``index``, ``series``, ``brief`` and ``lens check|show``."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from ..analysis.analytics import index_with_bands
from ..analysis.assessment import Assessment
from ..analysis.index import (
    family_index,
    index_bands,
    index_report,
    indicator_series,
    period_start,
    weekly_index,
)
from ..errors import UserError
from ..evidence import Evidence, assessment
from ..lens import load_lens
from ..query import frame_records
from ..report.brief import write_brief
from .app import BriefFormat, EventFormat, _date, _store, _table, app, err, lens_app, out

# -- analysis ---------------------------------------------------------------------------------


class Frequency(StrEnum):
    month = "month"
    week = "week"


@app.command()
def index(
    lens: Annotated[str, typer.Option(help="Lens name or path.")] = "kim-putin-axis",
    fmt: Annotated[
        EventFormat, typer.Option("--format", help="Output format.")
    ] = EventFormat.table,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    since: Annotated[str | None, typer.Option(help="First month to show (YYYY-MM-DD).")] = None,
    top: Annotated[int, typer.Option(help="Events to list behind each month.")] = 3,
    freq: Annotated[Frequency, typer.Option(help="By month or by ISO week.")] = Frequency.month,
    family: Annotated[
        str | None, typer.Option(help="Another family's index instead (a threat prong, say).")
    ] = None,
) -> None:
    """The partnership index with its components, mix and 80 % bootstrap bands, and the top
    events behind each period; or, with --family, a threat prong's or the China watch's."""
    first = _date(since, "--since")
    chosen = load_lens(lens)
    if family is not None and family not in {f.id for f in chosen.families}:
        raise UserError(f"no family {family} in lens {chosen.name}")
    with _store(read_only=True) as store:
        result, evidence = assessment(store, chosen)
    frame = index_table(result, evidence, family=family, weekly=freq is Frequency.week, top=top,
                        since=None if first is None else pd.Timestamp(first))  # fmt: skip
    if as_json or fmt is EventFormat.json:
        sys.stdout.write(json.dumps(frame_records(frame), ensure_ascii=False) + "\n")
    elif fmt is EventFormat.csv:
        flat = frame.assign(
            top_events=[json.dumps(t, ensure_ascii=False) for t in frame["top_events"]]
        )
        sys.stdout.write(flat.to_csv(index=False, float_format="%.4f"))
    else:
        _print_index(frame)


def index_table(
    result: Assessment, evidence: Evidence, *, family: str | None, weekly: bool, top: int,
    since: pd.Timestamp | None,
) -> pd.DataFrame:  # fmt: skip
    """The rows ``index`` prints: one period each, with the events that weigh most in it."""
    scored, events = evidence.scored, evidence.events
    if family is not None and family != "partnership":
        return index_report(family_index(scored, family), scored, events, since=since, top=top,
                            family=family)  # fmt: skip
    if not weekly:
        return index_report(index_with_bands(result, scored), scored, events, since=since, top=top)
    weeks = weekly_index(scored).rename(columns={"week": "month"})
    if weeks.empty:
        return weeks.rename(columns={"month": "week"}).assign(top_events=[])
    by_week = scored.assign(month=period_start(scored["date"], "W"))
    weeks = weeks.merge(index_bands(by_week, weeks), on="month", how="left")
    report = index_report(weeks, by_week, events, since=since, top=top)
    return report.rename(columns={"month": "week"})


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
        out.print("no evidence in the store for this index")
        return
    if "strategic" not in frame:
        table = _table("month", "index", "events", "top event")
        for row in frame.itertuples(index=False):
            lead = row.top_events[0]["title"] if row.top_events else ""
            table.add_row(row.month, f"{row.index:.1f}", str(row.events), lead)
        out.print(table)
        return
    period = "week" if "week" in frame else "month"
    table = _table(period, "trans.", "strat.", "index", "80% band", "strat. share", "events",
                   "top event")  # fmt: skip
    for row in frame.to_dict("records"):
        share, lead = row["strategic_share"], row["top_events"][:1]
        band = f"{row['index_low']:.1f}–{row['index_high']:.1f}" if "index_low" in row else ""
        table.add_row(row[period], f"{row['transactional']:.1f}", f"{row['strategic']:.1f}",
                      f"{row['index']:.1f}", band, "" if share != share else f"{share:.0%}",
                      str(row["events"]), lead[0]["title"] if lead else "")  # fmt: skip
    out.print(table)


@app.command()
def brief(
    lens: Annotated[str, typer.Option(help="Lens name or path.")] = "kim-putin-axis",
    since: Annotated[str | None, typer.Option(help="'What changed' from this date.")] = None,
    until: Annotated[str | None, typer.Option(help="Assess as of this date.")] = None,
    fmt: Annotated[
        BriefFormat, typer.Option("--format", help="html, md or pdf (pdf: the pdf extra).")
    ] = BriefFormat.html,
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
