"""The HTML briefing in a real browser (Debian's chromium), with the network shut off."""

from __future__ import annotations

import pytest

from axiswatch import Store, assessment, ingest_bundled, load_lens
from axiswatch.report.brief import brief_context, write_brief

from .helpers import chromium


@pytest.fixture(scope="module")
def page():
    with chromium() as browser:
        yield browser.new_page(viewport={"width": 1200, "height": 1400})


def test_the_briefing_draws_every_chart_offline(page, tmp_path):
    with Store(tmp_path / "b.duckdb") as store:
        ingest_bundled(store)
        result, evidence = assessment(store, load_lens())
        out = write_brief(result, evidence, tmp_path / "briefing.html", "html", store.stats())
    expected = set(brief_context(result, evidence)["charts"])  # the analytics charts too
    assert len(expected) >= 10
    requests: list[str] = []
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def only_files(route) -> None:
        requests.append(route.request.url)
        route.continue_() if route.request.url.startswith("file://") else route.abort()

    page.route("**/*", only_files)
    page.goto(out.as_uri())
    for name in expected:
        page.wait_for_selector(f"#chart-{name} svg", timeout=15_000)
    drawn = page.eval_on_selector_all("figure.chart svg", "nodes => nodes.length")
    assert drawn >= len(expected) and errors == []
    assert all(url.startswith("file://") for url in requests)  # nothing from the network
    page.click("text=Evidence and sources")
    assert page.evaluate("location.hash") == "#evidence"
    page.screenshot(path=str(tmp_path / "briefing.png"), full_page=False)
    assert (tmp_path / "briefing.png").stat().st_size > 10_000
