"""``axiswatch gdelt sync`` against a real HTTP server on 127.0.0.1 that misbehaves on purpose.

The mirror's files are the real 2024 GDELT export (its North Korea–Russia rows included),
given fresh GlobalEventIDs per quarter-hour. Every fault ends as a retry, a skipped file
in the ledger, or a quarantine record with its reason; the good files load.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http.server
import io
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from axiswatch.cli import main
from axiswatch.errors import StoreError
from axiswatch.gdelt_sync import parse_file_list
from axiswatch.store import Store, archive_dir

DAY = dt.date(2024, 10, 29)
REAL = "20241029231500.export.CSV"


# --- a mirror that misbehaves ---------------------------------------------------------------


@dataclass
class Served:
    """What the server answers for one file: a status or bytes, per request in turn."""

    answers: list[int | bytes | float]  # an int is an HTTP status, a float a stall in seconds
    listed: bytes | None = None  # what the list's size and MD5 describe (default: the bytes)


@dataclass
class Mirror:
    files: dict[str, Served] = field(default_factory=dict)
    extra_list_lines: list[str] = field(default_factory=list)
    requests: Counter[str] = field(default_factory=Counter)
    delay: float = 0.0
    #: other file lists (lastupdate.txt, *-translation.txt): list name → file names in it
    lists: dict[str, list[str]] = field(default_factory=dict)

    def list_text(self, names: list[str] | None = None) -> str:
        lines = []
        for name, served in self.files.items():
            if names is not None and name not in names:
                continue
            body = served.listed
            if body is None:
                body = next((a for a in served.answers if isinstance(a, bytes)), b"")
            md5 = hashlib.md5(body).hexdigest()
            lines.append(f"{len(body)} {md5} http://data.gdeltproject.org/gdeltv2/{name}")
        extra = self.extra_list_lines if names is None else []
        return "\n".join(lines + extra) + "\n"

    def answer(self, name: str) -> int | bytes | float:
        self.requests[name] += 1
        if name == "masterfilelist.txt":
            return self.list_text().encode()
        if name in self.lists:
            return self.list_text(self.lists[name]).encode()
        served = self.files.get(name)
        if served is None:
            return 404
        index = min(self.requests[name], len(served.answers)) - 1
        return served.answers[index]


def _handler(mirror: Mirror) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            if mirror.delay:
                time.sleep(mirror.delay)
            answer = mirror.answer(self.path.rsplit("/", 1)[-1])
            if isinstance(answer, float):
                time.sleep(answer)
                answer = mirror.answer(self.path.rsplit("/", 1)[-1])
            if isinstance(answer, int):
                self.send_error(answer)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            try:
                self.wfile.write(answer)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def serve() -> Iterator[Callable[[Mirror], str]]:
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(mirror: Mirror) -> str:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(mirror))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/gdeltv2/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def real_lines(shared_data: Path) -> list[bytes]:
    return (shared_data / "gdelt" / "2024" / REAL).read_bytes().splitlines()


def export(lines: list[bytes], stamp: str, offset: int) -> bytes:
    """The real rows with GlobalEventIDs moved by ``offset`` and this quarter-hour's DATEADDED."""
    out = []
    for line in lines:
        fields = line.split(b"\t")
        if len(fields) == 61:
            fields[0] = str(int(fields[0]) + offset).encode()
            fields[59] = stamp.encode()
        out.append(b"\t".join(fields))
    return b"\n".join(out) + b"\n"


def zipped(member: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, data)
    return buffer.getvalue()


def stamp(day: dt.date, quarter: int) -> str:
    moment = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=15 * quarter)
    return moment.strftime("%Y%m%d%H%M%S")


def good_file(lines: list[bytes], day: dt.date, quarter: int) -> tuple[str, bytes]:
    when = stamp(day, quarter)
    name = f"{when}.export.CSV"
    return f"{name}.zip", zipped(name, export(lines, when, quarter * 10_000_000))


