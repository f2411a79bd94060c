"""Text models used as a new user would: trained with `zoo train` from the shipped
sentiment and tagging specs, then asked about sentences typed here, by `zoo predict
--text`, by the Python API, and by plain Keras in a fresh process. The model carries
its tokenizer and vocabulary: it takes strings and answers with label names."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

import zoo
from zoo.cli import main
from zoo.errors import UserError

pytestmark = pytest.mark.slow

TYPED = [
    "A wonderful film, warm and funny!",
    "Dull, slow and far too long.",
    "zyzzyva qwerty",  # nothing the model has seen: every word unknown
    "I loved it " * 25,  # longer than the 64 tokens the model reads
]


@pytest.fixture(scope="module")
def sentiment(trained) -> Path:
    return trained("sentiment_bilstm")


@pytest.fixture(scope="module")
def tagger(trained) -> Path:
    return trained("tagger_bigru")


def test_predict_text_prints_labels_and_probabilities(capsys, sentiment: Path) -> None:
    capsys.readouterr()
    assert main(["predict", str(sentiment), "--text", TYPED[0], "--text", TYPED[1]]) == 0
    header, *rows = capsys.readouterr().out.splitlines()
    assert header.split() == ["label", "probability", "text"]
    for row, text in zip(rows, TYPED[:2], strict=True):
        label, probability, rest = row.split(maxsplit=2)
        assert label in ("negative", "positive") and rest == text
        assert 0.5 <= float(probability) <= 1


def test_top_k_and_json_output(sentiment: Path, tmp_path: Path) -> None:
    out = tmp_path / "labels.json"
    assert main(["predict", str(sentiment), "--text", TYPED[0], "--top", "2", "-o", str(out)]) == 0
    (row,) = json.loads(out.read_text())
    assert row["text"] == TYPED[0] and {row["label 1"], row["label 2"]} == {"negative", "positive"}
    assert row["probability 1"] >= row["probability 2"]
    assert row["probability 1"] + row["probability 2"] == pytest.approx(1)


def test_a_txt_file_and_a_csv_column(capsys, sentiment: Path, tmp_path: Path) -> None:
    (tmp_path / "new.txt").write_text(f"{TYPED[0]}\n\n{TYPED[1]}\n")
    (tmp_path / "new.csv").write_text(f'id,text\n1,"{TYPED[0]}"\n2,"{TYPED[1]}"\n')
    by_text = zoo.predict(sentiment, TYPED[:2])
    for name in ("new.txt", "new.csv"):
        prediction = zoo.predict(sentiment, tmp_path / name)
        assert prediction.texts == TYPED[:2]
        np.testing.assert_allclose(prediction.values, by_text.values, atol=1e-6)
    assert by_text.labels == [label for ((label, _),) in by_text.top(1)]


def test_strings_give_the_labels_of_the_id_pipeline(sentiment: Path) -> None:
    """The model's own tokenizer against the zoo's earlier pipeline: a Python regex,
    lowercase, the first 64 tokens, unknown words 1, padding 0, ids fed to the same
    network."""
    model = zoo.load_model(sentiment / "best.keras")
    layer = model.get_layer("text_ids")
    ids = {word: i for i, word in enumerate(layer.vocabulary) if i > 1}
    tokens = np.zeros((len(TYPED), layer.length), dtype="int32")
    for row, text in enumerate(TYPED):
        words = re.findall(r"[\w']+|[^\w\s]", text.lower())[: layer.length]
        tokens[row, : len(words)] = [ids.get(word, 1) for word in words]
    network = keras.Model(layer.output, model.output)
    from_ids = np.asarray(network.predict(tokens, verbose=0))
    prediction = zoo.predict(sentiment, TYPED)
    np.testing.assert_allclose(prediction.values, from_ids, atol=1e-6)
    assert prediction.labels == ["positive" if p > 0.5 else "negative" for p in from_ids[:, 0]]


def test_plain_keras_in_a_fresh_process_takes_strings(sentiment: Path) -> None:
    code = (
        "import json, keras, tensorflow as tf, custom_layers, zoo\n"
        f"model = keras.saving.load_model({str(sentiment / 'best.keras')!r})\n"
        f"print(json.dumps(model.predict(tf.constant({TYPED!r}), verbose=0)[:, 0].tolist()))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    fresh = json.loads(result.stdout.strip().splitlines()[-1])
    np.testing.assert_allclose(fresh, zoo.predict(sentiment, TYPED).values[:, 0], atol=1e-6)
    assert zoo.read_record(sentiment / "best.keras").classes == ["negative", "positive"]


def test_the_vocabulary_holds_only_training_words(sentiment: Path) -> None:
    from zoo.data import load_splits

    spec = zoo.read_spec(sentiment / "best.keras")
    folder = Path(json.loads((sentiment / "state.json").read_text())["spec_folder"])
    splits = load_splits(spec, folder)
    train_words = {
        token.decode()
        for row in _split([str(t) for t in splits.train.x]).to_list()
        for token in row
    }
    vocabulary = zoo.load_model(sentiment / "best.keras").get_layer("text_ids").vocabulary
    assert set(vocabulary[2:]) <= train_words
    held_out = {
        t.decode() for row in _split([str(t) for t in splits.test.x]).to_list() for t in row
    }
    assert held_out - train_words  # so the check above could fail


def _split(texts: list[str]) -> tf.RaggedTensor:
    from custom_layers.text import split_text

    return split_text(texts, "words", lowercase=True)


def test_the_tagger_prints_word_tag_pairs(capsys, tagger: Path, tmp_path: Path) -> None:
    tags = set(zoo.read_record(tagger / "best.keras").classes or [])
    capsys.readouterr()
    sentence = "The old dog sat in the park ."
    assert main(["predict", str(tagger), "--text", sentence]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    pairs = [pair.rsplit("/", 1) for pair in line.split()]
    assert [word for word, _ in pairs] == sentence.split()  # as typed, case kept
    assert all(tag in tags for _, tag in pairs)
    out = tmp_path / "tags.csv"
    long = " ".join(["dog"] * 57)  # the model tags its first 50 words, and says so
    assert main(["predict", str(tagger), "--text", long, "-o", str(out)]) == 0
    assert len(out.read_text().splitlines()[1].split(",")[1].split()) == 50
    err = capsys.readouterr().err
    assert err == (
        "warning: 1 of 1 texts are longer than the 50 tokens the model tags (text 1: 57 "
        "tokens); the rest of each is not read\n"
    )


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda d: _npy(d), "this model takes text; give --text, a .txt file"),
        (lambda d: _file(d, "x.csv", "id,review\n1,good\n"), "has no column 'text'; available: id"),
        (lambda d: _file(d, "x.txt", "\n \n"), "x.txt has no text to predict"),
        (lambda d: _file(d, "x.csv", ""), "x.csv is empty; expected a header row"),
        (
            lambda d: _file(d, "x.csv", 'text\ngood\n"  "\n'),
            "x.csv:3: the text column ('text') is empty: nothing to predict from",
        ),
        (lambda d: d / "missing.txt", "missing.txt: no such file"),
    ],
)
def test_bad_text_input_is_one_line(capsys, sentiment: Path, tmp_path: Path, make, expected):
    path = make(tmp_path)
    capsys.readouterr()
    assert main(["predict", str(sentiment), str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and expected in err and len(err.splitlines()) == 1


def test_an_empty_text_is_one_line(capsys, sentiment: Path) -> None:
    capsys.readouterr()
    assert main(["predict", str(sentiment), "--text", "good", "--text", " "]) == 2
    assert capsys.readouterr().err == "error: text 2 of 2 is empty: nothing to predict from\n"


def test_text_for_a_model_of_arrays_is_one_line(capsys, tmp_path: Path) -> None:
    spec = zoo.load_spec("hello")
    zoo.save_model(zoo.build(spec), tmp_path / "hello.keras", spec)
    capsys.readouterr()
    assert main(["predict", str(tmp_path / "hello.keras"), "--text", "hello"]) == 2
    assert "this model takes arrays, not text" in capsys.readouterr().err
    with pytest.raises(UserError, match="takes arrays, not text"):
        zoo.predict(tmp_path / "hello.keras", ["hello"])


def _npy(folder: Path) -> Path:
    np.save(folder / "ids.npy", np.ones((2, 20), dtype="int32"))
    return folder / "ids.npy"


def _file(folder: Path, name: str, content: str) -> Path:
    (folder / name).write_text(content)
    return folder / name
