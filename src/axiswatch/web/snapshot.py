"""Read-only snapshots of the store, so the dashboard keeps serving while an ingest writes.

DuckDB lets one process write a file and takes a file lock for it: while
``axiswatch ingest`` holds the store, nobody else may open it, not even to read. The
dashboard therefore never reads the store itself. It copies the file (under a brief
read-only lock, which only succeeds when no writer holds it) to a private snapshot and
serves every request from that copy. When the store file changes, a background thread
takes a fresh copy, warms its caches and swaps it in; while a writer holds the lock,
the last good snapshot keeps serving and the copy is retried later. The dashboard
holds the store's lock only for the seconds the copy takes, and never while serving.
"""

from __future__ import annotations

import queue
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from ..errors import StoreError
from ..store import Store, archive_dir

#: seconds between checks of the store file for changes
REFRESH_SECONDS = 5.0
#: cached results kept per snapshot (rendered pages, query results)
CACHE_ENTRIES = 512
#: connections to each snapshot, so that queries run side by side
CONNECTIONS = 8
CLOSE_WAIT_SECONDS = 60.0


@dataclass
class Snapshot:
    """One read-only copy of the store, with its version, its connections and its caches."""

    version: int
    stores: list[Store]
    path: Path
    taken_at: float
    signature: tuple[int, ...]
    cache: OrderedDict[Any, Any] = field(default_factory=OrderedDict)
    #: values kept for the snapshot's life (the analysis), never evicted
    pinned: dict[Any, Any] = field(default_factory=dict)
    _cache_lock: threading.Lock = field(default_factory=threading.Lock)
    _pool: queue.LifoQueue[Store] = field(default_factory=queue.LifoQueue)
    _held: threading.local = field(default_factory=threading.local)

    def __post_init__(self) -> None:
        for store in self.stores:
            self._pool.put(store)

    def cached(self, key: Any, compute: Callable[[], Any], *, pin: bool = False) -> Any:
        """The value cached under ``key`` for this snapshot, computed on a miss.

        Pinned values stay for the snapshot's life; the rest are the latest
        ``CACHE_ENTRIES`` used.
        """
        with self._cache_lock:
            if key in self.pinned:
                return self.pinned[key]
            if key in self.cache:
                self.cache.move_to_end(key)
                return self.cache[key]
        value = compute()
        with self._cache_lock:
            if pin:
                self.pinned[key] = value
                return value
            self.cache[key] = value
            if len(self.cache) > CACHE_ENTRIES:
                self.cache.popitem(last=False)
        return value

    def query(self, run: Callable[[Store], Any]) -> Any:
        """Run ``run(store)`` on one of the snapshot's connections.

        A connection runs one statement at a time, so each query borrows one from a small
        pool: a slow search does not hold up a quick page. A query made inside another
        on the same thread reuses its connection.
        """
        held = getattr(self._held, "store", None)
        if held is not None:
            return run(held)
        store = self._pool.get()
        self._held.store = store
        try:
            return run(store)
        finally:
            self._held.store = None
            self._pool.put(store)

    def close(self) -> None:
        for _ in self.stores:  # waits for queries still running to hand theirs back
            self._pool.get(timeout=CLOSE_WAIT_SECONDS).close()
        self.path.unlink(missing_ok=True)
        self.path.with_name(self.path.name + ".wal").unlink(missing_ok=True)


def file_signature(path: Path) -> tuple[int, ...]:
    """What changes when the store is written: the size and mtime of the file and its WAL."""
    parts: list[int] = []
    for candidate in (path, path.with_name(path.name + ".wal")):
        try:
            stat = candidate.stat()
        except FileNotFoundError:
            parts += [0, 0]
        else:
            parts += [stat.st_size, stat.st_mtime_ns]
    return tuple(parts)


