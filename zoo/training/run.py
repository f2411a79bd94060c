"""Training a spec's model on its data, into a run directory that can be resumed."""

from __future__ import annotations

import math
import shutil
import tempfile
import time
from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import keras

from zoo.atomic import write_text
from zoo.data import Splits, load_splits
from zoo.data.base import data_seed
from zoo.data.preprocessing import fit_preprocessing
from zoo.errors import UserError
from zoo.registry import CALLBACKS, STRATEGIES
from zoo.saving import load_model, trained_record
from zoo.spec import Overrides, SpecSource, to_yaml
from zoo.spec.compose import parse_assignments
from zoo.spec.cost import MaxMemory, estimate
from zoo.spec.loading import load_spec
from zoo.spec.metrics import baseline_metric, metric_direction, monitored
from zoo.spec.schema import Spec, Train
from zoo.spec.shipped import spec_folder
from zoo.training import pipeline, plots
from zoo.training.callbacks import DivergenceGuard, ResumedCallbacks, RunRecorder
from zoo.training.gradients import GradientNormLogger, GradientNormProbe
from zoo.training.memory import releases_memory
from zoo.training.records import LAST, STATE, RunResults, RunState, write_gradient_csv


class TrainingDiverged(Exception):
    """The loss became NaN or infinite; the last good epoch's files are kept."""

    def __init__(self, message: str, directory: Path) -> None:
        super().__init__(message)
        self.directory = directory  # the run's folder, with the steps up to the blow-up


class OutOfMemory(UserError):
    """A batch did not fit in memory while training; the finished epochs are kept."""


def _out_of_memory_message(spec: Spec, state: RunState, directory: Path) -> str:
    batch = (spec.train or Train()).batch_size
    smaller = f"--set train.batch_size={max(1, batch // 2)}"
    kept = (
        f"epochs 1-{state.epochs_done} are kept in {directory} (zoo train --resume "
        f"{directory} {smaller} continues with smaller batches)"
        if state.epochs_done
        else f"no epoch had finished ({directory})"
    )
    return (
        f"{spec.name}: out of memory training at train.batch_size {batch}: lower it "
        f"({smaller}) or the model's size (zoo show --cost); {kept}"
    )


@dataclass
class Run:
    directory: Path
    spec: Spec
    state: RunState
    monitor: str
    seconds: float
    test_metrics: dict[str, float] = field(default_factory=dict)
    baseline: dict[str, float] = field(default_factory=dict)
    worker: int | None = None  # a multi-worker run's non-chief: the chief keeps the run

    def summary(self) -> str:
        """One screen: outcome, best epoch, last and test metrics, where things are."""
        history, state = self.state.history, self.state
        if self.worker is not None:
            return (
                f"{self.spec.name}: worker {self.worker} trained {state.epochs_done} epochs in "
                f"{self.seconds:.0f} s ({state.status}); the chief (task 0) keeps the run "
                "directory"
            )
        lines = [
            f"{self.spec.name}: {state.epochs_done} epochs in {self.seconds:.0f} s ({state.status})"
        ]
        if state.best_epoch is not None:
            lines.append(f"  best epoch {state.best_epoch}: {self.monitor} {state.best_value:.6g}")
        if history:
            last = "  ".join(f"{k} {v[-1]:.6g}" for k, v in history.items() if k != "epoch")
            lines.append(f"  last epoch {state.epochs_done}: {last}")
        if self.test_metrics:
            test = "  ".join(f"{k} {v:.6g}" for k, v in self.test_metrics.items())
            lines.append(f"  test split (best model): {test}")
        for name, value in self.baseline.items():
            lines.append(f"  baseline: {name} {value:.6g}")
        lines.append(f"  {estimate(self.spec).line()}")
        files = sorted(
            p.name + ("/" if p.is_dir() else "")
            for p in self.directory.iterdir()
            if not p.name.startswith(".")
        )
        lines.append(f"  run directory: {self.directory}")
        lines.append(f"    {', '.join(files)}")
        return "\n".join(lines)


