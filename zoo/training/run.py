"""Training a spec's model on its data, into a run directory that can be resumed."""

from __future__ import annotations

import math
import shutil
import tempfile
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keras

from zoo.builder import build_model
from zoo.data import Splits, load_splits, references
from zoo.data.base import data_seed
from zoo.data.preprocessing import Preprocessing, fit_preprocessing
from zoo.errors import UserError
from zoo.registry import CALLBACKS, STRATEGIES
from zoo.saving import load_model, trained_record
from zoo.spec import Overrides, SpecSource, assignments, to_yaml
from zoo.spec.cost import MaxMemory, estimate
from zoo.spec.loading import load_spec
from zoo.spec.metrics import (
    CALLBACK_MONITOR,
    baseline_metric,
    loss_measure,
    metric_direction,
    monitored,
)
from zoo.spec.schema import Spec, Train
from zoo.spec.shipped import spec_folder
from zoo.training import pipeline, plots
from zoo.training.callbacks import DivergenceGuard, ResumedCallbacks, RunRecorder
from zoo.training.directory import RunDirectory
from zoo.training.gradients import GradientNormLogger, GradientNormProbe
from zoo.training.memory import releases_memory
from zoo.training.records import LAST, RunResults, RunState, write_gradient_csv
from zoo.training.seeds import restore_seed_states


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
    classical: dict[str, dict[str, float]] = field(default_factory=dict)  # see RunResults
    by_step: dict[str, list[float]] = field(default_factory=dict)  # see RunResults
    worker: int | None = None  # a multi-worker run's non-chief: the chief keeps the run
    notes: list[str] = field(default_factory=list)  # what the user should know of the data

    def summary(self) -> str:
        """One screen: outcome, best epoch, last and test metrics, where things are."""
        history, state = self.state.history, self.state
        if self.worker is not None:
            return (
                f"{self.spec.name}: worker {self.worker} trained {_epochs(state.epochs_done)} in "
                f"{self.seconds:.0f} s ({state.status}); the chief (task 0) keeps the run "
                "directory"
            )
        done = _epochs(state.epochs_done)
        lines = [f"{self.spec.name}: {done} in {self.seconds:.0f} s ({state.status})"]
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
        lines += [f"  {line}" for line in references.lines(self.classical)]
        lines += _by_step_lines(self.by_step)
        lines += [f"  note: {note}" for note in self.notes]
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
    directory: RunDirectory | None = None
    state: RunState | None = None
    numbering = None
    if resume is not None:
        directory = RunDirectory.open(resume)
        state = directory.state()
        spec = directory.resumed_spec(assignments(overrides), max_memory)
        folder = Path(state.spec_folder)
        record = directory.record()
        numbering = record.numbering if record is not None else None
    else:
        if source is None:
            raise UserError("give a spec to train, or --resume RUN_DIR")
        spec = load_spec(source, overrides, max_memory)
        folder = spec_folder(source)
    team = _team(spec, cluster, task_index)  # before TensorFlow runs anything
    # a data mistake stops us before anything is written; a resumed run reads its data
    # with the ids its model has, whatever the file holds now
    splits = load_splits(spec, folder, numbering)
    notes = [] if resume is not None else split_notes(splits)
    try:
        if team is not None:
            with team.strategy.scope():
                model, preprocessing = build_fitted(spec, splits), None
            directory, state = _joined(
                team, model, spec, directory, state, Path(runs), folder, unsafe
            )
        elif directory is not None and directory.last.is_file():
            with _strategy_scope(spec):
                model = _resumed_model(directory, state, unsafe)
        else:  # a new run, or one killed before its first epoch finished: start over
            preprocessing = fit_preprocessing(spec, splits.train)
            notes += preprocessing_notes(preprocessing)
            with _strategy_scope(spec):
                model = build_model(spec, preprocessing)
        if directory is None or state is None:
            directory, state = RunDirectory.create(Path(runs), spec, folder)
        run = _train_model(model, spec, splits, directory, state, verbose, unsafe, team)
    except _lost_workers() as error:
        if team is None:  # not a peer's absence: TensorFlow's own message says what
            raise
        path = directory.path if directory is not None else None
        raise WorkerLost(_lost_message(spec, state, path, team, error)) from None
    finally:
        if team is not None and not team.cluster.is_chief and directory is not None:
            shutil.rmtree(directory.path, ignore_errors=True)  # a worker's checkpoints only
    run.seconds = time.perf_counter() - started
    run.notes = notes
    if team is not None and not team.cluster.is_chief:
        run.worker = team.cluster.index
    return run


def split_notes(splits: Splits) -> list[str]:
    """What the user should know of how the data was split."""
    if not splits.dropped:
        return []
    return [
        f"split by time: {splits.dropped} windows whose targets straddle a split's boundary "
        "are left out, so that no target is in two splits"
    ]


def preprocessing_notes(preprocessing: Preprocessing | None) -> list[str]:
    vocabulary = preprocessing.vocabulary if preprocessing is not None else None
    note = vocabulary.note() if vocabulary is not None else None
    return [note] if note else []


