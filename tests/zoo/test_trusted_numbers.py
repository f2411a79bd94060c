"""Numbers a user can trust: each test here reproduces a result that was silently wrong
(the model scored on classes renumbered, a forecast fed back into another column,
padding scored as a tag, ...), trained and asked as a user would ask, through `zoo`."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import yaml

import zoo
from zoo.cli import main
from zoo.errors import UserError

pytestmark = pytest.mark.slow


def _train(runs: Path, spec: str | Path, *overrides: str) -> Path:
    argv = ["train", str(spec), "--runs", str(runs), "-q"]
    for override in overrides:
        argv += ["--set", override]
    before = set(runs.iterdir()) if runs.exists() else set()
    assert main(argv) == 0
    (run,) = set(runs.iterdir()) - before
    return run


@pytest.fixture(scope="module")
def sentiment(trained) -> Path:
    return trained("sentiment_bilstm")


def test_evaluating_a_file_of_one_class_keeps_the_models_class_ids(
    sentiment: Path, tmp_path: Path, capsys
) -> None:
    """A file of positive sentences only was numbered afresh (positive became class 0)
    and scored accuracy 1 while `zoo predict` labelled the sentences negative."""
    # an odd count: the share labelled positive never equals the share labelled negative
    texts = ["a wonderful film", "warm and funny", "the best cast", "I loved it", "great"]
    path = tmp_path / "positive.csv"
    path.write_text("text,label\n" + "".join(f"{t},positive\n" for t in texts))
    result = zoo.evaluate(
        sentiment, {"data.args.path": str(path), "data.test": 0, "data.validation": 0}
    )
    labels = zoo.predict(sentiment, texts).labels
    assert result["metrics"]["accuracy"] == pytest.approx(labels.count("positive") / 5)
    name = "accuracy of predicting the commonest class (fitted on these examples)"
    assert result["baseline"] == {name: 1.0}


def test_evaluating_a_file_with_a_label_the_model_never_had_is_one_line(
    sentiment: Path, tmp_path: Path, capsys
) -> None:
    path = tmp_path / "three.csv"
    path.write_text("text,label\ngood,positive\nfine,neutral\n")
    capsys.readouterr()
    code = main(["evaluate", str(sentiment), "--set", f"data.args.path={path}"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1
    assert "has 1 label the model was not trained on: 'neutral'" in err


def test_evaluate_may_only_re_point_the_data(sentiment: Path, capsys) -> None:
    """--set model.units=3 was silently ignored; a shape change was Keras's traceback."""
    for override in ("model.units=3", "inputs.vocab_size=7"):
        code = main(["evaluate", str(sentiment), "--set", override])
        err = capsys.readouterr().err
        assert code == 2 and len(err.splitlines()) == 1
        key = override.partition("=")[0]
        assert err.startswith(f"error: --set {key}: evaluate scores the model as it was trained")


def test_a_tagger_without_a_mask_is_scored_on_its_words_alone(tmp_path: Path) -> None:
    """With mask_zero off, padding (tag id 0 too) was scored as the first tag: accuracy
    0.625 reported where the words alone score 0.325."""
    run = _train(
        tmp_path,
        "tagger_bigru",
        "inputs.embedding.mask_zero=false",
        "train.epochs=2",
        "data.validation=0",
    )
    result = zoo.evaluate(run)
    model = zoo.load_model(run / "best.keras")
    from zoo.data import load_splits
    from zoo.opening import open_model

    opened = open_model(run)
    test = load_splits(opened.spec, opened.data_folder, opened.numbering).test
    predicted = np.asarray(model.predict(test.x, verbose=0)).argmax(axis=-1)
    words = test.weights > 0
    by_hand = float(np.mean(predicted[words] == test.y[words]))
    assert result["metrics"]["accuracy"] == pytest.approx(by_hand, abs=1e-6)
    assert float(np.mean(predicted == test.y)) != pytest.approx(by_hand, abs=1e-3)


SERIES = {
    "version": 1,
    "name": "two_columns",
    "architecture": "many_to_one",
    "cell": "gru",
    "inputs": {"length": 6, "features": 1},
    "model": {"units": 4},
    "outputs": {"units": 1},
    "data": {"source": "csv_series", "args": {"path": "xy.csv", "window": 6}},
    "train": {"epochs": 1, "batch_size": 16},
}


@pytest.fixture(scope="module")
def series_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("series")
    t = np.arange(80)
    rows = "".join(f"{np.sin(i / 3):.4f},{1000 + 10 * i}\n" for i in t)
    (folder / "xy.csv").write_text("x,y\n" + rows)
    return folder


