"""GDELT ingest benchmark: axiswatch ``gdelt sync`` against gdeltPyR, side by side.

Builds a realistic GDELT 2.0 mirror (``_mirror.py``: 96 fifteen-minute zips a day, about
2,000 events each, rows resampled from the real 2024 files), serves it on 127.0.0.1, and
measures on the same bytes:

- the analyst's job: ``gdelt sync --keep lens`` against gdeltPyR's
  ``Search(..., table='events', coverage=True)`` plus a pandas filter to the same actors;
- the archive job: ``gdelt sync --keep all`` (Parquet) against gdeltPyR's ``Search`` alone;
- the floors: unzip alone, and unzip plus a DuckDB ``read_csv`` scan;
- peak RSS (the whole process tree) at 1, 4 and 16 days; a year extrapolated.

gdeltPyR (PyPI ``gdelt``, GPL) runs in its own venv (``benchmarks/.venv-gdeltpyr``), with
its schema files copied from ``../shared/data/gdeltpyr/``; it hard-codes GDELT's host, so
it reaches the mirror through ``HTTP_PROXY`` (the mirror server also answers as a proxy).
Events/s are events read from the files per second of each tool's own run (imports and
interpreter start-up left out on both sides). The table goes to ``docs/performance.md``
under ``## GDELT ingest``.

    python benchmarks/gdelt_ingest.py [--days 4] [--rss-days 1,4,16] [--pyr-days 1,4]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from benchmarks._mirror import build_mirror, serve  # noqa: E402

SHARED = Path(os.environ.get("AXISWATCH_SHARED_DATA", REPO.parent / "shared" / "data"))
START = dt.datetime(2024, 10, 28)
AXISWATCH = REPO / ".venv" / "bin" / "axiswatch"
PYR_VENV = HERE / ".venv-gdeltpyr"
PYR_PYTHON = PYR_VENV / "bin" / "python"
CORE, ACTORS, CORE_FIPS = "PRK,RUS", "PRK,RUS,CHN,KOR,JPN,USA,UKR", "KN,RS"
FILES_A_YEAR, EVENTS_A_YEAR = 35_040, 100_000_000
#: why the targets not met are not met, from a py-spy profile of the sync's threads (4 days,
#: 2 workers): update it when the profile changes
WHERE_THE_TIME_GOES = (
    "Where the time goes (py-spy, CPU samples of the sync's threads): in the analyst's job, "
    "pyarrow's CSV passes take 30%, inflating the zips 12%, the download and MD5 14%, and the "
    "main thread's mapping, upsert and commits 22%; with 2 cores shared by 3 busy threads the "
    "job is CPU-bound at more than twice the CPU of unzip alone, so the floor's 2× would need "
    "the lens filter to read the bytes without a CSV pass. In the archive job, mapping all "
    "650k rows takes 41% (lookups taken back onto the rows, range checks, titles, the "
    "geo-name clean-up) and the Parquet write (event ids, `attrs` JSON, zstd) 26%."
)


# --- helpers -------------------------------------------------------------------------------


def _tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def run_measured(cmd: list[str], env: dict[str, str] | None = None) -> tuple[str, float, int]:
    """Run a command; its stdout, wall seconds and peak RSS of its process tree."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            text=True)  # fmt: skip
    peak = 0
    output: dict[str, str] = {}

    def read() -> None:
        output["out"], output["err"] = proc.communicate()

    reader = threading.Thread(target=read)
    reader.start()
    while reader.is_alive():
        peak = max(peak, _tree_rss(proc.pid))
        reader.join(0.05)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({proc.returncode}): {output['err'][-2000:]}")
    return output["out"], wall, peak


