"""The briefing: the assessment written out in the paper's own sections.

``render_brief`` turns an ``Assessment`` and its ``Evidence`` into HTML (one
self-contained file: charts drawn by the vendored Vega scripts, no network) or
Markdown (charts as SVG files beside it). Every claim links to the events behind it,
and every event lists its public sources.

``brief_context`` returns everything the templates read (the assessment, the
analytics, the events cited, the chart specs); another output format (a print or PDF
renderer) calls it once and renders its own template, or renders the HTML with
``render_brief(..., "html")`` and prints that.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
from markupsafe import Markup

from ..analysis.analytics import Analytics, analyse
from ..analysis.assessment import Assessment
from ..errors import UserError
from ..evidence import Evidence
from ..schema import is_http_url
from .pdf import chart_images, html_to_pdf

FORMATS = ("html", "md", "pdf")
STATIC = ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js")
SECTIONS = (
    ("summary", "Summary and headline assessment"),
    ("timeline", "The revival of the relationship: timeline"),
    ("shifts", "When things shifted: change points"),
    ("drivers", "The four drivers"),
    ("threat", "The dual-pronged threat"),
    ("context", "Context: nuclear acceleration, no denuclearisation, no dialogue"),
    ("china", "The China factor"),
    ("recommendations", "The five recommendations: are they happening?"),
    ("scenarios", "Where the partnership might go: scenarios and signposts"),
    ("alerts", "Open alerts"),
    ("forecasts", "Forecasts and their measured skill"),
    ("recent", "What changed recently"),
    ("evidence", "Evidence and sources"),
    ("method", "Method and data"),
)


@dataclass(frozen=True)
class Citation:
    publisher: str
    title: str
    date: str
    url: str | None


@dataclass(frozen=True)
class EventView:
    """One event as the briefing shows it."""

    id: str
    anchor: str
    date: str
    title: str
    summary: str
    who: str
    source: str
    grade: str
    citations: list[Citation]


def safe_url(url: Any) -> str | None:
    """The URL if it is http(s), else None: nothing else is ever made a link."""
    return url if is_http_url(url) else None


def _date_label(date: pd.Timestamp, precision: str) -> str:
    return {"month": f"{date:%B %Y}", "year": f"{date:%Y}"}.get(precision, f"{date:%Y-%m-%d}")


def _citations(row: dict[str, Any]) -> list[Citation]:
    cited = row.get("citations")
    items = [] if cited is None else list(cited)
    found = [
        Citation(str(c.get("publisher") or ""), str(c.get("title") or ""),
                 str(c.get("date") or ""), safe_url(c.get("url")))
        for c in items
    ]  # fmt: skip
    if not found and row.get("url"):
        found = [Citation(row["source"], row.get("title") or "", "", safe_url(row["url"]))]
    return found


def _missing(value: Any) -> bool:
    """None, NaN or pandas' NA: a field with no value (lists and arrays are values)."""
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def event_view(row: dict[str, Any]) -> EventView:
    """A display view of one event row."""
    row = {key: None if _missing(value) else value for key, value in row.items()}
    who = " → ".join(str(x) for x in (row.get("actor"), row.get("recipient")) if x)
    grade = f"{row.get('reliability') or '?'}{row.get('credibility') or ''}"
    return EventView(
        row["event_id"], f"ev-{row['event_id']}", _date_label(row["date"], row["date_precision"]),
        row.get("title") or "(untitled)", row.get("summary") or "", who, row["source"], grade,
        _citations(row),
    )  # fmt: skip


def script_json(value: Any) -> Markup:
    """JSON that is inert inside a <script> element (as code or as type="application/json"):
    no ``<``, ``>`` or ``&`` is left to end the element or open a comment."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - escaped for the script context above


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|])")


def md_escape(text: Any) -> str:
    """Text made inert in Markdown: markup characters escaped, newlines folded."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def md_url(url: Any) -> str:
    """A URL safe inside Markdown's <...> autolink."""
    return str(url).replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("axiswatch", "report/templates"),
        autoescape=lambda name: bool(name and ".html" in name),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda v: "n/a" if v is None else f"{v:.0%}"
    env.filters["num"] = lambda v: "n/a" if v is None else f"{v:.1f}"
    env.filters["script_json"] = script_json
    env.filters["md"] = md_escape
    env.filters["md_url"] = md_url
    env.filters["month"] = lambda v: f"{v:%B %Y}"
    env.filters["iso"] = lambda v: f"{v:%Y-%m-%d}"
    return env


def _vendored_js() -> Markup:
    static = resources.files("axiswatch").joinpath("report", "static")
    code = "\n".join(static.joinpath(name).read_text(encoding="utf-8") for name in STATIC)
    return Markup(code.replace("</script", "<\\/script"))  # noqa: S704 - vendored, trusted


