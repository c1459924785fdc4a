"""The index's normalisation, bands, weeks and mix on small hand-made evidence."""

from __future__ import annotations

import pandas as pd
import pytest

from axiswatch.analysis.index import (
    index_bands,
    media_volume_factors,
    normalise_media_volume,
    partnership_index,
    weekly_index,
    with_rolling_mix,
)


def scored(*rows: tuple[str, str, str, str, float]) -> pd.DataFrame:
    """Partnership hits from (event id, source, date, component, score)."""
    frame = pd.DataFrame(rows, columns=["event_id", "source", "date", "component", "score"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame.assign(month=frame["date"].dt.to_period("M").dt.to_timestamp(),
                        family="partnership", family_kind="partnership")  # fmt: skip


def test_a_news_heavy_month_counts_each_news_event_less():
    months = pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"])
    volume = pd.DataFrame({"source": "gdelt", "events": [100, 100, 400], "month": months})
    factors = media_volume_factors(volume).set_index("month")["factor"]
    assert list(factors) == [1.0, 1.0, 0.25]
    hits = scored(("g1", "gdelt", "2024-01-10", "strategic", 1.0),
                  ("g2", "gdelt", "2024-03-10", "strategic", 1.0),
                  ("l1", "ledger", "2024-03-11", "strategic", 2.0))  # fmt: skip
    normalised = normalise_media_volume(hits, volume)
    assert list(normalised["score"]) == [1.0, 0.25, 2.0]  # the ledger is not news volume
    assert normalise_media_volume(hits, volume.iloc[0:0]).equals(hits)


def test_bands_are_seeded_and_hold_the_index():
    hits = scored(*[(f"e{i}", "ledger", f"2024-{1 + i % 6:02d}-05",
                     "strategic" if i % 3 else "transactional", 1.0 + i % 4)
                    for i in range(40)])  # fmt: skip
    index = partnership_index(hits)
    bands = index_bands(hits, index)
    again = index_bands(hits, index)
    assert bands.equals(again)  # the same evidence gives the same bands
    joined = index.merge(bands, on="month")
    assert (joined["index_low"] <= joined["index"]).all()
    assert (joined["index"] <= joined["index_high"]).all()
    assert (joined["index_low"] < joined["index_high"]).all()
    assert index_bands(hits, index, seed=1).ne(bands).any().any()


def test_bands_of_no_evidence_are_an_empty_frame():
    empty = scored(("x", "ledger", "2024-01-01", "strategic", 1.0)).iloc[0:0]
    assert index_bands(empty, partnership_index(empty)).empty


def test_weekly_index_starts_weeks_on_monday_and_fills_gaps():
    hits = scored(("a", "ledger", "2024-10-08", "strategic", 2.0),  # a Tuesday
                  ("b", "ledger", "2024-10-27", "transactional", 1.0))  # a Sunday  # fmt: skip
    weeks = weekly_index(hits)
    assert list(weeks["week"].dt.strftime("%Y-%m-%d")) == ["2024-10-07", "2024-10-14",
                                                           "2024-10-21"]  # fmt: skip
    assert list(weeks["index"]) == [2.0, 0.0, 1.0] and list(weeks["events"]) == [1, 0, 1]


def test_the_rolling_mix_spans_empty_months():
    hits = scored(("a", "ledger", "2024-01-05", "strategic", 3.0),
                  ("b", "ledger", "2024-03-05", "transactional", 1.0))  # fmt: skip
    mixed = with_rolling_mix(partnership_index(hits), months=3)
    assert list(mixed["strategic_share_3m"]) == [1.0, 1.0, 0.75]
    assert mixed["ratio_3m"].iloc[:2].isna().all() and mixed["ratio_3m"].iloc[2] == pytest.approx(3)


def test_events_without_a_date_are_left_out_of_every_series():
    from axiswatch.analysis.series import analysis_series
    from axiswatch.lens import load_lens

    hits = scored(("a", "ledger", "2024-01-05", "strategic", 3.0),
                  ("b", "ledger", "2024-03-05", "transactional", 1.0))  # fmt: skip
    hits.loc[1, ["date", "month"]] = pd.NaT
    hits = hits.assign(indicator="summitry")
    events = pd.DataFrame({"event_id": ["a", "b", "m"], "source": ["ledger", "ledger", "missiles"],
                           "date": pd.to_datetime(["2024-01-05", None, None])})  # fmt: skip
    series = analysis_series(load_lens(), events, hits)
    assert "missile_launches" not in series  # its only launch has no date
    assert list(series["partnership_index"].values) == [3.0]
