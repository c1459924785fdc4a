"""The assessment: what the coded evidence says, section by section of the paper.

``assess`` is a pure function of a lens, the events frame, the scored hits and the
signpost hits. It returns an ``Assessment`` that the briefing, the CLI and the API
render; every finding carries the ids of the events behind it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from ..lens.model import Family, Lens, Scenario, Signpost
from .index import partnership_index

#: a recommendation is "active" with this many events in the last year, "some movement" with one
ACTIVE_THRESHOLD = 2
#: ... and is "stalling" when its latest step toward it is older than this
QUIET_DAYS = 180
RECENT_DAYS = 365
TIMELINE_SOURCES = ("ledger",)


@dataclass(frozen=True)
class Finding:
    """One indicator family's evidence: how much, how recent, which way, and the events."""

    family: str
    kind: str
    title: str
    question: str
    section: str
    events_total: int
    events_last_year: int
    events_prior_year: int
    last_event: dt.date | None
    trend: str
    status: str
    evidence: list[str]
    as_of: dt.date
    for_last_year: int = 0
    against_last_year: int = 0

    @property
    def unknown(self) -> bool:
        return self.events_total == 0


@dataclass(frozen=True)
class SignpostState:
    """Whether a signpost has fired as of the assessment date, and on what evidence."""

    scenario: str
    signpost: str
    title: str
    matches: int
    threshold: int
    window_days: int
    fired: bool
    evidence: list[str]
    as_of: dt.date


@dataclass(frozen=True)
class Headline:
    """The partnership's level before and after the pivot, and its mix of components."""

    sentences: list[str]
    before_mean: float | None
    recent_mean: float | None
    early_share: float | None
    recent_share: float | None
    verdict: str
    evidence: list[str]
    as_of: dt.date | None = None


@dataclass(frozen=True)
class KeyMonth:
    """A month that weighed heavily in the partnership index, and the events behind it."""

    month: pd.Timestamp
    index: float
    strategic_share: float | None
    evidence: list[str]


@dataclass
class Assessment:
    """Everything the briefing says, with the events behind each claim."""

    lens: Lens
    as_of: dt.date
    since: dt.date
    headline: Headline
    index: pd.DataFrame
    findings: dict[str, Finding]
    timeline: list[str]
    recent: list[str]
    signposts: list[SignpostState]
    coverage: dict[str, dt.date] = field(default_factory=dict)
    key_months: list[KeyMonth] = field(default_factory=list)

    @property
    def threat_lines(self) -> dict[str, str]:
        """One sentence per threat prong, by family id."""
        return {f.family: threat_sentence(f) for f in self.of_kind("threat")}

    def of_kind(self, kind: str) -> list[Finding]:
        return [f for f in self.findings.values() if f.kind == kind]


def _ids_by_score(scored: pd.DataFrame, limit: int | None = None) -> list[str]:
    if scored.empty:
        return []
    ranked = scored.groupby("event_id")["score"].sum().sort_values(ascending=False, kind="stable")
    ids = list(ranked.index)
    return ids[:limit] if limit else ids


def _window(scored: pd.DataFrame, start: dt.date, end: dt.date) -> pd.DataFrame:
    dates = scored["date"].dt.date
    return scored[(dates > start) & (dates <= end)]


def _trend(last: int, prior: int) -> str:
    if last == prior == 0:
        return "no evidence"
    if prior == 0:
        return "new"
    ratio = last / prior
    return "rising" if ratio >= 1.25 else "falling" if ratio <= 0.8 else "steady"


def _status(
    kind: str, total: int, moves_for: int, moves_against: int, quiet_days: int | None
) -> str:
    """A family's status; a recommendation weighs steps toward it against steps away.

    ``quiet_days`` is the time since the latest step toward it (None: no step in the year).
    """
    if total == 0:
        return "unknown: no coded evidence"
    if kind != "recommendation":
        recent = moves_for + moves_against
        return "evidence in the last year" if recent else "no evidence in the last year"
    if moves_against and moves_for:
        return f"mixed: {moves_for} step(s) toward it, {moves_against} away"
    if moves_against:
        return "reversing: steps away from it, none toward it"
    if quiet_days is not None and quiet_days > QUIET_DAYS:
        return f"stalling: no step toward it in the last {quiet_days} days"
    if moves_for >= ACTIVE_THRESHOLD:
        return "happening"
    return "some movement" if moves_for else "stalled: nothing in the last year"


