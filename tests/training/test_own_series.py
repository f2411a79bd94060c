"""zoo predict with no input: a forecaster of a series that needs no file of the user's
forecasts after the end of that series, from its last window."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from zoo.cli import main
from zoo.inference import predict
from zoo.opening import open_model
from zoo.training import train


@pytest.mark.slow
def test_a_packaged_forecaster_forecasts_after_its_series(tmp_path: Path, capsys) -> None:
    from sktime.datasets import load_lynx

    tiny = ["train.epochs=1", "train.steps_per_epoch=2"]
    run = train("lynx_gru", tiny, runs=tmp_path, verbose=0).directory
    made = predict(run)
    assert made.columns == ["lynx"] and made.source == "the lynx series"
    last = np.log10(load_lynx().to_numpy(dtype="float64"))[-10:]  # 1925-1934
    model = open_model(run, unsafe=False).model
    expected = model.predict(last.reshape(1, 10, 1).astype("float32"), verbose=0)
    np.testing.assert_allclose(made.values, expected.reshape(-1, 1), rtol=1e-5)
    assert predict(run, steps=3).values.shape == (3, 1)  # fed back, one year at a time
    assert main(["predict", str(run)]) == 0
    assert capsys.readouterr().out.startswith(
        "the lynx series: the next 1 step after its last observed row"
    )
