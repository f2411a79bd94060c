"""Facts decided in one place, and the silent bugs their former copies caused: a
bidirectional language model, unchecked callback and optimizer arguments, a metric
direction decided twice, an unlogged monitor, and "<" dropped from generated text."""

from __future__ import annotations

from pathlib import Path

import keras
import pytest
import yaml

import zoo
from zoo.cli import main
from zoo.errors import SpecError
from zoo.inference.commands import _decode
from zoo.spec.keras_catalog import KNOWN
from zoo.spec.metrics import is_better, metric_direction
from zoo.training.records import RunState

SPEC = {
    "version": 1,
    "name": "tiny",
    "architecture": "many_to_one",
    "cell": "rnn",
    "inputs": {"length": 6, "features": 2},
    "model": {"units": 4},
    "outputs": {"units": 1},
    "compile": {"metrics": ["mae"]},
    "data": {"source": "adding", "args": {"samples": 60, "length": 6}},
    "train": {"epochs": 1, "batch_size": 16},
}


def problems(overrides: dict) -> list[str]:
    with pytest.raises(SpecError) as caught:
        zoo.load_spec(SPEC, overrides)
    return [f"{p.path}: {p.message}" for p in caught.value.problems]


def test_the_control_spec_is_valid() -> None:
    assert zoo.validate(SPEC) == []


@pytest.mark.parametrize("name", ["char_lstm", "seq2seq_reversal"])
def test_a_causal_architecture_refuses_bidirectional_layers(name: str) -> None:
    from zoo.catalog import specs_folder

    path = specs_folder() / f"{name}.yaml"
    assert zoo.validate(path) == []
    (problem,) = zoo.validate(path, {"model.bidirectional": True})
    assert problem.path == "model.bidirectional"
    assert "must be causal" in problem.message


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"train.callbacks": [{"name": "early_stopping", "args": {"patiense": 3}}]},
            "train.callbacks.0.args.patiense: unknown key 'patiense'; did you mean 'patience'?",
        ),
        (
            {"train.callbacks": [{"name": "reduce_lr_on_plateau", "args": {"factr": 0.5}}]},
            "train.callbacks.0.args.factr: unknown key 'factr'; did you mean 'factor'?",
        ),
        (
            {"compile.optimizer": {"name": "sgd", "args": {"momentun": 0.9}}},
            "compile.optimizer.args.momentun: unknown key 'momentun'; did you mean 'momentum'?",
        ),
        (
            {"compile.optimizer.args": {"learning_rate": 0.1}},
            "compile.optimizer.args.learning_rate: is set by compile.optimizer.learning_rate, "
            "not in args",
        ),
        (
            {
                "compile.optimizer.schedule": {
                    "name": "ExponentialDecay",
                    "args": {"decay_steps": 9},
                }
            },
            "compile.optimizer.schedule.args.decay_rate: required key is missing",
        ),
    ],
)
def test_every_argument_is_checked_with_the_spec(overrides: dict, expected: str) -> None:
    assert expected in problems(overrides)


def test_a_misspelt_callback_argument_stops_train_before_anything_is_written(
    capsys, tmp_path: Path
) -> None:
    spec = {
        **SPEC,
        "train": {
            **SPEC["train"],
            "callbacks": [{"name": "early_stopping", "args": {"patiense": 3}}],
        },
    }
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    code = main(["train", str(path), "--runs", str(tmp_path / "runs"), "-q"])
    err = capsys.readouterr().err
    assert code == 2
    assert "did you mean 'patience'" in err and "Traceback" not in err
    assert not (tmp_path / "runs").exists()


def test_every_keras_metric_is_judged_the_way_keras_judges_it() -> None:
    """Keras's own metric objects say whether they go up or down; the word lists that
    let validation do without Keras must agree, for every metric the catalog lists."""
    directions = {"up": "max", "down": "min", None: None}
    for name in KNOWN["metric"]:
        metric = keras.metrics.get(name)
        if isinstance(metric, type):
            metric = metric()
        expected = directions[getattr(metric, "_direction", None)]
        assert metric_direction(name) == expected, name
        assert metric_direction(f"val_{name}") == expected, name


@pytest.mark.parametrize(
    "monitor", ["val_categorical_crossentropy", "val_hinge", "val_mape", "val_msle", "val_loss"]
)
def test_the_best_epoch_of_a_loss_like_metric_is_its_lowest(monitor: str) -> None:
    state = RunState(spec_folder=".")
    for epoch, value in enumerate([0.9, 0.5, 0.7], start=1):
        state.record_epoch(epoch, {monitor: value}, monitor)
    assert (state.best_epoch, state.best_value) == (2, 0.5)
    assert is_better(monitor, 0.1, 0.2) and not is_better(monitor, 0.3, 0.2)


def test_the_best_epoch_of_an_accuracy_is_its_highest() -> None:
    state = RunState(spec_folder=".")
    for epoch, value in enumerate([0.5, 0.9, 0.7], start=1):
        state.record_epoch(epoch, {"val_accuracy": value}, "val_accuracy")
    assert state.best_epoch == 2


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"train.monitor": "val_los"},
            "train.monitor: 'val_los' is not logged; logged: loss, mae, val_loss, val_mae",
        ),
        (
            {"train.monitor": "val_mae", "data.validation": 0.0},
            "train.monitor: 'val_mae' is not logged (val_ metrics need data.validation > 0); "
            "logged: loss, mae",
        ),
        (
            {"train.callbacks": [{"name": "early_stopping", "args": {"monitor": "val_acc"}}]},
            "train.callbacks.0.args.monitor: 'val_acc' is not logged; logged: loss, mae, "
            "val_loss, val_mae",
        ),
        (
            {"compile.metrics": ["true_positives"], "train.monitor": "val_true_positives"},
            "train.monitor: cannot tell whether a higher or a lower 'val_true_positives' is better",
        ),
    ],
)
def test_a_monitor_must_be_logged_and_have_a_direction(overrides: dict, expected: str) -> None:
    assert expected in problems(overrides)


@pytest.mark.parametrize(
    "overrides", [{"train.monitor": "val_mae"}, {"train.monitor": "mae"}, {"data.validation": 0.0}]
)
def test_logged_monitors_are_valid(overrides: dict) -> None:
    """The default val_loss means loss when there is no validation split."""
    assert zoo.validate(SPEC, overrides) == []


def test_decoding_keeps_every_character_and_drops_the_markers_by_id() -> None:
    vocabulary = ["", "<", "a", ">", "<start>", "<end>"]
    assert _decode([1, 2, 3, 0], vocabulary) == "<a>"
    assert _decode([4, 1, 5], vocabulary, special=(4, 5)) == "<"
