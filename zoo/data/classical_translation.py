"""What a practitioner tries before a translation model, scored by chrF (the character
n-gram F-score, from sacrebleu) on the same test pairs:

- copy the source: names that are the same or nearly in both languages ("pizza",
  "flag: Canada") score well, and a model that learned nothing scores below it;
- the nearest neighbour: the translation of the training source most like the test
  source (cosine of TF-IDF character 1-3 grams), as translation memories do.

Both read the training split alone. The model's own chrF decodes the test sources
(``zoo.inference.decoding.decoded_scores``) and is printed beside them.
"""

from __future__ import annotations

import numpy as np

from zoo.data.base import Dataset
from zoo.data.tokens import END, START

CHRF = "chrF"


def applies(dataset: Dataset) -> bool:
    """A seq2seq of characters: text on both sides, its target with start and end."""
    vocabulary, source = dataset.vocabulary, dataset.source_vocabulary
    return (
        isinstance(dataset.x, list)
        and vocabulary is not None
        and source is not None
        and vocabulary[-2:] == [START, END]
        and all(len(token) == 1 for token in [*vocabulary[1:-2], *source[1:]])
    )


def scores(dataset: Dataset, train: Dataset) -> dict[str, dict[str, float]]:
    sources, targets = source_texts(dataset), target_texts(dataset)
    return {
        "copy the source": {CHRF: chrf(sources, targets)},
        "nearest neighbour (character 1-3 grams)": {
            CHRF: chrf(nearest(source_texts(train), target_texts(train), sources), targets)
        },
    }


def chrf(hypotheses: list[str], references: list[str]) -> float:
    """The corpus chrF (0-100) of ``hypotheses`` against one reference each."""
    from sacrebleu.metrics import CHRF as Metric

    return float(Metric().corpus_score(hypotheses, [references]).score)


def nearest(train_sources: list[str], train_targets: list[str], sources: list[str]) -> list[str]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3)).fit(train_sources)
    similarity = vectors.transform(sources) @ vectors.transform(train_sources).T
    best = np.asarray(similarity.argmax(axis=1)).ravel()
    return [train_targets[i] for i in best]


def source_texts(dataset: Dataset) -> list[str]:
    return texts(dataset.x[0], dataset.source_vocabulary or [])


def target_texts(dataset: Dataset) -> list[str]:
    return texts(dataset.y, dataset.vocabulary or [])


def texts(ids: np.ndarray | list[list[int]], vocabulary: list[str]) -> list[str]:
    """Rows of ids (of any lengths) as text: padding, start and end left out."""
    markers = {vocabulary.index(m) for m in (START, END) if m in vocabulary}
    kept = set(range(1, len(vocabulary))) - markers
    rows = ids.tolist() if isinstance(ids, np.ndarray) else ids
    return ["".join(vocabulary[i] for i in row if i in kept) for row in rows]
