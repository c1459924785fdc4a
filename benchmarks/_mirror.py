"""A realistic local GDELT 2.0 mirror for the ingest benchmark.

``build_mirror`` writes 15-minute event zips whose rows are drawn (with replacement) from
the real 2024 GDELT files, each file's rows given fresh consecutive GlobalEventIDs and the
file's own DATEADDED, plus a ``masterfilelist.txt`` with sizes and MD5s, as GDELT lists
them. ``serve`` answers both as a mirror (``http://127.0.0.1:PORT/gdeltv2/NAME``) and as an
HTTP proxy for clients that insist on ``http://data.gdeltproject.org/gdeltv2/NAME``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http.server
import io
import random
import threading
import urllib.parse
import zipfile
from pathlib import Path

GDELT_V2 = "http://data.gdeltproject.org/gdeltv2/"


def real_rows(folder: Path) -> list[list[bytes]]:
    """The rows (as lists of fields) of the real GDELT 2.0 export files in ``folder``."""
    rows = []
    for path in sorted(folder.glob("*.export.CSV")):
        for line in path.read_bytes().splitlines():
            fields = line.split(b"\t")
            if len(fields) == 61:
                rows.append(fields)
    return rows


def stamps(start: dt.datetime, days: int) -> list[dt.datetime]:
    return [start + dt.timedelta(minutes=15 * i) for i in range(days * 96)]


def event_file(rows: list[list[bytes]], stamp: dt.datetime, first_id: int, n: int,
               rng: random.Random) -> bytes:  # fmt: skip
    added = stamp.strftime("%Y%m%d%H%M%S").encode()
    out = []
    for i, fields in enumerate(rng.choices(rows, k=n)):
        row = list(fields)
        row[0] = str(first_id + i).encode()
        row[59] = added
        out.append(b"\t".join(row))
    return b"\n".join(out) + b"\n"


def zipped(member: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, data)
    return buffer.getvalue()


def build_mirror(
    folder: Path, real: Path, days: int, per_file: int = 2000, seed: int = 3,
    start: dt.datetime = dt.datetime(2024, 10, 28),
) -> tuple[int, int]:  # fmt: skip
    """Write the mirror; (files, events). Reuses a mirror already built with the same
    arguments."""
    stamp_file = folder / "BUILT"
    key = f"{days} {per_file} {seed} {start.isoformat()}"
    if stamp_file.is_file() and stamp_file.read_text() == key:
        return days * 96, days * 96 * per_file
    folder.mkdir(parents=True, exist_ok=True)
    rows, rng = real_rows(real), random.Random(seed)
    lines, next_id = [], 1_300_000_000
    for stamp in stamps(start, days):
        name = f"{stamp:%Y%m%d%H%M%S}.export.CSV"
        data = zipped(name, event_file(rows, stamp, next_id, per_file, rng))
        next_id += per_file
        (folder / f"{name}.zip").write_bytes(data)
        md5 = hashlib.md5(data).hexdigest()
        lines.append(f"{len(data)} {md5} {GDELT_V2}{name}.zip")
    (folder / "masterfilelist.txt").write_text("\n".join(lines) + "\n")
    stamp_file.write_text(key)
    return days * 96, days * 96 * per_file


class _Handler(http.server.BaseHTTPRequestHandler):
    folder: Path
    protocol_version = "HTTP/1.1"  # keep-alive, as GDELT's servers

    def do_GET(self) -> None:  # noqa: N802
        name = urllib.parse.urlsplit(self.path).path.rsplit("/", 1)[-1]
        path = self.folder / name
        if not name or not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, int]:
    """A mirror-and-proxy server on 127.0.0.1 in a daemon thread; (server, port)."""
    handler = type("Handler", (_Handler,), {"folder": folder})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]
