"""What a practitioner fits on labelled text before trying a recurrent net: a logistic
regression on TF-IDF weighted words and word pairs, on the same split as the model.

The vectorizer and the regression see the training split alone; the regression's
inverse regularisation C is chosen by 5-fold cross-validation within it, as anyone
tuning it honestly would. Scored by accuracy on the scored examples.

scikit-learn comes in the ``text`` extra; without it the reference is left out and the
results say so.
"""

from __future__ import annotations

import importlib.util
import warnings

import numpy as np

from zoo.data.base import Dataset

NAME = "TF-IDF logistic regression"
FOLDS = 5  # cross-validation folds within the training split that choose C
LEAST_PER_CLASS = FOLDS  # fewer examples of a class and C cannot be cross-validated


def available() -> bool:
    return importlib.util.find_spec("sklearn") is not None


def applies(dataset: Dataset) -> bool:
    """Labelled strings with one class per example (text_classes)."""
    return dataset.text is not None and dataset.classes is not None and dataset.y.ndim == 2


def scores(dataset: Dataset, train: Dataset) -> dict[str, dict[str, float]]:
    """{NAME: {"accuracy": ...}} on ``dataset``, fitted on ``train``; {} where it does
    not apply, scikit-learn is missing, or a class has too few training examples."""
    if not (applies(dataset) and applies(train) and available()):
        return {}
    labels = train.y[:, 0]
    if len(set(labels)) < 2 or np.bincount(labels).min() < LEAST_PER_CLASS:
        return {}
    predicted = fitted(train).predict(list(dataset.x))
    return {NAME: {"accuracy": float(np.mean(predicted == dataset.y[:, 0]))}}


def fitted(train: Dataset):
    """The pipeline, fitted on the training split's strings and class ids."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegressionCV
    from sklearn.pipeline import make_pipeline

    assert train.text is not None
    pipeline = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, lowercase=train.text.lowercase),
        LogisticRegressionCV(Cs=10, cv=FOLDS, max_iter=2000),
    )
    with warnings.catch_warnings():  # convergence chatter on tiny samples
        warnings.simplefilter("ignore")
        return pipeline.fit(list(train.x), train.y[:, 0])
