"""Shared fixtures. Tiny models of every architecture the shipped specs name are trained
once per test process with `zoo train` as a user runs it (one epoch, few units), for the
tests that read a trained run without changing it (serving, exporting, predicting)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

# Before TensorFlow is imported anywhere: quiet C++ logging, and the CPU only, so
# results do not depend on which machine runs the suite.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

# The sizes each shared run is trained at, beside one epoch: small enough to train in
# seconds, the architecture as shipped.
SMALL = {
    "sentiment_bilstm": ["model.units=8"],
    "tagger_bigru": ["model.units=8"],
    "airline_gru": ["model.units=8"],
    "hello": [],
    "seq2seq_addition": ["model.units=16", "data.args.samples=400"],
}


def _train_small(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    runs = tmp_path_factory.mktemp(name)
    changes = [a for change in ["train.epochs=1", *SMALL[name]] for a in ("--set", change)]
    from zoo.cli import main  # after the environment above is set

    assert main(["train", name, "--runs", str(runs), "-q", *changes]) == 0
    (run,) = runs.iterdir()
    return run


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """The run of a shipped spec of SMALL, trained on first use."""
    runs: dict[str, Path] = {}

    def run(name: str) -> Path:
        if name not in runs:
            runs[name] = _train_small(tmp_path_factory, name)
        return runs[name]

    return run
