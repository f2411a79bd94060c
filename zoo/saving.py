"""Models on disk: the resolved spec rides inside the .keras file, writes are atomic.

A .keras file is a zip archive; Keras reads only its own members, so the spec is
one more member (``zoo_spec.yaml``) that ``zoo inspect`` reads without TensorFlow.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from zoo.atomic import atomic_path
from zoo.errors import UserError
from zoo.spec import Spec, to_yaml
from zoo.spec.document import parse
from zoo.spec.validate import validate_document

SPEC_MEMBER = "zoo_spec.yaml"
VOCABULARY_MEMBER = "zoo_vocabulary.json"  # token id -> text (the output side for seq2seq)
SOURCE_VOCABULARY_MEMBER = "zoo_source_vocabulary.json"  # seq2seq: the input side


def save_model(
    model: Any,
    path: Path | str,
    spec: Spec | None = None,
    vocabulary: list[str] | None = None,
    members: dict[str, str] | None = None,
) -> Path:
    """Write ``model`` with its spec (and token vocabulary, if any) to ``path`` (.keras),
    atomically: a crash never leaves a half-written model where a good one was."""
    path = Path(path)
    if path.suffix != ".keras":
        raise UserError(f"{path}: a model file must end in .keras")
    spec = spec or getattr(model, "zoo_spec", None)
    vocabularies = {
        VOCABULARY_MEMBER: vocabulary or getattr(model, "zoo_vocabulary", None),
        SOURCE_VOCABULARY_MEMBER: getattr(model, "zoo_source_vocabulary", None),
    }
    with atomic_path(path) as temporary:
        model.save(temporary)
        with zipfile.ZipFile(temporary, "a") as archive:
            if spec is not None:
                archive.writestr(SPEC_MEMBER, to_yaml(spec))
            for name, tokens in vocabularies.items():
                if tokens is not None:
                    archive.writestr(name, json.dumps(tokens))
            for name, text in (members or {}).items():
                archive.writestr(name, text)
    return path


def spec_text(path: Path | str) -> str:
    """The YAML of the spec stored in a .keras file."""
    text = read_member(path, SPEC_MEMBER)
    if text is None:
        raise UserError(f"{path}: this model was not built from a spec (no {SPEC_MEMBER})")
    return text


def read_vocabulary(path: Path | str, member: str = VOCABULARY_MEMBER) -> list[str] | None:
    """A token vocabulary stored with a model (id -> text), if it has one."""
    text = read_member(path, member)
    return None if text is None else json.loads(text)


def read_member(path: Path | str, name: str) -> str | None:
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no such model file")
    try:
        with zipfile.ZipFile(path) as archive:
            if name not in archive.namelist():
                return None
            return archive.read(name).decode("utf-8")
    except zipfile.BadZipFile:
        raise UserError(f"{path}: not a .keras model file") from None


def read_spec(path: Path | str) -> Spec:
    return validate_document(parse(spec_text(path), f"{path}:{SPEC_MEMBER}"))


def load_model(path: Path | str, unsafe: bool = False) -> Any:
    """Load a .keras model (safe mode unless ``unsafe``), with its spec attached."""
    import keras

    import custom_layers  # noqa: F401  (registers our layers for deserialization)

    path = Path(path)
    if read_member(path, "config.json") is None:  # Keras would fail with a KeyError
        raise UserError(f"{path}: not a .keras model file (no config.json)")
    try:
        model = keras.saving.load_model(path, safe_mode=not unsafe)
    except (ValueError, TypeError) as error:
        # Keras refuses, in safe mode, to deserialize Python code (a Lambda layer's
        # function), which would run on loading; every such refusal names safe_mode.
        if unsafe or "safe_mode" not in str(error):
            raise
        raise UserError(
            f"{path}: refused to load: the model holds Python code (a Lambda layer) that "
            "would run on loading; if you trust this file, pass --unsafe (Python: unsafe=True)"
        ) from None
    model.zoo_spec = read_spec(path) if read_member(path, SPEC_MEMBER) is not None else None
    model.zoo_vocabulary = read_vocabulary(path)
    model.zoo_source_vocabulary = read_vocabulary(path, SOURCE_VOCABULARY_MEMBER)
    return model
