"""The callbacks every training run has: divergence guard, run recorder, and the replay
that lets a resumed run's own callbacks continue."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import keras

from zoo.saving import ModelRecord
from zoo.training import plots
from zoo.training.directory import RunDirectory
from zoo.training.gradients import GradientNormLogger
from zoo.training.records import RunState, write_gradient_csv, write_history_csv
from zoo.training.seeds import seed_states

PLOT_INTERVAL_SECONDS = 10.0


class DivergenceGuard(keras.callbacks.Callback):
    """Stops at the first non-finite loss (Keras's TerminateOnNaN, plus where it happened)."""

    def __init__(self) -> None:
        super().__init__()
        self.epoch = 0
        self.diverged_at: tuple[int, int] | None = None  # (epoch, batch), 1-based

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch = epoch + 1

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            self.diverged_at = (self.epoch, batch + 1)
            self.model.stop_training = True


class RunRecorder(keras.callbacks.Callback):
    """After each good epoch: last.keras (carrying the run state, so model and state
    change together), best.keras, the history and gradient-norm files, state.json;
    the plots now and then and at the end."""

    def __init__(
        self,
        directory: RunDirectory,
        record: ModelRecord,
        state: RunState,
        monitor: str,
        guard: DivergenceGuard,
        gradients: GradientNormLogger,
    ) -> None:
        super().__init__()
        self.directory, self.record, self.state, self.monitor = directory, record, state, monitor
        self.guard, self.gradients, self.title = guard, gradients, record.spec.name
        self.last_drawn = time.monotonic()
        self.epoch_began = time.monotonic()

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch_began = time.monotonic()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.guard.diverged_at is not None:
            return  # keep the last good model and records as they are
        self.state.seconds += time.monotonic() - self.epoch_began
        improved = self.state.record_epoch(epoch + 1, dict(logs or {}), self.monitor)
        self.state.gradient_norms.extend(self.gradients.rows)
        self.state.seed_states = seed_states(self.model)
        self.gradients.rows.clear()
        self.directory.save_epoch(self.model, self.record, self.state, best=improved)
        folder = self.directory.path
        write_history_csv(self.state.history, folder / "history.csv")
        write_gradient_csv(self.state.gradient_norms, folder / "gradient_norms.csv")
        # Drawing costs more than a small model's epoch: redraw at most every few seconds
        # while training, and always at the end.
        if time.monotonic() - self.last_drawn > PLOT_INTERVAL_SECONDS:
            self.draw()

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.state.history:
            self.draw()

    def draw(self) -> None:
        folder = self.directory.path
        plots.plot_history(self.state.history, folder / "history.png", self.title)
        if self.state.gradient_norms:
            plots.plot_gradient_norms(
                self.state.gradient_norms, folder / "gradient_norms.png", self.title
            )
        self.last_drawn = time.monotonic()


class ResumedCallbacks(keras.callbacks.Callback):
    """On a resumed run, brings the spec's callbacks (early stopping, plateau-lowered
    learning rate) to where the interrupted run left them.

    Keras resets those callbacks when ``fit`` begins, so without this a resumed run
    would count early stopping's patience from zero again and train longer than the
    run it continues. Put last in the callback list, this replays the recorded epochs
    through each callback right after that reset. During the replay the callbacks see
    a stand-in for the model: the saved model already has whatever they did to it (a
    lowered learning rate), and doing it again would be doing it twice.

    Early stopping with ``restore_best_weights`` gets the weights of its best epoch
    from ``best_weights()`` (best.keras) when that epoch is the run's best, which it
    is unless the two watch different metrics or early stopping's ``min_delta`` skipped
    an improvement; otherwise it keeps the resumed model's weights."""

    def __init__(
        self,
        callbacks: list,
        state: RunState,
        best_weights: Callable[[], list] | None = None,
    ) -> None:
        super().__init__()
        self.callbacks, self.state, self.best_weights = callbacks, state, best_weights

    def on_train_begin(self, logs: dict | None = None) -> None:
        history = self.state.history
        epochs = len(history.get("epoch", []))
        stand_in = _StandInModel(self.model)
        for callback in self.callbacks:
            callback.set_model(stand_in)
            for epoch in range(epochs):
                logged = {k: v[epoch] for k, v in history.items() if k != "epoch"}
                callback.on_epoch_end(epoch, logged)
            callback.set_model(self.model)
            if self._keeps_an_earlier_best(callback, epochs):
                callback.best_weights = self.best_weights()
        # The interrupted run had run out of patience just before it was stopped.
        self.model.stop_training = stand_in.stop_training

    def _keeps_an_earlier_best(self, callback: Any, epochs: int) -> bool:
        if not getattr(callback, "restore_best_weights", False) or self.best_weights is None:
            return False
        best = getattr(callback, "best_epoch", None)  # 0-based, as Keras counts
        # The last epoch's weights are the resumed model's own: nothing to fetch.
        return best is not None and best + 1 < epochs and best + 1 == self.state.best_epoch


class _StandInModel:
    """What early stopping and ReduceLROnPlateau touch of a model, detached from it.
    Weights read during the replay are the resumed model's (those of the last epoch);
    ResumedCallbacks fetches an earlier best epoch's from best.keras afterwards."""

    def __init__(self, model: keras.Model) -> None:
        self.stop_training = False
        self.get_weights = model.get_weights
        rate = float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))
        self.optimizer = SimpleNamespace(learning_rate=rate)
