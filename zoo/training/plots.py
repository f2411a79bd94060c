"""The PNGs of a run: loss and metrics per epoch, gradient norms per step."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, never a window; safe without a display

import matplotlib.pyplot as plt

from zoo.atomic import atomic_path


def plot_history(history: dict[str, list[float]], path: Path, title: str) -> Path:
    """One panel per metric, training and validation curves together."""
    names = [k for k in history if k != "epoch" and not k.startswith("val_") and k != "lr"]
    figure, axes = new_panels(len(names))
    epochs = history["epoch"]
    for axis, name in zip(axes, names, strict=True):
        axis.plot(epochs, history[name], marker="o", label="train")
        if f"val_{name}" in history:
            axis.plot(epochs, history[f"val_{name}"], marker="o", label="validation")
        axis.set_xlabel("epoch")
        axis.set_title(name)
        if name == "loss" and min(history[name]) > 0:
            axis.set_yscale("log")
        axis.grid(alpha=0.3)
        axis.legend()
    figure.suptitle(title)
    return save_figure(figure, path)


def new_figure() -> tuple[plt.Figure, plt.Axes]:
    return plt.subplots(figsize=(8, 3.6))


def new_panels(count: int) -> tuple[plt.Figure, list[plt.Axes]]:
    """``count`` panels side by side."""
    figure, axes = plt.subplots(1, count, figsize=(5 * count, 3.6), squeeze=False)
    return figure, list(axes[0])


def label(axis: plt.Axes, x: str, y: str, title: str, **legend: object) -> None:
    """The axis names, a light grid, the legend (``legend``: its options) where a line
    is labelled, and the title."""
    axis.set_xlabel(x)
    axis.set_ylabel(y)
    axis.grid(alpha=0.3)
    if axis.get_legend_handles_labels()[0]:
        axis.legend(**legend)
    axis.set_title(title)


def log_scale_if_positive(axis: plt.Axes, values: Iterable[float]) -> None:
    """A log scale for values that span decades; a loss with no gradient (all zeros) has
    no logarithm, and keeps the linear scale."""
    if any(v > 0 for v in values):
        axis.set_yscale("log")


def plot_gradient_norms(rows: list[tuple[int, float, float]], path: Path, title: str) -> Path:
    steps = [r[0] for r in rows]
    figure, axis = new_figure()
    axis.plot(steps, [r[1] for r in rows], label="before clipping", linewidth=1)
    axis.plot(steps, [r[2] for r in rows], label="after clipping", linewidth=1, alpha=0.8)
    log_scale_if_positive(axis, [r[1] for r in rows])
    label(axis, "training step", "global gradient norm", title)
    return save_figure(figure, path)


def save_figure(figure: plt.Figure, path: Path) -> Path:
    figure.tight_layout()
    with atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=110)
    plt.close(figure)
    return path