def ensure_gdeltpyr() -> None:
    """The benchmark venv with gdeltPyR and its schema files."""
    if not PYR_PYTHON.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PYR_VENV)], check=True)
    probe = subprocess.run([str(PYR_PYTHON), "-c", "import gdelt"], capture_output=True)
    if probe.returncode != 0:
        subprocess.run([str(PYR_PYTHON), "-m", "pip", "install", "--quiet", "gdelt==0.1.14"],
                       check=True)  # fmt: skip
    site = subprocess.run(
        [str(PYR_PYTHON), "-c", "import site; print(site.getsitepackages()[0])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    data = Path(site) / "data"
    data.mkdir(exist_ok=True)
    for path in (SHARED / "gdeltpyr").iterdir():
        shutil.copy2(path, data / path.name)


def window(days: int) -> tuple[str, str]:
    last = START + dt.timedelta(days=days - 1)
    return START.strftime("%Y-%m-%d"), last.strftime("%Y-%m-%d")


# --- the runs ------------------------------------------------------------------------------


def best(run: Any, repeat: int) -> dict[str, Any]:
    """The fastest of ``repeat`` runs (other work on the machine only ever slows a run down),
    with the highest peak RSS among them."""
    runs = [run() for _ in range(max(1, repeat))]
    fastest = min(runs, key=lambda r: r["seconds"])
    return fastest | {"rss": max(r["rss"] for r in runs), "runs": len(runs)}


def axiswatch_run(work: Path, port: int, days: int, keep: str, workers: int) -> dict[str, Any]:
    store = work / f"bench-{keep}-{days}.duckdb"
    for stale in (store, Path(f"{store}.wal")):
        stale.unlink(missing_ok=True)
    shutil.rmtree(work / f"bench-{keep}-{days}.gdelt-archive", ignore_errors=True)
    first, last = window(days)
    cmd = [
        str(AXISWATCH), "--store", str(store), "gdelt", "sync", "--since", first, "--until", last,
        "--base-url", f"http://127.0.0.1:{port}/gdeltv2/", "--no-cache", "--keep", keep,
        "--workers", str(workers), "--json", "--quiet",
    ]  # fmt: skip
    out, wall, peak = run_measured(cmd)
    summary = json.loads(out)
    return {"events": summary["events_seen"], "kept": summary["events_kept"],
            "seconds": summary["seconds"], "wall": wall, "rss": peak,
            "files": sum(summary["files"].values()), "bytes": summary["bytes"]}  # fmt: skip


def gdeltpyr_run(port: int, days: int, job: str) -> dict[str, Any]:
    first, last = window(days)
    proxy = f"http://127.0.0.1:{port}"
    env = dict(os.environ, HTTP_PROXY=proxy, http_proxy=proxy, NO_PROXY="", no_proxy="",
               CORE_FIPS=CORE_FIPS)  # fmt: skip
    cmd = [str(PYR_PYTHON), str(HERE / "_gdeltpyr_job.py"), first, last, job, CORE, ACTORS]
    out, wall, peak = run_measured(cmd, env)
    found = json.loads(out.strip().splitlines()[-1])
    return {"events": found["rows"], "kept": found["kept"], "seconds": found["seconds"],
            "wall": wall, "rss": peak}  # fmt: skip


def _zips(mirror: Path, days: int) -> list[Path]:
    return sorted(mirror.glob("*.export.CSV.zip"))[: days * 96]


def _unzip(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(archive.infolist()[0])


def floor_unzip(mirror: Path, days: int, workers: int) -> dict[str, Any]:
    zips = _zips(mirror, days)
    blobs = [p.read_bytes() for p in zips]
    started = time.perf_counter()

    def one(blob: bytes) -> int:
        import io

        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            return len(archive.read(archive.infolist()[0]))

    with ThreadPoolExecutor(workers) as pool:
        size = sum(pool.map(one, blobs))
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "bytes": size, "zip_bytes": sum(map(len, blobs))}


def floor_unzip_scan(mirror: Path, days: int, work: Path, workers: int) -> dict[str, Any]:
    import duckdb

    unzip = floor_unzip(mirror, days, workers)["seconds"]
    folder = work / "floor-csv"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for path in _zips(mirror, days):
        (folder / path.name.removesuffix(".zip")).write_bytes(_unzip(path))
    con = duckdb.connect(config={"threads": workers})
    started = time.perf_counter()
    rows = con.sql(
        f"SELECT count(*) FROM read_csv('{folder}/*.CSV', delim = '\t', header = false, "
        "quote = '', escape = '', all_varchar = true, null_padding = true)"
    ).fetchall()[0][0]
    scan = time.perf_counter() - started
    shutil.rmtree(folder)
    return {"seconds": unzip + scan, "rows": rows}


# --- the report -----------------------------------------------------------------------------


def _rate(events: int, seconds: float) -> str:
    return f"{events / seconds / 1000:,.0f}k" if seconds else "-"


def _mb(value: int) -> str:
    return f"{value / 1e6:,.0f} MB"


def report(args: argparse.Namespace, results: dict[str, Any], files: int, events: int,
           cpu: str) -> str:  # fmt: skip
    lens, full = results["lens"], results["all"]
    pyr_lens, pyr_all = results.get("pyr_lens"), results.get("pyr_all")
    days = args.days
    lines = [
        "## GDELT ingest",
        "",
        f"Measured {results['measured_at']} UTC on {cpu}, with "
        f"`python benchmarks/gdelt_ingest.py --days {days} --rss-days "
        f"{args.rss_days} --pyr-days {args.pyr_days} --workers {args.workers} --repeat "
        f"{args.repeat}` (`make bench`); at {days} days each job ran {args.repeat} times per "
        "tool and the fastest run counts.",
        f"Mirror: {files} fifteen-minute zips ({days} days), {events:,} events resampled from "
        "the real 2024 GDELT files, served from 127.0.0.1. Events/s = events read from the "
        "files per second of each tool's own run (start-up left out on both sides); wall "
        "time includes it. Other work shared the 2 cores (load average "
        f"{results['load']:.1f} at the end), so figures vary from run to run.",
        "",
        f"| job ({days} days) | tool | events/s | seconds | wall s | events kept | peak RSS "
        "| speed-up |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]

    def row(job: str, tool: str, r: dict[str, Any], base: dict[str, Any] | None) -> str:
        ratio = "-"
        if base:
            ratio = f"**{_x((r['events'] / r['seconds']) / (base['events'] / base['seconds']))}**"
        return (f"| {job} | {tool} | {_rate(r['events'], r['seconds'])} | {r['seconds']:.2f} "
                f"| {r['wall']:.2f} | {r['kept']:,} | {_mb(r['rss'])} | {ratio} |")  # fmt: skip

    if pyr_lens:
        lines.append(row("analyst (lens)", "gdeltPyR Search + pandas filter", pyr_lens, None))
    lines.append(row("analyst (lens)", "axiswatch `gdelt sync --keep lens`", lens, pyr_lens))
    if pyr_all:
        lines.append(row("archive (all)", "gdeltPyR Search", pyr_all, None))
    lines.append(row("archive (all)", "axiswatch `gdelt sync --keep all` (Parquet)", full,
                     pyr_all))  # fmt: skip
    fu, fs = results["floor_unzip"], results["floor_scan"]
    lines += [
        "",
        "Floors on the same bytes, with as many threads as the sync's workers:",
        "",
        "| floor | seconds | events/s | axiswatch job | axiswatch / floor |",
        "|---|---:|---:|---|---:|",
        f"| unzip alone ({_mb(fu['zip_bytes'])} zipped → {_mb(fu['bytes'])}) | "
        f"{fu['seconds']:.2f} | {_rate(events, fu['seconds'])} | lens | "
        f"{lens['seconds'] / fu['seconds']:.1f}× |",
        f"| unzip + DuckDB `read_csv` scan | {fs['seconds']:.2f} | "
        f"{_rate(events, fs['seconds'])} | all | {full['seconds'] / fs['seconds']:.1f}× |",
        "",
        "Peak RSS (whole process tree) as the window grows:",
        "",
        "| days | events | axiswatch lens | axiswatch all | gdeltPyR |",
        "|---:|---:|---:|---:|---:|",
    ]
    for d, r in sorted(results["rss"].items()):
        pyr = _mb(r["pyr"]) if r.get("pyr") else "not run"
        lines.append(f"| {d} | {r['events']:,} | {_mb(r['lens'])} | {_mb(r['all'])} | {pyr} |")
    per_file = lens["seconds"] / lens["files"]
    year = per_file * FILES_A_YEAR
    lines += [
        "",
        f"A year (~{FILES_A_YEAR:,} files, ~{EVENTS_A_YEAR / 1e6:.0f} M events) extrapolated "
        f"from the {days}-day lens run on this machine: **{year / 60:.1f} minutes** for the "
        f"analyst's job ({per_file * 1000:.1f} ms a file); the archive job "
        f"{full['seconds'] / full['files'] * FILES_A_YEAR / 60:.1f} minutes. gdeltPyR would "
        "need about "
        + (f"{EVENTS_A_YEAR * 1.6e3 / 1e9:.0f} GB of memory to hold the year's rows"
           if pyr_all else "-")
        + ".",
        "",
    ]  # fmt: skip
    if pyr_lens and pyr_all:
        lens_x = (lens["events"] / lens["seconds"]) / (pyr_lens["events"] / pyr_lens["seconds"])
        all_x = (full["events"] / full["seconds"]) / (pyr_all["events"] / pyr_all["seconds"])
        rss = results["rss"]
        flat = (
            max(r["all"] for r in rss.values()) < 1e9 and max(r["lens"] for r in rss.values()) < 1e9
        )
        lines += [
            "Against the targets: analyst's job "
            + _verdict(lens_x >= 10, f"{_x(lens_x)} gdeltPyR (target ≥ 10×)")
            + "; archive job " + _verdict(all_x >= 5, f"{_x(all_x)} (target ≥ 5×)")
            + "; lens job against its floor (unzip alone) "
            + _verdict(lens["seconds"] <= 2 * fu["seconds"],
                       f"{lens['seconds'] / fu['seconds']:.1f}× (target within 2×)")
            + "; archive job against its floor "
            + _verdict(full["seconds"] <= 2 * fs["seconds"],
                       f"{full['seconds'] / fs['seconds']:.1f}× (target within 2×)")
            + "; peak RSS " + _verdict(flat, "under 1 GB at every window")
            + "; a year's analyst job " + _verdict(year < 300, f"{year / 60:.1f} min (target < 5)")
            + ".",
            "",
            WHERE_THE_TIME_GOES,
            "",
            f"Events kept differ by design: gdeltPyR's filtered frame keeps CAMEO 01 statements "
            f"({pyr_lens['kept'] - lens['kept']:,} of its {pyr_lens['kept']:,}), which axiswatch "
            "counts as skipped by rule (PLOVER codes no statements); the archive job likewise "
            "stores every row but those. gdeltPyR's RSS grows with the window (it holds every row "
            "in pandas); axiswatch streams file by file, in batches, and its peak grows little "
            f"({_mb(min(r['lens'] for r in rss.values()))} to "
            f"{_mb(max(r['lens'] for r in rss.values()))} for the lens job, "
            f"{_mb(min(r['all'] for r in rss.values()))} to "
            f"{_mb(max(r['all'] for r in rss.values()))} for the archive job, "
            f"from {min(rss)} to {max(rss)} days).",
            "",
        ]  # fmt: skip
    return "\n".join(lines)


def _x(ratio: float) -> str:
    """A speed-up, cut (not rounded) to 0.1: 9.97 is 9.9×, so it never reads as a target met."""
    return f"{math.floor(ratio * 10) / 10:.1f}×"


def _verdict(met: bool, text: str) -> str:
    return f"{text}, {'met' if met else '**not met**'}"


def write_section(path: Path, section: str) -> None:
    """Put the section in the file: replace an earlier '## GDELT ingest' section, keep the rest."""
    text = path.read_text() if path.exists() else "# Performance\n\n"
    start = text.find("## GDELT ingest")
    if start < 0:  # first, before any other section
        first = text.find("\n## ")
        head, rest = (text, "") if first < 0 else (text[: first + 1], text[first + 1 :])
        text = head.rstrip("\n") + "\n\n" + section + ("\n" + rest if rest else "")
    else:
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + ("\n" + text[end + 1 :] if end >= 0 else "")
    path.write_text(text)


def _cpu() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return f"{os.cpu_count()} cores ({model})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=4)
    parser.add_argument("--rss-days", default="1,4,16")
    parser.add_argument("--pyr-days", default="1,4", help="windows gdeltPyR runs on")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--work", type=Path, default=HERE / ".work")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "performance.md")
    parser.add_argument("--no-gdeltpyr", action="store_true")
    parser.add_argument(
        "--render", action="store_true", help="rewrite the section from the last results.json"
    )
    parser.add_argument(
        "--repeat", type=int, default=2, help="runs of each job at --days; the fastest counts"
    )
    args = parser.parse_args()
    rss_days = sorted({int(d) for d in args.rss_days.split(",")} | {args.days})
    pyr_days = {int(d) for d in args.pyr_days.split(",")} if not args.no_gdeltpyr else set()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.render:
        results = json.loads((args.work / "results.json").read_text())
        results["rss"] = {int(d): r for d, r in results["rss"].items()}
        section = report(args, results, args.days * 96, results["lens"]["events"], _cpu())
        write_section(args.out, section)
        print(section)
        return
    mirror = args.work / "mirror"
    print(f"building the mirror ({max(rss_days)} days) ...", file=sys.stderr)
    build_mirror(mirror, SHARED / "gdelt" / "2024", max(rss_days), start=START)
    if pyr_days:
        ensure_gdeltpyr()
    server, port = serve(mirror)
    results: dict[str, Any] = {"rss": {}}
    try:
        for days in rss_days:
            repeat = args.repeat if days == args.days else 1
            print(f"{days} day(s): axiswatch lens, all", file=sys.stderr)
            lens = best(partial(axiswatch_run, args.work, port, days, "lens", args.workers), repeat)
            full = best(partial(axiswatch_run, args.work, port, days, "all", args.workers), repeat)
            entry = {"events": lens["events"], "lens": lens["rss"], "all": full["rss"]}
            if days in pyr_days:
                print(f"{days} day(s): gdeltPyR lens, all", file=sys.stderr)
                pyr_lens = best(partial(gdeltpyr_run, port, days, "lens"), repeat)
                pyr_all = best(partial(gdeltpyr_run, port, days, "all"), repeat)
                entry["pyr"] = max(pyr_lens["rss"], pyr_all["rss"])
                if days == args.days:
                    results["pyr_lens"], results["pyr_all"] = pyr_lens, pyr_all
            if days == args.days:
                results["lens"], results["all"] = lens, full
            results["rss"][days] = entry
            print(json.dumps({"days": days, "lens": lens, "all": full}), file=sys.stderr)
        print("floors", file=sys.stderr)
        results["floor_unzip"] = floor_unzip(mirror, args.days, args.workers)
        results["floor_scan"] = floor_unzip_scan(mirror, args.days, args.work, args.workers)
    finally:
        server.shutdown()
    events = results["lens"]["events"]
    results["measured_at"] = f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M}"
    results["load"] = os.getloadavg()[0]
    (args.work / "results.json").write_text(json.dumps(results, indent=1))
    section = report(args, results, args.days * 96, events, _cpu())
    write_section(args.out, section)
    print(section)


if __name__ == "__main__":
    main()
