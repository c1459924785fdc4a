"""Scenarios: when signposts fire, how that moves each scenario's probability, and ACH.

The lens's scenarios are read as competing answers to one question (where does the
partnership head next, which path dominates), so their probabilities sum to one. Each
starts at its prior. A signpost *fires* when ``threshold`` matching events fall within
``window_days``; it fires again only after a full quiet window. Every firing multiplies
each scenario's probability by the signpost's likelihood ratio for it (1 when the lens
names none) and the probabilities are renormalised: Bayes' rule with the likelihood
ratios as the evidence. Firings before the lens's pivot are context, not evidence.

The Analysis-of-Competing-Hypotheses matrix rates each signpost against each scenario
as consistent (ratio above 1.1), inconsistent (below 1/1.1) or neutral, with its
diagnosticity: the largest ratio over the smallest (1: it cannot tell them apart).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from ..lens.model import Lens, Signpost

#: a likelihood ratio this far from 1 (either way) makes a rating consistent or inconsistent
RATING_MARGIN = 1.1
EVIDENCE_PER_FIRING = 5


@dataclass(frozen=True)
class Firing:
    """A signpost crossing its threshold: the date, and the events in its window then."""

    scenario: str
    signpost: str
    title: str
    date: dt.date
    evidence: list[str]


@dataclass(frozen=True)
class Update:
    """One step of Bayes' rule: a firing, its ratios, and the probabilities after it."""

    firing: Firing
    ratios: dict[str, float]
    after: dict[str, float]


@dataclass(frozen=True)
class AchRow:
    """One evidence item (a signpost) rated against every scenario."""

    signpost: str
    title: str
    scenario: str
    fired: int
    ratios: dict[str, float]
    ratings: dict[str, str]
    diagnosticity: float


@dataclass
class ScenarioResult:
    """Priors, the probabilities now, their monthly history, the updates and the ACH matrix."""

    priors: dict[str, float]
    probabilities: dict[str, float]
    history: pd.DataFrame
    updates: list[Update]
    ach: list[AchRow]
    inconsistency: dict[str, int]
    notes: dict[str, str] = field(default_factory=dict)
    note: str | None = None


# -- firings ---------------------------------------------------------------------------------


def _episodes(post: Signpost, scenario: str, dated: pd.DataFrame) -> list[Firing]:
    """The dates a signpost crosses its threshold, each after a full quiet window."""
    window = pd.Timedelta(days=post.window_days)
    dates = pd.to_datetime(dated["date"]).to_numpy()
    ids = dated["event_id"].to_numpy()
    firings, active_until = [], None
    for date in dates:
        inside = (dates > date - window) & (dates <= date)
        if inside.sum() < post.threshold:
            continue
        if active_until is None or date > active_until:
            recent = list(dict.fromkeys(ids[inside][::-1]))[:EVIDENCE_PER_FIRING]
            firings.append(Firing(scenario, post.id, post.title, pd.Timestamp(date).date(), recent))
        active_until = date + window
    return firings


def signpost_firings(
    lens: Lens, hits: pd.DataFrame, events: pd.DataFrame, as_of: dt.date | None = None
) -> list[Firing]:
    """Every firing of every signpost, oldest first (events with no date are left out)."""
    dated = hits.merge(events[["event_id", "date"]], on="event_id", how="inner")
    dated = dated[dated["date"].notna()]
    if as_of is not None:
        dated = dated[pd.to_datetime(dated["date"]) <= pd.Timestamp(as_of)]
    dated = dated.drop_duplicates(["signpost", "event_id"]).sort_values(["date", "event_id"])
    firings = [
        firing
        for scenario in lens.scenarios
        for post in scenario.signposts
        for firing in _episodes(post, scenario.id, dated[dated["signpost"] == post.id])
    ]
    return sorted(firings, key=lambda f: (f.date, f.signpost))


# -- Bayes ----------------------------------------------------------------------------------


def priors(lens: Lens) -> dict[str, float]:
    """Each scenario's prior (equal when the lens gives none)."""
    if not lens.scenarios:
        return {}
    equal = 1 / len(lens.scenarios)
    return {s.id: s.prior if s.prior is not None else equal for s in lens.scenarios}


