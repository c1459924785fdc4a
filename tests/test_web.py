"""The dashboard in process, through an httpx ASGI client: every route, its JSON twin, and
what a hostile feed or a hostile visitor might send."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pyarrow.parquet as pq
import pytest

from axiswatch import Store, assessment, ingest_file, load_lens
from axiswatch.cli.web import is_loopback
from axiswatch.schema import COLUMNS, events_table, new_event
from axiswatch.sources.base import Reject
from axiswatch.store import FileLoad, archive_dir
from axiswatch.web import Settings, create_app

from .helpers import ledger_entry, write_ledger

XSS_TITLE = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'
XSS_SUMMARY = '"><svg onload="window.__xss = 3"></svg> and <b>bold</b> & more'
EVIL_URL = "javascript:window.__xss = 4"
DATA_URL = "data:text/html,<script>1</script>"
TOKEN = "s3cret-token-for-tests"


def hostile_event(n: int, **changes: Any) -> dict[str, Any]:
    """An event as a hostile feed might deliver it (script in the text, script URLs)."""
    event = new_event(
        "hostile", f"h{n}", date=dt.date(2024, 6, 1 + n), date_precision="day",
        plover_type="CONSULT", actor="PRK", recipient="RUS", reliability="E", credibility=5,
        title=f"{XSS_TITLE} #{n}", summary=XSS_SUMMARY, url=EVIL_URL,
        citations=[
            {"publisher": "<i>Evil</i> Wire", "title": "x", "date": "2024", "url": EVIL_URL},
            {"publisher": "Data", "title": "y", "date": "", "url": DATA_URL},
            {"publisher": "Real Wire", "title": "z", "date": "", "url": "https://example.org/a?b=1&c=2"},
        ],
        tags=["summit"],
    )  # fmt: skip
    event.update(changes)
    return event


def build_store(path: Path) -> dict[str, Any]:
    """A store with 40 ledger events (real ingest) and 3 hostile ones (written directly)."""
    ledger = write_ledger(path.parent / "ledger.yaml", [ledger_entry(n) for n in range(40)])
    hostile = [hostile_event(n) for n in range(3)]
    with Store(path) as store:
        ingest_file(store, "ledger", ledger)
        load = FileLoad("hostile", "hostile<script>.jsonl", str(path.parent / "h.jsonl"), "0" * 64,
                        dt.datetime.now(dt.UTC))  # fmt: skip
        reject = Reject(7, "bad row <script>alert(1)</script>", "<script>raw</script>")
        store.record_load(load, events_table(hostile), [reject], "partial")
    return {"hostile": [e["event_id"] for e in hostile]}


def fetch(app: Any, url: str, method: str = "GET", **kwargs: Any) -> httpx.Response:
    """One request to the app in process."""

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.request(method, url, **kwargs)

    return asyncio.run(go())


def make_app(store: Path, **settings: Any) -> Any:
    return create_app(Settings(store, refresh_seconds=settings.pop("refresh", 3600.0), **settings))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("web")
    info = build_store(folder / "store.duckdb")
    app = make_app(folder / "store.duckdb", token=None)
    yield {"app": app, "path": folder / "store.duckdb", **info}
    app.state.board.snapshots.close()


def get(site: dict[str, Any], url: str, **kwargs: Any) -> httpx.Response:
    return fetch(site["app"], url, **kwargs)


PAGES = ["/", "/timeline", "/indicators", "/scenarios", "/explorer", "/sources"]
TWINS = {"/": "/overview.json", **{p: f"{p}.json" for p in PAGES[1:]}}


# -- every page and its JSON twin ---------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_with_its_json_twin(site, path):
    page = get(site, path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert f'href="{path}" aria-current="page"' in page.text
    twin = get(site, TWINS[path])
    assert twin.status_code == 200 and twin.headers["content-type"] == "application/json"
    assert get(site, f"{path}?format=json").json() == twin.json()
    assert f'href="{TWINS[path]}' in page.text  # each page links its twin


def test_overview_shows_the_assessment_of_the_store(site):
    with Store(site["path"], read_only=True) as store:
        result, _ = assessment(store, load_lens())
    data = get(site, "/overview.json").json()
    assert data["headline"]["sentences"] == result.headline.sentences
    assert data["headline"]["verdict"] == result.headline.verdict
    assert len(data["index"]) == len(result.index)
    assert {"transactional", "strategic", "index"} <= set(data["index"][0])
    assert [a["signpost"] for a in data["signposts_fired"]] == [
        s.signpost for s in result.signposts if s.fired
    ]
    from axiswatch.analysis.analytics import analyse

    with Store(site["path"], read_only=True) as store:
        _, evidence = assessment(store, load_lens())
    found = analyse(result, evidence.events, evidence.scored, evidence.signposts, forecast=())
    since = result.as_of - dt.timedelta(days=365)
    assert [a["id"] for a in data["alerts"]] == [a.id for a in found.open_alerts(since)]
    assert data["latest"][0]["date"] == "2024-06-03"  # the newest event
    page = get(site, "/").text
    assert result.headline.sentences[0].replace("'", "&#39;") in page
    assert 'data-chart="chart-partnership"' in page and "/static/vega-embed.min.js" in page


def test_timeline_filters(site):
    every = get(site, "/timeline.json?limit=500").json()
    assert every["total"] == 43 and len(every["events"]) == 43
    dates = [e["date"] for e in every["events"]]
    assert dates == sorted(dates, reverse=True)
    hostile = get(site, "/timeline.json?source=hostile").json()
    assert hostile["total"] == 3 and {e["source"] for e in hostile["events"]} == {"hostile"}
    graded = get(site, "/timeline.json?reliability=E&reliability=B&limit=500").json()
    assert graded["total"] == 43
    assert get(site, "/timeline.json?reliability=E").json()["total"] == 3
    window = get(site, "/timeline.json?since=2023-03-01&until=2023-03-31").json()
    assert window["total"] > 0
    assert all("2023-03-01" <= e["date"] <= "2023-03-31" for e in window["events"])
    assert get(site, "/timeline.json?actor=usa").json()["total"] == 0
    assert get(site, "/timeline.json?actor=rus").json()["total"] == 43
    family = get(site, "/timeline.json?family=china_watch").json()
    assert family["total"] == 0 and family["filters"] == {"family": "china_watch"}
    page2 = get(site, "/timeline.json?limit=10&offset=40").json()
    assert [e["event_id"] for e in page2["events"]] == [e["event_id"] for e in every["events"][40:]]
    html = get(site, "/timeline?source=hostile").text
    assert "1–3 of 3 events" in html and "<option selected>hostile</option>" in html


def test_the_dashboard_sees_the_gdelt_archive_beside_the_store(tmp_path):
    """A snapshot is a copy elsewhere; it still reads the original's Parquet archive."""
    path = tmp_path / "store.duckdb"
    build_store(path)
    folder = archive_dir(path) / "day=2024-10-29"
    folder.mkdir(parents=True)
    archived = [new_event("gdelt", f"9{n}", date=dt.date(2024, 10, 29), date_precision="day",
                          actor="PRK", recipient="RUS", plover_type="CONSULT",
                          title=f"archived {n}", file="a", line=n) for n in range(5)]  # fmt: skip
    pq.write_table(events_table(archived), folder / "a.parquet")
    app = make_app(path, token=None)
    try:
        gdelt = fetch(app, "/timeline.json?source=gdelt").json()
        sources = fetch(app, "/sources.json").text
    finally:
        app.state.board.snapshots.close()
    assert gdelt["total"] == 5
    assert {e["title"] for e in gdelt["events"]} == {f"archived {n}" for n in range(5)}
    assert '"gdelt"' in sources


