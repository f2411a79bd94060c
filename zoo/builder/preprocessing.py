"""The fitted preprocessing as layers, so that a model loaded by Keras (after
``import custom_layers``) takes raw values or strings and answers in the data's
units: the scaling as Keras's own Rescaling layers, the vocabulary as a ``TextIds``
layer.

Rescaling rather than Normalization: Normalization keeps its statistics as tensors made
outside the model's graph, which the ONNX converter turns into inputs the caller must
feed; Rescaling's are constants inside it, so every export format holds them."""

from __future__ import annotations

from typing import Any

import keras

from custom_layers.text import TextIds
from custom_layers.windows import (
    Differencing,
    Undifferencing,
    WindowScaling,
    WindowUnscaling,
)
from zoo.builder.names import (
    DIFFERENCING,
    INPUT_SCALING,
    LEVEL_SCALING,
    LEVELS,
    OUTPUT_SCALING,
    TEXT_IDS,
    UNDIFFERENCING,
    WINDOW_SCALING,
    WINDOW_UNSCALING,
    WITH_LEVELS,
)
from zoo.data.preprocessing import Affine, Preprocessing, Vocabulary


def text_ids(texts: Any, vocabulary: Vocabulary) -> Any:
    """Strings -> token ids, tokenized as the data source's text was."""
    text = vocabulary.text
    return TextIds(vocabulary.tokens, text.length, text.split, text.lowercase, name=TEXT_IDS)(texts)


def scaled_inputs(x: Any, scaling: Preprocessing | None) -> Any:
    """Raw inputs -> (x - offset) / scale, per feature."""
    if scaling is None or scaling.inputs is None:
        return x
    affine = scaling.inputs
    factor = [1 / s for s in affine.scale]
    shift = [-o / s for o, s in zip(affine.offset, affine.scale, strict=True)]
    return keras.layers.Rescaling(factor, shift, name=INPUT_SCALING)(x)


def unscaled_outputs(y: Any, scaling: Preprocessing | None) -> Any:
    """The head's output -> offset + y * scale, in the targets' units."""
    if scaling is None or scaling.targets is None:
        return y
    affine: Affine = scaling.targets
    return keras.layers.Rescaling(affine.scale, affine.offset, name=OUTPUT_SCALING)(y)


def windowed(x: Any, scaling: Preprocessing | None) -> tuple[Any, Any]:
    """(what the stack reads, what the forecast is put back with): each window
    differenced and scaled by its own statistics, as data.difference and data.scale
    window ask; else (x, None)."""
    form = scaling.window if scaling is not None else None
    if form is None:
        return x, None
    raw = x
    if form.lag:
        x = Differencing(form.lag, form.as_is, name=DIFFERENCING)(x)
    statistics = None
    if form.scaled:
        x, statistics = WindowScaling(name=WINDOW_SCALING)(x)
    return x, (raw, statistics)


def with_levels(x: Any, levels: Any, scaling: Preprocessing | None) -> Any:
    """What the stack reads (``windowed``'s output), with the window's levels beside each
    of its steps, scaled as the window is: a season whose swing grows with the level
    (airline passengers) is a linear map of the levels and the changes together, of
    neither alone. Built from the spec alone (no fitted preprocessing), both are the raw
    window, so that the model's weights have the trained model's shapes."""
    if scaling is not None and scaling.window is not None and scaling.window.scaled:
        levels, _ = WindowScaling(name=LEVEL_SCALING)(levels)
    lag = levels.shape[1] - x.shape[1]
    levels = keras.layers.Cropping1D((lag, 0), name=LEVELS)(levels)
    return keras.layers.Concatenate(name=WITH_LEVELS)([levels, x])


def unwindowed(y: Any, kept: Any, scaling: Preprocessing | None) -> Any:
    """The head's output back in the data's units and levels (``windowed`` undone)."""
    if kept is None or scaling is None or scaling.window is None:
        return y
    form, (raw, statistics) = scaling.window, kept
    if statistics is not None:
        y = WindowUnscaling(form.columns, name=WINDOW_UNSCALING)([y, statistics])
    if form.lag:
        y = Undifferencing(form.lag, form.columns, name=UNDIFFERENCING)([y, raw])
    return y
