"""The contract every data source keeps, and what happens to its arrays next.

A source has typed arguments (a pydantic model: unknown keys forbidden, like the
rest of the spec) and a loader that returns the whole data set as NumPy arrays,
deterministic under ``context.seed``. Splitting, checking the shapes against the
spec's inputs, and batching are done here, once, for every source.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from zoo.errors import SpecError
from zoo.spec.derived import (
    architecture,
    loss_name,
    output_steps,
    output_width,
    recursive,
    sparse_targets,
)

Arrays = np.ndarray | list[np.ndarray]


class SourceArgs(BaseModel):
    """Base of every source's arguments: strict, unknown keys forbidden."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


@dataclass(frozen=True)
class Numbering:
    """The ids a trained model gave its classes and tokens. New data read for that
    model (``zoo evaluate --set data.args.path=other.csv``, a resumed run) is numbered
    through them, never afresh from what the new file happens to hold: a file of one
    class would otherwise make that class id 0."""

    classes: list[str] | None = None  # class id -> name
    vocabulary: list[str] | None = None  # token id -> text (0: padding)


@dataclass(frozen=True)
class Context:
    seed: int  # every random draw of a generator comes from this seed
    folder: Path  # relative paths in a spec are relative to the spec's folder
    numbering: Numbering | None = None  # a trained model's ids, to read new data with


# A fitted trivial predictor: a dataset -> its predictions, aligned with the dataset's y.
Predictor = Callable[["Dataset"], np.ndarray]


@dataclass(frozen=True)
class Naive:
    """A trivial predictor and how it is scored, so that each split reports the
    baseline on its own examples (a series' last years can be easier or harder to
    forecast than the whole).

    A predictor that learns something (the commonest class, the characters'
    frequencies) is fitted on the training split alone, by ``fit``: fitted on every
    split it would have seen the test split's answers. One that learns nothing (the
    window's last value, the known mean of a task) gives its predictions in ``given``,
    one per example. Outputs that are not scored, such as padding, are predicted -1
    (class ids) or NaN (reals)."""

    name: str  # the score's name, e.g. "mse of persistence"
    score: Callable[[np.ndarray, np.ndarray], float]  # (targets, predictions) -> the score
    given: np.ndarray | None = None  # predictions that need no fitting, aligned with y
    fit: Callable[[Dataset], Predictor] | None = None  # the training split -> a predictor

    def predictions(self, scored: Dataset, train: Dataset) -> np.ndarray:
        if self.given is not None:
            return self.given
        assert self.fit is not None
        return self.fit(train)(scored)

    def take(self, index: np.ndarray) -> Naive:
        return self if self.given is None else replace(self, given=self.given[index])

    def measured_as(self, measure: str | None) -> Naive:
        """The same predictor scored by ``measure`` (a key of REGRESSION_SCORES), where
        both it and this baseline's own score are regression measures."""
        own = self.measures
        if measure not in REGRESSION_SCORES or own not in REGRESSION_SCORES or own == measure:
            return self
        name = self.name.replace(f"{own} of ", f"{measure} of ", 1)
        return replace(self, name=name, score=REGRESSION_SCORES[measure])

    @property
    def measures(self) -> str | None:
        """What the score measures (a key of zoo.spec.metrics.MEASURES), so that the
        logged metric scoring the same can be drawn beside it."""
        return MEASURES.get(self.score)


def mean_squared_error(y: np.ndarray, predictions: np.ndarray) -> float:
    return float(np.mean((y.astype("float64") - predictions) ** 2))


def mean_absolute_error(y: np.ndarray, predictions: np.ndarray) -> float:
    return float(np.mean(np.abs(y.astype("float64") - predictions)))


# A regression baseline is scored as the model's loss scores it: "mse of persistence"
# beside an MAE loss would set two different measures side by side.
REGRESSION_SCORES = {"mse": mean_squared_error, "mae": mean_absolute_error}


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
    mean_absolute_error: "mae",
    accuracy: "accuracy",
    cross_entropy: "crossentropy",
    binary_cross_entropy: "crossentropy",
}


def constant(name: str, y: np.ndarray, value: float) -> Naive:
    """Predicting ``value`` (known beforehand, not fitted) for every target, scored by
    mean squared error."""
    return Naive(name, mean_squared_error, given=np.full(y.shape, value, dtype="float32"))


