"""The forecasts a practitioner makes before trying a neural network, on the same test
windows as the model's, so that a forecaster's score is read beside them.

- seasonal naive: each step repeats the same step one season earlier (with a season);
- Holt-Winters: exponential smoothing with an additive trend and, with a season, an
  additive seasonal component (statsmodels);
- AR(p): a linear autoregression on the last p values, least squares.

Each is fitted on the series before the scored windows' first origin (its parameters,
or its coefficients: for the test split, the training and validation years, which the
model learns and stops on), then run over each window's past up to the window's
origin, as the model reads its window: the past is known at forecast time, the
targets are not. Scores
are in the data's units, per method: mean squared and mean absolute error.

Holt-Winters needs statsmodels (the ``forecast`` extra); without it the method is left
out and the results say so.

The season is the spec's (``data.args.season``; 1: none) or, left out, detected in the
series before the scored windows: the lag, of at least 2 and at most a third of that
series, where the autocorrelation of its changes peaks above SEASONAL (12 on monthly
airline passengers, 10 on the lynx cycle; none on an ARMA process).
"""

from __future__ import annotations

import functools
import importlib.util
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from zoo.data.base import Dataset

# (one series up to its last origin, the origins, how many steps ahead) -> (origins, steps):
# the forecast from each origin, from the series before it
Forecaster = Callable[[np.ndarray, np.ndarray, int], np.ndarray]
AR_ORDER = 2  # the order the classical literature fits to the lynx series
SEASONAL = 0.5  # the autocorrelation of the changes a detected season must reach


@dataclass(frozen=True)
class Method:
    name: str
    # the training split's part of one series -> a forecaster fitted on it, or None
    # when that part is too short for the method
    fit: Callable[[np.ndarray], Forecaster | None]


@dataclass(frozen=True)
class Season:
    """The seasonal period the methods use (None: not seasonal), and whether it was
    detected in the series rather than given by the spec (the methods' names say so)."""

    period: int | None
    detected: bool = False


def methods(resolved: Season) -> list[Method]:
    """The classical forecasters for a series with this season."""
    season = resolved.period
    found = [Method(f"AR({AR_ORDER})", _fit_autoregression)]
    shown = f"{season}, detected" if resolved.detected else f"{season}"
    if season:
        found.insert(0, Method(f"seasonal naive ({shown})", lambda t: _seasonal_naive(t, season)))
    if importlib.util.find_spec("statsmodels") is not None:
        name = f"Holt-Winters ({shown})" if season else "Holt-Winters"
        found.append(Method(name, lambda train: _fit_holt_winters(train, season)))
    return found


def resolved_season(season: int | Season | None, before: np.ndarray) -> Season:
    """The season to use: one resolved already, the spec's (1 meaning none), or, left
    out, the one detected in ``before`` (one series, the rows before the scored windows)."""
    if isinstance(season, Season):
        return season
    if season is not None:
        return Season(season if season > 1 else None)
    found = detect_season(before)
    return Season(found, detected=found is not None)


def panel_season(train: Dataset, season: int | Season | None) -> Season:
    """The season of many series, detected (where the spec gives none) once, on the
    first series' training rows, so that every series is forecast alike."""
    if season is not None:
        return resolved_season(season, np.empty(0))
    assert train.groups is not None
    _, first = train.one_series(int(train.groups[0]))
    assert first.series is not None and first.spans is not None
    return resolved_season(None, first.series[: int(first.spans[:, 1].max()), 0])


def detect_season(values: np.ndarray) -> int | None:
    """The lag at which the autocorrelation of the series' changes has its highest local
    peak, if that peak reaches SEASONAL; the changes, so that a trend is no season."""
    changes = np.diff(values.astype("float64"))
    changes -= changes.mean()
    energy = float(np.dot(changes, changes))
    longest = len(changes) // 3  # at least three seasons seen
    if energy == 0 or longest < 3:
        return None
    acf = np.array([np.dot(changes[:-k], changes[k:]) / energy for k in range(1, longest + 2)])
    peaks = [
        (acf[k - 1], k)
        for k in range(2, longest + 1)
        if acf[k - 1] >= acf[k - 2] and acf[k - 1] >= acf[k]
    ]
    best = max(peaks, default=None)
    return best[1] if best is not None and best[0] >= SEASONAL else None


