"""data.scale: statistics of the training split alone, carried inside the model as
Keras's own Rescaling layers, so the model takes raw values and answers in the
data's units."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest

import zoo
from zoo.data import load_splits
from zoo.data.preprocessing import Affine, fit_preprocessing, scale_method
from zoo.errors import SpecError

SERIES = {
    "version": 1,
    "name": "series",
    "architecture": "many_to_one",
    "cell": "gru",
    "inputs": {"length": 4, "features": 1},
    "model": {"units": 4},
    "outputs": {"units": 1},
    "data": {
        "source": "csv_series",
        "args": {"path": "series.csv", "window": 4, "horizon": 1},
        "validation": 0.2,
        "test": 0.2,
    },
}


@pytest.fixture
def series_csv(tmp_path: Path, monkeypatch) -> Path:
    """Calm values for 70 rows, then ten times larger: a scaler that saw the held-out
    rows would have a far larger mean and spread."""
    monkeypatch.chdir(tmp_path)
    values = np.concatenate([np.arange(70) % 7 + 100.0, np.arange(30) % 7 * 10 + 1000.0])
    path = tmp_path / "series.csv"
    path.write_text("value\n" + "\n".join(f"{v:g}" for v in values) + "\n")
    return path


def test_the_scaler_sees_only_the_training_rows(series_csv: Path) -> None:
    spec = zoo.load_spec(SERIES)
    splits = load_splits(spec, series_csv.parent)
    scaling = fit_preprocessing(spec, splits.train)
    assert scaling is not None and scaling.inputs is not None and scaling.targets is not None
    train_x, train_y = splits.train.x[..., 0], splits.train.y[:, 0]
    assert scaling.inputs.offset == pytest.approx([train_x.mean()])
    assert scaling.inputs.scale == pytest.approx([train_x.std()])
    assert scaling.targets.offset == pytest.approx([train_y.mean()])
    assert max(train_x.max(), train_y.max()) < 1000  # the held-out rows are all unseen
    everything = np.concatenate([splits.train.x, splits.validation.x, splits.test.x])
    assert scaling.inputs.offset[0] < everything.mean() - 100


def test_the_model_carries_the_scaling_and_answers_in_the_datas_units(
    series_csv: Path, tmp_path: Path
) -> None:
    spec = zoo.load_spec(SERIES)
    splits = load_splits(spec, series_csv.parent)
    scaling = fit_preprocessing(spec, splits.train)
    from zoo.builder import build_model

    model = build_model(spec, scaling)
    normalised = keras.Model(model.input, model.get_layer("input_scaling").output)
    x = splits.train.x[:8]
    expected = (x - scaling.inputs.offset[0]) / scaling.inputs.scale[0]
    np.testing.assert_allclose(normalised.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-5)
    head = keras.Model(model.input, model.get_layer("head").output)
    unscaled = head.predict(x, verbose=0) * scaling.targets.scale[0] + scaling.targets.offset[0]
    np.testing.assert_allclose(model.predict(x, verbose=0), unscaled, rtol=1e-5)
    model.train_on_batch(x, splits.train.y[:8])  # Keras saves a built optimizer
    saved = zoo.save_model(model, tmp_path / "m.keras", spec)
    reloaded = keras.saving.load_model(saved)
    np.testing.assert_allclose(reloaded.predict(x, verbose=0), model.predict(x, verbose=0))


@pytest.mark.parametrize(
    ("scale", "offset", "spread"), [("standard", 3.0, 2.0), ("minmax", 1.0, 4.0)]
)
def test_each_method_fits_its_statistics(scale: str, offset: float, spread: float) -> None:
    from zoo.data.base import Dataset

    spec = zoo.load_spec(SERIES, {"data.scale": scale})
    x = np.array([1.0, 5.0, 1.0, 5.0], dtype="float32").reshape(1, 4, 1)
    scaling = fit_preprocessing(spec, Dataset(x, np.array([[2.0]], dtype="float32")))
    assert scaling is not None and scaling.inputs == Affine([offset], [spread])
    assert scaling.targets == Affine([2.0], [1.0])  # a constant keeps scale 1


def test_sources_choose_the_default() -> None:
    assert scale_method(zoo.load_spec(SERIES)) == "standard"
    adding = {**SERIES, "data": {"source": "adding", "args": {"samples": 10, "length": 4}}}
    assert scale_method(zoo.load_spec(adding)) == "none"
    assert scale_method(zoo.load_spec(adding, {"data.scale": "minmax"})) == "minmax"
    assert scale_method(zoo.load_spec(SERIES, {"data.scale": "none"})) == "none"


def test_scaling_with_nothing_to_scale_is_a_located_error() -> None:
    from zoo.catalog import specs_folder

    tagger = specs_folder() / "tagger_bigru.yaml"
    assert zoo.validate(tagger, {"data.scale": "none"}) == []
    (problem,) = zoo.validate(tagger, {"data.scale": "standard"})
    assert problem.path == "data.scale"
    assert "applies to real-valued inputs" in problem.message
    with pytest.raises(SpecError, match=r"data\.scale"):
        zoo.load_spec(tagger, {"data.scale": "minmax"})
