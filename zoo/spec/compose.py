"""A spec as the user wrote it, resolved: ``extends`` merged, overrides applied."""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from zoo.errors import Location, SpecError
from zoo.spec.document import Document, key_path, read_file
from zoo.spec.schema import SHORTHANDS
from zoo.spec.shipped import find_spec

MAX_EXTENDS_DEPTH = 16


def load_document(path: Path, _chain: tuple[Path, ...] = ()) -> Document:
    """Read a spec file and everything it extends, deep-merged (the file wins)."""
    path = path.resolve() if _chain else path
    document = read_file(path)
    base_name = document.data.pop("extends", None)
    if base_name is None:
        return document
    where = document.location(("extends",))
    if not isinstance(base_name, str) or not base_name:
        raise SpecError.single("must be a file name", "extends", where)
    base_path = (path.parent / base_name).resolve()
    chain = (*_chain, path.resolve())
    if base_path in chain:
        cycle = " -> ".join(p.name for p in (*chain, base_path))
        raise SpecError.single(f"extends itself in a cycle: {cycle}", "extends", where)
    if len(chain) > MAX_EXTENDS_DEPTH:
        raise SpecError.single(f"more than {MAX_EXTENDS_DEPTH} levels of extends", "extends", where)
    if not base_path.is_file():
        raise SpecError.single(f"no such file: {base_name}", "extends", where)
    base = load_document(base_path, chain)
    return Document(
        deep_merge(base.data, document.data),
        {**base.positions, **document.positions},
        document.source,
    )


# Keys that name what a section's ``args`` are for (data.source, compile.optimizer.name).
NAMING_KEYS = ("source", "name")


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; anything else in ``override`` replaces the base.

    Where ``override`` names something else (another data source, another optimizer),
    the base's ``args`` are dropped rather than merged: they are the arguments of the
    thing no longer named, and would be unknown to the new one."""
    merged = copy.deepcopy(dict(base))
    if any(key in override and override[key] != merged.get(key) for key in NAMING_KEYS):
        merged.pop("args", None)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def parse_assignments(assignments: Iterable[str]) -> dict[str, Any]:
    """``["model.units=256", ...]`` -> ``{"model.units": 256}``; values are YAML scalars."""
    overrides: dict[str, Any] = {}
    for assignment in assignments:
        key, sep, text = assignment.partition("=")
        if not sep or not key.strip():
            raise SpecError.single(
                f"expected KEY=VALUE (e.g. model.units=128), got {assignment!r}",
                location=Location("--set"),
            )
        try:
            overrides[key.strip()] = yaml.safe_load(text) if text.strip() else ""
        except yaml.YAMLError:
            overrides[key.strip()] = text
    return overrides


def apply_overrides(document: Document, overrides: Mapping[str, Any]) -> Document:
    """Set each dotted path (``model.units``, ``model.units.0``) to its value."""
    data = copy.deepcopy(document.data)
    positions = dict(document.positions)
    for dotted, value in overrides.items():
        path = key_path(dotted)
        where = Location(f"--set {dotted}={_show(value)}")
        parent: Any = data
        for depth, key in enumerate(path[:-1]):
            child = parent[key] if _has(parent, key) else None
            if child is None:
                child = parent[key] = {}
            shorthand = SHORTHANDS.get(tuple(path[: depth + 1]))
            if shorthand is not None and isinstance(shorthand(child), dict):
                child = parent[key] = dict(shorthand(child))  # loss: quantile -> its section
            if not isinstance(child, (dict, list)):
                prefix = ".".join(str(k) for k in path[: depth + 1])
                raise SpecError.single(f"{prefix} is a value, not a section", dotted, where)
            parent = child
        if isinstance(parent, list) and not _has(parent, path[-1]):
            raise SpecError.single(f"index {path[-1]} is out of range", dotted, where)
        parent[path[-1]] = value
        for known in [p for p in positions if p[: len(path)] == path]:
            del positions[known]
        positions[path] = where
    return Document(data, positions, document.source)


def _has(container: Any, key: str | int) -> bool:
    if isinstance(container, list):
        return isinstance(key, int) and 0 <= key < len(container)
    return key in container


def _show(value: Any) -> str:
    """The value as the user would type it, on one line however long (an error is one line)."""
    shown = yaml.safe_dump(value, default_flow_style=True, width=math.inf)
    return shown.strip().removesuffix("...").strip()


def from_source(source: Path | str | Mapping[str, Any]) -> Document:
    """A spec file path, or an already-parsed mapping (whose keys have no positions)."""
    if not isinstance(source, Mapping):
        return load_document(find_spec(Path(source)))
    if "extends" in source:
        raise SpecError.single("needs a spec file to be relative to; pass a path", "extends")
    return Document(copy.deepcopy(dict(source)), {}, "<dict>")
