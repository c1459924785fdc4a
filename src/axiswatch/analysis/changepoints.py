"""Change points: when a monthly series shifted, and the events that drove each shift.

The method is PELT (Killick, Fearnhead and Eckley 2012: exact optimal segmentation with
pruning) over a quasi-likelihood cost:

- counts and weighted evidence: a Poisson cost (twice the negative maximised
  log-likelihood of a constant rate per segment), divided by a dispersion ``phi``;
- the partnership mix: a binomial cost on the strategic and transactional evidence of
  each segment (a constant strategic share per segment), divided by the same ``phi``.

Event data are overdispersed (launches come in salvos, summits bring clusters of
deals), so ``phi`` is the Pearson dispersion of the series around its own centred
13-month moving average: it measures month-to-month noise without counting the
shifts themselves. The penalty per change point is BIC-like, ``2 log n`` (a location
and a new level), so with ``phi`` a shift must explain more than the noise it costs.
Segments are at least ``min_size`` months long. See docs/methodology.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .series import MonthlySeries

#: months in a segment, at least: a shorter run is a pulse, not a new level
MIN_SIZE = 3
#: months of the moving average the dispersion is measured against
DISPERSION_WINDOW = 13
DRIVERS = 5
#: months at the edge of a shift whose events are read as driving it
DRIVER_MONTHS = 3

SegmentCost = Callable[[np.ndarray, int], np.ndarray]


@dataclass(frozen=True)
class ChangePoint:
    """A shift at the start of ``month``: the level before and after, and why."""

    month: pd.Timestamp
    before: float
    after: float
    direction: str
    drivers: list[dict[str, object]]
    sentence: str


@dataclass(frozen=True)
class ChangePointResult:
    """The change points of one series, with the method's parameters (or why there are none)."""

    series: str
    title: str
    kind: str
    change_points: list[ChangePoint]
    segments: list[dict[str, object]] = field(default_factory=list)
    dispersion: float | None = None
    penalty: float | None = None
    min_size: int = MIN_SIZE
    note: str | None = None


# -- the segmentation -----------------------------------------------------------------------


def poisson_cost(values: np.ndarray) -> SegmentCost:
    """Cost of segments [s, t) for a constant rate: -2 × the maximised Poisson log-likelihood."""
    sums = np.concatenate([[0.0], np.cumsum(values)])

    def cost(starts: np.ndarray, end: int) -> np.ndarray:
        total, length = sums[end] - sums[starts], end - starts
        with np.errstate(divide="ignore", invalid="ignore"):
            ll = np.where(total > 0, total * np.log(total / length) - total, 0.0)
        return -2.0 * ll

    return cost


def binomial_cost(first: np.ndarray, second: np.ndarray) -> SegmentCost:
    """Cost of segments [s, t) for a constant share of ``first`` in ``first + second``."""
    a = np.concatenate([[0.0], np.cumsum(first)])
    b = np.concatenate([[0.0], np.cumsum(second)])

    def cost(starts: np.ndarray, end: int) -> np.ndarray:
        x, y = a[end] - a[starts], b[end] - b[starts]
        n = x + y
        with np.errstate(divide="ignore", invalid="ignore"):
            lx = np.where(x > 0, x * np.log(x / n), 0.0)
            ly = np.where(y > 0, y * np.log(y / n), 0.0)
        return -2.0 * (lx + ly)

    return cost


def pelt(cost: SegmentCost, n: int, penalty: float, min_size: int = MIN_SIZE) -> list[int]:
    """Optimal change positions (segment starts, 0 < k < n) minimising cost + penalty each."""
    best = np.full(n + 1, np.inf)
    best[0] = -penalty
    previous = np.zeros(n + 1, dtype=int)
    admissible = np.array([0])
    for end in range(min_size, n + 1):
        ready = admissible[end - admissible >= min_size]
        totals = best[ready] + cost(ready, end) + penalty
        choice = int(np.argmin(totals))
        best[end], previous[end] = totals[choice], ready[choice]
        waiting = admissible[end - admissible < min_size]
        kept = ready[totals - penalty <= best[end]]
        admissible = np.concatenate([kept, waiting, [end - min_size + 1]])
        admissible = np.unique(admissible[admissible <= end])
    changes, end = [], n
    while end > 0:
        end = previous[end]
        if end > 0:
            changes.append(end)
    return sorted(changes)


def dispersion(values: np.ndarray, window: int = DISPERSION_WINDOW) -> float:
    """Pearson dispersion around a centred moving average (at least 1: never under-Poisson)."""
    level = pd.Series(values).rolling(window, center=True, min_periods=1).mean().to_numpy()
    ok = level > 0
    if ok.sum() < 2:
        return 1.0
    pearson = np.sum((values[ok] - level[ok]) ** 2 / level[ok]) / (ok.sum() - 1)
    return max(1.0, float(pearson))


