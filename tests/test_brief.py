"""The briefing on the real bundled data: sections, evidence links, sources, safety."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from axiswatch import Store, assessment, ingest_bundled, load_lens
from axiswatch.ingest import ingest_file
from axiswatch.report.brief import SECTIONS, render_brief, write_brief

from .helpers import ledger_entry, write_ledger


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = Store(tmp_path_factory.mktemp("brief") / "demo.duckdb")
    summary = ingest_bundled(store)
    assert not summary.failed
    yield store
    store.close()


@pytest.fixture(scope="module")
def demo(demo_store: Store):
    return assessment(demo_store, load_lens())


class Anchors(HTMLParser):
    """Collects ids, in-page links, external links and script sources of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.internal: list[str] = []
        self.external: list[str] = []
        self.script_src: list[str] = []
        self.h2: list[str] = []
        self._in_h2 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        href = values.get("href") or ""
        if tag == "a" and href:
            (self.internal if href.startswith("#") else self.external).append(href)
        if tag == "script" and values.get("src"):
            self.script_src.append(values["src"] or "")
        self._in_h2 = tag == "h2"

    def handle_data(self, data: str) -> None:
        if self._in_h2:
            self.h2.append(data.strip())
            self._in_h2 = False


def parsed(html: str) -> Anchors:
    parser = Anchors()
    parser.feed(html)
    return parser


def test_the_html_briefing_follows_the_paper_and_links_every_claim(demo, demo_store):
    result, evidence = demo
    html = render_brief(result, evidence, "html", demo_store.stats())
    page = parsed(html)
    assert page.h2 == [title for _, title in SECTIONS]
    assert {f"#{i}" for i in page.ids} >= set(page.internal)  # no dangling evidence link
    evidence_links = [h for h in page.internal if h.startswith("#ev-")]
    assert len(set(evidence_links)) > 100
    assert all(h.startswith(("http://", "https://")) for h in page.external)
    assert page.script_src == []  # the charts' scripts are inline: the file works offline
    assert "vegaEmbed(" in html and '"$schema"' in html


def test_the_headline_is_computed_from_the_evidence(demo):
    result, _ = demo
    headline = result.headline
    assert headline.before_mean is not None and headline.recent_mean is not None
    assert headline.recent_mean > headline.before_mean
    assert headline.verdict == (
        "strategic" if (headline.recent_share or 0) > 0.5 else "transactional"
    )
    assert headline.as_of is not None and headline.as_of <= result.as_of
    assert len(headline.evidence) == 5


def test_findings_cover_every_family_and_say_unknown_when_empty(demo):
    result, _ = demo
    lens = result.lens
    assert set(result.findings) == {f.id for f in lens.families}
    recommendations = result.of_kind("recommendation")
    assert len(recommendations) == 5
    statuses = (
        "happening",
        "some movement",
        "stalling",
        "stalled",
        "mixed",
        "reversing",
        "unknown",
    )
    assert all(f.status.startswith(statuses) for f in recommendations)
    information = result.findings["rec_information"]  # loudspeakers off, broadcasts stopped
    assert information.against_last_year > 0 and information.status.startswith("reversing")
    missiles = result.findings["driver_nuclear_missile"]
    assert missiles.events_total >= 339  # every CNS launch counts
    assert all(f.unknown == (f.events_total == 0) for f in result.findings.values())


def test_a_family_is_judged_within_what_its_sources_cover(demo):
    result, evidence = demo
    ledger_end = evidence.coverage["ledger"]
    assert result.findings["rec_deterrence"].as_of == ledger_end
    assert result.findings["threat_regional"].as_of == result.as_of  # CSIS runs later


def test_markdown_briefing_with_charts_beside_it(demo, demo_store, tmp_path):
    result, evidence = demo
    out = write_brief(result, evidence, tmp_path / "brief.md", "md", demo_store.stats())
    text = out.read_text(encoding="utf-8")
    for _, title in SECTIONS:
        assert f"## {title}" in text
    charts = re.findall(r"\]\((brief_charts/\w+\.svg)\)", text)
    assert charts and all(
        (tmp_path / c).read_text(encoding="utf-8").startswith("<svg") for c in charts
    )
    anchors = set(re.findall(r'<a id="(ev-[\w-]+)"></a>', text))
    assert set(re.findall(r"\]\(#(ev-[\w-]+)\)", text)) <= anchors


def test_since_sets_the_recent_window(demo_store):
    since = dt.date(2025, 6, 1)
    result, evidence = assessment(demo_store, load_lens(), since=since)
    dates = evidence.events.set_index("event_id").loc[result.recent, "date"]
    assert result.since == since and len(dates) and (dates.dt.date > since).all()


XSS_TITLE = '<script>alert("t")</script><img src=x onerror=alert(1)>'
XSS_URL = "javascript:alert(document.cookie)"


def test_hostile_text_stays_inert(tmp_path):
    entry = ledger_entry(1, title=XSS_TITLE, summary="</script><script>alert(2)</script> | [x](y)",
                         sources=[{"publisher": "<b>Evil</b>", "title": "t", "date": "2024-01-01",
                                   "url": "https://example.org/?q=<script>"}])  # fmt: skip
    bad_url = ledger_entry(
        2, sources=[{"publisher": "P", "title": "t", "date": "2024", "url": XSS_URL}]
    )
    with Store(tmp_path / "xss.duckdb") as store:
        result_1 = ingest_file(store, "ledger", write_ledger(tmp_path / "x.yaml", [entry, bad_url]))
        result, evidence = assessment(store, load_lens())
        html = render_brief(result, evidence, "html")
        markdown = render_brief(result, evidence, "md")
    assert (result_1.accepted, result_1.rejected) == (1, 1)  # a javascript: source is refused
    body = html.split("<script>", 1)[0]
    assert "<script>alert" not in body and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html
    assert all(h.startswith("http") for h in parsed(html).external)
    assert "\\<script\\>" in markdown and "javascript:" not in markdown


