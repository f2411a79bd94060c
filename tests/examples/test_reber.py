"""The Reber experiment, quick: every spec (the LSTM, the Elman net, truncated too) is
scored on its test split and on long strings, and the table and plot are written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest


@pytest.mark.slow
def test_every_spec_scored(example, tmp_path: Path) -> None:
    module = example("reber")
    assert module.main(["--quick", "--out", str(tmp_path)]) == 0
    from experiment import read_table

    rows = read_table(tmp_path / "reber.md")
    assert [row[0] for row in rows] == ["`reber_lstm`", "`reber_rnn`", "`reber_rnn_truncated`"]
    for row in rows:
        assert all(0 <= float(cell.rstrip("%")) <= 100 for cell in row[1:4])
    assert (tmp_path / "reber.png").stat().st_size > 1000


def test_closing_symbol_is_the_one_before_end(example) -> None:
    """predictions() reads the closing T/P at the step third from a string's end."""
    from zoo.data import Context
    from zoo.data.generators import ReberArgs, reber

    data = reber.load(ReberArgs(samples=50, max_length=40), Context(0, Path()))

    class Oracle:  # predicts exactly the legal symbols, except at chosen steps
        def __init__(self, wrong_step_from_end: int) -> None:
            self.offset = wrong_step_from_end

        def predict(self, x, verbose=0):
            scores = data.y.copy()
            lengths = (x > 0).sum(axis=1)
            step = np.arange(len(x)), lengths - self.offset
            scores[step] = 1 - scores[step]  # every symbol the wrong way round
            return scores

    module = example("reber")
    lengths, closing, whole = module.predictions(Oracle(3), data)
    assert not closing.any() and not whole.any()
    assert lengths.min() >= 9
    _, closing, whole = module.predictions(Oracle(2), data)  # wrong elsewhere only
    assert closing.all() and not whole.any()
