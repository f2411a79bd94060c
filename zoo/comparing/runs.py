"""The runs a comparison reads: run directories of ``zoo train``, and each trial of a
sweep folder of ``zoo tune``, read from their files alone (no model is loaded, and
TensorFlow is not imported)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from zoo.errors import SpecError, UserError
from zoo.spec import resolve
from zoo.spec.compose import apply_overrides
from zoo.spec.loading import load_spec
from zoo.spec.schema import Spec
from zoo.spec.space import active_values, without_tune
from zoo.spec.validate import validate_document
from zoo.training.records import RESULTS, STATE, RunResults, RunState
from zoo.tuning.results import (
    BEST_EPOCH,
    PROJECT,
    TRIAL_HISTORY,
    TRIAL_SECONDS,
    failure_reason,
)

T = TypeVar("T")
TRIAL_STATUS = {"COMPLETED": "complete"}  # as a run's status says it


@dataclass
class Compared:
    """One run as a comparison sees it."""

    label: str  # the run's folder name, or SWEEP/trial N
    spec: Spec
    status: str  # complete, running, diverged, out of memory; a trial's: completed, failed: why
    history: dict[str, list[float]]  # "epoch" and each logged metric, per epoch
    seconds: float | None = None  # training time (None: not recorded)
    gradient_norms: list[tuple[int, float, float]] = field(default_factory=list)
    results: RunResults | None = None  # the test split, once a run has ended


def read_runs(paths: Iterable[Path | str]) -> list[Compared]:
    """The runs in ``paths``: each a run directory, or a sweep folder standing for its trials."""
    runs: list[Compared] = []
    for path in map(Path, paths):
        if (path / STATE).is_file():
            runs.append(read_run(path))
        elif (path / PROJECT).is_dir():
            runs.extend(read_sweep(path))
        elif not path.exists():
            raise UserError(f"{path}: no such folder")
        else:
            raise UserError(
                f"{path}: neither a run directory of zoo train (no {STATE}) nor a sweep "
                f"folder of zoo tune (no {PROJECT}/)"
            )
    return runs


def read_run(directory: Path) -> Compared:
    # state.json, not the copy inside last.keras: only it says how the run ended
    state = _read(directory / STATE, RunState.from_json)
    return Compared(
        label=directory.name,
        spec=load_spec(directory / "spec.yaml"),
        status=state.status,
        history=state.history,
        seconds=state.seconds or None,  # 0: a run recorded before the time was
        gradient_norms=state.gradient_norms,
        results=_loaded(directory / RESULTS, lambda: RunResults.load(directory)),
    )


def read_sweep(folder: Path) -> list[Compared]:
    """Each trial of the sweep as a run: the sweep's spec with the trial's values."""
    spec = load_spec(folder / "spec.yaml")
    assert spec.tune is not None  # a sweep folder's spec.yaml is the spec it searched
    base = without_tune(resolve(folder / "spec.yaml"))
    trials = sorted(
        (folder / PROJECT).glob("trial_*/trial.json"), key=lambda p: _trial_order(p.parent)
    )
    if not trials:
        raise UserError(f"{folder}: a sweep folder with no trials yet")
    runs = []
    for path in trials:
        trial = _read(path, json.loads)
        values = active_values(spec.tune, trial["hyperparameters"]["values"])
        try:
            trial_spec = validate_document(apply_overrides(base, values))
        except SpecError:  # a trial the sweep refused: shown with the sweep's own spec
            trial_spec = validate_document(base)
        metrics = _observations(trial["metrics"]["metrics"])
        status = TRIAL_STATUS.get(trial["status"], str(trial["status"]).lower())
        why = failure_reason(trial.get("message"))
        seconds = metrics.pop(TRIAL_SECONDS, {})
        metrics.pop(BEST_EPOCH, None)
        runs.append(
            Compared(
                label=f"{folder.name}/trial {trial['trial_id']}",
                spec=trial_spec,
                status=f"{status}: {why}" if why and status != "complete" else status,
                history=_trial_history(path.parent, metrics),
                seconds=max(seconds.values()) if seconds else None,
            )
        )
    return runs


def _read(path: Path, parse: Callable[[str], T]) -> T:
    """A record file parsed; a damaged one is a user's problem, said in one line."""
    return _loaded(path, lambda: parse(path.read_text()))


def _loaded(path: Path, load: Callable[[], T]) -> T:
    """What ``load`` reads from the record file ``path``, or one line if it is damaged."""
    try:
        return load()
    except (ValueError, KeyError, TypeError) as error:  # JSONDecodeError is a ValueError
        raise UserError(
            f"{path}: not a record zoo can read ({type(error).__name__}: {error})"
        ) from None


def _trial_order(folder: Path) -> tuple[int, str]:
    number = folder.name.removeprefix("trial_")
    return (int(number), "") if number.isdigit() else (0, number)


def _observations(metrics: dict[str, Any]) -> dict[str, dict[int, float]]:
    """Keras Tuner's record of a trial's metrics: name -> {epoch (1-based): value}."""
    return {
        name: {int(seen["step"]) + 1: float(seen["value"][0]) for seen in record["observations"]}
        for name, record in metrics.items()
    }


def _trial_history(folder: Path, metrics: dict[str, dict[int, float]]) -> dict[str, list[float]]:
    """The trial's curves (zoo tune writes them); a sweep from before it did has only
    the best epoch's metrics, which Keras Tuner keeps."""
    path = folder / TRIAL_HISTORY
    if path.is_file():
        with path.open() as file:
            rows = list(csv.DictReader(file))
        return {name: [float(row[name]) for row in rows] for name in (rows[0] if rows else {})}
    epochs = sorted({epoch for values in metrics.values() for epoch in values})
    history: dict[str, list[float]] = {"epoch": [float(e) for e in epochs]}
    for name, values in metrics.items():
        if all(e in values for e in epochs):
            history[name] = [values[e] for e in epochs]
    return history
