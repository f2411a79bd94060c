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
from zoo.builder.names import INPUT_SCALING, OUTPUT_SCALING, TEXT_IDS
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