def copy_store(source: Path, target: Path) -> bool:
    """Copy the store under a read-only lock; False when a writer holds it now."""
    if not source.exists():
        raise StoreError(f"{source}: no store here yet; run 'axiswatch ingest' or 'demo'")
    try:
        guard = duckdb.connect(str(source), read_only=True)
    except duckdb.Error as exc:
        if isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower():
            return False  # a writer holds the file: try again later
        first_line = str(exc).splitlines()[0]
        raise StoreError(f"{source}: cannot open as a DuckDB store ({first_line})") from None
    try:
        shutil.copyfile(source, target)
        wal = source.with_name(source.name + ".wal")
        if wal.exists():
            shutil.copyfile(wal, target.with_name(target.name + ".wal"))
    finally:
        guard.close()
    return True


class Snapshots:
    """The current snapshot of a store, refreshed in the background when the store changes."""

    def __init__(
        self,
        store_path: Path,
        *,
        warm: Callable[[Snapshot], None] | None = None,
        refresh_seconds: float = REFRESH_SECONDS,
        work_dir: Path | None = None,
    ) -> None:
        self.store_path = Path(store_path)
        self.warm = warm or (lambda snapshot: None)
        self.refresh_seconds = refresh_seconds
        self._tmp = tempfile.TemporaryDirectory(prefix="axiswatch-web-", dir=work_dir)
        self.work_dir = Path(self._tmp.name)
        self._current: Snapshot | None = None
        self._retired: list[Snapshot] = []
        self._swap = threading.Lock()
        self._refreshing = threading.Lock()
        self._checked = 0.0
        self.last_error: str | None = None
        self.busy_since: float | None = None

    def take(self, wait_seconds: float = 30.0) -> Snapshot:
        """Take the first snapshot, waiting up to ``wait_seconds`` for a writer to finish."""
        deadline = time.monotonic() + wait_seconds
        while not self._refresh(force=True):
            if time.monotonic() > deadline:
                raise StoreError(f"{self.store_path}: a writer has held the store for too long")
            time.sleep(0.5)
        assert self._current is not None
        return self._current

    def current(self) -> Snapshot:
        """The snapshot to serve; starts a background refresh when one is due."""
        if self._current is None:
            return self.take()
        now = time.monotonic()
        if now - self._checked >= self.refresh_seconds and not self._refreshing.locked():
            self._checked = now
            threading.Thread(target=self._refresh, daemon=True, name="snapshot").start()
        return self._current

    def _refresh(self, force: bool = False) -> bool:
        """Copy the store if it changed; True when the current snapshot is up to date."""
        if not self._refreshing.acquire(blocking=False):
            return self._current is not None
        try:
            signature = file_signature(self.store_path)
            if not force and self._current and self._current.signature == signature:
                return True
            version = self._current.version + 1 if self._current else 1
            target = self.work_dir / f"snapshot-{version}.duckdb"
            if not copy_store(self.store_path, target):
                self.busy_since = self.busy_since or time.time()
                return False
            # the copy reads the original's GDELT archive (Parquet beside the store file)
            archive = archive_dir(self.store_path)
            stores = [Store(target, read_only=True, archive=archive) for _ in range(CONNECTIONS)]
            snapshot = Snapshot(version, stores, target, time.time(), signature)
            try:
                self.warm(snapshot)
            except BaseException:
                snapshot.close()
                raise
            self._install(snapshot)
            self.busy_since = None
            self.last_error = None
            return True
        except Exception as exc:  # a failed refresh keeps the last good snapshot serving
            self.last_error = f"{type(exc).__name__}: {exc}"
            if self._current is None:
                raise
            return False
        finally:
            self._refreshing.release()

    def _install(self, snapshot: Snapshot) -> None:
        with self._swap:
            # the one before the previous is closed: requests finish long before two refreshes
            while len(self._retired) > 1:
                self._retired.pop(0).close()
            if self._current is not None:
                self._retired.append(self._current)
            self._current = snapshot

    def close(self) -> None:
        with self._swap:
            for snapshot in [*self._retired, *([self._current] if self._current else [])]:
                snapshot.close()
            self._retired, self._current = [], None
        self._tmp.cleanup()