def commonest_class(name: str = "accuracy of predicting the commonest class") -> Naive:
    """Always predicting the class that most of the training split's scored outputs
    have (class ids in ``y``; outputs of weight 0, such as padding, neither count nor
    are scored)."""

    def fit(train: Dataset) -> Predictor:
        commonest = int(np.bincount(train.y[train.scored].ravel()).argmax())
        return lambda data: np.where(data.scored, commonest, -1).astype(data.y.dtype)

    return Naive(name, accuracy, fit=fit)


def class_ids(
    labels: list[str], numbering: Numbering | None, where: str, key: str
) -> tuple[np.ndarray, list[str]]:
    """(each label's class id, the class names): the trained model's classes when the
    data is read for one (``numbering``), else the distinct labels in sorted order. A
    label the model was not trained on is a SpecError at ``key``."""
    known = numbering.classes if numbering is not None else None
    classes = list(known) if known is not None else sorted(set(labels))
    index = {label: i for i, label in enumerate(classes)}
    unknown = sorted(set(labels) - index.keys())
    if unknown:
        raise SpecError.single(
            f"{where} has {len(unknown)} label{'s' * (len(unknown) > 1)} the model was not "
            f"trained on: {', '.join(map(repr, unknown[:5]))}"
            f"{', ...' if len(unknown) > 5 else ''}; it knows {', '.join(map(repr, classes))}",
            key,
        )
    return np.array([index[label] for label in labels], dtype="int32"), classes


@dataclass(frozen=True)
class RawText:
    """How a text source's strings become token ids: ``custom_layers.text.split_text``
    with these settings, the first ``length`` tokens kept, ids from a vocabulary fitted
    on the training split (tokens seen ``min_count`` times or more, as many of the
    commonest as ``inputs.vocab_size`` holds)."""

    split: str  # "words" (words and punctuation marks) or "spaces"
    lowercase: bool
    length: int
    min_count: int


@dataclass
class Dataset:
    """Examples along axis 0 of ``x`` (every array of it, for several inputs) and ``y``."""

    x: Arrays
    y: np.ndarray
    # token id -> its text (id 0 is padding); saved with the model for decoding
    vocabulary: list[str] | None = None
    # Windows cut from one series or text: for each example, the rows [first, end) of
    # the series its targets are, in time order. Such data is split by time, and a
    # window whose targets straddle a split's boundary is dropped (``split``).
    spans: np.ndarray | None = None
    # The rows at which a split by time may cut (each the first row of a group that must
    # stay in one split, such as the settings of one tune); None: any row.
    breaks: np.ndarray | None = None
    # The series whose rows ``spans`` index (time along axis 0, one column per target), so
    # a classical forecaster can be run over each window's past (zoo.data.classical).
    series: np.ndarray | None = None
    # For each target of a series' windows, the input column it is (None: a target the
    # inputs do not hold), so a window's own statistics can map a forecast back.
    target_columns: list[int | None] | None = None
    # Many series in one dataset (``panel``): each example's series, by index into
    # ``series_names``, and each series' rows [first, end) of ``series``.
    groups: np.ndarray | None = None
    series_names: list[str] | None = None
    series_rows: np.ndarray | None = None
    # The input columns that are future covariates (known ahead, read led by the horizon)
    future_columns: list[int] | None = None
    # Each input feature's name, where a file names them (a CSV's header), for messages
    input_names: list[str] | None = None
    # seq2seq: the source side's token texts, when they differ from ``vocabulary``
    source_vocabulary: list[str] | None = None
    # the task's trivial predictor, shown beside results scored on the same examples
    naive: Naive | None = None
    # x holds raw strings, one per example, that the model tokenizes this way
    text: RawText | None = None
    # class id -> its name, for a classifier or tagger
    classes: list[str] | None = None
    # Per example and output step (y's shape, or y's without its last axis where that
    # holds one output's values): 1 where it is scored, 0 where it is not (padding).
    # Training and evaluation pass it to Keras as the sample weight, so the loss and
    # every metric skip padding whether or not the model masks it.
    weights: np.ndarray | None = None

    @property
    def scored(self) -> np.ndarray:
        """A boolean array of y's shape: which targets are scored."""
        if self.weights is None:
            return np.ones(self.y.shape, bool)
        scored = self.weights > 0
        trailing = (1,) * (self.y.ndim - scored.ndim)  # one weight for a step's values
        return np.broadcast_to(scored.reshape(scored.shape + trailing), self.y.shape)

    @property
    def predicts_next_token(self) -> bool:
        """Windows of token ids whose target is the next token at every step (a
        language model's)."""
        return (
            self.vocabulary is not None
            and isinstance(self.x, np.ndarray)
            and self.x.ndim == 2
            and self.y.shape == self.x.shape
            and np.issubdtype(self.x.dtype, np.integer)
        )

    def baseline(self, train: Dataset, measure: str | None = None) -> dict[str, float]:
        """What the trivial predictor, fitted on ``train`` (the training split), scores
        on these examples ({} without one); a regression baseline by ``measure``."""
        if self.naive is None:
            return {}
        naive = self.naive.measured_as(measure)
        predictions = naive.predictions(self, train)
        return {naive.name: float(naive.score(self.y, predictions))}

    def __len__(self) -> int:
        return len(self.y)

    def take(self, index: np.ndarray) -> Dataset:
        x = [a[index] for a in self.x] if isinstance(self.x, list) else self.x[index]
        naive = self.naive.take(index) if self.naive is not None else None
        return replace(
            self,
            x=x,
            y=self.y[index],
            naive=naive,
            spans=None if self.spans is None else self.spans[index],
            weights=None if self.weights is None else self.weights[index],
            groups=None if self.groups is None else self.groups[index],
        )

    def one_series(self, group: int) -> tuple[np.ndarray, Dataset]:
        """A panel's examples of one series, as a dataset of that series alone (its
        spans and series its own rows), and where they are among this dataset's."""
        assert self.groups is not None and self.series_rows is not None
        assert self.series is not None and self.spans is not None
        index = np.flatnonzero(self.groups == group)
        first, end = (int(r) for r in self.series_rows[group])
        part = self.take(index)
        return index, replace(
            part, spans=part.spans - first, series=self.series[first:end], groups=None
        )


