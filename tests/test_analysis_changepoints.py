"""Change points on synthetic series with planted shifts, and on degenerate input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from axiswatch.analysis.changepoints import detect_change_points, dispersion, pelt, poisson_cost
from axiswatch.analysis.series import MonthlySeries

MONTHS = pd.date_range("2000-01-01", periods=120, freq="MS")


def count_series(values: np.ndarray, months: pd.DatetimeIndex = MONTHS) -> MonthlySeries:
    """A count series whose events are one per unit of count, dated to their month."""
    rows = [(f"e{i}-{k}", month) for i, (month, n) in enumerate(zip(months, values, strict=True))
            for k in range(int(n))]  # fmt: skip
    contributions = pd.DataFrame(rows, columns=["event_id", "month"]).assign(
        score=1.0, component=None
    )
    return MonthlySeries("synthetic", "Synthetic", "count",
                         pd.Series(values.astype(float), index=months), contributions)  # fmt: skip


def events_of(series: MonthlySeries) -> pd.DataFrame:
    c = series.contributions
    return pd.DataFrame({"event_id": c["event_id"], "date": c["month"], "source": "test",
                         "title": "t", "url": None})  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_planted_poisson_shifts_are_found_within_two_months(seed):
    rng = np.random.default_rng(seed)
    rates = np.repeat([1.0, 6.0, 2.5], [40, 45, 35])
    series = count_series(rng.poisson(rates))
    result = detect_change_points(series, events_of(series))
    found = [MONTHS.get_loc(c.month) for c in result.change_points]
    assert len(found) == 2, found
    assert abs(found[0] - 40) <= 2 and abs(found[1] - 85) <= 2
    assert [c.direction for c in result.change_points] == ["up", "down"]


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_no_shift_in_a_stationary_overdispersed_series(seed):
    rng = np.random.default_rng(seed)
    values = rng.negative_binomial(2, 2 / (2 + 3.0), size=120)  # mean 3, variance 7.5
    series = count_series(values)
    assert detect_change_points(series, events_of(series)).change_points == []


def test_pelt_matches_brute_force_on_a_small_series():
    values = np.array([0, 1, 0, 0, 9, 8, 10, 9, 1, 0, 2, 1], dtype=float)
    cost = poisson_cost(values)
    assert pelt(cost, len(values), penalty=4.0, min_size=2) == [4, 8]


def test_the_drivers_of_a_rise_are_the_events_that_open_it():
    values = np.array([0] * 12 + [5] * 12)
    series = count_series(values, MONTHS[:24])
    result = detect_change_points(series, events_of(series))
    (point,) = result.change_points
    assert point.month == MONTHS[12] and point.before == 0 and point.after == 5
    assert point.drivers and all(d["date"] >= "2001-01-01" for d in point.drivers)
    assert "from 0.00 to 5.00 events a month from January 2001" in point.sentence


@pytest.mark.parametrize(
    "values",
    [np.zeros(24), np.array([0] * 23 + [1]), np.array([1, 0, 2])],
    ids=["all zero", "one event", "three months"],
)
def test_thin_series_are_explained_not_a_crash(values):
    series = count_series(values, MONTHS[: len(values)])
    result = detect_change_points(series, events_of(series))
    assert result.change_points == [] and result.note and "not enough evidence" in result.note


def test_dispersion_is_one_for_poisson_and_larger_for_bursts():
    rng = np.random.default_rng(0)
    assert dispersion(rng.poisson(4.0, 400).astype(float)) == pytest.approx(1.0, abs=0.25)
    bursts = rng.negative_binomial(0.5, 0.5 / 4.5, 400).astype(float)  # mean 4, var 36
    assert dispersion(bursts) > 4
