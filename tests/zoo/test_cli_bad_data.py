"""A spec's data file that is missing, a folder, binary, empty, or has the wrong columns,
arrays, shapes or types: `zoo train` and `zoo evaluate --set data.args.path=...` print
one line naming the file and what was expected, and exit 2."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import yaml

from tests.zoo.test_cli import run
from zoo.training import train

TINY = {"version": 1, "name": "bad_data", "model": {"units": 4}}
TOKENS = {"length": 5, "vocab_size": 40, "embedding": {"dim": 4}}
SPECS = {
    "text": {"architecture": "language_model", "cell": "rnn", "inputs": TOKENS},
    "csv_series": {
        "architecture": "many_to_one",
        "cell": "gru",
        "inputs": {"length": 5, "features": 1},
        "outputs": {"units": 1},
    },
    "npz": {
        "architecture": "many_to_one",
        "cell": "lstm",
        "inputs": {"length": 5, "features": 2},
        "outputs": {"units": 1},
    },
    "text_classes": {
        "architecture": "many_to_one",
        "cell": "rnn",
        "inputs": TOKENS,
        "outputs": {"units": 2, "activation": "softmax"},
    },
    "tagged_text": {
        "architecture": "many_to_many",
        "cell": "gru",
        "inputs": TOKENS,
        "outputs": {"units": 3, "activation": "softmax"},
    },
}
ARGS = {
    "text": {"length": 5},
    "csv_series": {"columns": ["a"], "window": 5},
    "npz": {},
    "text_classes": {"length": 5},
    "tagged_text": {"length": 5},
}
FILES = {
    "text": "corpus.txt",
    "csv_series": "series.csv",
    "npz": "arrays.npz",
    "text_classes": "reviews.csv",
    "tagged_text": "tagged.txt",
}

Content = bytes | Callable[[Path], None] | None  # None: the file does not exist


def npz(**arrays: np.ndarray) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        with path.open("wb") as file:  # a path would get ".npz" appended
            np.savez(file, **arrays)

    return write


def directory(path: Path) -> None:
    path.mkdir()


GOOD: dict[str, Content] = {
    "text": b"the quick brown fox jumps over the lazy dog\n" * 2,
    "csv_series": b"t,a\n" + b"".join(b"%d,%d\n" % (t, t % 7) for t in range(20)),
    # random, not zeros: zero gradient norms make matplotlib warn about the log-scale plot
    "npz": npz(x=np.random.default_rng(0).normal(size=(8, 5, 2)), y=np.ones((8, 1))),
    "text_classes": b"text,label\n" + b"good film,pos\nbad film,neg\n" * 4,
    "tagged_text": b"the/DET cat/NOUN sat/VERB\n" * 4,
}
GARBAGE = bytes(range(256)) * 4
NOT_UTF8 = "data.args.path: {f} is not UTF-8 text (byte 128 is invalid)"
NOT_NPZ = "data.args.path: {f} is not an .npz archive (as numpy.savez writes)"
TEXT_SOURCES = ["text", "csv_series", "text_classes", "tagged_text"]

# (source, file content, the message after "error: " ({f}: the file), spec changes)
CASES = [
    *(
        pytest.param(source, None, "data.args.path: no such file: {f}", {}, id=f"{source}-missing")
        for source in SPECS
    ),
    *(
        pytest.param(
            source,
            directory,
            "data.args.path: {f} is a directory, not a file",
            {},
            id=f"{source}-directory",
        )
        for source in SPECS
    ),
    *(pytest.param(s, GARBAGE, NOT_UTF8, {}, id=f"{s}-binary") for s in TEXT_SOURCES),
    pytest.param("npz", GARBAGE, NOT_NPZ, {}, id="npz-binary"),
    pytest.param(
        "text",
        b"",
        "data.args.length: {f} has 0 characters; a window of length 5 needs at least 6",
        {},
        id="text-empty",
    ),
    pytest.param(
        "csv_series",
        b"",
        "data.args.path: {f} is empty; header: true expects a header row",
        {},
        id="csv_series-empty",
    ),
    pytest.param("npz", b"", NOT_NPZ, {}, id="npz-empty"),
    pytest.param(
        "text_classes",
        b"",
        "data.args.path: {f} needs a header row and at least one example",
        {},
        id="text_classes-empty",
    ),
    pytest.param(
        "tagged_text",
        b"",
        "data.args.path: {f} has no tagged sentences",
        {},
        id="tagged_text-empty",
    ),
    # CSV files
    pytest.param(
        "csv_series",
        b"t,b\n0,1\n",
        "data.args.columns: {f} has no column 'a'; available: t, b",
        {},
        id="csv_series-no-such-column",
    ),
    pytest.param(
        "csv_series",
        b"t,a\n0,1\n1\n",
        "data.args.path: {f}:3: expected 2 fields, found 1",
        {},
        id="csv_series-short-row",
    ),
    pytest.param(
        "csv_series",
        b"t,a\n" + b"".join(b"%d,%d\n" % (t, t) for t in range(6)) + b"6,seven\n",
        "data.args.path: {f}:8: column 'a': 'seven' is not a finite number",
        {},
        id="csv_series-not-a-number",
    ),
    pytest.param(
        "csv_series",
        b"t,a\n0," + b"1" * 200_000 + b"\n",
        "data.args.path: {f}:2: not CSV: field larger than field limit (131072)",
        {},
        id="csv_series-huge-field",
    ),
    pytest.param(
        "csv_series",
        b"t,a\n0,1\n1,2\n",
        "data.args.window: {f} has 2 rows; a window of 5 and a horizon of 1 need at least 6",
        {},
        id="csv_series-too-few-rows",
    ),
    pytest.param(
        "text_classes",
        b"text,class\ngood,pos\n",
        "data.args.label: {f} has no column 'label'; available: text, class",
        {},
        id="text_classes-no-such-column",
    ),
    pytest.param(
        "text_classes",
        b"text,label\ngood,pos\nbad\n",
        "data.args.path: {f}:3: expected 2 fields, found 1",
        {},
        id="text_classes-short-row",
    ),
    pytest.param(
        "tagged_text",
        b"the/DET cat\n",
        "data.args.path: {f}:1: 'cat' is not word/TAG",
        {},
        id="tagged_text-untagged-word",
    ),
    # npz archives
    pytest.param(
        "npz",
        npz(x=np.zeros((8, 5, 2))),
        "data.args.y: {f} has no array 'y'; available: x",
        {},
        id="npz-missing-array",
    ),
    pytest.param(
        "npz",
        npz(x=np.zeros((8, 3)), y=np.zeros((8, 1))),
        "inputs: {f} produces inputs of shape (3,) per example, but the spec's inputs expect "
        "(5, 2)",
        {},
        id="npz-x-shape",
    ),
    pytest.param(
        "npz",
        npz(x=np.zeros((8, 5, 2)), y=np.zeros((8, 3))),
        "outputs: {f} produces targets of shape (3,) per example, but the spec's outputs "
        "expect (1,)",
        {},
        id="npz-y-shape",
    ),
    pytest.param(
        "npz",
        npz(x=np.zeros((8, 5, 2)), y=np.zeros((7, 1))),
        "data.args: in {f}, x array 'x' has 8 examples but y array 'y' has 7; their first "
        "dimensions must match",
        {},
        id="npz-lengths",
    ),
    pytest.param(
        "npz",
        npz(x=np.full((8, 5, 2), "a"), y=np.zeros((8, 1))),
        "data.args.x: array 'x' in {f} holds <U1 values; only numbers can be fed to a model",
        {},
        id="npz-strings",
    ),
    pytest.param(
        "npz",
        npz(x=np.full((8, 5), 1.5), y=np.zeros((8, 1))),
        "inputs.vocab_size: {f} produces float32 inputs, but inputs.vocab_size expects "
        "integer token ids",
        {"inputs": TOKENS},
        id="npz-real-token-ids",
    ),
    pytest.param(
        "npz",
        npz(x=np.zeros((8, 5, 2)), y=np.full((8, 1), 0.5)),
        "outputs: {f} produces float32 targets, but sparse_categorical_crossentropy expects "
        "integer class ids",
        {"outputs": {"units": 2, "activation": "softmax"}},
        id="npz-real-class-ids",
    ),
]


def write_spec(folder: Path, source: str, changes: dict | None = None) -> Path:
    spec = {
        **TINY,
        **SPECS[source],
        **(changes or {}),
        "data": {
            "source": source,
            "args": {"path": FILES[source], **ARGS[source]},
            "validation": 0,
            "test": 0,
        },
        "train": {"epochs": 1, "batch_size": 8, "steps_per_epoch": 1},
    }
    path = folder / "spec.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def write_data(path: Path, content: Content) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        content(path)
    return path


@pytest.mark.parametrize(("source", "content", "expected", "changes"), CASES)
def test_train(capsys, tmp_path: Path, source, content, expected, changes) -> None:
    data = write_data(tmp_path / FILES[source], content)
    spec = write_spec(tmp_path, source, changes)
    code, _, err = run(capsys, "train", spec, "--runs", tmp_path / "runs", "-q")
    assert (code, err) == (2, f"error: {expected.format(f=data)}\n")
    assert not (tmp_path / "runs").exists(), "nothing is written for bad data"


def test_a_year_column_read_by_default_is_named(capsys, tmp_path: Path) -> None:
    """csv_series reads every column unless data.args.columns names them: a year beside
    the values makes two features where the spec reads one, and the message says so."""
    rows = b"".join(b"%d,%d\n" % (1900 + t, t) for t in range(8))
    data = write_data(tmp_path / FILES["csv_series"], b"year,a\n" + rows)
    spec = write_spec(tmp_path, "csv_series")
    fields = yaml.safe_load(spec.read_text())
    del fields["data"]["args"]["columns"]
    spec.write_text(yaml.safe_dump(fields))
    code, _, err = run(capsys, "train", spec, "--runs", tmp_path / "runs", "-q")
    assert (code, err) == (
        2,
        f"error: inputs: {data} produces inputs of shape (5, 2) per example (its columns "
        "year, a: data.args.columns picks them), but the spec's inputs expect (5, 1)\n",
    )


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Callable[[str], Path]:
    """The run directory of a model trained on good data, one per source (made on first use)."""
    runs: dict[str, Path] = {}

    def run_of(source: str) -> Path:
        if source not in runs:
            folder = tmp_path_factory.mktemp(source)
            write_data(folder / FILES[source], GOOD[source])
            spec = write_spec(folder, source)
            runs[source] = train(spec, runs=folder / "runs", verbose=0).directory
        return runs[source]

    return run_of


@pytest.mark.parametrize(
    ("source", "content", "expected", "changes"),
    [case for case in CASES if not case.values[3]],  # the trained model's spec, unchanged
)
def test_evaluate_on_other_data(
    capsys, tmp_path: Path, monkeypatch, trained, source, content, expected, changes
) -> None:
    run_directory = trained(source)
    monkeypatch.chdir(tmp_path)  # a path given on the command line is relative to here
    data = write_data(tmp_path / FILES[source], content)
    code, _, err = run(capsys, "evaluate", run_directory, "--set", f"data.args.path={data.name}")
    assert (code, err) == (2, f"error: {expected.format(f=data)}\n")


@pytest.mark.parametrize("source", list(SPECS))
def test_good_data_evaluates(capsys, tmp_path: Path, monkeypatch, trained, source) -> None:
    """The control: the same command on good data succeeds."""
    run_directory = trained(source)
    monkeypatch.chdir(tmp_path)
    data = write_data(tmp_path / FILES[source], GOOD[source])
    code, out, err = run(capsys, "evaluate", run_directory, "--set", f"data.args.path={data.name}")
    assert (code, err) == (0, "")
    assert "whole split" in out
