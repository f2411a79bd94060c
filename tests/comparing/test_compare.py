"""zoo compare: the differing-fields table, the ranking, sweep folders as their trials,
the PNG with one curve per run, and refusal of runs that answer different questions.

Most tests write run directories with the records ``zoo train`` itself writes
(RunState, RunResults); the slow one at the end trains real runs and a sweep."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from zoo.atomic import write_text
from zoo.cli import main
from zoo.comparing import compare, comparison
from zoo.comparing.plot import comparison_figure
from zoo.errors import UserError
from zoo.spec import to_yaml
from zoo.spec.loading import load_spec
from zoo.spec.metrics import baseline_metric
from zoo.training.records import RunResults, RunState

SPEC = {
    "version": 1,
    "name": "tiny_adding",
    "architecture": "many_to_one",
    "cell": "rnn",
    "inputs": {"length": 5, "features": 2},
    "model": {"units": 4},
    "outputs": {"units": 1},
    "compile": {"clipnorm": 1.0},
    "data": {"source": "adding", "args": {"samples": 64, "length": 5}},
    "train": {"epochs": 2, "batch_size": 16},
}
BASELINE = {"mse of predicting the mean": 0.167}


def spec_with(changes: dict) -> dict:
    spec = json.loads(json.dumps(SPEC))
    for dotted, value in changes.items():
        *parents, last = dotted.split(".")
        node = spec
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = value
    return spec


def make_run(
    folder: Path,
    name: str,
    changes: dict,
    val_loss: list[float],
    test: float | None = None,
    status: str = "complete",
) -> Path:
    """A run directory as zoo train leaves it: spec.yaml, state.json, results.json."""
    directory = folder / name
    directory.mkdir(parents=True)
    write_text(directory / "spec.yaml", to_yaml(load_spec(spec_with(changes))))
    epochs = list(range(1, len(val_loss) + 1))
    history = {"epoch": epochs, "loss": [v * 1.1 for v in val_loss], "val_loss": val_loss}
    norms = [(step, 2.0 / step, min(1.0, 2.0 / step)) for step in range(1, 4 * len(epochs) + 1)]
    best = min(range(len(val_loss)), key=val_loss.__getitem__) if val_loss else None
    RunState(
        spec_folder=str(folder),
        epochs_done=len(epochs),
        best_epoch=None if best is None else best + 1,
        best_value=None if best is None else val_loss[best],
        status=status,
        seconds=3.5 * len(epochs),
        history=history,
        gradient_norms=norms,
    ).save(directory)
    if test is not None:
        RunResults("test", {"loss": test}, BASELINE, "loss").save(directory)
    return directory


@pytest.fixture
def three_cells(tmp_path: Path) -> list[Path]:
    return [
        make_run(tmp_path, "a-rnn", {"cell": "rnn"}, [0.2, 0.18, 0.19], test=0.17),
        make_run(tmp_path, "b-lstm", {"cell": "lstm", "model.units": 8}, [0.2, 0.05], test=0.06),
        make_run(tmp_path, "c-gru", {"cell": "gru"}, [0.2, 0.1, 0.01, 0.02], test=0.012),
    ]


def test_the_table_has_the_fields_that_differ_and_only_those(three_cells) -> None:
    compared = comparison(three_cells)
    assert compared.fields == ["cell", "model.units"]  # name differs too, but names a run
    rows = compared.rows()
    assert [r["cell"] for r in rows] == ["gru", "lstm", "rnn"]
    assert [r["model.units"] for r in rows] == [4, 8, 4]
    assert all("data.source" not in r and "train.epochs" not in r for r in rows)
    assert compared.names() == ["cell=gru, units=4", "cell=lstm, units=8", "cell=rnn, units=4"]
    header = compared.text().splitlines()[0].split()
    assert header[:4] == ["rank", "run", "cell", "model.units"]


def test_a_default_written_out_is_no_difference(tmp_path) -> None:
    left = make_run(tmp_path, "left", {}, [0.2])  # the loss left to the head: mse
    right = make_run(tmp_path, "right", {"compile.loss": "mse", "model.units": 8}, [0.1])
    assert comparison([left, right]).fields == ["model.units"]


def test_runs_are_ranked_by_the_best_epoch_of_the_metric(three_cells, tmp_path) -> None:
    unfinished = make_run(tmp_path, "d-none", {"cell": "gru"}, [], status="running")
    rows = compare([*three_cells, unfinished])
    assert [(r["rank"], r["run"]) for r in rows] == [
        (1, "c-gru"),
        (2, "b-lstm"),
        (3, "a-rnn"),
        (None, "d-none"),  # nothing to rank it by: last
    ]
    gru = rows[0]
    assert (gru["val_loss"], gru["best_epoch"], gru["epochs"]) == (0.01, 3, 4)
    assert (gru["test_loss"], gru["baseline"], gru["seconds"]) == (0.012, 0.167, 14.0)
    # the parameters are the cost estimate's, which equal Keras's count_params
    assert rows[1]["parameters"] > rows[0]["parameters"] > rows[2]["parameters"]
    # by the training loss, a maximised metric would reverse: here the same order
    by_loss = compare(three_cells, metric="loss")
    assert [r["run"] for r in by_loss] == ["c-gru", "b-lstm", "a-rnn"]


def test_a_maximised_metric_ranks_the_highest_first(tmp_path) -> None:
    runs = [
        make_run(tmp_path, name, {"compile.metrics": ["accuracy"]}, [0.5])
        for name in ("low", "high")
    ]
    for directory, accuracy in zip(runs, ([0.5, 0.6], [0.7, 0.9]), strict=True):
        state = RunState.from_json((directory / "state.json").read_text())
        state.history = {"epoch": [1, 2], "loss": [1.0, 0.9], "val_accuracy": accuracy}
        state.save(directory)
    rows = compare(runs, metric="val_accuracy")
    assert [(r["run"], r["val_accuracy"], r["best_epoch"]) for r in rows] == [
        ("high", 0.9, 2),
        ("low", 0.6, 2),
    ]


def test_the_png_has_one_curve_per_run_and_marks_what_it_says(three_cells, tmp_path) -> None:
    compared = comparison(three_cells)
    figure = comparison_figure(compared)
    curves, norms = figure.axes
    _, labels = curves.get_legend_handles_labels()
    assert labels[:3] == compared.names()  # one validation curve per run, named by its fields
    legend = [text.get_text() for text in curves.get_legend().get_texts()]
    assert legend == [*compared.names(), "validation", "train", "best epoch", "trivial baseline"]
    named = set(compared.names())
    solid = [line for line in curves.get_lines() if line.get_label() in named]
    assert len(solid) == 3 and all(line.get_linestyle() == "-" for line in solid)
    dashed = [line for line in curves.get_lines() if line.get_linestyle() == "--"]
    assert len(dashed) == 3  # train curves
    stars = [line for line in curves.get_lines() if line.get_marker() == "*"]
    assert sorted((s.get_xdata()[0], s.get_ydata()[0]) for s in stars) == [
        (2, 0.05),
        (2, 0.18),
        (3, 0.01),
    ]
    assert any(line.get_ydata()[0] == 0.167 for line in curves.get_lines())  # the baseline
    assert norms.get_yscale() == "log" and len(norms.get_lines()) == 6  # each step, its level
    assert main(["compare", *map(str, three_cells), "-o", str(tmp_path / "c.png")]) == 0
    assert (tmp_path / "c.png").stat().st_size > 10_000


def test_the_cli_prints_the_table_and_writes_the_csv(three_cells, tmp_path, capsys) -> None:
    out = tmp_path / "compare.csv"
    code = main(
        ["compare", *map(str, three_cells), "-o", str(tmp_path / "c.png"), "--csv", str(out)]
    )
    assert code == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].split()[:7] == [
        "rank",
        "run",
        "cell",
        "model.units",
        "parameters",
        "epochs",
        "seconds",
    ]
    assert printed[1].split()[:3] == ["1", "c-gru", "gru"]
    assert any(line.startswith("baseline: mse of predicting the mean") for line in printed)
    with out.open() as file:
        rows = list(csv.DictReader(file))
    assert [r["run"] for r in rows] == ["c-gru", "b-lstm", "a-rnn"]
    assert float(rows[0]["val_loss"]) == 0.01 and rows[0]["rank"] == "1"


def test_a_forecasters_classical_references_are_rows(tmp_path, capsys) -> None:
    """Scored as the test metric is: the loss's measure (mae here), from results.json."""
    classical = {
        "seasonal naive (12)": {"mse": 2186.8, "mae": 42.17},
        "Holt-Winters (12)": {"mse": 433.9, "mae": 17.48},
    }
    runs = []
    for seed, (val_loss, test) in enumerate([([30.0, 20.0], 18.2), ([30.0, 21.0], 18.8)]):
        run = make_run(tmp_path, f"f{seed}", {"seed": seed, "compile.loss": "mae"}, val_loss)
        RunResults("test", {"loss": test}, {}, None, classical).save(run)
        runs.append(run)
    rows = compare(runs)
    assert [r["run"] for r in rows] == [
        "f0",
        "f1",
        "classical: seasonal naive (12)",
        "classical: Holt-Winters (12)",
    ]
    assert [r["test_loss"] for r in rows] == [18.2, 18.8, 42.17, 17.48]
    assert rows[-1]["rank"] is None and rows[-1]["parameters"] is None
    assert main(["compare", *map(str, runs), "-o", str(tmp_path / "c.png")]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[4].split()[:5] == ["-", "classical:", "Holt-Winters", "(12)", "-"]
    assert "17.48" in printed[4]


def test_runs_of_different_data_or_losses_are_refused(three_cells, tmp_path, capsys) -> None:
    other = make_run(tmp_path, "e-mae", {"compile.loss": "mae"}, [0.3, 0.2])
    with pytest.raises(UserError, match="different losses"):
        comparison([*three_cells, other])
    code = main(["compare", str(three_cells[0]), str(other), "-o", str(tmp_path / "c.png")])
    error = capsys.readouterr().err
    assert code == 2 and error.count("\n") == 1 and "--force" in error
    assert "mae: e-mae" in error and "mse: a-rnn" in error
    code = main(
        ["compare", str(three_cells[0]), str(other), "-o", str(tmp_path / "c.png"), "--force"]
    )
    captured = capsys.readouterr()
    assert code == 0 and "warning: compared anyway: different losses" in captured.err
    assert "compile.loss" in captured.out.splitlines()[0]


def test_different_data_sources_are_refused(tmp_path) -> None:
    adding = make_run(tmp_path, "adding", {}, [0.2])
    series = make_run(
        tmp_path,
        "sine",
        {
            "data": {"source": "sine", "args": {"series_length": 200, "window": 5, "horizon": 1}},
            "inputs.features": 1,
        },
        [0.1],
    )
    with pytest.raises(UserError, match=r"different data sources \(adding: adding; sine: sine\)"):
        comparison([adding, series])
    assert comparison([adding, series], force=True).notes


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: (d / "state.json").write_text("{not json"), "state.json: not a record"),
        (lambda d: (d / "state.json").unlink(), "neither a run directory"),
        (lambda d: d.rename(d.with_name("gone")), "no such folder"),
    ],
)
def test_what_is_not_a_run_is_one_line(three_cells, damage, message, capsys) -> None:
    damage(three_cells[0])
    assert main(["compare", *map(str, three_cells)]) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1


