"""Rows of text cells as aligned columns: the one layout of every table the zoo prints."""

from __future__ import annotations

from collections.abc import Sequence


def aligned(rows: Sequence[Sequence[str]], right: bool = False) -> str:
    """Each column as wide as its widest cell, two spaces apart; numbers read best
    ``right``-aligned, words left-aligned (trailing spaces dropped)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(
            cell.rjust(width) if right else cell.ljust(width)
            for cell, width in zip(row, widths, strict=True)
        ).rstrip()
        for row in rows
    )