def season_of(spec: Any) -> int | None:
    """The spec's data.args.season, for the sources that take one (None: to detect)."""
    from zoo.data.base import source_of

    if spec.data is None:
        return None
    return getattr(source_of(spec)[1], "season", None)


def scores(
    dataset: Dataset, train: Dataset, season: int | Season | None
) -> dict[str, dict[str, float]]:
    """Each method's mse and mae on ``dataset``'s windows, fitted on the series before
    their first origin (at least the training split's part); {} for data that is not
    windows of one series."""
    results = {}
    for name, made in forecasts(dataset, train, season).items():
        errors = made.reshape(dataset.y.shape) - dataset.y.astype("float64")
        results[name] = {
            "mse": float(np.mean(errors**2)),
            "mae": float(np.mean(np.abs(errors))),
        }
    return results


def forecasts(
    dataset: Dataset, train: Dataset, season: int | Season | None, until: int | None = None
) -> dict[str, np.ndarray]:
    """Each method's forecasts of ``dataset``'s windows, (windows, horizon * series) as
    their targets are laid out, fitted on the series before ``until`` (default:
    ``fitted_until``); {} for data that is not windows of one series."""
    if dataset.series is None or dataset.spans is None or train.spans is None:
        return {}
    if dataset.groups is not None:
        return _each_series(dataset, train, season, until)
    series = dataset.series.reshape(len(dataset.series), -1).astype("float64")
    until = fitted_until(dataset, train) if until is None else until
    made = {}
    for method in methods(resolved_season(season, series[:until, 0])):
        forecast = _forecasts(method, series, until, dataset.spans)
        if forecast is not None:
            made[method.name] = forecast
    return made


def _each_series(
    dataset: Dataset, train: Dataset, season: int | Season | None, until: int | None
) -> dict[str, np.ndarray]:
    """Many series (a panel): each method fitted and run on each series alone, with one
    season for all (``panel_season``)."""
    assert dataset.groups is not None and train.groups is not None and until is None
    season = panel_season(train, season)
    made: dict[str, np.ndarray] = {}
    for group in np.unique(dataset.groups):
        index, part = dataset.one_series(int(group))
        _, trained_on = train.one_series(int(group))
        for name, forecast in forecasts(part, trained_on, season).items():
            made.setdefault(name, np.full((len(dataset), forecast.shape[1]), np.nan))
            made[name][index] = forecast
    # a method too short for some series' training years is left out, not half-scored
    return {name: f for name, f in made.items() if not np.isnan(f).any()}


def fitted_until(dataset: Dataset, train: Dataset) -> int:
    """The row before which the methods are fitted: the scored windows' first origin, or
    the end of the training targets where those come later (scoring the training split)."""
    assert dataset.spans is not None and train.spans is not None
    return max(int(dataset.spans[:, 0].min()), int(train.spans[:, 1].max()))


def _forecasts(
    method: Method, series: np.ndarray, fitted_until: int, spans: np.ndarray
) -> np.ndarray | None:
    """(windows, horizon * columns), step-major like the windows' targets."""
    steps = int(spans[0, 1] - spans[0, 0])  # one horizon for every window
    origins = spans[:, 0].astype(int)
    per_column = []
    for column in series.T:
        forecaster = method.fit(column[:fitted_until])
        if forecaster is None:
            return None
        # the series up to the last origin: no forecaster is handed a scored target
        per_column.append(forecaster(column[: origins.max()], origins, steps))
    return np.stack(per_column, axis=-1).reshape(len(spans), -1)


def _seasonal_naive(train: np.ndarray, season: int) -> Forecaster | None:
    if len(train) < season:  # no season before the first origin to repeat
        return None

    def forecast(series: np.ndarray, origins: np.ndarray, steps: int) -> np.ndarray:
        # step h repeats the step a whole number of seasons before it, in the last season
        return series[origins[:, None] - season + np.arange(steps) % season]

    return forecast


