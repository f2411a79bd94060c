"""Decoding: language-model sampling and seq2seq greedy / beam search, API and CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

import zoo
from zoo.cli import main
from zoo.inference.decoding import beam_decode, greedy_decode, seq2seq_inference
from zoo.training import train

REVERSAL = {
    "version": 1,
    "name": "reverse3",
    "architecture": "seq2seq",
    "cell": "gru",
    "inputs": {"length": 3, "vocab_size": 4, "embedding": {"dim": 8}},
    "model": {"units": 32, "attention": "luong"},
    "outputs": {"length": 4, "vocab_size": 6, "embedding": {"dim": 8}},
    "compile": {"optimizer": {"name": "adam", "learning_rate": 0.01}, "metrics": ["accuracy"]},
    "data": {"source": "reversal", "args": {"samples": 1200, "length": 3, "vocab": 3}},
    "train": {"epochs": 6, "batch_size": 32},
}


def test_beam_of_width_one_is_greedy() -> None:
    inference = seq2seq_inference(zoo.build(REVERSAL), zoo.load_spec(REVERSAL))
    source = np.array([[1, 2, 3], [3, 3, 1]], dtype="int32")
    greedy = greedy_decode(inference, source, start=4, end=5, max_length=4)
    for row in range(2):
        assert beam_decode(inference, source[row : row + 1], 4, 5, 4, width=1) == greedy[row]
    wide = beam_decode(inference, source[:1], 4, 5, 4, width=3)
    assert len(wide) <= 4 and all(0 <= t < 6 for t in wide)


def test_the_compiled_steps_equal_keras_predict() -> None:
    inference = seq2seq_inference(zoo.build(REVERSAL), zoo.load_spec(REVERSAL))
    source = np.array([[1, 2, 3], [3, 0, 0]], dtype="int32")
    encoded = inference.encode(source)
    for ours, theirs in zip(encoded, inference.encoder.predict_on_batch(source), strict=True):
        np.testing.assert_allclose(ours, theirs, atol=1e-5)
    inputs = [np.array([[4], [2]], dtype="int32"), *encoded]
    theirs = inference.decoder_step.predict_on_batch(inputs)
    for ours, expected in zip(inference.step(inputs), theirs, strict=True):
        np.testing.assert_allclose(ours, expected, atol=1e-5)


@pytest.mark.slow
def test_trained_reversal_decodes_from_the_cli(capsys, tmp_path: Path) -> None:
    run = train(REVERSAL, runs=tmp_path, verbose=0)
    assert run.test_metrics["accuracy"] > 0.95
    for extra in ([], ["--beam", "3"]):
        assert main(["generate", str(run.directory), "--input", "abc", *extra]) == 0
        assert capsys.readouterr().out == "cba\n"


@pytest.fixture(scope="module")
def reversal_model(tmp_path_factory) -> Path:
    spec = {**REVERSAL, "train": {"epochs": 1, "batch_size": 32}}
    return train(spec, runs=tmp_path_factory.mktemp("runs"), verbose=0).directory


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "a seq2seq model translates an --input"),
        (["--input", "abz"], "--input has characters the model never saw: 'z'"),
        (["--input", "abca"], "--input has 4 tokens; the model reads at most 3"),
    ],
)
def test_seq2seq_generate_mistakes(capsys, reversal_model: Path, argv, message) -> None:
    assert main(["generate", str(reversal_model), *argv]) == 2
    assert message in capsys.readouterr().err


def test_language_model_generate(capsys, tmp_path: Path) -> None:
    corpus = tmp_path / "c.txt"
    corpus.write_text("abcabcabcabc")
    spec = yaml.safe_load((Path(zoo.__file__).parent.parent / "specs" / "hello.yaml").read_text())
    spec["data"]["args"] = {"path": str(corpus), "length": 4, "stride": 1}
    spec["train"]["epochs"] = 1
    spec["inputs"]["vocab_size"] = 4
    run = train(spec, runs=tmp_path / "runs", verbose=0)
    text = zoo.generate(run.directory, "ab", 5, temperature=0)
    assert text.startswith("ab") and len(text) == 7 and set(text) <= set("abc")
    assert main(["generate", str(run.directory)]) == 2
    assert "continues a --prime" in capsys.readouterr().err
    assert main(["generate", str(run.directory), "--prime", "xyz"]) == 2
    assert "never saw: 'xyz'" in capsys.readouterr().err
