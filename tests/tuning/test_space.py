"""The tune section is checked like the rest of the spec: every mistake in a search
space is reported before any trial runs, at the key or value that causes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from zoo.spec.loading import validate

BASE = """\
version: 1
name: swept
architecture: many_to_one
cell: lstm
inputs: {length: 5, features: 2}
outputs: {units: 1}
data: {source: adding, args: {samples: 64, length: 5}}
tune:
"""


def problems(tmp_path: Path, tune: str, base: str = BASE) -> list[str]:
    path = tmp_path / "spec.yaml"
    path.write_text(base + tune)
    return [str(p).replace(str(path), "{f}") for p in validate(path)]


def test_a_valid_space_with_a_condition_passes(tmp_path: Path) -> None:
    tune = """\
  tuner: grid
  space:
    cell: {choice: [rnn, lstm, gru]}
    model.units: {int: [8, 32], step: 8}
    compile.optimizer.learning_rate: {float: [1.0e-4, 1.0e-2], sampling: log, step: 10}
    model.unit_forget_bias: {boolean: true, when: {cell: lstm}}
    model.bidirectional: {fixed: true}
"""
    assert problems(tmp_path, tune) == []


@pytest.mark.parametrize(
    ("space", "expected"),
    [
        (
            "model.units: {int: [32, 8]}",
            "{f}:10:19: tune.space.model.units.int: the range [32, 8] is empty: "
            "low must not exceed high",
        ),
        (
            "model.unitz: {int: [8, 32]}",
            "{f}:10:25: tune.space.model.unitz: unknown key 'unitz'; did you mean 'units'?",
        ),
        (
            "cell: {choice: [lstm, gruu]}",
            "{f}:10:27: tune.space.cell: must be 'rnn', 'lstm' or 'gru', got 'gruu'",
        ),
        (
            "model.dropout: {float: [0.0, 1.5]}",
            "{f}:10:34: tune.space.model.dropout: must be a number in [0, 1), got 1.5",
        ),
        (
            "model.activation: {choice: [tanh, relu, swishy]}",
            "{f}:10:45: tune.space.model.activation: Keras has no activation named 'swishy'",
        ),
        (
            "compile.optimizer.learning_rate: {float: [0, 0.1], sampling: log}",
            "{f}:10:56: tune.space.compile.optimizer.learning_rate.sampling: "
            "log sampling needs a low above 0",
        ),
        (
            "model.bidirectional: {choice: [true, false], step: 2}",
            "{f}:10:50: tune.space.model.bidirectional.step: applies to int and float ranges "
            "only, not choice",
        ),
        (
            "model.units: {int: [8, 16], choice: [8, 16]}",
            "{f}:10:5: tune.space.model.units: give exactly one of int, float, choice, "
            "boolean, fixed; got int and choice",
        ),
        (
            "model.units: {step: 8}",
            "{f}:10:5: tune.space.model.units: give exactly one of int, float, choice, "
            "boolean, fixed; got none",
        ),
        (
            "model.units: {choice: [8, 16.0]}",
            "{f}:10:19: tune.space.model.units.choice: values must all be of one type "
            "(all numbers, strings or booleans)",
        ),
        (
            "name: {choice: [a, b]}",
            "{f}:10:5: tune.space.name: cannot search 'name': it is not a model or training "
            "setting",
        ),
        (
            "model.units: {int: [8, 16], default: 64}",
            "{f}:10:33: tune.space.model.units.default: 64 is not one of the values searched",
        ),
        (
            "model.recurrent_dropout: {float: [0, 0.5], when: {cell: lstm}}",
            "{f}:10:55: tune.space.model.recurrent_dropout.when.cell: 'cell' is not searched; "
            "when names other fields of tune.space",
        ),
        (
            "cell: {choice: [rnn, lstm]}\n    model.unit_forget_bias: {boolean: true}",
            "{f}:11:30: tune.space.model.unit_forget_bias: with cell='rnn', "
            "model.unit_forget_bias=True: model.unit_forget_bias: applies to lstm only, not rnn "
            "(search one only where the other allows it: add when:)",
        ),
        (
            "cell: {choice: [rnn, lstm]}\n"
            "    model.unit_forget_bias: {boolean: true, when: {cell: gru}}",
            "{f}:11:52: tune.space.model.unit_forget_bias.when.cell: 'gru' is not a value "
            "'cell' takes; it takes ['rnn', 'lstm']",
        ),
    ],
)
def test_space_mistakes_are_located(tmp_path: Path, space: str, expected: str) -> None:
    found = problems(tmp_path, f"  space:\n    {space}\n")
    assert found[0] == expected
    assert len(found) == 1, found


@pytest.mark.parametrize(
    ("tune", "expected"),
    [
        (
            "  objective: val_accuracy\n",
            "{f}:9:3: tune.objective: 'val_accuracy' is not logged; logged: loss, val_loss",
        ),
        (
            "  objective: val_loss\n",
            "{f}:9:3: tune.objective: 'val_loss' is not logged (val_ metrics need "
            "data.validation > 0); logged: loss",
        ),
        (
            "  tuner: hyperband\n  max_trials: 5\n",
            "{f}:10:3: tune.max_trials: hyperband sets its trials from epochs and factor",
        ),
        ("  factor: 2\n", "{f}:9:3: tune.factor: applies to the hyperband tuner only, not random"),
        (
            "  tuner: grid\n",
            "{f}:12:5: tune.space.compile.optimizer.learning_rate: the grid tuner needs a step "
            "for a float range",
        ),
        (
            "  tuner: anneal\n",
            "{f}:9:3: tune.tuner: must be 'random', 'bayesian', 'hyperband' "
            "or 'grid', got 'anneal'",
        ),
    ],
)
def test_tuner_and_objective_mistakes(tmp_path: Path, tune: str, expected: str) -> None:
    space = "  space:\n    model.units: {int: [8, 16]}\n"
    space += "    compile.optimizer.learning_rate: {float: [0.001, 0.01]}\n"
    base = BASE
    if "val_loss\n" in tune:  # without a validation split no val_ metric is logged
        base = BASE.replace("length: 5}}", "length: 5}, validation: 0}")
        assert base != BASE
    found = problems(tmp_path, tune + space, base)
    assert expected.format(f="{f}") in found, found


def test_a_sweep_needs_data(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(
        BASE.replace("data: {source: adding, args: {samples: 64, length: 5}}\n", "")
        + "  space:\n    model.units: {int: [8, 16]}\n"
    )
    assert [str(p) for p in validate(path)] == [
        f"{path}:7:1: tune: a sweep trains every trial: add a data section"
    ]
