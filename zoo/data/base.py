"""The contract every data source keeps, and what happens to its arrays next.

A source has typed arguments (a pydantic model: unknown keys forbidden, like the
rest of the spec) and a loader that returns the whole data set as NumPy arrays,
deterministic under ``context.seed``. Splitting, checking the shapes against the
spec's inputs, and batching are done here, once, for every source.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from zoo.errors import SpecError
from zoo.spec.derived import architecture, loss_name, output_steps, output_width

Arrays = np.ndarray | list[np.ndarray]


class SourceArgs(BaseModel):
    """Base of every source's arguments: strict, unknown keys forbidden."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


@dataclass(frozen=True)
class Context:
    seed: int  # every random draw of a generator comes from this seed
    folder: Path  # relative paths in a spec are relative to the spec's folder


@dataclass(frozen=True)
class Naive:
    """A trivial predictor: its output for every example (aligned with ``Dataset.y``)
    and how that is scored, so each split reports the baseline on its own examples (a
    series' last years can be easier or harder to forecast than the whole). Outputs
    that are not scored, such as padding, are -1 (class ids) or NaN (reals)."""

    name: str  # the score's name, e.g. "mse of persistence"
    predictions: np.ndarray
    score: Callable[[np.ndarray, np.ndarray], float]  # (targets, predictions) -> the score

    def scored(self, y: np.ndarray) -> dict[str, float]:
        return {self.name: float(self.score(y, self.predictions))}

    def take(self, index: np.ndarray) -> Naive:
        return replace(self, predictions=self.predictions[index])

    @property
    def measures(self) -> str | None:
        """What the score measures (a key of zoo.spec.metrics.MEASURES), so that the
        logged metric scoring the same can be drawn beside it."""
        return MEASURES.get(self.score)


def mean_squared_error(y: np.ndarray, predictions: np.ndarray) -> float:
    return float(np.mean((y.astype("float64") - predictions) ** 2))


def accuracy(y: np.ndarray, predictions: np.ndarray) -> float:
    """The share of predicted class ids (those not -1) that are right."""
    scored = predictions >= 0
    return float(np.mean(y[scored] == predictions[scored]))


def cross_entropy(y: np.ndarray, predictions: np.ndarray) -> float:
    """Natural-log cross-entropy of a predictor whose ``predictions`` are the
    probability it gives each target (so ``y`` itself is not needed)."""
    del y
    probabilities = predictions[~np.isnan(predictions)].astype("float64")
    return float(-np.mean(np.log(probabilities)))


def binary_cross_entropy(y: np.ndarray, predictions: np.ndarray) -> float:
    """Of multi-hot targets, each predicted with the probability in ``predictions``."""
    scored = ~np.isnan(predictions)
    p, t = predictions[scored].astype("float64"), y[scored].astype("float64")
    return float(-np.mean(t * np.log(p) + (1 - t) * np.log(1 - p)))


MEASURES: dict[Callable[[np.ndarray, np.ndarray], float], str] = {
    mean_squared_error: "mse",
    accuracy: "accuracy",
    cross_entropy: "crossentropy",
    binary_cross_entropy: "crossentropy",
}


def constant(name: str, y: np.ndarray, value: float) -> Naive:
    """Predicting ``value`` for every target, scored by mean squared error."""
    return Naive(name, np.full(y.shape, value, dtype="float32"), mean_squared_error)


def commonest_class(y: np.ndarray) -> Naive:
    """Always predicting the class most examples have (class ids in ``y``)."""
    commonest = np.bincount(y.ravel()).argmax()
    name = "accuracy of predicting the commonest class"
    return Naive(name, np.full_like(y, commonest), accuracy)


@dataclass(frozen=True)
class RawText:
    """How a text source's strings become token ids: ``custom_layers.text.split_text``
    with these settings, the first ``length`` tokens kept, ids from a vocabulary of
    at most ``vocab_size`` fitted on the training split."""

    split: str  # "words" (words and punctuation marks) or "spaces"
    lowercase: bool
    length: int
    vocab_size: int


