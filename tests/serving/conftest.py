"""Tiny models of every architecture the shipped specs name, trained once per test
process with `zoo train` as a user runs it (one epoch, few units), to serve."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from zoo.cli import main

SMALL = {
    "sentiment_bilstm": ["model.units=8"],
    "tagger_bigru": ["model.units=8"],
    "airline_gru": ["model.units=8"],
    "hello": [],
    "seq2seq_addition": ["model.units=16", "data.args.samples=400"],
}


def train(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    runs = tmp_path_factory.mktemp(name)
    changes = [a for change in ["train.epochs=1", *SMALL[name]] for a in ("--set", change)]
    assert main(["train", name, "--runs", str(runs), "-q", *changes]) == 0
    (run,) = runs.iterdir()
    return run


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """The run of a shipped spec of SMALL, trained on first use."""
    runs: dict[str, Path] = {}

    def run(name: str) -> Path:
        if name not in runs:
            runs[name] = train(tmp_path_factory, name)
        return runs[name]

    return run


@pytest.fixture(scope="session")
def sentiment(trained: Callable[[str], Path]) -> Path:
    return trained("sentiment_bilstm")
