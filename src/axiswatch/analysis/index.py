"""Indicator series and the partnership index, as pure functions over DataFrames.

Inputs are an events frame (canonical columns) and a hits frame (``coding`` output:
event_id, family, family_kind, indicator, component, weight). Each hit scores its
indicator's weight times the event's evidence weight (``evidence_weight``). The
partnership index of a month is the sum of scores of the partnership family's hits
that month; its transactional and strategic components are the sums over the
indicators the lens marks as such. See docs/methodology.md.
"""

from __future__ import annotations

import numpy as np
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
    part = scored[scored["family"] == family]
    if part.empty:
        return empty_frame(INDEX_COLUMNS)
    return _components(part, _month_range(part["month"], until))


INDEX_COLUMNS = ["month", "transactional", "strategic", "index", "strategic_share", "events"]


def _components(part: pd.DataFrame, periods: pd.DatetimeIndex) -> pd.DataFrame:
    """Per period (keyed by the ``month`` column): components, index, share, events."""
    components = part.pivot_table(
        index="month", columns="component", values="score", aggfunc="sum"
    ).reindex(columns=["transactional", "strategic"], fill_value=0.0)
    out = components.reindex(periods, fill_value=0.0).fillna(0.0)
    out["index"] = out["transactional"] + out["strategic"]
    out["strategic_share"] = (out["strategic"] / out["index"]).where(out["index"] > 0)
    out["events"] = part.groupby("month")["event_id"].nunique().reindex(periods, fill_value=0)
    return out.rename_axis("month").reset_index()[INDEX_COLUMNS]


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
    family: str | None = None,
) -> pd.DataFrame:
    """The monthly index with ISO months and, for each month, the events that weigh most
    (in the partnership family, or in ``family`` when given)."""
    frame = index if since is None else index[index["month"] >= since]
    mine = (
        scored[scored["family"] == family]
        if family
        else scored[scored["family_kind"] == "partnership"]
    )
    leaders = top_events(mine, events, by="month", per_group=top)
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


# -- media volume, bands, weeks and families ------------------------------------------------

#: sources whose event counts rise and fall with how much the world's news reports
NEWS_SOURCES = ("gdelt",)


def media_volume_factors(volume: pd.DataFrame) -> pd.DataFrame:
    """Per source and month, the factor that scales a news source's scores to a typical month.

    ``volume`` holds (source, month, events): everything the source recorded that month
    involving the dyad's states, matched by the lens or not. The factor is the source's
    median monthly volume over that month's volume, so a month the news covered twice as
    heavily counts each of its events half as much.
    """
    columns = ["source", "month", "factor"]
    news = volume[volume["source"].isin(NEWS_SOURCES) & (volume["events"] > 0)]
    if news.empty:
        return empty_frame(columns)
    typical = news.groupby("source")["events"].transform("median")
    return news.assign(factor=typical / news["events"])[columns]


def normalise_media_volume(scored: pd.DataFrame, volume: pd.DataFrame) -> pd.DataFrame:
    """Scored hits with news-source scores scaled by their month's media volume factor."""
    factors = media_volume_factors(volume)
    if scored.empty or factors.empty:
        return scored
    joined = scored.merge(factors, on=["source", "month"], how="left")
    factor = joined["factor"].where(joined["source"].isin(NEWS_SOURCES)).fillna(1.0)
    return scored.assign(score=(joined["score"] * factor).to_numpy())


def period_start(dates: pd.Series, freq: str) -> pd.Series:
    """The first day of each date's month (``M``) or ISO week, Monday (``W``)."""
    if freq == "W":
        return pd.to_datetime(dates).dt.to_period("W-SUN").dt.start_time
    return month_start(dates)


