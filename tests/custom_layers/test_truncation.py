"""truncate=k: the gradient reaches back at most k steps (exactly zero beyond), the
forward pass is unchanged, and the option survives configs and Bidirectional."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

import custom_layers
from tests.helpers import assert_round_trip

LAYERS = {"rnn": custom_layers.SimpleRNN, "lstm": custom_layers.LSTM, "gru": custom_layers.GRU}
STEPS = 10


def inputs() -> tf.Tensor:
    return tf.constant(np.random.default_rng(0).normal(size=(3, STEPS, 2)).astype("float32"))


def gradient_per_step(layer: keras.layers.Layer, x: tf.Tensor) -> np.ndarray:
    """|∂(sum of the last output)/∂x_t| summed per step t."""
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x)
        last = y[:, -1] if len(y.shape) == 3 else y
        loss = tf.reduce_sum(last)
    return np.abs(tape.gradient(loss, x).numpy()).sum(axis=(0, 2))


def twins(cell: str, **options: object) -> tuple[keras.layers.Layer, keras.layers.Layer]:
    """(the layer without truncation, the same weights with ``options``)."""
    full = LAYERS[cell](4, **{k: v for k, v in options.items() if k != "truncate"})
    cut = LAYERS[cell](4, **options)
    full.build((None, STEPS, 2))
    cut.build((None, STEPS, 2))
    cut.set_weights(full.get_weights())
    return full, cut


@pytest.mark.parametrize("k", [1, 3, 4])
@pytest.mark.parametrize("cell", LAYERS)
def test_the_gradient_reaches_back_to_the_last_cut(cell: str, k: int) -> None:
    full, cut = twins(cell, truncate=k)
    x = inputs()
    np.testing.assert_allclose(cut(x), full(x), rtol=0, atol=1e-7)  # forward unchanged
    reached = gradient_per_step(cut, x)
    first = (STEPS - 1) // k * k  # 0-based step where the last chunk of k steps begins
    assert np.all(reached[:first] == 0)
    assert np.all(reached[first:] > 0)
    assert np.all(gradient_per_step(full, x) > 0)


@pytest.mark.parametrize("cell", LAYERS)
def test_k_of_the_whole_length_is_full_backpropagation(cell: str) -> None:
    full, cut = twins(cell, truncate=STEPS)
    x = inputs()
    np.testing.assert_allclose(gradient_per_step(cut, x), gradient_per_step(full, x), atol=1e-6)


def test_a_backward_layer_counts_its_steps_from_the_end() -> None:
    _, cut = twins("gru", truncate=3, go_backwards=True)
    reached = gradient_per_step(cut, inputs())  # its last output has read x_1 last
    assert np.all(reached[1:] == 0) and reached[0] > 0  # the cut before x_1 is its last


def test_masked_padding_does_not_advance_the_count() -> None:
    # Example 0 is 7 steps long and padded to 10: its cuts fall as in an unpadded
    # 7-step sequence, so its last real output reaches back to step 6 (k = 3).
    tokens = keras.Input((STEPS,), dtype="int32")
    vectors = keras.layers.Embedding(5, 2, mask_zero=True)(tokens)
    model = keras.Model(tokens, custom_layers.LSTM(4, truncate=3)(vectors))
    ids = np.array([[1, 2, 3, 4, 1, 2, 3, 0, 0, 0]])
    embedding = model.layers[1]
    with tf.GradientTape() as tape:
        x = embedding(ids)
        tape.watch(x)
        loss = tf.reduce_sum(model.layers[2](x, mask=embedding.compute_mask(ids)))
    reached = np.abs(tape.gradient(loss, x).numpy()).sum(axis=(0, 2))
    assert np.all(reached[:6] == 0) and reached[6] > 0 and np.all(reached[7:] == 0)


def test_truncate_rides_in_the_config_and_the_saved_model(tmp_path: Path) -> None:
    x = keras.Input((STEPS, 2))
    layer = keras.layers.Bidirectional(custom_layers.SimpleRNN(3, truncate=2))
    model = keras.Model(x, layer(x))
    assert layer.backward_layer.truncate == 2
    loaded = assert_round_trip(model, np.asarray(inputs()), tmp_path)
    assert loaded.layers[1].forward_layer.truncate == 2


def test_truncate_must_be_a_positive_integer() -> None:
    with pytest.raises(ValueError, match="truncate"):
        custom_layers.LSTM(4, truncate=0)
