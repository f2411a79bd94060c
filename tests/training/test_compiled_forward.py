"""zoo predict's compiled forward pass: Keras's outputs to 1e-5, XLA where the model
allows it, one trace for a file of any length (the last batch padded)."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

import zoo
from custom_layers import TextIds
from zoo.inference.forward import CompiledForward

SEQUENCE = {
    "version": 1,
    "name": "f",
    "seed": 1,
    "architecture": "many_to_one",
    "cell": "lstm",
    "inputs": {"length": 7, "features": 3},
    "model": {"units": 5, "layers": 2},
    "outputs": {"units": 2},
}


@pytest.mark.parametrize(
    "overrides",
    [{}, {"cell": "gru"}, {"implementation": "keras"}, {"model.bidirectional": True}],
)
def test_equal_to_keras_predict_in_one_trace(overrides: dict) -> None:
    model = zoo.build(SEQUENCE, overrides)
    x = np.random.default_rng(0).normal(size=(21, 7, 3)).astype("float32")
    forward = CompiledForward(model, batch_size=8)  # 8 + 8 + 5 padded to 8
    assert forward.xla
    np.testing.assert_allclose(forward(x), model.predict(x, verbose=0), atol=1e-5)
    assert forward._function.experimental_get_tracing_count() == 1


def test_several_inputs_and_a_small_file() -> None:
    spec = zoo.load_spec("seq2seq_reversal")
    model = zoo.build(spec)
    rng = np.random.default_rng(0)
    x = [rng.integers(1, 10, (3, 10)).astype("int32"), rng.integers(1, 12, (3, 11)).astype("int32")]
    np.testing.assert_allclose(CompiledForward(model)(x), model.predict(x, verbose=0), atol=1e-5)


def test_strings_run_without_xla() -> None:
    texts = keras.Input((), dtype="string")
    ids = TextIds(["", "[UNK]", "good", "bad"], 4, "words", True)(texts)
    outputs = keras.layers.Dense(2)(keras.layers.Embedding(4, 3)(ids)[:, 0])
    model = keras.Model(texts, outputs)
    forward = CompiledForward(model, batch_size=2)
    assert not forward.xla
    given = np.array(["good film", "Bad!", "so good"], dtype=object)
    np.testing.assert_allclose(forward(given), model(tf.constant(list(given))), atol=1e-6)


def test_evaluate_compiled_equals_keras_evaluate(tmp_path) -> None:
    from zoo.data import load_splits
    from zoo.training.pipeline import evaluation_pipeline

    spec = {
        **SEQUENCE,
        "inputs": {"length": 20, "features": 2},
        "outputs": {"units": 1},
        "data": {"source": "adding", "args": {"samples": 90, "length": 20}},
        "train": {"epochs": 1, "batch_size": 16},
    }
    run = zoo.train(spec, runs=tmp_path, verbose=0)
    result = zoo.evaluate(run.directory)
    model = zoo.load_model(run.directory / "best.keras")
    model.jit_compile = False
    test = load_splits(zoo.load_spec(spec), tmp_path).test
    plain = model.evaluate(evaluation_pipeline(test, 16), verbose=0, return_dict=True)
    assert result["metrics"]["loss"] == pytest.approx(plain["loss"], rel=1e-5)
