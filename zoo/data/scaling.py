"""Scaling of numeric data, fitted on the training split alone and then carried inside
the model: a Normalization layer in front standardises the raw inputs, an inverted
one at the head maps the outputs back, so the model takes and gives values in the
data's own units and no statistic of a validation or test example shapes it.

``data.scale`` chooses the method; left out, the source decides: the user's files
and the packaged series are standardised, the generators' classic tasks are not
(their papers' settings are reproduced as published).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from zoo.data.base import Dataset, Scale
from zoo.spec.derived import scales_inputs, scales_targets
from zoo.spec.schema import Spec


@dataclass(frozen=True)
class Affine:
    """x -> (x - offset) / scale, per feature (the last axis)."""

    offset: list[float]
    scale: list[float]


@dataclass(frozen=True)
class Scaling:
    inputs: Affine | None  # real-valued inputs
    targets: Affine | None  # a regression head's targets


def scale_method(spec: Spec) -> Scale:
    """data.scale, or its source's default."""
    from zoo.registry import DATASETS

    if spec.data is None:
        return "none"
    return spec.data.scale or DATASETS[spec.data.source].load().scale


def fit_scaling(spec: Spec, train: Dataset) -> Scaling | None:
    """The spec's scaling, fitted on ``train`` (the training split), or None."""
    method = scale_method(spec)
    if method == "none":
        return None
    x = train.x[0] if isinstance(train.x, list) else train.x
    inputs = _fit(x, method) if scales_inputs(spec) and _real(x) else None
    targets = _fit(train.y, method) if scales_targets(spec) and _real(train.y) else None
    return Scaling(inputs, targets) if inputs or targets else None


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
