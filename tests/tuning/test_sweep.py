"""zoo tune end to end on tiny spaces: every tuner, conditional fields, the results
files, best.yaml reproducing the best trial, and the CLI's answers to mistakes."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest
import yaml

from zoo.cli import main
from zoo.spec.loading import load_spec
from zoo.training import train
from zoo.training.memory import resident_megabytes
from zoo.tuning.sweep import Reporting, tune

SPEC = {
    "version": 1,
    "name": "tiny_sweep",
    "architecture": "many_to_one",
    "cell": "lstm",
    "inputs": {"length": 5, "features": 2},
    "model": {"units": 4},
    "outputs": {"units": 1},
    "compile": {"clipnorm": 1.0},
    "data": {"source": "adding", "args": {"samples": 64, "length": 5}},
    "train": {"epochs": 2, "batch_size": 16},
    "tune": {
        "max_trials": 3,
        "space": {
            "cell": {"choice": ["rnn", "lstm"]},
            "model.units": {"int": [2, 6], "step": 2},
            "model.unit_forget_bias": {"boolean": True, "when": {"cell": "lstm"}},
        },
    },
}


def write_spec(folder: Path, **tune_changes: object) -> Path:
    spec = {**SPEC, "tune": {**SPEC["tune"], **tune_changes}}
    if spec["tune"].get("tuner") == "hyperband":
        del spec["tune"]["max_trials"]
    path = folder / "sweep.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open() as file:
        return list(csv.DictReader(file))


@pytest.mark.slow
@pytest.mark.parametrize("tuner", ["random", "bayesian", "hyperband", "grid"])
def test_every_tuner_runs_the_space_into_results(tmp_path: Path, tuner: str) -> None:
    sweep = tune(write_spec(tmp_path, tuner=tuner), directory=tmp_path / "sweep", verbose=0)
    rows = sweep.rows
    assert len(rows) >= 2 and all(r.status == "COMPLETED" for r in rows)
    if tuner != "hyperband":
        assert len(rows) == 3
    # hyperparameter names are the spec paths; a conditional field is absent when inactive
    for row in rows:
        assert {"cell", "model.units"} <= set(row.values)
        assert ("model.unit_forget_bias" in row.values) == (row.values["cell"] == "lstm")
    table = read_csv(sweep.directory / "trials.csv")
    assert [r["trial"] for r in table] == [r.trial_id for r in rows]
    for line, row in zip(table, rows, strict=True):
        assert line["model.unit_forget_bias"] == (
            "" if row.values["cell"] == "rnn" else str(row.values["model.unit_forget_bias"])
        )
    best = min(rows, key=lambda r: r.objective)
    assert sweep.best is best and table[rows.index(best)]["rank"] == "1"
    assert (sweep.directory / "trials.png").stat().st_size > 1000
    best_spec = load_spec(sweep.directory / "best.yaml")
    assert best_spec.tune is None
    assert (
        best_spec.cell == best.values["cell"]
        and best_spec.model.units == best.values["model.units"]
    )


@pytest.mark.slow
def test_the_same_spec_sweeps_the_same_trials(tmp_path: Path) -> None:
    """The default seed is 0, which Keras Tuner's oracle once read as "draw a seed"."""
    tried = [
        [row.values for row in tune(write_spec(tmp_path), directory=tmp_path / d, verbose=0).rows]
        for d in ("first", "second")
    ]
    assert tried[0] == tried[1]
    assert len({str(values) for values in tried[0]}) > 1  # and the trials differ


@pytest.mark.slow
def test_best_yaml_reproduces_the_best_trial(tmp_path: Path, monkeypatch) -> None:
    from keras_tuner.src import utils as kt_utils

    import zoo.tuning.sweep as sweep_module

    own, write, atomic = kt_utils.save_json, sweep_module.write_text, []
    monkeypatch.setattr(sweep_module, "write_text", lambda *a: atomic.append(a[0]) or write(*a))
    sweep = tune(write_spec(tmp_path), directory=tmp_path / "sweep", verbose=0)
    assert sweep.best is not None
    # Keras Tuner's state went through the atomic writer, and only during the sweep
    assert any(str(path).endswith("oracle.json") for path in atomic)
    assert kt_utils.save_json is own and own.__module__.startswith("keras_tuner")
    run = train(sweep.directory / "best.yaml", runs=tmp_path / "runs", verbose=0)
    assert run.state.epochs_done == sweep.best.best_epoch
    assert run.state.history["val_loss"][-1] == pytest.approx(sweep.best.objective, rel=1e-5)


