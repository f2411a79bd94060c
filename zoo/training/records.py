"""What a run directory holds, written atomically after every epoch.

spec.yaml            the resolved spec the run trains
state.json           epochs done, best epoch, status, training time, random generators' states
results.json         the best model's test-split metrics beside the trivial baseline
last.keras           the model after the last completed epoch (with optimizer state)
best.keras           the model at the best epoch of `train.monitor`
history.csv/.png     loss and metrics per epoch
gradient_norms.csv/.png   global gradient norm per step, before and after clipping
tensorboard/         TensorBoard logs
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

from zoo.atomic import write_text
from zoo.spec.metrics import is_better

STATE = "state.json"
RESULTS = "results.json"
LAST = "last.keras"
STATE_MEMBER = "zoo_run_state.json"  # the run state inside last.keras


@dataclass
class RunState:
    spec_folder: str  # where relative data paths of the spec resolve
    epochs_done: int = 0
    best_epoch: int | None = None
    best_value: float | None = None
    status: str = "running"  # running | complete | diverged | out of memory
    seconds: float = 0.0  # time spent in finished epochs, summed over resumes
    history: dict[str, list[float]] = field(default_factory=dict)
    gradient_norms: list[tuple[int, float, float]] = field(default_factory=list)
    # every random generator's state after the last completed epoch (zoo.training.seeds),
    # so the epochs after a resume draw the dropout masks an uninterrupted run draws
    seed_states: dict[str, list[int]] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)

    def save(self, directory: Path) -> None:
        write_text(directory / STATE, self.to_json())

    @classmethod
    def from_json(cls, text: str) -> RunState:
        data = json.loads(text)
        data["gradient_norms"] = [tuple(row) for row in data["gradient_norms"]]
        return cls(**data)

    @classmethod
    def load(cls, directory: Path) -> RunState:
        """The state of the last completed epoch: the copy inside last.keras (written in
        one atomic step with the model it describes) when there is one."""
        from zoo.saving import read_member

        last = directory / LAST
        embedded = read_member(last, STATE_MEMBER) if last.is_file() else None
        return cls.from_json(embedded or (directory / STATE).read_text())

    def record_epoch(self, epoch: int, logs: dict[str, float], monitor: str) -> bool:
        """Add an epoch's logs; True when it is the best so far."""
        self.epochs_done = epoch
        self.history.setdefault("epoch", []).append(epoch)
        for name, value in logs.items():
            self.history.setdefault(name, []).append(float(value))
        value = logs.get(monitor)
        improved = (
            value is not None
            and math.isfinite(value)
            and (self.best_value is None or is_better(monitor, value, self.best_value))
        )
        if improved:
            self.best_epoch, self.best_value = epoch, float(value)
        return improved


@dataclass
class RunResults:
    """What ``zoo train`` measured once training ended: the best model on the test split
    (``split`` says which split the metrics and the baseline are of)."""

    split: str  # test, or train where the spec holds no test split out
    metrics: dict[str, float] = field(default_factory=dict)
    baseline: dict[str, float] = field(default_factory=dict)  # its name -> its score
    baseline_metric: str | None = None  # the logged metric that scores what it does
    # a forecaster's classical references on the same windows: method -> {mse, mae}
    classical: dict[str, dict[str, float]] = field(default_factory=dict)
    # a forecaster of more than one step ahead: the MAE at each step ahead on the test
    # windows, of the model and of each classical method (as zoo backtest scores them)
    by_step: dict[str, list[float]] = field(default_factory=dict)

    def save(self, directory: Path) -> None:
        write_text(directory / RESULTS, json.dumps(asdict(self), indent=1))

    @classmethod
    def load(cls, directory: Path) -> RunResults | None:
        """None for a run that has not ended (or ended before this file existed)."""
        path = directory / RESULTS
        return cls(**json.loads(path.read_text())) if path.is_file() else None


def write_history_csv(history: dict[str, list[float]], path: Path) -> None:
    columns = list(history)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in zip(*(history[c] for c in columns), strict=True):
        writer.writerow(row)
    write_text(path, buffer.getvalue())


def write_gradient_csv(rows: list[tuple[int, float, float]], path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["step", "norm_before_clipping", "norm_after_clipping"])
    writer.writerows(rows)
    write_text(path, buffer.getvalue())
