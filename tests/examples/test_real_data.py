"""The real-data experiment, quick: each model's test score beside its naive baseline
on the same test split, and the plot, are written."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest


@pytest.mark.slow
@pytest.mark.skipif(
    importlib.util.find_spec("sktime") is None,
    reason='the real data need the extra: pip install -e ".[real-data]"',
)
def test_scores_beside_naive_baselines(example, tmp_path: Path, capsys) -> None:
    assert example("real_data").main(["--quick", "--out", str(tmp_path)]) == 0
    from experiment import read_table

    forecaster, classifier = read_table(tmp_path / "real_data.md")
    assert forecaster[0] == "`lynx_gru`" and forecaster[1].endswith("; 14 test examples")
    assert classifier[0] == "`japanese_vowels_lstm`"
    mse = float(forecaster[2].removeprefix("mse "))
    accuracy = float(classifier[2].removeprefix("accuracy "))
    assert mse > 0 and 0 <= accuracy <= 1
    # the baselines are the test split's own, whatever the training did
    persistence, commonest = (row[3].split(": ") for row in (forecaster, classifier))
    assert persistence[0] == "mse of persistence"
    test = _lynx_test_split()  # persistence: next year is this year
    assert float(persistence[1]) == pytest.approx(np.mean((test.y - test.x[:, -1]) ** 2), abs=1e-4)
    assert commonest[0] == "accuracy of predicting the commonest class"
    assert 0 < float(commonest[1]) < 1
    # beats the baseline: a lower mse, a higher accuracy
    assert forecaster[4] == ("yes" if mse < float(persistence[1]) else "no")
    assert classifier[4] == ("yes" if accuracy > float(commonest[1]) else "no")
    assert (tmp_path / "real_data.png").stat().st_size > 1000
    assert "| `lynx_gru` |" in capsys.readouterr().out


def _lynx_test_split():
    import zoo
    from zoo.catalog import specs_folder
    from zoo.data import load_splits

    return load_splits(zoo.load_spec(specs_folder() / "lynx_gru.yaml"), specs_folder()).test
