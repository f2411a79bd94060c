"""One way to open a trained model, for every command that uses one (evaluate, predict,
generate, trace, diagnose, export): the model, its record, the run it belongs to, and
where the run's data paths resolve.

Opening checks that the record describes the model (a record copied from another run,
or a spec edited into a run, would make every command report the wrong model), and
hands out the model's numbering of classes and tokens, through which any data read
again for it must go (``zoo.data.base.Numbering``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zoo.data.base import Numbering
from zoo.errors import UserError
from zoo.saving import ModelRecord, load_model, zoo_record
from zoo.spec import Overrides, assignments
from zoo.spec.schema import Spec
from zoo.training.directory import RunDirectory


@dataclass(frozen=True)
class OpenedModel:
    model: Any  # the keras.Model
    record: ModelRecord
    path: Path  # the .keras file
    run: RunDirectory | None  # the run it is the best (or last) model of
    data_folder: Path  # where the spec's relative data paths resolve

    @property
    def spec(self) -> Spec:
        return self.record.spec

    @property
    def numbering(self) -> Numbering:
        return self.record.numbering


def is_trained(target: Path | str) -> bool:
    """Whether a command's target is a trained model (a run directory or a .keras file)
    rather than a spec (a file or a shipped name)."""
    path = Path(target)
    return path.is_dir() or path.suffix == ".keras"


def resolve_model_path(target: Path | str) -> tuple[Path, RunDirectory | None]:
    """(the model file, the run directory if ``target`` is one): a run directory means
    its best.keras (last.keras when no epoch was best)."""
    target = Path(target)
    if target.is_dir():
        for name in ("best.keras", "last.keras"):
            if (target / name).is_file():
                return target / name, RunDirectory(target)
        raise UserError(f"{target}: no best.keras or last.keras in this folder")
    return target, None


def open_model(target: Path | str, unsafe: bool = False) -> OpenedModel:
    """A run directory's model (or a .keras file) with its record, checked to agree."""
    path, run = resolve_model_path(target)
    record = zoo_record(path)  # a model without one is refused before Keras loads it
    model = load_model(path, unsafe=unsafe)
    check_record(model, record, path)
    folder = Path(run.state().spec_folder) if run is not None and run.has_state else Path.cwd()
    return OpenedModel(model, record, path, run, folder)


def check_record(model: Any, record: ModelRecord, path: Path) -> None:
    """The record's spec must build the model in the file: the same parameters, layer
    by layer, as the cost estimate counts them from the spec alone."""
    from zoo.builder.model import every_layer
    from zoo.spec.cost import estimate

    expected = estimate(record.spec).layer_parameters()
    layers = every_layer(model)
    held = {layer.name: layer.count_params() for layer in layers if layer.count_params()}
    if expected == held:
        return
    in_order = [*held, *(name for name in expected if name not in held)]  # the model's first
    name = next(name for name in in_order if expected.get(name) != held.get(name))
    raise UserError(
        f"{path}: its record does not describe its model ({name}: the spec says "
        f"{expected.get(name, 0):,} parameters, the model holds {held.get(name, 0):,}); "
        "the file was altered after it was saved"
    )


def data_overrides(overrides: Overrides, doing: str) -> dict[str, Any]:
    """Overrides for a trained model, which may re-point only its data (data.*): any
    other change would describe another model than the one on disk. ``doing`` says
    what the command does with it, for the refusal ("evaluate scores")."""
    changes = assignments(overrides)
    for key in changes:
        if not key.startswith("data."):
            raise UserError(
                f"--set {key}: {doing} the model as it was trained; --set may only re-point "
                "its data (data.*), e.g. --set data.args.path=other.csv"
            )
    return changes


def repointed(spec: Spec, changes: dict[str, Any]) -> Spec:
    """A trained model's spec with its data re-pointed by ``changes`` (data_overrides').
    Nothing is trained on it, so its training callbacks and monitor are set aside: an
    early stop watching val_loss must not refuse data given without a validation split."""
    from zoo.spec.loading import load_spec

    if not changes or spec.train is None:
        return load_spec(spec, changes)
    return load_spec(spec, {**changes, "train.callbacks": [], "train.monitor": "loss"})