@dataclass
class Dataset:
    """Examples along axis 0 of ``x`` (every array of it, for several inputs) and ``y``."""

    x: Arrays
    y: np.ndarray
    # token id -> its text (id 0 is padding); saved with the model for decoding
    vocabulary: list[str] | None = None
    # series are split in time order (no shuffling), so validation comes after training
    time_ordered: bool = False
    # seq2seq: the source side's token texts, when they differ from ``vocabulary``
    source_vocabulary: list[str] | None = None
    # the task's trivial predictor, shown beside results scored on the same examples
    naive: Naive | None = None
    # x holds raw strings, one per example, that the model tokenizes this way
    text: RawText | None = None
    # class id -> its name, for a classifier or tagger
    classes: list[str] | None = None

    @property
    def baseline(self) -> dict[str, float]:
        """What the trivial predictor scores on these examples ({} without one)."""
        return self.naive.scored(self.y) if self.naive is not None else {}

    def __len__(self) -> int:
        return len(self.y)

    def take(self, index: np.ndarray) -> Dataset:
        x = [a[index] for a in self.x] if isinstance(self.x, list) else self.x[index]
        naive = self.naive.take(index) if self.naive is not None else None
        return replace(self, x=x, y=self.y[index], naive=naive)


Scale = Literal["standard", "minmax", "none"]


@dataclass(frozen=True)
class DataSource:
    Args: type[SourceArgs]
    load: Callable[[Any, Context], Dataset]
    # the scaling a spec's data.scale defaults to: see zoo.data.preprocessing
    scale: Scale = "none"


@dataclass
class Splits:
    train: Dataset
    validation: Dataset | None
    test: Dataset | None


def split(dataset: Dataset, validation: float, test: float, seed: int) -> Splits:
    """Fractions of the examples; shuffled under ``seed`` unless time-ordered."""
    n = len(dataset)
    order = np.arange(n) if dataset.time_ordered else np.random.default_rng(seed).permutation(n)
    n_train, n_validation, n_test = split_sizes(n, validation, test)
    train, rest = order[:n_train], order[n_train:]
    return Splits(
        dataset.take(train),
        dataset.take(rest[:n_validation]) if n_validation else None,
        dataset.take(rest[n_validation:]) if n_test else None,
    )


def split_sizes(n: int, validation: float, test: float) -> tuple[int, int, int]:
    """How many of ``n`` examples go to train, validation and test."""
    n_test, n_validation = round(n * test), round(n * validation)
    n_train = n - n_test - n_validation
    if n_train < 1 or (validation and n_validation < 1) or (test and n_test < 1):
        raise SpecError.single(
            f"{n} examples cannot be split into train/validation/test with fractions "
            f"{validation} and {test}; make more examples or change the fractions",
            "data",
        )
    return n_train, n_validation, n_test


def load_splits(spec: Any, folder: Path) -> Splits:
    """The spec's data section -> checked train/validation/test splits."""
    from zoo.registry import DATASETS

    section = spec.data
    if section is None:
        raise SpecError.single("training needs a data section (data: {source: ...})", "data")
    source: DataSource = DATASETS[section.source].load()
    args = parse_args(source, section.args)
    seed = data_seed(spec)
    dataset = source.load(args, Context(seed, folder))
    # A user file's problems name the file; a generator's, the generator.
    path = getattr(args, "path", None)
    check_fits(dataset, spec, str(folder / path) if path else section.source)
    return split(dataset, section.validation, section.test, seed)


def data_seed(spec: Any) -> int:
    """data.seed, or the spec's seed: generation, splits and epoch shuffles all use it."""
    if spec.data is not None and spec.data.seed is not None:
        return spec.data.seed
    return spec.seed or 0


def parse_args(source: DataSource, args: dict[str, Any]) -> SourceArgs:
    """The source's typed arguments. A spec read from a file had them checked, with
    their positions, when it was validated; this covers a spec built in Python."""
    from zoo.spec.arguments import argument_problems

    problems = argument_problems(source.Args, args)
    if problems:
        raise SpecError(problems)
    return source.Args.model_validate(args)


