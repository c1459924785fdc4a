"""The CLI in process: the contract scripts rely on, and one-line errors with exit code 2."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from axiswatch.cli import main
from axiswatch.schema import COLUMNS

from .helpers import ledger_entry, write_ledger


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "cli.duckdb"


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    entries = [ledger_entry(n, actor="PRK" if n % 2 else "USA") for n in range(6)]
    entries.append(ledger_entry(99, date="2023-13-01"))
    return write_ledger(tmp_path / "ledger.yaml", entries)


def test_ingest_json_summary_and_idempotent_rerun(capsys, store, ledger):
    code, out, _ = run(capsys, "--store", store, "ingest", "ledger", ledger, "--json")
    summary = json.loads(out)
    assert code == 0
    assert (summary["files"], summary["accepted"], summary["rejected"]) == (1, 6, 1)
    assert summary["results"][0]["status"] == "partial"
    [row] = summary["quarantined"]
    assert row["file"] == "ledger.yaml" and row["line"] > 1 and "2023-13-01" in row["reason"]
    code, out, _ = run(capsys, "--store", store, "ingest", "ledger", ledger, "--json")
    assert code == 0 and json.loads(out)["results"][0]["status"] == "unchanged"


def test_events_filters_and_formats(capsys, store, ledger):
    run(capsys, "--store", store, "ingest", "ledger", ledger)
    code, out, _ = run(capsys, "--store", store, "events", "--format", "json", "--actor", "usa")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 3
    assert all("USA" in (row["actor"], row["recipient"]) for row in rows)
    assert list(rows[0]) == list(COLUMNS)
    assert rows[0]["date"] >= rows[-1]["date"]  # newest first, ISO dates
    window = ["--since", "2023-03-01", "--until", "2023-05-31", "--source", "ledger"]
    code, out, _ = run(capsys, "--store", store, "events", "--format", "csv", *window)
    table = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and table and list(table[0]) == list(COLUMNS)
    assert all("2023-03-01" <= row["date"] <= "2023-05-31" for row in table)
    assert json.loads(table[0]["tags"]) == ["summit"]
    code, out, _ = run(capsys, "--store", store, "events")
    assert code == 0 and "6 events" in out


def test_stats_json(capsys, store, ledger):
    run(capsys, "--store", store, "ingest", "ledger", ledger)
    code, out, _ = run(capsys, "--store", store, "stats", "--json")
    stats = json.loads(out)
    assert code == 0
    assert stats["events"] == 6 and stats["quarantined"] == 1
    assert stats["sources"]["ledger"]["first"] == "2023-01-01"


def test_store_from_environment(capsys, tmp_path, ledger, monkeypatch):
    monkeypatch.setenv("AXISWATCH_STORE", str(tmp_path / "env.duckdb"))
    code, _, _ = run(capsys, "ingest", "ledger", ledger)
    assert code == 0 and (tmp_path / "env.duckdb").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ingest", "ledger", "missing.yaml"], "missing.yaml: no such file"),
        (["ingest", "tweets", "x.csv"], "unknown source kind 'tweets'"),
        (["events", "--since", "yesterday"], "--since 'yesterday' is not a date"),
        (["brief", "--lens", "nope"], "no lens named 'nope'"),
        (["lens", "check", "bad.yaml"], "bad.yaml: no such lens file"),
    ],
)
def test_user_errors_are_one_line_with_exit_2(capsys, store, ledger, args, message):
    run(capsys, "--store", store, "ingest", "ledger", ledger)
    code, out, err = run(capsys, "--store", store, *args)
    assert code == 2
    assert message in err and err.count("\n") == 1 and "Traceback" not in err + out


def test_reading_a_store_that_is_not_there(capsys, tmp_path):
    code, _, err = run(capsys, "--store", tmp_path / "none.duckdb", "stats")
    assert code == 2 and err.startswith("error: ") and "no store here yet" in err


def test_a_corrupt_zip_is_one_line_and_recorded(capsys, store, tmp_path, shared_data):
    real = (shared_data / "gdelt" / "2024" / "20241029231500.export.CSV").read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("20241029231500.export.CSV", real)
    broken = tmp_path / "20241029231500.export.CSV.zip"
    broken.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    code, _, err = run(capsys, "--store", store, "ingest", "gdelt", broken)
    assert code == 2 and err.count("\n") == 1 and "20241029231500.export.CSV.zip" in err
    code, out, _ = run(capsys, "--store", store, "stats", "--json")
    assert json.loads(out)["files"] == {"failed": 1}


def test_the_real_corrupted_un_list(capsys, store, shared_data):
    path = shared_data / "dprk" / "un_sc_consolidated_list_2025-08-16_MOJIBAKE_dirty.xml"
    code, _, err = run(capsys, "--store", store, "ingest", "un-sanctions", path)
    assert code == 2 and err.count("\n") == 1
    assert "not well-formed XML at line" in err


def test_invalid_utf8_in_a_ledger(capsys, store, tmp_path, ledger):
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes(ledger.read_bytes().replace(b"Test event 1", b"Test \xe9vent 1"))
    code, _, err = run(capsys, "--store", store, "ingest", "ledger", bad)
    assert code == 2 and "not valid UTF-8" in err and "line " in err


def test_lens_check_and_show(capsys, tmp_path):
    code, out, _ = run(capsys, "lens", "check", "kim-putin-axis")
    assert code == 0 and out.startswith("kim-putin-axis: ok (17 families")
    code, out, _ = run(capsys, "lens", "show")
    assert code == 0 and "munitions_for_cash" in out


def test_version_and_help(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("axiswatch ")
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "brief" in out and "ingest" in out


def test_demo_builds_the_store_writes_the_briefing_and_prints_the_headline(capsys, tmp_path):
    store = tmp_path / "demo.duckdb"
    code, out, err = run(capsys, "--store", store, "demo", "--out", tmp_path / "out", "--no-serve")
    assert code == 0, err
    assert "Coded evidence of cooperation between North Korea and Russia" in out
    assert (tmp_path / "out" / "briefing.html").stat().st_size > 100_000
    assert (tmp_path / "out" / "briefing.md").exists()
    code, out, _ = run(capsys, "--store", store, "stats", "--json")
    sources = json.loads(out)["sources"]
    assert {k: v["events"] for k, v in sources.items() if k != "ledger"} == {
        "missiles": 339, "provocations": 493, "un-sanctions": 155, "gdelt": 3707,
    }  # fmt: skip
    code, again, _ = run(capsys, "--store", store, "demo", "--out", tmp_path / "out", "--no-serve")
    assert code == 0 and again.count("unchanged") == 7  # a second demo changes nothing
    code, out, _ = run(capsys, "--store", store, "index", "--format", "json")
    months = json.loads(out, parse_constant=lambda name: pytest.fail(f"{name} is not JSON"))
    assert code == 0 and months[0]["month"] == "2019-04-01"
    assert {"transactional", "strategic", "index", "strategic_share", "events"} <= set(months[0])
    busy = [m for m in months if m["events"]]
    assert all(1 <= len(m["top_events"]) <= 3 for m in busy)
    assert all(m["top_events"] == [] and m["strategic_share"] is None
               for m in months if not m["events"])  # fmt: skip


def test_a_folder_stands_for_the_files_its_kind_reads(capsys, store, shared_data):
    folder = shared_data / "gdelt" / "2024"  # three event files, a mentions file, a README
    code, out, _ = run(capsys, "--store", store, "ingest", "gdelt", folder, "--json")
    summary = json.loads(out)
    assert code == 0 and summary["files"] == 3
    assert sorted(r["file"] for r in summary["results"]) == [
        "20240515224500.export.CSV", "20240819130000.export.CSV", "20241029231500.export.CSV",
    ]  # fmt: skip


def test_indicator_series_by_month(capsys, tmp_path, ledger):
    store = tmp_path / "series.duckdb"
    run(capsys, "--store", store, "ingest", "ledger", ledger)
    code, out, _ = run(capsys, "--store", store, "series", "--family", "partnership")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and {r["family"] for r in rows} == {"partnership"}
    summitry = [r for r in rows if r["indicator"] == "summitry"]
    months = [r["month"] for r in summitry]
    # the three PRK->RUS entries fall in February, April and June; the months between are 0
    assert months == ["2023-02-01", "2023-03-01", "2023-04-01", "2023-05-01", "2023-06-01"]
    assert [int(r["events"]) for r in summitry] == [1, 0, 1, 0, 1]


@pytest.mark.parametrize(
    "command",
    [
        ["index"],
        ["index", "--format", "json"],
        ["series"],
        ["brief", "--format", "md"],
        ["stats"],
        ["events"],
    ],
)
def test_an_empty_store_answers_every_command(capsys, tmp_path, command):
    store = tmp_path / "empty.duckdb"
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    run(capsys, "--store", store, "ingest", "ledger", empty)
    args = [*command, "--out", tmp_path / "b.md"] if command[0] == "brief" else command
    code, out, err = run(capsys, "--store", store, *args)
    assert code == 0 and "Traceback" not in err, err


def test_a_rejected_file_exits_2_with_its_first_bad_row(capsys, store, tmp_path):
    bad = write_ledger(tmp_path / "bad.yaml", [ledger_entry(1, plover_type="FIGHT")])
    code, _, err = run(capsys, "--store", store, "ingest", "ledger", bad)
    assert code == 2 and err.count("\n") == 1
    assert "bad.yaml: file rejected: 1 of 1 rows bad" in err and "FIGHT" in err
