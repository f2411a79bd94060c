"""The comparison's PNG: the runs' learning curves overlaid (validation solid, train
dashed, each best epoch marked, the baseline as a line), and beside them the gradient
norms over the steps, where vanishing and exploding gradients show."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from zoo.comparing.table import Comparison
from zoo.spec.metrics import metric_direction
from zoo.training import plots

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MAX_NAME = 48  # legend entries longer than this are cut
LEVEL_POINTS = 200  # the running level of a run's gradient norms: a median per block


def block_medians(steps: list[int], values: list[float]) -> tuple[list[float], list[float]]:
    """The median of each of up to LEVEL_POINTS consecutive blocks, at the block's middle
    step: the level of a noisy per-step series, which overlaid runs hide otherwise."""
    import numpy as np

    size = max(1, len(values) // LEVEL_POINTS)
    count = len(values) // size
    x = np.asarray(steps[: count * size], dtype="float64").reshape(count, size)
    y = np.asarray(values[: count * size], dtype="float64").reshape(count, size)
    return list(x.mean(axis=1)), list(np.median(y, axis=1))


def plot_comparison(comparison: Comparison, path: Path, title: str = "") -> Path:
    return plots.save_figure(comparison_figure(comparison, title), path)


def comparison_figure(comparison: Comparison, title: str = "") -> Figure:
    """Two panels: the curves of ``comparison.metric`` per epoch, the gradient norms
    per step."""
    from matplotlib.lines import Line2D

    figure, (curves, norms) = plots.new_panels(2)
    figure.set_size_inches(13, 4.8)
    metric, trained = comparison.metric, comparison.metric.removeprefix("val_")
    values: list[float] = []
    names = comparison.names()
    baselines = {s.baseline for s in comparison.scores if s.baseline is not None}
    shared = len(baselines) == 1  # the runs share their data: one line for all
    if shared:
        curves.axhline(next(iter(baselines)), color="black", linestyle=":", linewidth=1.2)
    for index, (run, score, name) in enumerate(
        zip(comparison.runs, comparison.scores, names, strict=True)
    ):
        color = f"C{index % 10}"
        epochs = run.history.get("epoch", [])
        shown = name if len(name) <= MAX_NAME else name[: MAX_NAME - 1] + "…"
        if metric in run.history:
            curves.plot(epochs, run.history[metric], color=color, label=shown)
            values += run.history[metric]
        if metric != trained and trained in run.history:
            curves.plot(epochs, run.history[trained], color=color, linestyle="--", alpha=0.7)
            values += run.history[trained]
        if score.best is not None:
            curves.plot(score.best_epoch, score.best, marker="*", markersize=13, color=color)
        if score.baseline is not None and not shared:  # each run's own data
            curves.axhline(score.baseline, color=color, linestyle=":", linewidth=1.2)
        if run.gradient_norms:
            steps = [row[0] for row in run.gradient_norms]
            before = [row[1] for row in run.gradient_norms]
            norms.plot(steps, before, color=color, linewidth=0.5, alpha=0.2)
            norms.plot(*block_medians(steps, before), color=color, linewidth=1.5)
    styles = [
        Line2D([], [], color="black", label="validation" if metric != trained else trained),
        Line2D([], [], color="black", linestyle="--", label="train"),
        Line2D([], [], color="black", marker="*", linestyle="", markersize=10, label="best epoch"),
        Line2D([], [], color="black", linestyle=":", label="trivial baseline"),
    ]
    if metric == trained:
        del styles[1]
    if not any(score.baseline is not None for score in comparison.scores):
        del styles[-1]
    positive = values and min(values) > 0
    if metric_direction(metric) != "max" and positive:
        curves.set_yscale("log")
    handles, _ = curves.get_legend_handles_labels()
    plots.label(curves, "epoch", metric, f"{metric} per epoch", handles=handles + styles)
    if any(run.gradient_norms for run in comparison.runs):
        norms.set_yscale("log")
        norms.set_xlabel("training step")
        norms.set_ylabel("global gradient norm")
        norms.grid(alpha=0.3)
        norms.set_title("gradient norm before clipping (line: median of each block of steps)")
    else:
        norms.axis("off")
        norms.text(0.5, 0.5, "no gradient norms recorded\n(sweep trials keep none)", ha="center")
    if title:
        figure.suptitle(title)
    return figure
