"""What each dashboard page shows, as plain JSON-ready data (the page's JSON twin).

Every function here takes a snapshot (and filters) and returns a dict; the HTML page
renders exactly that dict. Queries are Ibis expressions: a filter value is a literal
in an expression, never SQL text.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..analysis.alerts import alert_record
from ..analysis.analytics import Analytics, analyse, scenario_record
from ..analysis.assessment import Assessment, Finding, SignpostState
from ..evidence import Evidence, assessment
from ..lens.model import Lens
from ..query import events_to_csv, events_to_json, frame_records, select_events
from ..report.brief import safe_url
from ..report.charts import briefing_charts
from .snapshot import Snapshot

#: the indicator board's sections, in the paper's order
BOARD = (
    ("driver", "The four drivers"),
    ("threat", "The dual-pronged threat"),
    ("context", "Context"),
    ("china", "The China factor"),
    ("recommendation", "The five recommendations"),
)
#: most rows an export of a selection writes
EXPORT_LIMIT = 100_000
LATEST = 12
#: a text search counts its matches up to this many ("10000+")
SEARCH_COUNT_CAP = 10_000
#: the overview lists the alerts dated this many days before the assessment, or later
ALERT_DAYS = 365
SHOWN_COLUMNS = (
    "event_id", "date", "date_precision", "source", "actor", "recipient", "plover_type",
    "title", "summary", "url", "citations", "reliability", "credibility", "confidence", "tags",
)  # fmt: skip


@dataclass(frozen=True)
class Filters:
    """A selection of events: every field optional, each already bounded by the web layer."""

    since: dt.date | None = None
    until: dt.date | None = None
    actors: tuple[str, ...] = ()
    source: str | None = None
    family: str | None = None
    reliability: tuple[str, ...] = ()
    q: str | None = None
    limit: int = 50
    offset: int = 0

    def as_query(self) -> dict[str, Any]:
        """The filters as query parameters (for links and the JSON twin)."""
        pairs = {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "actor": list(self.actors) or None, "source": self.source, "family": self.family,
            "reliability": list(self.reliability) or None, "q": self.q,
        }  # fmt: skip
        return {key: value for key, value in pairs.items() if value}


# -- the analysis, once per snapshot ---------------------------------------------------


def analysis(snapshot: Snapshot, lens: Lens) -> tuple[Assessment, Evidence]:
    """The lens's assessment of this snapshot (computed once, then cached)."""
    return snapshot.cached(("assessment", lens.name), lambda: snapshot.query(
        lambda store: assessment(store, lens)), pin=True)  # fmt: skip


def _evidence_frame(snapshot: Snapshot, lens: Lens) -> pd.DataFrame:
    def build() -> pd.DataFrame:
        _, evidence = analysis(snapshot, lens)
        return evidence.events.set_index("event_id", drop=False)

    frame: pd.DataFrame = snapshot.cached(("evidence-frame", lens.name), build, pin=True)
    return frame


