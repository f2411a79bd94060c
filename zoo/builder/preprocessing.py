"""The fitted preprocessing as layers, so that a model loaded by Keras (after
``import custom_layers``) takes raw values or strings and answers in the data's
units: the scaling as Keras's own Normalization layers, the vocabulary as a
``TextIds`` layer."""

from __future__ import annotations

from typing import Any

import keras

from custom_layers.text import TextIds
from zoo.data.preprocessing import Affine, Preprocessing, Vocabulary


def text_ids(texts: Any, vocabulary: Vocabulary) -> Any:
    """Strings -> token ids, tokenized as the data source's text was."""
    text = vocabulary.text
    return TextIds(vocabulary.tokens, text.length, text.split, text.lowercase, name="text_ids")(
        texts
    )


def scaled_inputs(x: Any, scaling: Preprocessing | None) -> Any:
    """Raw inputs -> (x - offset) / scale."""
    if scaling is None or scaling.inputs is None:
        return x
    return _normalization(scaling.inputs, "input_scaling", invert=False)(x)


def unscaled_outputs(y: Any, scaling: Preprocessing | None) -> Any:
    """The head's output -> offset + y * scale, in the targets' units."""
    if scaling is None or scaling.targets is None:
        return y
    return _normalization(scaling.targets, "output_scaling", invert=True)(y)


def _normalization(affine: Affine, name: str, invert: bool) -> keras.layers.Normalization:
    variance = [s * s for s in affine.scale]
    return keras.layers.Normalization(
        mean=affine.offset, variance=variance, invert=invert, name=name
    )