def test_steps_never_feed_one_columns_forecast_into_another(series_folder: Path, capsys) -> None:
    """columns [x], target [y]: --steps fed y's forecast back in as x."""
    spec = {**SERIES, "data": {**SERIES["data"], "args": {**SERIES["data"]["args"]}}}
    spec["data"]["args"].update(columns=["x"], target=["y"])
    (series_folder / "xy.yaml").write_text(yaml.safe_dump(spec))
    run = _train(series_folder / "runs", series_folder / "xy.yaml")
    csv_file = str(series_folder / "xy.csv")
    capsys.readouterr()
    assert main(["predict", str(run), csv_file]) == 0  # one step ahead is fine
    code = main(["predict", str(run), csv_file, "--steps", "3"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1
    assert "--steps feeds the forecast back as the next input, but this model's target" in err

    spec["data"]["args"].update(columns=["x"], target=["x"])
    (series_folder / "xx.yaml").write_text(yaml.safe_dump({**spec, "name": "one_column"}))
    run = _train(series_folder / "runs", series_folder / "xx.yaml")
    assert main(["predict", str(run), csv_file, "--steps", "3"]) == 0


def test_csv_predictions_keep_every_digit(series_folder: Path, tmp_path: Path) -> None:
    """The CSV kept 6 significant digits (2.49007e+06) where JSON kept them all."""
    spec = {**SERIES, "name": "big"}
    spec["data"] = {**SERIES["data"], "args": {**SERIES["data"]["args"], "columns": ["y"]}}
    (series_folder / "big.yaml").write_text(yaml.safe_dump(spec))
    run = _train(series_folder / "runs", series_folder / "big.yaml")
    written = {}
    for suffix in (".csv", ".json"):
        out = tmp_path / f"forecast{suffix}"
        assert main(["predict", str(run), str(series_folder / "xy.csv"), "-o", str(out)]) == 0
        written[suffix] = out
    (row,) = list(csv.DictReader(written[".csv"].read_text().splitlines()))
    (record,) = json.loads(written[".json"].read_text())
    assert float(row["y"]) == record["y"] and row["y"] == repr(record["y"])


def test_a_shorter_seq2seq_input_than_any_trained_on_is_refused(tmp_path: Path, capsys) -> None:
    """Reversal trains on sources of exactly 10 tokens: 'abc' was zero-padded into an
    encoder that never saw padding, and came back as 'cefdfcecba' without a word."""
    run = _train(
        tmp_path,
        "seq2seq_reversal",
        "train.epochs=1",
        "data.args.samples=200",
        "model.units=8",
    )
    capsys.readouterr()
    code = main(["generate", str(run), "--input", "abc"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1
    assert "--input has 3 tokens; the model was trained on inputs of at least 10" in err
    assert main(["generate", str(run), "--input", "abcdefghij"]) == 0


def test_a_character_models_prime_is_lowercased_as_its_corpus(tmp_path: Path) -> None:
    (tmp_path / "corpus.txt").write_text("Hello hello HELLO " * 20)
    spec = zoo.load_spec("hello", {"data.args.path": str(tmp_path / "corpus.txt")})
    spec = zoo.load_spec(
        spec,
        {
            "data.args.lowercase": True,
            "inputs.vocab_size": 10,
            "data.args.length": 8,
            "inputs.length": 8,
            "train.epochs": 1,
            "data.validation": 0.1,
        },
    )
    run = zoo.train(spec, runs=tmp_path / "runs", verbose=0)
    text = zoo.generate(run.directory, "HEL", 3, temperature=0)
    assert text.startswith("hel") and len(text) == 6


def _built(tmp_path: Path, spec: dict) -> Path:
    path = tmp_path / "model.keras"
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec))
    assert main(["build", str(tmp_path / "spec.yaml"), "-o", str(path)]) == 0
    return path


TOKENS = {
    "version": 1,
    "name": "tokens",
    "architecture": "many_to_one",
    "cell": "gru",
    "inputs": {"length": 5, "vocab_size": 10, "embedding": {"dim": 4}},
    "model": {"units": 4},
    "outputs": {"units": 3, "activation": "softmax"},
}


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        (np.full((2, 5), 10, "int32"), "holds token id 10; the model's ids are 0 .. 9"),
        (np.full((2, 5), -1, "int32"), "holds token id -1; the model's ids are 0 .. 9"),
        (np.full((2, 5), 1.5, "float32"), "holds float32 values; the model reads token ids"),
        (np.zeros((0, 5), "int32"), "holds no examples (shape (0, 5))"),
    ],
)
def test_token_ids_outside_the_vocabulary_are_refused(
    tmp_path: Path, capsys, ids: np.ndarray, message: str
) -> None:
    """The compiled forward pass clamped an id out of range and answered anyway."""
    model = _built(tmp_path, TOKENS)
    np.save(tmp_path / "ids.npy", ids)
    capsys.readouterr()
    code = main(["predict", str(model), str(tmp_path / "ids.npy")])
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1 and message in err