@releases_memory  # a sweep or a notebook trains many models in one process
def train(
    source: SpecSource | None = None,
    overrides: Overrides = None,
    runs: Path | str = "runs",
    resume: Path | str | None = None,
    verbose: int = 1,
    unsafe: bool = False,
    max_memory: MaxMemory = None,
    cluster: str | None = None,
    task_index: int | None = None,
) -> Run:
    """Train a spec (or continue ``resume``, a run directory, where ``overrides`` may
    change only RESUMABLE fields, e.g. a smaller batch after running out of memory) and
    return the Run.
    ``unsafe`` lets a resumed run's models load with Lambda layers (Keras safe mode off);
    ``max_memory`` refuses, before anything is loaded, a spec whose training the cost
    estimate puts above it. For ``train.distribute: multi_worker``, ``cluster``
    ("HOST:PORT,HOST:PORT", the chief first) and ``task_index`` say who trains
    together and which worker this is (else TF_CONFIG does): see zoo.training.multi_worker."""
    started = time.perf_counter()
    if resume is not None:
        directory, spec, state = _resumed(Path(resume), overrides, max_memory)
        folder = Path(state.spec_folder)
    else:
        if source is None:
            raise UserError("give a spec to train, or --resume RUN_DIR")
        spec = load_spec(source, overrides, max_memory)
        folder, directory, state = spec_folder(source), None, None
    team = _team(spec, cluster, task_index)  # before TensorFlow runs anything
    splits = load_splits(spec, folder)  # a data mistake stops us before anything is written
    try:
        if team is not None:
            with team.strategy.scope():
                model = build_fitted(spec, splits)
            directory, state = _joined(
                team, model, spec, directory, state, Path(runs), folder, unsafe
            )
        else:
            with _strategy_scope(spec):
                model = (
                    _resumed_model(directory, spec, splits, unsafe)
                    if directory is not None
                    else build_fitted(spec, splits)
                )
        if directory is None or state is None:
            directory = _new_run_directory(Path(runs), spec.name)
            write_text(directory / "spec.yaml", to_yaml(spec))
            state = RunState(spec_folder=str(folder))
        run = _train_model(model, spec, splits, directory, state, verbose, unsafe, team)
    except _lost_workers() as error:
        if team is None:  # not a peer's absence: TensorFlow's own message says what
            raise
        raise WorkerLost(_lost_message(spec, state, directory, team, error)) from None
    finally:
        if team is not None and not team.cluster.is_chief and directory is not None:
            shutil.rmtree(directory, ignore_errors=True)  # a worker's checkpoints only
    run.seconds = time.perf_counter() - started
    if team is not None and not team.cluster.is_chief:
        run.worker = team.cluster.index
    return run


def _train_model(
    model: Any,
    spec: Spec,
    splits: Splits,
    directory: Path,
    state: RunState,
    verbose: int,
    unsafe: bool,
    team: Any,
) -> Run:
    settings = spec.train or Train()
    chief = team is None or team.cluster.is_chief
    record = trained_record(spec, splits.train)
    monitor = monitored(spec)
    guard = DivergenceGuard()
    step = state.gradient_norms[-1][0] if state.gradient_norms else 0
    gradients = GradientNormLogger(GradientNormProbe(model.optimizer), first_step=step)
    recorder = RunRecorder(directory, record, state, monitor, guard, gradients)
    own = spec_callbacks(spec)
    callbacks = [guard, gradients, recorder, *own, _tensorboard(directory)]
    if state.epochs_done and own:
        best = directory / "best.keras"
        callbacks.append(  # last: after Keras has reset them
            ResumedCallbacks(
                own,
                state,
                # a worker keeps no best.keras: the chief's run restores its own
                (lambda: load_model(best, unsafe=unsafe).get_weights()) if chief else None,
            )
        )
    if state.epochs_done < settings.epochs:
        try:
            fit(model, spec, splits, callbacks, verbose, state.epochs_done, team=team)
        except _resource_exhausted():  # a batch too large for this machine
            state.status = "out of memory"
            state.save(directory)
            if not chief:
                raise OutOfMemory(
                    f"{spec.name}: worker {team.cluster.index} ran out of memory training at "
                    f"train.batch_size {settings.batch_size}; the chief (task 0) keeps the run"
                ) from None
            raise OutOfMemory(_out_of_memory_message(spec, state, directory)) from None
    if guard.diverged_at is not None:
        state.status = "diverged"
        state.save(directory)
        _record_blow_up(state.gradient_norms + gradients.rows, directory, spec.name)
        kept = directory if chief else None
        message = _divergence_message(spec.name, guard.diverged_at, state, kept)
        raise TrainingDiverged(message, directory)
    state.status = "complete"
    state.save(directory)
    # the baseline on the examples the test metrics are of, where there is a test split
    scored = splits.test if splits.test is not None else splits.train
    run = Run(directory, spec, state, monitor, 0.0, baseline=scored.baseline)
    if not chief:
        return run
    if splits.test is not None and (directory / "best.keras").exists():
        # the chief alone, on the whole split: the best model is a file, not the team's
        best = load_model(directory / "best.keras", unsafe=unsafe)
        run.test_metrics = _evaluate(best, splits.test, settings.batch_size)
    measures = scored.naive.measures if scored.naive is not None else None
    split = "test" if splits.test is not None else "train"
    results = RunResults(split, run.test_metrics, run.baseline, baseline_metric(spec, measures))
    results.save(directory)  # what zoo compare reads
    return run


