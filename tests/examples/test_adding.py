"""The adding experiment, quick: three cells trained and scored against the mean, and
the gradient profiles of the RNN and the LSTM, initialised and trained."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest


@pytest.mark.slow
def test_cells_and_their_gradient_profiles(example, tmp_path: Path) -> None:
    assert example("adding").main(["--quick", "--length", "20", "--out", str(tmp_path)]) == 0
    from experiment import read_table

    rows = read_table(tmp_path / "adding_T20.md")
    assert [row[0] for row in rows] == ["`adding_rnn`", "`adding_lstm`", "`adding_gru`"]
    for row in rows:
        assert float(row[1]) > 0 and 0.1 < float(row[2]) < 0.25  # the mean's MSE ≈ 1/6
        assert row[3] in ("yes", "no")  # learned, for one seed
        assert row[4] == "4"  # the quick run's steps
    profiles = read_table(tmp_path / "vanishing_gradients_T20.md")
    assert [row[0] for row in profiles] == ["`adding_rnn`", "`adding_lstm`"]
    assert all(float(cell) > 0 for row in profiles for cell in row[1:])
    for name in ("adding_T20.png", "vanishing_gradients_T20.png"):
        assert (tmp_path / name).stat().st_size > 1000


@pytest.mark.slow
def test_several_seeds_give_spreads_and_a_row_per_seed(example, tmp_path: Path) -> None:
    argv = ["--quick", "--length", "10", "--seeds", "2", "--out", str(tmp_path)]
    assert example("adding").main(argv) == 0
    from experiment import read_table

    rows = read_table(tmp_path / "adding_T10.md")
    for row in rows:
        mean, sd = (float(part) for part in row[1].split(" ± "))
        assert mean > 0 and sd >= 0
        assert row[3] in ("0 of 2", "1 of 2", "2 of 2")
    with (tmp_path / "adding_T10_seeds.csv").open() as file:
        seeded = list(csv.DictReader(file))
    assert [(r["spec"], r["seed"]) for r in seeded] == [
        (f"adding_{cell}", seed) for cell in ("rnn", "lstm", "gru") for seed in ("0", "1")
    ]
    # each seed is its own run: different weights and data, so different scores
    assert seeded[0]["test MSE"] != seeded[1]["test MSE"]


def test_ratio_is_how_much_of_the_last_gradient_reaches_the_first_step(example) -> None:
    assert example("adding").ratio(np.array([0.01, 0.1, 1.0])) == pytest.approx(0.01)
