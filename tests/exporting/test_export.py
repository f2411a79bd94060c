"""`zoo export` used as a user would: trained runs exported, then run by each format's
runtime directly, with nothing of this package between (the SavedModel takes strings,
the ONNX core takes ids made by hand from the JSON beside it, the ONNX sampler step
generates as the zoo's sampler does); a check that compares; and every bad input as one
line. The onnxruntime decoding loop of a seq2seq model, decoding as `zoo generate` does,
is checked where it is shown: docs/guides/exporting.md, run by tests/docs."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import keras
import numpy as np
import onnxruntime
import pytest
import tensorflow as tf

import zoo
from tests.zoo.test_cli import run
from zoo.exporting import FORMATS
from zoo.saving import load_model

pytestmark = pytest.mark.slow

TYPED = ["A wonderful film, warm and funny!", "Dull, slow and far too long.", "zyzzyva"]


@pytest.fixture(scope="module")
def sentiment(trained) -> Path:
    return trained("sentiment_bilstm")


@pytest.fixture(scope="module")
def hello(trained) -> Path:
    return trained("hello")


def _keras(run_dir: Path) -> keras.Model:
    return load_model(run_dir / "best.keras")


def test_the_saved_model_takes_strings(capsys, sentiment: Path, tmp_path: Path) -> None:
    output = tmp_path / "s"
    code, out, err = run(capsys, "export", sentiment, "--format", "saved_model", "-o", output)
    assert (code, err) == (0, "")
    assert re.search(r"tf\.saved_model\.load on \d+ test examples is within \S+ of", out)
    served = tf.saved_model.load(str(tmp_path / "s"))
    got = served.serve(tf.constant(TYPED)).numpy()
    expected = np.asarray(_keras(sentiment)(tf.constant(TYPED)))
    np.testing.assert_allclose(got, expected, atol=1e-5)
    side = json.loads((tmp_path / "s_vocabulary.json").read_text())
    assert side == {"classes": ["negative", "positive"]}  # the tokenizer is inside


def test_the_onnx_core_takes_ids_made_from_the_json(capsys, sentiment, tmp_path: Path) -> None:
    code, out, _ = run(capsys, "export", sentiment, "--format", "onnx", "-o", tmp_path / "s.onnx")
    assert code == 0 and "cannot hold the tokenizer" in out
    tokenizer = json.loads((tmp_path / "s_vocabulary.json").read_text())["tokenizer"]
    index = {token: i for i, token in enumerate(tokenizer["vocabulary"])}
    ids = np.zeros((len(TYPED), tokenizer["length"]), "int32")
    for row, text in enumerate(TYPED):  # the JSON's recipe, with RE2 as TensorFlow has it
        text = tf.strings.lower(text, encoding="utf-8") if tokenizer["lowercase"] else text
        if tokenizer["split"] == "words":
            text = tf.strings.regex_replace(text, tokenizer["mark_pattern"], r" \0 ")
        text = tf.strings.regex_replace(text, tokenizer["space_pattern"], " ")
        tokens = [t for t in text.numpy().decode().split(" ") if t][: tokenizer["length"]]
        ids[row, : len(tokens)] = [index.get(token, 1) for token in tokens]
    session = onnxruntime.InferenceSession(str(tmp_path / "s.onnx"))
    (got,) = session.run(None, {session.get_inputs()[0].name: ids})
    expected = np.asarray(_keras(sentiment)(tf.constant(TYPED)))
    np.testing.assert_allclose(got, expected, atol=1e-5)


def _greedy(step, vocabulary: list[str], states: list[np.ndarray], length: int) -> str:
    """``length`` tokens after "h" from a sampler step (token, states) -> [p, *states]."""
    token, made = vocabulary.index("h"), "h"
    for _ in range(length):
        probabilities, *states = step(np.array([token], "int32"), states)
        token = int(probabilities[0].argmax())
        made += vocabulary[token]
    return made


def test_the_sampler_steps_generate_as_the_zoo_does(capsys, hello: Path, tmp_path: Path) -> None:
    """The ONNX and LiteRT sampler steps, run by their own runtimes in a plain loop,
    give zoo generate's greedy characters."""
    from ai_edge_litert.interpreter import Interpreter

    expected = zoo.generate(hello, prime="h", length=8, temperature=0)
    for format in ("onnx", "litert"):
        code, _, _ = run(capsys, "export", hello, "--format", format, "-o", tmp_path / format)
        assert code == 0
    vocabulary = json.loads((tmp_path / "onnx_vocabulary.json").read_text())["vocabulary"]

    session = onnxruntime.InferenceSession(str(tmp_path / "onnx" / "sampler_step.onnx"))
    names = [i.name for i in session.get_inputs()]  # token, then the states
    zeros = [np.zeros((1, i.shape[-1]), "float32") for i in session.get_inputs()[1:]]

    def onnx_step(token: np.ndarray, states: list[np.ndarray]) -> list[np.ndarray]:
        return session.run(None, dict(zip(names, [token, *states], strict=True)))

    assert _greedy(onnx_step, vocabulary, zeros, 8) == expected

    tflite = tmp_path / "litert" / "sampler_step.tflite"
    runner = Interpreter(model_path=str(tflite)).get_signature_runner()

    def litert_step(token: np.ndarray, states: list[np.ndarray]) -> list[np.ndarray]:
        out = runner(**dict(zip(names, [token, *states], strict=True)))
        return [out[f"output_{i}"] for i in range(len(out))]

    assert _greedy(litert_step, vocabulary, zeros, 8) == expected


