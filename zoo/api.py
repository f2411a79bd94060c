"""The Python API; the CLI is a thin shell over these functions."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from zoo.errors import Problem, SpecError
from zoo.spec import Overrides, Spec, SpecSource, resolve
from zoo.spec.document import Document, dotted, key_path
from zoo.spec.validate import validate_document


def load_spec(source: SpecSource, overrides: Overrides = None) -> Spec:
    """The resolved, validated spec: ``extends`` merged, overrides applied."""
    return _load(source, overrides)[0]


def build(source: SpecSource, overrides: Overrides = None) -> Any:
    """A compiled keras.Model from a spec file, mapping or Spec."""
    from zoo.builder import build_model

    spec, document = _load(source, overrides)
    try:
        return build_model(spec)
    except SpecError as error:
        raise _located(error, document) from None


def validate(source: SpecSource, overrides: Overrides = None) -> list[Problem]:
    """Every problem with a spec (schema, rules, names Keras does not know); [] if valid."""
    from zoo.builder.keras_names import unknown_names

    try:
        spec, document = _load(source, overrides)
    except SpecError as error:
        return error.problems
    return [
        Problem(message, dotted(path), document.location(path) if document else None)
        for path, message in unknown_names(spec)
    ]


def _load(source: SpecSource, overrides: Overrides) -> tuple[Spec, Document | None]:
    if isinstance(source, Spec):
        if not overrides:
            return source, None
        from zoo.spec import to_data

        source = to_data(source)
    if not isinstance(source, (str, Path, Mapping)):
        raise TypeError(f"a spec is a path, a mapping or a Spec, got {type(source).__name__}")
    document = resolve(source, overrides)
    return validate_document(document), document


def _located(error: SpecError, document: Document | None) -> SpecError:
    if document is None:
        return error
    return SpecError(
        [
            Problem(p.message, p.path, p.location or document.location(key_path(p.path)))
            for p in error.problems
        ]
    )
