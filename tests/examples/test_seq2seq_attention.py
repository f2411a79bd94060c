"""The attention experiment, quick: both encoder-decoders are decoded on held-out
sources and scored by exact match."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.mark.slow
def test_with_and_without_attention(example, tmp_path: Path) -> None:
    assert example("seq2seq_attention").main(["--quick", "--out", str(tmp_path)]) == 0
    from experiment import read_table

    rows = read_table(tmp_path / "seq2seq_attention.md")
    assert [row[:2] for row in rows] == [
        ["`seq2seq_reversal`", "bahdanau"],
        ["`seq2seq_reversal_plain`", "none"],
    ]
    for row in rows:
        exact, symbols = (float(cell.rstrip("%")) for cell in row[2:4])
        assert 0 <= exact <= symbols <= 100  # a sequence is exact only when all symbols are
    assert rows[0][4] in ("yes", "no") and rows[1][4] == "-"  # beats the plain decoder
    assert (tmp_path / "seq2seq_attention.png").stat().st_size > 1000
