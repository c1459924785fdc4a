"""Analyst notes on events: the dashboard's one write, kept apart from the store.

Notes live in their own table in their own DuckDB file beside the store
(``<store>.notes.duckdb``), so writing a note never takes the store's lock and never
touches an event: an ingest and the dashboard never wait on each other.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import duckdb

_NOTES_DDL = """
CREATE TABLE IF NOT EXISTS notes (
    note_id BIGINT PRIMARY KEY,
    event_id VARCHAR NOT NULL,
    text VARCHAR NOT NULL,
    author VARCHAR,
    created_at TIMESTAMPTZ NOT NULL
)"""


def notes_path(store_path: Path) -> Path:
    """Where the notes on a store's events are kept."""
    return store_path.with_name(store_path.name + ".notes.duckdb")


class Notes:
    """Notes on events, in a DuckDB file this process alone opens."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None

    def _connection(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            self._con = duckdb.connect(str(self.path))
            self._con.execute(_NOTES_DDL)
        return self._con

    def add(self, event_id: str, text: str, author: str | None) -> dict[str, Any]:
        """Store one note and return it."""
        now = dt.datetime.now(dt.UTC)
        with self._lock:
            con = self._connection()
            con.execute("BEGIN TRANSACTION")
            try:
                rows = con.execute("SELECT coalesce(max(note_id), 0) + 1 FROM notes").fetchall()
                note_id = int(rows[0][0])
                con.execute(
                    "INSERT INTO notes VALUES (?, ?, ?, ?, ?)",
                    [note_id, event_id, text, author, now],
                )
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        return {"note_id": note_id, "event_id": event_id, "text": text, "author": author,
                "created_at": now.isoformat(timespec="seconds")}  # fmt: skip

    def of_event(self, event_id: str) -> list[dict[str, Any]]:
        """The notes on one event, oldest first (none when no note was ever written)."""
        if self._con is None and not self.path.exists():
            return []
        with self._lock:
            cursor = self._connection().execute(
                "SELECT note_id, event_id, text, author, created_at FROM notes "
                "WHERE event_id = ? ORDER BY note_id",
                [event_id],
            )
            rows = cursor.fetchall()
        return [
            {"note_id": n, "event_id": e, "text": t, "author": a,
             "created_at": c.isoformat(timespec="seconds")}
            for n, e, t, a, c in rows
        ]  # fmt: skip

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None