def coverage_end(scored: pd.DataFrame, coverage: dict[str, dt.date], as_of: dt.date) -> dt.date:
    """The last date the sources behind these hits cover (never after ``as_of``).

    A family fed only by the curated ledger is judged up to the ledger's last event, so
    the end of curation does not read as the end of the activity.
    """
    ends = [coverage[s] for s in set(scored["source"]) if s in coverage]
    return min(as_of, max(ends)) if ends else as_of


def family_finding(
    family: Family, scored: pd.DataFrame, as_of: dt.date, coverage: dict[str, dt.date]
) -> Finding:
    """The evidence for one family as of a date, within what its sources cover."""
    mine = scored[scored["family"] == family.id]
    as_of = coverage_end(mine, coverage, as_of)
    mine = mine[mine["date"].dt.date <= as_of]
    year = dt.timedelta(days=RECENT_DAYS)
    last = _window(mine, as_of - year, as_of)
    prior = _window(mine, as_of - 2 * year, as_of - year)
    n_last, n_prior = last["event_id"].nunique(), prior["event_id"].nunique()
    total = mine["event_id"].nunique()
    toward = last[last["direction"] == "for"]
    moves_for = toward["event_id"].nunique()
    quiet_days = (as_of - toward["date"].max().date()).days if moves_for else None
    moves_against = last.loc[last["direction"] == "against", "event_id"].nunique()
    evidence = _ids_by_score(last, 5) or _ids_by_score(mine, 5)
    return Finding(
        family.id, family.kind, family.title, family.question, family.section, total,
        n_last, n_prior, mine["date"].max().date() if total else None, _trend(n_last, n_prior),
        _status(family.kind, total, moves_for, moves_against, quiet_days), evidence, as_of,
        moves_for, moves_against,
    )  # fmt: skip


def _mean(frame: pd.DataFrame, column: str) -> float | None:
    values = frame[column].dropna()
    return float(values.mean()) if len(values) else None


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _share(frame: pd.DataFrame) -> float | None:
    total = frame["index"].sum()
    return float(frame["strategic"].sum() / total) if total > 0 else None


def headline(lens: Lens, index: pd.DataFrame, scored: pd.DataFrame, as_of: dt.date) -> Headline:
    """The headline: level before vs after the pivot, and the shift in the mix."""
    if index.empty:
        return Headline(["No coded evidence of the partnership yet."], None, None, None, None,
                        "unknown", [])  # fmt: skip
    pivot = pd.Timestamp(lens.pivot.date)
    end = pd.Timestamp(as_of)
    before = index[index["month"] < pivot.to_period("M").to_timestamp()]
    early = index[(index["month"] >= pivot - pd.DateOffset(months=1))
                  & (index["month"] < pivot + pd.DateOffset(months=24))]  # fmt: skip
    recent = index[index["month"] > end - pd.DateOffset(months=12)]
    before_mean, recent_mean = _mean(before, "index"), _mean(recent, "index")
    early_share, recent_share = _share(early), _share(recent)
    verdict = (
        "strategic" if recent_share is not None and recent_share > 0.5
        else "transactional" if recent_share is not None else "unknown"
    )  # fmt: skip
    pivot_label = f"{lens.pivot.label} ({lens.pivot.date:%B %Y})"
    dyad = " and ".join(lens.name_of(code) for code in lens.dyad)
    sentences = [
        f"Coded evidence of cooperation between {dyad} averaged {before_mean or 0:.1f} index "
        f"points ({_mean(before, 'events') or 0:.1f} events) a month before {pivot_label}, and "
        f"{recent_mean or 0:.1f} points ({_mean(recent, 'events') or 0:.1f} events) a month in "
        f"the twelve months to {as_of:%B %Y}, the latest month its sources cover.",
        f"The strategic and ideological share of that evidence was {_pct(early_share)} in the "
        f"two years after the pivot and {_pct(recent_share)} in the last twelve months.",
        (
            "On this evidence the partnership has moved beyond the transactional: strategic "
            "ties (treaty, troops, summitry, technology) now outweigh cash-for-weapons trade."
            if verdict == "strategic"
            else "On this evidence the partnership remains mainly transactional."
            if verdict == "transactional"
            else "There is too little recent evidence to judge the mix."
        ),
    ]
    partnership = scored[scored["family_kind"] == "partnership"]
    evidence = _ids_by_score(partnership[partnership["date"] > end - pd.DateOffset(months=12)], 5)
    return Headline(sentences, before_mean, recent_mean, early_share, recent_share, verdict,
                    evidence, as_of)  # fmt: skip


