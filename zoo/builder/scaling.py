"""The fitted scaling as Keras's own Normalization layers, so that a model loaded by
plain Keras takes raw values and answers in the data's units."""

from __future__ import annotations

from typing import Any

import keras

from zoo.data.scaling import Affine, Scaling


def scaled_inputs(x: Any, scaling: Scaling | None) -> Any:
    """Raw inputs -> (x - offset) / scale."""
    if scaling is None or scaling.inputs is None:
        return x
    return _normalization(scaling.inputs, "input_scaling", invert=False)(x)


def unscaled_outputs(y: Any, scaling: Scaling | None) -> Any:
    """The head's output -> offset + y * scale, in the targets' units."""
    if scaling is None or scaling.targets is None:
        return y
    return _normalization(scaling.targets, "output_scaling", invert=True)(y)


def _normalization(affine: Affine, name: str, invert: bool) -> keras.layers.Normalization:
    variance = [s * s for s in affine.scale]
    return keras.layers.Normalization(
        mean=affine.offset, variance=variance, invert=invert, name=name
    )
