"""Forecasts: a known rate recovered, CRPS and quantiles by hand, honest thin-data notes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from axiswatch.analysis.forecast import (
    crps,
    fit_local_level,
    forecast_series,
    poisson_pmf,
    quantile,
)

from .test_analysis_changepoints import count_series


def test_a_known_poisson_rate_is_recovered():
    rng = np.random.default_rng(7)
    model = fit_local_level(rng.poisson(4.0, 240).astype(float))
    assert model.level == pytest.approx(4.0, abs=0.6)
    assert model.size > 20  # no overdispersion found where there is none


def test_overdispersion_is_found_where_it_is():
    rng = np.random.default_rng(8)
    values = rng.negative_binomial(0.8, 0.8 / (0.8 + 3.0), 240).astype(float)
    model = fit_local_level(values)
    assert 0.3 < model.size < 2.5


def test_crps_of_a_point_mass_is_the_absolute_error():
    support = np.arange(20)
    point = np.zeros(20)
    point[3] = 1.0
    assert crps(point, support, 3) == 0.0
    assert crps(point, support, 7) == pytest.approx(4.0)
    assert crps(point, support, 1) == pytest.approx(2.0)


def test_quantiles_of_a_poisson():
    support = np.arange(60)
    pmf = poisson_pmf(4.0, support)
    assert (quantile(pmf, support, 0.1), quantile(pmf, support, 0.5),
            quantile(pmf, support, 0.9)) == (2, 4, 7)  # fmt: skip


def test_forecast_and_backtest_on_a_stationary_poisson_series():
    rng = np.random.default_rng(3)
    months = pd.date_range("2005-01-01", periods=150, freq="MS")
    series = count_series(rng.poisson(5.0, 150), months)
    result = forecast_series(series)
    assert result.note is None and len(result.months) == 6
    assert result.months[0]["month"] == pd.Timestamp("2017-07-01")
    assert all(m["low"] <= m["median"] <= m["high"] for m in result.months)
    assert 4.0 < result.months[0]["mean"] < 6.0
    skill = result.skill
    assert skill is not None and list(skill.table["horizon"]) == [1, 2, 3, 4, 5, 6]
    assert 0.72 <= skill.overall["covered"] <= 0.95
    # on pure noise around a constant the long-run mean is hard to beat, but the last
    # value (a single noisy month) must lose clearly
    assert skill.overall["model"] < skill.overall["last_value"]


@pytest.mark.parametrize("values", [np.zeros(40), np.array([0] * 39 + [1]), np.ones(10)],
                         ids=["all zero", "one event", "ten months"])  # fmt: skip
def test_thin_series_get_an_explained_note(values):
    months = pd.date_range("2020-01-01", periods=len(values), freq="MS")
    result = forecast_series(count_series(values, months))
    assert result.months == [] and result.note and result.note.startswith("not enough evidence")


def test_the_spread_grows_with_the_horizon_and_the_mean_stays():
    from axiswatch.analysis.forecast import LocalLevel

    model = LocalLevel(level=3.0, alpha=0.5, size=2.0)
    support = np.arange(400)
    near, far = model.pmf(support, 1), model.pmf(support, 6)
    mean = lambda pmf: float(np.dot(pmf, support))  # noqa: E731
    variance = lambda pmf: float(np.dot(pmf, (support - mean(pmf)) ** 2))  # noqa: E731
    assert mean(near) == pytest.approx(3.0, abs=1e-6) and mean(far) == pytest.approx(3.0, abs=1e-4)
    one_step = 3.0 + 9.0 / 2.0
    assert variance(near) == pytest.approx(one_step, rel=1e-4)
    assert variance(far) == pytest.approx(one_step * (1 + 5 * 0.25), rel=1e-3)