def brief_context(
    assessment: Assessment,
    evidence: Evidence,
    stats: dict[str, Any] | None = None,
    analytics: Analytics | None = None,
) -> dict[str, Any]:
    """Everything the templates read (the analytics are computed when not given)."""
    from .charts import analytics_charts, briefing_charts  # Altair loads only to draw

    if analytics is None:
        analytics = analyse(assessment, evidence.events, evidence.scored, evidence.signposts)
    rows = {row["event_id"]: row for row in evidence.events.to_dict("records")}
    cited = _cited_ids(assessment, analytics)
    views = {i: event_view(rows[i]) for i in cited if i in rows}
    ordered = sorted(views.values(), key=lambda v: (rows[v.id]["date"], v.id))
    lens = assessment.lens
    open_alerts = analytics.open_alerts(assessment.since)
    return {
        "a": assessment,
        "x": analytics,
        "lens": lens,
        "scenario_titles": {s.id: s.title for s in lens.scenarios},
        "dyad_names": " and ".join(lens.name_of(code) for code in lens.dyad),
        "sections": SECTIONS,
        "events": views,
        "evidence_list": ordered,
        "numbers": {view.id: n for n, view in enumerate(ordered, start=1)},
        "timeline": [views[i] for i in assessment.timeline if i in views],
        "recent": [views[i] for i in assessment.recent[:15] if i in views],
        "open_alerts": open_alerts,
        "threat_totals": _threat_totals(assessment, analytics),
        "latest_alerts": analytics.alerts[:LATEST_ALERTS],
        "charts": {**briefing_charts(assessment, evidence.scored), **analytics_charts(analytics)},
        "stats": stats or {},
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def _threat_totals(assessment: Assessment, analytics: Analytics) -> dict[str, float]:
    """Each threat index's weighted evidence in the year to its sources' last date."""
    totals = {}
    for family, frame in analytics.threats.items():
        finding = assessment.findings.get(family)
        end = pd.Timestamp(finding.as_of if finding else assessment.as_of)
        recent = frame[frame["month"] > end - pd.DateOffset(years=1)] if len(frame) else frame
        totals[family] = float(recent["index"].sum()) if len(recent) else 0.0
    return totals


#: alerts the briefing lists when none is open in the "what changed" window
LATEST_ALERTS = 8


def _cited_ids(assessment: Assessment, analytics: Analytics) -> list[str]:
    ids = list(assessment.headline.evidence) + list(assessment.timeline)
    ids += [i for f in assessment.findings.values() for i in f.evidence]
    ids += [i for s in assessment.signposts for i in s.evidence] + assessment.recent[:15]
    ids += [i for month in assessment.key_months for i in month.evidence]
    ids += [str(d["event_id"]) for result in analytics.change_points.values()
            for point in result.change_points for d in point.drivers]  # fmt: skip
    ids += [i for update in analytics.scenarios.updates for i in update.firing.evidence]
    ids += [str(i) for leaders in analytics.threat_events.values() for i in leaders["event_id"]]
    ids += [str(e["event_id"]) for alert in analytics.alerts[:LATEST_ALERTS]
            for e in alert.evidence]  # fmt: skip
    ids += [str(e["event_id"]) for alert in analytics.open_alerts(assessment.since)
            for e in alert.evidence]  # fmt: skip
    return list(dict.fromkeys(ids))


def _render(context: dict[str, Any], fmt: str, chart_dir_name: str) -> str:
    """The briefing's text; a PDF's text is the HTML it is set from, with static charts."""
    if fmt not in FORMATS:
        raise UserError(f"unknown briefing format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    context = {**context, "chart_dir": chart_dir_name, "chart_images": {}}
    if fmt == "html":
        context["vendored_js"] = _vendored_js()
    if fmt == "pdf":
        context["chart_images"] = chart_images(context["charts"])
    template = "brief.md.j2" if fmt == "md" else "brief.html.j2"
    return _environment().get_template(template).render(**context)


def render_brief(
    assessment: Assessment,
    evidence: Evidence,
    fmt: str = "html",
    stats: dict[str, Any] | None = None,
    chart_dir_name: str = "brief_charts",
    analytics: Analytics | None = None,
) -> str:
    """The briefing's text: HTML, Markdown (linking its charts in a folder), or for ``pdf``
    the print HTML the PDF is set from."""
    return _render(brief_context(assessment, evidence, stats, analytics), fmt, chart_dir_name)


def write_brief(
    assessment: Assessment,
    evidence: Evidence,
    out: Path,
    fmt: str = "html",
    stats: dict[str, Any] | None = None,
    analytics: Analytics | None = None,
) -> Path:
    """Write the briefing (and, for Markdown, its SVG charts beside it); return its path."""
    context = brief_context(assessment, evidence, stats, analytics)
    text = _render(context, fmt, chart_dir(out).name)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "md":
        _write_svgs(context["charts"], out)
    body = html_to_pdf(text) if fmt == "pdf" else text.encode("utf-8")
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(body)
    tmp.replace(out)
    return out


def chart_dir(out: Path) -> Path:
    """Where a Markdown briefing keeps its chart images."""
    return out.with_name(out.stem + "_charts")


def _write_svgs(charts: dict[str, dict[str, Any]], out: Path) -> None:
    import vl_convert

    folder = chart_dir(out)
    folder.mkdir(parents=True, exist_ok=True)
    for name, spec in charts.items():
        (folder / f"{name}.svg").write_text(vl_convert.vegalite_to_svg(spec), encoding="utf-8")