def weekly_index(scored: pd.DataFrame, family: str = "partnership") -> pd.DataFrame:
    """The partnership index by ISO week (weeks start on Monday), in the monthly layout."""
    part = scored[scored["family"] == family]
    if part.empty:
        return empty_frame(["week", *INDEX_COLUMNS[1:]])
    weekly = part.assign(month=period_start(part["date"], "W"))
    weeks = pd.date_range(weekly["month"].min(), weekly["month"].max(), freq="W-MON")
    return _components(weekly, weeks).rename(columns={"month": "week"})


def with_rolling_mix(index: pd.DataFrame, months: int = 6) -> pd.DataFrame:
    """The index with the strategic share and strategic/transactional ratio over ``months``.

    One month's share swings with a single event; over six months it shows the mix.
    Both are left empty where the window holds no evidence (or, for the ratio, no
    transactional evidence to divide by).
    """
    rolled = index[["strategic", "transactional", "index"]].rolling(months, min_periods=1).sum()
    share = (rolled["strategic"] / rolled["index"]).where(rolled["index"] > 0)
    ratio = (rolled["strategic"] / rolled["transactional"]).where(rolled["transactional"] > 0)
    return index.assign(**{f"strategic_share_{months}m": share, f"ratio_{months}m": ratio})


def index_bands(
    scored: pd.DataFrame,
    index: pd.DataFrame,
    *,
    family: str = "partnership",
    draws: int = 500,
    level: float = 0.8,
    seed: int = 20241204,
) -> pd.DataFrame:
    """Bootstrap bands for the monthly index and its components, resampling events.

    Each draw takes as many events as there are, with replacement, from the family's
    events (each with all its hits) and recomputes every month; the band is the central
    ``level`` of the draws. Seeded: the same evidence gives the same bands.
    """
    columns = ["month", *(f"{c}_{e}" for c in ("index", "transactional", "strategic")
                         for e in ("low", "high"))]  # fmt: skip
    part = scored[scored["family"] == family]
    if part.empty or index.empty:
        return empty_frame(columns)
    per_event = part.pivot_table(index=["event_id", "month"], columns="component",
                                 values="score", aggfunc="sum", fill_value=0.0)  # fmt: skip
    per_event = per_event.reindex(columns=["transactional", "strategic"], fill_value=0.0)
    months = pd.DatetimeIndex(index["month"])
    position = months.get_indexer(per_event.index.get_level_values("month"))
    keep = position >= 0
    onehot = np.zeros((int(keep.sum()), len(months)))
    onehot[np.arange(int(keep.sum())), position[keep]] = 1.0
    rng = np.random.default_rng(seed)
    n = len(per_event)
    counts = rng.multinomial(n, np.full(n, 1.0 / n), size=draws)[:, keep]
    out = {"month": months}
    tail = (1 - level) / 2
    for component in ("transactional", "strategic"):
        draws_by_month = (counts * per_event[component].to_numpy()[keep]) @ onehot
        out[f"{component}_low"] = np.quantile(draws_by_month, tail, axis=0)
        out[f"{component}_high"] = np.quantile(draws_by_month, 1 - tail, axis=0)
    totals = (counts * per_event.sum(axis=1).to_numpy()[keep]) @ onehot
    out["index_low"] = np.quantile(totals, tail, axis=0)
    out["index_high"] = np.quantile(totals, 1 - tail, axis=0)
    return pd.DataFrame(out)[columns]


def family_index(
    scored: pd.DataFrame, family: str, until: pd.Timestamp | None = None
) -> pd.DataFrame:
    """Monthly weighted evidence and distinct events of one family (a threat index, say)."""
    columns = ["month", "index", "events"]
    part = scored[scored["family"] == family]
    if part.empty:
        return empty_frame(columns)
    months = _month_range(part["month"], until)
    grouped = part.groupby("month").agg(index=("score", "sum"), events=("event_id", "nunique"))
    out = grouped.reindex(months, fill_value=0).rename_axis("month").reset_index()
    return out.astype({"index": "float64", "events": "int64"})[columns]
