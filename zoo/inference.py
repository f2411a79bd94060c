"""Using trained models: evaluate on held-out data, predict, forecast, generate text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from zoo.errors import UserError


def resolve_model_path(target: Path | str) -> tuple[Path, Path | None]:
    """(the model file, the run directory if ``target`` is one): a run directory means
    its best.keras (last.keras when no epoch was best)."""
    target = Path(target)
    if target.is_dir():
        for name in ("best.keras", "last.keras"):
            if (target / name).is_file():
                return target / name, target
        raise UserError(f"{target}: no best.keras or last.keras in this folder")
    return target, None


def evaluate(target: Path | str, unsafe: bool = False) -> dict[str, Any]:
    """Metrics of a run's (or model file's) model on the test split of its spec's data,
    with the data's trivial baseline beside them."""
    from zoo.data import load_splits
    from zoo.saving import load_model
    from zoo.training.pipeline import evaluation_pipeline
    from zoo.training.records import RunState

    path, run = resolve_model_path(target)
    model = load_model(path, unsafe=unsafe)
    spec = _spec_of(model, path)
    folder = Path(RunState.load(run).spec_folder) if run else Path.cwd()
    splits = load_splits(spec, folder)
    dataset = splits.test or splits.validation or splits.train
    batch_size = spec.train.batch_size if spec.train else 32
    metrics = model.evaluate(evaluation_pipeline(dataset, batch_size), verbose=0, return_dict=True)
    return {
        "model": str(path),
        "split": "test" if splits.test else ("validation" if splits.validation else "train"),
        "examples": len(dataset),
        "metrics": {k: float(v) for k, v in metrics.items()},
        "baseline": dataset.baseline,
    }


def predict(target: Path | str, inputs: np.ndarray, steps: int | None = None) -> np.ndarray:
    """The model's outputs for ``inputs``; with ``steps``, a univariate forecaster's
    predictions are fed back as inputs until ``steps`` future values are made."""
    from zoo.saving import load_model

    path, _ = resolve_model_path(target)
    model = load_model(path)
    if steps is None:
        return np.asarray(model.predict(inputs, verbose=0))
    return forecast(model, inputs, steps)


def forecast(model: Any, windows: np.ndarray, steps: int) -> np.ndarray:
    """Roll a (window, 1) -> (horizon,) forecaster forward ``steps`` values."""
    if windows.ndim != 3 or windows.shape[-1] != 1:
        raise UserError(
            "feeding predictions back needs univariate windows (batch, steps, 1), "
            f"got {windows.shape}"
        )
    made: list[np.ndarray] = []
    window = windows.astype("float32")
    while sum(m.shape[1] for m in made) < steps:
        ahead = np.asarray(model.predict(window, verbose=0)).reshape(len(window), -1)
        made.append(ahead)
        window = np.concatenate([window[:, ahead.shape[1] :], ahead[..., None]], axis=1)
    return np.concatenate(made, axis=1)[:, :steps]


def generate(
    target: Path | str, prime: str, length: int, temperature: float = 1.0, seed: int | None = None
) -> str:
    """Continue ``prime`` with ``length`` tokens from a language model trained by zoo train."""
    from zoo.builder.inference import sample_tokens
    from zoo.saving import load_model

    path, _ = resolve_model_path(target)
    model = load_model(path)
    spec = _spec_of(model, path)
    if spec.architecture != "language_model":
        raise UserError(f"{path}: generate needs a language_model, this is a {spec.architecture}")
    vocabulary = model.zoo_vocabulary
    if not vocabulary:
        raise UserError(f"{path}: the model has no vocabulary (train it with zoo train first)")
    ids = {token: i for i, token in enumerate(vocabulary) if i > 0}
    unknown = sorted({c for c in prime if c not in ids})
    if unknown:
        raise UserError(f"--prime has characters the model never saw: {''.join(unknown)!r}")
    if not prime:
        raise UserError("--prime must have at least one character")
    tokens = sample_tokens(model, [ids[c] for c in prime], length, temperature, seed)
    return prime + "".join(vocabulary[t] if 0 < t < len(vocabulary) else "" for t in tokens)


def _spec_of(model: Any, path: Path) -> Any:
    if model.zoo_spec is None:
        raise UserError(f"{path}: this model was not built from a spec")
    return model.zoo_spec