@pytest.mark.slow
def test_summary_ranks_by_objective_and_dashes_inactive_fields(tmp_path: Path) -> None:
    sweep = tune(write_spec(tmp_path, max_trials=4), directory=tmp_path / "sweep", verbose=0)
    lines = sweep.summary().splitlines()
    header = lines[0].split()
    assert header[:5] == ["rank", "trial", "cell", "model.units", "model.unit_forget_bias"]
    body = [line.split() for line in lines[1:5]]
    scores = [float(cells[5]) for cells in body]
    assert scores == sorted(scores) and [c[0] for c in body] == ["1", "2", "3", "4"]
    for cells in body:
        assert (cells[4] == "-") == (cells[2] == "rnn")


@pytest.mark.slow
def test_a_failed_trial_is_reported_and_the_sweep_goes_on(tmp_path: Path) -> None:
    # a learning rate this large without clipping diverges at once
    spec_path = write_spec(
        tmp_path,
        max_trials=2,
        space={"compile.optimizer.learning_rate": {"choice": [1.0e30, 0.001]}},
        tuner="grid",
    )
    text = spec_path.read_text().replace("clipnorm: 1.0", "clipnorm: null")
    spec_path.write_text(text.replace("cell: lstm", "cell: rnn", 1))
    sweep = tune(spec_path, directory=tmp_path / "sweep", verbose=0)
    statuses = {r.values["compile.optimizer.learning_rate"]: r for r in sweep.rows}
    assert statuses[1.0e30].status == "FAILED"
    assert "NaN/inf" in statuses[1.0e30].message and "clipping" in statuses[1.0e30].message
    assert statuses[0.001].status == "COMPLETED"
    assert sweep.best is statuses[0.001]


@pytest.mark.slow
def test_a_trial_too_big_for_max_memory_fails_before_it_allocates(capsys, tmp_path) -> None:
    spec_path = write_spec(
        tmp_path, max_trials=2, space={"model.units": {"choice": [2, 512]}}, tuner="grid"
    )
    code = main(["tune", str(spec_path), "--dir", str(tmp_path / "sweep"), "--max-memory", "1MiB"])
    out = capsys.readouterr().out
    assert code == 0
    assert "trial 1 failed: too big: model.units: 512 makes" in out
    assert out.rstrip().endswith("trials.csv, trials.png")
    rows = {row["model.units"]: row for row in read_csv(tmp_path / "sweep" / "trials.csv")}
    assert rows["2"]["status"] == "COMPLETED" and rows["512"]["status"] == "FAILED"
    assert rows["512"]["message"].endswith("; --max-memory is 1.0 MiB")
    # a base spec that cannot fit is refused before the sweep starts
    code = main(["tune", str(spec_path), "--dir", str(tmp_path / "s2"), "--max-memory", "1KiB"])
    assert code == 2 and not (tmp_path / "s2").exists()


def run_cli(capsys: pytest.CaptureFixture, *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.slow
def test_cli_sweep_refuses_another_specs_folder_until_overwrite(capsys, tmp_path: Path) -> None:
    spec_path = write_spec(tmp_path, max_trials=1)
    folder = tmp_path / "sweep"
    code, out, err = run_cli(capsys, "tune", spec_path, "--dir", folder, "-q")
    assert code == 0, err
    assert "best spec:" in out and (folder / "best.yaml").is_file()
    code, out, err = run_cli(capsys, "tune", spec_path, "--dir", folder, "--set", "model.units=8")
    assert code == 2
    assert err == (
        f"error: {folder} holds a sweep of a different spec (see its spec.yaml); pass "
        "--overwrite to start afresh there, or --dir for a new folder\n"
    )
    # a larger budget goes on with the same sweep: its first trial kept, one more run
    first = read_csv(folder / "trials.csv")
    code, out, err = run_cli(
        capsys, "tune", spec_path, "--dir", folder, "--set", "tune.max_trials=2"
    )
    assert code == 0, err
    assert "resuming the sweep" in out and "1 trials done" in out
    both = read_csv(folder / "trials.csv")
    assert len(both) == 2 and both[0] == {**first[0], "rank": both[0]["rank"]}
    code, out, err = run_cli(
        capsys, "tune", spec_path, "--dir", folder, "--set", "train.epochs=1", "--overwrite", "-q"
    )
    assert code == 0, err
    assert [r["best_epoch"] for r in read_csv(folder / "trials.csv")] == ["1"]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            ["--chief", "localhost"],
            "error: --chief: expected HOST:PORT (e.g. 127.0.0.1:8470), got 'localhost'",
        ),
        (["--workers", "0"], "error: --workers: expected a positive number, got 0"),
        (["--id", "w1"], "error: --id names a worker: use it with --worker HOST:PORT"),
        (
            ["--workers", "2", "--chief", "127.0.0.1:1"],
            "error: choose one of --workers, --chief, --worker; got workers, chief",
        ),
    ],
)
def test_cli_flag_mistakes(capsys, tmp_path: Path, extra: list[str], expected: str) -> None:
    code, out, err = run_cli(capsys, "tune", write_spec(tmp_path), *extra)
    assert (code, out, err) == (2, "", expected + "\n")


