"""Loading a spec: from a path, a shipped name, a mapping or a Spec to a fully valid
``Spec``, schema, rules and Keras names all checked, every problem located in the
document it came from. No TensorFlow is imported."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from zoo.errors import Problem, SpecError
from zoo.spec import Overrides, Spec, SpecSource, resolve
from zoo.spec.cost import MaxMemory, fit_findings, memory_limit
from zoo.spec.document import Document, dotted, key_path
from zoo.spec.keras_names import unknown_names
from zoo.spec.validate import validate_document


def load_spec(
    source: SpecSource, overrides: Overrides = None, max_memory: MaxMemory = None
) -> Spec:
    """The resolved, valid spec: ``extends`` merged, overrides applied, every name
    one Keras knows; with ``max_memory`` (bytes, or a MemoryLimit), one whose training
    fits in it by the cost estimate."""
    return load_with_document(source, overrides, max_memory)[0]


def validate(
    source: SpecSource, overrides: Overrides = None, max_memory: MaxMemory = None
) -> list[Problem]:
    """Every problem with a spec (schema, rules, names Keras does not know, names a
    sweep may try, training beyond ``max_memory``); [] if valid."""
    try:
        load_sweep(source, overrides, max_memory)
    except SpecError as error:
        return error.problems
    return []


def load_sweep(
    source: SpecSource, overrides: Overrides = None, max_memory: MaxMemory = None
) -> tuple[Spec, Document | None]:
    """``load_with_document``, with every value a sweep may try checked too: the names
    Keras must know are checked per value, where the schema cannot."""
    spec, document = load_with_document(source, overrides, max_memory)
    if spec.tune is not None and document is not None:
        problems = _unknown_searched_names(spec, document)
        if problems:
            raise SpecError(problems)
    return spec, document


def load_with_document(
    source: SpecSource, overrides: Overrides = None, max_memory: MaxMemory = None
) -> tuple[Spec, Document | None]:
    """The valid spec and the document it was read from (for locating later problems);
    no document for a Spec passed in as it is."""
    if isinstance(source, Spec):
        if not overrides:
            if max_memory is not None:
                findings = fit_findings(source, memory_limit(max_memory))
                if findings:
                    raise SpecError([Problem(message, dotted(path)) for path, message in findings])
            return _known_names(source, None), None
        from zoo.spec import to_data

        source = to_data(source)
    if not isinstance(source, (str, Path, Mapping)):
        raise TypeError(f"a spec is a path, a mapping or a Spec, got {type(source).__name__}")
    document = resolve(source, overrides)
    return _known_names(validate_document(document, max_memory), document), document


def located(error: SpecError, document: Document | None) -> SpecError:
    """``error`` with each problem's place in ``document``, where it has none yet."""
    if document is None:
        return error
    return SpecError(
        [
            Problem(p.message, p.path, p.location or document.location(key_path(p.path)))
            for p in error.problems
        ]
    )


def _known_names(spec: Spec, document: Document | None) -> Spec:
    problems = [
        Problem(message, dotted(path), document.location(path) if document else None)
        for path, message in unknown_names(spec)
    ]
    if problems:
        raise SpecError(problems)
    return spec


def _unknown_searched_names(spec: Spec, document: Document) -> list[Problem]:
    """Names Keras does not know among the values a sweep may try, at each value."""
    from zoo.spec.space import single_specs

    found = {}
    for at, candidate in single_specs(spec, document, validate_document):
        for path, message in unknown_names(candidate):
            if dotted(path) == at[2]:
                found[(at, message)] = Problem(
                    message, f"tune.space.{at[2]}", document.location(at)
                )
    return list(found.values())