Scale = Literal["standard", "minmax", "window", "none"]


def _never(args: Any) -> bool:
    return False


def always(args: Any) -> bool:
    """For ``DataSource.feeds_back``: a source of one series forecasting itself."""
    return True


@dataclass(frozen=True)
class DataSource:
    Args: type[SourceArgs]
    load: Callable[[Any, Context], Dataset]
    # how a language model of this source's tokens is primed and its samples shown
    tokens: Tokens = field(default_factory=lambda: CHARACTERS)
    # the scaling a spec's data.scale defaults to: see zoo.data.preprocessing
    scale: Scale = "none"
    # whether, with these args, the targets are the inputs' one series a step on, so a
    # forecast can be fed back as the next input (zoo predict --steps)
    feeds_back: Callable[[Any], bool] = _never
    # arguments the spec states elsewhere, once (name -> the spec's field): refused in
    # args with where they belong, and dropped from the records of older models
    set_by_the_spec: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Tokens:
    """How a source's vocabulary reads as text, for zoo generate: a prime is split into
    tokens and a sample joined by ``separator`` ("": characters; " ": notes); ``start``
    primes a model given no prime (None: a prime is needed); ``music``: the tokens are
    notes that zoo generate can write as MIDI (zoo.data.music)."""

    separator: str
    start: str | None = None
    music: bool = False

    def split(self, text: str) -> list[str]:
        return list(text) if not self.separator else text.split()

    def join(self, tokens: list[str]) -> str:
        return self.separator.join(tokens)


CHARACTERS = Tokens(separator="")


@dataclass
class Splits:
    train: Dataset
    validation: Dataset | None
    test: Dataset | None
    # windows of a series or text left out because their targets straddle a boundary
    dropped: int = 0

    def baseline(self, dataset: Dataset, measure: str | None = None) -> dict[str, float]:
        """The trivial predictor's score on ``dataset``, fitted on the training split."""
        return dataset.baseline(self.train, measure)


