"""``zoo tune``: search a spec's tune space with Keras Tuner, in a folder that a
re-run of the same command resumes; alone, as the chief of workers, or as a worker.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras_tuner as kt
import yaml
from keras_tuner.src import config as kt_config
from keras_tuner.src import utils as kt_utils

from zoo.atomic import write_text
from zoo.errors import UserError
from zoo.registry import STRATEGIES, TUNERS
from zoo.spec import Overrides, SpecSource, to_yaml
from zoo.spec.cost import MaxMemory, memory_limit
from zoo.spec.loading import load_sweep
from zoo.spec.schema import Spec, Train
from zoo.spec.shipped import spec_folder
from zoo.spec.space import objective_direction
from zoo.training.memory import resident_megabytes
from zoo.tuning import results
from zoo.tuning.hypermodel import SpecHyperModel

DEFAULT_MAX_TRIALS = 10


def _save_json_atomically(path: str, obj: Any) -> str:
    text = json.dumps(obj)
    write_text(path, text)
    return text


@contextlib.contextmanager
def _atomic_state_writes() -> Iterator[None]:
    """Keras Tuner writes its oracle and trial state through one function; while a
    sweep runs, it writes atomically, so a sweep killed at any moment still reloads.
    Other users of Keras Tuner in the process keep its own function."""
    own = kt_utils.save_json
    kt_utils.save_json = _save_json_atomically
    try:
        yield
    finally:
        kt_utils.save_json = own


@contextlib.contextmanager
def _one_line_failures() -> Iterator[None]:
    """Keras Tuner prints the whole traceback of every failed trial (its DEBUG setting
    is on by default); a sweep reports a failed trial in one line, and keeps the
    traceback in the trial's record."""
    debug = kt_config.DEBUG
    kt_config.DEBUG = False
    try:
        yield
    finally:
        kt_config.DEBUG = debug


@dataclass(frozen=True)
class Role:
    """Alone (no address), the chief serving the oracle, or a worker asking it for trials."""

    kind: str = "alone"  # alone | chief | worker
    host: str = "127.0.0.1"
    port: int = 0
    worker_id: str = ""


@dataclass(frozen=True)
class Restart:
    """Re-run ``zoo tune`` with these arguments once the process grew by ``megabytes``."""

    argv: list[str]
    megabytes: float


@dataclass
class Sweep:
    directory: Path
    spec: Spec
    rows: list[results.TrialRow]
    best: results.TrialRow | None

    def summary(self) -> str:
        assert self.spec.tune is not None
        tune = self.spec.tune
        direction = objective_direction(tune) or "min"
        lines = [
            results.table(self.rows, list(tune.space), tune.objective, direction),
            "",
            f"sweep folder: {self.directory}",
        ]
        if self.best is not None:
            lines.append(
                f"  best: trial {self.best.trial_id}, {tune.objective} {self.best.objective:.6g}"
            )
            lines.append(f"  best spec: {self.directory / 'best.yaml'} (zoo train it to reproduce)")
        lines.append("  trials.csv, trials.png")
        return "\n".join(lines)


def tune(
    source: SpecSource,
    overrides: Overrides = None,
    directory: Path | str | None = None,
    overwrite: bool = False,
    verbose: int = 1,
    role: Role = Role(),
    restart: Restart | None = None,
    max_memory: MaxMemory = None,
) -> Sweep:
    """Run (or resume) the sweep of a spec's tune section; returns the results.

    With ``restart``, the process replaces itself with ``restart.argv`` (the same
    sweep, which resumes) once it has grown by ``restart.megabytes``: TensorFlow
    keeps some memory of every model it trains (tensorflow/tensorflow#61791), so
    a long sweep would otherwise grow without bound. The ``zoo`` command sets it.
    With ``max_memory`` (bytes, or a MemoryLimit), a trial whose training the cost
    estimate puts above it fails at once, saying why, and the sweep goes on.
    """
    spec, document = load_sweep(source, overrides, max_memory)
    if spec.tune is None or document is None:
        raise UserError(
            f"{source}: no tune section; add tune: {{space: ...}} (see docs/guides/tuning.md)"
        )
    distribute = (spec.train or Train()).distribute
    if distribute is not None and STRATEGIES[distribute].multi_worker:
        raise UserError(
            f"train.distribute {distribute}: a sweep trains each trial on one machine; "
            "run trials side by side with --workers N, or on other machines with --chief"
        )
    folder = spec_folder(source)
    directory = Path(directory) if directory else Path("runs") / f"{spec.name}-tune"
    hypermodel = SpecHyperModel(spec, document, folder, memory_limit(max_memory))
    hypermodel.splits(spec)  # a data mistake stops the sweep before anything is written
    if role.kind != "worker":
        _claim(directory, spec, overwrite)
    with _atomic_state_writes(), _one_line_failures():
        fresh = overwrite and role.kind != "worker"
        tuner = _tuner(spec, hypermodel, directory, fresh, verbose, role, restart)
        if role.kind == "chief":
            from zoo.tuning.distributed import serve

            tuner.oracle.verbose = 0  # the workers report each trial
            tuner.save()
            serve(tuner.oracle, role.host, role.port, lambda: tuner.write_results())
        else:
            tuner.search(verbose=0)
        if role.kind == "worker":
            return Sweep(directory, spec, [], None)
        return tuner.write_results()


