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
    return load_with_document(source, overrides)[0]


def build(source: SpecSource, overrides: Overrides = None) -> Any:
    """A compiled keras.Model from a spec file, mapping or Spec."""
    from zoo.builder import build_model

    spec, document = load_with_document(source, overrides)
    try:
        return build_model(spec)
    except SpecError as error:
        raise _located(error, document) from None


def validate(source: SpecSource, overrides: Overrides = None) -> list[Problem]:
    """Every problem with a spec (schema, rules, names Keras does not know); [] if valid."""
    from zoo.spec.keras_names import unknown_names

    try:
        spec, document = load_with_document(source, overrides)
    except SpecError as error:
        return error.problems
    problems = [
        Problem(message, dotted(path), document.location(path) if document else None)
        for path, message in unknown_names(spec)
    ]
    if spec.tune is not None and document is not None:
        problems += _unknown_searched_names(spec, document)
    return problems


def _unknown_searched_names(spec: Spec, document: Document) -> list[Problem]:
    """Names Keras does not know among the values a sweep may try, at each value."""
    from zoo.spec.keras_names import unknown_names
    from zoo.spec.space import single_specs

    found = {}
    for at, candidate in single_specs(spec, document, validate_document):
        for path, message in unknown_names(candidate):
            if dotted(path) == at[2]:
                found[(at, message)] = Problem(
                    message, f"tune.space.{at[2]}", document.location(at)
                )
    return list(found.values())


def load_with_document(
    source: SpecSource, overrides: Overrides = None
) -> tuple[Spec, Document | None]:
    """The spec and the document it was read from (for locating later problems);
    no document for a Spec passed in as it is."""
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