def test_a_loss_named_by_its_class_still_answers_with_classes(tmp_path: Path) -> None:
    """SparseCategoricalCrossentropy trained as a classifier, then `zoo predict`
    printed raw probabilities: two lists of classifying losses disagreed."""
    spec = {**TOKENS, "compile": {"loss": "SparseCategoricalCrossentropy"}}
    prediction = zoo.predict(_built(tmp_path, spec), np.ones((2, 5), "int32"))
    assert prediction.classes == ["0", "1", "2"] and len(prediction.labels) == 2


def test_a_record_that_does_not_describe_its_model_is_refused(tmp_path: Path) -> None:
    from zoo.opening import open_model
    from zoo.saving import ModelRecord, save_model

    model = zoo.load_model(_built(tmp_path, TOKENS))
    bigger = zoo.load_spec(TOKENS, {"model.units": 64})
    save_model(model, tmp_path / "altered.keras", ModelRecord(spec=bigger))
    with pytest.raises(UserError, match=r"its record does not describe its model \(rnn_1"):
        open_model(tmp_path / "altered.keras")


def test_a_model_saved_with_the_old_second_vocabulary_size_still_opens(
    sentiment: Path, tmp_path: Path
) -> None:
    """Records written when text sources had data.args.vocab_size read as today's."""
    import zipfile

    from zoo.saving import RECORD_MEMBER, read_record

    old = tmp_path / "old.keras"
    with zipfile.ZipFile(sentiment / "best.keras") as source, zipfile.ZipFile(old, "w") as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == RECORD_MEMBER:
                record = json.loads(data)
                record["spec"]["data"]["args"]["vocab_size"] = 200
                data = json.dumps(record).encode()
            out.writestr(item, data)
    record = read_record(old)
    assert "vocab_size" not in record.spec.data.args
    assert zoo.predict(old, ["a wonderful film"]).labels[0] in ("negative", "positive")


def test_the_second_vocabulary_size_is_refused_where_it_now_belongs() -> None:
    spec = zoo.load_spec("sentiment_bilstm")
    problems = zoo.validate(spec, {"data.args.vocab_size": 200})
    assert [(p.path, p.message) for p in problems] == [
        ("data.args.vocab_size", "is set by inputs.vocab_size, not in args")
    ]


def test_train_says_how_many_texts_it_cuts_and_windows_it_drops(tmp_path: Path, capsys) -> None:
    """Text past data.args.length was dropped without a word."""
    _train(
        tmp_path / "text",
        "sentiment_bilstm",
        "data.args.length=4",
        "train.epochs=1",
        "model.units=4",
        "model.layers=1",
    )
    out = capsys.readouterr().out
    (line,) = [line for line in out.splitlines() if "longer than data.args.length 4" in line]
    cut, _, total = line.split("note: ")[1].split(" training texts")[0].partition(" of ")
    assert 0 < int(cut) <= int(total) == 24  # 40 sentences, 0.2 validation and 0.2 test
    _train(tmp_path / "series", "forecaster_gru", "train.epochs=1", "data.args.series_length=300")
    out = capsys.readouterr().out
    assert "note: split by time: 22 windows whose targets straddle a split's boundary" in out


def test_a_model_that_stopped_early_is_evaluated_on_data_without_a_validation_split() -> None:
    """Its early stop watched val_loss; evaluating on a file with no validation split
    trains nothing, so the callback must not refuse the data."""
    from zoo.errors import SpecError
    from zoo.opening import repointed

    stopped = zoo.load_spec(
        "sentiment_bilstm",
        ["train.callbacks=[{name: early_stopping, args: {monitor: val_loss}}]"],
    )
    changes = {"data.validation": 0, "data.test": 0}
    with pytest.raises(SpecError, match="'val_loss' is not logged"):
        zoo.load_spec(stopped, changes)
    spec = repointed(stopped, changes)
    assert spec.data.validation == 0 and spec.model == stopped.model
