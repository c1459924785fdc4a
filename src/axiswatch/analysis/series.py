"""The named monthly series that change points, alerts and forecasts run over.

Each series is built from the evidence frames (events and scored hits) and keeps, for
every month, the events that make it up, so any movement can be traced back to them:
the North Korean missile launches (CNS), the dyad's cooperative events, the partnership
index with its strategic component and mix, the threat prongs and the China watch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from ..lens.model import Lens
from .index import empty_frame, month_start

SeriesKind = Literal["count", "score", "mix"]
CONTRIBUTION_COLUMNS = ["event_id", "month", "score", "component"]


@dataclass(frozen=True)
class MonthlySeries:
    """One monthly series and the events behind each of its months.

    ``kind`` says how to read it: ``count`` (events a month), ``score`` (weighted
    evidence a month) or ``mix`` (the strategic share of the partnership, whose two
    parts are kept in ``parts``).
    """

    name: str
    title: str
    kind: SeriesKind
    values: pd.Series
    contributions: pd.DataFrame
    parts: pd.DataFrame | None = None

    @property
    def months(self) -> int:
        return len(self.values)


def _months(values: pd.Series, until: pd.Timestamp | None) -> pd.DatetimeIndex:
    if values.empty:
        return pd.DatetimeIndex([])
    end = values.index.max() if until is None else max(values.index.max(), until)
    return pd.date_range(values.index.min(), end, freq="MS")


def _count_series(
    name: str, title: str, contributions: pd.DataFrame, until: pd.Timestamp | None
) -> MonthlySeries:
    counts = contributions.groupby("month")["event_id"].nunique().astype(float)
    values = counts.reindex(_months(counts, until), fill_value=0.0).rename_axis("month")
    return MonthlySeries(name, title, "count", values, contributions)


def _score_series(
    name: str, title: str, contributions: pd.DataFrame, until: pd.Timestamp | None
) -> MonthlySeries:
    sums = contributions.groupby("month")["score"].sum().astype(float)
    values = sums.reindex(_months(sums, until), fill_value=0.0).rename_axis("month")
    return MonthlySeries(name, title, "score", values, contributions)


def _per_event(scored: pd.DataFrame) -> pd.DataFrame:
    if scored.empty:
        return empty_frame(CONTRIBUTION_COLUMNS)
    grouped = scored.groupby(["event_id", "month"], as_index=False, dropna=False).agg(
        score=("score", "sum"), component=("component", "first")
    )
    return grouped[CONTRIBUTION_COLUMNS]


def missile_launches(events: pd.DataFrame, until: pd.Timestamp | None = None) -> MonthlySeries:
    """North Korean missile launches a month (every event of the ``missiles`` source)."""
    launches = events[(events["source"] == "missiles") & events["date"].notna()]
    frame = pd.DataFrame({"event_id": launches["event_id"], "month": month_start(launches["date"]),
                          "score": 1.0, "component": None})  # fmt: skip
    title = "North Korean missile launches per month (CNS)"
    return _count_series("missile_launches", title, frame, until)


def _mix_series(index_parts: MonthlySeries, strategic: pd.Series) -> MonthlySeries:
    totals = index_parts.values
    parts = pd.DataFrame({"strategic": strategic.reindex(totals.index, fill_value=0.0)})
    parts["transactional"] = (totals - parts["strategic"]).clip(lower=0.0)
    share = (parts["strategic"] / totals).where(totals > 0)
    title = "Strategic share of the partnership index"
    return MonthlySeries("partnership_mix", title, "mix", share, index_parts.contributions, parts)


def series_names(lens: Lens) -> list[str]:
    """The names ``analysis_series`` can build for a lens, whether or not there is evidence."""
    families = [f.id for f in [*lens.families_of("threat"), *lens.families_of("china")]]
    return [*BUILT_IN, *families]


BUILT_IN = ("missile_launches", "cooperative_events", "partnership_index",
            "partnership_strategic", "partnership_mix")  # fmt: skip


def analysis_series(
    lens: Lens,
    events: pd.DataFrame,
    scored: pd.DataFrame,
    until: pd.Timestamp | None = None,
) -> dict[str, MonthlySeries]:
    """Every named series, by name; a series with no evidence is left out."""
    dated = scored[scored["date"].notna()] if not scored.empty else scored
    until = None if until is None else month_start(pd.Series([until])).iloc[0]
    out = {"missile_launches": missile_launches(events, until)}
    partnership = _per_event(dated[dated["family_kind"] == "partnership"])
    dyad = " and ".join(lens.name_of(code) for code in lens.dyad)
    out["cooperative_events"] = _count_series(
        "cooperative_events", f"Cooperative events between {dyad} per month", partnership, until
    )
    out["partnership_index"] = _score_series(
        "partnership_index", "Partnership index (weighted evidence a month)", partnership, until
    )
    strategic_hits = dated[(dated["family_kind"] == "partnership")
                           & (dated["component"] == "strategic")]  # fmt: skip
    strategic = _score_series("partnership_strategic", "Strategic and ideological component",
                              _per_event(strategic_hits), until)  # fmt: skip
    out["partnership_strategic"] = strategic
    out["partnership_mix"] = _mix_series(out["partnership_index"], strategic.values)
    for family in [*lens.families_of("threat"), *lens.families_of("china")]:
        mine = _per_event(dated[dated["family"] == family.id])
        out[family.id] = _score_series(family.id, family.title, mine, until)
    return {name: series for name, series in out.items() if series.months}
