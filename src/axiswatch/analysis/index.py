"""Indicator series and the partnership index, as pure functions over DataFrames.

Inputs are an events frame (canonical columns) and a hits frame (``coding`` output:
event_id, family, family_kind, indicator, component, weight). Each hit scores its
indicator's weight times the event's evidence weight (``evidence_weight``). The
partnership index of a month is the sum of scores of the partnership family's hits
that month; its transactional and strategic components are the sums over the
indicators the lens marks as such. See docs/methodology.md.
"""

from __future__ import annotations

import pandas as pd

#: evidence weight of an event with no confidence of its own, by Admiralty source grade
GRADE_WEIGHTS = {"A": 1.0, "B": 0.8, "C": 0.5, "D": 0.3, "E": 0.2, "F": 0.1}
UNGRADED_WEIGHT = 0.3
SCORED_COLUMNS = (
    "event_id", "source", "date", "month", "family", "family_kind", "indicator", "component",
    "direction", "weight", "evidence", "score",
)  # fmt: skip
#: the dtypes of columns that are not text, so that an empty frame still has them
_DTYPES = {
    "date": "datetime64[ns]", "month": "datetime64[ns]", "weight": "float64",
    "evidence": "float64", "score": "float64", "transactional": "float64",
    "strategic": "float64", "index": "float64", "strategic_share": "float64",
    "events": "int64",
}  # fmt: skip


def empty_frame(columns: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """A frame with no rows whose date and number columns still have their types."""
    return pd.DataFrame({c: pd.Series(dtype=_DTYPES.get(c, "object")) for c in columns})


def evidence_weight(events: pd.DataFrame) -> pd.Series:
    """How much one event counts: its confidence, else its source grade, else 0.3."""
    by_grade = events["reliability"].map(GRADE_WEIGHTS).fillna(UNGRADED_WEIGHT)
    return events["confidence"].fillna(by_grade).clip(0, 1).astype(float)


def month_start(dates: pd.Series) -> pd.Series:
    """The first day of each date's month."""
    return pd.to_datetime(dates).dt.to_period("M").dt.to_timestamp()


def scored_hits(hits: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Hits joined to their events' dates, with each hit's score."""
    if hits.empty or events.empty:
        return empty_frame(SCORED_COLUMNS)
    dated = events[["event_id", "source", "date"]].assign(evidence=evidence_weight(events))
    frame = hits.merge(dated, on="event_id", how="inner")
    frame["date"] = pd.to_datetime(frame["date"])
    frame["month"] = month_start(frame["date"])
    frame["score"] = frame["weight"] * frame["evidence"]
    return frame[list(SCORED_COLUMNS)]


def _month_range(months: pd.Series, until: pd.Timestamp | None = None) -> pd.DatetimeIndex:
    end = max(months.max(), until) if until is not None else months.max()
    return pd.date_range(months.min(), end, freq="MS")


def indicator_series(scored: pd.DataFrame, families: list[str] | None = None) -> pd.DataFrame:
    """Events and score per indicator per month, long form.

    Each indicator runs from its first month with a hit to the last month of any hit;
    months between with no hit are 0.
    """
    columns = ["month", "family", "indicator", "events", "score"]
    mine = scored if families is None else scored[scored["family"].isin(families)]
    if mine.empty:
        return empty_frame(columns)
    grouped = mine.groupby(["family", "indicator", "month"]).agg(
        events=("event_id", "nunique"), score=("score", "sum")
    )
    last = mine["month"].max()
    frames = [
        part.droplevel(["family", "indicator"])
        .reindex(_month_range(part.index.get_level_values("month").to_series(), last), fill_value=0)
        .assign(family=family, indicator=indicator)
        for (family, indicator), part in grouped.groupby(level=["family", "indicator"])
    ]
    out = pd.concat(frames).rename_axis("month").reset_index()
    return out[columns].sort_values(["family", "indicator", "month"], ignore_index=True)


def partnership_index(
    scored: pd.DataFrame, family: str = "partnership", until: pd.Timestamp | None = None
) -> pd.DataFrame:
    """Monthly index with transactional and strategic components and the strategic share.

    ``strategic_share`` is strategic / (transactional + strategic), and is left empty
    (NaN) in months with no evidence of either: no evidence is not a 0 % share.
    """
    columns = ["month", "transactional", "strategic", "index", "strategic_share", "events"]
    part = scored[scored["family"] == family]
    if part.empty:
        return empty_frame(columns)
    months = _month_range(part["month"], until)
    components = part.pivot_table(
        index="month", columns="component", values="score", aggfunc="sum"
    ).reindex(columns=["transactional", "strategic"], fill_value=0.0)
    out = components.reindex(months, fill_value=0.0).fillna(0.0)
    out["index"] = out["transactional"] + out["strategic"]
    out["strategic_share"] = (out["strategic"] / out["index"]).where(out["index"] > 0)
    out["events"] = part.groupby("month")["event_id"].nunique().reindex(months, fill_value=0)
    return out.rename_axis("month").reset_index()[columns]


def top_events(
    scored: pd.DataFrame, events: pd.DataFrame, by: str = "month", per_group: int = 3
) -> pd.DataFrame:
    """The events that weigh most in each group (month, family or indicator)."""
    keep = ["event_id", "date", "source", "actor", "recipient", "title", "summary", "url"]
    if scored.empty:
        return empty_frame([by, "score", *keep])
    per_event = scored.groupby([by, "event_id"], as_index=False)["score"].sum()
    ranked = per_event.sort_values([by, "score"], ascending=[True, False])
    top = ranked.groupby(by, group_keys=False).head(per_group)
    return top.merge(events[keep], on="event_id", how="left")


def index_report(
    index: pd.DataFrame,
    scored: pd.DataFrame,
    events: pd.DataFrame,
    *,
    since: pd.Timestamp | None = None,
    top: int = 3,
) -> pd.DataFrame:
    """The monthly index with ISO months and, for each month, the events that weigh most."""
    frame = index if since is None else index[index["month"] >= since]
    partnership = scored[scored["family_kind"] == "partnership"]
    leaders = top_events(partnership, events, by="month", per_group=top)
    behind = {
        month: [
            {"event_id": r.event_id, "date": f"{r.date:%Y-%m-%d}", "source": r.source,
             "title": r.title, "score": round(float(r.score), 4)}
            for r in group.itertuples()
        ]
        for month, group in leaders.groupby("month")
    }  # fmt: skip
    out = frame.assign(top_events=[behind.get(month, []) for month in frame["month"]])
    return out.assign(month=out["month"].dt.strftime("%Y-%m-%d")).reset_index(drop=True)
