"""The spec as Keras Tuner's hypermodel: a trial's model is the spec with the
trial's values applied, built and trained exactly as ``zoo train`` would.

Hyperparameter names are the spec paths themselves (``model.units``), so a
trial's values read as the spec changes they are.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import keras
import keras_tuner as kt

from zoo.data import Splits, load_splits
from zoo.data.base import data_seed
from zoo.errors import SpecError
from zoo.spec.compose import apply_overrides
from zoo.spec.cost import MemoryLimit, fit_findings
from zoo.spec.document import Document, dotted
from zoo.spec.schema import Parameter, Spec, Train, Tune
from zoo.spec.space import conditions, objective_direction, without_tune
from zoo.spec.validate import validate_document
from zoo.training.callbacks import DivergenceGuard
from zoo.training.memory import dropped_gradient_functions
from zoo.training.run import build_fitted, fit, spec_callbacks


class SpecHyperModel(kt.HyperModel):
    def __init__(
        self, spec: Spec, document: Document, folder: Path, limit: MemoryLimit | None = None
    ) -> None:
        super().__init__(name=spec.name)
        assert spec.tune is not None
        self.tune: Tune = spec.tune
        # the spec without its tune section: what every trial starts from
        self.base = without_tune(document)
        self.folder = folder
        self.limit = limit  # a trial whose training the cost estimate puts above it fails
        self._splits: tuple[str, Splits] | None = None

    def values(self, hp: kt.HyperParameters) -> dict[str, Any]:
        """The trial's active values by spec path; an inactive conditional field is absent."""
        chosen = {}
        for path, parameter in _parents_first(self.tune.space):
            with ExitStack() as scopes:
                for parent, allowed in conditions(parameter).items():
                    scopes.enter_context(hp.conditional_scope(parent, allowed))
                value = _declare(hp, path, parameter)
            if value is not None:
                chosen[path] = value
        return chosen

    def trial_spec(self, hp: kt.HyperParameters) -> Spec:
        try:
            spec = validate_document(apply_overrides(self.base, self.values(hp)))
        except SpecError as error:  # a combination the space's checks could not foresee
            raise kt.errors.FailedTrialError(f"invalid spec: {error}") from None
        for path, message in fit_findings(spec, self.limit):  # before it allocates anything
            raise kt.errors.FailedTrialError(f"too big: {dotted(path)}: {message}")
        return spec

    def build(self, hp: kt.HyperParameters) -> keras.Model:
        spec = self.trial_spec(hp)
        return build_fitted(spec, self.splits(spec))

    def fit(self, hp: kt.HyperParameters, model: keras.Model, *args: Any, **kwargs: Any) -> Any:
        """Train on the spec's data; Keras Tuner's callbacks (and, for hyperband,
        its epochs and initial_epoch) come in ``kwargs``."""
        spec = self.trial_spec(hp)
        settings = spec.train or Train()
        guard = DivergenceGuard()
        callbacks = [*kwargs.get("callbacks", []), guard, *spec_callbacks(spec)]
        if self.tune.patience is not None:
            callbacks.append(
                keras.callbacks.EarlyStopping(
                    monitor=self.tune.objective,
                    mode=objective_direction(self.tune),
                    patience=self.tune.patience,
                )
            )
        with dropped_gradient_functions():  # else each trial keeps ~10 MB for good
            history = fit(
                model,
                spec,
                self.splits(spec),
                callbacks,
                kwargs.get("verbose", 0),
                initial_epoch=kwargs.get("initial_epoch", 0),
                epochs=kwargs.get("epochs") or self.tune.epochs or settings.epochs,
            )
        if guard.diverged_at is not None:
            epoch, step = guard.diverged_at
            raise kt.errors.FailedTrialError(
                f"the loss became NaN/inf at epoch {epoch}, step {step} (try clipping)"
            )
        return history

    def splits(self, spec: Spec) -> Splits:
        """The data, loaded once per sweep (again only if a trial changes the data)."""
        key = json.dumps(
            [spec.data.model_dump(mode="json") if spec.data else None, data_seed(spec)]
        )
        if self._splits is None or self._splits[0] != key:
            self._splits = (key, load_splits(spec, self.folder))
        return self._splits[1]


def _declare(hp: kt.HyperParameters, path: str, parameter: Parameter) -> Any:
    """Register the parameter with Keras Tuner; its value, or None where inactive."""
    kind, default = parameter.kind, parameter.default
    if kind in ("int", "float"):
        low, high = parameter.bounds
        make = hp.Int if kind == "int" else hp.Float
        step = parameter.step
        if kind == "int" and step is not None:
            step = int(step)
        return make(
            path, low, high, step=step, sampling=parameter.sampling or "linear", default=default
        )
    if kind == "choice":
        return hp.Choice(path, parameter.choice, default=default)
    if kind == "boolean":
        return hp.Boolean(path, default=bool(parameter.boolean))
    return hp.Fixed(path, parameter.fixed)


def _parents_first(space: dict[str, Parameter]) -> Iterator[tuple[str, Parameter]]:
    """Unconditional fields first: a condition's field must exist before its scope opens
    (conditions name only unconditional fields; the spec's checks ensure it)."""
    yield from ((p, v) for p, v in space.items() if not v.when)
    yield from ((p, v) for p, v in space.items() if v.when)
