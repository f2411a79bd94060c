"""Every registered class round-trips: config -> from_config, and .keras save -> load."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest

import custom_layers
from tests.helpers import assert_round_trip

# Every option away from its default, so a forgotten config key shows.
CELL_OPTIONS = dict(
    activation="relu",
    use_bias=True,
    kernel_initializer="he_normal",
    recurrent_initializer="glorot_normal",
    bias_initializer="ones",
    kernel_regularizer="l2",
    recurrent_regularizer="l1",
    bias_regularizer="l1l2",
    kernel_constraint="max_norm",
    recurrent_constraint="unit_norm",
    bias_constraint="non_neg",
    dropout=0.25,
    recurrent_dropout=0.125,
    seed=7,
)
EXTRA = {
    custom_layers.SimpleRNNCell: {},
    custom_layers.LSTMCell: dict(recurrent_activation="hard_sigmoid", unit_forget_bias=False),
    custom_layers.GRUCell: dict(recurrent_activation="hard_sigmoid", reset_after=False),
}
LAYER_OF = {
    custom_layers.SimpleRNNCell: custom_layers.SimpleRNN,
    custom_layers.LSTMCell: custom_layers.LSTM,
    custom_layers.GRUCell: custom_layers.GRU,
}
X = np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32")


@pytest.mark.parametrize("cls", [*EXTRA, *LAYER_OF.values()], ids=lambda c: c.__name__)
def test_registered_under_package_name(cls: type) -> None:
    assert keras.saving.get_registered_object(f"custom_layers>{cls.__name__}") is cls


@pytest.mark.parametrize("cell", EXTRA, ids=lambda c: c.__name__)
def test_cell_config_keeps_every_argument(cell: type) -> None:
    options = {**CELL_OPTIONS, **EXTRA[cell]}
    config = cell(4, **options).get_config()
    assert config == cell.from_config(config).get_config()
    default = cell(4).get_config()
    # every option is written to the config, not left at its default
    assert [name for name in options if config[name] == default[name]] == ["use_bias"]


@pytest.mark.parametrize("cell", EXTRA, ids=lambda c: c.__name__)
def test_layer_config_keeps_every_argument(cell: type) -> None:
    layer_class = LAYER_OF[cell]
    options = {**CELL_OPTIONS, **EXTRA[cell]}
    flags = dict(return_sequences=True, return_state=True, go_backwards=True, unroll=True)
    layer = layer_class(4, activity_regularizer="l2", **flags, **options)
    config = layer.get_config()
    rebuilt = layer_class.from_config(config)
    assert rebuilt.get_config() == config
    assert rebuilt.cell.get_config() == {**layer.cell.get_config(), "name": rebuilt.cell.name}
    for name, value in flags.items():
        assert getattr(rebuilt, name) == value


def _models(cell: type) -> dict[str, keras.Model]:
    options = {**CELL_OPTIONS, **EXTRA[cell], "activation": "tanh"}
    layer_class = LAYER_OF[cell]
    inputs = keras.Input((5, 3))
    stacked = layer_class(4, return_sequences=True, **options)(inputs)
    stacked = keras.layers.Bidirectional(layer_class(4, **options), merge_mode="sum")(stacked)
    return {
        "cell_in_keras_rnn": keras.Model(inputs, keras.layers.RNN(cell(4, **options))(inputs)),
        "layer": keras.Model(inputs, layer_class(4, **options)(inputs)),
        "stacked_bidirectional": keras.Model(inputs, stacked),
    }


@pytest.mark.parametrize("cell", EXTRA, ids=lambda c: c.__name__)
@pytest.mark.parametrize("kind", ["cell_in_keras_rnn", "layer", "stacked_bidirectional"])
def test_keras_file_round_trip(cell: type, kind: str, tmp_path: Path) -> None:
    model = _models(cell)[kind]
    loaded = assert_round_trip(model, X, tmp_path)
    for got, expected in zip(loaded.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(got, expected)
    assert any(isinstance(layer, LAYER_OF[cell] | cell) for layer in _all_layers(loaded))


def _all_layers(model: keras.Model) -> list:
    found = []
    for layer in model.layers:
        found.append(layer)
        for attribute in ("cell", "forward_layer", "backward_layer"):
            if hasattr(layer, attribute):
                found.append(getattr(layer, attribute))
    return found
