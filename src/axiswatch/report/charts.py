"""The briefing's charts as Vega-Lite specs (built with Altair, rendered offline)."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from ..analysis.assessment import Assessment

COLOURS = {"transactional": "#c77c02", "strategic": "#8b1e3f"}
WIDTH = 600


def _spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    spec: dict[str, Any] = chart.to_dict()
    return spec


def partnership_chart(assessment: Assessment) -> dict[str, Any] | None:
    """Monthly partnership index, stacked by component, with the pivot marked."""
    index = assessment.index
    if index.empty:
        return None
    long = index.melt(
        id_vars=["month"], value_vars=["transactional", "strategic"],
        var_name="component", value_name="score",
    )  # fmt: skip
    long["month"] = long["month"].dt.strftime("%Y-%m-%d")
    bars = alt.Chart(long).mark_bar().encode(
        x=alt.X("yearmonth(month):T", title=None),
        y=alt.Y("sum(score):Q", title="Partnership index (weighted evidence)"),
        color=alt.Color(
            "component:N",
            scale=alt.Scale(domain=list(COLOURS), range=list(COLOURS.values())),
            legend=alt.Legend(orient="top", title=None),
        ),
        tooltip=[alt.Tooltip("yearmonth(month):T", title="month"), "component:N",
                 alt.Tooltip("sum(score):Q", format=".1f", title="score")],
    )  # fmt: skip
    pivot = pd.DataFrame({"date": [assessment.lens.pivot.date.isoformat()],
                          "label": [assessment.lens.pivot.label]})  # fmt: skip
    rule = alt.Chart(pivot).mark_rule(strokeDash=[4, 3], color="#333").encode(x="date:T")
    text = (
        alt.Chart(pivot)
        .mark_text(align="left", dx=4, dy=-140, fontSize=10)
        .encode(x="date:T", text="label:N")
    )
    return _spec((bars + rule + text).properties(width=WIDTH, height=260))


def strategic_share_chart(assessment: Assessment) -> dict[str, Any] | None:
    """Quarterly share of strategic evidence; quarters without evidence are left blank."""
    index = assessment.index
    if index.empty or index["index"].sum() == 0:
        return None
    quarterly = index.set_index("month")[["transactional", "strategic"]].resample("QS").sum()
    total = quarterly.sum(axis=1)
    frame = quarterly.assign(share=(quarterly["strategic"] / total).where(total > 0))
    frame = frame.dropna().reset_index()
    frame["month"] = frame["month"].dt.strftime("%Y-%m-%d")
    bars = alt.Chart(frame).mark_bar(color=COLOURS["strategic"], width={"band": 0.8}).encode(
        x=alt.X("yearquarter(month):T", title=None),
        y=alt.Y("share:Q", title="Strategic share", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        tooltip=[alt.Tooltip("yearquarter(month):T", title="quarter"),
                 alt.Tooltip("share:Q", format=".0%")],
    )  # fmt: skip
    half = alt.Chart(pd.DataFrame({"y": [0.5]})).mark_rule(color="#333", strokeDash=[4, 3])
    return _spec((bars + half.encode(y="y:Q")).properties(width=WIDTH, height=180))


def yearly_counts_chart(
    scored: pd.DataFrame, indicator: str, title: str, colour: str = "#1f4e79"
) -> dict[str, Any] | None:
    """Distinct events per year for one indicator."""
    mine = scored[scored["indicator"] == indicator]
    if mine.empty:
        return None
    per_year = mine.groupby(mine["date"].dt.year)["event_id"].nunique()
    frame = per_year.rename_axis("year").reset_index(name="events")
    bars = alt.Chart(frame).mark_bar(color=colour).encode(
        x=alt.X("year:O", title=None), y=alt.Y("events:Q", title=title),
        tooltip=["year:O", "events:Q"],
    )  # fmt: skip
    return _spec(bars.properties(width=WIDTH, height=200))


def families_chart(scored: pd.DataFrame, families: dict[str, str]) -> dict[str, Any] | None:
    """Quarterly weighted evidence for a few families, one line each."""
    mine = scored[scored["family"].isin(list(families))]
    if mine.empty:
        return None
    quarterly = mine.groupby(["family", pd.Grouper(key="date", freq="QS")])["score"].sum()
    frame = quarterly.reset_index()
    frame["family"] = frame["family"].map(families)
    frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
    lines = alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("date:T", title=None), y=alt.Y("score:Q", title="Weighted evidence per quarter"),
        color=alt.Color("family:N", legend=alt.Legend(orient="top", title=None)),
        tooltip=["family:N", alt.Tooltip("date:T", title="quarter from"),
                 alt.Tooltip("score:Q", format=".1f")],
    )  # fmt: skip
    return _spec(lines.properties(width=WIDTH, height=220))


def briefing_charts(assessment: Assessment, scored: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Every chart the briefing shows, by name; charts without data are left out."""
    lens = assessment.lens
    threats = {f.id: f.title for f in lens.families_of("threat")}
    recs = {f.id: f.title for f in lens.families_of("recommendation")}
    charts = {
        "partnership": partnership_chart(assessment),
        "strategic_share": strategic_share_chart(assessment),
        "missiles": yearly_counts_chart(scored, "missile_launches", "Missile launches per year"),
        "threats": families_chart(scored, threats),
        "recommendations": families_chart(scored, recs),
    }
    return {name: spec for name, spec in charts.items() if spec is not None}


