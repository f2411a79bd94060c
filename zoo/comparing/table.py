"""Runs side by side: the spec fields that differ between them (and only those), what
each cost, and how each did on the compared metric, best first."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zoo.atomic import write_text
from zoo.columns import aligned
from zoo.comparing.runs import Compared
from zoo.spec import flat, to_data
from zoo.spec.cost import estimate
from zoo.spec.derived import loss_name, output_activation
from zoo.spec.metrics import best_first, measure_of, metric_direction
from zoo.spec.schema import Spec

# Fields that name a run rather than change what it trains.
NAMING_FIELDS = ("name", "description")
ABSENT = object()  # a field one run's spec does not have (another architecture's option)


def fields_of(spec: Spec) -> dict[str, Any]:
    """The spec's fields by dotted path, with the values the builder derives where the
    spec leaves them to it (compile.loss, outputs.activation): a spec that writes
    ``loss: mse`` and one that leaves it to the head train the same."""
    data = to_data(spec)
    data["compile"]["loss"] = loss_name(spec)
    data["outputs"]["activation"] = output_activation(spec)
    return dict(flat(data))


def differing_fields(runs: Sequence[Compared]) -> list[str]:
    """The spec fields whose values are not the same in every run, in spec order."""
    specs = [fields_of(run.spec) for run in runs]
    paths = list(dict.fromkeys(path for spec in specs for path in spec))
    return [
        path
        for path in paths
        if path not in NAMING_FIELDS
        and len({json.dumps(s.get(path, "<absent>"), sort_keys=True) for s in specs}) > 1
    ]


@dataclass
class Scored:
    """How a run did on the compared metric."""

    best: float | None = None  # the best epoch's value
    best_epoch: int | None = None
    test: float | None = None  # the best model on the test split, where it was measured
    baseline: float | None = None  # the trivial predictor, scored the same way


def scored(run: Compared, metric: str) -> Scored:
    values = run.history.get(metric, [])
    epochs = run.history.get("epoch", [])
    finite = [(v, int(e)) for v, e in zip(values, epochs, strict=False) if math.isfinite(v)]
    direction = metric_direction(metric) or "min"
    score = Scored()
    if finite:
        score.best, score.best_epoch = (min if direction == "min" else max)(
            finite, key=lambda pair: pair[0]
        )
    results = run.results
    if results is not None:
        name = metric.removeprefix("val_")
        score.test = results.metrics.get(name) if results.split == "test" else None
        if results.baseline_metric == name and results.baseline:
            score.baseline = next(iter(results.baseline.values()))
    return score


@dataclass
class Comparison:
    """The runs ranked by ``metric``, with the fields that tell them apart."""

    runs: list[Compared]
    metric: str
    fields: list[str]
    scores: list[Scored]
    notes: list[str] = field(default_factory=list)  # what --force compared anyway

    @classmethod
    def of(cls, runs: Sequence[Compared], metric: str, notes: list[str]) -> Comparison:
        direction = metric_direction(metric) or "min"
        pairs = best_first(
            [(run, scored(run, metric)) for run in runs], lambda pair: pair[1].best, direction
        )
        return cls(
            [run for run, _ in pairs],
            metric,
            differing_fields(runs),
            [score for _, score in pairs],
            notes,
        )

    @property
    def test_metric(self) -> str:
        return self.metric.removeprefix("val_")

    def names(self) -> list[str]:
        """Each run by the values of its differing fields (cell=lstm), as a legend reads
        best; by its label where no field differs."""
        if not self.fields:
            return [run.label for run in self.runs]
        lasts = [path.rsplit(".", 1)[-1] for path in self.fields]
        keys = lasts if len(set(lasts)) == len(lasts) else self.fields
        names = []
        for run in self.runs:
            values = fields_of(run.spec)
            names.append(
                ", ".join(
                    f"{key}={_shown(values.get(path, ABSENT))}"
                    for key, path in zip(keys, self.fields, strict=True)
                )
            )
        return names

    def classical(self) -> list[tuple[str, float]]:
        """The classical forecasts of a forecaster's test windows (results.json), scored
        as the test metric is: (what, score) for each, labelled by the run where the runs'
        test windows differ."""
        found: dict[str, dict[str, float]] = {}
        for run in self.runs:
            measure = self._measure(run)
            if run.results is None or not run.results.classical or measure is None:
                continue
            scores = {name: s[measure] for name, s in run.results.classical.items() if measure in s}
            if scores:
                found[run.label] = scores
        if len({json.dumps(s, sort_keys=True) for s in found.values()}) <= 1:
            return [(name, v) for scores in list(found.values())[:1] for name, v in scores.items()]
        return [(f"{name} ({label})", v) for label, s in found.items() for name, v in s.items()]

    def _measure(self, run: Compared) -> str | None:
        """What the test metric measures (mse or mae), where a classical score has it."""
        return measure_of(run.spec, self.test_metric)

    def rows(self) -> list[dict[str, Any]]:
        """One dict per run, best first: rank (None: no score), run, each differing
        field, parameters, epochs, seconds, best_epoch, the metric's best value, the test
        split's value, the baseline's, status. Then, for forecasters, a row per classical
        forecast ("classical: Holt-Winters (12)"), its test value scored the same way."""
        rows = []
        for rank, (run, score) in enumerate(zip(self.runs, self.scores, strict=True), start=1):
            values = fields_of(run.spec)
            rows.append(
                {
                    "rank": rank if score.best is not None else None,  # unscored runs come last
                    "run": run.label,
                    **{path: values.get(path) for path in self.fields},
                    "parameters": estimate(run.spec).parameters,
                    "epochs": len(run.history.get("epoch", [])),
                    "seconds": run.seconds,
                    "best_epoch": score.best_epoch,
                    self.metric: score.best,
                    f"test_{self.test_metric}": score.test,
                    "baseline": score.baseline,
                    "status": run.status,
                }
            )
        if rows:
            for name, value in self.classical():
                row = {**dict.fromkeys(rows[0]), "run": f"classical: {name}"}
                rows.append({**row, f"test_{self.test_metric}": value})
        return rows

    def text(self) -> str:
        """The rows as aligned columns; a column no run has a value in is left out."""
        rows = self.rows()
        always = ("rank", "run", *self.fields)
        kept = [k for k in rows[0] if k in always or any(r[k] is not None for r in rows)]
        titles = {
            "best_epoch": "best epoch",
            self.metric: f"best {self.metric}",
            f"test_{self.test_metric}": f"test {self.test_metric}",
        }
        lines = [[titles.get(k, k) for k in kept]]
        for run, row in zip(self.runs, rows, strict=False):
            values = fields_of(run.spec)
            lines.append(
                [
                    _shown(values.get(k, ABSENT)) if k in self.fields else _cell(k, row[k])
                    for k in kept
                ]
            )
        for row in rows[len(self.runs) :]:  # the classical forecasts
            lines.append([row["run"] if k == "run" else _cell(k, row[k]) for k in kept])
        return "\n".join([aligned(lines), *self._footnotes()])

    def _footnotes(self) -> Iterator[str]:
        named = {
            name
            for run, score in zip(self.runs, self.scores, strict=True)
            if score.baseline is not None and run.results is not None
            for name in run.results.baseline
        }
        if named:
            what = "; ".join(sorted(named))
            yield f"baseline: {what}, on each run's test split"
        if any(score.test is not None for score in self.scores):
            yield f"test {self.test_metric}: the best epoch's model on the test split"
        if self.classical():
            yield "classical: fitted without the test split, scored on the runs' test examples"
        elif unshown := self._unshown_measures():
            yield (
                f"classical references score {', '.join(unshown)}: rank by a metric that "
                f"measures it (--metric val_{unshown[0]}) to see them beside the runs"
            )

    def _unshown_measures(self) -> list[str]:
        """What the runs' classical references score, where the test metric is not it."""
        return sorted(
            {
                measure
                for run in self.runs
                if run.results is not None
                for scores in run.results.classical.values()
                for measure in scores
            }
        )

    def write_csv(self, path: Path) -> Path:
        rows = self.rows()
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            if row.get("seconds") is not None:
                row["seconds"] = round(row["seconds"], 2)
            writer.writerow({k: "" if v is None else _csv_value(v) for k, v in row.items()})
        return write_text(path, buffer.getvalue())


def _shown(value: Any) -> str:
    if value is ABSENT:
        return "-"
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:.4g}"
    return json.dumps(value) if isinstance(value, (list, dict)) else str(value)


def _cell(key: str, value: Any) -> str:
    if value is None:
        return "-"
    if key == "parameters":
        return f"{value:,}"
    if key == "seconds":
        return f"{value:.0f}"
    return _shown(value)


def _csv_value(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, (list, dict)) else value
