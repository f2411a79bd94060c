"""The README stays true: its field reference is the schema's, its commands exist."""

from __future__ import annotations

import re
from pathlib import Path

from zoo.registry import ARCHITECTURES, CELLS
from zoo.spec import reference

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def section(name: str) -> str:
    match = re.search(rf"<!-- {name}:start -->\n(.*?)<!-- {name}:end -->", README, re.S)
    assert match, f"README has no {name} markers"
    return match.group(1)


def test_generated_sections_are_current() -> None:
    for name, generated in reference.generated_sections().items():
        assert section(name) == generated, (
            f"README's {name} section is stale: run `python -m zoo.spec.reference README.md`"
        )


def test_readme_opens_with_the_two_commands() -> None:
    blocks = re.findall(r"```bash\n(.*?)\n```", README, re.S)[:2]
    assert "zoo build specs/" in blocks[0] and blocks[0].startswith("python3.11 -m venv")
    assert blocks[1].endswith("pytest -n auto")
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert blocks[1] in ci  # CI runs the README's test command verbatim


def test_every_architecture_and_cell_is_documented() -> None:
    for name in [*ARCHITECTURES, *CELLS]:
        assert f"`{name}`" in README


def test_every_yaml_example_is_a_valid_spec() -> None:
    import yaml

    import zoo

    # A block with a version key is a whole spec; others are excerpts of one.
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", README, re.S) if "version: 1" in b]
    assert len(blocks) >= 7
    for block in blocks:
        assert zoo.validate(yaml.safe_load(block)) == [], block
