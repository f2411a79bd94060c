"""Every random layer draws its own dropout masks, from a seed made of the spec's seed
and the layer's name: both directions of a bidirectional layer, a seq2seq's encoder and
decoder layers of the same depth, each Dropout of the dense baseline. The same spec
still builds the same model, masks included."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest

import zoo
from tests.helpers import assert_round_trip, random_batch
from zoo.builder.seeds import layer_seed

BILSTM = {
    "version": 1,
    "name": "bilstm",
    "architecture": "many_to_one",
    "cell": "lstm",
    "inputs": {"length": 5, "features": 3},
    "model": {"units": 4, "bidirectional": True, "dropout": 0.5, "recurrent_dropout": 0.5},
    "outputs": {"units": 1},
}

SPECS = {
    "bidirectional": (BILSTM, {"model.layers": 2}),
    "bidirectional, keras layers": (BILSTM, {"implementation": "keras"}),
    "seq2seq": ("seq2seq_reversal", {"model.units": 4, "model.dropout": 0.3, "model.layers": 2}),
    "dense": ("dense_baseline", {"model.units": [8, 8, 8]}),
}


def seed_states(model: keras.Model) -> list[tuple[int, ...]]:
    """The initial state of every seed generator in the model: one per random layer."""
    return [
        tuple(np.asarray(v).tolist())
        for v in model.variables
        if v.path.endswith("seed_generator_state")
    ]


@pytest.mark.parametrize(("spec", "overrides"), SPECS.values(), ids=SPECS)
def test_no_two_random_layers_share_a_seed(spec, overrides: dict) -> None:
    states = seed_states(zoo.build(spec, overrides))
    assert len(states) >= 2
    assert len(set(states)) == len(states), states


@pytest.mark.parametrize(("spec", "overrides"), SPECS.values(), ids=SPECS)
def test_the_same_spec_builds_the_same_model_masks_included(spec, overrides: dict) -> None:
    first, second = zoo.build(spec, overrides), zoo.build(spec, overrides)
    for a, b in zip(first.get_weights(), second.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert seed_states(first) == seed_states(second)
    reseeded = seed_states(zoo.build(spec, {**overrides, "seed": 1}))
    assert not set(reseeded) & set(seed_states(first))


@pytest.mark.parametrize("implementation", ["custom", "keras"])
def test_the_directions_of_a_bidirectional_layer_drop_different_units(
    implementation: str,
) -> None:
    """With the backward direction given the forward one's weights, both compute the
    same on an input constant in time, unless their dropout masks differ."""
    model = zoo.build(BILSTM, {"implementation": implementation})
    layer = model.get_layer("rnn_1")
    layer.backward_layer.set_weights(layer.forward_layer.get_weights())
    x = np.broadcast_to(np.random.default_rng(0).normal(size=(8, 1, 3)), (8, 5, 3))
    x = keras.ops.convert_to_tensor(x.astype("float32"))
    forward, backward = np.split(np.asarray(layer(x, training=False)), 2, axis=-1)
    np.testing.assert_allclose(forward, backward, atol=1e-6)  # the premise
    forward, backward = np.split(np.asarray(layer(x, training=True)), 2, axis=-1)
    assert np.max(np.abs(forward - backward)) > 1e-3


def test_the_directions_masks_differ() -> None:
    model = zoo.build(BILSTM)
    layer = model.get_layer("rnn_1")
    ones = keras.ops.ones((16, 3))
    state = keras.ops.ones((16, 4))
    forward, backward = layer.forward_layer.cell, layer.backward_layer.cell
    masks = [np.asarray(cell.get_dropout_mask(ones)) for cell in (forward, backward)]
    assert not np.array_equal(*masks)
    recurrent = [np.asarray(cell.get_recurrent_dropout_mask(state)) for cell in (forward, backward)]
    assert not np.array_equal(*recurrent)


def test_a_seq2seq_encoder_and_decoder_layer_have_seeds_of_their_own() -> None:
    model = zoo.build("seq2seq_reversal", {"model.units": 4, "model.dropout": 0.3})
    encoder, decoder = (model.get_layer(name).cell for name in ("encoder_1", "decoder_1"))
    assert encoder.seed != decoder.seed
    spec = zoo.load_spec("seq2seq_reversal")
    assert (encoder.seed, decoder.seed) == (
        layer_seed(spec, "encoder_1"),
        layer_seed(spec, "decoder_1"),
    )


def test_the_dense_baselines_dropouts_have_seeds_of_their_own() -> None:
    model = zoo.build("dense_baseline")
    seeds = [layer.seed for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    assert len(seeds) == 2 and seeds[0] != seeds[1]


def test_without_a_spec_seed_layers_get_none() -> None:
    spec = zoo.load_spec(BILSTM, {"seed": None})
    assert layer_seed(spec, "rnn_1") is None
    layer = zoo.build(spec).get_layer("rnn_1")
    assert layer.forward_layer.cell.seed is None and layer.backward_layer.cell.seed is None


def test_a_bidirectional_layer_with_its_own_backward_seed_saves_and_loads(
    tmp_path: Path,
) -> None:
    spec = zoo.load_spec(BILSTM)
    model = zoo.build(spec)
    x, y = random_batch(model, spec)
    model.train_on_batch(x, y)  # the optimizer's variables exist, as in a saved run
    loaded = assert_round_trip(model, x, tmp_path)
    layer = loaded.get_layer("rnn_1")
    assert layer.backward_layer.name == "backward_rnn_1"
    assert layer.backward_layer.cell.seed == layer_seed(spec, "backward_rnn_1")
    assert layer.forward_layer.cell.seed == layer_seed(spec, "rnn_1")