def likelihood_ratios(lens: Lens) -> dict[str, dict[str, float]]:
    """Per signpost, its likelihood ratio for every scenario (1 where the lens names none)."""
    ids = [s.id for s in lens.scenarios]
    return {p.id: {i: p.likelihood.get(i, 1.0) for i in ids}
            for s in lens.scenarios for p in s.signposts}  # fmt: skip


def bayes_update(probabilities: dict[str, float], ratios: dict[str, float]) -> dict[str, float]:
    """Posterior over competing scenarios: prior × likelihood ratio, renormalised."""
    weighted = {k: p * ratios.get(k, 1.0) for k, p in probabilities.items()}
    total = sum(weighted.values())
    return {k: v / total for k, v in weighted.items()}


def _history(
    start: pd.Timestamp, end: pd.Timestamp, prior: dict[str, float], updates: list[Update]
) -> pd.DataFrame:
    months = pd.date_range(start, max(start, end), freq="MS")
    rows, current, pending = [], dict(prior), list(updates)
    for month in months:
        month_end = month + pd.offsets.MonthEnd(0)
        while pending and pd.Timestamp(pending[0].firing.date) <= month_end:
            current = pending.pop(0).after
        rows.append({"month": month, **current})
    return pd.DataFrame(rows)


def _unmoved(lens: Lens, ratios: dict[str, dict[str, float]]) -> dict[str, str]:
    notes = {}
    for scenario in lens.scenarios:
        if all(r[scenario.id] == 1.0 for r in ratios.values()):
            notes[scenario.id] = (
                "no signpost bears on this scenario (every likelihood ratio for it is 1): "
                "its probability moves only as the others' do; give a signpost a ratio for it"
            )
    return notes


# -- ACH ------------------------------------------------------------------------------------


def rating(ratio: float) -> str:
    """C (consistent), I (inconsistent) or N (neutral) for a likelihood ratio."""
    return "C" if ratio > RATING_MARGIN else "I" if ratio < 1 / RATING_MARGIN else "N"


def ach_matrix(lens: Lens, firings: list[Firing]) -> tuple[list[AchRow], dict[str, int]]:
    """Signposts × scenarios rated C/I/N, most diagnostic first; and per scenario the
    number of fired signposts inconsistent with it (Heuer: the fewest wins)."""
    ratios = likelihood_ratios(lens)
    fired = pd.Series([f.signpost for f in firings], dtype="object").value_counts()
    rows = [
        AchRow(post.id, post.title, scenario.id, int(fired.get(post.id, 0)), ratios[post.id],
               {k: rating(v) for k, v in ratios[post.id].items()},
               max(ratios[post.id].values()) / min(ratios[post.id].values()))
        for scenario in lens.scenarios for post in scenario.signposts
    ]  # fmt: skip
    rows.sort(key=lambda r: (-r.diagnosticity, r.signpost))
    inconsistent = {
        s.id: sum(1 for r in rows if r.fired and r.ratings[s.id] == "I") for s in lens.scenarios
    }
    return rows, inconsistent


def scenario_analysis(
    lens: Lens,
    hits: pd.DataFrame,
    events: pd.DataFrame,
    *,
    as_of: dt.date | None = None,
    start: dt.date | None = None,
) -> ScenarioResult:
    """Scenario probabilities updated by every signpost firing since ``start`` (the pivot)."""
    prior = priors(lens)
    if not prior:
        return ScenarioResult({}, {}, pd.DataFrame({"month": []}), [], [], {},
                              note="this lens has no scenarios")  # fmt: skip
    start = start or lens.pivot.date
    firings = [f for f in signpost_firings(lens, hits, events, as_of) if f.date >= start]
    ratios = likelihood_ratios(lens)
    updates, current = [], dict(prior)
    for firing in firings:
        current = bayes_update(current, ratios[firing.signpost])
        updates.append(Update(firing, ratios[firing.signpost], current))
    end = pd.Timestamp(as_of) if as_of else pd.Timestamp(firings[-1].date if firings else start)
    history = _history(pd.Timestamp(start).to_period("M").to_timestamp(),
                       end.to_period("M").to_timestamp(), prior, updates)  # fmt: skip
    ach, inconsistent = ach_matrix(lens, firings)
    note = (
        None
        if firings
        else "no signpost has fired since the pivot: the probabilities are the priors"
    )
    return ScenarioResult(prior, current, history, updates, ach, inconsistent,
                          _unmoved(lens, ratios), note)  # fmt: skip
