"""Forecasts of monthly counts with predictive distributions, and their measured skill.

The model is a negative binomial local level: the expected count next month is an
exponentially weighted mean of past months (smoothing ``alpha``), and the count is
negative binomial around it (``size``: small is overdispersed, large is Poisson). Both
are fitted by maximum likelihood of the one-step-ahead predictions (scipy). The level
carries forward flat to every horizon: North Korea tests in bursts and regimes, and a
fitted trend or season extrapolated six months out did worse than a level that adapts.

Skill is measured by a rolling-origin backtest: at every origin the model sees only the
months up to it and forecasts 1–6 months ahead; each forecast is scored by the CRPS of
its whole predictive distribution and by whether the central 80 % interval held the
outcome. Three naive forecasts are scored the same way (each a Poisson distribution
around its mean): the last value, the mean of the same calendar month in past years,
and the long-run mean. See docs/methodology.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from .series import MonthlySeries

HORIZON = 6
#: months the model needs before its first forecast (and a backtest before its first origin)
MIN_HISTORY = 24
#: at most this many backtest origins (the latest ones)
MAX_ORIGINS = 180
LEVEL = 0.8
#: months of history the smoothing and dispersion are fitted on (the level runs over all of it)
FIT_WINDOW = 60
BASELINES = ("last_value", "seasonal_mean", "long_run_mean")


@dataclass(frozen=True)
class LocalLevel:
    """A fitted negative binomial local-level model."""

    level: float
    alpha: float
    size: float

    def pmf(self, support: np.ndarray, horizon: int = 1) -> np.ndarray:
        """The predictive distribution ``horizon`` months ahead.

        The level is only known up to the next month's noise: as in simple exponential
        smoothing, h months ahead the variance grows to (1 + (h − 1) α²) times the
        one-step variance μ + μ²/k, which the negative binomial carries as a smaller size.
        """
        mean = max(self.level, 1e-6)
        one_step = mean + mean**2 / self.size
        total = one_step * (1 + (horizon - 1) * self.alpha**2)
        return negative_binomial_pmf(mean, mean**2 / max(total - mean, 1e-9), support)


@dataclass(frozen=True)
class Forecast:
    """A series' forecast for each of the next months, and the backtest of the method."""

    series: str
    title: str
    origin: pd.Timestamp | None
    model: LocalLevel | None
    months: list[dict[str, object]]
    skill: Backtest | None = None
    note: str | None = None


@dataclass(frozen=True)
class Backtest:
    """Mean CRPS of the model and of each baseline by horizon, and 80 % interval coverage."""

    origins: int
    first_origin: pd.Timestamp
    last_origin: pd.Timestamp
    table: pd.DataFrame
    overall: dict[str, float] = field(default_factory=dict)

    @property
    def best_baseline(self) -> str:
        return min(BASELINES, key=lambda name: self.overall[name])

    @property
    def improvement(self) -> float:
        """How much lower the model's mean CRPS is than the best baseline's (0.1 = 10 %)."""
        best = self.overall[self.best_baseline]
        return 1.0 - self.overall["model"] / best if best > 0 else 0.0


# -- distributions ------------------------------------------------------------------------------


def negative_binomial_pmf(mean: float, size: float, support: np.ndarray) -> np.ndarray:
    """Negative binomial probabilities over ``support`` (mean and size parametrisation)."""
    mean = max(mean, 1e-6)
    log_pmf = (special.gammaln(support + size) - special.gammaln(size)
               - special.gammaln(support + 1) + size * np.log(size / (size + mean))
               + support * np.log(mean / (size + mean)))  # fmt: skip
    return np.asarray(np.exp(log_pmf))


def poisson_pmf(mean: float, support: np.ndarray) -> np.ndarray:
    """Poisson probabilities over ``support``."""
    mean = max(mean, 1e-6)
    return np.asarray(np.exp(support * np.log(mean) - mean - special.gammaln(support + 1)))


def crps(pmf: np.ndarray, support: np.ndarray, observed: float) -> float:
    """Continuous ranked probability score of a count distribution (lower is better)."""
    cdf = np.cumsum(pmf)
    return float(np.sum((cdf - (support >= observed)) ** 2))


def quantile(pmf: np.ndarray, support: np.ndarray, p: float) -> int:
    """The smallest count whose cumulative probability reaches ``p``."""
    position = int(np.searchsorted(np.cumsum(pmf), p - 1e-12))
    return int(support[min(position, len(support) - 1)])


def support_for(values: np.ndarray) -> np.ndarray:
    return np.arange(int(max(60.0, 6 * float(np.max(values, initial=0.0)) + 30)))


# -- the model ------------------------------------------------------------------------------------


def _levels(values: np.ndarray, alpha: float) -> np.ndarray:
    """The level before each month, and after the last one (length n + 1)."""
    from scipy.signal import lfilter  # scipy.signal costs half a second to import: only here

    start = values[: min(12, len(values))].mean()
    smoothed, _ = lfilter([alpha], [1, -(1 - alpha)], values, zi=[(1 - alpha) * start])
    return np.maximum(np.concatenate([[start], smoothed]), 1e-3)


def _nb_loglik(observed: np.ndarray, size: float, mean: np.ndarray) -> float:
    return float(np.sum(
        special.gammaln(observed + size) - special.gammaln(size) - special.gammaln(observed + 1)
        + size * np.log(size / (size + mean)) + observed * np.log(mean / (size + mean))
    ))  # fmt: skip


#: the grid the fit searches before refining (the likelihood can have several local optima)
ALPHA_GRID = np.linspace(-5.0, 2.0, 29)
SIZE_GRID = np.linspace(-3.0, 6.0, 37)
#: the smoothing logit and log size stay within these (size e^7: Poisson for all purposes)
BOUNDS = np.array([[-6.0, 3.0], [-4.0, 7.0]])


