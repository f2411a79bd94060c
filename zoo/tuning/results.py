"""A sweep's results: the ranked table, trials.csv, trials.png and best.yaml."""

from __future__ import annotations

import csv
import io
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zoo.atomic import write_text
from zoo.columns import aligned
from zoo.spec import to_yaml
from zoo.spec.compose import apply_overrides
from zoo.spec.metrics import best_first
from zoo.spec.validate import validate_document
from zoo.training.records import write_history_csv

PROJECT = "keras_tuner"  # Keras Tuner's own state, inside the sweep folder
# Metrics each trial reports besides the spec's own (see sweep.Reporting.run_trial).
BEST_EPOCH = "best_epoch"
TRIAL_SECONDS = "trial_seconds"
# Each trial's metrics per epoch, in its folder: Keras Tuner keeps only the best epoch's.
TRIAL_HISTORY = "history.csv"


@dataclass
class TrialRow:
    trial_id: str
    status: str  # COMPLETED, FAILED, RUNNING, ...
    values: dict[str, Any]  # active values only: an inactive conditional field is absent
    objective: float | None = None
    best_epoch: int | None = None
    seconds: float | None = None
    message: str = ""
    metrics: dict[str, float] = field(default_factory=dict)


def rows_from(trials: list[Any], values_of: Any, objective: str) -> list[TrialRow]:
    """TrialRows from Keras Tuner trials; ``values_of(hp)`` gives a trial's active values."""
    rows = []
    for trial in sorted(trials, key=lambda t: t.trial_id):
        metrics = {name: trial.metrics.get_best_value(name) for name in trial.metrics.metrics}
        score = metrics.get(objective)
        epoch = metrics.get(BEST_EPOCH)
        rows.append(
            TrialRow(
                trial_id=trial.trial_id,
                status=str(trial.status),
                values=values_of(trial.hyperparameters.copy()),
                objective=score if score is not None and math.isfinite(score) else None,
                best_epoch=int(epoch) if epoch is not None else None,
                seconds=metrics.get(TRIAL_SECONDS),
                message=failure_reason(trial.message),
                metrics=metrics,
            )
        )
    return rows


def write_trial_history(histories: list[Any], folder: Path) -> None:
    """A trial's learning curves as a run's history.csv (zoo compare draws them): each
    epoch's metrics averaged over the trial's executions (Keras History objects)."""
    if not histories:
        return
    length = min(len(h.epoch) for h in histories)
    curves: dict[str, list[float]] = {"epoch": [e + 1 for e in histories[0].epoch[:length]]}
    for name in histories[0].history:
        curves[name] = [
            sum(float(h.history[name][i]) for h in histories) / len(histories)
            for i in range(length)
        ]
    write_history_csv(curves, folder / TRIAL_HISTORY)


def failure_reason(message: str | None) -> str:
    """Keras Tuner stores a failed trial's whole traceback; its last line says why (less
    the class name of the FailedTrialError the zoo raises with its own message)."""
    lines = [line for line in (message or "").strip().splitlines() if line.strip()]
    return re.sub(r"^[\w.]*FailedTrialError: ", "", lines[-1].strip()) if lines else ""


def ranked(rows: list[TrialRow], direction: str) -> list[TrialRow]:
    """Scored trials best first, then the rest in trial order."""
    return best_first(rows, lambda r: r.objective, direction)


def table(rows: list[TrialRow], paths: list[str], objective: str, direction: str) -> str:
    """The results as aligned text, best first; '-' where a field was inactive."""
    header = ["rank", "trial", *paths, objective, "epoch", "seconds", "status"]
    body = []
    for rank, row in enumerate(ranked(rows, direction), start=1):
        scored = row.objective is not None
        body.append(
            [
                str(rank) if scored else "-",
                row.trial_id,
                *(show(row.values[p]) if p in row.values else "-" for p in paths),
                f"{row.objective:.6g}" if scored else "-",
                str(row.best_epoch) if row.best_epoch is not None else "-",
                f"{row.seconds:.1f}" if row.seconds is not None else "-",
                row.status.lower() + (f": {row.message}" if row.message else ""),
            ]
        )
    return aligned([header, *body])


def show(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def write_csv(
    rows: list[TrialRow], paths: list[str], objective: str, direction: str, path: Path
) -> None:
    """One row per trial in trial order; empty cells where a field was inactive."""
    order = {row.trial_id: rank for rank, row in enumerate(ranked(rows, direction), start=1)}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["trial", "rank", "status", *paths, objective, "best_epoch", "seconds", "message"]
    )
    for row in rows:
        scored = row.objective is not None
        writer.writerow(
            [
                row.trial_id,
                order[row.trial_id] if scored else "",
                row.status,
                *(row.values.get(p, "") for p in paths),
                row.objective if scored else "",
                row.best_epoch if row.best_epoch is not None else "",
                round(row.seconds, 2) if row.seconds is not None else "",
                row.message,
            ]
        )
    write_text(path, buffer.getvalue())


def plot(rows: list[TrialRow], objective: str, direction: str, path: Path, title: str) -> None:
    """The objective per trial and the best so far, so a sweep's progress reads at a glance."""
    from zoo.training import plots

    figure, axis = plots.new_figure()
    numbered = all(r.trial_id.isdigit() for r in rows)
    order = [int(r.trial_id) for r in rows] if numbered else list(range(len(rows)))
    values = [r.objective for r in rows]
    scored = [(n, v) for n, v in zip(order, values, strict=True) if v is not None]
    if scored:
        axis.scatter([n for n, _ in scored], [v for _, v in scored], label="trial", zorder=3)
        best, best_so_far = None, []
        pick = min if direction == "min" else max
        for value in values:
            best = value if best is None else pick(best, value) if value is not None else best
            best_so_far.append(best)
        axis.step(order, best_so_far, where="post", label="best so far", color="C1")
        if direction == "min" and min(v for _, v in scored) > 0:
            axis.set_yscale("log")
    failed = [n for n, v in zip(order, values, strict=True) if v is None]
    for n in failed:
        axis.axvline(
            n, color="C3", alpha=0.3, linewidth=4, label="failed" if n == failed[0] else None
        )
    axis.set_xlabel("trial")
    axis.set_ylabel(objective)
    axis.grid(alpha=0.3)
    axis.legend()
    axis.set_title(title)
    plots.save_figure(figure, path)


def best_spec_text(hypermodel: Any, best: TrialRow, directory: Path, objective: str) -> str:
    """The best trial as a complete spec that ``zoo train`` runs: its values, trained for
    the epochs that reached its best score, data paths re-based on the sweep folder."""
    overrides: dict[str, Any] = {**best.values}
    if best.best_epoch is not None:
        overrides["train.epochs"] = best.best_epoch
    data = hypermodel.base.data.get("data") or {}
    path = (data.get("args") or {}).get("path")
    if isinstance(path, str) and not os.path.isabs(path):
        overrides["data.args.path"] = os.path.relpath(hypermodel.folder / path, directory.resolve())
    spec = validate_document(apply_overrides(hypermodel.base, overrides))
    searched = "\n".join(f"#   {p}: {show(v)}" for p, v in best.values.items())
    return (
        f"# The best trial ({best.trial_id}) of the sweep in {directory}:\n"
        f"# {objective} {best.objective:.6g} at epoch {best.best_epoch}. Searched values:\n"
        f"{searched}\n"
        f"# Reproduce it with: zoo train {directory / 'best.yaml'}\n" + to_yaml(spec)
    )