def fit(
    model: Any,
    spec: Spec,
    splits: Splits,
    callbacks: list,
    verbose: int,
    initial_epoch: int = 0,
    epochs: int | None = None,
    team: Any = None,
) -> Any:
    """model.fit on the spec's data and train settings, from ``initial_epoch`` (whose
    shuffle and dropout draws are those an uninterrupted run would make there); the
    zoo's own loop for a team of workers (zoo.training.multi_worker)."""
    settings = spec.train or Train()
    if spec.seed is not None:
        keras.utils.set_random_seed(spec.seed + initial_epoch)  # dropout draws
    epochs = epochs or settings.epochs
    if team is not None:
        from zoo.training import multi_worker

        return multi_worker.fit(
            model,
            spec,
            splits,
            callbacks,
            verbose,
            initial_epoch,
            epochs,
            data_seed(spec),
            team.strategy,
            team.cluster.index,
        )
    steps = pipeline.batches_per_epoch(splits.train, settings.batch_size, settings.steps_per_epoch)
    data = pipeline.training_pipeline(
        splits.train,
        settings.batch_size,
        epochs,
        initial_epoch,
        data_seed(spec),
        settings.steps_per_epoch,
    )
    validation = (
        pipeline.evaluation_pipeline(splits.validation, settings.batch_size)
        if splits.validation is not None
        else None
    )
    return model.fit(
        data,
        epochs=epochs,
        initial_epoch=initial_epoch,
        steps_per_epoch=steps,
        validation_data=validation,
        callbacks=callbacks,
        shuffle=False,  # the pipeline shuffles, reproducibly per epoch
        verbose=verbose,
    )


def _record_blow_up(rows: list[tuple[int, float, float]], directory: Path, title: str) -> None:
    """The gradient norms up to the step that diverged, in the CSV and its plot, so the
    spike can be seen; the run state keeps only completed epochs, for --resume."""
    write_gradient_csv(rows, directory / "gradient_norms.csv")
    finite = [row for row in rows if all(math.isfinite(v) for v in row[1:])]
    if finite:
        plots.plot_gradient_norms(finite, directory / "gradient_norms.png", title)


def _divergence_message(
    name: str, where: tuple[int, int], state: RunState, directory: Path | None
) -> str:
    """``directory`` None: a multi-worker run's non-chief, whose folder is temporary."""
    epoch, step = where
    kept = (
        " No epoch completed, so no model was kept."
        if not state.epochs_done
        else f" The last good model is {directory / LAST}."
        if directory is not None
        else " The chief (task 0) keeps the last good model."
    )
    return (
        f"{name}: the loss became NaN/inf at epoch {epoch}, step {step}. Try gradient clipping "
        "(compile.clipnorm: 1.0 or compile.global_clipnorm: 1.0) or a lower learning rate." + kept
    )


def _evaluate(model: Any, dataset, batch_size: int) -> dict[str, float]:
    results = model.evaluate(
        pipeline.evaluation_pipeline(dataset, batch_size), verbose=0, return_dict=True
    )
    return {k: float(v) for k, v in results.items()}


def spec_callbacks(spec: Spec) -> list:
    """The callbacks the spec's train section asks for. Each watches its metric in the
    direction the run recorder uses, unless the spec sets ``mode`` itself."""
    settings = spec.train or Train()
    made = []
    for callback in settings.callbacks:
        monitor = str(callback.args.get("monitor", "val_loss"))
        mode = {"mode": metric_direction(monitor) or "auto"}
        made.append(CALLBACKS[callback.name].load()(**{**mode, **callback.args}))
    return made


def _tensorboard(directory: Path) -> Any:
    return keras.callbacks.TensorBoard(directory / "tensorboard", profile_batch=0)