def test_cli_needs_a_tune_section(capsys, tmp_path: Path) -> None:
    path = tmp_path / "plain.yaml"
    path.write_text(yaml.safe_dump({k: v for k, v in SPEC.items() if k != "tune"}))
    code, _, err = run_cli(capsys, "tune", path, "--dir", tmp_path / "sweep")
    assert code == 2
    assert (
        err
        == f"error: {path}: no tune section; add tune: {{space: ...}} (see docs/guides/tuning.md)\n"
    )
    assert not (tmp_path / "sweep").exists()


def test_a_sweep_refuses_a_multi_worker_spec(capsys, tmp_path: Path) -> None:
    path = write_spec(tmp_path)
    code, _, err = run_cli(
        capsys, "tune", path, "--dir", tmp_path / "sweep", "--set", "train.distribute=multi_worker"
    )
    assert code == 2 and err.count("\n") == 1
    assert "a sweep trains each trial on one machine; run trials side by side" in err
    assert not (tmp_path / "sweep").exists()


@pytest.mark.slow
def test_the_shipped_sweep_runs_a_trial(tmp_path: Path) -> None:
    from zoo.catalog import specs_folder

    overrides = {"tune.max_trials": 1, "data.args.samples": 200, "train.epochs": 1}
    sweep = tune(
        specs_folder() / "adding_sweep.yaml", overrides, directory=tmp_path / "sweep", verbose=0
    )
    assert [r.status for r in sweep.rows] == ["COMPLETED"]
    assert load_spec(sweep.directory / "best.yaml").data.args["samples"] == 200


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="reads memory from /proc")
def test_memory_stays_flat_across_ten_trials(tmp_path: Path, monkeypatch) -> None:
    """Without dropping the gradient functions TensorFlow registers per traced step,
    each trial would keep ~10 MB for good (tensorflow/tensorflow#61791)."""
    after_trial: list[float] = []
    on_trial_end = Reporting.on_trial_end

    def measured(self, trial) -> None:
        on_trial_end(self, trial)
        after_trial.append(resident_megabytes())

    monkeypatch.setattr(Reporting, "on_trial_end", measured)
    spec = write_spec(tmp_path, max_trials=10, space={"model.units": {"int": [2, 16]}})
    sweep = tune(spec, ["train.epochs=1"], directory=tmp_path / "sweep", verbose=0)
    assert len(sweep.rows) == 10 and len(after_trial) == 10
    growth = max(after_trial[5:]) - max(after_trial[1:4])
    assert growth < 20, f"memory grew {growth:.0f} MB over trials 4-10: {after_trial}"


class ExecCalled(Exception):
    pass


@pytest.mark.parametrize(("megabytes", "restarts"), [(50.0, False), (50.5, True)])
def test_a_grown_process_replaces_itself_with_the_same_sweep(
    monkeypatch, megabytes: float, restarts: bool
) -> None:
    """The safety net for memory TensorFlow keeps: measured from the end of the first
    trial, growth past the limit re-runs the same sweep (which resumes) in place."""
    import zoo.tuning.sweep as sweep_module

    readings = iter([1000.0, 1000.0 + megabytes])
    monkeypatch.setattr(sweep_module, "resident_megabytes", lambda: next(readings))
    calls = []

    def execv(path: str, argv: list[str]) -> None:
        calls.append(argv)
        raise ExecCalled

    monkeypatch.setattr(sweep_module.os, "execv", execv)
    restart = sweep_module.Restart(["tune", "s.yaml", "--dir=d"], 50.0)
    tuner = Reporting(spec=None, verbose=0, role=sweep_module.Role(), restart=restart)
    tuner._restart_if_grown()  # the first trial's end: the baseline
    assert tuner.zoo_start_megabytes == 1000.0 and calls == []
    if restarts:
        with pytest.raises(ExecCalled):
            tuner._restart_if_grown()
        assert calls == [[sys.executable, "-m", "zoo.cli", "tune", "s.yaml", "--dir=d"]]
    else:
        tuner._restart_if_grown()
        assert calls == []


def test_the_cli_restarts_the_sweep_without_overwrite(monkeypatch, capsys, tmp_path) -> None:
    import zoo.tuning.sweep as sweep_module

    seen = {}

    def fake_tune(spec, overrides, **kwargs):
        seen.update(kwargs)
        raise ExecCalled

    monkeypatch.setattr(sweep_module, "tune", fake_tune)
    with pytest.raises(ExecCalled):
        main(["tune", "s.yaml", "--overwrite", "--set", "model.units=8", "--dir", "d", "-q"])
    assert seen["overwrite"] is True
    assert seen["restart"].argv == [
        "tune",
        "s.yaml",
        "--set=model.units=8",
        "--dir=d",
        "--restart-mb=1024",
        "-q",
    ]
