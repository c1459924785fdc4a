"""gdeltPyR's side of the ingest benchmark; runs in its own venv (GPL code stays there).

Usage: python _gdeltpyr_job.py FIRST_DAY LAST_DAY {lens|all} CORE ACTORS
(days as YYYY-MM-DD; CORE and ACTORS comma-separated ISO3 codes; CORE_FIPS from the env).
Prints one JSON line: rows fetched, rows kept, seconds.
"""

from __future__ import annotations

import json
import os
import sys
import time

import gdelt


def main() -> None:
    first, last, job, core, actors = sys.argv[1:6]
    core_codes, actor_codes = core.split(","), actors.split(",")
    fips = os.environ.get("CORE_FIPS", "").split(",")
    started = time.perf_counter()
    searcher = gdelt.gdelt(version=2)
    days = first.replace("-", " ") if first == last else [first.replace("-", " "),
                                                           last.replace("-", " ")]  # fmt: skip
    frame = searcher.Search(days, table="events", coverage=True)
    rows = len(frame)
    kept = rows
    if job == "lens":
        a1, a2 = frame["Actor1CountryCode"], frame["Actor2CountryCode"]
        touches = a1.isin(core_codes) | a2.isin(core_codes)
        touches |= frame["ActionGeo_CountryCode"].isin(fips)
        between = a1.isin(actor_codes) & a2.isin(actor_codes)
        kept = int((touches | between).sum())
    seconds = time.perf_counter() - started
    print(json.dumps({"rows": rows, "kept": kept, "seconds": seconds}))


if __name__ == "__main__":
    main()
