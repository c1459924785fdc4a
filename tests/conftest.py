"""Shared fixtures: where the real third-party data lives, and a fresh store per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real third-party data beside the checkout (``../shared/data``)."""
    path = Path(os.environ.get("AXISWATCH_SHARED_DATA", REPO.parent / "shared" / "data"))
    if not path.is_dir():
        pytest.fail(f"real test data not found at {path}; set AXISWATCH_SHARED_DATA")
    return path
