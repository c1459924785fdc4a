"""Shared test builders: ledger files as a user writes them, and "never a crash" checks."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import strategies as st

from axiswatch.errors import SourceError
from axiswatch.sources.base import ParseResult, Source


def ledger_entry(n: int, **changes: Any) -> dict[str, Any]:
    """A well-formed ledger entry (a made-up test event, numbered n)."""
    entry: dict[str, Any] = {
        "id": f"test-event-{n:04d}",
        "date": f"2023-{1 + n % 12:02d}-{1 + n % 28:02d}",
        "date_precision": "day",
        "actor": "PRK",
        "actor_sector": "GOV",
        "recipient": "RUS",
        "recipient_sector": "GOV",
        "plover_type": "CONSULT",
        "cameo_code": "042",
        "intensity": 1.9,
        "title": f"Test event {n}",
        "summary": f"A synthetic event number {n} for tests.",
        "sources": [{"publisher": "Test Wire", "title": f"Report {n}", "date": "2023-01-01"}],
        "reliability": "B",
        "credibility": 2,
        "confidence": 0.8,
        "tags": ["summit"],
    }
    entry.update(changes)
    return entry


def write_ledger(path: Path, entries: list[dict[str, Any]]) -> Path:
    """Write ledger entries as YAML (dates as text, as a user would type them)."""
    path.write_text(yaml.safe_dump(entries, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@st.composite
def mutated_bytes(draw: st.DrawFn, real: bytes, max_flips: int = 8) -> bytes:
    """A real file, truncated somewhere and with up to ``max_flips`` bytes overwritten."""
    data = bytearray(real[: draw(st.integers(0, len(real)))])
    for _ in range(draw(st.integers(0, max_flips))):
        if data:
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


def assert_parses_or_source_error(source: Source, data: bytes, name: str) -> None:
    """Parsing gives a ParseResult whose rejects say where, or a one-line SourceError."""
    try:
        result = source.parse(data, name)
    except SourceError as exc:
        assert "\n" not in str(exc)
        return
    assert isinstance(result, ParseResult)
    assert all(reject.line >= 1 for reject in result.rejects)


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run"]  # fmt: skip


def _browser_or_reason() -> str | None:
    if not Path(CHROMIUM).exists():
        return "chromium is not installed (apt-get install chromium; make test installs it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's chromium, headless, through Playwright; a skip with its reason where it is
    missing (a failure under CI, which installs it)."""
    reason = _browser_or_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason=reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
        try:
            yield browser
        finally:
            browser.close()
