"""The character language model experiment, quick, on a text of the test's own: both
specs train, the LSTM's bits per character sit beside the corpus's unigram entropy,
and a sample is written."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest


@pytest.mark.slow
def test_hello_and_a_users_text(example, tmp_path: Path) -> None:
    text = tmp_path / "corpus.txt"
    text.write_text("the cat sat on the mat; the rat ate the oat. " * 40, encoding="utf-8")
    out = tmp_path / "out"
    assert example("char_lm").main(["--quick", "--text", str(text), "--out", str(out)]) == 0
    from experiment import read_table

    hello, lstm = read_table(out / "char_lm.md")
    assert hello[0] == "`hello`" and hello[2].startswith('"hell" + greedy next character: "hell')
    assert lstm[:2] == ["`char_lstm`", "corpus.txt"]
    bits = float(lstm[2].removeprefix("test ").removesuffix(" bits per character"))
    assert bits > 0
    # the baseline predicts each character by its frequency in the corpus, scored on the
    # test split: near the corpus's own unigram entropy, as the text repeats itself
    counts = Counter(text.read_text(encoding="utf-8"))
    total = sum(counts.values())
    entropy = -sum(n / total * math.log2(n / total) for n in counts.values())
    baseline = float(lstm[3].removesuffix(" bits per character"))
    assert baseline == pytest.approx(entropy, abs=0.05)
    assert hello[4] == "-" and lstm[4] == ("yes" if bits < baseline else "no")  # beats it
    assert "A sample (temperature 0.7):" in (out / "char_lm.md").read_text()
    assert (out / "char_lm.png").stat().st_size > 1000
