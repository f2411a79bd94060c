"""Atomic file writes: a temporary file in the same folder, then a rename.

A reader (or a crash) sees either the old file or the new one, never a
half-written one, because os.replace is atomic within a file system.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(path: Path | str) -> Iterator[Path]:
    """Yield a temporary path to write to; on success it replaces ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Same folder (same file system, so the rename is atomic), same suffix (Keras
    # and matplotlib pick the format from it), hidden: a process killed mid-write
    # leaves it behind, and folder listings skip hidden files.
    temporary = path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_text(path: Path | str, text: str) -> Path:
    with atomic_path(path) as temporary:
        temporary.write_text(text)
    return Path(path)