def _fit_autoregression(train: np.ndarray) -> Forecaster | None:
    p = AR_ORDER
    if len(train) < 3 * p + 1:
        return None
    lagged = np.column_stack([train[p - k - 1 : len(train) - k - 1] for k in range(p)])
    design = np.column_stack([np.ones(len(lagged)), lagged])
    coefficients, *_ = np.linalg.lstsq(design, train[p:], rcond=None)

    def forecast(series: np.ndarray, origins: np.ndarray, steps: int) -> np.ndarray:
        made = np.empty((len(origins), steps))
        for row, origin in enumerate(origins):
            recent = list(series[origin - p : origin])
            for h in range(steps):  # each step feeds the last back, as an AR model forecasts
                made[row, h] = coefficients[0] + sum(
                    coefficients[k + 1] * recent[-k - 1] for k in range(p)
                )
                recent.append(made[row, h])
        return made

    return forecast


def _holt_winters(values: np.ndarray, season: int | None, **initial: object) -> Any:
    """statsmodels' ExponentialSmoothing: an additive trend, and an additive season."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    seasonal = "add" if season else None
    return ExponentialSmoothing(
        values, trend="add", seasonal=seasonal, seasonal_periods=season, **initial
    )


def _fit_holt_winters(train: np.ndarray, season: int | None) -> Forecaster | None:
    if len(train) < (2 * season if season else 0) + 10:  # two seasons to start from
        return None
    p = _holt_winters_parameters(train, season)
    initial = {
        "initialization_method": "known",
        "initial_level": p["initial_level"],
        "initial_trend": p["initial_trend"],
    }
    if season:
        initial["initial_seasonal"] = p["initial_seasons"]
    smoothing = {k: p[k] for k in ("smoothing_level", "smoothing_trend", "smoothing_seasonal")}
    if not season:
        smoothing.pop("smoothing_seasonal")

    def forecast(series: np.ndarray, origins: np.ndarray, steps: int) -> np.ndarray:
        # one pass of the smoothing over the series: its state after each step is what a
        # run over the past up to that step ends in, as the recursions only look back
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            run = _holt_winters(series, season, **initial).fit(**smoothing, optimized=False)
        seasons = None
        if season:  # the initial seasons first: s_t for t from -season on
            seasons = np.concatenate([np.asarray(p["initial_seasons"]), np.asarray(run.season)])
        return _from_states(np.asarray(run.level), np.asarray(run.trend), seasons, origins, steps)

    return forecast


@functools.lru_cache(maxsize=8)
def _holt_winters_fitted(values: bytes, season: int | None) -> dict[str, Any]:
    with warnings.catch_warnings():  # convergence chatter, not a user's concern
        warnings.simplefilter("ignore")
        return dict(_holt_winters(np.frombuffer(values, "float64"), season).fit().params)


def _holt_winters_parameters(train: np.ndarray, season: int | None) -> dict[str, Any]:
    """The fitted parameters, fitted once per series and season: zoo train asks for the
    same fit twice (the test scores and the MAE by steps ahead), and the optimiser's
    search is most of Holt-Winters' time."""
    return _holt_winters_fitted(np.ascontiguousarray(train, "float64").tobytes(), season)


def _from_states(
    level: np.ndarray,
    trend: np.ndarray,
    seasons: np.ndarray | None,
    origins: np.ndarray,
    steps: int,
) -> np.ndarray:
    """(origins, steps): from the states after the step before each origin T,
    y_{T+h} = l_T + h b_T + s_{T+h-m(k+1)}, k = (h - 1) // m (Hyndman and Athanasopoulos,
    Forecasting: Principles and Practice, 8.3), ``seasons`` starting m steps before the
    series (None: not seasonal). statsmodels' own forecast takes s_{T-m} at h = m (its
    issue 9538), a season older than the one the recursion just updated."""
    last = origins[:, None] - 1  # the state after the last known step
    h = np.arange(1, steps + 1)[None, :]
    made = level[last] + h * trend[last]
    if seasons is None:
        return made
    m = len(seasons) - len(level)  # the season: its initial factors come first
    return made + seasons[m + last + h - m * ((h - 1) // m + 1)]
