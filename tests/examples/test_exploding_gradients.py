"""The exploding-gradients experiment, quick: the unclipped IRNN diverges, the clipped
one trains, and the table and plot are written; over two seeds, the table gives mean ±
standard deviation and the seeds' file one row per spec and seed."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest


@pytest.mark.slow
def test_clipping_turns_a_divergence_into_training(example, tmp_path: Path, capsys) -> None:
    assert example("exploding_gradients").main(["--quick", "--out", str(tmp_path)]) == 0
    rows = (tmp_path / "exploding_gradients.md").read_text().splitlines()[2:]
    unclipped, clipped = (row.split(" | ") for row in rows)
    assert unclipped[0] == "| `exploding_irnn`"
    assert unclipped[1].startswith("diverged: the loss became NaN at step ")
    assert clipped[0] == "| `exploding_irnn_clipped`" and clipped[1].startswith("trained: ")
    # the blow-up: the unclipped run's gradients were already far above the clip threshold
    assert float(unclipped[2].rstrip(" |")) > 100
    assert unclipped[3] == "yes" and clipped[3] == "no"  # diverged
    assert (tmp_path / "exploding_gradients.png").stat().st_size > 1000
    assert "exploding_irnn: diverged" in capsys.readouterr().out


@pytest.mark.slow
def test_over_two_seeds(example, tmp_path: Path) -> None:
    module = example("exploding_gradients")
    assert module.main(["--quick", "--seeds", "2", "--out", str(tmp_path)]) == 0
    from experiment import read_table

    with (tmp_path / "exploding_gradients_seeds.csv").open() as file:
        runs = [(row["spec"], row["seed"]) for row in csv.DictReader(file)]
    assert runs == [(name, seed) for name in module.SPECS for seed in ("0", "1")]
    rows = read_table(tmp_path / "exploding_gradients.md")
    assert [row[0] for row in rows] == [f"`{name}`" for name in module.SPECS]
    for row in rows:
        assert " ± " in row[1] and " ± " in row[2]  # the outcome's figures, the largest norm
        assert row[3].endswith(" of 2") and row[4].endswith(" of 2")