def _clean(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _citations(row: dict[str, Any]) -> list[dict[str, Any]]:
    cited = row.get("citations")
    found = [
        {"publisher": c.get("publisher") or "", "title": c.get("title") or "",
         "date": c.get("date") or "", "url": safe_url(c.get("url"))}
        for c in ([] if cited is None else list(cited))
    ]  # fmt: skip
    if not found and safe_url(row.get("url")):
        found = [{"publisher": row.get("source"), "title": row.get("title") or "", "date": "",
                  "url": safe_url(row.get("url"))}]  # fmt: skip
    return found


def event_json(row: dict[str, Any]) -> dict[str, Any]:
    """One event as the dashboard shows it; every link is http(s) or absent."""
    out = {key: _clean(row.get(key)) for key in SHOWN_COLUMNS}
    out["url"] = safe_url(out["url"])
    out["citations"] = _citations(row)
    tags = row.get("tags")
    out["tags"] = [] if tags is None else [str(t) for t in tags]
    out["who"] = " → ".join(str(x) for x in (out["actor"], out["recipient"]) if x)
    return out


def _views(snapshot: Snapshot, lens: Lens, ids: list[str]) -> list[dict[str, Any]]:
    frame = _evidence_frame(snapshot, lens)
    known = [i for i in ids if i in frame.index]
    return [event_json(row) for row in frame.loc[known].to_dict("records")] if known else []


# -- pages -----------------------------------------------------------------------------


def _headline(a: Assessment, snapshot: Snapshot, lens: Lens) -> dict[str, Any]:
    h = a.headline
    return {
        "sentences": h.sentences, "verdict": h.verdict, "as_of": _clean(h.as_of),
        "before_mean": h.before_mean, "recent_mean": h.recent_mean,
        "early_share": h.early_share, "recent_share": h.recent_share,
        "evidence": _views(snapshot, lens, h.evidence),
    }  # fmt: skip


def _signpost(state: SignpostState, titles: dict[str, str], evidence: list[Any]) -> dict[str, Any]:
    return {
        "scenario": state.scenario, "scenario_title": titles.get(state.scenario, state.scenario),
        "signpost": state.signpost, "title": state.title, "fired": state.fired,
        "matches": state.matches, "threshold": state.threshold,
        "window_days": state.window_days, "as_of": state.as_of.isoformat(), "evidence": evidence,
    }  # fmt: skip


def _signposts(a: Assessment, snapshot: Snapshot, lens: Lens) -> list[dict[str, Any]]:
    titles = {s.id: s.title for s in lens.scenarios}
    return [_signpost(s, titles, _views(snapshot, lens, s.evidence)) for s in a.signposts]


def latest_events(snapshot: Snapshot, count: int = LATEST) -> list[dict[str, Any]]:
    """The newest events in the store, whatever their source."""

    def run(store: Any) -> list[dict[str, Any]]:
        expr = select_events(store.events(), limit=count)
        return [event_json(row) for row in store.to_arrow(expr).to_pylist()]

    return snapshot.cached(("latest", count), lambda: snapshot.query(run))


def overview(snapshot: Snapshot, lens: Lens) -> dict[str, Any]:
    """The headline, the partnership index and its components, open alerts, latest events."""
    a, evidence = analysis(snapshot, lens)
    index = (
        a.index.assign(month=a.index["month"].dt.strftime("%Y-%m-%d")) if len(a.index) else a.index
    )
    signposts = _signposts(a, snapshot, lens)
    charts = briefing_charts(a, evidence.scored)
    return {
        "lens": {"name": lens.name, "title": lens.title}, "as_of": a.as_of.isoformat(),
        "headline": _headline(a, snapshot, lens), "threat_lines": a.threat_lines,
        "coverage": {k: v.isoformat() for k, v in sorted(a.coverage.items())},
        "index": frame_records(index), "alerts": open_alerts(snapshot, lens),
        "signposts_fired": [s for s in signposts if s["fired"]],
        "latest": latest_events(snapshot),
        "charts": {k: v for k, v in charts.items() if k in ("partnership", "strategic_share")},
    }  # fmt: skip


def _finding(f: Finding, snapshot: Snapshot, lens: Lens) -> dict[str, Any]:
    return {
        "family": f.family, "kind": f.kind, "title": f.title, "question": f.question,
        "section": f.section, "status": f.status, "trend": f.trend, "unknown": f.unknown,
        "events_total": f.events_total, "events_last_year": f.events_last_year,
        "events_prior_year": f.events_prior_year, "for_last_year": f.for_last_year,
        "against_last_year": f.against_last_year, "last_event": _clean(f.last_event),
        "as_of": f.as_of.isoformat(), "evidence": _views(snapshot, lens, f.evidence),
    }  # fmt: skip


def indicators(snapshot: Snapshot, lens: Lens) -> dict[str, Any]:
    """The indicator board: drivers, threat prongs, context, China, recommendations."""
    a, evidence = analysis(snapshot, lens)
    charts = briefing_charts(a, evidence.scored)
    return {
        "as_of": a.as_of.isoformat(),
        "sections": [
            {"kind": kind, "title": title,
             "findings": [_finding(f, snapshot, lens) for f in a.of_kind(kind)]}
            for kind, title in BOARD
        ],
        "charts": {k: v for k, v in charts.items() if k in ("threats", "recommendations")},
    }  # fmt: skip


def analytics(snapshot: Snapshot, lens: Lens) -> Analytics:
    """Scenario probabilities, alerts and change points of this snapshot (no forecasts)."""

    def build() -> Analytics:
        a, evidence = analysis(snapshot, lens)
        return analyse(a, evidence.events, evidence.scored, evidence.signposts, forecast=())

    result: Analytics = snapshot.cached(("analytics", lens.name), build, pin=True)
    return result


def open_alerts(snapshot: Snapshot, lens: Lens, days: int = ALERT_DAYS) -> list[dict[str, Any]]:
    """The alerts (signpost firings and surges) of the last ``days`` before the assessment."""
    a, _ = analysis(snapshot, lens)
    since = a.as_of - dt.timedelta(days=days)
    return [alert_record(alert) for alert in analytics(snapshot, lens).open_alerts(since)]


def probability_chart(record: dict[str, Any], titles: dict[str, str]) -> dict[str, Any] | None:
    """Each scenario's probability by month, one line each (a Vega-Lite spec)."""
    values = [
        {"month": row["month"], "scenario": titles.get(key, key), "probability": value}
        for row in record["history"] for key, value in row.items() if key != "month"
    ]  # fmt: skip
    if not values:
        return None
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "width": 640, "height": 240, "data": {"values": values},
        "mark": {"type": "line", "interpolate": "step-after"},
        "encoding": {
            "x": {"field": "month", "type": "temporal", "title": None},
            "y": {"field": "probability", "type": "quantitative", "title": "Probability",
                  "axis": {"format": "%"}, "scale": {"domain": [0, 1]}},
            "color": {"field": "scenario", "type": "nominal",
                      "legend": {"orient": "bottom", "columns": 2, "title": None,
                                 "labelLimit": 320}},
            "tooltip": [{"field": "scenario"}, {"field": "month", "type": "temporal"},
                        {"field": "probability", "format": ".0%"}],
        },
    }  # fmt: skip


