"""Language-model sampling that carries the state: each step computes what the full
forward pass computes at that position, greedy sampling equals re-running the
window while the text fits in it, and batched samples are reproducible."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import zoo
from zoo.cli import main
from zoo.inference.decoding import sample_tokens
from zoo.inference.sampling import StateSampler

LM = {
    "version": 1,
    "name": "lm",
    "seed": 3,
    "architecture": "language_model",
    "cell": "lstm",
    "inputs": {"length": 12, "vocab_size": 7, "embedding": {"dim": 5}},
    "model": {"units": 6, "layers": 2},
    "compile": {"optimizer": {"name": "adam", "learning_rate": 0.05}},
}


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"cell": "rnn"},
        {"cell": "gru", "model.reset_after": False},
        {"cell": "gru", "model.residual": True, "model.layer_norm": True, "model.layers": 3},
        {"implementation": "keras", "model.dropout": 0.3},
    ],
)
def test_each_step_equals_the_full_forward_pass(overrides: dict) -> None:
    model = zoo.build(LM, overrides)
    sampler = StateSampler(model, zoo.load_spec(LM, overrides))
    tokens = np.random.default_rng(0).integers(1, 7, (3, 12)).astype("int32")
    full = np.asarray(model.predict_on_batch(tokens))
    states = sampler.initial_states(3)
    for t in range(12):
        probabilities, states = sampler.step(tokens[:, t], states)
        np.testing.assert_allclose(np.asarray(probabilities), full[:, t], atol=1e-5)


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("lm")
    (folder / "c.txt").write_text("the cat sat on the mat. " * 40)
    spec = {
        **LM,
        "inputs": {**LM["inputs"], "vocab_size": 12},
        "data": {"source": "text", "args": {"path": str(folder / "c.txt"), "length": 12}},
        "train": {"epochs": 4, "batch_size": 8},
    }
    return zoo.train(spec, runs=folder / "runs", verbose=0).directory


def test_greedy_sampling_equals_the_window_rerun_while_it_fits(trained: Path) -> None:
    model = zoo.load_model(trained / "best.keras")
    spec = zoo.read_spec(trained / "best.keras")
    prime = [5, 3, 4]  # 3 + 9 new tokens fill the window of 12 exactly
    carried = StateSampler(model, spec).sample(prime, 9, temperature=0)[0]
    assert carried == sample_tokens(model, prime, 9, temperature=0)
    longer = StateSampler(model, spec).sample(prime, 40, temperature=0)[0]
    assert len(longer) == 40 and longer[:9] == carried  # past the window, it carries on


def test_batched_samples_are_reproducible(trained: Path) -> None:
    drawn = zoo.samples(trained, "the ", 30, temperature=1.0, seed=7, count=4)
    assert drawn == zoo.samples(trained, "the ", 30, temperature=1.0, seed=7, count=4)
    assert len(drawn) == 4 and len(set(drawn)) > 1 and all(len(t) == 34 for t in drawn)
    assert drawn != zoo.samples(trained, "the ", 30, temperature=1.0, seed=8, count=4)
    assert zoo.generate(trained, "the ", 30, temperature=1.0, seed=7) == drawn[0]
    greedy = zoo.generate(trained, "the ", 8, temperature=0)
    assert greedy == zoo.generate(trained, "the ", 8, temperature=0, window=True)


def test_cli_samples_and_window(capsys, trained: Path) -> None:
    capsys.readouterr()
    argv = ["generate", str(trained), "--prime", "the ", "--length", "10", "--seed", "1"]
    assert main([*argv, "--samples", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0::2] == [f"--- sample {i} of 3 ---" for i in (1, 2, 3)]
    assert all(line.startswith("the ") and len(line) == 14 for line in lines[1::2])
    assert main([*argv, "--window"]) == 0
    assert len(capsys.readouterr().out.rstrip("\n")) == 14
    assert main([*argv, "--samples", "0"]) == 2
    assert "--samples must be at least 1" in capsys.readouterr().err
