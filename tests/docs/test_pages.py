"""What every page set must hold: each architecture with its diagram and a complete
example spec, each cell with its equations, and every spec shown in full a valid one."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

import zoo
from tests.docs import examples
from zoo.registry import ARCHITECTURES, CELLS

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]


def test_every_architecture_has_a_diagram_and_an_example() -> None:
    page = (DOCS / "concepts" / "architectures.md").read_text()
    for name in ARCHITECTURES:
        diagram = f"images/architectures/{name}.svg"
        assert diagram in page and (DOCS / diagram).exists(), name
        assert re.search(rf"^architecture: {name}\b", page, re.M), f"no example spec of {name}"


def test_every_cell_has_its_equations() -> None:
    page = (DOCS / "concepts" / "cells.md").read_text()
    for name in CELLS:
        assert f"`{name}`" in page
    assert page.count("$$") >= 2 * len(CELLS)  # a display equation per cell at least


def test_every_spec_shown_in_full_is_valid() -> None:
    """A YAML block with `version: 1` is a whole spec (others are excerpts of one), and a
    valid one, unless it is a file the page shows a command refusing."""
    checked = 0
    for page in PAGES:
        found = examples.blocks(page.read_text())
        refused = {
            word
            for block in found
            if block.language == "console"
            for command in examples.commands(block)
            if any(line.startswith("error:") for line in command.shown)
            for word in examples.words(command.text)
        }
        for block in found:
            if block.language != "yaml" or not re.search(r"^version: 1$", block.body, re.M):
                continue
            if block.title in refused:
                continue
            where = f"{page.relative_to(ROOT)}:{block.line}"
            assert zoo.validate(yaml.safe_load(block.body)) == [], where
            checked += 1
    assert checked >= 10