def scenario_model(snapshot: Snapshot, lens: Lens) -> dict[str, Any]:
    """Probabilities over time, the updates behind them and the ACH matrix."""
    record = scenario_record(analytics(snapshot, lens).scenarios)
    titles = {s.id: s.title for s in lens.scenarios}
    return {**record, "titles": titles, "chart": probability_chart(record, titles)}


def scenarios(snapshot: Snapshot, lens: Lens) -> dict[str, Any]:
    """Each scenario with its signposts' states now (and the model's view, once it exists)."""
    a, _ = analysis(snapshot, lens)
    states = _signposts(a, snapshot, lens)
    return {
        "as_of": a.as_of.isoformat(),
        "scenarios": [
            {"id": s.id, "title": s.title, "description": s.description,
             "signposts": [p for p in states if p["scenario"] == s.id],
             "fired": sum(p["fired"] for p in states if p["scenario"] == s.id)}
            for s in lens.scenarios
        ],
        "model": snapshot.cached(("model", lens.name), lambda: scenario_model(snapshot, lens)),
    }  # fmt: skip


# -- selections of events (timeline and explorer) ---------------------------------------


def family_ids(snapshot: Snapshot, lens: Lens, family: str) -> list[str]:
    """The ids of the events coded to one indicator family."""
    _, evidence = analysis(snapshot, lens)
    scored = evidence.scored
    return sorted(set(scored.loc[scored["family"] == family, "event_id"]))


def selection(events: ir.Table, f: Filters, ids: list[str] | None) -> ir.Table:
    """Events matching the filters, newest first (all canonical columns).

    Every filter applies before the ordering, so DuckDB sorts only what matched.
    """
    if f.reliability:
        events = events.filter(events.reliability.isin(list(f.reliability)))
    if f.q:
        needle = f.q.lower()
        events = events.filter(
            events.title.fill_null("").lower().contains(needle)
            | events.summary.fill_null("").lower().contains(needle)
        )
    if ids is not None:
        wanted = ibis.memtable(pd.DataFrame({"event_id": ids}), schema={"event_id": "string"})
        events = events.semi_join(wanted, "event_id")
    return select_events(events, actors=f.actors, since=f.since, until=f.until, source=f.source)