def test_only_http_links_are_ever_made():
    from axiswatch.report.brief import event_view

    row = {"event_id": "gdelt-1", "date": pd.Timestamp("2024-10-29"), "date_precision": "day",
           "source": "gdelt", "url": XSS_URL, "title": "t", "citations": None}  # fmt: skip
    assert event_view(row).citations[0].url is None
    row["citations"] = [{"publisher": "p", "title": "t", "date": "", "url": "data:text/html,x"}]
    assert event_view(row).citations[0].url is None


def test_the_chart_specs_are_valid_vega_lite(demo):
    from axiswatch.report.charts import briefing_charts

    result, evidence = demo
    charts = briefing_charts(result, evidence.scored)
    assert {"partnership", "strategic_share", "missiles", "threats"} <= set(charts)
    for spec in charts.values():
        assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
        json.dumps(spec)


def test_write_brief_is_atomic_and_leaves_no_temp_file(demo, tmp_path):
    result, evidence = demo
    out = write_brief(result, evidence, tmp_path / "b.html")
    assert out.exists() and not list(Path(tmp_path).glob("*.tmp"))


def test_missing_values_never_show_as_nan(demo, demo_store):
    result, evidence = demo
    for fmt in ("html", "md"):
        text = render_brief(result, evidence, fmt, demo_store.stats())
        assert not re.search(r"\bnan\b|\bNaN\b|\bNone\b", text.split("<script>")[0]), fmt


def test_signposts_are_judged_within_their_sources_coverage(demo):
    result, evidence = demo
    posts = {p.signpost: p for p in result.signposts}
    assert posts["troops_keep_coming"].as_of == evidence.coverage["ledger"]
    assert posts["troops_keep_coming"].fired  # further deployments reported in 2025
    assert posts["hostility_to_south"].as_of == result.as_of  # CSIS runs to the latest date


@pytest.mark.parametrize("setup", ["empty", "gdelt only", "before the data"])
def test_thin_evidence_gives_an_explained_briefing_not_a_crash(tmp_path, shared_data, setup):
    with Store(tmp_path / "thin.duckdb") as store:
        until = None
        if setup != "empty":
            ingest_file(
                store, "gdelt", shared_data / "gdelt" / "2024" / "20241029231500.export.CSV"
            )
        if setup == "before the data":
            until = dt.date(2000, 1, 1)
        result, evidence = assessment(store, load_lens(), until=until)
        html = render_brief(result, evidence, "html", store.stats())
        markdown = render_brief(result, evidence, "md", store.stats())
    assert result.headline.verdict == "unknown" and result.index.empty
    assert "No coded evidence of the partnership yet." in markdown
    assert all(f.unknown or f.status for f in result.findings.values())
    assert "Unknown: no coded evidence" in html
    assert not re.search(r"\bnan\b|\bNaN\b", markdown)


def test_the_briefing_carries_the_analytics(demo, demo_store):
    from axiswatch import analyse

    result, evidence = demo
    analytics = analyse(result, evidence.events, evidence.scored, evidence.signposts)
    html = render_brief(result, evidence, "html", demo_store.stats(), analytics=analytics)
    markdown = render_brief(result, evidence, "md", analytics=analytics)
    for text in (html, markdown):
        assert "May 2013" in text and "January 2022" in text  # the missile shifts
        assert "Kim and Putin meet at the Vostochny Cosmodrome" in text
        assert "Analysis of competing hypotheses" in text and "Diagnosticity" in text.title()
        assert "lower than the best naive forecast" in text
    page = parsed(html)
    assert {f"#{i}" for i in page.ids} >= set(page.internal)  # drivers link to their events
    skill = analytics.forecasts["missile_launches"].skill
    assert f"{skill.overall['covered']:.0%} of outcomes" in html


def test_every_analytics_chart_renders_offline(demo):
    import vl_convert

    from axiswatch import analyse
    from axiswatch.report.charts import analytics_charts

    result, evidence = demo
    charts = analytics_charts(analyse(result, evidence.events, evidence.scored,
                                      evidence.signposts, evaluate=False))  # fmt: skip
    assert {"index_bands", "scenario_history", "shifts_missile_launches",
            "forecast_missile_launches"} <= set(charts)  # fmt: skip
    for name, spec in charts.items():
        assert vl_convert.vegalite_to_svg(spec).startswith("<svg"), name


def test_a_scenario_no_signpost_moves_is_explained_in_the_briefing(tmp_path):
    from axiswatch.lens.model import LENS_DIR, parse_lens

    text = (LENS_DIR / "kim-putin-axis.yaml").read_text(encoding="utf-8")
    text = text.replace("likelihood: {china_takes_side: 3.0}", "likelihood: {}")
    text = text.replace("allied_counterweight: 1.2, china_takes_side: 1.2}",
                        "allied_counterweight: 1.2}")  # fmt: skip
    text = text.replace("allied_counterweight: 1.8, china_takes_side: 1.2}",
                        "allied_counterweight: 1.8}")  # fmt: skip
    lens = parse_lens(text, tmp_path / "l.yaml")
    with Store(tmp_path / "s.duckdb") as store:
        ingest_file(store, "ledger", write_ledger(tmp_path / "x.yaml", [ledger_entry(1)]))
        result, evidence = assessment(store, lens)
        markdown = render_brief(result, evidence, "md")
    assert "no signpost bears on this scenario" in markdown
    assert "no signpost has fired since the pivot" in markdown
    assert not re.search(r"\bnan\b|\bNaN\b|\bNone\b", markdown)
