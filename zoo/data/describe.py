"""The data sources and their arguments, described from the registry and the
sources' own argument models (for `zoo data` and the documentation's reference)."""

from __future__ import annotations

import json

from pydantic_core import PydanticUndefined

from zoo.registry import DATASETS


def arguments(name: str) -> list[tuple[str, str, str]]:
    """(argument, default, meaning) for each argument of a source."""
    rows = []
    for argument, field in DATASETS[name].load().Args.model_fields.items():
        if field.default is PydanticUndefined and field.default_factory is None:
            default = "required"
        else:
            value = field.default_factory() if field.default_factory else field.default
            default = json.dumps(value)
        rows.append((argument, default, field.description or ""))
    return rows


def text() -> str:
    lines = []
    for name, entry in DATASETS.items():
        lines.append(f"{name}: {entry.summary} (data.scale default: {entry.load().scale})")
        for argument, default, meaning in arguments(name):
            lines.append(f"    {argument} = {default}    {meaning}")
    return "\n".join(lines) + "\n"


def markdown() -> str:
    lines = [
        "| source | what | arguments (default) | `data.scale` default |",
        "| --- | --- | --- | --- |",
    ]
    for name, entry in DATASETS.items():
        described = ", ".join(f"`{a}` ({d})" for a, d, _ in arguments(name))
        lines.append(f"| `{name}` | {entry.summary} | {described} | `{entry.load().scale}` |")
    return "\n".join(lines) + "\n"


def reference() -> str:
    """A section per source: what it gives, its default scaling, each argument's meaning.
    An argument without a description is an error: the reference would have a blank."""
    lines = []
    for name, entry in DATASETS.items():
        lines += [f"## {name}", "", f"{entry.summary[:1].upper()}{entry.summary[1:]}.", ""]
        lines += [f"`data.scale` default: `{entry.load().scale}`.", ""]
        rows = arguments(name)
        if not rows:
            lines += ["No arguments.", ""]
            continue
        lines += ["| argument | default | meaning |", "| --- | --- | --- |"]
        for argument, default, meaning in rows:
            if not meaning:
                raise ValueError(f"data source {name}: argument {argument} has no description")
            escaped = meaning.replace("|", "\\|")  # a bar would end the table's cell
            lines.append(f"| `{argument}` | `{default}` | {escaped} |")
        lines.append("")
    return "\n".join(lines)
