"""Models on disk: the resolved spec rides inside the .keras file, writes are atomic.

A .keras file is a zip archive; Keras reads only its own members, so the spec is
one more member (``zoo_spec.yaml``) that ``zoo inspect`` reads without TensorFlow.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import Any

from zoo.errors import UserError
from zoo.spec import Spec, to_yaml
from zoo.spec.document import parse
from zoo.spec.validate import validate_document

SPEC_MEMBER = "zoo_spec.yaml"


def save_model(model: Any, path: Path | str, spec: Spec | None = None) -> Path:
    """Write ``model`` with its spec to ``path`` (.keras): a temp file, then a rename,
    so a crash never leaves a half-written model where a good one was."""
    path = Path(path)
    if path.suffix != ".keras":
        raise UserError(f"{path}: a model file must end in .keras")
    spec = spec or getattr(model, "zoo_spec", None)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.stem}.{os.getpid()}.tmp.keras")
    try:
        model.save(temporary)
        if spec is not None:
            with zipfile.ZipFile(temporary, "a") as archive:
                archive.writestr(SPEC_MEMBER, to_yaml(spec))
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def spec_text(path: Path | str) -> str:
    """The YAML of the spec stored in a .keras file."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no such model file")
    try:
        with zipfile.ZipFile(path) as archive:
            if SPEC_MEMBER not in archive.namelist():
                raise UserError(f"{path}: this model was not built from a spec (no {SPEC_MEMBER})")
            return archive.read(SPEC_MEMBER).decode("utf-8")
    except zipfile.BadZipFile:
        raise UserError(f"{path}: not a .keras model file") from None


def read_spec(path: Path | str) -> Spec:
    return validate_document(parse(spec_text(path), f"{path}:{SPEC_MEMBER}"))


def load_model(path: Path | str, unsafe: bool = False) -> Any:
    """Load a .keras model (safe mode unless ``unsafe``), with its spec attached."""
    import keras

    import custom_layers  # noqa: F401  (registers our layers for deserialization)

    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no such model file")
    model = keras.saving.load_model(path, safe_mode=not unsafe)
    try:
        model.zoo_spec = read_spec(path)
    except UserError:
        model.zoo_spec = None
    return model