def test_family_filter_selects_the_events_coded_to_it(site):
    with Store(site["path"], read_only=True) as store:
        _, evidence = assessment(store, load_lens())
    coded = set(evidence.scored.loc[evidence.scored["family"] == "partnership", "event_id"])
    assert coded  # the ledger's summits are partnership evidence
    found = get(site, "/timeline.json?family=partnership&limit=500").json()
    assert {e["event_id"] for e in found["events"]} == coded


def test_each_event_lists_its_sources_as_links(site):
    event = get(site, "/timeline.json?source=ledger&limit=1").json()["events"][0]
    assert event["citations"][0]["publisher"] == "Test Wire"
    page = get(site, f"/events/{event['event_id']}")
    assert page.status_code == 200 and event["title"] in page.text and "Test Wire" in page.text
    twin = get(site, f"/events/{event['event_id']}.json").json()
    assert twin["event"] == event and twin["notes"] == []
    assert get(site, "/events/led-0000000000000000").status_code == 404


def test_indicator_board_has_every_section_of_the_paper(site):
    data = get(site, "/indicators.json").json()
    kinds = {s["kind"]: s["findings"] for s in data["sections"]}
    assert list(kinds) == ["driver", "threat", "context", "china", "recommendation"]
    assert len(kinds["driver"]) == 4 and len(kinds["threat"]) == 2
    assert len(kinds["recommendation"]) == 5
    assert all({"status", "trend", "evidence"} <= set(f) for fs in kinds.values() for f in fs)
    html = get(site, "/indicators").text
    for findings in kinds.values():
        for f in findings:
            assert f'id="f-{f["family"]}"' in html


