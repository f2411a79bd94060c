"""The copy-memory experiment, quick: every cell at the shortest delay, scored against
the memoryless baseline, with recall measured on the copied symbols only."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest


@pytest.mark.slow
def test_every_cell_against_the_memoryless_baseline(example, tmp_path: Path) -> None:
    assert example("copy_memory").main(["--quick", "--out", str(tmp_path)]) == 0
    from experiment import read_table

    (row,) = read_table(tmp_path / "copy_memory.md")
    assert row[0] == "5" and float(row[1]) == pytest.approx(10 * math.log(8) / 25, abs=1e-3)
    for cell in row[2:]:
        cross_entropy, recalled = cell.replace("*", "").split(", ")
        assert float(cross_entropy) > 0 and 0 <= float(recalled.rstrip("%")) <= 100
    assert (tmp_path / "copy_memory.png").stat().st_size > 1000


def test_a_cell_result_over_seeds_counts_those_that_beat_the_guess(example) -> None:
    module = example("copy_memory")
    guess = module.memoryless(5)
    shown = module.cell_result([(guess / 2, 0.5), (guess * 2, 0.1), (guess / 3, 0.7)], 5)
    assert shown.startswith("**") and shown.endswith("beats it on 2 of 3")
    assert " ± " in shown
    assert module.cell_result([(guess * 2, 0.125)], 5) == f"{guess * 2:.3f}, 12%"


def test_recall_counts_only_the_copied_symbols(example) -> None:
    module = example("copy_memory")

    class Run:  # a model that writes the copied symbols back and gets every blank wrong
        def test_split(self):
            from types import SimpleNamespace

            y = np.full((4, 30), 9)
            y[:, -10:] = np.arange(1, 11) % 8 + 1
            return SimpleNamespace(x=np.zeros((4, 30), dtype=int), y=y)

        def model(self):
            test = self.test_split()

            class Model:
                def predict(self, x, verbose=0):
                    guesses = np.where(test.y == 9, 0, test.y)  # blanks wrong, symbols right
                    return np.eye(11)[guesses]

            return Model()

    assert module.recall(Run()) == 1.0
