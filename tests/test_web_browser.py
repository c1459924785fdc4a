"""The dashboard in a real browser (Debian's chromium) against a real uvicorn server.

Set ``AXISWATCH_SCREENSHOTS=docs/screenshots`` to keep the overview and timeline
screenshots for the docs; otherwise they stay in the test's temporary folder.
"""

from __future__ import annotations

import csv
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from axiswatch import Store, ingest_bundled
from axiswatch.web import Settings, create_app

from .helpers import chromium
from .test_web import build_store


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """uvicorn serving the dashboard on 127.0.0.1 in a thread of this process."""

    def __init__(self, store: Path) -> None:
        import uvicorn

        self.app = create_app(Settings(store, refresh_seconds=3600.0, token=None))
        self.port = _free_port()
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "the dashboard did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def demo_site(browser, tmp_path_factory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("demo")
    with Store(folder / "store.duckdb") as store:
        ingest_bundled(store)
    with Server(folder / "store.duckdb") as server:
        yield server


@pytest.fixture(scope="module")
def hostile_site(browser, tmp_path_factory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("hostile")
    build_store(folder / "store.duckdb")
    with Server(folder / "store.duckdb") as server:
        yield server


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    opened = context.new_page()
    problems: list[str] = []
    opened.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    opened.on("pageerror", lambda e: problems.append(str(e)))
    opened.on("dialog", lambda d: problems.append(f"dialog: {d.message}"))
    offsite: list[str] = []

    def local_only(route: Any) -> None:
        url = route.request.url
        if url.startswith("http://127.0.0.1:"):
            route.continue_()
        else:
            offsite.append(url)
            route.abort()

    opened.route("**/*", local_only)
    opened.problems = problems  # type: ignore[attr-defined]
    opened.offsite = offsite  # type: ignore[attr-defined]
    yield opened
    context.close()


def _keep(shot: Path, name: str) -> None:
    folder = os.environ.get("AXISWATCH_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, Path(folder) / name)


def test_overview_draws_its_charts_under_the_strict_policy(demo_site, page, tmp_path):
    response = page.goto(demo_site.url + "/")
    assert "unsafe-eval" not in response.headers["content-security-policy"]
    for name in ("partnership", "strategic_share"):
        page.wait_for_selector(f"#chart-{name} svg", timeout=20_000)
    bars = page.eval_on_selector_all("#chart-partnership svg path", "nodes => nodes.length")
    assert bars > 20
    assert page.locator(".verdict strong").inner_text() in ("strategic", "transactional")
    assert page.problems == [] and page.offsite == []  # no CSP violation, nothing from the web
    shot = tmp_path / "overview.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 30_000
    _keep(shot, "overview.png")


def test_indicators_board_draws_and_lists_every_question(demo_site, page):
    page.goto(demo_site.url + "/indicators")
    page.wait_for_selector("#chart-threats svg", timeout=20_000)
    assert page.locator("article.card").count() == 4 + 2 + 4 + 1 + 5
    assert page.problems == []


def test_scenarios_draw_probabilities_and_the_ach_matrix(demo_site, page, tmp_path):
    page.goto(demo_site.url + "/scenarios")
    page.wait_for_selector("#chart-probabilities svg", timeout=20_000)
    ratings = page.locator("table.ach td.rating").all_inner_texts()
    assert ratings and set(ratings) <= {"C", "I", "N"}
    assert page.problems == []
    page.screenshot(path=str(tmp_path / "scenarios.png"), full_page=False)


def test_filter_the_timeline_and_open_an_events_sources(demo_site, page, tmp_path):
    page.goto(demo_site.url + "/timeline")
    page.select_option("select[name=source]", "ledger")
    page.fill("input[name=actor]", "RUS")
    page.fill("input[name=since]", "2024-06-01")
    page.fill("input[name=until]", "2024-06-30")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/timeline?*source=ledger*")
    rows = page.locator("table.events tbody tr")
    assert rows.count() >= 1
    dates = rows.locator("td.d").all_inner_texts()
    assert all("2024-06-01" <= d <= "2024-06-30" for d in dates)
    assert set(rows.locator("td:nth-child(4)").all_inner_texts()) == {"ledger"}
    shot = tmp_path / "timeline.png"
    page.screenshot(path=str(shot), full_page=False)
    _keep(shot, "timeline.png")
    title = rows.first.locator("a.t").inner_text()
    rows.first.locator("a.t").click()
    page.wait_for_url("**/events/*")
    assert page.locator("h1").inner_text() == title
    links = page.locator("ul.sources a")
    assert links.count() >= 1
    hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
    assert all(h.startswith(("https://", "http://")) for h in hrefs)
    assert page.problems == []


def test_download_the_explorers_selection_as_csv(demo_site, page, tmp_path):
    page.goto(demo_site.url + "/explorer")
    page.fill("input[name=q]", "treaty")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/explorer?*q=treaty*")
    shown = page.locator("p.pager").first.inner_text()
    total = int(shown.split(" of ")[1].split()[0])
    with page.expect_download() as info:
        page.click("a.button:has-text('CSV')")
    saved = tmp_path / "selection.csv"
    info.value.save_as(saved)
    with saved.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == total > 0
    assert all("treaty" in (r["title"] + r["summary"]).lower() for r in rows)


def test_script_in_event_text_stays_inert(hostile_site, page):
    page.goto(hostile_site.url + "/timeline?source=hostile")
    titles = page.locator("table.events a.t").all_inner_texts()
    assert len(titles) == 3 and all(
        t.startswith("<script>window.__xss = 1</script>") for t in titles
    )
    page.locator("table.events a.t").first.click()
    page.wait_for_url("**/events/*")
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.locator("script").count() == 0  # the event page runs no script at all
    hrefs = page.eval_on_selector_all("a[href]", "nodes => nodes.map(n => n.href)")
    assert not any(h.startswith(("javascript:", "data:")) for h in hrefs)
    assert page.problems == []