def _claim(directory: Path, spec: Spec, overwrite: bool) -> None:
    """Make ``directory`` this spec's sweep folder, refusing one that holds another sweep."""
    recorded = directory / "spec.yaml"
    text = to_yaml(spec)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(
            f"--dir {directory}: cannot make the sweep folder there ({error.strerror})"
        ) from None
    if recorded.exists() and not overwrite and _identity(recorded.read_text()) != _identity(text):
        raise UserError(
            f"{directory} holds a sweep of a different spec (see its spec.yaml); "
            "pass --overwrite to start afresh there, or --dir for a new folder"
        )
    if overwrite and directory.exists():
        for name in ("trials.csv", "trials.png", "best.yaml"):
            (directory / name).unlink(missing_ok=True)
    write_text(recorded, text)


def _identity(text: str) -> Any:
    """A sweep's resolved spec (as its folder records it) less its budget: with a larger
    tune.max_trials the same sweep goes on (Keras Tuner keeps no count of its own)."""
    spec = yaml.safe_load(text)
    if isinstance(spec, dict) and isinstance(spec.get("tune"), dict):
        spec["tune"].pop("max_trials", None)
    return spec


def _tuner(
    spec: Spec,
    hypermodel: SpecHyperModel,
    directory: Path,
    overwrite: bool,
    verbose: int,
    role: Role,
    restart: Restart | None,
) -> Any:
    tune = spec.tune
    assert tune is not None
    base = TUNERS[tune.tuner].load()
    tuner_class = type(f"Spec{base.__name__}", (Reporting, base), {})
    arguments: dict[str, Any] = {
        "hypermodel": hypermodel,
        "objective": kt.Objective(tune.objective, objective_direction(tune)),
        "seed": oracle_seed(tune.seed if tune.seed is not None else spec.seed),
        "executions_per_trial": tune.executions_per_trial,
        "directory": str(directory),
        "project_name": results.PROJECT,
        "overwrite": overwrite,
        # a diverged or clashing trial is a result of the search, not a reason to stop it
        "max_consecutive_failed_trials": 10**6,
        "spec": spec,
        "verbose": verbose,
        "role": role,
        "restart": restart,
    }
    epochs = tune.epochs or (spec.train or Train()).epochs
    if tune.tuner == "hyperband":
        arguments.update(max_epochs=epochs, factor=tune.factor or 3)
        arguments["hyperband_iterations"] = tune.hyperband_iterations or 1
    else:
        arguments["max_trials"] = tune.max_trials or DEFAULT_MAX_TRIALS
    if role.kind == "worker":
        from zoo.tuning.distributed import worker_environment

        worker_environment(role.host, role.port, role.worker_id)
    with contextlib.redirect_stdout(io.StringIO()):  # Keras Tuner's "Reloading ..." line
        tuner = tuner_class(**arguments)
    if role.kind == "worker":
        return tuner  # its oracle is the chief's, over the network
    done = sum(1 for t in tuner.oracle.trials.values() if t.status in FINISHED)
    if done and verbose:
        print(f"resuming the sweep in {directory}: {done} trials done", flush=True)
    return tuner


FINISHED = ("COMPLETED", "FAILED", "INVALID")


def oracle_seed(seed: int | None) -> int | None:
    """The seed Keras Tuner's oracle gets for the sweep's seed. The oracle reads a seed
    of 0 as none at all (``seed or random.randint(1, 10000)``), which made the default
    seed, 0, draw other trials on every run; shifted by one, every seed is kept."""
    return None if seed is None else seed + 1


