"""Alerts: signposts crossing their thresholds, and robust statistical surges.

Two kinds, each with the events behind it and a stable id (so a caller can remember
what it has already sent):

- ``signpost``: a lens signpost fired (``scenarios.signpost_firings``);
- ``surge``: a month whose value stands out from the months before it. The baseline is
  the previous ``BASELINE_MONTHS`` months (at least ``MIN_BASELINE``); the robust
  z-score is (value − median) / scale, with scale = 1.4826 × MAD, floored at the
  Poisson noise of the median, √(max(median, u) · u), where u is one event's weight
  (1 for counts). The floor keeps a mostly-empty series from alerting on one event.
  A surge needs z ≥ ``Z_THRESHOLD`` (3.5, Iglewicz and Hoaglin's outlier cut-off).

Surges run on every indicator of the lens (events a month) and on the named series
(missile launches, the partnership index, the threat prongs...).
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..schema import is_http_url
from .scenarios import Firing
from .series import MonthlySeries

BASELINE_MONTHS = 24
MIN_BASELINE = 12
Z_THRESHOLD = 3.5
MAD_SCALE = 1.4826
EVIDENCE_PER_ALERT = 5


@dataclass(frozen=True)
class Alert:
    """Something new that an analyst should look at, with the events that raised it."""

    id: str
    kind: str
    date: dt.date
    subject: str
    title: str
    message: str
    evidence: list[dict[str, Any]]
    value: float | None = None
    baseline: float | None = None
    z: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def robust_z(values: pd.Series, unit: float = 1.0) -> pd.DataFrame:
    """Per month: the value, its baseline median and scale, and its robust z-score."""
    padded = np.concatenate([np.full(BASELINE_MONTHS, np.nan), values.to_numpy(float)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, BASELINE_MONTHS)[:-1]
    enough = np.sum(~np.isnan(windows), axis=1) >= MIN_BASELINE
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows before the baseline
        middle = np.nanmedian(windows, axis=1)
        spread = np.nanmedian(np.abs(windows - middle[:, None]), axis=1)
    median = pd.Series(np.where(enough, middle, np.nan), index=values.index)
    mad = pd.Series(np.where(enough, spread, np.nan), index=values.index)
    floor = np.sqrt(np.maximum(median, unit) * unit)
    scale = np.maximum(MAD_SCALE * mad, floor)
    return pd.DataFrame({"value": values, "median": median, "scale": scale,
                         "z": (values - median) / scale})  # fmt: skip


def _event_records(ids: list[str], events: pd.DataFrame) -> list[dict[str, Any]]:
    rows = events.set_index("event_id")
    out = []
    for event_id in ids:
        if event_id not in rows.index:
            continue
        row = rows.loc[event_id]
        url = row.get("url")
        safe = url if is_http_url(url) else None
        out.append({
            "event_id": event_id, "date": f"{pd.Timestamp(row['date']):%Y-%m-%d}",
            "source": row["source"], "title": row.get("title") or "(untitled)",
            "url": safe,
        })  # fmt: skip
    return out


def signpost_alerts(firings: list[Firing], events: pd.DataFrame) -> list[Alert]:
    """One alert per signpost firing."""
    return [
        Alert(f"signpost:{f.signpost}:{f.date:%Y-%m-%d}", "signpost", f.date, f.signpost, f.title,
              f"Signpost fired: {f.title} (scenario {f.scenario}).",
              _event_records(f.evidence, events), extra={"scenario": f.scenario})
        for f in firings
    ]  # fmt: skip


def _unit(series: MonthlySeries) -> float:
    if series.kind == "count" or series.contributions.empty:
        return 1.0
    per_event = series.contributions.groupby("event_id")["score"].sum()
    return float(per_event[per_event > 0].median()) if (per_event > 0).any() else 1.0


def surge_alerts(series: MonthlySeries, events: pd.DataFrame) -> list[Alert]:
    """Months in which a series surges above its rolling robust baseline."""
    if series.kind == "mix" or series.months <= MIN_BASELINE:
        return []
    frame = robust_z(series.values, _unit(series))
    hits = frame[(frame["z"] >= Z_THRESHOLD) & (frame["value"] > frame["median"])]
    alerts = []
    for month, row in hits.iterrows():
        mine = series.contributions[series.contributions["month"] == month]
        ranked = mine.sort_values(["score", "event_id"], ascending=[False, True])
        ids = list(ranked["event_id"].drop_duplicates())
        unit = "events" if series.kind == "count" else "points"
        message = (
            f"{series.title}: {row.value:.4g} {unit} in {month:%B %Y} against a median of "
            f"{row['median']:.4g} in the months before (robust z {row.z:.1f})."
        )
        alerts.append(Alert(
            f"surge:{series.name}:{month:%Y-%m-%d}", "surge", month.date(), series.name,
            series.title, message, _event_records(ids[:EVIDENCE_PER_ALERT], events),
            float(row.value), float(row["median"]), float(row.z),
        ))  # fmt: skip
    return alerts


def indicator_counts(scored: pd.DataFrame, titles: dict[str, str]) -> dict[str, MonthlySeries]:
    """Events a month for every indicator, as count series named ``indicator:<id>``."""
    out = {}
    dated = scored[scored["date"].notna()]
    for indicator, part in dated.groupby("indicator"):
        contributions = part.groupby(["event_id", "month"], as_index=False)["score"].sum()
        counts = contributions.groupby("month")["event_id"].nunique().astype(float)
        months = pd.date_range(counts.index.min(), counts.index.max(), freq="MS")
        name = f"indicator:{indicator}"
        title = titles.get(str(indicator), str(indicator))
        out[name] = MonthlySeries(name, title, "count", counts.reindex(months, fill_value=0.0),
                                  contributions.assign(component=None))  # fmt: skip
    return out


def all_alerts(
    firings: list[Firing],
    series: dict[str, MonthlySeries],
    events: pd.DataFrame,
    since: dt.date | None = None,
) -> list[Alert]:
    """Every alert since a date, newest first; a surge the same events already raised
    under another name (three indicators reading the same launches) is kept once."""
    found = signpost_alerts(firings, events)
    seen: set[tuple[dt.date, tuple[str, ...]]] = set()
    for one in series.values():
        for alert in surge_alerts(one, events):
            key = (alert.date, tuple(e["event_id"] for e in alert.evidence))
            if key not in seen:
                seen.add(key)
                found.append(alert)
    if since is not None:
        found = [a for a in found if a.date >= since]
    return sorted(found, key=lambda a: (a.date, a.id), reverse=True)


def alert_record(alert: Alert) -> dict[str, Any]:
    """An alert as plain JSON-ready data (ISO dates, no NaN)."""

    def number(x: float | None) -> float | None:
        return None if x is None or not np.isfinite(x) else round(float(x), 4)

    return {
        "id": alert.id, "kind": alert.kind, "date": f"{alert.date:%Y-%m-%d}",
        "subject": alert.subject, "title": alert.title, "message": alert.message,
        "value": number(alert.value), "baseline": number(alert.baseline), "z": number(alert.z),
        **alert.extra, "evidence": alert.evidence,
    }  # fmt: skip