def test_scenarios_show_every_signpost_state(site):
    lens = load_lens()
    data = get(site, "/scenarios.json").json()
    assert [s["id"] for s in data["scenarios"]] == [s.id for s in lens.scenarios]
    for scenario, shown in zip(lens.scenarios, data["scenarios"], strict=True):
        assert [p["signpost"] for p in shown["signposts"]] == [p.id for p in scenario.signposts]
        assert shown["fired"] == sum(p["fired"] for p in shown["signposts"])
    html = get(site, "/scenarios").text
    assert all(s.title in html for s in lens.scenarios)


def test_scenarios_show_the_models_probabilities_and_ach_matrix(site):
    from axiswatch.analysis.analytics import analyse, scenario_record

    with Store(site["path"], read_only=True) as store:
        result, evidence = assessment(store, load_lens())
    expected = analyse(result, evidence.events, evidence.scored, evidence.signposts, forecast=())
    record = scenario_record(expected.scenarios)
    model = get(site, "/scenarios.json").json()["model"]
    assert model["probabilities"] == record["probabilities"]
    assert model["history"] == record["history"] and model["ach"] == record["ach"]
    assert abs(sum(model["probabilities"].values()) - 1) < 1e-3
    html = get(site, "/scenarios").text
    assert "Analysis of competing hypotheses" in html
    assert html.count('class="rating rating-') == len(record["ach"]) * len(record["priors"])
    assert ('data-chart="chart-probabilities"' in html) == bool(record["history"])


def test_explorer_searches_titles_and_summaries(site):
    found = get(site, "/explorer.json?q=synthetic event number 7").json()
    assert found["total"] == 1 and found["events"][0]["title"] == "Test event 7"
    assert get(site, "/explorer.json?q=TEST EVENT 3").json()["total"] == 11  # 3, 30-39
    assert get(site, "/explorer.json?q=TEST EVENT 39").json()["total"] == 1
    html = get(site, "/explorer?q=Test+event+3").text
    assert "Test event 3" in html and "/explorer/export.csv?q=Test+event+3" in html


def test_a_search_counts_up_to_its_cap(tmp_path, monkeypatch):
    from axiswatch.web import pages

    monkeypatch.setattr(pages, "SEARCH_COUNT_CAP", 5)
    build_store(tmp_path / "store.duckdb")
    app = make_app(tmp_path / "store.duckdb")
    try:
        found = fetch(app, "/explorer.json?q=test event&limit=3").json()
        assert found["total"] == 5 and found["total_is_lower_bound"] is True
        assert len(found["events"]) == 3
        assert "1–3 of 5+ events" in fetch(app, "/explorer?q=test+event&limit=3").text
        exact = fetch(app, "/explorer.json?q=test event 39").json()
        assert exact["total"] == 1 and exact["total_is_lower_bound"] is False
        assert fetch(app, "/timeline.json").json()["total"] == 43  # no search: an exact count
    finally:
        app.state.board.snapshots.close()


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_explorer_exports_the_selection(site, fmt):
    response = get(site, f"/explorer/export.{fmt}?source=ledger&since=2023-06-01")
    assert response.status_code == 200
    assert f'.{fmt}"' in response.headers["content-disposition"]
    expected = get(site, "/explorer.json?source=ledger&since=2023-06-01&limit=500").json()
    ids = [e["event_id"] for e in expected["events"]]
    if fmt == "csv":
        lines = response.text.splitlines()
        assert lines[0].split(",") == list(COLUMNS) and len(lines) == 1 + len(ids)
    elif fmt == "json":
        assert [row["event_id"] for row in response.json()] == ids
    else:
        table = pq.read_table(io.BytesIO(response.content))
        assert table.column_names == list(COLUMNS) and table.column("event_id").to_pylist() == ids