def _new_run_directory(runs: Path, name: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    directory = runs / f"{name}-{stamp}"
    suffix = 1
    while directory.exists():
        suffix += 1
        directory = runs / f"{name}-{stamp}-{suffix}"
    directory.mkdir(parents=True)
    return directory


# What a resumed run may change: how the rest of its training goes, not the model, data
# or optimizer its files were made with.
RESUMABLE = ("train.epochs", "train.batch_size", "train.steps_per_epoch")


def _resumed(
    directory: Path, overrides: Overrides, max_memory: MaxMemory
) -> tuple[Path, Spec, RunState]:
    if not (directory / STATE).is_file():
        raise UserError(f"{directory}: not a run directory (no {STATE})")
    changes = (
        dict(overrides) if isinstance(overrides, Mapping) else parse_assignments(overrides or [])
    )
    for path in changes:
        if path not in RESUMABLE:
            raise UserError(
                f"--set {path}: a resumed run keeps the model, data and optimizer it was "
                f"started with; it may change {', '.join(RESUMABLE)} (start a new run for more)"
            )
    state = RunState.load(directory)
    spec = load_spec(directory / "spec.yaml", changes, max_memory)
    if changes:  # the run's record says how its later epochs were trained
        write_text(directory / "spec.yaml", to_yaml(spec))
    if state.status in ("diverged", "out of memory"):
        state.status = "running"
    return directory, spec, state


def _resumed_model(directory: Path, spec: Spec, splits: Splits, unsafe: bool) -> Any:
    if (directory / LAST).exists():
        return load_model(directory / LAST, unsafe=unsafe)
    return build_fitted(spec, splits)  # killed before the first epoch finished: start over


def _resource_exhausted() -> tuple[type[BaseException], ...]:
    """What TensorFlow raises when an allocation fails (and MemoryError, for host code)."""
    import tensorflow as tf

    return (tf.errors.ResourceExhaustedError, MemoryError)


def build_fitted(spec: Spec, splits: Splits) -> Any:
    """The spec's model with the data's preprocessing (scaling, vocabulary), fitted on
    the training split alone, inside it."""
    from zoo.builder import build_model

    return build_model(spec, fit_preprocessing(spec, splits.train))


class WorkerLost(UserError):
    """A worker of a multi-worker run stopped answering; the finished epochs are kept."""


def _lost_workers() -> tuple[type[BaseException], ...]:
    """What TensorFlow raises where a collective's peer has gone (its health check)."""
    import tensorflow as tf

    return (tf.errors.UnavailableError, tf.errors.DeadlineExceededError, tf.errors.AbortedError)


def _lost_message(
    spec: Spec, state: RunState | None, directory: Path | None, team: Any, error: Exception
) -> str:
    reason = f"TensorFlow's {type(error).__name__}"
    if team is not None and not team.cluster.is_chief:
        return (
            f"{spec.name}: another worker stopped answering ({reason}); restart every worker, "
            "the chief with zoo train --resume RUN_DIR, the others as they were started"
        )
    done = state.epochs_done if state is not None else 0
    kept = {0: "no epoch had finished", 1: "epoch 1 is kept"}.get(done, f"epochs 1-{done} are kept")
    return (
        f"{spec.name}: a worker stopped answering ({reason}); {kept} in {directory}: restart "
        f"every worker, this one with zoo train --resume {directory} and the same --cluster"
    )


def _team(spec: Spec, cluster: str | None, task_index: int | None) -> Any:
    """The workers training together, for train.distribute multi_worker; else None."""
    from zoo.training import cluster as clusters

    distribute = (spec.train or Train()).distribute
    if distribute is None or not STRATEGIES[distribute].multi_worker:
        if cluster is not None or task_index is not None:  # TF_CONFIG may be another tool's
            raise UserError(
                f"--cluster: {spec.name} trains on one machine; add --set "
                "train.distribute=multi_worker to train it across the cluster"
            )
        return None
    found = clusters.resolve(cluster, task_index)
    if found is None:
        raise UserError(
            f"train.distribute {distribute}: give the cluster, --cluster HOST:PORT,HOST:PORT "
            "--task-index I (0 is the chief), or TF_CONFIG as TensorFlow documents it"
        )
    from zoo.training.multi_worker import Team

    return Team.start(found, STRATEGIES[distribute].load())


def _joined(
    team: Any,
    model: Any,
    spec: Spec,
    directory: Path | None,
    state: RunState | None,
    runs: Path,
    folder: Path,
    unsafe: bool,
) -> tuple[Path, RunState]:
    """Where each worker writes (the chief: the run directory; the others: a temporary
    folder for their checkpoints), and the chief's run state and model on every worker."""
    if team.cluster.is_chief:
        if directory is None:
            directory = _new_run_directory(runs, spec.name)
            write_text(directory / "spec.yaml", to_yaml(spec))
            state = RunState(spec_folder=str(folder))
        assert state is not None
        saved = load_model(directory / LAST, unsafe=unsafe) if (directory / LAST).exists() else None
        team.join(model, to_yaml(spec), state.to_json(), saved)
        return directory, state
    received = team.join(model, to_yaml(spec), "", None)
    worker_directory = Path(tempfile.mkdtemp(prefix=f"zoo-worker{team.cluster.index}-"))
    return worker_directory, RunState.from_json(received)


def _strategy_scope(spec: Spec) -> AbstractContextManager:
    """Where the model is created or loaded: a tf.distribute strategy's scope, so its
    variables are copied to every device, when the spec asks for one."""
    name = (spec.train or Train()).distribute
    return STRATEGIES[name].load()().scope() if name else nullcontext()
