"""Every `zoo` command driven with hostile arguments: zero, negative, huge and NaN
numbers, empty files, files of the wrong kind, folders and missing paths where files
go, bad --set values. The promise under test: a user mistake is one line on stderr
(`error: ...`, or argparse's own usage lines) and exit code 2, never a traceback.

A few tiny runs are trained once for the module (a language model, a text classifier,
a seq2seq model and a CSV forecaster); every case then fails before anything long
starts, or is a cheap value the command accepts (exit 0)."""

from __future__ import annotations

import shutil
import traceback
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zoo.cli import COMMANDS, main

pytestmark = pytest.mark.slow

HUGE = "1" + "0" * 400  # an integer no float or int64 holds
# argparse's usage and error lines ("usage: zoo train ...", "zoo train: error: ..."),
# and ours
PREFIXES = ("error:", "warning:", "usage:", "zoo ", "zoo:")

SERIES_SPEC = """\
version: 1
name: series_gru
architecture: many_to_one
cell: gru
inputs: {length: 6, features: 1}
model: {units: 4}
outputs: {units: 1}
data:
  source: csv_series
  args: {path: series.csv, columns: [value], window: 6, horizon: 1}
  validation: 0.1
  test: 0.15
train: {epochs: 1, batch_size: 16}
"""
TRAINED = {
    "hello": ["hello", "--set", "train.epochs=1"],
    "sentiment": [
        "sentiment_bilstm",
        *("--set", "train.epochs=1", "--set", "model.units=4"),
        *("--set", "inputs.embedding.dim=4", "--set", "model.layers=1"),
        *("--set", "inputs.vocab_size=100", "--set", "data.args.length=8"),
    ],
    "seq2seq": [
        "seq2seq_reversal",
        *("--set", "train.epochs=1", "--set", "data.args.samples=200"),
        *("--set", "model.units=8", "--set", "inputs.embedding.dim=4"),
        *("--set", "outputs.embedding.dim=4"),
    ],
    "series": ["series.yaml"],
}


