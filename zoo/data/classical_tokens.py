"""What a practitioner fits on token sequences before trying a recurrent language model:
n-gram models, scored by the same per-token cross-entropy as the model's loss.

Each is counted on the training split's windows alone, reading at every step the same
past the model reads there (the window's earlier tokens, at most n - 1 of them), and
smoothed by Witten-Bell interpolation, so that every token of the vocabulary keeps a
probability:

    P_k(w | h) = (c(h, w) + T(h) P_{k-1}(w | h')) / (c(h) + T(h))    (c(h) > 0)
    P_k(w | h) = P_{k-1}(w | h')                                       (h unseen)
    P_0(w)     = (c(w) + 1) / (N + V)

where h' is h without its oldest token, c counts the training split's n-grams, T(h) is
how many distinct tokens followed h there, N the training tokens and V the vocabulary
(without padding). Scored: the mean of -ln P(y_t | h_t) over the scored targets, in
nats, as sparse categorical cross-entropy is.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterator

import numpy as np

from zoo.data.base import Dataset

Step = tuple[tuple[int, ...], int]  # (the tokens read before, the token to predict)
ORDERS = (3, 5)  # a short and a long context: characters need the longer one


def scores(dataset: Dataset, train: Dataset) -> dict[str, dict[str, float]]:
    """{"3-gram": {"crossentropy": ...}, ...} on ``dataset``, counted on ``train``."""
    if not (dataset.predicts_next_token and train.predicts_next_token):
        return {}
    assert train.vocabulary is not None
    found = {}
    for order in ORDERS:
        model = NGram(order, len(train.vocabulary) - 1).fit(train)
        found[f"{order}-gram"] = {"crossentropy": model.cross_entropy(dataset)}
    return found


class NGram:
    """A Witten-Bell interpolated n-gram model of token ids (0 is padding)."""

    def __init__(self, order: int, vocabulary: int) -> None:
        self.order = order
        self.vocabulary = vocabulary
        self.counts: dict[tuple[int, ...], Counter] = defaultdict(Counter)  # h -> c(h, w)
        self.unigrams: Counter = Counter()

    def fit(self, train: Dataset) -> NGram:
        for history, target in _steps(train, self.order, once=True):
            self.unigrams[target] += 1
            for k in range(1, len(history) + 1):
                self.counts[history[-k:]][target] += 1
        return self

    def probability(self, history: tuple[int, ...], target: int) -> float:
        total = sum(self.unigrams.values())
        p = (self.unigrams[target] + 1) / (total + self.vocabulary)
        for k in range(1, len(history) + 1):  # from the shortest history to the longest
            following = self.counts.get(history[-k:])
            if not following:
                break  # a longer history containing an unseen one is unseen too
            seen, distinct = sum(following.values()), len(following)
            p = (following[target] + distinct * p) / (seen + distinct)
        return p

    def cross_entropy(self, dataset: Dataset) -> float:
        """Mean -ln P over the scored targets of ``dataset``."""
        losses = [-math.log(self.probability(h, t)) for h, t in _steps(dataset, self.order)]
        return float(np.mean(losses)) if losses else float("nan")


def _steps(dataset: Dataset, order: int, once: bool = False) -> Iterator[Step]:
    """(history, target) at every scored step: up to ``order - 1`` of the window's tokens
    up to and including the step's input, padding left out. ``once``: a target that
    overlapping windows of one text share (the same row of it, by ``spans``) is counted
    at its first window only, so that the counts are the text's and not the stride's."""
    seen: set[int] = set()
    starts = dataset.spans[:, 0] if once and dataset.spans is not None else None
    windows = zip(dataset.x, dataset.y, dataset.scored, strict=True)
    for i, (row, targets, kept) in enumerate(windows):
        for t in np.flatnonzero(kept):
            if starts is not None:
                if int(starts[i]) + t in seen:
                    continue
                seen.add(int(starts[i]) + t)
            history = tuple(int(i) for i in row[max(0, t - order + 2) : t + 1] if i > 0)
            yield history, int(targets[t])
