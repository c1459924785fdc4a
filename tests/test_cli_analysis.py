"""The analytics commands in process: JSON with ISO dates, the webhook against a real
local HTTP server, the state file, and thin stores answered without a traceback."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from axiswatch import Store, ingest_bundled

from .test_cli import run


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-analysis") / "demo.duckdb"
    with Store(path) as store:
        assert not ingest_bundled(store).failed
    return path


class Hook(BaseHTTPRequestHandler):
    """Records every POSTed JSON body; answers with the server's chosen status."""

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        length = int(self.headers["Content-Length"])
        self.server.bodies.append(json.loads(self.rfile.read(length)))  # type: ignore[attr-defined]
        self.send_response(self.server.status)  # type: ignore[attr-defined]
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    server.bodies, server.status = [], 200  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def loads(text: str):
    return json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} is not JSON"))


def test_changepoints_json_covers_every_series_with_the_missiles(capsys, demo_store):
    code, out, err = run(capsys, "--store", demo_store, "changepoints", "--json")
    records = {r["series"]: r for r in loads(out)}
    assert code == 0, err
    assert {"missile_launches", "partnership_index", "partnership_mix"} <= set(records)
    months = [p["month"] for p in records["missile_launches"]["change_points"]]
    assert months == ["2013-05-01", "2022-01-01"]
    assert all(p["drivers"] for p in records["missile_launches"]["change_points"])
    code, out, _ = run(capsys, "--store", demo_store, "changepoints", "--series",
                       "partnership_mix", "--json")  # fmt: skip
    assert [r["series"] for r in loads(out)] == ["partnership_mix"]
    code, _, err = run(capsys, "--store", demo_store, "changepoints", "--series", "nope")
    assert code == 2 and err.startswith("error: no series nope") and err.count("\n") == 1


def test_forecast_json_prints_the_forecast_and_its_skill(capsys, demo_store):
    code, out, err = run(capsys, "--store", demo_store, "forecast", "--series",
                         "missile_launches", "--json")  # fmt: skip
    (record,) = loads(out)
    assert code == 0, err
    assert [m["horizon"] for m in record["forecast"]] == [1, 2, 3, 4, 5, 6]
    assert record["forecast"][0]["month"] == "2026-05-01"
    skill = record["skill"]
    assert set(skill["crps"]) == {"model", "last_value", "seasonal_mean", "long_run_mean"}
    assert 0.75 <= skill["coverage_80"] <= 0.85 and len(skill["by_horizon"]) == 6
    code, out, _ = run(capsys, "--store", demo_store, "forecast")
    assert code == 0 and "CRPS" in out and "cooperative_events" in out


def test_scenarios_json(capsys, demo_store):
    code, out, _ = run(capsys, "--store", demo_store, "scenarios", "--json")
    record = loads(out)
    assert code == 0 and sum(record["probabilities"].values()) == pytest.approx(1, abs=1e-3)
    assert record["history"][0]["month"] == "2022-02-01"
    assert {r["signpost"] for r in record["ach"]} >= {"troops_keep_coming", "rok_lethal_aid"}
    assert all(set(r["ratings"].values()) <= {"C", "I", "N"} for r in record["ach"])


def test_index_json_has_bands_components_and_weeks(capsys, demo_store):
    code, out, _ = run(capsys, "--store", demo_store, "index", "--json", "--since", "2024-06-01")
    months = loads(out)
    assert code == 0 and months[0]["month"] == "2024-06-01"
    assert {"index_low", "index_high", "strategic_share_6m", "transactional"} <= set(months[0])
    code, out, _ = run(capsys, "--store", demo_store, "index", "--freq", "week", "--json")
    weeks = loads(out)
    assert code == 0 and all(w["week"] for w in weeks) and len(weeks) > 300
    code, out, _ = run(capsys, "--store", demo_store, "index", "--family", "threat_institutional",
                       "--format", "json")  # fmt: skip
    assert code == 0 and loads(out)[0]["top_events"]


def test_alerts_post_to_a_webhook_and_a_rerun_sends_only_what_is_new(
    capsys, demo_store, webhook, tmp_path
):
    url = f"http://127.0.0.1:{webhook.server_address[1]}/hook"
    state = tmp_path / "alerts-state.json"
    args = ["--store", demo_store, "alerts", "--since", "2024-01-01", "--state", state]
    code, out, err = run(capsys, *args, "--webhook", url, "--json")
    sent = loads(out)
    assert code == 0, err
    assert len(webhook.bodies) == 1 and webhook.bodies[0]["count"] == len(sent) > 5
    assert [a["id"] for a in webhook.bodies[0]["alerts"]] == [a["id"] for a in sent]
    assert all(a["evidence"] and a["date"] >= "2024-01-01" for a in sent)
    assert set(json.loads(state.read_text())["sent"]) == {a["id"] for a in sent}
    code, out, _ = run(capsys, *args, "--webhook", url, "--json")
    assert code == 0 and loads(out) == [] and len(webhook.bodies) == 1  # nothing new, no POST
    code, out, _ = run(capsys, "--store", demo_store, "alerts", "--since", "2023-01-01",
                       "--state", state, "--webhook", url, "--json")  # fmt: skip
    older = loads(out)
    assert older and all(a["date"] < "2024-01-01" for a in older)
    assert webhook.bodies[1]["alerts"] == older


def test_a_failing_webhook_is_one_line_and_the_state_does_not_advance(
    capsys, demo_store, webhook, tmp_path
):
    webhook.status = 500
    url = f"http://127.0.0.1:{webhook.server_address[1]}/hook"
    state = tmp_path / "state.json"
    code, _, err = run(capsys, "--store", demo_store, "alerts", "--state", state, "--webhook", url)
    assert code == 2 and err.count("\n") == 1 and "HTTP 500" in err and not state.exists()
    webhook.shutdown()
    webhook.server_close()
    code, _, err = run(capsys, "--store", demo_store, "alerts", "--state", state, "--webhook", url)
    assert code == 2 and err.count("\n") == 1 and "failed" in err and not state.exists()


def test_a_bad_state_file_is_one_line(capsys, demo_store, tmp_path):
    state = tmp_path / "state.json"
    state.write_text("[1, 2", encoding="utf-8")
    code, _, err = run(capsys, "--store", demo_store, "alerts", "--state", state)
    assert code == 2 and "not an alerts state file" in err and err.count("\n") == 1


@pytest.mark.parametrize(
    "command",
    [["changepoints"], ["changepoints", "--json"], ["alerts", "--json"], ["scenarios"],
     ["scenarios", "--json"], ["forecast"], ["forecast", "--json"], ["index", "--json"],
     ["index", "--freq", "week"]],
)  # fmt: skip
def test_an_empty_store_answers_every_analytics_command(capsys, tmp_path, command):
    store = tmp_path / "empty.duckdb"
    Store(store).close()
    code, out, err = run(capsys, "--store", store, *command)
    assert code == 0 and "Traceback" not in err, err
    if "--json" in command:
        loads(out)