def _selected(snapshot: Snapshot, lens: Lens, f: Filters) -> Any:
    """A function of the store giving the selection (the family's ids are looked up now)."""
    ids = family_ids(snapshot, lens, f.family) if f.family else None
    return lambda store: selection(store.events(), f, ids)


def events_page(snapshot: Snapshot, lens: Lens, f: Filters) -> dict[str, Any]:
    """One page of the selected events and how many there are in all."""

    selected = _selected(snapshot, lens, f)

    def run(store: Any) -> dict[str, Any]:
        expr = selected(store)
        # a text search scans every title: counting stops at SEARCH_COUNT_CAP matches
        counted = expr.limit(SEARCH_COUNT_CAP + 1) if f.q else expr
        total = int(store.execute(counted.count()))
        rows = store.to_arrow(expr.limit(f.limit, offset=f.offset)).to_pylist()
        capped = bool(f.q) and total > SEARCH_COUNT_CAP
        return {
            "total": min(total, SEARCH_COUNT_CAP) if capped else total,
            "total_is_lower_bound": capped,
            "events": [event_json(r) for r in rows],
        }

    found = snapshot.cached(("events", f), lambda: snapshot.query(run))
    return {"filters": f.as_query(), "limit": f.limit, "offset": f.offset, **found}


def facets(snapshot: Snapshot, lens: Lens) -> dict[str, Any]:
    """The values the filters offer: sources, families, grades, the date range."""

    def run(store: Any) -> dict[str, Any]:
        events = store.events()
        sources = store.execute(events.source.value_counts().order_by("source"))
        span = store.execute(events.aggregate(first=events.date.min(), last=events.date.max()))
        return {
            "sources": list(sources["source"]),
            "first": _clean(span["first"][0]), "last": _clean(span["last"][0]),
        }  # fmt: skip

    found = snapshot.cached("facets", lambda: snapshot.query(run))
    families = [{"id": fam.id, "title": fam.title} for fam in lens.families]
    return {**found, "families": families, "grades": list("ABCDEF")}


def export(snapshot: Snapshot, lens: Lens, f: Filters, fmt: str) -> bytes:
    """The selection (up to ``EXPORT_LIMIT`` rows) as CSV, JSON or Parquet."""

    selected = _selected(snapshot, lens, f)

    def run(store: Any) -> pa.Table:
        return store.to_arrow(selected(store).limit(EXPORT_LIMIT))

    table = snapshot.query(run)
    if fmt == "csv":
        return events_to_csv(table).encode("utf-8")
    if fmt == "json":
        return events_to_json(table).encode("utf-8")
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def event_detail(snapshot: Snapshot, event_id: str) -> dict[str, Any] | None:
    """One event with its sources, or None."""

    def run(store: Any) -> list[dict[str, Any]]:
        events = store.events()
        return list(store.to_arrow(events.filter(events.event_id == event_id).limit(1)).to_pylist())

    rows = snapshot.cached(("event", event_id), lambda: snapshot.query(run))
    return event_json(rows[0]) if rows else None


# -- sources ---------------------------------------------------------------------------


def sources(snapshot: Snapshot) -> dict[str, Any]:
    """What is loaded, from where and when: stats, the ingest ledger, quarantine counts."""

    def run(store: Any) -> dict[str, Any]:
        ledger = store.table("ingest_ledger")
        recent = store.execute(ledger.order_by(ledger.ingest_id.desc()).limit(200))
        quarantine = store.table("quarantine")
        counts = store.execute(
            quarantine.group_by(["source", "reason"]).aggregate(rows=quarantine.count())
            .order_by([ibis.desc("rows"), "source", "reason"]).limit(100)
        )  # fmt: skip
        return {
            "stats": store.stats(),
            "ledger": frame_records(recent),
            "quarantine_counts": frame_records(counts),
            "quarantined": [{k: _clean(v) for k, v in row.items()}
                            for row in store.quarantined(20)],
        }  # fmt: skip

    found = snapshot.cached("sources", lambda: snapshot.query(run))
    taken = dt.datetime.fromtimestamp(snapshot.taken_at, dt.UTC).isoformat(timespec="seconds")
    return {**found, "snapshot": {"version": snapshot.version, "taken_at": taken}}
