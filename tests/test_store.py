"""The store: idempotent, atomic loads; the ingest ledger; the quarantine."""

from __future__ import annotations

import datetime as dt
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from axiswatch.errors import StoreError
from axiswatch.ingest import ingest_file, ingest_files
from axiswatch.schema import events_table, new_event
from axiswatch.store import FileLoad, Store, archive_dir

from .helpers import ledger_entry, write_ledger

FAST = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip


def snapshot(store: Store) -> dict[str, object]:
    """Everything a load could change, in a comparable form."""
    events = store.con.execute(
        "SELECT * EXCLUDE (ingested_at) FROM events ORDER BY event_id"
    ).fetchall()
    quarantine = store.con.execute(
        "SELECT source, file, line, reason FROM quarantine ORDER BY ALL"
    ).fetchall()
    ledger = store.con.execute(
        "SELECT source, file, sha256, status, rows_accepted, rows_rejected FROM ingest_ledger "
        "ORDER BY ingest_id"
    ).fetchall()
    return {"events": events, "quarantine": quarantine, "ledger": ledger}


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "store.duckdb") as opened:
        yield opened


def test_a_new_store_has_its_tables(store):
    assert store.stats() == {
        "store": str(store.path), "events": 0, "sources": {}, "files": {}, "quarantined": 0,
    }  # fmt: skip


def test_reingesting_the_same_file_changes_nothing(store, tmp_path):
    path = write_ledger(tmp_path / "l.yaml", [ledger_entry(n) for n in range(5)])
    first = ingest_file(store, "ledger", path)
    before = snapshot(store)
    again = ingest_file(store, "ledger", path)
    assert (first.status, first.accepted, first.new) == ("loaded", 5, 5)
    assert again.status == "unchanged"
    assert snapshot(store) == before


def test_a_changed_file_replaces_events_by_id(store, tmp_path):
    write_ledger(tmp_path / "l.yaml", [ledger_entry(1), ledger_entry(2)])
    ingest_file(store, "ledger", tmp_path / "l.yaml")
    write_ledger(tmp_path / "l.yaml", [ledger_entry(1, title="Corrected"), ledger_entry(3)])
    result = ingest_file(store, "ledger", tmp_path / "l.yaml")
    titles = dict(store.con.execute("SELECT source_id, title FROM events").fetchall())
    assert result.new == 1
    assert titles == {"test-event-0001": "Corrected", "test-event-0002": "Test event 2",
                      "test-event-0003": "Test event 3"}  # fmt: skip


def test_bad_rows_are_quarantined_with_line_and_reason(store, tmp_path):
    entries = [ledger_entry(1), ledger_entry(2, date="2023-02-30"), ledger_entry(3, actor="XX"),
               ledger_entry(4), ledger_entry(5)]  # fmt: skip
    path = write_ledger(tmp_path / "l.yaml", entries)
    result = ingest_file(store, "ledger", path)
    rows = store.quarantined()
    lines = path.read_text(encoding="utf-8").splitlines()
    starts = {n + 1 for n, text in enumerate(lines) if text.startswith("- id: test-event-000")}
    assert (result.status, result.accepted, result.rejected) == ("partial", 3, 2)
    assert {row["line"] for row in rows} < starts and len(rows) == 2
    reasons = " | ".join(row["reason"] for row in rows)
    assert "2023-02-30" in reasons and "actor 'XX'" in reasons


def test_a_file_mostly_bad_is_rejected_whole(store, tmp_path):
    entries = [ledger_entry(1)] + [ledger_entry(n, plover_type="FIGHT") for n in range(2, 5)]
    result = ingest_file(store, "ledger", write_ledger(tmp_path / "l.yaml", entries))
    assert result.status == "rejected" and "3 of 4 rows bad" in (result.reason or "")
    assert store.stats()["events"] == 0
    assert len(store.quarantined()) == 4  # three rows and the file itself


