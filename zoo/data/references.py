"""The classical reference beside a model's result: what a practitioner would have tried
first, on the same examples, fitted on the training split alone.

- windows of a series: seasonal naive, AR(2) and Holt-Winters (``classical``);
- labelled text: a TF-IDF logistic regression (``classical_text``);
- token sequences for a language model: 3- and 5-gram models (``classical_tokens``);
- a character seq2seq: copying the source, and the nearest training source's
  translation, scored by chrF (``classical_translation``).

Each is scored as the model's test metric that measures the same (mse and mae,
accuracy, or cross-entropy), and written to results.json under ``classical``.
"""

from __future__ import annotations

from typing import Any

from zoo.data import classical, classical_text, classical_tokens, classical_translation
from zoo.data.base import Dataset


def scores(dataset: Dataset, train: Dataset, spec: Any) -> dict[str, dict[str, float]]:
    """Each reference's scores on ``dataset``, fitted on ``train``; {} for data no
    reference applies to."""
    if dataset.series is not None:
        return classical.scores(dataset, train, classical.season_of(spec))
    if classical_text.applies(dataset):
        return classical_text.scores(dataset, train)
    if classical_translation.applies(dataset):
        return classical_translation.scores(dataset, train)
    if spec is not None and spec.architecture == "language_model":
        return classical_tokens.scores(dataset, train)
    return {}


def lines(scored: dict[str, dict[str, float]]) -> list[str]:
    """One line per reference, as zoo train and zoo evaluate print them."""
    return [
        f"classical: {name}: " + "  ".join(f"{k} {v:.6g}" for k, v in values.items())
        for name, values in scored.items()
    ]
