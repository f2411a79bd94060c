"""Models on disk: the zoo's record of a model rides inside its .keras file, and
writes are atomic.

A .keras file is a zip archive; Keras reads only its own members, so the record (the
resolved spec, the token vocabularies, the class names) is one more member,
``zoo_record.json``, that ``zoo inspect`` reads without TensorFlow.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from zoo.atomic import atomic_path
from zoo.data.base import Numbering
from zoo.errors import UserError, first_line
from zoo.spec import Spec, to_data, to_yaml
from zoo.spec.document import Document, parse
from zoo.spec.validate import validate_document

RECORD_MEMBER = "zoo_record.json"
# Members of files written before the record; still read.
SPEC_MEMBER = "zoo_spec.yaml"
VOCABULARY_MEMBER = "zoo_vocabulary.json"
SOURCE_VOCABULARY_MEMBER = "zoo_source_vocabulary.json"


class ModelRecord(BaseModel):
    """What a zoo model carries beside its Keras graph, in one typed member of its
    .keras file: a model loaded by plain Keras is complete, and zoo reads this record
    from the file (or is handed it), never from attributes stuck onto the model."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    spec: Spec
    vocabulary: list[str] | None = None  # token id -> text (seq2seq: the target side)
    source_vocabulary: list[str] | None = None  # seq2seq: the source side, where it differs
    classes: list[str] | None = None  # class id -> its name, for a classifier
    # the fewest real (non-padding) tokens of a training input: a shorter one would be
    # padded as no training example was (None: not token inputs)
    shortest_input: int | None = None

    @property
    def numbering(self) -> Numbering:
        """The ids this model gave classes and tokens, to read new data with."""
        return Numbering(classes=self.classes, vocabulary=self.vocabulary)


def trained_record(spec: Spec, train: Any) -> ModelRecord:
    """The record of a model trained on ``train`` (a Dataset): the vocabularies and
    class names its data had."""
    import numpy as np

    first = train.x[0] if isinstance(train.x, list) else train.x
    tokens = train.text is None and first.ndim == 2 and np.issubdtype(first.dtype, np.integer)
    return ModelRecord(
        spec=spec,
        vocabulary=train.vocabulary,
        source_vocabulary=train.source_vocabulary,
        classes=train.classes,
        shortest_input=int((first > 0).sum(axis=1).min()) if tokens and len(first) else None,
    )


def save_model(
    model: Any,
    path: Path | str,
    record: ModelRecord | Spec | None = None,
    members: dict[str, str] | None = None,
) -> Path:
    """Write ``model`` with its record (or just its spec) to ``path`` (.keras),
    atomically: a crash never leaves a half-written model where a good one was."""
    path = Path(path)
    if path.suffix != ".keras":
        raise UserError(f"{path}: a model file must end in .keras")
    if isinstance(record, Spec):
        record = ModelRecord(spec=record)
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and not optimizer.built:
        # Keras would save an unbuilt optimizer's 2 variables and, on loading, warn that
        # they do not match the built one's: build it, as training would.
        optimizer.build(model.trainable_variables)
    with atomic_path(path) as temporary:
        model.save(temporary)
        with zipfile.ZipFile(temporary, "a") as archive:
            if record is not None:
                archive.writestr(RECORD_MEMBER, _record_json(record))
            for name, text in (members or {}).items():
                archive.writestr(name, text)
    return path


def _record_json(record: ModelRecord) -> str:
    data = record.model_dump(mode="json", exclude={"spec"})
    return json.dumps({"spec": to_data(record.spec), **data}, ensure_ascii=False)


def read_record(path: Path | str) -> ModelRecord | None:
    """The record stored in a .keras file; None for a model not built by the zoo."""
    text = read_member(path, RECORD_MEMBER)
    if text is not None:
        try:
            data = json.loads(text)
            spec = _upgraded(data.pop("spec"))
            document = Document(spec, {}, f"{path}:{RECORD_MEMBER}")
            return ModelRecord(spec=validate_document(document), **data)
        except (ValueError, TypeError, KeyError, AttributeError) as error:  # SpecError too
            raise UserError(
                f"{path}: its zoo record ({RECORD_MEMBER}) is damaged "
                f"({type(error).__name__}: {first_line(error, 200)})"
            ) from None
    spec = read_member(path, SPEC_MEMBER)
    if spec is None:
        return None
    vocabularies = {
        field: json.loads(text)
        for field, member in (
            ("vocabulary", VOCABULARY_MEMBER),
            ("source_vocabulary", SOURCE_VOCABULARY_MEMBER),
        )
        if (text := read_member(path, member)) is not None
    }
    document = parse(spec, f"{path}:{SPEC_MEMBER}")
    document = replace(document, data=_upgraded(document.data))
    return ModelRecord(spec=validate_document(document), **vocabularies)


def _upgraded(spec: dict[str, Any]) -> dict[str, Any]:
    """A stored spec as this version reads it: data arguments that the spec now states
    elsewhere (a text source's vocab_size, now inputs.vocab_size alone) are dropped;
    the model they describe is unchanged."""
    from zoo.registry import DATASETS

    data = spec.get("data")
    if not isinstance(data, dict) or data.get("source") not in DATASETS:
        return spec
    own = DATASETS[data["source"]].load().set_by_the_spec
    args = {k: v for k, v in (data.get("args") or {}).items() if k not in own}
    return {**spec, "data": {**data, "args": args}}


def zoo_record(path: Path | str) -> ModelRecord:
    """The record of a model the zoo built, or a one-line error saying it has none."""
    record = read_record(path)
    if record is None:
        raise UserError(f"{path}: this model was not built from a spec (no {RECORD_MEMBER})")
    return record


def spec_text(path: Path | str) -> str:
    """The YAML of the spec stored in a .keras file."""
    return to_yaml(zoo_record(path).spec)


def read_spec(path: Path | str) -> Spec:
    """The resolved spec a .keras file was built from (stored inside it by the zoo)."""
    return zoo_record(path).spec


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
    except UnicodeDecodeError:
        raise UserError(
            f"{path}: {name} inside it is not UTF-8 text: the file is damaged"
        ) from None


def load_model(path: Path | str, unsafe: bool = False) -> Any:
    """Load a .keras model (safe mode unless ``unsafe``); ``read_record`` reads what the
    zoo stored with it."""
    import keras

    import custom_layers  # noqa: F401  (registers our layers for deserialization)

    path = Path(path)
    if read_member(path, "config.json") is None:  # Keras would fail with a KeyError
        raise UserError(f"{path}: not a .keras model file (no config.json)")
    try:
        model = keras.saving.load_model(path, safe_mode=not unsafe)
    except (ValueError, TypeError, KeyError, OSError) as error:
        # Keras refuses, in safe mode, to deserialize Python code (a Lambda layer's
        # function), which would run on loading; every such refusal names safe_mode.
        if not unsafe and "safe_mode" in str(error):
            raise UserError(
                f"{path}: refused to load: the model holds Python code (a Lambda layer) that "
                "would run on loading; if you trust this file, pass --unsafe (Python: "
                "unsafe=True)"
            ) from None
        # Anything else is a damaged file (its config or its weights): one line, not
        # the trace of Keras's deserializer or of h5py.
        raise UserError(
            f"{path}: Keras cannot load this model file; it is damaged "
            f"({type(error).__name__}: {first_line(error, 200)})"
        ) from None
    return model
