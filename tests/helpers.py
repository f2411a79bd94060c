"""Helpers shared by the test modules."""

from __future__ import annotations

import copy
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest

from zoo.spec import Spec
from zoo.spec.derived import quantiles


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


def random_batch(
    model: keras.Model, spec: Spec, batch: int = 2, seed: int = 0
) -> tuple[object, np.ndarray]:
    """Inputs and targets that fit a model built from ``spec``: token ids below each
    vocabulary, class ids for a softmax head, 0/1 for a sigmoid head, reals otherwise
    (for a quantile forecaster, one per output: its quantiles forecast the same truth), and
    short sentences for a trained model that reads raw text."""
    rng = np.random.default_rng(seed)
    inputs = []
    for tensor in model.inputs:
        shape = (batch, *[d or 5 for d in tensor.shape[1:]])
        if "string" in str(tensor.dtype):  # a trained model that reads raw text
            words = rng.choice(["a", "good", "film", "dull", "the", "unseen"], size=(batch, 6))
            text = np.array([" ".join(row) for row in words], dtype=object)
            inputs.append(text.reshape((batch, *[d or 1 for d in tensor.shape[1:]])))
        elif "int" in str(tensor.dtype):
            vocab = spec.inputs.vocab_size if tensor is model.inputs[0] else spec.outputs.vocab_size
            inputs.append(rng.integers(1, vocab, size=shape).astype("int32"))
        else:
            inputs.append(rng.normal(size=shape).astype("float32"))
    output_shape = (batch, *[d or 5 for d in model.outputs[0].shape[1:]])
    if quantiles(spec) is not None:  # the truths of (batch, quantiles, outputs) forecasts
        output_shape = (batch, output_shape[-1])
    loss = getattr(model.loss, "name", model.loss)
    if "sparse_categorical" in loss:
        targets = rng.integers(0, output_shape[-1], size=output_shape[:-1])
    elif "binary" in loss:
        targets = rng.integers(0, 2, size=output_shape).astype("float32")
    else:
        targets = rng.normal(size=output_shape).astype("float32")
    return (inputs if len(inputs) > 1 else inputs[0]), targets


CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # this machine's closed network refuses them
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def chromium_browser() -> Iterator[Any]:
    """Debian's Chromium (installed by .ci/run), driven by Playwright, which is told
    where it is and never downloads a browser of its own. Missing, it fails the test in
    CI and skips it elsewhere."""
    chromium = shutil.which("chromium")
    if chromium is None:
        message = "no chromium: `apt-get install chromium` (.ci/run does)"
        pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()
