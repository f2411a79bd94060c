"""The logged metrics of a spec's training, and which way each of them is better.

Both are decided here alone: the run recorder picking best.keras, the spec's
callbacks, and a sweep's objective all ask these functions, so they cannot
disagree about whether an epoch was an improvement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Literal, TypeVar

from zoo.spec.derived import loss_name, quantiles
from zoo.spec.schema import Spec

Direction = Literal["min", "max"]
T = TypeVar("T")

# Words of a metric's name, lowercased. Minimised words are looked for first; a
# test checks the verdict against Keras's own direction for every Keras metric.
MINIMISED = (
    "loss",
    "error",
    "crossentropy",
    "hinge",
    "divergence",
    "poisson",
    "logcosh",
    "mse",
    "mae",
    "mape",
    "msle",
    "perplexity",
)
MAXIMISED = (
    "acc",
    "auc",
    "precision",
    "recall",
    "f1",
    "fbeta",
    "iou",
    "r2",
    "correlation",
    "similarity",
)


def metric_direction(name: str) -> Direction | None:
    """min or max for a logged metric's name (``val_`` or not); None if it cannot be told
    (a count such as true_positives, or a name of the user's own)."""
    lowered = name.lower()
    if any(word in lowered for word in MINIMISED):
        return "min"
    if any(word in lowered for word in MAXIMISED):
        return "max"
    return None


def is_better(name: str, value: float, best: float) -> bool:
    """Whether ``value`` improves on ``best`` for the metric ``name`` (validated specs
    only log metrics whose direction is known; an unknown one is minimised, as Keras
    does)."""
    return value > best if metric_direction(name) == "max" else value < best


def best_first(
    items: Iterable[T], score: Callable[[T], float | None], direction: Direction
) -> list[T]:
    """The scored items best first (a stable sort: ties keep their order), then the
    unscored ones in their order."""
    items = list(items)
    scored = [i for i in items if score(i) is not None]
    scored.sort(key=lambda i: score(i) if direction == "min" else -score(i))  # type: ignore[operator]
    return scored + [i for i in items if score(i) is None]


# What Keras's EarlyStopping and ReduceLROnPlateau watch when args.monitor is not given
CALLBACK_MONITOR = "val_loss"


def logged_metrics(spec: Spec) -> list[str]:
    """What training logs each epoch: the loss and the compiled metrics, under the names
    the spec gives them, each again with ``val_`` when there is a validation split."""
    logged = ["loss", *spec.compile.metrics]
    if validated(spec):
        logged += [f"val_{name}" for name in logged]
    return logged


def monitored(spec: Spec) -> str:
    """The metric that picks a run's best epoch: train.monitor, except that the default
    val_loss means loss when there is no validation split."""
    monitor = spec.train.monitor if spec.train is not None else "val_loss"
    return "loss" if monitor == "val_loss" and not validated(spec) else monitor


def validated(spec: Spec) -> bool:
    return spec.data is not None and spec.data.validation > 0


# What a trivial baseline's score measures (zoo.data.base.Naive.measures), and the words
# in the name of a loss or metric that measures the same.
MEASURES = {
    "mse": ("mse", "mean_squared_error"),
    "mae": ("mae", "mean_absolute_error"),
    "accuracy": ("acc",),
    "crossentropy": ("crossentropy",),
}


def loss_measure(spec: Spec) -> str | None:
    """What a baseline is scored by beside the spec's model (a key of MEASURES): what
    its loss measures; for a quantile forecaster, what its median, the point forecast,
    is scored by. None for a loss no baseline scores."""
    if quantiles(spec) is not None:
        return "mae"  # the median's: the error it minimises
    return measure_of(spec, "loss")


def measure_of(spec: Spec, name: str) -> str | None:
    """What the logged metric ``name`` (without ``val_``) measures, a key of MEASURES;
    None for one no baseline scores, as the quantile loss (a pinball loss)."""
    if name == "loss" and quantiles(spec) is not None:
        return None
    measured = (loss_name(spec) if name == "loss" else name).lower()
    for measure, words in MEASURES.items():
        if any(word in measured for word in words):
            return measure
    return None


def baseline_metric(spec: Spec, measures: str | None) -> str | None:
    """The logged metric (named as training logs it, without ``val_``) that scores what
    a baseline measuring ``measures`` scores, so the two can be set side by side; None
    when the spec logs none."""
    for name in ["loss", *spec.compile.metrics]:
        if measures is not None and measure_of(spec, name) == measures:
            return name
    return None


def unlogged(spec: Spec, name: str) -> str | None:
    """Why ``name`` is not among the logged metrics, or None if it is."""
    logged = logged_metrics(spec)
    if name in logged:
        return None
    reason = (
        " (val_ metrics need data.validation > 0)"
        if name.startswith("val_") and not validated(spec)
        else ""
    )
    return f"{name!r} is not logged{reason}; logged: {', '.join(logged)}"
