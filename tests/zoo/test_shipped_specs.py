"""Every shipped spec validates, builds, trains two steps through `zoo train`, and the model
it saves round-trips through .keras."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest

import zoo
from tests.helpers import assert_round_trip, random_batch
from zoo.catalog import shipped_specs, specs_folder
from zoo.registry import DATASETS
from zoo.training import TrainingDiverged, train

SPECS = sorted(specs_folder().glob("*.yaml"))
ARCHITECTURES = {
    "one_to_one",
    "one_to_many",
    "many_to_one",
    "many_to_many",
    "seq2seq",
    "language_model",
}


def test_the_zoo_covers_every_architecture_and_cell() -> None:
    specs = [zoo.load_spec(path) for path in SPECS]
    assert {s.architecture for s in specs} == ARCHITECTURES
    assert {s.cell for s in specs} >= {"rnn", "lstm", "gru"}
    assert {s.model.attention for s in specs} >= {"bahdanau", "luong"}


def test_catalog_lists_every_shipped_spec() -> None:
    entries = shipped_specs()
    assert [e.path for e in entries] == SPECS
    assert all(e.summary for e in entries)


# Shipped specs whose task needs a data source the zoo does not have yet (text
# classification and tagging corpora, vector-input tasks); see the training issue.
WITHOUT_DATA: set[str] = set()
# Shipped to show a failure: exploding gradients without clipping.
DIVERGES = {"exploding_irnn"}


def test_which_shipped_specs_have_data() -> None:
    assert {p.stem for p in SPECS if zoo.load_spec(p).data is None} == WITHOUT_DATA


@pytest.mark.slow
@pytest.mark.parametrize(
    "path", [p for p in SPECS if p.stem not in WITHOUT_DATA], ids=lambda p: p.stem
)
def test_shipped_spec_trains(path: Path, tmp_path: Path) -> None:
    tiny = ["train.epochs=1", "train.steps_per_epoch=2"]
    data = zoo.load_spec(path).data
    generated = DATASETS[data.source].target.startswith("zoo.data.generators:")
    if data.validation and generated:  # thousands of examples: small held-out splits
        tiny += ["data.validation=0.01", "data.test=0.01"]
    if "pieces" in DATASETS[data.source].load().Args.model_fields:  # a corpus read piece by piece
        tiny += ["data.args.pieces=12"]
    assert zoo.validate(path) == []
    if path.stem in DIVERGES:
        with pytest.raises(TrainingDiverged, match="Try gradient clipping"):
            train(path, tiny, runs=tmp_path, verbose=0)
        model, spec = zoo.build(zoo.load_spec(path)), zoo.load_spec(path)
        model.train_on_batch(*random_batch(model, spec))  # one step of SGD to save
        assert_round_trips(model, spec, tmp_path)
        return
    run = train(path, tiny, runs=tmp_path, verbose=0)
    assert run.state.status == "complete" and run.state.epochs_done == 1
    assert np.isfinite(run.state.history["loss"]).all()
    assert any(after > 0 for _, _, after in run.state.gradient_norms)  # the weights moved
    assert {"best.keras", "last.keras", "history.png"} <= {p.name for p in run.directory.iterdir()}
    last = zoo.load_model(run.directory / "last.keras")
    assert zoo.read_spec(run.directory / "last.keras") == run.spec
    assert_round_trips(last, run.spec, tmp_path)


def assert_round_trips(model: keras.Model, spec: zoo.Spec, tmp_path: Path) -> None:
    """Config -> from_config, and .keras save -> load, keep the model's outputs."""
    x, _ = random_batch(model, spec)
    assert_round_trip(model, x, tmp_path)