def test_sources_page_shows_the_ledger_and_quarantine(site):
    data = get(site, "/sources.json").json()
    assert data["stats"]["events"] == 43 and set(data["stats"]["sources"]) == {"ledger", "hostile"}
    assert [r["file"] for r in data["ledger"]] == ["hostile<script>.jsonl", "ledger.yaml"]
    assert data["quarantine_counts"] == [{"source": "hostile", "reason": "bad row <script>alert(1)"
                                          "</script>", "rows": 1}]  # fmt: skip
    assert data["store"] == str(site["path"]) and data["snapshot"]["version"] >= 1
    html = get(site, "/sources").text
    assert "hostile&lt;script&gt;.jsonl" in html and "<script>alert" not in html


def test_openapi_describes_every_route(site):
    paths = get(site, "/openapi.json").json()["paths"]
    for path in [*PAGES, *TWINS.values()]:
        assert path in paths and "get" in paths[path]
    assert "/explorer/export.{fmt}" in paths and "/events/{event_id}.json" in paths
    assert "post" in paths["/events/{event_id}/notes"]
    params = {p["name"] for p in paths["/timeline.json"]["get"]["parameters"]}
    assert {"since", "until", "actor", "source", "family", "reliability", "limit"} <= params


# -- hostile input ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/timeline?source=hostile", "/explorer?q=script", "/",
                                  "/overview.json", "/timeline.json?source=hostile"])  # fmt: skip
def test_script_in_event_text_stays_text(site, path):
    response = get(site, path)
    body = response.text
    assert "javascript:" not in body and "data:text/html" not in body
    if ".json" in path:  # JSON keeps the text as data, served as JSON, never sniffed
        assert response.headers["content-type"] == "application/json"
        return
    assert "<script>window.__xss" not in body and "<svg onload" not in body
    assert "<img src=x" not in body
    if "hostile" in path or "script" in path:
        assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in body
        assert 'href="https://example.org/a?b=1&amp;c=2"' in body


def test_only_http_links_survive(site):
    event_id = site["hostile"][0]
    data = get(site, f"/events/{event_id}.json").json()["event"]
    assert data["url"] is None
    assert [c["url"] for c in data["citations"]] == [None, None, "https://example.org/a?b=1&c=2"]
    html = get(site, f"/events/{event_id}").text
    assert "javascript:" not in html and "data:text/html" not in html
    assert "&lt;i&gt;Evil&lt;/i&gt; Wire" in html


def test_sql_in_filter_values_is_only_a_value(site):
    drop = get(site, "/explorer.json", params={"q": "'; DROP TABLE events; --"})
    assert drop.status_code == 200 and drop.json()["total"] == 0
    for pattern in ("Test_event", "Test%7", "%"):  # LIKE wildcards are plain characters
        assert get(site, "/explorer.json", params={"q": pattern}).json()["total"] == 0
    injected = get(site, "/timeline.json", params={"source": "x' OR '1'='1"})
    assert injected.status_code == 422
    quoted = get(site, "/timeline.json", params={"source": "ledger--"})
    assert quoted.status_code == 200 and quoted.json()["total"] == 0
    assert get(site, "/timeline.json?limit=500").json()["total"] == 43  # nothing was dropped


@pytest.mark.parametrize("query", [
    "limit=0", "limit=501", "limit=abc", "limit=1e9", "offset=-1", "offset=99999999999999999999",
    "since=2024-02-30", "since=yesterday", "until=2024-1-1", "since=" + "9" * 5000,
    "q=" + "x" * 201, "actor=ABCD", "actor=P1K", "&".join(["actor=PRK"] * 11),
    "reliability=Z", "reliability=AB", "family=no_such_family", "family=a;b", "format=xml",
    "source=" + "s" * 41,
])  # fmt: skip
def test_bad_parameters_are_refused_not_crashed(site, query):
    for path in ("/timeline", "/timeline.json", "/explorer/export.csv"):
        response = get(site, f"{path}?{query}")
        if "format=" in query and path != "/timeline":
            continue  # only the page itself takes ?format=
        assert response.status_code == 422, (path, query, response.text[:200])
        assert "detail" in response.json()