def split(dataset: Dataset, validation: float, test: float, seed: int) -> Splits:
    """Fractions of the examples: shuffled under ``seed``, or, for windows of one
    series or text, by time (``time_split``); many series each on its own."""
    if dataset.groups is not None:
        return _split_each_series(dataset, validation, test, seed)
    n = len(dataset)
    n_train, n_validation, n_test = split_sizes(n, validation, test)
    if dataset.spans is not None:
        return time_split(dataset, n_train, n_validation, n_test)
    order = np.random.default_rng(seed).permutation(n)
    train, rest = order[:n_train], order[n_train:]
    return Splits(
        dataset.take(train),
        dataset.take(rest[:n_validation]) if n_validation else None,
        dataset.take(rest[n_validation:]) if n_test else None,
    )


def time_split(dataset: Dataset, n_train: int, n_validation: int, n_test: int) -> Splits:
    """Windows split by time, as forecasters backtest: the series is cut where the
    (n_train + 1)-th and the (n_train + n_validation + 1)-th window's targets begin;
    each split keeps the windows whose targets lie wholly inside its part, and a window
    whose targets straddle a cut is dropped. So no target row is shared by two
    splits (with a horizon of 12, eleven windows would share rows). A validation or
    test window still reads its inputs from before the cut, as a forecast made at
    that time would: the past is known, only the targets are held out. A held-out
    text scores each token once (``each_token_scored_once``). Where the dataset has
    ``breaks``, each cut moves on to the next of them, so no group straddles a cut."""
    assert dataset.spans is not None
    first, end = dataset.spans[:, 0], dataset.spans[:, 1]
    n = len(dataset)
    cuts = [first[n_train] if n_train < n else end[-1]]
    cuts.append(first[n_train + n_validation] if n_test else end[-1])
    if dataset.breaks is not None:  # on at the next break: a group stays in one split
        cuts = [_next_break(dataset.breaks, cut, int(end[-1])) for cut in cuts]
    parts = [
        end <= cuts[0],
        (first >= cuts[0]) & (end <= cuts[1]) if n_validation else None,
        first >= cuts[1] if n_test else None,
    ]
    taken = []
    for name, part in zip(("training", "validation", "test"), parts, strict=True):
        if part is None:
            taken.append(None)
            continue
        if not part.any():
            raise SpecError.single(
                f"the {name} split holds no window whose targets lie wholly inside it "
                f"(each window's targets span {int(end[0] - first[0])} rows): give it a "
                "larger fraction, or make the series longer or the windows shorter",
                "data",
            )
        windows = dataset.take(np.flatnonzero(part))
        if name != "training" and windows.predicts_next_token:
            windows = each_token_scored_once(windows)
        taken.append(windows)
    kept = sum(len(t) for t in taken if t is not None)
    return Splits(taken[0], taken[1], taken[2], dropped=n - kept)


def _next_break(breaks: np.ndarray, row: int, last: int) -> int:
    later = breaks[breaks >= row]
    return int(later.min()) if later.size else last


def each_token_scored_once(dataset: Dataset) -> Dataset:
    """A held-out text's overlapping windows (stride < length) score each of its tokens
    once, in the first window that holds it, where the most of its past is read: the
    text's cross-entropy per token, as a language model is measured. Scored in every
    window instead, a token would count length / stride times, and most often after
    fewer tokens of context than the window gives (none, at a window's start). The
    training split keeps every step: the model learns from short contexts too, as it
    meets them when it generates."""
    assert dataset.spans is not None
    scored = dataset.scored.copy()
    rows = dataset.spans[:, :1] + np.arange(dataset.y.shape[1])  # each target's row
    unscored_from = -1  # the first row no earlier window scored
    for window in np.argsort(dataset.spans[:, 0], kind="stable"):
        scored[window] &= rows[window] >= unscored_from
        unscored_from = max(unscored_from, int(rows[window, -1]) + 1)
    return replace(dataset, weights=scored.astype("float32"))


def _split_each_series(dataset: Dataset, validation: float, test: float, seed: int) -> Splits:
    """A panel split by time series by series: each series' last windows are the test's,
    so every series is forecast from its own past, and no target row is in two splits."""
    assert dataset.groups is not None and dataset.series_names is not None
    parts: list[Splits] = []
    for group, name in enumerate(dataset.series_names):
        index = np.flatnonzero(dataset.groups == group)
        try:
            parts.append(split(replace(dataset.take(index), groups=None), validation, test, seed))
        except SpecError as error:
            problem = error.problems[0]
            raise SpecError.single(f"series {name!r}: {problem.message}", "data") from None

    def joined(which: str) -> Dataset | None:
        taken = [getattr(p, which) for p in parts]
        if taken[0] is None:
            return None
        groups = [np.full(len(t), g) for g, t in enumerate(taken)]
        return replace(concatenated(taken), groups=np.concatenate(groups))

    return Splits(
        joined("train"), joined("validation"), joined("test"), sum(p.dropped for p in parts)
    )


