"""The assessment's rules on small hand-made evidence, where the right answer is known."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from axiswatch.analysis.assessment import coverage_end, family_finding
from axiswatch.analysis.index import partnership_index
from axiswatch.lens import load_lens

AS_OF = dt.date(2025, 10, 1)


def hits(*rows: tuple[str, str, str]) -> pd.DataFrame:
    """Scored hits of the rec_information family: (event id, date, direction)."""
    frame = pd.DataFrame(rows, columns=["event_id", "date", "direction"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame.assign(
        source="ledger", month=frame["date"].dt.to_period("M").dt.to_timestamp(),
        family="rec_information", family_kind="recommendation", indicator="x",
        component=None, weight=1.0, evidence=1.0, score=1.0,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("rows", "status"),
    [
        ([("a", "2025-06-01", "for"), ("b", "2025-08-01", "for")], "happening"),
        ([("a", "2025-08-01", "for")], "some movement"),
        ([("a", "2024-11-01", "for"), ("b", "2024-12-01", "for")], "stalling"),
        ([("a", "2025-06-01", "for"), ("b", "2025-08-01", "against")], "mixed"),
        ([("a", "2025-08-01", "against")], "reversing"),
        ([("a", "2023-01-01", "for")], "stalled"),
        ([], "unknown"),
    ],
)
def test_recommendation_status(rows, status):
    family = load_lens().family("rec_information")
    scored = hits(*rows) if rows else hits(("z", "2020-01-01", "for")).iloc[0:0]
    finding = family_finding(family, scored, AS_OF, {"ledger": AS_OF})
    assert finding.status.startswith(status)
    assert finding.unknown == (not rows)


def test_coverage_ends_where_the_sources_do():
    scored = hits(("a", "2024-01-01", "for"))
    assert coverage_end(scored, {"ledger": dt.date(2025, 3, 1)}, AS_OF) == dt.date(2025, 3, 1)
    assert coverage_end(scored, {"gdelt": dt.date(2026, 1, 1)}, AS_OF) == AS_OF


def test_partnership_index_splits_components_and_leaves_empty_months_unshared():
    frame = pd.DataFrame(
        {
            "event_id": ["a", "b", "c"],
            "month": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-03-01"]),
            "family": "partnership",
            "component": ["transactional", "strategic", "strategic"],
            "score": [1.0, 3.0, 2.0],
        }
    )
    index = partnership_index(frame)
    assert list(index["index"]) == [4.0, 0.0, 2.0]
    assert list(index["strategic_share"].fillna(-1)) == [0.75, -1, 1.0]
    assert list(index["events"]) == [2, 0, 1]