# -- attribution ------------------------------------------------------------------------------


def _drivers(
    series: MonthlySeries, months: pd.DatetimeIndex, events: pd.DataFrame, component: str | None
) -> list[dict[str, object]]:
    mine = series.contributions[series.contributions["month"].isin(months)]
    if component is not None:
        mine = mine[mine["component"] == component]
    ranked = mine.groupby("event_id", as_index=False)["score"].sum()
    ranked = ranked.merge(events[["event_id", "date", "source", "title", "url"]], on="event_id")
    ranked = ranked.sort_values(["score", "date"], ascending=[False, True]).head(DRIVERS)
    return [
        {"event_id": r.event_id, "date": f"{r.date:%Y-%m-%d}", "source": r.source,
         "title": r.title or "(untitled)", "score": round(float(r.score), 4)}
        for r in ranked.itertuples()
    ]  # fmt: skip


def _level(series: MonthlySeries, start: int, end: int) -> float:
    if series.kind == "mix" and series.parts is not None:
        part = series.parts.iloc[start:end]
        total = part.to_numpy().sum()
        return float(part["strategic"].sum() / total) if total > 0 else 0.0
    return float(series.values.iloc[start:end].mean())


def _describe(series: MonthlySeries, month: pd.Timestamp, before: float, after: float) -> str:
    if series.kind == "mix":
        return (f"{series.title}: from {before:.0%} to {after:.0%} of the evidence "
                f"from {month:%B %Y}.")  # fmt: skip
    unit = "events" if series.kind == "count" else "points"
    return f"{series.title}: from {before:.2f} to {after:.2f} {unit} a month from {month:%B %Y}."


def _change_point(
    series: MonthlySeries, bounds: list[int], i: int, events: pd.DataFrame
) -> ChangePoint:
    start, at, end = bounds[i - 1], bounds[i], bounds[i + 1]
    before, after = _level(series, start, at), _level(series, at, end)
    up = after > before
    index = pd.DatetimeIndex(series.values.index)
    # a rise is driven by the events that open the new level, a fall by the last of the old
    edge = (
        index[at : min(at + DRIVER_MONTHS, end)]
        if up
        else index[max(at - DRIVER_MONTHS, start) : at]
    )
    component = ("strategic" if up else "transactional") if series.kind == "mix" else None
    month = index[at]
    return ChangePoint(month, before, after, "up" if up else "down",
                       _drivers(series, edge, events, component),
                       _describe(series, month, before, after))  # fmt: skip


def _not_enough(series: MonthlySeries, note: str) -> ChangePointResult:
    return ChangePointResult(series.name, series.title, series.kind, [], note=note)


def detect_change_points(
    series: MonthlySeries,
    events: pd.DataFrame,
    *,
    min_size: int = MIN_SIZE,
    penalty_scale: float = 1.0,
) -> ChangePointResult:
    """The change points of a series by PELT, each with the events that drove it."""
    n = series.months
    if n < 2 * min_size:
        return _not_enough(series, f"not enough evidence: {n} months, a shift needs "
                                   f"{2 * min_size}")  # fmt: skip
    if series.kind == "mix" and series.parts is not None:
        first, second = (series.parts[c].to_numpy(float) for c in ("strategic", "transactional"))
        cost, noise = binomial_cost(first, second), dispersion(first + second)
    else:
        values = series.values.to_numpy(float)
        cost, noise = poisson_cost(values), dispersion(values)
    if series.contributions["event_id"].nunique() < 2:
        return _not_enough(series, "not enough evidence: fewer than two events")
    penalty = penalty_scale * 2.0 * np.log(n) * noise
    bounds = [0, *pelt(cost, n, penalty, min_size), n]
    index = pd.DatetimeIndex(series.values.index)
    segments = [
        {"start": index[a], "end": index[b - 1], "level": _level(series, a, b)}
        for a, b in zip(bounds[:-1], bounds[1:], strict=True)
    ]
    points = [_change_point(series, bounds, i, events) for i in range(1, len(bounds) - 1)]
    return ChangePointResult(series.name, series.title, series.kind, points, segments,
                             noise, float(penalty), min_size)  # fmt: skip


def change_points(
    series: dict[str, MonthlySeries], events: pd.DataFrame, names: list[str] | None = None
) -> dict[str, ChangePointResult]:
    """Change points of every named series (or the ones asked for), by name."""
    chosen = names or list(series)
    return {name: detect_change_points(series[name], events) for name in chosen}
