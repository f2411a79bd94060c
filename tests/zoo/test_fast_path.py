"""`implementation: auto`: Keras's cuDNN path exactly where it can run, the project's
layers elsewhere, and the reason said in one line by `zoo build`."""

from __future__ import annotations

from pathlib import Path

import keras
import pytest

import custom_layers
import zoo
from zoo.builder import fast_path
from zoo.cli import main

BASE = {
    "version": 1,
    "name": "auto",
    "architecture": "many_to_one",
    "cell": "lstm",
    "implementation": "auto",
    "inputs": {"length": 5, "features": 3},
    "model": {"units": 4},
    "outputs": {"units": 1},
}


@pytest.fixture
def with_gpu(monkeypatch) -> None:
    monkeypatch.setattr(fast_path, "gpu_visible", lambda: True)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_a_gpu_and_a_cudnn_configuration_pick_keras(with_gpu, cell: str) -> None:
    choice = fast_path.choose_implementation(zoo.load_spec(BASE, {"cell": cell}))
    assert choice.implementation == "keras" and choice.reason.startswith("cuDNN:")


@pytest.mark.parametrize(
    ("overrides", "obstacle"),
    [
        ({"cell": "rnn"}, "Keras has a cuDNN kernel for lstm and gru, not rnn"),
        ({"model.activation": "relu"}, "activation relu (the kernel computes tanh)"),
        ({"model.recurrent_activation": "hard_sigmoid"}, "recurrent_activation hard_sigmoid"),
        ({"model.recurrent_dropout": 0.2}, "recurrent_dropout 0.2"),
        ({"model.unroll": True}, "unroll: true"),
        ({"model.use_bias": False}, "use_bias: false"),
        ({"cell": "gru", "model.reset_after": False}, "reset_after: false"),
    ],
)
def test_each_configuration_cudnn_cannot_compute_is_named(
    with_gpu, overrides: dict, obstacle: str
) -> None:
    choice = fast_path.choose_implementation(zoo.load_spec(BASE, overrides))
    assert choice.implementation == "custom"
    assert choice.reason.startswith("no cuDNN: ") and obstacle in choice.reason


def test_every_obstacle_is_listed_not_only_the_first(with_gpu) -> None:
    spec = zoo.load_spec(BASE, {"model.recurrent_dropout": 0.1, "model.unroll": True})
    assert (
        fast_path.choose_implementation(spec).reason
        == "no cuDNN: recurrent_dropout 0.1; unroll: true"
    )


def test_dropout_on_the_inputs_keeps_the_fast_path(with_gpu) -> None:
    # Keras applies input dropout before its cuDNN call; only recurrent dropout stops it
    assert (
        fast_path.choose_implementation(zoo.load_spec(BASE, {"model.dropout": 0.3})).implementation
        == "keras"
    )


def test_without_a_gpu_auto_builds_the_projects_layers(monkeypatch) -> None:
    monkeypatch.setattr(fast_path, "gpu_visible", lambda: False)
    model = zoo.build(BASE)
    (layer,) = [x for x in model.layers if isinstance(x, keras.layers.RNN)]
    assert type(layer) is custom_layers.LSTM
    assert (
        fast_path.choose_implementation(zoo.load_spec(BASE)).reason == "no cuDNN: no GPU is visible"
    )


def test_with_a_gpu_auto_builds_keras_layers(with_gpu) -> None:
    model = zoo.build(BASE, {"cell": "gru"})
    (layer,) = [x for x in model.layers if isinstance(x, keras.layers.RNN)]
    assert type(layer) is keras.layers.GRU


def test_zoo_build_says_which_and_why_in_one_line(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(fast_path, "gpu_visible", lambda: False)
    spec = tmp_path / "auto.yaml"
    spec.write_text(
        "version: 1\nname: auto\narchitecture: many_to_one\ncell: lstm\n"
        "implementation: auto\ninputs: {length: 5, features: 3}\nmodel: {units: 4}\n"
        "outputs: {units: 1}\n"
    )
    assert main(["build", str(spec), "-o", str(tmp_path / "auto.keras")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "implementation auto: custom (no cuDNN: no GPU is visible)"


def test_an_explicit_implementation_is_kept() -> None:
    spec = zoo.load_spec(BASE, {"implementation": "keras", "cell": "rnn"})
    assert fast_path.choose_implementation(spec).implementation == "keras"


def test_the_auto_entry_loads_the_chooser() -> None:
    from zoo.registry import IMPLEMENTATIONS

    assert IMPLEMENTATIONS["auto"].load() is fast_path.choose_implementation
