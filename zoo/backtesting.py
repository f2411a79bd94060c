"""A trained forecaster backtested over rolling origins at the end of its series, beside
the classical forecasts made from the same origins (``zoo backtest``).

The origins are those of the test split's windows: the run never trained, validated or
stopped on a target at or after them, since windows are split by time. Every origin's
forecast is one row of a single batched forward pass. Scored per step ahead and over
all steps, in the data's units:

    MAE    mean |forecast - truth|
    RMSE   sqrt(mean (forecast - truth)^2)
    MASE   MAE / the mean |y_t - y_{t-m}| of the series before the origins (m: the
           season, given or detected, else 1): below 1 beats the naive forecast's
           in-sample error
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
from zoo.data.base import Dataset
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
    as a forecaster in production would retrain (the trained model is not used)."""
    from zoo.opening import open_model

    opened = open_model(target, unsafe)
    spec = opened.spec
    splits = load_splits(spec, opened.data_folder, opened.numbering)
    test = splits.test
    if test is None or test.spans is None or test.series is None:
        raise UserError(
            f"{target}: backtest needs a forecaster of a series with a test split (windows "
            "of csv_series, sine, arma, lynx or airline, data.test > 0): its origins are the "
            "test windows, whose targets training never saw"
        )
    name = opened.run.path.name if opened.run is not None else opened.path.name
    if test.groups is None:
        return _one_series(opened, spec, test, splits.train, origins, step, refit, name)
    if refit is not None:
        raise UserError(
            f"{target}: --refit of many series (data.args.id) is not built yet; backtest the "
            "trained model (without --refit)"
        )
    assert test.series_names is not None
    parts, ids = [], []
    for group in np.unique(test.groups):
        _, own = test.one_series(int(group))
        _, trained_on = splits.train.one_series(int(group))
        label = test.series_names[int(group)]
        which = f"the test split of series {label!r}"
        part = _one_series(opened, spec, own, trained_on, origins, step, None, name, which)
        parts.append(part)
        ids += [label] * len(part.origins)
    return _joined(parts, ids)


def _one_series(
    opened: Any,
    spec: Any,
    test: Dataset,
    train: Dataset,
    origins: int | None,
    step: int,
    refit: int | None,
    name: str,
    which: str = "the test split",
) -> Backtest:
    """The backtest of one series' test windows (see ``backtest``); ``which``: that
    series, for a message."""
    assert test.spans is not None and test.series is not None
    starts = test.spans[:, 0]
    chosen = np.flatnonzero((starts.max() - starts) % step == 0)
    if origins is not None:
        if origins > len(chosen):
            raise UserError(
                f"--origins {origins}: {which} holds {len(chosen)} origins "
                f"{step} row{'s' * (step != 1)} apart"
            )
        chosen = chosen[-origins:]
    scored = test.take(chosen)
    assert scored.spans is not None and train.spans is not None
    if scored.spans[:, 0].min() < train.spans[:, 1].max():  # time_split forbids it
        raise AssertionError("a backtest origin precedes a training target")
    horizon = int(scored.spans[0, 1] - scored.spans[0, 0])
    shape = (len(scored), horizon, -1)
    if refit is None:
        predicted = opened.model.predict(scored.x, verbose=0, batch_size=256)  # one pass
    else:
        predicted = _refitted(spec, opened, scored, refit)
    predicted = np.asarray(predicted, "float64")
    levels = quantiles(spec)
    bands = None
    if levels is not None:  # (origins, quantiles, horizon * series) -> quantiles last
        bands = np.moveaxis(predicted.reshape(len(scored), len(levels), horizon, -1), 1, -1)
        predicted = bands[..., levels.index(MEDIAN)]
    made = {MODEL: predicted.reshape(shape)}
    season = classical.season_of(spec)
    for method, forecast in _classical(scored, train, season, refit).items():
        made[method] = forecast.reshape(shape)
    assert scored.series is not None
    series = scored.series.reshape(len(scored.series), -1).astype("float64")
    before = series[: classical.fitted_until(scored, train)]
    lag = classical.resolved_season(season, before[:, 0])[0] or 1
    scale = np.abs(before[lag:] - before[:-lag]).mean(axis=0)
    return Backtest(
        name=name,
        origins=scored.spans[:, 0],
        truth=scored.y.reshape(shape).astype("float64"),
        forecasts=made,
        scale=np.tile(np.where(scale > 0, scale, 1.0), (len(scored), 1)),
        series=series,
        quantiles=levels,
        bands=bands,
        refit=refit,
    )


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
        ids=ids,
    )


def blocks(count: int, every: int | None) -> list[np.ndarray]:
    """The origins' indexes (in time order) grouped by the refit each is forecast after:
    one group without refitting, else a group every ``every`` origins."""
    if every is None:
        return [np.arange(count)]
    return [np.arange(start, min(start + every, count)) for start in range(0, count, every)]


def _classical(
    scored: Dataset, train: Dataset, season: int | None, refit: int | None
) -> dict[str, np.ndarray]:
    """The classical forecasts from every origin, refitted where the model is."""
    if refit is None:
        return classical.forecasts(scored, train, season)
    assert scored.spans is not None
    parts = [
        classical.forecasts(scored.take(b), train, season, until=int(scored.spans[b[0], 0]))
        for b in blocks(len(scored), refit)
    ]
    return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}


def _refitted(spec: Any, opened: Any, scored: Dataset, every: int) -> np.ndarray:
    """The spec's model trained afresh before each block of origins, on every window of
    the series whose targets end by the block's first origin, for train.epochs (no
    validation split to stop on: the origins after it are the test)."""
    from zoo.builder import build_model
    from zoo.data.base import Context, Splits, data_seed, source_of
    from zoo.data.preprocessing import fit_preprocessing
    from zoo.training.run import fit

    source, args = source_of(spec)  # every window, those straddling a split's edge too
    whole = source.load(args, Context(data_seed(spec), opened.data_folder, opened.numbering))
    assert whole.spans is not None and scored.spans is not None
    made = []
    for block in blocks(len(scored), every):
        origin = int(scored.spans[block[0], 0])
        before = whole.take(np.flatnonzero(whole.spans[:, 1] <= origin))
        if len(before) == 0:
            raise UserError(f"--refit: no window's targets end before origin row {origin}")
        model = build_model(spec, fit_preprocessing(spec, before))
        fit(model, spec, Splits(before, None, None), callbacks=[], verbose=0)
        made.append(model.predict(scored.take(block).x, verbose=0, batch_size=256))
    return np.concatenate(made)


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
