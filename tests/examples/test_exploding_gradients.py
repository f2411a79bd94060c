"""The exploding-gradients experiment, quick: the unclipped IRNN diverges, the clipped
one trains, and the table and plot are written."""

from __future__ import annotations

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
    assert (tmp_path / "exploding_gradients.png").stat().st_size > 1000
    assert "exploding_irnn: diverged" in capsys.readouterr().out
