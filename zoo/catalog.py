"""The specs shipped with the zoo (the top-level specs/ folder, installed as zoo.specs)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from zoo.errors import SpecError, UserError
from zoo.spec import resolve
from zoo.spec.shipped import specs_folder


@dataclass(frozen=True)
class CatalogEntry:
    name: str  # the file name without .yaml
    path: Path
    summary: str


def shipped_specs(folder: Path | None = None) -> list[CatalogEntry]:
    folder = folder or specs_folder()
    if folder.is_file():
        raise UserError(f"{folder}: a file, not a folder")
    if not folder.is_dir():
        raise UserError(f"{folder}: no such folder")
    entries = []
    for path in sorted(folder.glob("*.yaml")):
        if path.name.startswith("."):  # hidden, e.g. the temporary of a killed write
            continue
        try:
            data = resolve(path).data
            summary = str(data.get("description") or data.get("name") or "")
        except SpecError as error:
            summary = f"(invalid: {error.problems[0]})"
        entries.append(
            CatalogEntry(
                path.stem, path, summary.strip().splitlines()[0] if summary.strip() else ""
            )
        )
    return entries