def test_the_python_api_returns_what_was_written(sentiment: Path, tmp_path: Path) -> None:
    result = zoo.export(sentiment, "onnx", tmp_path / "api")
    (artefact,) = result.artefacts
    assert artefact.path == tmp_path / "api.onnx" and artefact.path.is_file()
    assert 0 <= result.worst == artefact.difference < 1e-4
    assert result.side_files == [tmp_path / "api_vocabulary.json"] and result.numeric_core


def _faulty(monkeypatch, runner) -> None:
    onnx = FORMATS["onnx"]
    monkeypatch.setitem(FORMATS, "onnx", dataclasses.replace(onnx, run=runner))


def test_outputs_that_differ_fail_the_check(capsys, monkeypatch, sentiment, tmp_path) -> None:
    real = FORMATS["onnx"].run
    _faulty(monkeypatch, lambda path, inputs: [out + 1e-3 for out in real(path, inputs)])
    code, out, err = run(capsys, "export", sentiment, "--format", "onnx", "-o", tmp_path / "m")
    assert code == 1
    assert "within 0.001 of" in out and err == "error: outputs differ by 0.001, over 0.0001\n"


def test_a_runtime_that_cannot_run_it_fails_the_check(capsys, monkeypatch, sentiment, tmp_path):
    def refuse(path, inputs):
        raise RuntimeError("no kernel for op Foo\nmore detail")

    _faulty(monkeypatch, refuse)
    code, _, err = run(capsys, "export", sentiment, "--format", "onnx", "-o", tmp_path / "m")
    assert code == 1
    assert err.endswith("m.onnx: no kernel for op Foo\n") and err.count("\n") == 1
    code, out, _ = run(
        capsys, "export", sentiment, "--format", "onnx", "-o", tmp_path / "m", "--no-check"
    )
    assert code == 0 and "within" not in out and (tmp_path / "m.onnx").is_file()


def test_an_existing_folder_as_output_gets_the_artefact_inside(
    capsys, sentiment: Path, tmp_path: Path
) -> None:
    keep = tmp_path / "mine.txt"
    keep.write_text("a user's file")
    code, _, _ = run(capsys, "export", sentiment, "--format", "saved_model", "-o", tmp_path)
    assert code == 0 and keep.read_text() == "a user's file"
    assert (tmp_path / "best_saved_model" / "saved_model.pb").is_file()


@pytest.mark.parametrize(
    "problem, argv, message",
    [
        ("format", ["--format", "tflite"], "unknown format 'tflite'; choose one of "),
        ("unwritable", ["--format", "onnx", "-o", "{tmp}/file.txt/out"], "cannot write here"),
        ("missing", ["--format", "onnx", "{tmp}/none.keras"], "none.keras: no such model file"),
        ("not keras", ["--format", "onnx", "{tmp}/file.txt"], "file.txt: not a .keras model"),
        ("plain keras", ["--format", "onnx", "{tmp}/plain.keras"], "not built from a spec"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    capsys, sentiment: Path, tmp_path: Path, problem: str, argv: list[str], message: str
) -> None:
    (tmp_path / "file.txt").write_text("not a model")
    plain = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    plain.save(tmp_path / "plain.keras")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    target = [] if any(a.endswith(("keras", "txt")) for a in argv) else [sentiment]
    code, _, err = run(capsys, "export", *target, *argv)
    assert code == 2, problem
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err


def test_a_missing_extra_is_named(capsys, monkeypatch, sentiment: Path) -> None:
    import importlib.util

    find = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name: None if name == "onnxruntime" else find(name)
    )
    code, _, err = run(capsys, "export", sentiment, "--format", "onnx")
    assert code == 2
    assert err == 'error: --format onnx needs onnxruntime: pip install "rnn-spec-zoo[export]"\n'
