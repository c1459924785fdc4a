"""Every analysis of a lens's evidence in one pure call, and its JSON-ready records.

``analyse`` takes the assessment and the evidence frames and returns ``Analytics``:
the index with its bands and mix, the threat indices, change points, scenario
probabilities, alerts and forecasts. The CLI, the briefing and the Python API all read
this one object; ``*_record`` functions turn its parts into plain data (ISO dates, no
NaN) for JSON.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .alerts import Alert, all_alerts, indicator_counts
from .assessment import Assessment
from .changepoints import ChangePointResult, change_points
from .forecast import Forecast, forecast_series
from .index import family_index, index_bands, top_events, with_rolling_mix
from .scenarios import ScenarioResult, scenario_analysis, signpost_firings
from .series import MonthlySeries, analysis_series, series_names

#: the series forecast unless others are asked for
FORECAST_SERIES = ("missile_launches", "cooperative_events")


@dataclass
class Analytics:
    """The analyses of one assessment's evidence."""

    index: pd.DataFrame
    threats: dict[str, pd.DataFrame]
    threat_events: dict[str, pd.DataFrame]
    series: dict[str, MonthlySeries]
    change_points: dict[str, ChangePointResult]
    scenarios: ScenarioResult
    alerts: list[Alert]
    forecasts: dict[str, Forecast]

    def open_alerts(self, since: dt.date) -> list[Alert]:
        return [a for a in self.alerts if a.date >= since]


def index_with_bands(assessment: Assessment, scored: pd.DataFrame) -> pd.DataFrame:
    """The monthly index with its six-month mix and 80 % bootstrap bands."""
    index = assessment.index
    if index.empty:
        return index
    bands = index_bands(scored, index)
    return with_rolling_mix(index).merge(bands, on="month", how="left")


def threat_indices(
    assessment: Assessment, scored: pd.DataFrame, events: pd.DataFrame
) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """Monthly index of each threat prong and the China watch, and its weightiest events
    in the year to the last date the family's sources cover."""
    lens = assessment.lens
    families = [*lens.families_of("threat"), *lens.families_of("china")]
    indices, leaders = {}, {}
    for family in families:
        mine = scored[scored["family"] == family.id]
        finding = assessment.findings.get(family.id)
        end = pd.Timestamp(finding.as_of if finding else assessment.as_of)
        year_ago = end - pd.DateOffset(years=1)
        indices[family.id] = family_index(scored, family.id)
        recent = mine[mine["date"] > year_ago].assign(family=family.id)
        leaders[family.id] = top_events(recent, events, by="family", per_group=5)
    return indices, leaders


def analyse(
    assessment: Assessment,
    events: pd.DataFrame,
    scored: pd.DataFrame,
    signpost_hits: pd.DataFrame,
    *,
    forecast: tuple[str, ...] | list[str] = FORECAST_SERIES,
    evaluate: bool = True,
) -> Analytics:
    """Every analysis of one assessment's evidence."""
    lens = assessment.lens
    as_of = pd.Timestamp(assessment.as_of)
    dated = events[events["date"].notna()] if not events.empty else events
    series = analysis_series(lens, dated, scored)
    titles = {i.id: i.title for f in lens.families for i in f.indicators}
    firings = signpost_firings(lens, signpost_hits, dated, assessment.as_of)
    threats, leaders = threat_indices(assessment, scored, dated)
    shifts = change_points(series, dated)
    missing = [name for name in series_names(lens) if name not in series]
    shifts.update({name: ChangePointResult(name, name, "count", [], note=NO_EVIDENCE)
                   for name in missing})  # fmt: skip
    forecasts = {
        name: forecast_series(series[name], evaluate=evaluate) if name in series
        else Forecast(name, name, None, None, [], note=NO_EVIDENCE)
        for name in forecast
    }  # fmt: skip
    return Analytics(
        index_with_bands(assessment, scored), threats, leaders, series, shifts,
        scenario_analysis(lens, signpost_hits, dated, as_of=as_of.date()),
        all_alerts(firings, {**series, **indicator_counts(scored, titles)}, dated), forecasts,
    )  # fmt: skip


NO_EVIDENCE = "not enough evidence: no events in the store for this series"


# -- records --------------------------------------------------------------------------------


def _iso(value: Any) -> str:
    return f"{pd.Timestamp(value):%Y-%m-%d}"


def _num(value: Any, digits: int = 4) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if not math.isfinite(number) else round(number, digits)


def change_point_record(result: ChangePointResult) -> dict[str, Any]:
    """One series' change points as JSON-ready data."""
    return {
        "series": result.series, "title": result.title, "kind": result.kind,
        "method": "PELT, quasi-likelihood cost, BIC-like penalty",
        "dispersion": _num(result.dispersion), "penalty": _num(result.penalty),
        "min_size": result.min_size, "note": result.note,
        "change_points": [
            {"month": _iso(c.month), "direction": c.direction, "before": _num(c.before),
             "after": _num(c.after), "sentence": c.sentence, "drivers": c.drivers}
            for c in result.change_points
        ],
        "segments": [{"start": _iso(s["start"]), "end": _iso(s["end"]), "level": _num(s["level"])}
                     for s in result.segments],
    }  # fmt: skip


def forecast_record(result: Forecast) -> dict[str, Any]:
    """One series' forecast and measured skill as JSON-ready data."""
    skill = result.skill
    record: dict[str, Any] = {
        "series": result.series, "title": result.title, "note": result.note,
        "origin": None if result.origin is None else _iso(result.origin),
        "model": None if result.model is None else {
            "kind": "negative binomial local level", "level": _num(result.model.level),
            "alpha": _num(result.model.alpha), "size": _num(result.model.size)},
        "forecast": [{**m, "month": _iso(m["month"]), "mean": _num(m["mean"]),
                      "p_none": _num(m["p_none"])} for m in result.months],
        "skill": None,
    }  # fmt: skip
    if skill is not None:
        record["skill"] = {
            "origins": skill.origins, "first_origin": _iso(skill.first_origin),
            "last_origin": _iso(skill.last_origin),
            "crps": {k: _num(v) for k, v in skill.overall.items() if k != "covered"},
            "coverage_80": _num(skill.overall["covered"]), "best_baseline": skill.best_baseline,
            "improvement_over_best_baseline": _num(skill.improvement),
            "by_horizon": [{k: _num(v) if isinstance(v, float) else v for k, v in row.items()}
                           for row in skill.table.to_dict("records")],
        }  # fmt: skip
    return record


def scenario_record(result: ScenarioResult) -> dict[str, Any]:
    """Scenario probabilities, their history, the updates and the ACH matrix."""
    history = [
        {"month": _iso(row["month"]), **{k: _num(v) for k, v in row.items() if k != "month"}}
        for row in result.history.to_dict("records")
    ]
    return {
        "priors": {k: _num(v) for k, v in result.priors.items()},
        "probabilities": {k: _num(v) for k, v in result.probabilities.items()},
        "note": result.note, "notes": result.notes, "history": history,
        "updates": [
            {"date": _iso(u.firing.date), "signpost": u.firing.signpost, "title": u.firing.title,
             "ratios": u.ratios, "after": {k: _num(v) for k, v in u.after.items()},
             "evidence": u.firing.evidence}
            for u in result.updates
        ],
        "ach": [
            {"signpost": r.signpost, "title": r.title, "scenario": r.scenario, "fired": r.fired,
             "ratings": r.ratings, "ratios": r.ratios, "diagnosticity": _num(r.diagnosticity)}
            for r in result.ach
        ],
        "inconsistency": result.inconsistency,
    }  # fmt: skip