class Reporting:
    """Mixed into Keras Tuner's tuner: a line per trial, each trial's time and best
    epoch as metrics (so they reach the chief too), and the result files after each trial."""

    def __init__(
        self,
        *args: Any,
        spec: Spec,
        verbose: int = 1,
        role: Role = Role(),
        restart: Restart | None = None,
        **kwargs: Any,
    ) -> None:
        # set before Keras Tuner's own constructor, which may reload finished trials
        self.zoo_spec, self.zoo_verbose, self.zoo_role = spec, verbose, role
        self.zoo_restart = restart
        self.zoo_start_megabytes: float | None = None
        super().__init__(*args, **kwargs)

    def run_trial(self, trial: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        kwargs["verbose"] = _fit_verbosity(self.zoo_verbose)
        histories = super().run_trial(trial, *args, **kwargs)  # type: ignore[misc]
        seconds = time.perf_counter() - started
        trial_folder = Path(self.get_trial_dir(trial.trial_id))  # type: ignore[attr-defined]
        results.write_trial_history(histories, trial_folder)
        for history in histories:
            history.history[results.TRIAL_SECONDS] = [seconds] * len(history.epoch)
            history.history[results.BEST_EPOCH] = [float(e + 1) for e in history.epoch]
        return histories

    def on_trial_begin(self, trial: Any) -> None:
        super().on_trial_begin(trial)  # type: ignore[misc]
        if self.zoo_verbose:
            values = self.hypermodel.values(trial.hyperparameters.copy())  # type: ignore[attr-defined]
            shown = "  ".join(f"{p}={results.show(v)}" for p, v in values.items())
            print(f"{self._who()}trial {trial.trial_id}: {shown}", flush=True)

    def on_trial_end(self, trial: Any) -> None:
        super().on_trial_end(trial)  # type: ignore[misc]
        if self.zoo_verbose:
            print(self._who() + self._outcome(trial), flush=True)
        if self.zoo_role.kind == "alone":
            self.write_results()
        self._restart_if_grown()

    def _restart_if_grown(self) -> None:
        """Give TensorFlow's kept memory back by starting afresh; the sweep resumes."""
        restart, start, now = self.zoo_restart, self.zoo_start_megabytes, resident_megabytes()
        if start is None:  # measured from the end of the first trial, once TensorFlow is warm
            self.zoo_start_megabytes = now
            return
        if restart is None or now is None or now - start <= restart.megabytes:
            return
        if self.zoo_verbose:
            print(
                f"{self._who()}restarting the process to give back memory "
                f"({now - start:.0f} MB kept by TensorFlow); the sweep resumes",
                flush=True,
            )
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, [sys.executable, "-m", "zoo.cli", *restart.argv])

    def _who(self) -> str:
        return f"[{self.zoo_role.worker_id}] " if self.zoo_role.kind == "worker" else ""

    def _outcome(self, trial: Any) -> str:
        tune = self.zoo_spec.tune
        assert tune is not None
        ended = self.oracle.get_trial(trial.trial_id)  # type: ignore[attr-defined]
        if ended.status != "COMPLETED":
            why = results.failure_reason(ended.message)
            return f"trial {trial.trial_id} {ended.status.lower()}: {why}"
        best = self.oracle.get_best_trials(1)  # type: ignore[attr-defined]
        best_text = f" (best: trial {best[0].trial_id}, {best[0].score:.6g})" if best else ""
        seconds = ended.metrics.get_best_value(results.TRIAL_SECONDS) or 0.0
        score = f"{tune.objective} {ended.score:.6g}"
        return f"trial {trial.trial_id} done: {score}{best_text}, {seconds:.0f} s"

    def write_results(self) -> Sweep:
        """trials.csv, trials.png and best.yaml as they stand; the Sweep they describe."""
        spec, tune = self.zoo_spec, self.zoo_spec.tune
        assert tune is not None
        directory = Path(self.directory)  # type: ignore[attr-defined]
        direction = objective_direction(tune) or "min"
        trials = list(self.oracle.trials.values())  # type: ignore[attr-defined]
        rows = results.rows_from(trials, self.hypermodel.values, tune.objective)  # type: ignore[attr-defined]
        paths = list(tune.space)
        results.write_csv(rows, paths, tune.objective, direction, directory / "trials.csv")
        if rows:
            title = f"{spec.name}: {tune.tuner} search"
            results.plot(rows, tune.objective, direction, directory / "trials.png", title)
        ranked = [r for r in results.ranked(rows, direction) if r.objective is not None]
        best = ranked[0] if ranked else None
        if best is not None:
            text = results.best_spec_text(self.hypermodel, best, directory, tune.objective)  # type: ignore[attr-defined]
            write_text(directory / "best.yaml", text)
        return Sweep(directory, spec, rows, best)


def _fit_verbosity(verbose: int) -> int:
    """Keras's progress bar on a terminal, a line per epoch in a log, nothing when quiet."""
    if not verbose:
        return 0
    return 1 if sys.stdout.isatty() else 2


__all__ = ["Restart", "Role", "Sweep", "tune"]
