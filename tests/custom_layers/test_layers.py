"""Layer options beyond the equivalence grid: dropout semantics, embeddings with
mask_zero, initial_state, unroll, every Bidirectional merge mode, jit_compile."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import custom_layers

LAYERS = {
    "rnn": (custom_layers.SimpleRNN, keras.layers.SimpleRNN),
    "lstm": (custom_layers.LSTM, keras.layers.LSTM),
    "gru": (custom_layers.GRU, keras.layers.GRU),
}


def paired_models(cell: str, make_model) -> tuple[keras.Model, keras.Model]:
    """(keras model, our model) built by the same function, ours holding Keras's weights."""
    ours_class, their_class = LAYERS[cell]
    theirs, ours = make_model(their_class), make_model(ours_class)
    ours.set_weights(theirs.get_weights())
    return theirs, ours


def assert_same_predictions(a: keras.Model, b: keras.Model, inputs, atol: float = 1e-5) -> None:
    for got, expected in zip(
        keras.tree.flatten(b.predict_on_batch(inputs)),
        keras.tree.flatten(a.predict_on_batch(inputs)),
        strict=True,
    ):
        np.testing.assert_allclose(got, expected, rtol=0, atol=atol)


@pytest.mark.parametrize("cell", LAYERS)
def test_embedding_mask_zero(cell: str) -> None:
    def make(layer_class):
        tokens = keras.Input((None,), dtype="int32")
        x = keras.layers.Embedding(20, 4, mask_zero=True)(tokens)
        return keras.Model(tokens, layer_class(5, return_sequences=True)(x))

    theirs, ours = paired_models(cell, make)
    tokens = np.array([[3, 5, 7, 0, 0], [1, 2, 3, 4, 5], [9, 0, 0, 0, 0]])
    assert_same_predictions(theirs, ours, tokens)


@pytest.mark.parametrize("cell", LAYERS)
def test_initial_state(cell: str) -> None:
    n_states = 2 if cell == "lstm" else 1

    def make(layer_class):
        sequence = keras.Input((4, 3))
        states = [keras.Input((5,)) for _ in range(n_states)]
        output = layer_class(5, return_sequences=True)(sequence, initial_state=states)
        return keras.Model([sequence, *states], output)

    theirs, ours = paired_models(cell, make)
    rng = np.random.default_rng(0)
    inputs = [rng.normal(size=(2, 4, 3)).astype("float32")]
    inputs += [rng.normal(size=(2, 5)).astype("float32") for _ in range(n_states)]
    assert_same_predictions(theirs, ours, inputs)
    # and the initial state does matter
    zero_state = inputs[:1] + [np.zeros_like(s) for s in inputs[1:]]
    assert not np.allclose(ours.predict_on_batch(inputs), ours.predict_on_batch(zero_state))


@pytest.mark.parametrize("cell", LAYERS)
def test_unroll(cell: str) -> None:
    def make(layer_class):
        inputs = keras.Input((4, 3))
        return keras.Model(inputs, layer_class(5, unroll=True, return_sequences=True)(inputs))

    theirs, ours = paired_models(cell, make)
    assert ours.layers[1].unroll
    assert_same_predictions(theirs, ours, np.random.default_rng(0).normal(size=(2, 4, 3)))


@pytest.mark.parametrize("cell", LAYERS)
@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
def test_bidirectional_merge_modes(cell: str, merge_mode: str | None) -> None:
    def make(layer_class):
        inputs = keras.Input((4, 3))
        layer = keras.layers.Bidirectional(layer_class(5, return_sequences=True), merge_mode)
        return keras.Model(inputs, layer(inputs))

    theirs, ours = paired_models(cell, make)
    assert_same_predictions(theirs, ours, np.random.default_rng(0).normal(size=(2, 4, 3)))


@pytest.mark.parametrize("cell", LAYERS)
def test_jit_compiled_training_step_matches_keras(cell: str) -> None:
    def make(layer_class):
        inputs = keras.Input((4, 3))
        model = keras.Model(inputs, keras.layers.Dense(1)(layer_class(5)(inputs)))
        model.compile(keras.optimizers.SGD(0.1), "mse", jit_compile=True)
        return model

    theirs, ours = paired_models(cell, make)
    assert ours.jit_compile
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(8, 4, 3)).astype("float32"), rng.normal(size=(8, 1)).astype("float32")
    their_loss, our_loss = theirs.train_on_batch(x, y), ours.train_on_batch(x, y)
    np.testing.assert_allclose(our_loss, their_loss, rtol=1e-5)
    for got, expected in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5)


def test_input_dropout_uses_one_mask_per_sequence() -> None:
    # Identity kernel, no recurrence, linear activation: h_t = x_t * mask. With all-ones
    # input every step must show the same mask, half of the units dropped.
    units = 64
    layer = custom_layers.SimpleRNN(
        units,
        activation=None,
        use_bias=False,
        dropout=0.5,
        seed=1,
        kernel_initializer="identity",
        recurrent_initializer="zeros",
        return_sequences=True,
    )
    x = np.ones((2, 10, units), dtype="float32")
    h = np.asarray(layer(x, training=True))
    assert np.all(h == h[:, :1]), "the dropout mask changed between time steps"
    kept = np.mean(h[:, 0] != 0)
    assert 0.2 < kept < 0.8
    np.testing.assert_array_equal(np.asarray(layer(x, training=False)), x)


def test_recurrent_dropout_uses_one_mask_per_sequence() -> None:
    # h_1 = 1 for every unit, then h_t = (h_{t-1} * m) I: with one mask m for the
    # whole sequence the set of surviving units is the same from t = 2 on; fresh
    # masks per step would shrink it step after step.
    units = 64
    layer = custom_layers.SimpleRNN(
        units,
        activation=None,
        use_bias=False,
        recurrent_dropout=0.5,
        seed=1,
        kernel_initializer="ones",
        recurrent_initializer="identity",
        return_sequences=True,
    )
    x = np.zeros((2, 10, 1), dtype="float32")
    x[:, 0] = 1.0
    h = np.asarray(layer(x, training=True))
    alive = h[:, 1:] != 0
    assert np.all(alive == alive[:, :1]), "the recurrent dropout mask changed between steps"
    assert 0.2 < alive[:, 0].mean() < 0.8


@pytest.mark.parametrize("cell", LAYERS)
def test_dropout_only_in_training(cell: str) -> None:
    layer_class, _ = LAYERS[cell]
    layer = layer_class(8, dropout=0.5, recurrent_dropout=0.5, seed=0)
    plain = layer_class(8)
    x = np.random.default_rng(0).normal(size=(4, 6, 3)).astype("float32")
    plain(x)
    layer(x)
    plain.set_weights(layer.get_weights())
    np.testing.assert_allclose(layer(x, training=False), plain(x), rtol=0, atol=1e-6)
    assert not np.allclose(layer(x, training=True), plain(x), atol=1e-3)