def fit_local_level(values: np.ndarray, warmup: int = 6) -> LocalLevel:
    """Smoothing and dispersion by maximum likelihood of one-step-ahead predictions.

    They are fitted on the last ``FIT_WINDOW`` months, so decades of a quieter regime
    do not set how fast the level adapts now; the level itself runs over all months.
    A grid over both finds the best basin; Nelder-Mead refines it.
    """
    recent = values[-FIT_WINDOW:]
    observed = recent[warmup:]

    def loss(params: np.ndarray) -> float:
        logit, log_size = np.clip(params, BOUNDS[:, 0], BOUNDS[:, 1])
        alpha, size = 1 / (1 + np.exp(-logit)), np.exp(log_size)
        return -_nb_loglik(observed, size, _levels(recent, alpha)[warmup:-1])

    means = np.stack([_levels(recent, 1 / (1 + np.exp(-a)))[warmup:-1] for a in ALPHA_GRID])
    sizes = np.exp(SIZE_GRID)[:, None, None]
    grid = (special.gammaln(observed + sizes) - special.gammaln(sizes)
            + sizes * np.log(sizes / (sizes + means)) + observed * np.log(means / (sizes + means))
            ).sum(axis=2)  # fmt: skip
    best_size, best_alpha = np.unravel_index(np.argmax(grid), grid.shape)
    start = np.array([ALPHA_GRID[best_alpha], SIZE_GRID[best_size]])
    from scipy.optimize import minimize  # imported when a model is fitted, not with the CLI

    fitted = minimize(loss, start, method="Nelder-Mead",
                               options={"xatol": 1e-3, "fatol": 1e-4})  # fmt: skip
    logit, log_size = np.clip(fitted.x, BOUNDS[:, 0], BOUNDS[:, 1])
    alpha, size = 1 / (1 + np.exp(-logit)), float(np.exp(log_size))
    return LocalLevel(float(_levels(values, alpha)[-1]), float(alpha), size)


def _summary(
    pmf: np.ndarray, support: np.ndarray, month: pd.Timestamp, h: int
) -> dict[str, object]:
    tail = (1 - LEVEL) / 2
    return {
        "month": month, "horizon": h, "mean": float(np.dot(pmf, support)),
        "median": quantile(pmf, support, 0.5), "low": quantile(pmf, support, tail),
        "high": quantile(pmf, support, 1 - tail), "p_none": float(pmf[0]),
    }  # fmt: skip


# -- the backtest --------------------------------------------------------------------------------


def baseline_pmfs(
    history: np.ndarray, target_position: int, support: np.ndarray
) -> dict[str, np.ndarray]:
    """The naive forecasts for the month at ``target_position``, each as a Poisson distribution."""
    same_month = history[np.arange(len(history)) % 12 == target_position % 12]
    return {
        "last_value": poisson_pmf(history[-1], support),
        "seasonal_mean": poisson_pmf(same_month.mean() if len(same_month) else 0.0, support),
        "long_run_mean": poisson_pmf(history.mean(), support),
    }


def backtest(
    values: np.ndarray, months: pd.DatetimeIndex, horizon: int = HORIZON
) -> Backtest | None:
    """Rolling-origin evaluation of the model against the naive baselines (None: too short)."""
    n = len(values)
    first = max(MIN_HISTORY, n - 1 - MAX_ORIGINS)
    if n - 1 - first < 12:
        return None
    support = support_for(values)
    tail = (1 - LEVEL) / 2
    rows = []
    for origin in range(first, n - 1):
        history = values[: origin + 1]
        model = fit_local_level(history)
        for h in range(1, min(horizon, n - 1 - origin) + 1):
            pmf = model.pmf(support, h)
            low, high = quantile(pmf, support, tail), quantile(pmf, support, 1 - tail)
            observed = values[origin + h]
            row = {"horizon": h, "model": crps(pmf, support, observed),
                   "covered": float(low <= observed <= high)}  # fmt: skip
            for name, base in baseline_pmfs(history, origin + h, support).items():
                row[name] = crps(base, support, observed)
            rows.append(row)
    frame = pd.DataFrame(rows)
    table = frame.groupby("horizon").agg(
        forecasts=("model", "size"), model=("model", "mean"),
        **{name: (name, "mean") for name in BASELINES}, coverage=("covered", "mean"),
    ).reset_index()  # fmt: skip
    overall = {name: float(frame[name].mean()) for name in ("model", *BASELINES, "covered")}
    return Backtest(n - 1 - first, months[first], months[n - 2], table, overall)


def forecast_series(
    series: MonthlySeries, horizon: int = HORIZON, evaluate: bool = True
) -> Forecast:
    """The next ``horizon`` months of a count series, with the backtest of the method."""
    values = series.values.to_numpy(float)
    if series.kind != "count":
        return Forecast(series.name, series.title, None, None, [],
                        note=f"not forecast: {series.name} is not a count series")  # fmt: skip
    if len(values) < MIN_HISTORY or values.sum() < 2:
        note = (f"not enough evidence: {len(values)} months and {int(values.sum())} events; "
                f"a forecast needs {MIN_HISTORY} months and 2 events")  # fmt: skip
        return Forecast(series.name, series.title, None, None, [], note=note)
    months = pd.DatetimeIndex(series.values.index)
    model = fit_local_level(values)
    support = support_for(values)
    ahead = [_summary(model.pmf(support, h), support, months[-1] + pd.DateOffset(months=h), h)
             for h in range(1, horizon + 1)]  # fmt: skip
    skill = backtest(values, months, horizon) if evaluate else None
    return Forecast(series.name, series.title, months[-1], model, ahead, skill)