def concatenated(datasets: list[Dataset]) -> Dataset:
    """Datasets of one kind, their examples one after another (what they share, such as
    the vocabulary or the series, from the first)."""
    first = datasets[0]

    def joined(name: str) -> Any:
        values = [getattr(d, name) for d in datasets]
        return None if values[0] is None else np.concatenate(values)

    given = [d.naive.given for d in datasets if d.naive is not None]
    naive = first.naive
    if naive is not None and naive.given is not None:
        naive = replace(naive, given=np.concatenate(given))
    x = (
        [np.concatenate(arrays) for arrays in zip(*[d.x for d in datasets], strict=True)]
        if isinstance(first.x, list)
        else np.concatenate([d.x for d in datasets])
    )
    return replace(
        first,
        x=x,
        y=joined("y"),
        spans=joined("spans"),
        weights=joined("weights"),
        groups=joined("groups"),
        naive=naive,
    )


def panel(windows: list[Dataset], names: list[str]) -> Dataset:
    """Many series' windows (``zoo.data.generators.forecast``'s, one dataset per series)
    as one dataset: their series one after another in ``series``, each example's spans
    into it, and its series in ``groups``."""
    lengths = [len(w.series) for w in windows]  # type: ignore[arg-type]
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(int)
    shifted = [
        replace(w, spans=w.spans + start, groups=np.full(len(w), g))  # type: ignore[operator]
        for g, (w, start) in enumerate(zip(windows, starts, strict=True))
    ]
    return replace(
        concatenated(shifted),
        series=np.concatenate([w.series for w in windows]),  # type: ignore[misc]
        series_names=names,
        series_rows=np.stack([starts, starts + np.array(lengths)], axis=1),
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


def load_splits(spec: Any, folder: Path, numbering: Numbering | None = None) -> Splits:
    """The spec's data section -> checked train/validation/test splits; with
    ``numbering`` (a trained model's), classes and tokens get the model's ids."""
    section = spec.data
    if section is None:
        raise SpecError.single("training needs a data section (data: {source: ...})", "data")
    source, args = source_of(spec)
    seed = data_seed(spec)
    dataset = source.load(args, Context(seed, folder, numbering))
    # A user file's problems name the file; a generator's, the generator.
    path = getattr(args, "path", None)
    check_fits(dataset, spec, str(folder / path) if path else section.source)
    return split(dataset, section.validation, section.test, seed)


def source_of(spec: Any) -> tuple[DataSource, SourceArgs]:
    """The spec's data source and its typed arguments (the spec has a data section)."""
    from zoo.registry import DATASETS

    source: DataSource = DATASETS[spec.data.source].load()
    return source, parse_args(source, spec.data.args)


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
        read = ""
        if dataset.input_names is not None:  # a date or year column is often read unawares
            read = f" (its columns {', '.join(dataset.input_names)}: data.args.columns picks them)"
        raise SpecError.single(
            f"{name} produces inputs of shape {tuple(actual)} per example{read}, but the "
            f"spec's inputs expect {_shape(expected)}",
            "inputs",
        )
    _check_targets(dataset, spec, name)
    _check_classes(dataset, spec, name)
    _check_fed_back(dataset, spec, name)


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
    sparse = sparse_targets(spec)
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


def _check_fed_back(dataset: Dataset, spec: Any, name: str) -> None:
    """data.forecast recursive feeds each forecast back as the window's next step, so the
    windows must be of a series and the target the series they read."""
    if not recursive(spec):
        return
    if dataset.spans is None:
        raise SpecError.single(
            f"recursive feeds a forecast back as the window's next step, and {name} has no "
            "series to window (csv_series, sine, arma, lynx, airline have)",
            "data.forecast",
        )
    if dataset.target_columns != [0]:
        raise SpecError.single(
            f"recursive feeds a forecast back as the window's next step, but {name}'s target "
            "is not the series its windows read: use data.forecast: direct",
            "data.forecast",
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