def test_an_unreadable_file_is_recorded_as_failed(store, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("- id: [unclosed\n", encoding="utf-8")
    result = ingest_file(store, "ledger", path)
    assert result.status == "failed" and "not valid YAML at line" in (result.reason or "")
    assert store.stats()["files"] == {"failed": 1}


def test_a_missing_file_fails_alone_and_the_others_load(store, tmp_path):
    good = write_ledger(tmp_path / "l.yaml", [ledger_entry(1)])
    summary = ingest_files(store, "ledger", [tmp_path / "missing.yaml", good])
    assert [f.status for f in summary.files] == ["failed", "loaded"]
    assert store.stats()["events"] == 1


@pytest.mark.parametrize("step", ["_upsert_events", "_quarantine", "_write_ledger"])
def test_an_interrupted_load_leaves_the_store_as_it_was(store, tmp_path, monkeypatch, step):
    ingest_file(store, "ledger", write_ledger(tmp_path / "a.yaml", [ledger_entry(1)]))
    before = snapshot(store)
    entries = [ledger_entry(1, title="changed"), ledger_entry(2), ledger_entry(3, actor="bad")]
    path = write_ledger(tmp_path / "b.yaml", entries)

    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Store, step, interrupt)
    with pytest.raises(KeyboardInterrupt):
        ingest_file(store, "ledger", path)
    assert snapshot(store) == before


@FAST
@given(
    loads=st.lists(st.lists(st.integers(0, 30), min_size=0, max_size=12), min_size=1, max_size=4)
)
def test_any_sequence_of_loads_equals_the_union_of_its_files(tmp_path_factory, loads):
    """Property: load files in any order, reload any of them: the store holds their union."""
    folder = tmp_path_factory.mktemp("prop")
    with Store(folder / "s.duckdb") as store:
        paths = [write_ledger(folder / f"f{i}.yaml", [ledger_entry(n) for n in sorted(set(ns))])
                 for i, ns in enumerate(loads)]  # fmt: skip
        for path in paths + paths[::-1]:
            ingest_file(store, "ledger", path)
        stored = {row[0] for row in store.con.execute("SELECT source_id FROM events").fetchall()}
    assert stored == {f"test-event-{n:04d}" for ns in loads for n in ns}


@FAST
@given(
    texts=st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=5),
    tags=st.lists(st.text(max_size=10), max_size=3),
    intensity=st.floats(-10, 10),
)
def test_what_is_written_reads_back_equal(tmp_path_factory, texts, tags, intensity):
    """Property: any text, tags and score round-trip through the store unchanged."""
    events = [
        new_event("ledger", f"rt-{n}", date=dt.date(2024, 1, 1 + n), date_precision="day",
                  plover_type="AID", title=text, summary=text[::-1], tags=tags,
                  intensity=intensity, citations=[{"publisher": text, "title": "t",
                                                   "date": "2024", "url": None}])
        for n, text in enumerate(texts)
    ]  # fmt: skip
    load = FileLoad("ledger", "rt.yaml", "rt.yaml", "0" * 64, dt.datetime.now(dt.UTC))
    with Store(tmp_path_factory.mktemp("rt") / "s.duckdb") as store:
        store.record_load(load, events_table(events), [], "loaded")
        back = store.to_arrow(store.events().order_by("source_id")).to_pylist()
    keys = ("title", "summary", "tags", "intensity", "citations", "date")
    assert [{k: row[k] for k in keys} for row in back] == [{k: e[k] for k in keys} for e in events]


def test_a_file_that_is_not_a_duckdb_store_gives_a_clear_error(tmp_path):
    path = tmp_path / "not-a-store.duckdb"
    path.write_text("hello", encoding="utf-8")
    with pytest.raises(StoreError, match="cannot open as a DuckDB store"):
        Store(path)


def test_a_duckdb_file_of_another_program_is_not_taken_over(tmp_path):
    path = tmp_path / "other.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE mine (x INT)")
    with pytest.raises(StoreError, match="not an axiswatch store"):
        Store(path)