@pytest.mark.parametrize("path", [
    "/events/bad%20id", "/events/" + "a" * 129 + ".json", "/explorer/export.xlsx",
])  # fmt: skip
def test_bad_path_parameters_are_refused(site, path):
    assert get(site, path).status_code in (404, 422)


@pytest.mark.parametrize("path", [
    "/static/../store.py", "/static/..%2F..%2Fstore.py", "/static/%2e%2e/app.py",
    "/static/..%5Capp.py", "/static/app.py", "/static/templates/base.html", "/static/",
    "/static/LICENSE-vega.txt", "/static/" + "a" * 100,
])  # fmt: skip
def test_static_files_are_a_fixed_list(site, path):
    response = get(site, path)
    assert response.status_code in (404, 422)
    assert "import" not in response.text and "{%" not in response.text


def test_static_files_and_security_headers(site):
    for name, media in [("app.css", "text/css"), ("charts.js", "text/javascript"),
                        ("vega-embed.min.js", "text/javascript")]:  # fmt: skip
        response = get(site, f"/static/{name}")
        assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    for path in ["/", "/timeline.json", "/static/app.css", "/nowhere"]:
        headers = get(site, path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "default-src 'none'" in csp
        assert "unsafe" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"


# -- the one write: notes -----------------------------------------------------------------


def test_notes_are_refused_without_a_configured_token(site):
    event_id = site["hostile"][0]
    response = fetch(site["app"], f"/events/{event_id}/notes", "POST", json={"text": "hi"},
                     headers={"Authorization": "Bearer anything"})  # fmt: skip
    assert response.status_code == 403 and "read-only" in response.json()["detail"]


def test_notes_need_the_token_and_never_touch_events(tmp_path):
    store_path = tmp_path / "store.duckdb"
    info = build_store(store_path)
    app = make_app(store_path, token=TOKEN)
    event_id = info["hostile"][1]
    url = f"/events/{event_id}/notes"
    try:
        assert fetch(app, url, "POST", json={"text": "x"}).status_code == 401
        wrong = {"Authorization": "Bearer not-the-token"}
        assert fetch(app, url, "POST", json={"text": "x"}, headers=wrong).status_code == 401
        right = {"Authorization": f"Bearer {TOKEN}"}
        text = "<script>window.__xss = 5</script> seen in two reports"
        added = fetch(app, url, "POST", json={"text": text, "author": "analyst"}, headers=right)
        assert added.status_code == 201 and added.json()["note_id"] == 1
        long = fetch(app, url, "POST", json={"text": "x" * 4001}, headers=right)
        assert long.status_code == 422
        assert fetch(app, url, "POST", content=b"{not json", headers=right).status_code == 422
        missing = "/events/hos-ffffffffffffffff/notes"
        assert fetch(app, missing, "POST", json={"text": "x"}, headers=right).status_code == 404
        assert fetch(app, f"/events/{event_id}.json").json()["notes"][0]["text"] == text
        page = fetch(app, f"/events/{event_id}").text
        assert "&lt;script&gt;window.__xss = 5" in page and "<script>window.__xss" not in page
    finally:
        app.state.board.snapshots.close()
        app.state.board.notes.close()
    with Store(store_path, read_only=True) as store:
        tables = set(store.con.execute("SELECT table_name FROM duckdb_tables()").fetchnumpy()[
            "table_name"])  # fmt: skip
        assert "notes" not in tables and store.stats()["events"] == 43
    assert (tmp_path / "store.duckdb.notes.duckdb").exists()


# -- the store changes under the dashboard ------------------------------------------------

HOLD = """
import sys
from axiswatch import Store
store = Store(sys.argv[1])
print("holding", flush=True)
sys.stdin.read()
store.close()
"""


def test_serves_the_last_snapshot_while_a_writer_holds_the_store(tmp_path):
    store_path = tmp_path / "store.duckdb"
    build_store(store_path)
    app = make_app(store_path, refresh=0.0)
    board = app.state.board
    try:
        assert get({"app": app}, "/sources.json").json()["stats"]["events"] == 43
        command = [sys.executable, "-c", HOLD, str(store_path)]
        writer = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            assert writer.stdout is not None and writer.stdout.readline().strip() == "holding"
            store_path.touch()  # the file changed: a refresh is due, but the writer holds it
            assert board.snapshots._refresh() is False
            response = get({"app": app}, "/timeline.json")
            assert response.status_code == 200 and response.json()["total"] == 43
        finally:
            writer.communicate("", timeout=30)
        with Store(store_path) as store:
            extra = new_event("ledger", "late", date=dt.date(2025, 1, 1), date_precision="day",
                              plover_type="AGREE", title="A late event")  # fmt: skip
            load = FileLoad("ledger", "late.yaml", "late.yaml", "1" * 64, dt.datetime.now(dt.UTC))
            store.record_load(load, events_table([extra]), [], "loaded")
        deadline = time.monotonic() + 30
        while get({"app": app}, "/timeline.json").json()["total"] != 44:
            assert time.monotonic() < deadline, board.snapshots.last_error
            time.sleep(0.2)
        newest = get({"app": app}, "/timeline.json?limit=1").json()["events"][0]
        assert newest["title"] == "A late event"
    finally:
        board.snapshots.close()


def test_the_analysis_outlives_a_full_cache(tmp_path, monkeypatch):
    from axiswatch.web import snapshot

    monkeypatch.setattr(snapshot, "CACHE_ENTRIES", 2)
    build_store(tmp_path / "store.duckdb")
    app = make_app(tmp_path / "store.duckdb")
    try:
        for n in range(6):  # evicts everything but the pinned analysis
            assert fetch(app, f"/timeline.json?q=event {n}").status_code == 200
        coded = fetch(app, "/timeline.json?family=partnership").json()
        assert coded["total"] > 0
    finally:
        app.state.board.snapshots.close()


def test_an_empty_store_serves_every_page(tmp_path):
    Store(tmp_path / "empty.duckdb").close()
    app = make_app(tmp_path / "empty.duckdb")
    try:
        for path in [*PAGES, *TWINS.values(), "/explorer/export.csv"]:
            assert fetch(app, path).status_code == 200, path
        assert fetch(app, "/overview.json").json()["headline"]["verdict"] == "unknown"
        assert fetch(app, "/timeline.json").json()["total"] == 0
    finally:
        app.state.board.snapshots.close()


def test_a_missing_store_is_a_clear_error(tmp_path):
    from axiswatch.errors import StoreError
    from axiswatch.web import prepare

    app = make_app(tmp_path / "nothing.duckdb")
    response = fetch(app, "/")
    assert response.status_code == 503 and "no store here yet" in response.json()["detail"]
    with pytest.raises(StoreError, match="no store here yet"):
        prepare(app)


def test_a_file_that_is_not_a_store_is_a_clear_error(tmp_path):
    (tmp_path / "junk.duckdb").write_text("not a database")
    app = make_app(tmp_path / "junk.duckdb")
    response = fetch(app, "/timeline.json")
    assert response.status_code == 503 and "cannot open as a DuckDB store" in response.text


def test_pages_answer_head(site):
    response = fetch(site["app"], "/timeline", "HEAD")
    assert response.status_code == 200 and response.content == b""


def test_only_loopback_counts_as_local():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    assert not is_loopback("example.org")


def test_serve_refuses_a_missing_store(tmp_path, capsys):
    from axiswatch.cli import main

    assert main(["--store", str(tmp_path / "none.duckdb"), "serve"]) == 2
    first = capsys.readouterr().err
    assert "no store here yet" in first and "warning" not in first
    assert main(["--store", str(tmp_path / "none.duckdb"), "serve", "--host", "0.0.0.0"]) == 2
    assert "warning: serving on 0.0.0.0" in capsys.readouterr().err


def test_json_twins_are_plain_json(site):
    for path in TWINS.values():
        json.loads(get(site, path).content)  # no NaN, no Python reprs
        assert b"NaN" not in get(site, path).content