def good_mirror(lines: list[bytes], files: int) -> Mirror:
    return Mirror({n: Served([b]) for n, b in (good_file(lines, DAY, q) for q in range(files))})


def sync_cli(store: Path, base: str, *args: str, day: dt.date = DAY) -> int:
    return main([
        "--store", str(store), "gdelt", "sync", "--since", day.isoformat(), "--until",
        day.isoformat(), "--base-url", base, "--no-cache", "--workers", "3", "--retries", "2",
        "--backoff", "0.01", "--timeout", "1", "--json", *args,
    ])  # fmt: skip


def summary_of(capsys: pytest.CaptureFixture[str]) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def ledger(store: Path) -> dict[str, tuple[str, str | None]]:
    with Store(store, read_only=True) as s:
        rows = s.con.execute("SELECT file, status, reason FROM ingest_ledger").fetchall()
    return {file: (status, reason) for file, status, reason in rows}


def quarantine(store: Path) -> list[tuple[str, int, str]]:
    with Store(store, read_only=True) as s:
        return s.con.execute("SELECT file, line, reason FROM quarantine ORDER BY 1, 2").fetchall()


# --- the file list -------------------------------------------------------------------------------


def test_file_list_malformed_lines_are_reported_not_fatal() -> None:
    text = (
        "150383 297a16b493de7cf6ca809a7cc31d0b93 http://x/gdeltv2/20150218230000.export.CSV.zip\n"
        "garbage\n"
        "12 nothex http://x/gdeltv2/20150218230000.mentions.CSV.zip\n"
        "big 297a16b493de7cf6ca809a7cc31d0b93 http://x/gdeltv2/20150218230000.gkg.csv.zip\n"
        "1 297a16b493de7cf6ca809a7cc31d0b93 http://x/gdeltv2/notgdelt.zip\n"
        "\n"
        "318084 bb27f78ba45f69a17ea6ed7755e9f8ff "
        "http://x/gdeltv2/20150218224500.translation.mentions.CSV.zip\n"
    )
    files, malformed = parse_file_list(text)
    assert [(f.name, f.table, f.translingual) for f in files] == [
        ("20150218230000.export.CSV.zip", "events", False),
        ("20150218224500.translation.mentions.CSV.zip", "mentions", True),
    ]
    assert files[0].size == 150383 and files[0].stamp == dt.datetime(2015, 2, 18, 23)
    assert [n for n, _ in malformed] == [2, 3, 4, 5]
    assert "MD5" in malformed[1][1] and "size" in malformed[2][1] and "name" in malformed[3][1]


# --- faults -----------------------------------------------------------------------------------