def check_fits(dataset: Dataset, spec: Any, name: str) -> None:
    """The arrays' shapes and types against the spec's inputs and head, in the spec's words."""
    xs = dataset.x if isinstance(dataset.x, list) else [dataset.x]
    first = xs[0]
    inputs = spec.inputs
    expected: list[int | None]
    if dataset.text is not None:
        _check_text(dataset.text, spec, name)
        expected = [inputs.length]
    elif inputs.vocab_size is not None:
        expected = [inputs.length]
        # An embedding (or one-hot encoding) would silently truncate real values to ids.
        if not np.issubdtype(first.dtype, np.integer):
            raise SpecError.single(
                f"{name} produces {first.dtype} inputs, but inputs.vocab_size expects integer "
                "token ids",
                "inputs.vocab_size",
            )
        if first.size and first.max() >= inputs.vocab_size:
            raise SpecError.single(
                f"{name} produces token ids up to {int(first.max())}, but inputs.vocab_size is "
                f"{inputs.vocab_size} (ids must be below it)",
                "inputs.vocab_size",
            )
    elif not architecture(spec).takes_sequences:
        expected = [inputs.features]
    else:
        expected = [inputs.length, inputs.features]
    actual = (dataset.text.length,) if dataset.text is not None else first.shape[1:]
    if not _fits(actual, expected):
        raise SpecError.single(
            f"{name} produces inputs of shape {tuple(actual)} per example, but the "
            f"spec's inputs expect {_shape(expected)}",
            "inputs",
        )
    _check_targets(dataset, spec, name)
    _check_classes(dataset, spec, name)


def _check_text(text: RawText, spec: Any, name: str) -> None:
    """Text becomes token ids, which only token inputs (embedded or one-hot) read."""
    if spec.inputs.vocab_size is None or not architecture(spec).takes_sequences:
        raise SpecError.single(
            f"{name} produces text, which the model reads as token ids: give inputs.vocab_size "
            "and inputs.embedding (or inputs.encoding: one_hot)",
            "inputs",
        )


def _check_targets(dataset: Dataset, spec: Any, name: str) -> None:
    """y against the head's output: Keras would broadcast a (batch, 3) target against
    (batch, 1) predictions without a word. A sparse loss takes one class id per output
    step instead of one value per unit."""
    loss = loss_name(spec)
    sparse = "sparse" in loss.lower()
    steps = output_steps(spec)
    expected = (steps or [1]) if sparse else [*steps, output_width(spec)]
    y = dataset.y
    if not _fits(y.shape[1:], expected):
        ids = f" (class ids, for {loss})" if sparse else ""
        raise SpecError.single(
            f"{name} produces targets of shape {tuple(y.shape[1:])} per example, but the "
            f"spec's outputs expect {_shape(expected)}{ids}",
            "outputs",
        )
    if sparse and not np.issubdtype(y.dtype, np.integer):
        raise SpecError.single(
            f"{name} produces {y.dtype} targets, but {loss} expects integer class ids", "outputs"
        )


def _fits(actual: tuple[int, ...], expected: list[int | None]) -> bool:
    """Shapes per example, None matching any size. Where the ranks differ by a trailing
    1, Keras squeezes it (or adds it): a target of shape () fits an output of (1,)."""
    shape = list(actual)
    if len(shape) == len(expected) + 1 and shape[-1] == 1:
        shape = shape[:-1]
    elif len(expected) == len(shape) + 1 and expected[-1] == 1:
        expected = expected[:-1]
    return len(shape) == len(expected) and all(
        e in (None, a) for e, a in zip(expected, shape, strict=True)
    )


def _shape(expected: list[int | None]) -> tuple:
    return tuple("any" if e is None else e for e in expected)


def _check_classes(dataset: Dataset, spec: Any, name: str) -> None:
    """Integer targets are class ids: each must have an output unit."""
    y = dataset.y
    if not np.issubdtype(y.dtype, np.integer) or not y.size:
        return
    units = output_width(spec)
    classes = 2 if units == 1 else units  # one sigmoid unit: ids 0 and 1
    if classes is not None and y.max() >= classes:
        raise SpecError.single(
            f"{name} has {int(y.max()) + 1} classes (ids up to {int(y.max())}), but the head has "
            f"{units} outputs",
            "outputs.units",
        )
