"""``zoo compare``: runs side by side, as people compare cells and architectures.

    import zoo
    rows = zoo.compare(["runs/adding_rnn-TIME", "runs/adding_lstm-TIME"])
    rows[0]["cell"], rows[0]["val_loss"]      # the best run's cell and its best val_loss

Reads run directories and sweep folders from their files alone: nothing is loaded into
TensorFlow, so comparing takes about a second.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from zoo.comparing.runs import Compared, read_runs
from zoo.comparing.table import Comparison
from zoo.errors import UserError
from zoo.spec.derived import loss_name
from zoo.spec.metrics import monitored

__all__ = ["Compared", "Comparison", "compare", "comparison"]


def compare(
    paths: Iterable[Path | str], metric: str | None = None, force: bool = False
) -> list[dict[str, Any]]:
    """The comparison's table as rows, best first (see ``Comparison.rows``)."""
    return comparison(paths, metric, force).rows()


def comparison(
    paths: Iterable[Path | str], metric: str | None = None, force: bool = False
) -> Comparison:
    """The runs in ``paths`` (run directories; a sweep folder stands for its trials)
    ranked by ``metric`` (default: the first run's train.monitor). Runs of different
    data sources or losses answer different questions and are refused, unless
    ``force``: then the comparison's notes say what differs."""
    runs = read_runs(paths)
    if not runs:
        raise UserError("give at least one run directory or sweep folder to compare")
    differences = incomparable(runs)
    if differences and not force:
        raise UserError(f"cannot compare: {'; '.join(differences)} (--force compares them anyway)")
    metric = metric or monitored(runs[0].spec)
    for run in runs:
        logged = [k for k in run.history if k != "epoch"]
        if logged and metric not in logged:
            raise UserError(
                f"--metric: {run.label} does not log {metric!r}; it logs {', '.join(logged)}"
            )
    return Comparison.of(runs, metric, differences)


def incomparable(runs: list[Compared]) -> list[str]:
    """What makes the runs answer different questions: their data or their loss."""
    aspects = {
        "data sources": lambda run: run.spec.data.source if run.spec.data else "none",
        "losses": lambda run: loss_name(run.spec),
    }
    differences = []
    for aspect, of in aspects.items():
        groups: dict[str, list[str]] = {}
        for run in runs:
            groups.setdefault(of(run), []).append(run.label)
        if len(groups) > 1:
            each = "; ".join(f"{value}: {', '.join(labels)}" for value, labels in groups.items())
            differences.append(f"different {aspect} ({each})")
    return differences