# -- the analytics' charts ---------------------------------------------------------------------


def band_chart(index: pd.DataFrame) -> dict[str, Any] | None:
    """The monthly index with its 80 % bootstrap band and the six-month strategic share."""
    if index.empty or "index_low" not in index:
        return None
    frame = index[["month", "index", "index_low", "index_high", "strategic_share_6m"]].copy()
    frame["month"] = frame["month"].dt.strftime("%Y-%m-%d")
    base = alt.Chart(frame).encode(x=alt.X("month:T", title=None, axis=alt.Axis(format="%Y")))
    band = base.mark_area(opacity=0.25, color=COLOURS["strategic"]).encode(
        y=alt.Y("index_low:Q", title="Partnership index (80% band)"), y2="index_high:Q"
    )
    line = base.mark_line(color=COLOURS["strategic"]).encode(
        y="index:Q",
        tooltip=[alt.Tooltip("month:T", title="month"), alt.Tooltip("index:Q", format=".1f"),
                 alt.Tooltip("index_low:Q", format=".1f", title="band from"),
                 alt.Tooltip("index_high:Q", format=".1f", title="band to")],
    )  # fmt: skip
    top = (band + line).properties(width=WIDTH, height=200)
    share = base.mark_line(color=COLOURS["transactional"]).encode(
        y=alt.Y("strategic_share_6m:Q", title="Strategic share, 6 months",
                axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        tooltip=[alt.Tooltip("month:T", title="month"),
                 alt.Tooltip("strategic_share_6m:Q", format=".0%", title="share")],
    ).properties(width=WIDTH, height=110)  # fmt: skip
    return _spec(alt.vconcat(top, share))


def change_point_chart(series: Any, result: Any) -> dict[str, Any] | None:
    """A monthly series with its change points marked and each segment's level."""
    if series is None or not result.change_points:
        return None
    frame = series.values.rename("value").rename_axis("month").reset_index()
    frame["month"] = frame["month"].dt.strftime("%Y-%m-%d")
    bars = alt.Chart(frame).mark_bar(color="#1f4e79", opacity=0.6).encode(
        x=alt.X("month:T", title=None), y=alt.Y("value:Q", title=series.title),
        tooltip=[alt.Tooltip("month:T", title="month"), alt.Tooltip("value:Q", format=".2f")],
    )  # fmt: skip
    levels = pd.DataFrame([{"start": f"{s['start']:%Y-%m-%d}", "end": f"{s['end']:%Y-%m-%d}",
                            "level": s["level"]} for s in result.segments])  # fmt: skip
    steps = (
        alt.Chart(levels)
        .mark_rule(color=COLOURS["transactional"], strokeWidth=2)
        .encode(x="start:T", x2="end:T", y="level:Q")
    )
    marks = pd.DataFrame({"month": [f"{c.month:%Y-%m-%d}" for c in result.change_points]})
    rules = alt.Chart(marks).mark_rule(color="#333", strokeDash=[4, 3]).encode(x="month:T")
    layers = bars + rules if series.kind == "mix" else bars + steps + rules
    return _spec(layers.properties(width=WIDTH, height=170))


def scenario_history_chart(history: pd.DataFrame) -> dict[str, Any] | None:
    """Each scenario's probability month by month."""
    if history.empty or len(history.columns) < 2:
        return None
    long = history.melt(id_vars=["month"], var_name="scenario", value_name="probability")
    long["month"] = long["month"].dt.strftime("%Y-%m-%d")
    lines = alt.Chart(long).mark_line(interpolate="step-after").encode(
        x=alt.X("month:T", title=None),
        y=alt.Y("probability:Q", axis=alt.Axis(format="%"), title="Probability"),
        color=alt.Color("scenario:N", legend=alt.Legend(orient="top", title=None)),
        tooltip=["scenario:N", alt.Tooltip("month:T", title="month"),
                 alt.Tooltip("probability:Q", format=".0%")],
    )  # fmt: skip
    return _spec(lines.properties(width=WIDTH, height=220))


def forecast_chart(series: Any, forecast: Any, months: int = 48) -> dict[str, Any] | None:
    """The last few years of a count series and its forecast with the 80 % interval."""
    if series is None or not forecast.months:
        return None
    past = series.values.iloc[-months:].rename("value").rename_axis("month").reset_index()
    past["month"] = past["month"].dt.strftime("%Y-%m-%d")
    ahead = pd.DataFrame(forecast.months)
    ahead["month"] = ahead["month"].dt.strftime("%Y-%m-%d")
    bars = alt.Chart(past).mark_bar(color="#1f4e79").encode(
        x=alt.X("month:T", title=None), y=alt.Y("value:Q", title=series.title),
        tooltip=[alt.Tooltip("month:T", title="month"), "value:Q"],
    )  # fmt: skip
    interval = (
        alt.Chart(ahead)
        .mark_area(opacity=0.25, color=COLOURS["transactional"])
        .encode(x="month:T", y="low:Q", y2="high:Q")
    )
    mean = alt.Chart(ahead).mark_line(point=True, color=COLOURS["transactional"]).encode(
        x="month:T", y="mean:Q",
        tooltip=[alt.Tooltip("month:T", title="month"), alt.Tooltip("mean:Q", format=".1f"),
                 alt.Tooltip("low:Q", title="80% from"), alt.Tooltip("high:Q", title="80% to")],
    )  # fmt: skip
    return _spec((bars + interval + mean).properties(width=WIDTH, height=200))


def analytics_charts(analytics: Any) -> dict[str, dict[str, Any]]:
    """The charts of the analytics, by name; charts without data are left out."""
    charts = {"index_bands": band_chart(analytics.index),
              "scenario_history": scenario_history_chart(analytics.scenarios.history)}  # fmt: skip
    for name in ("missile_launches", "partnership_index", "partnership_mix"):
        charts[f"shifts_{name}"] = change_point_chart(
            analytics.series.get(name), analytics.change_points[name]
        )
    for name, result in analytics.forecasts.items():
        charts[f"forecast_{name}"] = forecast_chart(analytics.series.get(name), result)
    return {name: spec for name, spec in charts.items() if spec is not None}