def fault_mirror(lines: list[bytes]) -> tuple[Mirror, dict[str, str]]:
    """A day of files, one per fault; returns the mirror and file name → what it is."""
    mirror, kinds = Mirror(), {}

    def add(kind: str, quarter: int, served: Callable[[bytes, str], Served]) -> None:
        name, body = good_file(lines, DAY, quarter)
        mirror.files[name] = served(body, name)
        kinds[kind] = name

    add("good", 0, lambda b, n: Served([b]))
    add("missing", 1, lambda b, n: Served([404], listed=b))
    add("flaky", 2, lambda b, n: Served([500, 503, b]))
    add("stall", 3, lambda b, n: Served([3.0, b]))
    add("truncated", 4, lambda b, n: Served([b[: len(b) // 2]]))
    add("bad_md5", 5, lambda b, n: Served([b], listed=b[:-1] + b"x"))
    add("empty", 6, lambda b, n: Served([b""]))
    add("empty_body", 9, lambda b, n: Served([b""], listed=b))
    add("wrong_member", 7, lambda b, n: Served([zipped("other.CSV", b"x\n")]))
    bad_rows = list(lines)
    russian = [i for i, line in enumerate(lines) if line.split(b"\t")[7] == b"RUS"]
    kinds["lines"] = ",".join(str(i + 1) for i in (3, russian[0], russian[1]))
    bad_rows[3] = b"\t".join(bad_rows[3].split(b"\t")[:40])  # wrong column count
    fields = bad_rows[russian[0]].split(b"\t")
    fields[1] = b"20241399"  # bad date
    bad_rows[russian[0]] = b"\t".join(fields)
    fields = bad_rows[russian[1]].split(b"\t")
    fields[6] = b"Mosc\xff\xfew"  # invalid UTF-8 in Actor1Name
    bad_rows[russian[1]] = b"\t".join(fields)
    when = stamp(DAY, 8)
    body = zipped(f"{when}.export.CSV", export(bad_rows, when, 8 * 10_000_000))
    mirror.files[f"{when}.export.CSV.zip"] = Served([body])
    kinds["bad_rows"] = f"{when}.export.CSV.zip"
    mirror.extra_list_lines = ["not a list line", "1 2 3 4"]
    return mirror, kinds


@pytest.mark.parametrize("keep", ["lens", "all"])
def test_every_fault_ends_as_retry_skip_or_quarantine(
    shared_data: Path, tmp_path: Path, serve, capsys: pytest.CaptureFixture[str], keep: str
) -> None:
    mirror, kinds = fault_mirror(real_lines(shared_data))
    store = tmp_path / "s.duckdb"
    code = sync_cli(store, serve(mirror), "--keep", keep)
    summary = summary_of(capsys)
    assert code == 1  # a file still failed (MD5) after its retries: rerun to retry it
    width, date, utf8 = map(int, kinds.pop("lines").split(","))
    status = {kind: ledger(store)[name] for kind, name in kinds.items()}
    assert status["good"] == ("loaded", None)
    assert status["missing"] == ("skipped", "not found (404)")
    assert status["flaky"][0] == "loaded" and mirror.requests[kinds["flaky"]] == 3
    assert status["stall"][0] == "loaded" and mirror.requests[kinds["stall"]] >= 2
    assert status["truncated"][0] == "rejected" and "corrupt zip" in status["truncated"][1]
    assert status["bad_md5"][0] == "failed" and "MD5 differs" in status["bad_md5"][1]
    assert mirror.requests[kinds["bad_md5"]] == 3  # first try and two retries
    assert status["empty"] == ("skipped", "empty file (size 0 in the list)")
    assert status["empty_body"] == ("skipped", "empty file")
    assert status["wrong_member"][0] == "rejected" and "zip member is" in status["wrong_member"][1]
    assert status["bad_rows"][0] == "partial"
    reasons = {(f, line): why for f, line, why in quarantine(store)}
    bad = kinds["bad_rows"]
    assert reasons[(bad, width)] == "40 columns, expected 61"
    assert "Day" in reasons[(bad, date)] and "UTF-8" in reasons[(bad, utf8)]
    for kind in ("truncated", "bad_md5", "wrong_member"):
        assert reasons[(kinds[kind], 0)] == status[kind][1]
    assert summary["files"] == {"loaded": 3, "partial": 1, "skipped": 3, "rejected": 2,
                                "failed": 1}  # fmt: skip
    assert summary["retried"] == 5 and summary["quarantined"] == 6
    assert [m["line"] for m in summary["malformed_list_lines"]] == [11, 12]
    with Store(store, read_only=True) as s:
        events = s.events()
        kept = s.execute(events.count())
        pairs = s.execute(
            events.filter((events.actor == "PRK") & (events.recipient == "RUS")).count()
        )
    assert kept == summary["events_kept"] > 0
    assert pairs == 4  # one PRK→RUS event in each of the four good files


def test_a_rerun_fetches_only_what_is_not_done(
    shared_data: Path, tmp_path: Path, serve, capsys: pytest.CaptureFixture[str]
) -> None:
    mirror, kinds = fault_mirror(real_lines(shared_data))
    kinds.pop("lines")
    store, base = tmp_path / "s.duckdb", serve(mirror)
    sync_cli(store, base)
    first = summary_of(capsys)
    before = Counter(mirror.requests)
    mirror.files[kinds["bad_md5"]].listed = None  # the list is corrected upstream
    assert sync_cli(store, base) == 0
    again = summary_of(capsys)
    fetched = {n for n in mirror.requests if mirror.requests[n] > before[n]}
    assert fetched == {"masterfilelist.txt", kinds["bad_md5"]}
    assert again["done_before"] == 9 and again["files"] == {"loaded": 1}
    assert ledger(store)[kinds["bad_md5"]] == ("loaded", None)
    assert again["events_kept"] > 0 and first["events_kept"] > 0
    assert all(f != kinds["bad_md5"] for f, _, _ in quarantine(store))  # its record is gone


def test_cache_is_written_atomically_and_read_back(
    shared_data: Path, tmp_path: Path, serve, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = real_lines(shared_data)
    mirror = good_mirror(lines, 3)
    base, cache = serve(mirror), tmp_path / "cache"
    args = ["--since", DAY.isoformat(), "--until", DAY.isoformat(), "--base-url", base,
            "--cache", str(cache), "--json"]  # fmt: skip
    assert main(["--store", str(tmp_path / "a.duckdb"), "gdelt", "sync", *args]) == 0
    assert sorted(p.name for p in cache.iterdir()) == sorted(mirror.files)  # no temp files
    for name, served in mirror.files.items():
        assert (cache / name).read_bytes() == served.answers[0]
    before = Counter(mirror.requests)
    assert main(["--store", str(tmp_path / "b.duckdb"), "gdelt", "sync", *args]) == 0
    assert mirror.requests - before == Counter({"masterfilelist.txt": 1})
    first, second = (json.loads(x) for x in capsys.readouterr().out.strip().splitlines())
    assert first["events_kept"] == second["events_kept"] > 0 and second["bytes"] > 0


def test_keep_all_writes_parquet_that_events_reads(
    shared_data: Path, tmp_path: Path, serve, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    lines = real_lines(shared_data)
    mirror = good_mirror(lines, 2)
    store = tmp_path / "s.duckdb"
    assert sync_cli(store, serve(mirror), "--keep", "all") == 0
    summary = summary_of(capsys)
    parquet = sorted(archive_dir(store).glob("day=2024-10-29/*.parquet"))
    assert parquet and sum(pq.read_metadata(p).num_rows for p in parquet) == summary["events_kept"]
    assert summary["events_kept"] == 2 * 1159  # every mappable row of the real file, twice
    with Store(store, read_only=True) as s:
        assert s.scalar("SELECT count(*) FROM events") == 0  # the archive is beside the store
        assert s.execute(s.events().count()) == summary["events_kept"]
    assert main(["--store", str(store), "events", "--source", "gdelt", "--actor", "PRK",
                 "--format", "json"]) == 0  # fmt: skip
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 2 * 5 and {e["source"] for e in listed} == {"gdelt"}
    # a second sync from another folder, naming the store by a relative path, keeps it all
    monkeypatch.chdir(tmp_path)
    assert sync_cli(Path("s.duckdb"), serve(mirror), "--keep", "all") == 0
    assert summary_of(capsys)["done_before"] == 2
    assert sorted(archive_dir(store).glob("day=2024-10-29/*.parquet")) == parquet


def test_update_fetches_what_is_new_since_the_last_sync(
    shared_data: Path, tmp_path: Path, serve, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = real_lines(shared_data)
    mirror = good_mirror(lines, 2)
    store, base = tmp_path / "s.duckdb", serve(mirror)
    assert sync_cli(store, base) == 0
    later = dt.date(2024, 10, 30)
    mirror.files.update((n, Served([b])) for n, b in (good_file(lines, later, 0),))
    before = Counter(mirror.requests)
    assert main(["--store", str(store), "gdelt", "update", "--base-url", base, "--no-cache",
                 "--json"]) == 0  # fmt: skip
    fetched = mirror.requests - before
    assert fetched == Counter({"masterfilelist.txt": 1, f"{stamp(later, 0)}.export.CSV.zip": 1})


def test_mentions_give_each_event_its_citations(
    shared_data: Path, tmp_path: Path, serve, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = shared_data / "gdelt" / "2024"
    name = "20241029231500.export.CSV"
    mirror = Mirror({
        f"{name}.zip": Served([zipped(name, (folder / name).read_bytes())]),
        "20241029231500.mentions.CSV.zip": Served([zipped(
            "20241029231500.mentions.CSV", (folder / "20241029231500.mentions.CSV").read_bytes()
        )]),
    })  # fmt: skip
    store = tmp_path / "s.duckdb"
    assert sync_cli(store, serve(mirror), "--tables", "events,mentions") == 0
    summary = summary_of(capsys)
    assert summary["files"] == {"loaded": 2}
    with Store(store, read_only=True) as s:
        rows = s.con.execute(
            "SELECT source_id, citations FROM events WHERE actor = 'PRK' AND recipient = 'RUS'"
        ).fetchall()
    ((source_id, citations),) = rows
    assert citations and all(c["url"].startswith("http") for c in citations)
    mentions = (folder / "20241029231500.mentions.CSV").read_text().splitlines()
    expected = [m.split("\t") for m in mentions if m.split("\t")[0] == source_id]
    assert sorted(c["url"] for c in citations) == sorted(m[5] for m in expected)


def dyad_rows(lines: list[bytes]) -> list[bytes]:
    """The real file's PRK→RUS row recoded as a visit (042), a meeting offer (036) and
    economic cooperation (0311): rows the lens's GDELT indicators count."""
    row = next(
        line.split(b"\t") for line in lines if line.split(b"\t")[7:18:10] == [b"PRK", b"RUS"]
    )
    out = []
    for number, code in enumerate((b"042", b"036", b"0311"), start=1):
        fields = list(row)
        fields[0] = str(int(fields[0]) + 5_000 + number).encode()
        fields[26], fields[27], fields[28] = code, code[:3], code[:2]
        out.append(b"\t".join(fields))
    return out


def test_sync_then_brief_shows_gdelt_in_the_partnership_indicators(
    shared_data: Path, tmp_path: Path, serve, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = real_lines(shared_data) + dyad_rows(real_lines(shared_data))
    mirror = good_mirror(lines, 2)
    store = tmp_path / "s.duckdb"
    assert sync_cli(store, serve(mirror)) == 0
    capsys.readouterr()
    out = tmp_path / "brief.md"
    assert main(["--store", str(store), "brief", "--format", "md", "--out", str(out)]) == 0
    text = out.read_text()
    assert "No coded evidence of the partnership yet." not in text
    assert "Verdict on the evidence: strategic." in text
    assert "DPRK make a visit RUSSIA (gdelt)" in text


# --- kill -9 at any moment ------------------------------------------------------------------

SYNC_SCRIPT = """
import datetime as dt, sys
from axiswatch.gdelt_sync import SyncOptions, sync
from axiswatch.store import Store
day = dt.date(2024, 10, 29)
with Store(sys.argv[1]) as store:
    sync(store, SyncOptions(since=day, until=day, base_url=sys.argv[2], workers=2,
                            keep=sys.argv[3], batch_files=2, batch_seconds=0.1, retries=1,
                            backoff=0.01))
"""


def _run_sync(store: Path, base: str, keep: str, kill_after: float | None) -> None:
    proc = subprocess.Popen([sys.executable, "-c", SYNC_SCRIPT, str(store), base, keep])
    if kill_after is None:
        assert proc.wait(timeout=120) == 0
        return
    try:
        proc.wait(timeout=kill_after)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()


def _snapshot(store: Path) -> tuple[list[tuple], list[tuple]]:
    with Store(store, read_only=True) as s:
        events = s.to_arrow(s.events().drop("ingested_at").order_by("event_id")).to_pylist()
        files = s.con.execute(
            "SELECT file, status, rows_seen, rows_accepted, rows_rejected FROM ingest_ledger "
            "ORDER BY file"
        ).fetchall()
    return [tuple(e.values()) for e in events], files


@pytest.mark.parametrize("keep", ["lens", "all"])
def test_kill_9_at_random_moments_then_rerun_equals_a_clean_run(
    shared_data: Path, tmp_path: Path, serve, keep: str
) -> None:
    lines = real_lines(shared_data)
    mirror = Mirror(
        dict((n, Served([b])) for n, b in (good_file(lines, DAY, q) for q in range(24)))
    )
    mirror.delay = 0.15  # a slow mirror, so that kills land mid-sync
    base = serve(mirror)
    clean = tmp_path / "clean.duckdb"
    _run_sync(clean, base, keep, None)
    crashed = tmp_path / "crashed.duckdb"
    rng = random.Random(7)
    done_after_kills = []
    for _ in range(4):
        _run_sync(crashed, base, keep, rng.uniform(1.5, 3.5))
        try:  # a kill before the store's first commit leaves a file that is no store yet
            with Store(crashed, read_only=True) as s:
                done_after_kills.append(s.scalar("SELECT count(*) FROM ingest_ledger"))
        except StoreError:
            done_after_kills.append(0)
    _run_sync(crashed, base, keep, None)
    assert any(0 < done < 24 for done in done_after_kills), done_after_kills  # killed mid-sync
    assert _snapshot(crashed) == _snapshot(clean)
    assert len(_snapshot(clean)[1]) == 24 and len(_snapshot(clean)[0]) > 0
    if keep == "all":
        assert not list(archive_dir(crashed).rglob("*.tmp"))


def test_events_as_parquet_and_one_a_day(
    shared_data: Path, tmp_path: Path, serve, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = real_lines(shared_data) + dyad_rows(real_lines(shared_data))
    store = tmp_path / "s.duckdb"
    assert sync_cli(store, serve(good_mirror(lines, 2))) == 0
    capsys.readouterr()
    out = tmp_path / "dyad.parquet"
    dyad = ["--store", str(store), "events", "--actor", "PRK", "--format"]
    assert main([*dyad, "parquet", "--out", str(out)]) == 0
    table = pq.read_table(out)
    pairs = [r for r in table.to_pylist() if r["recipient"] == "RUS"]
    assert len(pairs) == 8  # the real 030 row and the three recoded ones, in each of two files
    assert table.schema.names[:3] == ["event_id", "source", "source_id"]
    assert main([*dyad, "json", "--one-a-day"]) == 0
    daily = [r for r in json.loads(capsys.readouterr().out) if r["recipient"] == "RUS"]
    assert sorted(r["cameo_code"][:2] for r in daily) == ["03", "04"]  # one per root code
    assert main([*dyad, "parquet"]) == 2
    assert "give --out FILE" in capsys.readouterr().err


def test_latest_and_translingual_read_their_own_lists(
    shared_data: Path, tmp_path: Path, serve, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = real_lines(shared_data)
    mirror = good_mirror(lines, 3)
    names = list(mirror.files)
    when = stamp(DAY, 3)
    translated = f"{when}.translation.export.CSV"
    mirror.files[f"{translated}.zip"] = Served([zipped(translated, export(lines, when, 9 * 10**8))])
    mirror.lists = {
        "lastupdate.txt": names[-1:],
        "lastupdate-translation.txt": [f"{translated}.zip"],
    }
    store, base = tmp_path / "s.duckdb", serve(mirror)
    latest = ["--store", str(store), "gdelt", "sync", "--latest", "--base-url", base,
              "--no-cache", "--json"]  # fmt: skip
    assert main(latest) == 0
    assert summary_of(capsys)["files"] == {"loaded": 1}
    assert set(ledger(store)) == {names[-1]}
    assert main([*latest, "--translingual"]) == 0
    assert set(ledger(store)) == {names[-1], f"{translated}.zip"}
    assert mirror.requests["masterfilelist.txt"] == 0
    assert sync_cli(store, base) == 0  # the master list: the two files not done yet
    assert summary_of(capsys)["files"] == {"loaded": 2}
