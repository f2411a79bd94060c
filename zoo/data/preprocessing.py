"""Preprocessing fitted on the training split alone and then carried inside the model,
so that the model takes the user's raw data and no statistic of a validation or test
example shapes it.

Numeric data is scaled: a Rescaling layer in front standardises the raw inputs,
an inverted one at the head maps the outputs back, so the model takes and gives
values in the data's own units. Text gets its vocabulary: the training split's
commonest tokens, looked up by a ``TextIds`` layer in front, so the model takes
strings.

``data.scale`` chooses the method; left out, the source decides: the user's files
and the packaged series are standardised, the generators' classic tasks are not
(their papers' settings are reproduced as published).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import islice

import numpy as np

from zoo.data.base import Dataset, RawText, Scale
from zoo.data.tokens import PADDING, UNKNOWN
from zoo.errors import SpecError
from zoo.spec.derived import scales_inputs, scales_targets
from zoo.spec.schema import Spec


@dataclass(frozen=True)
class Affine:
    """x -> (x - offset) / scale, per feature (the last axis)."""

    offset: list[float]
    scale: list[float]


@dataclass(frozen=True)
class Vocabulary:
    """A text source's tokenizing (see ``RawText``) with the ids fitted to it."""

    text: RawText
    tokens: list[str]  # id -> token: padding, unknown, then the commonest, most frequent first
    cut: int = 0  # training texts longer than text.length, of which the model reads the start
    texts: int = 0  # training texts counted

    def note(self) -> str | None:
        """A line for the user when training texts are cut, None when none is."""
        if not self.cut:
            return None
        length = self.text.length
        return (
            f"{self.cut} of {self.texts} training texts ({self.cut / self.texts:.0%}) are longer "
            f"than data.args.length {length} tokens; the model reads the first {length} of each"
        )


@dataclass(frozen=True)
class Windowed:
    """What is done to each window of a series inside the model, and undone to its
    forecast: differenced over ``lag`` steps, then scaled by its own statistics."""

    columns: list[int]  # each target's input column
    scaled: bool  # data.scale window
    lag: int | None  # data.difference
    as_is: list[int] = field(default_factory=list)  # input columns never differenced


@dataclass(frozen=True)
class Preprocessing:
    inputs: Affine | None = None  # real-valued inputs
    targets: Affine | None = None  # a regression head's targets
    vocabulary: Vocabulary | None = None  # text inputs
    # data.scale window or data.difference: per window, nothing fitted (see Windowed)
    window: Windowed | None = None


def scale_method(spec: Spec) -> Scale:
    """data.scale, or its source's default; with data.difference, window by default (the
    changes, not the levels, are what is scaled)."""
    from zoo.registry import DATASETS

    if spec.data is None:
        return "none"
    if spec.data.scale is None and spec.data.difference:
        return "window"
    return spec.data.scale or DATASETS[spec.data.source].load().scale


def fit_preprocessing(spec: Spec, train: Dataset) -> Preprocessing | None:
    """The spec's scaling and the text's vocabulary, fitted on ``train`` (the training
    split); None where there is nothing to fit."""
    if train.text is not None:
        return Preprocessing(vocabulary=fit_vocabulary(spec, train))
    method = scale_method(spec)
    if train.groups is not None and spec.data is not None and spec.data.scale is None:
        method = "window"  # many series, each at its own level: scaled window by window
    if method == "none":
        return None
    lag = spec.data.difference if spec.data is not None else None
    if method == "window" or lag:
        future = train.future_columns or []  # known ahead, not measured: taken as they are
        return Preprocessing(
            window=Windowed(window_columns(train), method == "window", lag, future)
        )
    x = train.x[0] if isinstance(train.x, list) else train.x
    inputs = _fit(x, method) if scales_inputs(spec) and _real(x) else None
    targets = _fit(train.y, method) if scales_targets(spec) and _real(train.y) else None
    return Preprocessing(inputs, targets) if inputs or targets else None


def window_columns(train: Dataset) -> list[int]:
    """Each target's input column, for data.scale window and data.difference: every
    target must be an input, or its window holds nothing to map the forecast back with."""
    columns = train.target_columns
    if columns is None or None in columns:
        raise SpecError.single(
            "works on each window of the series it forecasts, so every target must also be "
            "an input: windows of a series (csv_series, sine, arma, lynx) whose "
            "data.args.target columns are among data.args.columns",
            "data.scale" if train.target_columns is None else "data.args.target",
        )
    return [c for c in columns if c is not None]


def fit_vocabulary(spec: Spec, train: Dataset) -> Vocabulary:
    """ "" (padding, id 0), "[UNK]" (id 1, any token not kept), then the training split's
    commonest tokens seen at least ``min_count`` times, most frequent first (ties in
    first-seen order), as many as ``inputs.vocab_size`` holds: the embedding's size is
    the one statement of the vocabulary's. The tokens are counted with the model's own
    tokenizer."""
    from custom_layers.text import split_text

    text = train.text
    assert text is not None and spec.inputs.vocab_size is not None  # checked with the data
    counts: Counter[str] = Counter()
    cut = 0
    for start in range(0, len(train), 4096):  # a batch of strings at a time
        rows = split_text(train.x[start : start + 4096].tolist(), text.split, text.lowercase)
        tokens = rows.to_list()
        cut += sum(len(row) > text.length for row in tokens)
        counts.update(token.decode("utf-8") for row in tokens for token in row)
    frequent = (t for t, count in counts.most_common() if count >= text.min_count)
    kept = list(islice(frequent, spec.inputs.vocab_size - 2))
    return Vocabulary(text, [PADDING, UNKNOWN, *kept], cut, len(train))


def _real(array: np.ndarray) -> bool:
    return np.issubdtype(array.dtype, np.floating)


def _fit(values: np.ndarray, method: Scale) -> Affine:
    """Statistics over every axis but the last. A constant feature keeps scale 1: it
    carries no information to stretch."""
    flat = values.reshape(-1, values.shape[-1] if values.ndim > 1 else 1).astype("float64")
    if method == "standard":
        offset, scale = flat.mean(axis=0), flat.std(axis=0)
    else:
        offset, scale = flat.min(axis=0), flat.max(axis=0) - flat.min(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    return Affine([float(v) for v in offset], [float(v) for v in scale])
