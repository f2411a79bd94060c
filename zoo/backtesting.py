"""A trained forecaster backtested over rolling origins at the end of its series, beside
the classical forecasts made from the same origins (``zoo backtest``).

The origins are those of the test split's windows: the run never trained, validated or
stopped on a target at or after them, since windows are split by time. Every origin's
forecast is one row of a single batched forward pass. Scored per step ahead and over
all steps, in the data's units:

    MAE    mean |forecast - truth|
    RMSE   sqrt(mean (forecast - truth)^2)
    MASE   MAE / the mean |y_t - y_{t-m}| of the series before the origins (m: the
           season, given or detected, where those rows hold more than one; else 1):
           below 1 beats the naive forecast's in-sample error
    sMAPE  mean 2 |forecast - truth| / (|forecast| + |truth|), in percent

A quantile forecaster is scored by its median, and its band by coverage: how often the
truth fell between its lowest and highest quantile, beside how often it should.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from zoo.atomic import write_text
from zoo.data import classical, load_splits
from zoo.data.base import Context, Dataset, Splits, data_seed
from zoo.errors import UserError
from zoo.spec.derived import quantiles
from zoo.spec.schema import MEDIAN

MODEL = "model"
MEASURES = ("MAE", "RMSE", "MASE", "sMAPE")


@dataclass(frozen=True)
class Backtest:
    name: str  # the run's, for the table and the plot
    origins: np.ndarray  # (origins,): the series row each forecast starts at
    truth: np.ndarray  # (origins, horizon, series)
    forecasts: dict[str, np.ndarray]  # "model", then each classical method: truth's shape
    scale: np.ndarray  # (origins, series): MASE's denominator, each origin's series'
    series: np.ndarray  # (rows, series): the whole target series (the first), for the plot
    # a quantile forecaster's: the quantiles, and the model's forecast of each,
    # (origins, horizon, series, quantiles); its median is forecasts["model"]
    quantiles: list[float] | None = None
    bands: np.ndarray | None = None
    refit: int | None = None  # the origins between retrainings (None: the trained model)
    # many series (data.args.id): each origin's series; None for one
    ids: list[str] | None = None

    @property
    def horizon(self) -> int:
        return self.truth.shape[1]

    def per_step(self, name: str) -> dict[str, np.ndarray]:
        """Each measure at each step ahead, (horizon,), averaged over origins and series."""
        error = self.forecasts[name] - self.truth
        made, truth = self.forecasts[name], self.truth
        with np.errstate(invalid="ignore", divide="ignore"):
            symmetric = np.where(
                np.abs(made) + np.abs(truth) > 0,
                2 * np.abs(error) / (np.abs(made) + np.abs(truth)),
                0.0,
            )
        return {
            "MAE": np.abs(error).mean(axis=(0, 2)),
            "RMSE": np.sqrt((error**2).mean(axis=(0, 2))),
            "MASE": (np.abs(error) / self.scale[:, None, :]).mean(axis=(0, 2)),
            "sMAPE": 100 * symmetric.mean(axis=(0, 2)),
        }

    def overall(self, name: str) -> dict[str, float]:
        error = self.forecasts[name] - self.truth
        steps = self.per_step(name)
        return {
            "MAE": float(np.abs(error).mean()),
            "RMSE": float(np.sqrt((error**2).mean())),
            "MASE": float(steps["MASE"].mean()),
            "sMAPE": float(steps["sMAPE"].mean()),
        }

    def coverage(self) -> Coverage | None:
        """How often the truth fell within the model's widest band, beside how often
        it should (a quantile forecaster's; None for a point forecaster)."""
        if self.bands is None:
            return None
        assert self.quantiles is not None  # set with the bands
        low, high = self.bands[..., 0], self.bands[..., -1]
        inside = (low <= self.truth) & (self.truth <= high)
        return Coverage(
            low=self.quantiles[0],
            high=self.quantiles[-1],
            covered=float(inside.mean()),
            per_step=inside.mean(axis=(0, 2)),
            width=float((high - low).mean()),
        )

    def text(self) -> str:
        names = list(self.forecasts)
        width = max(len(n) for n in names) + 2
        where = (
            f"{len(set(self.ids))} series"
            if self.ids is not None
            else f"rows {self.origins.min()} to {self.origins.max()} of the series"
        )
        lines = [
            f"{self.name}: {len(self.origins)} origins ({where}), {self.horizon} "
            f"step{'s' * (self.horizon != 1)} ahead"
            + (
                f"; model and classical methods refitted every {self.refit} origins"
                if self.refit
                else ""
            ),
            "forecaster".ljust(width) + "".join(m.rjust(10) for m in MEASURES),
        ]
        for name in names:
            scores = self.overall(name)
            lines.append(name.ljust(width) + "".join(f"{scores[m]:10.4g}" for m in MEASURES))
        covered = self.coverage()
        if covered is not None:
            lines.append(covered.text())
        lines.append("")
        lines.append("MAE by steps ahead")
        lines.append("step".ljust(6) + "".join(n.rjust(max(12, len(n) + 2)) for n in names))
        steps = {name: self.per_step(name)["MAE"] for name in names}
        for h in range(self.horizon):
            row = "".join(f"{steps[n][h]:.4g}".rjust(max(12, len(n) + 2)) for n in names)
            lines.append(f"{h + 1}".ljust(6) + row)
        return "\n".join(lines)

    def write_csv(self, path: Path) -> None:
        """One row per origin, step ahead and series: the truth and every forecast."""
        from zoo.inference.commands import quantile_columns

        buffer = io.StringIO()
        writer = csv.writer(buffer)
        bands = quantile_columns([MODEL], self.quantiles or [])
        ids = ["id"] if self.ids is not None else []
        writer.writerow([*ids, "origin", "step", "series", "truth", *self.forecasts, *bands])
        for o, origin in enumerate(self.origins):
            which = [self.ids[o]] if self.ids is not None else []
            for h in range(self.horizon):
                for s in range(self.truth.shape[2]):
                    values = [self.truth[o, h, s], *(f[o, h, s] for f in self.forecasts.values())]
                    if self.bands is not None:
                        values += list(self.bands[o, h, s])
                    numbers = [repr(float(v)) for v in values]
                    writer.writerow([*which, int(origin), h + 1, s, *numbers])
        write_text(path, buffer.getvalue())

    def plot(self, path: Path) -> None:
        """The series with the model's forecast from a few origins (the first series,
        of many the first id's), and each forecaster's MAE by steps ahead."""
        from zoo.training.plots import new_panels, save_figure

        figure, (series, steps) = new_panels(2)
        own = (
            np.flatnonzero(np.array(self.ids) == self.ids[0])
            if self.ids is not None
            else np.arange(len(self.origins))
        )
        origins = self.origins[own]
        end = int(origins.max()) + self.horizon
        start = max(0, int(origins.min()) - 3 * self.horizon)
        rows = np.arange(start, end)
        series.plot(rows, self.series[start:end, 0], color="black", label="truth")
        picked = np.linspace(0, len(own) - 1, 5).round().astype(int)
        shown = own[np.unique(picked)]
        for n, o in enumerate(shown):
            ahead = np.arange(self.origins[o], self.origins[o] + self.horizon)
            label = "model, from some origins" if n == 0 else None
            series.plot(ahead, self.forecasts[MODEL][o, :, 0], color="tab:blue", label=label)
            if self.bands is not None and self.quantiles:
                band = f"q{self.quantiles[0]:g} to q{self.quantiles[-1]:g}" if n == 0 else None
                low, high = self.bands[o, :, 0, 0], self.bands[o, :, 0, -1]
                series.fill_between(ahead, low, high, color="tab:blue", alpha=0.2, label=band)
        series.axvline(origins.min(), color="grey", linestyle=":", label="first origin")
        series.set_xlabel("row of the series")
        first = f" ({self.ids[0]})" if self.ids is not None else ""
        series.set_title(f"forecasts against the truth{first}")
        series.legend(fontsize=8)
        for name in self.forecasts:
            style = "-" if name == MODEL else "--"
            steps.plot(range(1, self.horizon + 1), self.per_step(name)["MAE"], style, label=name)
        steps.set_xlabel("steps ahead")
        steps.set_title("MAE by steps ahead")
        steps.legend(fontsize=8)
        for axis in (series, steps):
            axis.grid(alpha=0.3)
        figure.suptitle(self.name)
        save_figure(figure, path)


def backtest(
    target: Path | str,
    origins: int | None = None,
    step: int = 1,
    unsafe: bool = False,
    refit: int | None = None,
) -> Backtest:
    """Backtest a trained forecaster (a run directory or a .keras file) over the last
    ``origins`` of its test split's windows, one every ``step`` rows (all by default).
    With ``refit`` K, the spec's model is instead trained afresh at every K-th origin on
    every window whose targets end by it, and the classical methods refitted there too,
    as a forecaster in production would retrain (the trained model is not used). Many
    series (data.args.id) are backtested series by series, each over its own test
    windows; their origins are taken to run on one clock that ends at every series' last
    row, so that a refit learns from each series up to the same time."""
    from zoo.opening import open_model

    opened = open_model(target, unsafe)
    spec = opened.spec
    splits = load_splits(spec, opened.data_folder, opened.numbering)
    if not backtestable(splits):
        raise UserError(
            f"{target}: backtest needs a forecaster of a series with a test split (windows "
            "of csv_series, sine, arma, lynx or airline, data.test > 0): its origins are the "
            "test windows, whose targets training never saw"
        )
    name = opened.run.path.name if opened.run is not None else opened.path.name
    data = Context(data_seed(spec), opened.data_folder, opened.numbering)
    return backtested(opened.model, spec, splits, name, origins, step, refit, data)


def backtestable(splits: Splits) -> bool:
    """Whether the splits are windows of a series with a test split to backtest over."""
    test = splits.test
    return test is not None and test.spans is not None and test.series is not None


def backtested(
    model: Any,
    spec: Any,
    splits: Splits,
    name: str,
    origins: int | None = None,
    step: int = 1,
    refit: int | None = None,
    data: Context | None = None,
) -> Backtest:
    """``backtest`` of a model open with its spec and data splits (``backtestable``);
    ``data``: the context its data was read in, which a refit reads it again in."""
    test = splits.test
    assert test is not None and test.spans is not None  # backtestable
    if test.groups is None:
        series = [(test, splits.train, "the test split", None)]
    else:
        assert test.series_names is not None
        series = []
        for group in np.unique(test.groups):
            label = test.series_names[int(group)]
            _, own = test.one_series(int(group))
            _, trained_on = splits.train.one_series(int(group))
            series.append((own, trained_on, f"the test split of series {label!r}", label))
    scored = [_chosen(own, origins, step, which) for own, _, which, _ in series]
    for part, (_, trained_on, _, _) in zip(scored, series, strict=True):
        assert part.spans is not None and trained_on.spans is not None
        if part.spans[:, 0].min() < trained_on.spans[:, 1].max():  # time_split forbids it
            raise AssertionError("a backtest origin precedes a training target")
    if refit is None:  # one batched forward pass over every series' origins
        every = model.predict(
            np.concatenate([part.x for part in scored]), verbose=0, batch_size=256
        )
        made = np.split(every, np.cumsum([len(part) for part in scored])[:-1])
        cutoffs: list[np.ndarray | None] = [None] * len(scored)
    else:
        assert data is not None  # a refit reads the data again
        cutoffs = list(refit_cutoffs([rows_to_end(part) for part in scored], refit))
        made = _refitted(spec, data, scored, cutoffs)  # type: ignore[arg-type]
    season: int | classical.Season | None = classical.season_of(spec)
    if test.groups is not None:  # one season for every series, as zoo train scores them
        season = classical.panel_season(splits.train, season)
    parts = [
        _scored(spec, part, trained_on, predicted, cut, refit, name, season)
        for part, (_, trained_on, _, _), predicted, cut in zip(
            scored, series, made, cutoffs, strict=True
        )
    ]
    if test.groups is None:
        return parts[0]
    ids = [label for part, (*_, label) in zip(parts, series, strict=True) for _ in part.origins]
    return _joined(parts, ids)


def _chosen(test: Dataset, origins: int | None, step: int, which: str) -> Dataset:
    """The test windows backtested: the last ``origins`` of those ``step`` rows apart,
    counted back from the last; ``which``: that series' test split, for a message."""
    assert test.spans is not None
    starts = test.spans[:, 0]
    chosen = np.flatnonzero((starts.max() - starts) % step == 0)
    if origins is not None:
        if origins > len(chosen):
            raise UserError(
                f"--origins {origins}: {which} holds {len(chosen)} origins "
                f"{step} row{'s' * (step != 1)} apart"
            )
        chosen = chosen[-origins:]
    return test.take(chosen)


def _scored(
    spec: Any,
    scored: Dataset,
    train: Dataset,
    predicted: np.ndarray,
    cutoffs: np.ndarray | None,
    refit: int | None,
    name: str,
    season: int | classical.Season | None,
) -> Backtest:
    """One series' backtest from the model's forecasts of its ``scored`` windows, with
    the classical methods fitted before the first origin, or refitted at each ``cutoffs``
    (rows before the series' end, one per origin), with ``season`` (the spec's, or
    resolved for many series at once)."""
    assert scored.spans is not None and scored.series is not None
    horizon = int(scored.spans[0, 1] - scored.spans[0, 0])
    shape = (len(scored), horizon, -1)
    predicted = np.asarray(predicted, "float64")
    levels = quantiles(spec)
    bands = None
    if levels is not None:  # (origins, quantiles, horizon * series) -> quantiles last
        bands = np.moveaxis(predicted.reshape(len(scored), len(levels), horizon, -1), 1, -1)
        predicted = bands[..., levels.index(MEDIAN)]
    made = {MODEL: predicted.reshape(shape)}
    for method, forecast in _classical(scored, train, season, cutoffs).items():
        made[method] = forecast.reshape(shape)
    series = scored.series.reshape(len(scored.series), -1).astype("float64")
    before = series[: classical.fitted_until(scored, train)]
    scale = naive_scale(before, classical.resolved_season(season, before[:, 0]).period)
    return Backtest(
        name=name,
        origins=scored.spans[:, 0],
        truth=scored.y.reshape(shape).astype("float64"),
        forecasts=made,
        scale=np.tile(scale, (len(scored), 1)),
        series=series,
        quantiles=levels,
        bands=bands,
        refit=refit,
    )


def naive_scale(before: np.ndarray, season: int | None) -> np.ndarray:
    """MASE's denominator for each column of the rows ``before`` the origins: the mean
    |y_t - y_{t-m}|, m the season where those rows hold more than one, else 1 (the naive
    forecast's step); 1 where that is 0 (a flat series)."""
    lag = season if season and season < len(before) else 1
    scale = np.abs(before[lag:] - before[:-lag]).mean(axis=0)
    return np.where(scale > 0, scale, 1.0)


def _joined(parts: list[Backtest], ids: list[str]) -> Backtest:
    """Many series' backtests as one, each origin labelled with its series; a classical
    method missing for some series (too short to fit) is left out."""
    first = parts[0]
    shared = [name for name in first.forecasts if all(name in p.forecasts for p in parts)]
    return Backtest(
        name=first.name,
        origins=np.concatenate([p.origins for p in parts]),
        truth=np.concatenate([p.truth for p in parts]),
        forecasts={n: np.concatenate([p.forecasts[n] for p in parts]) for n in shared},
        scale=np.concatenate([p.scale for p in parts]),
        series=first.series,
        quantiles=first.quantiles,
        bands=None if first.bands is None else np.concatenate([p.bands for p in parts]),
        refit=first.refit,
        ids=ids,
    )


def rows_to_end(data: Dataset, ends: bool = False) -> np.ndarray:
    """How many rows of its series lie at or after each example's origin (with ``ends``,
    after its targets end): a clock that runs down to 0 at the series' last row, the
    same for every series of a panel where they end together."""
    assert data.spans is not None and data.series is not None
    rows = data.spans[:, 1 if ends else 0]
    if data.groups is None:
        return len(data.series) - rows
    assert data.series_rows is not None
    return data.series_rows[data.groups, 1] - rows


def refit_cutoffs(origins: list[np.ndarray], every: int) -> list[np.ndarray]:
    """For each series' origins (as ``rows_to_end``), the time of the refit each is
    forecast after: the origin times of all series, earliest first, grouped ``every`` to
    a refit at the first of each group."""
    times = np.unique(np.concatenate(origins))[::-1]  # the most rows to the end: earliest
    first = times[(np.arange(len(times)) // every) * every]
    refit_at = dict(zip(times.tolist(), first.tolist(), strict=True))
    return [np.array([refit_at[t] for t in each.tolist()], dtype=int) for each in origins]


def _classical(
    scored: Dataset,
    train: Dataset,
    season: int | classical.Season | None,
    cutoffs: np.ndarray | None,
) -> dict[str, np.ndarray]:
    """The classical forecasts from every origin: fitted before the first, or refitted
    where the model is (``cutoffs``, as ``refit_cutoffs``)."""
    if cutoffs is None:
        return classical.forecasts(scored, train, season)
    assert scored.series is not None
    # detected (if at all) once, before the first origin: every refit forecasts alike
    before = scored.series[: classical.fitted_until(scored, train), 0]
    season = classical.resolved_season(season, before)
    made: dict[str, np.ndarray] = {}
    for cutoff in np.unique(cutoffs):
        block = np.flatnonzero(cutoffs == cutoff)
        until = len(scored.series) - int(cutoff)
        for name, forecast in classical.forecasts(scored.take(block), train, season, until).items():
            made.setdefault(name, np.full((len(scored), *forecast.shape[1:]), np.nan))
            made[name][block] = forecast
    # a method that some refit could not fit (too short a past) is left out, not half-scored
    return {name: forecast for name, forecast in made.items() if not np.isnan(forecast).any()}


def _refitted(
    spec: Any, data: Context, scored: list[Dataset], cutoffs: list[np.ndarray]
) -> list[np.ndarray]:
    """The spec's model trained afresh at each refit time (``refit_cutoffs``), on every
    window of the data (every series) whose targets end by it, for train.epochs (no
    validation split to stop on: the origins after it are the test); its forecasts of
    each series' ``scored`` windows, from the refit before each."""
    from zoo.builder import build_model
    from zoo.data.base import source_of
    from zoo.data.preprocessing import fit_preprocessing
    from zoo.training.run import fit

    source, args = source_of(spec)  # every window, those straddling a split's edge too
    whole = source.load(args, data)
    left = rows_to_end(whole, ends=True)
    made: list[np.ndarray | None] = [None] * len(scored)
    for cutoff in sorted(set(np.concatenate(cutoffs).tolist()), reverse=True):  # in time order
        before = whole.take(np.flatnonzero(left >= cutoff))
        if len(before) == 0:
            raise UserError(
                f"--refit: no window's targets end {cutoff} rows before its series' end"
            )
        model = build_model(spec, fit_preprocessing(spec, before))
        fit(model, spec, Splits(before, None, None), callbacks=[], verbose=0)
        for index, (part, cut) in enumerate(zip(scored, cutoffs, strict=True)):
            block = np.flatnonzero(cut == cutoff)
            if len(block) == 0:
                continue
            ahead = model.predict(part.take(block).x, verbose=0, batch_size=256)
            if made[index] is None:
                made[index] = np.zeros((len(part), *ahead.shape[1:]), dtype=ahead.dtype)
            made[index][block] = ahead  # type: ignore[index]
    return made  # type: ignore[return-value]


@dataclass(frozen=True)
class Coverage:
    """How often the truth fell between a quantile forecaster's lowest and highest
    quantile: for 0.1 and 0.9, an 80 % interval should hold 80 % of the truths."""

    low: float
    high: float
    covered: float  # the share of the truths within the band
    per_step: np.ndarray  # (horizon,): the same by steps ahead
    width: float  # the band's mean width, in the data's units

    @property
    def nominal(self) -> float:
        return self.high - self.low

    def text(self) -> str:
        return (
            f"interval q{self.low:g} to q{self.high:g} (should hold {self.nominal:.0%} of the "
            f"truths): holds {self.covered:.1%}, mean width {self.width:.4g}"
        )
