"""Each cell against its equations, computed by hand for one unit and one feature,
and the constructor contract shared with the Keras cell of the same name."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest

import custom_layers


def σ(v: float) -> float:
    return 1 / (1 + math.exp(-v))


def run_one_unit(layer: keras.layers.Layer, weights: list, xs: list[float]) -> list[float]:
    x = np.array(xs, dtype="float32").reshape(1, len(xs), 1)
    layer(x)  # build
    layer.set_weights([np.array(w, dtype="float32") for w in weights])
    return np.asarray(layer(x))[0, :, 0].tolist()


XS = [1.0, -2.0, 0.5]


def test_simple_rnn_golden() -> None:
    W, U, b = 0.5, -0.3, 0.1
    h, expected = 0.0, []
    for x in XS:
        h = math.tanh(x * W + h * U + b)
        expected.append(h)
    layer = custom_layers.SimpleRNN(1, return_sequences=True)
    got = run_one_unit(layer, [[[W]], [[U]], [b]], XS)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)


def test_lstm_golden() -> None:
    # Gate order i, f, c, o; every gate gets different weights, so a swap shows.
    W = dict(i=0.1, f=0.2, c=0.3, o=0.4)
    U = dict(i=0.5, f=-0.6, c=0.7, o=-0.8)
    b = dict(i=0.01, f=0.02, c=0.03, o=0.04)
    h = c = 0.0
    expected = []
    for x in XS:
        i = σ(x * W["i"] + h * U["i"] + b["i"])
        f = σ(x * W["f"] + h * U["f"] + b["f"])
        g = math.tanh(x * W["c"] + h * U["c"] + b["c"])
        o = σ(x * W["o"] + h * U["o"] + b["o"])
        c = f * c + i * g
        h = o * math.tanh(c)
        expected.append(h)
    order = "ifco"
    weights = [[[W[k] for k in order]], [[U[k] for k in order]], [b[k] for k in order]]
    got = run_one_unit(custom_layers.LSTM(1, return_sequences=True), weights, XS)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_golden(reset_after: bool) -> None:
    W = dict(z=0.1, r=-0.2, h=0.3)
    U = dict(z=0.4, r=0.5, h=-0.6)
    b_in = dict(z=0.01, r=0.02, h=0.03)
    b_rec = dict(z=-0.04, r=0.05, h=-0.06) if reset_after else dict(z=0.0, r=0.0, h=0.0)
    h, expected = 0.0, []
    for x in XS:
        z = σ(x * W["z"] + b_in["z"] + h * U["z"] + b_rec["z"])
        r = σ(x * W["r"] + b_in["r"] + h * U["r"] + b_rec["r"])
        if reset_after:
            ĥ = math.tanh(x * W["h"] + b_in["h"] + r * (h * U["h"] + b_rec["h"]))
        else:
            ĥ = math.tanh(x * W["h"] + (r * h) * U["h"] + b_in["h"])
        h = z * h + (1 - z) * ĥ  # z weights the old state
        expected.append(h)
    order = "zrh"
    bias = [b_in[k] for k in order]
    if reset_after:
        bias = [bias, [b_rec[k] for k in order]]
    weights = [[[W[k] for k in order]], [[U[k] for k in order]], bias]
    layer = custom_layers.GRU(1, return_sequences=True, reset_after=reset_after)
    got = run_one_unit(layer, weights, XS)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)


PAIRS = [
    (custom_layers.SimpleRNNCell, keras.layers.SimpleRNNCell),
    (custom_layers.LSTMCell, keras.layers.LSTMCell),
    (custom_layers.GRUCell, keras.layers.GRUCell),
    (custom_layers.SimpleRNN, keras.layers.SimpleRNN),
    (custom_layers.LSTM, keras.layers.LSTM),
    (custom_layers.GRU, keras.layers.GRU),
]


@pytest.mark.parametrize(("ours", "theirs"), PAIRS, ids=lambda c: c.__name__)
def test_default_arguments_match_keras(ours: type, theirs: type) -> None:
    our_config = ours(7, name="x").get_config()
    their_config = theirs(7, name="x").get_config()
    # Keras's SimpleRNN forgets `seed` in its config; ours keeps it.
    assert {k: our_config[k] for k in their_config} == their_config


@pytest.mark.parametrize(("ours", "theirs"), PAIRS[:3], ids=lambda c: c.__name__)
def test_weight_names_and_shapes_match_keras(ours: type, theirs: type) -> None:
    our_cell, their_cell = ours(7), theirs(7)
    our_cell.build((None, 3))
    their_cell.build((None, 3))
    assert [(w.name, w.shape) for w in our_cell.weights] == [
        (w.name, w.shape) for w in their_cell.weights
    ]


def test_unit_forget_bias_sets_forget_gate_bias_to_one() -> None:
    cell = custom_layers.LSTMCell(3, bias_initializer="zeros")
    cell.build((None, 2))
    np.testing.assert_array_equal(np.asarray(cell.bias), [0] * 3 + [1] * 3 + [0] * 6)


@pytest.mark.parametrize("cell", [c for c, _ in PAIRS])
@pytest.mark.parametrize(
    ("argument", "value"),
    [
        ("units", 0),
        ("units", -4),
        ("units", 2.5),
        ("dropout", 1.0),
        ("dropout", -0.1),
        ("recurrent_dropout", 1.5),
        ("activation", "no_such_activation"),
        ("kernel_initializer", "no_such_initializer"),
        ("recurrent_regularizer", "no_such_regularizer"),
    ],
)
def test_bad_argument_names_argument_and_value(cell: type, argument: str, value: object) -> None:
    kwargs = {"units": 3, argument: value}
    with pytest.raises(ValueError, match=rf"`{argument}`.*{argument}={value!r}"):
        cell(**kwargs)


@pytest.mark.parametrize("cell", [custom_layers.LSTMCell, custom_layers.GRUCell])
def test_bad_recurrent_activation(cell: type) -> None:
    with pytest.raises(ValueError, match=r"`recurrent_activation`.*'nope'"):
        cell(3, recurrent_activation="nope")