def test_a_metric_a_run_does_not_log_is_refused(three_cells, capsys) -> None:
    assert main(["compare", *map(str, three_cells), "--metric", "val_accuracy"]) == 2
    assert "a-rnn does not log 'val_accuracy'; it logs loss, val_loss" in capsys.readouterr().err


def test_the_baseline_is_set_beside_the_metric_that_scores_the_same() -> None:
    regression = load_spec(SPEC)
    assert baseline_metric(regression, "mse") == "loss"
    assert baseline_metric(load_spec(spec_with({"compile.loss": "mae"})), "mse") is None
    classifier = load_spec("sentiment_bilstm")
    assert baseline_metric(classifier, "accuracy") == "accuracy"
    assert baseline_metric(load_spec("char_lstm"), "crossentropy") == "loss"
    assert baseline_metric(regression, None) is None


def test_comparing_does_not_import_tensorflow(three_cells) -> None:
    code = (
        "import sys, zoo\n"
        f"rows = zoo.compare({[str(p) for p in three_cells]!r})\n"
        "print(len(rows), 'tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["3", "False", "False"]


@pytest.mark.slow
def test_trained_runs_and_a_sweep_end_to_end(tmp_path: Path, capsys) -> None:
    """Real runs of two cells and a sweep's trials, compared as a user would."""
    spec = tmp_path / "tiny.yaml"
    spec.write_text(yaml.safe_dump(SPEC))
    runs = tmp_path / "runs"
    for cell in ("rnn", "gru"):
        assert main(["train", str(spec), "--set", f"cell={cell}", "--runs", str(runs), "-q"]) == 0
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(
        yaml.safe_dump(
            {**SPEC, "tune": {"max_trials": 2, "space": {"model.units": {"choice": [2, 6]}}}}
        )
    )
    assert main(["tune", str(sweep), "--dir", str(tmp_path / "sweep"), "-q"]) == 0
    capsys.readouterr()
    trained = sorted(runs.iterdir())
    for directory in trained:  # what zoo train records for the comparison
        results = RunResults.load(directory)
        assert results is not None and results.split == "test"
        assert set(results.metrics) == {"loss"} and results.baseline_metric == "loss"
        assert RunState.from_json((directory / "state.json").read_text()).seconds > 0
    png = tmp_path / "compare.png"
    paths = [*map(str, trained), str(tmp_path / "sweep")]
    assert main(["compare", *paths, "-o", str(png)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:4] == ["rank", "run", "cell", "model.units"]
    rows = compare(paths)
    assert len(rows) == 4 and [r["rank"] for r in rows] == [1, 2, 3, 4]
    trials = [r for r in rows if "/trial " in r["run"]]
    assert sorted(r["model.units"] for r in trials) == [2, 6]
    assert all(r["epochs"] == 2 and r["test_loss"] is None for r in trials)  # both epochs kept
    assert all(r["test_loss"] is not None and r["baseline"] > 0 for r in rows if r not in trials)
    assert png.stat().st_size > 10_000
