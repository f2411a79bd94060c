"""The traced values are the model's own: every h_t equals the layer's returned
sequence, and every gate equals a NumPy re-implementation of ../shared/RNN_MATH.md."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest
import yaml

from zoo.tracing import trace

LENGTH, FEATURES = 5, 3


def spec_file(tmp_path: Path, cell: str, implementation: str = "custom", **model: object) -> Path:
    spec = {
        "implementation": implementation,
        "version": 1,
        "name": "traced",
        "architecture": "many_to_many",
        "cell": cell,
        "seed": 3,
        "inputs": {"length": LENGTH, "features": FEATURES},
        "model": {"units": 4, **model},
        "outputs": {"units": 2},
    }
    path = tmp_path / "traced.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def example() -> np.ndarray:
    return np.random.default_rng(0).normal(size=(LENGTH, FEATURES)).astype("float32")


def returned_sequences(model: keras.Model, layer: keras.layers.Layer, x: np.ndarray) -> list:
    """The layer's output sequence in the model, split into its directions (input order)."""
    output = layer.output[0] if isinstance(layer.output, (list, tuple)) else layer.output
    sequence = np.asarray(keras.Model(model.input, output)(x[None]))[0]
    if isinstance(layer, keras.layers.Bidirectional):
        return np.split(sequence, 2, axis=-1)  # concat: forward units, then backward
    return [sequence]


@pytest.mark.parametrize("implementation", ["custom", "keras"])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_traced_h_is_the_layers_returned_sequence(
    tmp_path: Path, cell: str, bidirectional: bool, implementation: str
) -> None:
    from zoo.tracing.reading import loaded

    path = spec_file(
        tmp_path,
        cell,
        layers=2,
        bidirectional=bidirectional,
        implementation=implementation,
        layer_norm=True,
    )
    x = example()
    traced = trace(path, array=x)
    model, *_ = loaded(path, None, False)
    layers = [
        each
        for each in model.layers
        if isinstance(each, (keras.layers.RNN, keras.layers.Bidirectional))
    ]
    expected = [seq for layer in layers for seq in returned_sequences(model, layer, x)]
    assert len(traced.directions) == len(expected) == 2 * (1 + bidirectional)
    for direction, sequence in zip(traced.directions, expected, strict=True):
        h = np.stack([step["h"] for step in direction.steps])
        order = np.argsort(direction.positions)  # the steps back in input order
        np.testing.assert_allclose(h[order], sequence, rtol=0, atol=1e-6)
    assert traced.agreement < 1e-6
    # the backward direction really ran from the end
    if bidirectional:
        assert traced.directions[1].positions == list(range(LENGTH))[::-1]
    # the head's output is the model's
    np.testing.assert_allclose(
        traced.head.outputs, np.asarray(model(x[None]))[0], rtol=0, atol=1e-6
    )


def σ(v: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-v))


def reference_steps(cell: str, weights: dict, x: np.ndarray, reset_after: bool) -> list[dict]:
    """RNN_MATH.md, step by step, in NumPy, from zero states."""
    W, U = weights["W"], weights["U"]
    u = U.shape[0]
    b = weights.get("b", np.zeros(W.shape[1]))
    h, c, steps = np.zeros(u), np.zeros(u), []
    for x_t in x:
        if cell == "rnn":
            xW, hU_b = x_t @ W, h @ U + b
            h = np.tanh(xW + hU_b)
            steps.append({"xW": xW, "hU+b": hU_b, "h": h})
        elif cell == "lstm":
            z = x_t @ W + h @ U + b
            i, f, g, o = σ(z[:u]), σ(z[u : 2 * u]), np.tanh(z[2 * u : 3 * u]), σ(z[3 * u :])
            c = f * c + i * g
            h = o * np.tanh(c)
            steps.append({"z": z, "i": i, "f": f, "g": g, "o": o, "c": c, "h": h})
        else:
            b_in, b_rec = (b[0], b[1]) if reset_after else (b, np.zeros_like(b))
            x_z, x_r, x_h = np.split(x_t @ W + b_in, 3)
            if reset_after:
                hU_z, hU_r, hU_h = np.split(h @ U + b_rec, 3)
                z, r = σ(x_z + hU_z), σ(x_r + hU_r)
                ĥ = np.tanh(x_h + r * hU_h)
            else:
                z = σ(x_z + h @ U[:, :u])
                r = σ(x_r + h @ U[:, u : 2 * u])
                ĥ = np.tanh(x_h + (r * h) @ U[:, 2 * u :])
            h = z * h + (1 - z) * ĥ
            steps.append({"z": z, "r": r, "ĥ": ĥ, "h": h})
    return steps


@pytest.mark.parametrize(
    ("cell", "options"),
    [("rnn", {}), ("lstm", {}), ("gru", {"reset_after": True}), ("gru", {"reset_after": False})],
)
def test_gates_equal_a_numpy_reimplementation(tmp_path: Path, cell: str, options: dict) -> None:
    # non-zero biases, so that a bias added in the wrong place shows
    path = spec_file(tmp_path, cell, bias_initializer="random_normal", **options)
    x = example()
    direction = trace(path, array=x).directions[0]
    expected = reference_steps(cell, direction.weights, x, options.get("reset_after", True))
    assert [set(step) for step in direction.steps] == [set(step) for step in expected]
    for got, want in zip(direction.steps, expected, strict=True):
        for quantity in want:
            np.testing.assert_allclose(got[quantity], want[quantity], rtol=0, atol=1e-5)
    np.testing.assert_array_equal(direction.inputs, x)  # x_t: what the cell read
