"""The store: Ibis over an embedded DuckDB file.

Three tables hold everything: ``events`` (canonical events, keyed by ``event_id``),
``ingest_ledger`` (one row per file load attempt) and ``quarantine`` (every rejected
row with its file, line and reason). Reads go through Ibis expressions; each file is
written in one DuckDB transaction, so a load is all of its good rows or nothing.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import ibis
import pyarrow as pa
import pyarrow.compute as pc

from .errors import StoreError
from .schema import EVENT_SCHEMA
from .sources.base import Reject

SCHEMA_VERSION = "1"
DEFAULT_STORE = "axiswatch.duckdb"

_LEDGER_DDL = """
CREATE TABLE IF NOT EXISTS ingest_ledger (
    ingest_id BIGINT PRIMARY KEY,
    source VARCHAR NOT NULL,
    file VARCHAR NOT NULL,
    path VARCHAR,
    sha256 VARCHAR NOT NULL,
    rows_seen BIGINT NOT NULL,
    rows_accepted BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL,
    rows_new BIGINT NOT NULL,
    rows_skipped BIGINT NOT NULL,
    status VARCHAR NOT NULL,
    reason VARCHAR,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ NOT NULL
)"""
_QUARANTINE_DDL = """
CREATE TABLE IF NOT EXISTS quarantine (
    ingest_id BIGINT NOT NULL,
    source VARCHAR NOT NULL,
    file VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    line BIGINT NOT NULL,
    reason VARCHAR NOT NULL,
    raw VARCHAR,
    quarantined_at TIMESTAMPTZ NOT NULL
)"""
_META_DDL = "CREATE TABLE IF NOT EXISTS axiswatch_meta (key VARCHAR PRIMARY KEY, value VARCHAR)"
#: statuses of a load that put the file's rows in the store
LOADED_STATUSES = ("loaded", "partial")


def archive_dir(store_path: Path) -> Path:
    """Where ``gdelt sync --keep all`` writes its Parquet: beside the store file
    (``axiswatch.duckdb`` → ``axiswatch.gdelt-archive/day=YYYY-MM-DD/*.parquet``)."""
    return store_path.with_name(f"{store_path.stem}.gdelt-archive")


_CITATIONS_SQL = """
WITH c AS (
    SELECT CAST(GlobalEventID AS VARCHAR) AS sid,
           list(struct_pack(
               publisher := MentionSourceName, title := NULL::VARCHAR,
               date := strftime(try_strptime(CAST(MentionTimeDate AS VARCHAR), '%Y%m%d%H%M%S'),
                                '%Y-%m-%d'),
               url := MentionIdentifier
           ) ORDER BY MentionTimeDate, MentionSourceName, MentionIdentifier) AS cites
    FROM _cites GROUP BY 1
)
SELECT f.* REPLACE (coalesce(c.cites, f.citations) AS citations)
FROM ({finished}) f LEFT JOIN c ON c.sid = f.source_id"""


def default_store_path() -> Path:
    """``$AXISWATCH_STORE`` if set, else ``./axiswatch.duckdb``."""
    return Path(os.environ.get("AXISWATCH_STORE") or DEFAULT_STORE)


@dataclass(frozen=True)
class FileLoad:
    """What the store is asked to record for one file."""

    source: str
    file: str
    path: str
    sha256: str
    started_at: dt.datetime


@dataclass(frozen=True)
class LoadOutcome:
    """What one file's load did to the store."""

    ingest_id: int
    status: str
    accepted: int
    rejected: int
    new: int
    skipped: int = 0
    reason: str | None = None


@dataclass(frozen=True)
class FileRecord:
    """One file's ledger row as the GDELT sync writes it (``rows_new`` is its accepted)."""

    file: str
    path: str
    sha256: str
    seen: int
    accepted: int
    skipped: int
    status: str
    reason: str | None
    rejects: Sequence[Reject] = ()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Store:
    """An axiswatch store in one DuckDB file (``":memory:"`` for a throwaway one)."""

    def __init__(
        self, path: str | Path | None = None, *, read_only: bool = False,
        archive: str | Path | None = None,
    ) -> None:  # fmt: skip
        """Open (or create) a store; ``archive`` is where its GDELT Parquet archive is read
        from (default: beside the file, ``archive_dir``; a copy of the store names the
        original's)."""
        self.path = Path(path) if path is not None else default_store_path()
        self.read_only = read_only
        self.archive = Path(archive) if archive is not None else archive_dir(self.path)
        self._ibis = self._connect()
        self.con: duckdb.DuckDBPyConnection = self._ibis.con
        if not read_only:
            self._create_tables()
        self._check_version()

    def _connect(self) -> Any:
        if self.read_only and not self.path.exists():
            raise StoreError(f"{self.path}: no store here yet; run 'axiswatch ingest' or 'demo'")
        if not self.read_only and str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return ibis.duckdb.connect(database=str(self.path), read_only=self.read_only)
        except duckdb.Error as exc:
            first_line = str(exc).splitlines()[0]
            raise StoreError(f"{self.path}: cannot open as a DuckDB store ({first_line})") from None

    def _create_tables(self) -> None:
        existing = set(
            self.con.execute("SELECT table_name FROM duckdb_tables()").fetchnumpy()["table_name"]
        )
        if existing and "axiswatch_meta" not in existing:
            raise StoreError(f"{self.path}: a DuckDB file, but not an axiswatch store")
        with self.transaction():
            self.con.execute(_META_DDL)
            self.con.execute(
                "INSERT OR IGNORE INTO axiswatch_meta VALUES ('schema_version', ?)",
                [SCHEMA_VERSION],
            )
            if "events" not in existing:
                self.con.register("_empty_events", EVENT_SCHEMA.empty_table())
                self.con.execute("CREATE TABLE events AS SELECT * FROM _empty_events")
                self.con.unregister("_empty_events")
            self.con.execute(_LEDGER_DDL)
            self.con.execute(_QUARANTINE_DDL)

    def _check_version(self) -> None:
        try:
            found = self.scalar("SELECT value FROM axiswatch_meta WHERE key = 'schema_version'")
        except duckdb.CatalogException:
            raise StoreError(f"{self.path}: not an axiswatch store") from None
        if found != SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: store schema version {found}, this axiswatch reads {SCHEMA_VERSION}"
            )

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The single value a SQL query returns (the result is read to its end)."""
        rows = self.con.execute(sql, list(params)).fetchall()
        return rows[0][0] if rows else None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One DuckDB transaction: committed on success, rolled back on any exception."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    # -- reading -----------------------------------------------------------------------

    def table(self, name: str) -> ibis.Table:
        """An Ibis expression over one of the store's tables."""
        return self._ibis.table(name)

    def archive_files(self) -> list[Path]:
        """The Parquet files of the GDELT archive beside this store (``gdelt sync --keep all``)."""
        if str(self.path) == ":memory:":
            return []
        folder = self.archive
        return sorted(folder.glob("day=*/*.parquet")) if folder.is_dir() else []

    def events(self) -> ibis.Table:
        """All canonical events, as an Ibis table expression: the ``events`` table, and the
        GDELT Parquet archive's events that the table does not hold."""
        if not self.archive_files():
            return self.table("events")
        columns = ", ".join(f'"{f.name}"' for f in EVENT_SCHEMA)
        pattern = str(self.archive / "day=*" / "*.parquet").replace("'", "''")
        self.con.execute(
            f"CREATE OR REPLACE TEMP VIEW events_with_archive AS "
            f"SELECT {columns} FROM events UNION ALL "
            f"SELECT {columns} FROM read_parquet('{pattern}', hive_partitioning = false) a "
            "WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id = a.event_id)"
        )
        return self.table("events_with_archive")

    def execute(self, expr: ibis.Expr) -> Any:
        """Run an Ibis expression on this store (a DataFrame, Series or scalar)."""
        return self._ibis.execute(expr)

    def to_arrow(self, expr: ibis.Table) -> pa.Table:
        """Run an Ibis table expression on this store and return Arrow."""
        return self._ibis.to_pyarrow(expr)

    def loaded_sha(self, source: str, sha256: str) -> bool:
        """Whether a file with this content was already loaded for this source."""
        return bool(
            self.scalar(
                "SELECT count(*) FROM ingest_ledger WHERE source = ? AND sha256 = ? "
                "AND status IN ('loaded', 'partial')",
                [source, sha256],
            )
        )

    # -- writing -----------------------------------------------------------------------

    def _next_ingest_id(self) -> int:
        return int(self.scalar("SELECT coalesce(max(ingest_id), 0) + 1 FROM ingest_ledger"))

    def record_load(
        self,
        load: FileLoad,
        events: pa.Table,
        rejects: Sequence[Reject],
        status: str,
        reason: str | None = None,
        skipped: int = 0,
    ) -> LoadOutcome:
        """Write one file's events, quarantine rows and ledger row in one transaction."""
        with self.transaction():
            ingest_id = self._next_ingest_id()
            new = self._upsert_events(events) if events.num_rows else 0
            self._quarantine(ingest_id, load, rejects)
            outcome = LoadOutcome(
                ingest_id, status, events.num_rows, len(rejects), new, skipped, reason
            )
            self._write_ledger(load, outcome)
        return outcome

    def _upsert_events(self, events: pa.Table) -> int:
        """Insert events, replacing any stored event with the same id; return how many are new."""
        stamped = events.set_column(
            events.schema.get_field_index("ingested_at"),
            "ingested_at",
            pa.array([_now()] * events.num_rows, EVENT_SCHEMA.field("ingested_at").type),
        )
        self.con.register("_staged", stamped)
        try:
            return self._upsert_from("SELECT * FROM _staged")
        finally:
            self.con.unregister("_staged")

    def upsert_mapped(
        self, mapped: pa.Table, finish_sql: Callable[[str], str], citations: pa.Table | None
    ) -> int:
        """Upsert GDELT rows mapped column-wise (``sources.gdelt_fast``): ``finish_sql``
        completes them in SQL; ``citations`` (mentions by GlobalEventID) fill ``citations``.
        Call inside ``transaction()``; returns how many events were new."""
        self.con.register("_mapped", mapped)
        if citations is not None:
            self.con.register("_cites", citations)
        try:
            finished = finish_sql("_mapped")
            query = _CITATIONS_SQL.format(finished=finished) if citations is not None else finished
            ids = mapped["source_id"]
            unique = pc.count_distinct(ids).as_py() == len(ids)  # the usual case: no dedup
            return self._upsert_from(
                f"SELECT * REPLACE (TIMESTAMPTZ '{_now().isoformat()}' AS ingested_at) "
                f"FROM ({query})",
                unique=unique,
            )
        finally:
            self.con.unregister("_mapped")
            if citations is not None:
                self.con.unregister("_cites")

    def _upsert_from(self, query: str, *, unique: bool = False) -> int:
        """``unique``: the caller knows the query gives each event_id once (no dedup pass)."""
        dedup = (
            "" if unique
            else " QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY line DESC) = 1"
        )  # fmt: skip
        try:
            self.con.execute(f"CREATE TEMP TABLE _incoming AS SELECT * FROM ({query}){dedup}")
            incoming = self.scalar("SELECT count(*) FROM _incoming")
            stored = self.scalar(
                "SELECT count(*) FROM events e SEMI JOIN _incoming i ON e.event_id = i.event_id"
            )
            if stored:  # one scan of the stored ids when every event is new (the usual case)
                self.con.execute(
                    "DELETE FROM events WHERE event_id IN (SELECT event_id FROM _incoming)"
                )
            self.con.execute("INSERT INTO events BY NAME SELECT * FROM _incoming")
            new = incoming - stored
        finally:
            self.con.execute("DROP TABLE IF EXISTS _incoming")
        return int(new)

    # -- the GDELT sync's ledger ------------------------------------------------------------

    def done_files(self, source: str, statuses: Sequence[str]) -> set[str]:
        """Names of the files whose latest ledger row for ``source`` has one of ``statuses``."""
        marks = ", ".join("?" * len(statuses))
        rows = self.con.execute(
            f"SELECT file FROM ingest_ledger WHERE source = ? AND status IN ({marks})",
            [source, *statuses],
        ).fetchall()
        return {row[0] for row in rows}

    def newest_file(self, source: str, statuses: Sequence[str]) -> str | None:
        """The greatest file name done for ``source`` (GDELT names start with their time)."""
        marks = ", ".join("?" * len(statuses))
        found = self.scalar(
            f"SELECT max(file) FROM ingest_ledger WHERE source = ? AND status IN ({marks})",
            [source, *statuses],
        )
        return str(found) if found is not None else None

    def ledger_paths(self, source: str) -> set[str]:
        """The ``path`` of every ledger row of ``source``."""
        rows = self.con.execute(
            "SELECT DISTINCT path FROM ingest_ledger WHERE source = ? AND path IS NOT NULL",
            [source],
        ).fetchall()
        return {row[0] for row in rows}

    def record_files(self, source: str, files: Sequence[FileRecord]) -> None:
        """Ledger rows for many files, and their quarantine rows replacing each file's earlier
        ones (call inside ``transaction()``; their events are written apart)."""
        if not files:
            return
        first, now = self._next_ingest_id(), _now()
        ids = range(first, first + len(files))
        names = pa.array([f.file for f in files], pa.string())
        self.con.register("_names", pa.table({"file": names}))
        try:
            self.con.execute(
                "DELETE FROM quarantine WHERE source = ? AND file IN (SELECT file FROM _names)",
                [source],
            )
        finally:
            self.con.unregister("_names")
        rejects = [(i, f, r) for i, f in zip(ids, files, strict=True) for r in f.rejects]
        if rejects:
            rows = pa.table({
                "ingest_id": [i for i, _, _ in rejects], "source": [source] * len(rejects),
                "file": [f.file for _, f, _ in rejects],
                "sha256": [f.sha256 for _, f, _ in rejects],
                "line": [r.line for _, _, r in rejects],
                "reason": [r.reason for _, _, r in rejects],
                "raw": [r.raw[:2000] for _, _, r in rejects],
            })  # fmt: skip
            self._insert("quarantine", rows, now)
        ledger = pa.table({
            "ingest_id": list(ids), "source": [source] * len(files),
            "file": names, "path": [f.path for f in files], "sha256": [f.sha256 for f in files],
            "rows_seen": [f.seen for f in files], "rows_accepted": [f.accepted for f in files],
            "rows_rejected": [len(f.rejects) for f in files],
            "rows_new": [f.accepted for f in files], "rows_skipped": [f.skipped for f in files],
            "status": [f.status for f in files], "reason": [f.reason for f in files],
        })  # fmt: skip
        self._insert("ingest_ledger", ledger, now, now)

    def _insert(self, table: str, rows: pa.Table, *stamps: dt.datetime) -> None:
        marks = "".join(", ?" for _ in stamps)
        self.con.register("_rows", rows)
        try:
            self.con.execute(f"INSERT INTO {table} SELECT *{marks} FROM _rows", list(stamps))
        finally:
            self.con.unregister("_rows")

    def _quarantine(self, ingest_id: int, load: FileLoad, rejects: Sequence[Reject]) -> None:
        # a retried file (same content, same source) replaces its earlier quarantine rows
        self.con.execute(
            "DELETE FROM quarantine WHERE source = ? AND sha256 = ?", [load.source, load.sha256]
        )
        if not rejects:
            return
        now = _now()
        rows = [
            (ingest_id, load.source, load.file, load.sha256, r.line, r.reason, r.raw[:2000], now)
            for r in rejects
        ]
        self.con.executemany("INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def _write_ledger(self, load: FileLoad, outcome: LoadOutcome) -> None:
        rows_seen = outcome.accepted + outcome.rejected + outcome.skipped
        self.con.execute(
            "INSERT INTO ingest_ledger VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                outcome.ingest_id, load.source, load.file, load.path, load.sha256, rows_seen,
                outcome.accepted, outcome.rejected, outcome.new, outcome.skipped, outcome.status,
                outcome.reason, load.started_at, _now(),
            ],
        )  # fmt: skip

    # -- summary -----------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """Counts a user checks first: events by source (the GDELT archive's included), date
        range, ledger and quarantine."""
        relation = "events_with_archive" if self.archive_files() else "events"
        if relation != "events":
            self.events()  # (re)creates the view over the table and the archive
        by_source = self.con.execute(
            f"SELECT source, count(*), min(date), max(date) FROM {relation} "
            "GROUP BY source ORDER BY 1"
        ).fetchall()
        statuses = self.con.execute(
            "SELECT status, count(*) FROM ingest_ledger GROUP BY status ORDER BY 1"
        ).fetchall()
        quarantined = self.scalar("SELECT count(*) FROM quarantine")
        return {
            "store": str(self.path),
            "events": sum(row[1] for row in by_source),
            "sources": {
                source: {"events": n, "first": str(first), "last": str(last)}
                for source, n, first, last in by_source
            },
            "files": dict(statuses),
            "quarantined": int(quarantined),
        }

    def quarantined(self, limit: int = 50) -> list[dict[str, Any]]:
        """The most recent quarantine records, newest first."""
        cursor = self.con.execute(
            "SELECT source, file, line, reason, raw, quarantined_at FROM quarantine "
            "ORDER BY quarantined_at DESC, ingest_id DESC, line LIMIT ?",
            [limit],
        )
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def close(self) -> None:
        """Close the connection (the file stays)."""
        self._ibis.disconnect()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
