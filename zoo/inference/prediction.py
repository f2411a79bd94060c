"""A model's answer in the user's terms: values in the data's units, class names with
their probabilities, a tagger's tags beside its words; as rows to print or write."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from zoo.errors import UserError

FORMATS = (".csv", ".json", ".npy")


@dataclass
class Prediction:
    """``values`` is what the model gave: a forecast in the targets' units (the scaling
    fitted in training is undone inside the model), or, with ``classes``, the
    probabilities over them (per token for a tagger)."""

    values: np.ndarray
    columns: list[str] | None = None  # a forecast's target names, along the last axis
    source: str = "the inputs"  # where the inputs came from, for messages
    texts: list[str] | None = None  # the inputs of a text model, one per example
    classes: list[str] | None = None  # class id -> name: values are class probabilities
    tokens: list[list[str]] | None = None  # a tagger's tokens of each text
    notes: list[str] = field(default_factory=list)  # what the user should know, e.g. texts cut
    series: list[str] | None = None  # many series' forecasts: each row's series
    times: list[str] | None = None  # a forecast's rows' times (data.args.time), ISO 8601

    @property
    def probabilities(self) -> np.ndarray:
        """(..., classes): a one-unit sigmoid's p becomes [1 - p, p]."""
        if self.values.shape[-1] == 1:
            return np.concatenate([1 - self.values, self.values], axis=-1)
        return self.values

    @property
    def labels(self) -> list[Any]:
        """The likeliest class's name per example (per token for a tagger)."""
        assert self.classes is not None
        best = self.probabilities.argmax(axis=-1)
        if self.tokens is not None:
            return [
                [self.classes[i] for i in row[: len(tokens)]]
                for row, tokens in zip(best, self.tokens, strict=True)
            ]
        return [self.classes[i] for i in best]

    def top(self, k: int) -> list[list[tuple[str, float]]]:
        """The ``k`` likeliest classes of each example, with their probabilities."""
        assert self.classes is not None
        probabilities = self.probabilities
        order = np.argsort(-probabilities, axis=-1, kind="stable")[:, :k]
        return [
            [(self.classes[i], float(p[i])) for i in row]
            for row, p in zip(order, probabilities, strict=True)
        ]

    def records(self, top: int = 1) -> list[dict[str, Any]]:
        """One object per row: an example's text with its label(s) and probability, a
        tagger's word/TAG pairs, or a forecast's step and values."""
        if self.classes is not None and self.tokens is not None:
            assert self.texts is not None
            return [
                {"text": text, "tags": " ".join(map("/".join, zip(words, tags, strict=True)))}
                for text, words, tags in zip(self.texts, self.tokens, self.labels, strict=True)
            ]
        if self.classes is not None:
            rows = []
            for i, best in enumerate(self.top(top)):
                row: dict[str, Any] = {"text": self.texts[i]} if self.texts else {"example": i}
                for rank, (label, probability) in enumerate(best, start=1):
                    suffix = f" {rank}" if top > 1 else ""
                    row[f"label{suffix}"] = label
                    row[f"probability{suffix}"] = probability
                rows.append(row)
            return rows
        values = self.values.reshape(len(self.values), -1)
        names = self.columns or [f"output {i}" for i in range(values.shape[1])]
        series = self.series or [None] * len(values)
        times = self.times or [None] * len(values)
        step: dict[str | None, int] = {}  # steps count on within each series
        rows = []
        for name, time, row in zip(series, times, values, strict=True):
            step[name] = step.get(name, 0) + 1
            which: dict[str, Any] = {} if name is None else {"series": name}
            which["step"] = step[name]
            if time is not None:
                which["time"] = time
            rows.append({**which, **dict(zip(names, map(float, row), strict=True))})
        return rows

    def table(self, top: int = 1, exact: bool = False) -> list[list[str]]:
        """``records`` as a header and rows of text: rounded to be read, or ``exact``
        (every digit, as JSON keeps them) to be written."""
        records = self.records(top)
        header = list(records[0]) if records else ["step"]
        shown = _exact if exact else _shown
        return [header, *([shown(name, record[name]) for name in header] for record in records)]

    def write(self, path: Path, top: int = 1) -> None:
        """.csv (the table), .json (the records) or .npy (the values)."""
        from zoo.atomic import write_text

        if path.suffix == ".npy":
            with path.open("wb") as file:
                np.save(file, self.values)
        elif path.suffix == ".csv":
            buffer = io.StringIO()
            csv.writer(buffer).writerows(self.table(top, exact=True))
            write_text(path, buffer.getvalue())
        elif path.suffix == ".json":
            text = json.dumps(self.records(top), indent=1, ensure_ascii=False)
            write_text(path, text + "\n")
        else:
            raise UserError(f"{path}: write predictions to a .csv, .json or .npy file")


def _exact(name: str, value: Any) -> str:
    """The shortest text that reads back as the same float (2490071.25, not 2.49007e+06)."""
    return repr(value) if isinstance(value, float) else str(value)


def _shown(name: str, value: Any) -> str:
    if name.startswith("probability"):
        return f"{value:.3f}"
    return f"{value:.6g}" if isinstance(value, float) else str(value)