def _train_model(
    model: Any,
    spec: Spec,
    splits: Splits,
    run_directory: RunDirectory,
    state: RunState,
    verbose: int,
    unsafe: bool,
    team: Any,
) -> Run:
    settings = spec.train or Train()
    chief = team is None or team.cluster.is_chief
    directory = run_directory.path
    record = trained_record(spec, splits.train)
    monitor = monitored(spec)
    guard = DivergenceGuard()
    step = state.gradient_norms[-1][0] if state.gradient_norms else 0
    gradients = GradientNormLogger(GradientNormProbe(model.optimizer), first_step=step)
    recorder = RunRecorder(run_directory, record, state, monitor, guard, gradients)
    own = spec_callbacks(spec)
    callbacks = [guard, gradients, recorder, *own, _tensorboard(directory)]
    if state.epochs_done and own:
        best = run_directory.best
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
    baseline = splits.baseline(scored, loss_measure(spec))
    run = Run(directory, spec, state, monitor, 0.0, baseline=baseline)
    if not chief:
        return run
    run.classical = references.scores(scored, splits.train, spec)
    if splits.test is not None and run_directory.best.exists():
        # the chief alone, on the whole split: the best model is a file, not the team's
        best = load_model(run_directory.best, unsafe=unsafe)
        run.test_metrics = _evaluate(best, splits.test, settings.batch_size)
        # a translation's score is of what it decodes, not of teacher-forced steps
        from zoo.inference.decoding import decoded_scores

        run.test_metrics.update(decoded_scores(best, spec, splits.test))
        run.by_step = _mae_by_step(best, spec, splits)
    naive = scored.naive.measured_as(loss_measure(spec)) if scored.naive is not None else None
    measures = naive.measures if naive is not None else None
    split = "test" if splits.test is not None else "train"
    results = RunResults(
        split,
        run.test_metrics,
        run.baseline,
        baseline_metric(spec, measures),
        run.classical,
        run.by_step,
    )
    results.save(directory)  # what zoo compare reads
    return run


def _mae_by_step(model: Any, spec: Spec, splits: Splits) -> dict[str, list[float]]:
    """A forecaster's MAE at each step ahead on the test windows, beside the classical
    methods' from the same origins; {} for one step ahead or data that is no series."""
    from zoo.backtesting import backtestable, backtested

    if not backtestable(splits):
        return {}
    scored = backtested(model, spec, splits, spec.name)
    if scored.horizon == 1:  # its overall MAE says it all
        return {}
    return {name: scored.per_step(name)["MAE"].tolist() for name in scored.forecasts}


def _by_step_lines(by_step: dict[str, list[float]]) -> list[str]:
    """The MAE at each step ahead, a line per forecaster."""
    if not by_step:
        return []
    width = max(len(name) for name in by_step) + 2
    steps = len(next(iter(by_step.values())))
    lines = [f"  test MAE by steps ahead (1 to {steps}):"]
    for name, values in by_step.items():
        lines.append("    " + name.ljust(width) + " ".join(f"{v:.4g}".rjust(7) for v in values))
    return lines


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
        monitor = str(callback.args.get("monitor", CALLBACK_MONITOR))
        mode = {"mode": metric_direction(monitor) or "auto"}
        made.append(CALLBACKS[callback.name].load()(**{**mode, **callback.args}))
    return made


def _tensorboard(directory: Path) -> Any:
    return keras.callbacks.TensorBoard(directory / "tensorboard", profile_batch=0)


def _resumed_model(directory: RunDirectory, state: RunState, unsafe: bool) -> Any:
    """last.keras, its random generators where the interrupted run left them."""
    model = load_model(directory.last, unsafe=unsafe)
    restore_seed_states(model, state.seed_states)
    return model


def _resource_exhausted() -> tuple[type[BaseException], ...]:
    """What TensorFlow raises when an allocation fails (and MemoryError, for host code)."""
    import tensorflow as tf

    return (tf.errors.ResourceExhaustedError, MemoryError)


def build_fitted(spec: Spec, splits: Splits) -> Any:
    """The spec's model with the data's preprocessing (scaling, vocabulary), fitted on
    the training split alone, inside it."""
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
    directory: RunDirectory | None,
    state: RunState | None,
    runs: Path,
    folder: Path,
    unsafe: bool,
) -> tuple[RunDirectory, RunState]:
    """Where each worker writes (the chief: the run directory; the others: a temporary
    folder for their checkpoints), and the chief's run state and model on every worker."""
    if team.cluster.is_chief:
        if directory is None or state is None:
            directory, state = RunDirectory.create(runs, spec, folder)
        saved = None
        if directory.last.is_file():
            saved = load_model(directory.last, unsafe=unsafe)
            restore_seed_states(saved, state.seed_states)
        team.join(model, to_yaml(spec), state.to_json(), saved)
        return directory, state
    received = team.join(model, to_yaml(spec), "", None)
    worker_directory = Path(tempfile.mkdtemp(prefix=f"zoo-worker{team.cluster.index}-"))
    return RunDirectory(worker_directory), RunState.from_json(received)


def _strategy_scope(spec: Spec) -> AbstractContextManager:
    """Where the model is created or loaded: a tf.distribute strategy's scope, so its
    variables are copied to every device, when the spec asks for one."""
    name = (spec.train or Train()).distribute
    return STRATEGIES[name].load()().scope() if name else nullcontext()


def _epochs(count: int) -> str:
    return "1 epoch" if count == 1 else f"{count} epochs"
