"""Our layers compute what Keras's built-ins compute, given the same weights.

Every cell type × every combination of return_sequences, go_backwards, masked
input, bidirectional, stacked and stateful: outputs and final states agree to
1e-5, gradients with respect to inputs and weights to 1e-4.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import keras
import numpy as np
import pytest
import tensorflow as tf

import custom_layers

BATCH, STEPS, FEATURES, UNITS = 3, 6, 4, 5

# cell id -> (our layer, Keras's layer, extra constructor arguments)
CELLS = {
    "rnn": (custom_layers.SimpleRNN, keras.layers.SimpleRNN, {}),
    "lstm": (custom_layers.LSTM, keras.layers.LSTM, {}),
    "gru": (custom_layers.GRU, keras.layers.GRU, {"reset_after": True}),
    "gru_reset_before": (custom_layers.GRU, keras.layers.GRU, {"reset_after": False}),
}


@dataclass(frozen=True)
class Case:
    cell: str
    return_sequences: bool
    go_backwards: bool
    masked: bool
    bidirectional: bool
    stacked: bool
    stateful: bool

    def __str__(self) -> str:
        flags = [name for name, value in vars(self).items() if value is True]
        return "-".join([self.cell, *flags]) or self.cell


CASES = [
    case
    for cell in CELLS
    for flags in itertools.product([False, True], repeat=6)
    # Bidirectional itself runs one direction backwards; Keras rejects go_backwards there.
    if not ((case := Case(cell, *flags)).go_backwards and case.bidirectional)
]


def build(case: Case, implementation: str, seed: int) -> keras.Model:
    """A model with the case's options, using our layers or Keras's."""
    ours, theirs, extra = CELLS[case.cell]
    layer_class = ours if implementation == "ours" else theirs
    keras.utils.set_random_seed(seed)
    # Biases start at zero in both; random ones make a swapped bias row visible.
    options = {"bias_initializer": "random_normal", "unit_forget_bias": False}
    if case.cell != "lstm":
        del options["unit_forget_bias"]

    def recurrent(return_sequences: bool) -> keras.layers.Layer:
        layer = layer_class(
            UNITS,
            return_sequences=return_sequences,
            # Keras's Bidirectional cannot compute the masks of a stateful layer's
            # returned states (a TypeError inside Keras), so those compare outputs.
            return_state=not (case.bidirectional and case.stateful),
            go_backwards=case.go_backwards,
            stateful=case.stateful,
            **options,
            **extra,
        )
        return keras.layers.Bidirectional(layer) if case.bidirectional else layer

    inputs = keras.Input((STEPS, FEATURES), batch_size=BATCH if case.stateful else None)
    x = keras.layers.Masking(0.0)(inputs) if case.masked else inputs
    if case.stacked:
        x = keras.tree.flatten(recurrent(return_sequences=True)(x))[0]
    outputs = keras.tree.flatten(recurrent(case.return_sequences)(x))
    return keras.Model(inputs, outputs)


def sample_inputs(case: Case) -> np.ndarray:
    x = np.random.default_rng(0).normal(size=(BATCH, STEPS, FEATURES)).astype("float32")
    if case.masked:
        x[0, -2:] = 0.0  # right padding
        x[1, 2] = 0.0  # a hole in the middle
        x[2, :1] = 0.0  # left padding
    return x


def outputs_and_gradients(model: keras.Model, x: np.ndarray) -> tuple[list, list]:
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        outputs = model(x)
        # A fixed random projection of every output, so every element matters.
        rng = np.random.default_rng(1)
        loss = sum(tf.reduce_sum(o * rng.normal(size=o.shape).astype("float32")) for o in outputs)
    gradients = tape.gradient(loss, [x, *model.trainable_weights])
    return [np.asarray(o) for o in outputs], [np.asarray(g) for g in gradients]


def assert_same(a: list, b: list, atol: float) -> None:
    assert len(a) == len(b)
    for got, expected in zip(a, b, strict=True):
        np.testing.assert_allclose(got, expected, rtol=0, atol=atol)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_ours_with_keras_weights_matches_keras(case: Case) -> None:
    theirs, ours = build(case, "keras", seed=1), build(case, "ours", seed=2)
    ours.set_weights(theirs.get_weights())
    x = sample_inputs(case)
    for _ in range(2 if case.stateful else 1):  # a second call starts from the kept state
        their_out, their_grad = outputs_and_gradients(theirs, x)
        our_out, our_grad = outputs_and_gradients(ours, x)
        assert_same(our_out, their_out, atol=1e-5)
        assert_same(our_grad, their_grad, atol=1e-4)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("stateful", [False, True])
def test_keras_with_our_weights_matches_ours(cell: str, stateful: bool) -> None:
    case = Case(cell, True, False, True, True, True, stateful)
    ours, theirs = build(case, "ours", seed=3), build(case, "keras", seed=4)
    theirs.set_weights(ours.get_weights())
    x = sample_inputs(case)
    assert_same(outputs_and_gradients(theirs, x)[0], outputs_and_gradients(ours, x)[0], 1e-5)


@pytest.mark.parametrize("cell", CELLS)
def test_reset_state_matches_keras(cell: str) -> None:
    case = Case(cell, True, False, False, False, False, True)
    theirs, ours = build(case, "keras", seed=5), build(case, "ours", seed=6)
    ours.set_weights(theirs.get_weights())
    x = sample_inputs(case)
    first = [np.asarray(o) for o in ours(x)]
    ours(x)
    for layer in ours.layers[1:]:
        layer.reset_state()
    assert_same([np.asarray(o) for o in ours(x)], first, atol=1e-6)
