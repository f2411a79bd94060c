"""YAML documents with a position for every key: the raw material of a spec.

Specs are data. The loader is PyYAML's SafeLoader, so a ``!!python/...`` tag is
an error, never an object; aliases are followed with a budget, so a billion
laughs document is refused instead of expanded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from zoo.errors import Location, SpecError

KeyPath = tuple[str | int, ...]
# A problem a check finds: where (the key path it blames) and what is wrong.
Finding = tuple[KeyPath, str]


def dotted(path: KeyPath) -> str:
    """("model", "units", 0) -> "model.units.0" """
    return ".".join(str(part) for part in path)


def key_path(text: str) -> KeyPath:
    """ "model.units.0" -> ("model", "units", 0)"""
    return tuple(int(part) if part.isdigit() else part for part in text.split("."))


# Far above any real spec; an alias bomb reaches it after a few levels.
MAX_NODES = 20_000
MAX_BYTES = 1_000_000


@dataclass
class Document:
    """Plain data plus where each key path was written."""

    data: dict[str, Any]
    positions: dict[KeyPath, Location] = field(default_factory=dict)
    source: str = "<spec>"

    def location(self, path: KeyPath) -> Location:
        """The position of a key, or of its nearest enclosing key that has one."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.positions:
                return self.positions[path[:end]]
        return Location(self.source)


def read_file(path: Path) -> Document:
    source = str(path)
    if not path.exists():
        raise SpecError.single(f"no such file: {source}")
    if path.is_dir():
        raise SpecError.single(f"{source} is a directory, not a spec file")
    raw = path.read_bytes()
    if len(raw) > MAX_BYTES:
        raise SpecError.single(f"{source} is {len(raw)} bytes; a spec is at most {MAX_BYTES}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SpecError.single(f"{source} is not a UTF-8 text file") from None
    return parse(text, source)


def parse(text: str, source: str = "<spec>") -> Document:
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as error:  # a control character or similar
        where = _position(text, error.position, source)
        raise SpecError.single(_unacceptable(error), location=where) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise SpecError.single("the spec is empty", location=Location(source, 1))
        positions: dict[KeyPath, Location] = {}
        _record_positions(node, (), source, positions, budget=[MAX_NODES])
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = Location(source, mark.line + 1, mark.column + 1) if mark else Location(source)
        problem = " ".join(str(p) for p in (error.context, error.problem) if p)
        raise SpecError.single(_explain_yaml(problem), location=where) from None
    except yaml.reader.ReaderError as error:
        where = _position(text, error.position, source)
        raise SpecError.single(_unacceptable(error), location=where) from None
    except yaml.YAMLError as error:
        raise SpecError.single(f"invalid YAML: {error}", location=Location(source)) from None
    except RecursionError:
        raise SpecError.single("nesting is too deep", location=Location(source)) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise SpecError.single(
            f"a spec is a mapping of keys to values, got a {kind}", location=Location(source, 1)
        )
    return Document(data, positions, source)


def _unacceptable(error: yaml.reader.ReaderError) -> str:
    character = error.character
    code = ord(character) if isinstance(character, str) else character
    return f"invalid YAML: character U+{code:04X} is not allowed ({error.reason})"


def _position(text: str, index: int, source: str) -> Location:
    line_start = text.rfind("\n", 0, index) + 1
    return Location(source, text.count("\n", 0, index) + 1, index - line_start + 1)


def _explain_yaml(problem: str) -> str:
    if "could not determine a constructor for the tag" in problem:
        return f"YAML tags that build objects are not allowed in a spec ({problem})"
    return f"invalid YAML: {problem}"


def _record_positions(
    node: yaml.Node, path: KeyPath, source: str, out: dict, budget: list[int]
) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        raise SpecError.single(
            f"the document expands to more than {MAX_NODES} values (an alias bomb?)",
            location=Location(source),
        )
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, Location] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            mark = key_node.start_mark
            where = Location(source, mark.line + 1, mark.column + 1)
            if key in seen:  # YAML would keep the last value and drop the first unsaid
                raise SpecError.single(
                    f"{dotted((*path, key))} is given twice (first at line {seen[key].line}); "
                    "YAML would keep only this one: remove one of them",
                    location=where,
                )
            seen[key] = out[(*path, key)] = where
            _record_positions(value_node, (*path, key), source, out, budget)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            mark = item.start_mark
            out[(*path, index)] = Location(source, mark.line + 1, mark.column + 1)
            _record_positions(item, (*path, index), source, out, budget)