def write_files(folder: Path) -> None:
    """The hostile files every case names relative to the folder it runs in."""
    texts = {
        "notes.txt": "hello\n",
        "empty.txt": "",
        "blank.txt": "\n   \n",
        "empty.yaml": "",
        "bad.yaml": "version: 1\nname: [\n",
        "list.yaml": "- 1\n- 2\n",
        "empty.csv": "",
        "nocol.csv": "a,b\n1,2\n3,4\n",
        "header_only.csv": "t,value\n",
        "short.csv": "t,value\n1,2\n2,3\n",
        "nonnum.csv": "t,value\n" + "".join(f"{t},x\n" for t in range(10)),
        "nan.csv": "t,value\n" + "".join(f"{t},nan\n" for t in range(10)),
        "series.csv": "t,value\n"
        + "".join(f"{t},{10 + 5 * np.sin(t / 3):.3f}\n" for t in range(60)),
        "series.yaml": SERIES_SPEC,
        "fake.npy": "not numpy",
        "fake.keras": "not a zip",
        "empty.keras": "",
    }
    for name, text in texts.items():
        (folder / name).write_text(text)
    (folder / "bin.txt").write_bytes(bytes(range(256)))
    arrays = {
        "strings": np.array(["a", "b"]),
        "empty": np.zeros((0, 4), "int32"),
        "floats": np.random.default_rng(0).random((2, 4)),
        "ints": np.ones((2, 4), "int32"),
        "wide": np.ones((2, 7), "int32"),
        "big_ids": np.full((2, 4), 10**6),
        "neg_ids": np.full((2, 4), -3, "int32"),
        "scalar": np.array(3.0),
        "complex": np.ones((2, 6, 1), complex),
        "nan": np.full((2, 6, 1), np.nan, "float32"),
        "one": np.ones((6, 1), "float32"),
        "windows": np.ones((2, 6, 1), "float32"),
    }
    for name, array in arrays.items():
        np.save(folder / f"{name}.npy", array)
    np.save(folder / "object.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    (folder / "folder").mkdir()


def damage(run: Path, folder: Path) -> None:
    """Copies of a trained model and run with one record damaged each."""
    model = run / "best.keras"
    with zipfile.ZipFile(model) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    for name, member, content in (
        ("record_garbage", "zoo_record.json", b"{garbage"),
        ("record_missing", "zoo_record.json", None),
        ("record_invalid", "zoo_record.json", b'{"spec": {"version": 1}}'),
        ("config_garbage", "config.json", b"{garbage"),
        ("weights_garbage", "model.weights.h5", b"garbage"),
    ):
        with zipfile.ZipFile(folder / f"{name}.keras", "w") as archive:
            for kept, data in members.items():
                if kept != member:
                    archive.writestr(kept, data)
            if content is not None:
                archive.writestr(member, content)
    for name, record in (("results_garbage", "results.json"), ("state_garbage", "state.json")):
        shutil.copytree(run, folder / name)
        (folder / name / record).write_text("{")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The folder of hostile files, and the run directory of each trained model."""
    folder = tmp_path_factory.mktemp("fuzz")
    write_files(folder)
    runs: dict[str, str] = {"folder": str(folder)}
    for key, (spec, *overrides) in TRAINED.items():
        parent = folder / "runs" / key
        spec = str(folder / spec) if spec.endswith(".yaml") else spec
        assert main(["train", spec, "--runs", str(parent), "-q", *overrides]) == 0
        (run,) = parent.iterdir()
        runs[key] = str(run)
    damage(Path(runs["hello"]), folder)
    return runs


@pytest.fixture(autouse=True)
def inside(workspace: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Cases name the hostile files relative to their folder; default outputs go there."""
    monkeypatch.chdir(workspace["folder"])


def zoo(capsys: pytest.CaptureFixture, argv: list[str], runs: dict[str, str]) -> tuple[int, str]:
    """(exit code, stderr) of `zoo ARGV`, checking the property every case shares: no
    traceback, exit 0 or 2, and on 2 nothing on stderr but error, warning and usage
    lines."""
    for name, path in runs.items():
        argv = [a.replace(f"{{{name}}}", path) for a in argv]
    try:
        code = main(argv)
    except SystemExit as exit:  # argparse's refusal of a malformed argument
        code = exit.code
    except Exception:
        pytest.fail(f"zoo {' '.join(argv)} raised:\n{traceback.format_exc()}")
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert code in (0, 2), f"exit {code}:\n{err}"
    if code == 2:
        usage = "usage:" in err  # argparse wraps its usage line, indenting the rest
        for line in err.splitlines():
            assert line.startswith(PREFIXES) or (usage and line.startswith(" ")), err
    return code, err


def case(*argv: str, bug: str | None = None) -> pytest.param:
    """A case, by its command line; ``bug``: where a traceback it gives is to be fixed."""
    argv, expected = list(argv[:-1]), argv[-1]
    marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
    return pytest.param(argv, expected, marks=marks, id=" ".join(argv).replace(HUGE, "1e400"))


# (zoo ARGV..., a part of what stderr says); {hello} etc. are the trained runs
MISTAKES = [
    # build
    case("build", "hello", "--set", "model.units=-1", "must be a positive integer, got -1"),
    case("build", "hello", "--set", "model.units=0", "must be a positive integer, got 0"),
    case("build", "hello", "--set", "model.units=.nan", "must be a positive integer, got nan"),
    case("build", "hello", "--set", "model.units.x=3", "model.units is a value, not a section"),
    case("build", "hello", "--set", "nonsense", "--set: expected KEY=VALUE"),
    case("build", "hello", "--set", "=", "--set: expected KEY=VALUE"),
    case("build", "hello", "--set", "inputs.vocab_size=99999999999", "parameters"),
    case("build", "hello", "--set", f"inputs.vocab_size={HUGE}", "parameters"),
    case("build", "hello", "--set", "compile.optimizer.learning_rate=.nan", "got nan"),
    case("build", "hello", "--set", "compile.optimizer.learning_rate=.inf", "got inf"),
    case("build", "hello", "--set", f"compile.optimizer.learning_rate={HUGE}", "positive number"),
    case("build", "hello", "--set", "seed=-1", "seed: must be an integer from 0 to 4294967295"),
    case("build", "hello", "--set", "seed=4294967296", "seed: must be an integer from 0"),
    case("build", "hello", "--max-memory", "0", "--max-memory: expected a size"),
    case("build", "hello", "--max-memory", "nan", "--max-memory: expected a size"),
    case("build", "hello", "--max-memory", HUGE, "--max-memory: expected a size"),
    case("build", "hello", "--max-memory", "-5GB", "argument --max-memory: expected one argument"),
    case("build", "hello", "-o", "folder", "-o folder: a folder; give a file name"),
    case("build", "hello", "-o", "model.h5", "model.h5: a model file must end in .keras"),
    case("build", "hello", "-o", "notes.txt/hello.keras", "notes.txt is a file, not a folder"),
    case("build", "hello", "--plot", "notes.txt/hello.png", "notes.txt is a file, not a folder"),
    case("build", "bad.yaml", "bad.yaml:3:1: invalid YAML"),
    case("build", "list.yaml", "a spec is a mapping of keys to values, got a list"),
    case("build", "helo", "did you mean the shipped spec 'hello'?"),
    # validate, show
    case("validate", "hello", "--set", "data.seed=-1", "data.seed: must be an integer from 0"),
    case("validate", "hello", "--set", "model.dropout=.nan", "must be a number in [0, 1), got nan"),
    case("validate", "hello", "--set", "data.test=1", "must be a number in [0, 1), got 1"),
    case(
        "validate",
        "hello",
        "--set",
        "train.callbacks=[{name: early_stopping}]",
        "train.callbacks.0.args.monitor: 'val_loss' is not logged",
    ),
    case("validate", "adding_sweep", "--set", "tune.seed=-1", "tune.seed: must be an integer"),
    case(
        "validate",
        "adding_sweep",
        "--set",
        "tune.space={compile.optimizer.learning_rate: {float: [.nan, 1]}}",
        "must be finite numbers [low, high], got [nan, 1]",
    ),
    case("validate", "hello", "--max-memory", "lots", "--max-memory: expected a size"),
    case("validate", "the following arguments are required: SPEC"),
    case("show", "hello", "--cost", "--set", "model.units=99999999999", "builds at most"),
    case("show", "hello", "--set", "inputs.length=-4", "must be a positive integer, got -4"),
    case("show", "hello", "--set", "model..units=3", "model.: unknown key ''"),
    # list, schema, data
    case("list", "--dir", "notes.txt", "notes.txt: a file, not a folder"),
    case("list", "--dir", "missing", "missing: no such folder"),
    case("list", "extra", "unrecognized arguments: extra"),
    case("schema", "extra", "unrecognized arguments: extra"),
    case("schema", "--markdown", "--nope", "unrecognized arguments: --nope"),
    case("data", "extra", "unrecognized arguments: extra"),
    # inspect
    case("inspect", "record_missing.keras", "not built from a spec (no zoo_record.json)"),
    case("inspect", "record_invalid.keras", "zoo_record.json: name: required key is missing"),
    case("inspect", "record_garbage.keras", "record_garbage.keras"),
    # diagnose
    case("diagnose", "{hello}", "--batch", "0", "--batch must be at least 1, got 0"),
    case("diagnose", "{hello}", "--batch", "x", "argument --batch: invalid int value: 'x'"),
    case("diagnose", "{hello}", "-o", "plot.txt", "-o plot.txt: give a .png file"),
    case("diagnose", "{hello}", "-o", "notes.txt/d.png", "notes.txt is a file, not a folder"),
    case("diagnose", "hello", "--set", "model.units=-1", "must be a positive integer, got -1"),
    case("diagnose", "hello", "--set", "data.args.path=missing.txt", "no such file"),
    case("diagnose", "dense_baseline", "diagnose supports many_to_one"),
    case("diagnose", "config_garbage.keras", "config_garbage.keras"),
    # evaluate
    case("evaluate", "{hello}", "--set", "model.units=3", "--set may only re-point its data"),
    case("evaluate", "{hello}", "--set", "nonsense", "--set: expected KEY=VALUE"),
    case("evaluate", "{hello}", "--set", "data.args.path=missing.txt", "no such file"),
    case("evaluate", "{hello}", "--set", "data.args.path=empty.txt", "has 0 characters"),
    case("evaluate", "{hello}", "--set", "data.args.path=bin.txt", "is not UTF-8 text"),
    case("evaluate", "{hello}", "--set", "data.args.path=folder", "is a directory, not a file"),
    case("evaluate", "{hello}", "--set", "data.args.length=0", "must be greater than 0"),
    case("evaluate", "{hello}", "--set", "data.test=.nan", "must be a number in [0, 1)"),
    case("evaluate", "{hello}", "--set", "data.validation=0.99", "cannot be split"),
    case("evaluate", "{hello}", "--set", "data.source=nope", "data.source: must be 'adding'"),
    case("evaluate", "{series}", "--set", "data.args.path=empty.csv", "empty.csv is empty"),
    case("evaluate", "{series}", "--set", "data.args.path=nocol.csv", "has no column 'value'"),
    case("evaluate", "{series}", "--set", "data.args.path=header_only.csv", "has 0 rows"),
    case("evaluate", "{series}", "--set", "data.args.path=nonnum.csv", "'x' is not a finite"),
    case("evaluate", "{series}", "--set", "data.args.path=nan.csv", "'nan' is not a finite"),
    case("evaluate", "{series}", "--set", "data.args.window=3", "inputs expect (6, 1)"),
    case("evaluate", "{series}", "--set", "data.args.columns=[]", "at least 1 item"),
    case("evaluate", "{sentiment}", "--set", "data.args.path=nocol.csv", "no column 'text'"),
    case("evaluate", "{seq2seq}", "--set", "data.args.samples=0", "must be greater than 0"),
    case("evaluate", "{seq2seq}", "--set", "data.args.vocab=999", "less than or equal to 26"),
    case("evaluate", "{seq2seq}", "--set", "data.args.samples=1", "cannot be split"),
    case("evaluate", "config_garbage.keras", "config_garbage.keras"),
    case("evaluate", "weights_garbage.keras", "weights_garbage.keras"),
    # predict
    case("predict", "{series}", "fake.npy", "fake.npy: not a .npy array file"),
    case("predict", "{series}", "object.npy", "object.npy: not a .npy array file"),
    case("predict", "{series}", "notes.txt", "give a .npy array, or a .csv series"),
    case("predict", "{series}", "strings.npy", "strings.npy holds str32 values, not numbers"),
    case("predict", "{series}", "complex.npy", "holds complex128 values, not numbers"),
    case("predict", "{series}", "nan.npy", "nan.npy holds NaN or infinite values"),
    case("predict", "{series}", "empty.npy", "empty.npy holds no examples (shape (0, 4))"),
    case("predict", "{series}", "scalar.npy", "scalar.npy holds no examples (shape ())"),
    case("predict", "{series}", "one.npy", "has examples of shape (1,); the model takes (6, 1)"),
    case("predict", "{series}", "folder", "folder: no such file"),
    case("predict", "{series}", "empty.csv", "empty.csv is empty"),
    case("predict", "{series}", "nocol.csv", "nocol.csv has no column 'value'"),
    case("predict", "{series}", "header_only.csv", "has 0 rows; a window of 6 needs"),
    case("predict", "{series}", "short.csv", "has 2 rows; a window of 6 needs"),
    case("predict", "{series}", "nonnum.csv", "nonnum.csv:2: column 'value': 'x' is not a"),
    case("predict", "{series}", "nan.csv", "'nan' is not a finite number"),
    case("predict", "{series}", "series.csv", "--steps", "0", "--steps must be at least 1"),
    case("predict", "{series}", "series.csv", "--top", "0", "--top must be at least 1, got 0"),
    case("predict", "{series}", "series.csv", "-o", "out.txt", "write predictions to a .csv"),
    case("predict", "{series}", "series.csv", "-o", "notes.txt/p.csv", "is a file, not a"),
    case("predict", "{series}", "series.csv", "-o", "notes.txt/p.npy", "is a file, not a"),
    case("predict", "{series}", "--text", "hello", "this model takes arrays, not text"),
    case("predict", "{sentiment}", "give the data to predict"),
    case("predict", "{series}", "series.csv", "--text", "x", "give an INPUT file or --text"),
    case("predict", "{sentiment}", "--text", "", "text 1 of 1 is empty"),
    case("predict", "{sentiment}", "--text", "good", "--steps", "2", "this model takes text"),
    case("predict", "{sentiment}", "ints.npy", "ints.npy: this model takes text"),
    case("predict", "{sentiment}", "empty.txt", "empty.txt has no text to predict"),
    case("predict", "{sentiment}", "blank.txt", "blank.txt has no text to predict"),
    case("predict", "{sentiment}", "bin.txt", "bin.txt is not UTF-8 text"),
    case("predict", "{sentiment}", "empty.csv", "empty.csv is empty"),
    case("predict", "{sentiment}", "nocol.csv", "nocol.csv has no column 'text'"),
    case("predict", "{hello}", "floats.npy", "holds float64 values; the model reads token ids"),
    case("predict", "{hello}", "big_ids.npy", "holds token id 1000000; the model's ids are"),
    case("predict", "{hello}", "neg_ids.npy", "holds token id -3"),
    case("predict", "{hello}", "wide.npy", "has examples of shape (7,); the model takes (4,)"),
    case("predict", "{hello}", "series.csv", "a CSV is forecast by a model trained on csv"),
    case("predict", "{hello}", "ints.npy", "--steps", "2", "target is not its input"),
    case("predict", "{seq2seq}", "ints.npy", "the model takes (10,) per example"),
    case("predict", "weights_garbage.keras", "ints.npy", "weights_garbage"),
    # generate
    case("generate", "{hello}", "--prime", "hel", "--length", "0", "--length must be at least 1"),
    case("generate", "{hello}", "--prime", "hel", "--length", "x", "invalid int value: 'x'"),
    case("generate", "{hello}", "--prime", "hel", "--temperature", "nan", "at least 0, got nan"),
    case("generate", "{hello}", "--prime", "hel", "--temperature", "-1", "at least 0, got -1"),
    case("generate", "{hello}", "--prime", "hel", "--temperature", "inf", "at most 3.40282e+38"),
    case("generate", "{hello}", "--prime", "hel", "--temperature", "1e308", "at most 3.40282e"),
    case("generate", "{hello}", "--prime", "hel", "--seed", "-1", "--seed must be at least 0"),
    case("generate", "{hello}", "--prime", "h", "--window", "--seed", "-1", "at least 0, got -1"),
    case("generate", "{hello}", "--prime", "h", "--seed", "2147483648", "at most 2147483647"),
    case("generate", "{hello}", "--prime", "", "continues a --prime of at least one character"),
    case("generate", "{hello}", "continues a --prime of at least one character"),
    case("generate", "{hello}", "--prime", "xyz", "--prime has characters the model never saw"),
    case("generate", "{hello}", "--prime", "h", "--samples", "0", "--samples must be at least 1"),
    case("generate", "{hello}", "--samples", "2", "--input", "x", "--samples draws from a lang"),
    case("generate", "{hello}", "--prime", "h", "--beam", "0", "--beam must be at least 1"),
    case("generate", "{hello}", "--input", "hel", "continues a --prime of at least one"),
    case("generate", "{seq2seq}", "--input", "12", "--input has characters the model never saw"),
    case("generate", "{seq2seq}", "--input", "", "--input has 0 tokens"),
    case("generate", "{seq2seq}", "a seq2seq model translates an --input"),
    case("generate", "{seq2seq}", "--input", "abcdefghijklmnop", "never saw: 'klmnop'"),
    case("generate", "{seq2seq}", "--prime", "abc", "--samples", "2", "samples are drawn"),
    case("generate", "{sentiment}", "--prime", "good", "generate needs a language_model"),
    case("generate", "{series}", "--prime", "1", "generate needs a language_model or seq2seq"),
    # trace
    case("trace", "{hello}", "--input", "hell", "--units", "0", "--units must be at least 1"),
    case("trace", "{hello}", "--input", "", "the input is empty: give at least one token"),
    case("trace", "{hello}", "--input", "xyz", "--input has characters the model never saw"),
    case("trace", "{hello}", "--input", "hellohello", "the input has 10 tokens; the model reads"),
    case("trace", "{hello}", "this model is traced on one input: give --input TEXT"),
    case("trace", "{hello}", "--input-npy", "ints.npy", "the input has 8 tokens"),
    case("trace", "{hello}", "--input-npy", "floats.npy", "the input holds float64 values"),
    case("trace", "{hello}", "--input-npy", "strings.npy", "strings.npy holds str32 values"),
    case("trace", "{hello}", "--input-npy", "big_ids.npy", "token ids must lie in 0..4"),
    case("trace", "{hello}", "--input-npy", "notes.txt", "give a .npy array"),
    case("trace", "{hello}", "--input", "hell", "--set", "model.units=3", "traced as it is"),
    case("trace", "{hello}", "--input", "hell", "--csv", "out.txt", "--csv out.txt: give a .csv"),
    case("trace", "{hello}", "--input", "hell", "--csv", "notes.txt/t.csv", "is a file, not a"),
    case("trace", "{hello}", "--input", "hell", "--png", "notes.txt/t.png", "is a file, not a"),
    case("trace", "{hello}", "--input", "hell", "--xlsx", "notes.txt/t.xlsx", "is a file, not"),
    case("trace", "{series}", "--input-npy", "windows.npy", "the input holds 2 examples"),
    case("trace", "{series}", "--input-npy", "strings.npy", "holds str32 values, not numbers"),
    case("trace", "{series}", "--input-npy", "complex.npy", "holds complex128 values"),
    case("trace", "{series}", "--input-npy", "nan.npy", "holds NaN or infinite values"),
    case("trace", "{series}", "--input", "abc", "this model reads real values"),
    case("trace", "{sentiment}", "--input", "", "--input '' has no tokens to trace"),
    case("trace", "{seq2seq}", "--input", "12", "--input has characters the model never saw"),
    case("trace", "hello_seed", "--input", "hell", "--set", "model.units=-1", "positive integer"),
    case("trace", "dense_baseline", "--input", "x", "has no recurrence to trace"),
    case("trace", "record_garbage.keras", "--input", "hell", "record_garbage"),
    # export: only mistakes found before a model is converted
    case("backtest", "{hello}", "backtest needs a forecaster of a series with a test split"),
    case("backtest", "{series}", "--origins", "0", "--origins must be at least 1, got 0"),
    case("backtest", "{series}", "--step", "-1", "--step must be at least 1, got -1"),
    case("backtest", "{series}", "--origins", "100000", "--origins 100000: the test split holds"),
    case("backtest", "{series}", "--csv", "out.txt", "--csv out.txt: give a .csv file"),
    case("export", "{hello}", "--format", "nope", "unknown format 'nope'; choose one of"),
    case("export", "{hello}", "--format", "", "unknown format ''"),
    case("export", "{hello}", "the following arguments are required: --format"),
    case("export", "{hello}", "--format", "onnx", "-o", "notes.txt/m", "cannot write here"),
    # compare
    case("compare", "{hello}", "{sentiment}", "cannot compare: different data sources"),
    case("compare", "{hello}", "--metric", "nope", "does not log 'nope'"),
    case("compare", "{hello}", "-o", "plot.txt", "-o plot.txt: give a .png file"),
    case("compare", "{hello}", "-o", "notes.txt/c.png", "is a file, not a folder"),
    case("compare", "{hello}", "--csv", "folder", "--csv folder: give a .csv file"),
    case("compare", "{hello}", "--csv", "notes.txt/c.csv", "is a file, not a folder"),
    case("compare", "results_garbage", "results.json: not a record zoo can read"),
    case("compare", "state_garbage", "state.json: not a record zoo can read"),
    # train
    case("train", "give a spec to train, or --resume RUN_DIR"),
    case("train", "--resume", "folder", "folder: not a run directory (no state.json)"),
    case("train", "--resume", "{hello}", "--set", "model.units=3", "a resumed run keeps"),
    case("train", "--resume", "{hello}", "--set", "train.batch_size=0", "positive integer"),
    case("train", "hello", "--resume", "{hello}", "give a spec to train or --resume RUN_DIR"),
    case("train", "hello", "--runs", "notes.txt", "cannot make a run folder there"),
    case("train", "hello", "--max-memory", "1B", "--max-memory is 1 B"),
    case("train", "hello", "--cluster", "a:1", "hello trains on one machine"),
    case("train", "hello", "--set", "train.steps_per_epoch=0", "must be a positive integer"),
    case("train", "hello", "--set", "train.monitor=nope", "'nope' is not logged"),
    case("train", "hello", "--set", "compile.optimizer.name=nope", "unknown optimizer 'nope'"),
    case("train", "hello", "--set", "compile.loss=nope", "Keras has no loss named 'nope'"),
    case("train", "hello", "--set", "model.activation=nope", "no activation named 'nope'"),
    case(
        "train",
        "hello",
        "--set",
        "compile.optimizer.schedule={name: ExponentialDecay, args: {decay_steps: -1, "
        "decay_rate: 0.5}}",
        "Argument `decay_steps` must be > 0",
    ),
    case("train", "hello", "--set", "train.callbacks=[{name: early_stopping}]", "not logged"),
    *(
        case("train", "hello", "--set", "train.distribute=multi_worker", *flags, expected)
        for *flags, expected in (
            ("--cluster", "nonsense", "--cluster: 'nonsense' is not HOST:PORT"),
            ("--cluster", "a:99999", "--task-index", "0", "'a:99999' is not HOST:PORT"),
            ("--cluster", "a:1,b:2", "--task-index", "5", "5 is not one of the 2 workers"),
            ("--cluster", "a:1,b:2", "--task-index", "-1", "-1 is not one of the 2 workers"),
            ("--cluster", "a:1,b:2", "--cluster needs --task-index I"),
            ("--task-index", "0", "give --cluster too"),
        )
    ),
    # tune
    case("tune", "hello", "hello: no tune section"),
    case("tune", "adding_sweep", "--workers", "0", "--workers: expected a positive number"),
    case("tune", "adding_sweep", "--workers", "1", "--chief", "a:1", "choose one of --workers"),
    case("tune", "adding_sweep", "--id", "x", "--id names a worker"),
    case("tune", "adding_sweep", "--chief", "nonsense", "--chief: expected HOST:PORT"),
    case("tune", "adding_sweep", "--chief", "host:99999", "--chief: expected HOST:PORT"),
    case("tune", "adding_sweep", "--worker", ":80", "--worker: expected HOST:PORT"),
    case("tune", "adding_sweep", "--restart-mb", "nan", "--restart-mb must be at least 0"),
    case("tune", "adding_sweep", "--restart-mb", "-1", "--restart-mb must be at least 0"),
    case("tune", "adding_sweep", "--set", "tune.max_trials=0", "must be a positive integer"),
    case("tune", "adding_sweep", "--set", "tune.tuner=nope", "tune.tuner: must be 'random'"),
    case("tune", "adding_sweep", "--set", "tune.space={}", "name at least one field to search"),
    case("tune", "adding_sweep", "--set", "tune.seed=-1", "must be an integer from 0"),
    case("tune", "adding_sweep", "--set", "tune.objective=nope", "'nope' is not logged"),
    case("tune", "adding_sweep", "--max-memory", "1B", "--max-memory is 1 B"),
    *(
        case("tune", "adding_sweep", "--dir", place, "--set", "data.args.samples=100", expected)
        for place, expected in (
            ("notes.txt", "--dir notes.txt: cannot make the sweep folder there"),
            ("notes.txt/sweep", "--dir notes.txt/sweep: cannot make the sweep folder there"),
        )
    ),
    # serve: refused before anything listens
    case("serve", "{sentiment}", "--port", "70000", "--port must be at most 65535"),
    case("serve", "{sentiment}", "--port", "-1", "--port must be at least 0"),
    case("serve", "{sentiment}", "--workers", "0", "--workers must be at least 1"),
    case("serve", "{sentiment}", "--max-batch", "0", "--max-batch must be at least 1"),
    case("serve", "{sentiment}", "--batch-wait-ms", "nan", "--batch-wait-ms must be at least 0"),
    case("serve", "{sentiment}", "--max-body", "0", "--max-body must be at least 1"),
    case("serve", "{sentiment}", "--host", "no.such.host.invalid", "cannot listen on"),
    case("serve", "missing", "--port", "0", "missing: no such model file"),
]


@pytest.mark.parametrize(("argv", "expected"), MISTAKES)
def test_a_mistake_is_one_line_and_exit_2(capsys, workspace, argv, expected) -> None:
    code, err = zoo(capsys, argv, workspace)
    assert code == 2 and expected in err


# Values at the edge that the commands take: cheap, and answered with exit 0
ACCEPTED = [
    ["trace", "{hello}", "--input", "hell", "--units", "999999"],
    ["predict", "{series}", "series.csv", "--top", "999999"],
    ["predict", "{series}", "windows.npy", "--steps", "3", "-o", "new/forecast.json"],
    ["generate", "{hello}", "--prime", "hel", "--length", "2", "--temperature", "3e38"],
    ["generate", "{hello}", "--prime", "hel", "--length", "2", "--seed", "2147483647"],
    ["generate", "{seq2seq}", "--input", "abcdefghij", "--beam", "50"],
    ["diagnose", "{hello}", "--batch", "100000000000", "-o", "d.png"],
    ["validate", "hello", "--set", "seed=4294967295"],
    ["build", "hello", "-o", "new/folders/hello.keras"],
    # a stride past the text's end: one window (it overflowed NumPy)
    ["evaluate", "{hello}", "--set", f"data.args.stride={HUGE}"],
]


@pytest.mark.parametrize("argv", ACCEPTED, ids=" ".join)
def test_an_extreme_value_that_is_valid_runs(capsys, workspace, argv) -> None:
    assert zoo(capsys, argv, workspace)[0] == 0


# Each command that reads a file or folder, given the wrong one
WRONG_TARGETS = [
    "missing.keras",
    "folder",
    "notes.txt",
    "bin.txt",
    "empty.yaml",
    "fake.keras",
    "empty.keras",
    "fake.npy",
    "",
]
READERS = [
    ["build", "{target}"],
    ["validate", "{target}"],
    ["show", "{target}", "--cost"],
    ["inspect", "{target}"],
    ["diagnose", "{target}"],
    ["evaluate", "{target}"],
    ["predict", "{target}", "ints.npy"],
    ["predict", "{series}", "{target}"],
    ["export", "{target}", "--format", "onnx"],
    ["backtest", "{target}"],
    ["trace", "{target}", "--input", "hell"],
    ["trace", "{hello}", "--input-npy", "{target}"],
    ["generate", "{target}", "--prime", "h"],
    ["serve", "{target}", "--port", "0"],
    ["compare", "{target}"],
    ["train", "{target}"],
    ["train", "--resume", "{target}"],
    ["tune", "{target}"],
]


@pytest.mark.parametrize("target", WRONG_TARGETS)
@pytest.mark.parametrize("argv", READERS, ids=" ".join)
def test_a_wrong_file_is_refused(capsys, workspace, argv, target) -> None:
    assert zoo(capsys, argv, {**workspace, "target": target})[0] == 2


def test_every_command_is_driven() -> None:
    driven = {p.values[0][0] for p in MISTAKES} | {a[0] for a in ACCEPTED + READERS}
    assert {command.NAME for command in COMMANDS} <= driven


def fuzz(examples: int) -> settings:
    # No example database: CI starts clean, and a failure is printed with its input.
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def numbers(low: int, high: int) -> st.SearchStrategy[str]:
    """An int option's value as typed: in [low, high] (the accepted ones run quickly),
    or a word argparse refuses."""
    words = st.sampled_from(["", "x", "1.5", "nan", "1e3", "0x10", "--", "-"])
    near_zero = st.integers(max(low, -2), min(high, 2))
    return st.one_of(near_zero, st.integers(low, high)).map(str) | words


REALS = st.floats(allow_nan=True, allow_infinity=True).map(str) | st.sampled_from(["", "x"])
# (zoo ARGV, the option, its values); an accepted value must leave a command that ends fast
OPTIONS = [
    (["generate", "{hello}", "--prime", "hel", "--length", "1"], "--temperature", REALS),
    (
        ["generate", "{hello}", "--prime", "hel", "--length", "1"],
        "--seed",
        numbers(-(2**70), 2**70),
    ),
    (
        ["generate", "{hello}", "--prime", "h", "--length", "1", "--window"],
        "--seed",
        numbers(-9, 9),
    ),
    (["generate", "{hello}", "--prime", "hel"], "--length", numbers(-(2**70), 20)),
    (["generate", "{hello}", "--prime", "hel", "--length", "1"], "--samples", numbers(-(2**70), 4)),
    (["generate", "{seq2seq}", "--input", "abcdefghij"], "--beam", numbers(-(2**70), 4)),
    (["trace", "{hello}", "--input", "hell"], "--units", numbers(-(2**70), 2**70)),
    (["predict", "{series}", "series.csv"], "--top", numbers(-(2**70), 2**70)),
    (["predict", "{series}", "series.csv"], "--steps", numbers(-(2**70), 30)),
    (["diagnose", "{hello}", "-o", "d.png"], "--batch", numbers(-(2**70), 2**70)),
    (["tune", "hello"], "--restart-mb", REALS),  # accepted: hello has no tune section
    (["tune", "hello"], "--workers", numbers(-(2**70), 0)),
    (["validate", "hello"], "--max-memory", st.text("0123456789.eEkKmMgGiBb -+", max_size=12)),
]


@fuzz(100)
@given(data=st.data())
def test_any_value_of_a_numeric_option(capsys, workspace, data) -> None:
    argv, option, values = data.draw(st.sampled_from(OPTIONS))
    zoo(capsys, [*argv, option, data.draw(values)], workspace)


FIELDS = [
    "model.units",
    "model.layers",
    "model.dropout",
    "model.bidirectional",
    "inputs.length",
    "inputs.vocab_size",
    "inputs.embedding.dim",
    "outputs.units",
    "compile.optimizer.learning_rate",
    "compile.clipnorm",
    "train.epochs",
    "train.batch_size",
    "train.callbacks",
    "data.validation",
    "data.seed",
    "data.args.length",
    "data.args.path",
    "seed",
    "cell",
    "tune.max_trials",
    "tune.space",
    "model",
    "model.units.x",
    "nonsense",
    "",
]
YAML_VALUES = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=10),
    st.sampled_from(["", "[", "{", "~", ".nan", "-.inf", "[1, -1]", "{a: 1}", "&a", "*a", "'"]),
)


@fuzz(300)
@given(
    command=st.sampled_from([["validate"], ["show", "--cost"]]),
    spec=st.sampled_from(["hello", "adding_sweep", "seq2seq_reversal", "series.yaml"]),
    field=st.sampled_from(FIELDS),
    value=YAML_VALUES,
)
def test_any_override(capsys, workspace, command, spec, field, value) -> None:
    zoo(capsys, [*command, spec, "--set", f"{field}={value}"], workspace)
