"""Helpers shared by the test modules."""

from __future__ import annotations

import copy
from pathlib import Path

import keras
import numpy as np


def assert_round_trip(model: keras.Model, inputs: object, tmp_path: Path) -> keras.Model:
    """Config -> from_config gives the same config, and .keras save -> load gives the
    same outputs, without ``custom_objects``. Returns the reloaded model."""
    config = model.get_config()
    rebuilt = model.__class__.from_config(copy.deepcopy(config))  # from_config pops keys
    assert rebuilt.get_config() == config

    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    expected = _as_arrays(model.predict_on_batch(inputs))
    got = _as_arrays(loaded.predict_on_batch(inputs))
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_allclose(g, e, rtol=0, atol=1e-6)
    return loaded


def _as_arrays(outputs: object) -> list[np.ndarray]:
    if isinstance(outputs, (list, tuple)):
        return [np.asarray(o) for o in outputs]
    return [np.asarray(outputs)]