def test_reading_a_store_that_does_not_exist_says_so(tmp_path):
    with pytest.raises(StoreError, match="no store here yet"):
        Store(tmp_path / "none.duckdb", read_only=True)


KILL_SCRIPT = """
import sys
from axiswatch.store import Store
from axiswatch.ingest import ingest_file
with Store(sys.argv[1]) as store:
    print("ready", flush=True)
    for path in sys.argv[2:]:
        ingest_file(store, "ledger", path)
"""
FILES, PER_FILE = 24, 60


def _file_states(store_path: Path) -> list[tuple[bool, int]]:
    """For each test file: whether the ledger says it loaded, and how many of its events exist."""
    with Store(store_path) as store:
        loaded = {row[0] for row in store.con.execute(
            "SELECT file FROM ingest_ledger WHERE status = 'loaded'").fetchall()}  # fmt: skip
        ids = [row[0] for row in store.con.execute("SELECT source_id FROM events").fetchall()]
    counts = [sum(1 for i in ids if int(i.rsplit("-", 1)[1]) // 100 == f) for f in range(FILES)]
    return [(f"f{f:02d}.yaml" in loaded, counts[f]) for f in range(FILES)]


def test_kill_9_during_loads_leaves_each_file_all_or_nothing(tmp_path):
    """A real process loading many files, killed at random moments: each file whole or absent."""
    paths = [
        write_ledger(
            tmp_path / f"f{f:02d}.yaml", [ledger_entry(f * 100 + k) for k in range(PER_FILE)]
        )
        for f in range(FILES)
    ]
    store_path = tmp_path / "killed.duckdb"
    rng = random.Random(7)
    seen_partway = False
    for _ in range(5):
        command = [sys.executable, "-c", KILL_SCRIPT, str(store_path), *map(str, paths)]
        proc = subprocess.Popen(command, stdout=subprocess.PIPE)
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
        time.sleep(rng.uniform(0.1, 1.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        states = _file_states(store_path)
        assert all(count == (PER_FILE if loaded else 0) for loaded, count in states), states
        seen_partway |= 0 < sum(loaded for loaded, _ in states) < FILES
    assert seen_partway  # at least one kill landed in the middle of the batch
    with Store(store_path) as store:
        for path in paths:
            ingest_file(store, "ledger", path)
    assert _file_states(store_path) == [(True, PER_FILE)] * FILES


def test_events_include_the_gdelt_archive_once(tmp_path: Path) -> None:
    """Parquet under <store>.gdelt-archive/ is read with the table; an id in both counts once."""

    def event(n: int) -> dict:
        return new_event("gdelt", str(n), date=dt.date(2024, 10, 29), date_precision="day",
                         plover_type="CONSULT", file="f", line=n)  # fmt: skip

    path = tmp_path / "s.duckdb"
    with Store(path) as store:
        store.record_load(
            FileLoad("gdelt", "f", "f", "sha", dt.datetime.now(dt.UTC)),
            events_table([event(1), event(2)]), [], "loaded",
        )  # fmt: skip
    folder = archive_dir(path) / "day=2024-10-29"
    folder.mkdir(parents=True)
    pq.write_table(events_table([event(2), event(3), event(4)]), folder / "a.parquet")
    with Store(path, read_only=True) as store:
        ids = store.execute(store.events().source_id).tolist()
        stats = store.stats()
    assert sorted(ids) == ["1", "2", "3", "4"]
    assert stats["sources"]["gdelt"]["events"] == 4
    copy = tmp_path / "elsewhere" / "copy.duckdb"  # a copy (a dashboard snapshot, say)
    copy.parent.mkdir()
    copy.write_bytes(path.read_bytes())
    with Store(copy, read_only=True) as store:
        assert store.execute(store.events().count()) == 2  # no archive beside the copy
    with Store(copy, read_only=True, archive=archive_dir(path)) as store:
        assert store.execute(store.events().count()) == 4
