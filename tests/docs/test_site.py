"""The documentation site builds strictly, its reference pages match the code, and a real
browser shows it: the home page, a reference page, and the search."""

from __future__ import annotations

import functools
import http.server
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import chromium_browser

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "docs-screenshots"  # kept after the run, for a person to look at
# What the site needs from the clone beside mkdocs.yml and docs/.
BESIDE = ("zoo", "custom_layers", "examples", "specs")


def _generate_module():  # docs/generate.py is a script, not part of the package
    spec = importlib.util.spec_from_file_location("docs_generate", ROOT / "docs" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(clone: Path, site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
        cwd=clone,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A copy of the site's sources that a test may break."""
    shutil.copy(ROOT / "mkdocs.yml", tmp_path)
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    for name in BESIDE:
        (tmp_path / name).symlink_to(ROOT / name)
    return tmp_path


def test_reference_pages_are_current() -> None:
    stale = _generate_module().stale()
    assert not stale, f"stale: {[str(p) for p in stale]}: run `python docs/generate.py`"


def test_a_field_without_description_cannot_be_published(monkeypatch: pytest.MonkeyPatch) -> None:
    from zoo.spec import reference
    from zoo.spec.schema import Model

    monkeypatch.setattr(Model.model_fields["units"], "description", None)
    with pytest.raises(ValueError, match=r"model\.units: no description"):
        reference.markdown()


def test_an_option_without_help_cannot_be_published(monkeypatch: pytest.MonkeyPatch) -> None:
    from zoo.cli import reference
    from zoo.cli.options import add_overrides

    monkeypatch.setattr(
        "zoo.cli.build.add_arguments",
        lambda parser: (add_overrides(parser), parser.add_argument("--bare")),
    )
    with pytest.raises(ValueError, match=r"zoo build `--bare BARE`: no help text"):
        reference.markdown()


def test_the_api_page_documents_every_public_name() -> None:
    import custom_layers
    import zoo

    page = (ROOT / "docs" / "reference" / "api.md").read_text()
    documented = {target.rsplit(".", 1)[-1] for target in re.findall(r"^::: (\S+)", page, re.M)}
    missing = set(zoo.__all__) - documented
    assert not missing, f"docs/reference/api.md lacks {sorted(missing)}"
    assert not set(custom_layers.__all__) - documented


def test_the_site_builds_strictly(clone: Path) -> None:
    built = build(clone, clone / "site")
    assert built.returncode == 0, built.stderr
    assert (clone / "site" / "reference" / "spec" / "index.html").exists()
    math = (clone / "site" / "concepts" / "cells" / "index.html").read_text()
    assert "<math" in math and "arithmatex" not in math  # rendered as MathML


def test_a_broken_link_fails_the_build(clone: Path) -> None:
    page = clone / "docs" / "getting-started.md"
    page.write_text(page.read_text() + "\nSee [the guide](guides/no-such-page.md).\n")
    built = build(clone, clone / "site")
    assert built.returncode != 0
    assert "no-such-page.md" in built.stderr


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    built = build(ROOT, tmp_path / "site")
    assert built.returncode == 0, built.stderr
    handler = functools.partial(QuietHandler, directory=str(tmp_path / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *_: object) -> None:
        pass


@pytest.mark.slow
def test_the_site_in_a_browser(served: str) -> None:
    from playwright.sync_api import expect

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})

        page.goto(served)
        expect(page).to_have_title(re.compile("rnn-spec-zoo"))
        expect(page.locator("article h1")).to_contain_text("rnn-spec-zoo")
        expect(page.locator("nav").get_by_text("Getting started").first).to_be_visible()
        page.screenshot(path=SCREENSHOTS / "home.png", full_page=False)

        page.goto(f"{served}/reference/spec/")
        expect(page.locator("article table").first).to_contain_text("model.units")

        page.goto(f"{served}/concepts/cells/")
        assert page.locator("article math").count() > 3  # MathML, drawn by the browser
        page.screenshot(path=SCREENSHOTS / "cells.png", full_page=False)

        page.goto(served)
        results = _search(page, "clipnorm")
        expect(results.first).to_contain_text(re.compile("clipnorm", re.I))
        page.screenshot(path=SCREENSHOTS / "search.png", full_page=False)


def _search(page: object, query: str, patience_s: float = 60) -> object:
    """The search results for ``query``, typed key by key as a reader types it. (Setting
    the box's value at once was lost on a loaded machine: the search listens to the
    keys.) Typed again until results come, or ``patience_s`` runs out."""
    import time

    from playwright.sync_api import TimeoutError as NotYet

    box = page.locator("input[data-md-component='search-query']")
    results = page.locator(".md-search-result__item")
    deadline = time.monotonic() + patience_s
    while True:
        box.click()
        box.press("Control+a")
        box.press("Backspace")
        box.press_sequentially(query, delay=30)
        try:
            results.first.wait_for(state="visible", timeout=10_000)
            return results
        except NotYet:
            if time.monotonic() > deadline:
                raise
