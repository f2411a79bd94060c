"""The README is the front door: short, opening with the two commands CI runs, and
every link into the documentation leads to a page. Its examples run with the site's
(tests/docs/test_examples.py)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
MOST_BYTES = 15_000


def test_readme_opens_with_the_two_commands() -> None:
    blocks = re.findall(r"```bash\n(.*?)\n```", README, re.S)[:2]
    assert "zoo build specs/" in blocks[0] and blocks[0].startswith("python3.11 -m venv")
    assert blocks[1].endswith("pytest -n auto")
    ci = (ROOT / ".ci" / "run").read_text()
    assert blocks[1] in ci  # CI runs the README's test command verbatim


def test_readme_is_a_front_door() -> None:
    assert len(README.encode()) <= MOST_BYTES


def test_every_link_of_the_readme_leads_somewhere() -> None:
    links = [t for t in re.findall(r"\]\(([^)#]+)", README) if "://" not in t]
    assert len(links) >= 20
    missing = [target for target in links if not (ROOT / target).exists()]
    assert not missing, f"README links to missing files: {missing}"


def test_every_page_of_the_site_is_linked_from_the_readme() -> None:
    pages = {str(p.relative_to(ROOT)) for p in (ROOT / "docs").rglob("*.md")}
    linked = set(re.findall(r"\]\((docs/[^)#]+\.md)", README))
    assert pages - {"docs/index.md"} <= linked, sorted(pages - linked)
