"""Specs: YAML -> resolved, validated ``Spec``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from zoo.spec.compose import apply_overrides, from_source, parse_assignments
from zoo.spec.document import Document
from zoo.spec.schema import Spec

SpecSource = Path | str | Mapping[str, Any] | Spec
Overrides = Mapping[str, Any] | Iterable[str] | None

# A file named in an override is named where the user stands: relative to the current
# folder, as a shell means it, not to the folder of the spec it overrides (a shipped
# spec's folder is inside the installed package).
TYPED_PATHS = ("data.args.path",)


def assignments(overrides: Overrides) -> dict[str, Any]:
    """Overrides as dotted path -> value, whether given as a mapping or as KEY=VALUE."""
    changes = (
        dict(overrides) if isinstance(overrides, Mapping) else parse_assignments(overrides or [])
    )
    for key in TYPED_PATHS:
        if isinstance(changes.get(key), str) and not Path(changes[key]).is_absolute():
            changes[key] = str(Path(changes[key]).absolute())
    return changes


def resolve(source: Path | str | Mapping[str, Any], overrides: Overrides = None) -> Document:
    """The document after ``extends`` and overrides, before validation."""
    document = from_source(source)
    if overrides:
        document = apply_overrides(document, assignments(overrides))
    return document


def to_data(spec: Spec) -> dict[str, Any]:
    """The resolved spec as plain data, every default filled in."""
    return spec.model_dump(mode="json", by_alias=True)


def to_yaml(spec: Spec) -> str:
    """The spec as YAML, every default filled in: what `zoo show` prints."""
    return yaml.safe_dump(to_data(spec), sort_keys=False, allow_unicode=True)


def flat(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, value) for each leaf of a spec's data; lists are leaves."""
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            yield from flat(value, f"{path}.")
        else:
            yield path, value


__all__ = [
    "Overrides",
    "Spec",
    "SpecSource",
    "assignments",
    "flat",
    "resolve",
    "to_data",
    "to_yaml",
]