def _signpost_state(
    scenario: str, post: Signpost, dated: pd.DataFrame, as_of: dt.date,
    coverage: dict[str, dt.date],
) -> SignpostState:  # fmt: skip
    matched = dated[dated["signpost"] == post.id]
    as_of = coverage_end(matched, coverage, as_of)
    start = as_of - dt.timedelta(days=post.window_days)
    mine = matched[(matched["date"] > start) & (matched["date"] <= as_of)]
    ids = list(dict.fromkeys(mine.sort_values("date", ascending=False)["event_id"]))
    return SignpostState(
        scenario, post.id, post.title, len(ids), post.threshold, post.window_days,
        len(ids) >= post.threshold, ids[:5], as_of,
    )  # fmt: skip


def threat_sentence(finding: Finding) -> str:
    """One line on a threat prong: its evidence in the last year against the year before."""
    if finding.unknown:
        return f"{finding.title}: no coded evidence."
    return (
        f"{finding.title}: {finding.events_last_year} coded events in the year to "
        f"{finding.as_of:%B %Y}, against {finding.events_prior_year} the year before "
        f"({finding.trend})."
    )


def signpost_states(
    scenarios: list[Scenario],
    hits: pd.DataFrame,
    events: pd.DataFrame,
    as_of: dt.date,
    coverage: dict[str, dt.date] | None = None,
) -> list[SignpostState]:
    """Each signpost's matches in its window, ending where its sources' coverage ends."""
    dated = hits.merge(events[["event_id", "source", "date"]], on="event_id", how="inner")
    dated["date"] = pd.to_datetime(dated["date"]).dt.date
    return [
        _signpost_state(scenario.id, post, dated, as_of, coverage or {})
        for scenario in scenarios
        for post in scenario.signposts
    ]


def key_months(index: pd.DataFrame, scored: pd.DataFrame, count: int = 6) -> list[KeyMonth]:
    """The months with the highest index, newest first, each with its three weightiest events."""
    if index.empty:
        return []
    top = index[index["index"] > 0].nlargest(count, "index").sort_values("month", ascending=False)
    partnership = scored[scored["family_kind"] == "partnership"]
    return [
        KeyMonth(row.month, float(row.index),
                 None if pd.isna(row.strategic_share) else float(row.strategic_share),
                 _ids_by_score(partnership[partnership["month"] == row.month], 3))
        for row in top.itertuples()
    ]  # fmt: skip


def timeline(events: pd.DataFrame, scored: pd.DataFrame) -> list[str]:
    """The curated events coded to the partnership, oldest first."""
    partnership = set(scored.loc[scored["family_kind"] == "partnership", "event_id"])
    mine = events[events["source"].isin(TIMELINE_SOURCES) & events["event_id"].isin(partnership)]
    return list(mine.sort_values(["date", "event_id"])["event_id"])


def assess(
    lens: Lens,
    events: pd.DataFrame,
    scored: pd.DataFrame,
    signpost_hits: pd.DataFrame,
    *,
    as_of: dt.date | None = None,
    since: dt.date | None = None,
    coverage: dict[str, dt.date] | None = None,
) -> Assessment:
    """The full assessment of a lens's events as of a date (default: the latest event).

    ``coverage`` gives each source's last date in the store (default: in ``events``);
    each finding is judged within what its own sources cover.
    """
    if coverage is None:
        dates = pd.to_datetime(events["date"])
        coverage = {s: d.date() for s, d in dates.groupby(events["source"]).max().items()}
    if as_of is None:
        as_of = max(coverage.values()) if coverage else dt.date.today()
    since = since or as_of - dt.timedelta(days=90)
    partnership = scored[scored["family_kind"] == "partnership"]
    index_end = coverage_end(partnership, coverage, as_of)
    index = partnership_index(scored, until=pd.Timestamp(index_end).to_period("M").to_timestamp())
    index = index[index["month"] <= pd.Timestamp(index_end)] if not index.empty else index
    findings = {f.id: family_finding(f, scored, as_of, coverage) for f in lens.families}
    recent = _ids_by_score(_window(scored, since, as_of)) if not scored.empty else []
    return Assessment(
        lens, as_of, since, headline(lens, index, scored, index_end), index, findings,
        timeline(events, scored), recent,
        signpost_states(lens.scenarios, signpost_hits, events, as_of, coverage),
        coverage, key_months(index, scored),
    )  # fmt: skip
