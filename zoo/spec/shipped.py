"""The specs shipped with the zoo, found by name wherever a spec path is accepted.

``zoo build hello`` works after a plain ``pip install``: there is no specs/ folder to
point at then, but the shipped specs are installed as the package ``zoo.specs``.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from zoo.errors import SpecError

SUFFIX = ".yaml"


def specs_folder() -> Path:
    return Path(str(resources.files("zoo.specs")))


def shipped_names() -> list[str]:
    return sorted(p.stem for p in specs_folder().glob(f"*{SUFFIX}") if not p.name.startswith("."))


def find_spec(path: Path) -> Path:
    """``path`` itself when it exists (an existing path wins over a name); else the
    shipped spec it names, as ``hello`` or ``hello.yaml``."""
    if path.exists() or len(path.parts) != 1:
        return path
    name = path.name.removesuffix(SUFFIX)
    shipped = specs_folder() / f"{name}{SUFFIX}"
    if shipped.is_file():
        return shipped
    close = difflib.get_close_matches(name, shipped_names(), n=1, cutoff=0.6)
    hint = f"; did you mean the shipped spec {close[0]!r}?" if close else "; see zoo list"
    raise SpecError.single(f"no such file or shipped spec: {path}{hint}")


def spec_folder(source: Path | str | Mapping[str, Any] | Any) -> Path:
    """Where a spec's relative data paths resolve: its file's folder (the current
    folder for a spec given as a mapping or a Spec)."""
    if isinstance(source, (str, Path)):
        return find_spec(Path(source)).resolve().parent
    return Path.cwd()
