"""Tiny models of every architecture the shipped specs name, trained once per test
process with `zoo train` as a user runs it (one epoch, few units), to serve."""

from __future__ import annotations

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
def sentiment(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train(tmp_path_factory, "sentiment_bilstm")


@pytest.fixture(scope="session")
def tagger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train(tmp_path_factory, "tagger_bigru")


@pytest.fixture(scope="session")
def airline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train(tmp_path_factory, "airline_gru")


@pytest.fixture(scope="session")
def hello(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train(tmp_path_factory, "hello")


@pytest.fixture(scope="session")
def addition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train(tmp_path_factory, "seq2seq_addition")
