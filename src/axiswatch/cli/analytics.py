"""``changepoints``, ``alerts``, ``scenarios`` and ``forecast``: the analyses, as commands.

Each command computes through ``analysis.analytics.analyse`` and prints a table or,
with ``--json``, plain JSON with ISO dates. ``alerts`` can POST what is new to a
webhook and remember what it sent in a state file.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ..analysis.analytics import (
    FORECAST_SERIES,
    Analytics,
    analyse,
    change_point_record,
    forecast_record,
    scenario_record,
)
from ..analysis.series import series_names
from ..delivery import check_webhook, deliver_alerts, read_sent
from ..errors import UserError
from ..evidence import assessment
from ..lens import load_lens
from .app import _date, _store, _table, app, out

LensOption = Annotated[str, typer.Option(help="Lens name or path.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (ISO dates).")]
SeriesOption = Annotated[
    list[str] | None, typer.Option("--series", help="Only this series (repeatable).")
]


def _analytics(lens: str, forecast: tuple[str, ...] | list[str] = ()) -> tuple[Any, Analytics]:
    with _store(read_only=True) as store:
        result, evidence = assessment(store, load_lens(lens))
    return result, analyse(result, evidence.events, evidence.scored, evidence.signposts,
                           forecast=forecast)  # fmt: skip


def _chosen(names: list[str] | None, known: list[str]) -> list[str]:
    unknown = [n for n in names or [] if n not in known]
    if unknown:
        raise UserError(f"no series {', '.join(unknown)}; series: {', '.join(known) or 'none'}")
    return names or known


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, allow_nan=False) + "\n")


@app.command()
def changepoints(
    lens: LensOption = "kim-putin-axis", series: SeriesOption = None, as_json: JsonOption = False
) -> None:
    """When each series shifted (PELT), and the events that drove each shift."""
    _, analytics = _analytics(lens)
    names = _chosen(series, list(analytics.change_points))
    records = [change_point_record(analytics.change_points[n]) for n in names]
    if as_json:
        _print_json(records)
        return
    for record in records:
        out.print(f"[bold]{record['title']}[/bold] ({record['series']})", highlight=False)
        if record["note"]:
            out.print(f"  {record['note']}", highlight=False)
        elif not record["change_points"]:
            out.print("  no change point", highlight=False)
        for point in record["change_points"]:
            out.print(f"  {point['month']}  {point['sentence']}", highlight=False)
            for driver in point["drivers"][:3]:
                out.print(f"      {driver['date']}  {driver['title']}", highlight=False,
                          markup=False)  # fmt: skip


# -- alerts -----------------------------------------------------------------------------------


@app.command()
def alerts(
    lens: LensOption = "kim-putin-axis",
    since: Annotated[
        str | None, typer.Option(help="Alerts from this date (default: a year before the latest).")
    ] = None,
    as_json: JsonOption = False,
    webhook: Annotated[
        str | None, typer.Option(help="POST new alerts as JSON to this URL.")
    ] = None,
    state: Annotated[
        Path | None, typer.Option(help="Remember sent alerts here; a rerun sends only new ones.")
    ] = None,
) -> None:
    """Signposts that fired and statistical surges, each with its evidence; only new ones."""
    first = _date(since, "--since")
    if webhook is not None:
        check_webhook(webhook)
    read_sent(state)  # a bad state file stops the run before the analysis
    result, analytics = _analytics(lens)
    first = first or result.as_of - dt.timedelta(days=365)
    records = deliver_alerts(analytics.alerts, result.lens.name, first, webhook, state)
    if as_json:
        _print_json(records)
        return
    if not records:
        out.print(f"no new alerts since {first:%Y-%m-%d}", highlight=False)
        return
    table = _table("date", "kind", "alert", "evidence")
    for record in records:
        lead = record["evidence"][0]["title"] if record["evidence"] else ""
        table.add_row(record["date"], record["kind"], record["message"], lead)
    out.print(table)
    if webhook:
        out.print(f"{len(records)} alert(s) sent to {webhook}", highlight=False)


# -- scenarios and forecasts ------------------------------------------------------------------


@app.command()
def scenarios(lens: LensOption = "kim-putin-axis", as_json: JsonOption = False) -> None:
    """Scenario probabilities updated by the signposts, their history and the ACH matrix."""
    _, analytics = _analytics(lens)
    record = scenario_record(analytics.scenarios)
    if as_json:
        _print_json(record)
        return
    if record["note"]:
        out.print(record["note"], highlight=False)
    if not record["priors"]:
        return
    table = _table("scenario", "prior", "now", "inconsistent signposts", "note")
    for name, prior in record["priors"].items():
        inconsistent = str(record["inconsistency"].get(name, 0))
        table.add_row(name, f"{prior:.0%}", f"{record['probabilities'][name]:.0%}", inconsistent,
                      record["notes"].get(name, ""))  # fmt: skip
    out.print(table)
    updates = _table("date", "signpost fired", "probabilities after")
    for update in record["updates"]:
        after = ", ".join(f"{k} {v:.0%}" for k, v in update["after"].items())
        updates.add_row(update["date"], update["title"], after)
    out.print(updates)


@app.command()
def forecast(
    lens: LensOption = "kim-putin-axis", series: SeriesOption = None, as_json: JsonOption = False
) -> None:
    """Forecasts 1–6 months ahead with 80 % intervals, and their backtested skill."""
    names = _chosen(series, series_names(load_lens(lens))) if series else list(FORECAST_SERIES)
    _, analytics = _analytics(lens, forecast=names)
    records = [forecast_record(analytics.forecasts[n]) for n in names]
    if as_json:
        _print_json(records)
        return
    for record in records:
        out.print(f"[bold]{record['title']}[/bold] ({record['series']})", highlight=False)
        if record["note"]:
            out.print(f"  {record['note']}", highlight=False)
            continue
        for month in record["forecast"]:
            out.print(f"  {month['month']}  mean {month['mean']:.1f}  80% interval "
                      f"{month['low']}–{month['high']}  P(none) {month['p_none']:.0%}")  # fmt: skip
        _print_skill(record["skill"])


def _print_skill(skill: dict[str, Any] | None) -> None:
    if skill is None:
        out.print("  skill: not measured (too few months for a backtest)")
        return
    out.print(f"  backtest: {skill['origins']} origins {skill['first_origin']}–"
              f"{skill['last_origin']}; 80% interval coverage {skill['coverage_80']:.0%}; "
              f"CRPS {skill['improvement_over_best_baseline']:.1%} better than the best "
              f"baseline ({skill['best_baseline']})", highlight=False)  # fmt: skip
    table = _table("horizon", "forecasts", "CRPS model", "last value", "seasonal mean",
                   "long-run mean", "80% coverage")  # fmt: skip
    for row in skill["by_horizon"]:
        table.add_row(str(row["horizon"]), str(row["forecasts"]), f"{row['model']:.3f}",
                      f"{row['last_value']:.3f}", f"{row['seasonal_mean']:.3f}",
                      f"{row['long_run_mean']:.3f}", f"{row['coverage']:.0%}")  # fmt: skip
    out.print(table)
