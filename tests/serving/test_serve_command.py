"""`zoo serve` as a user runs it: a process on a loopback port, asked with a plain HTTP
client as curl asks, and its page driven in headless Chromium."""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import zoo
from tests.helpers import chromium_browser
from zoo.cli import main

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "serve-screenshots"  # kept after the run, for a person


@pytest.fixture(scope="module")
def server(sentiment: Path) -> Iterator[str]:
    with _served(sentiment) as address:
        yield address


@contextlib.contextmanager
def _served(run: Path) -> Iterator[str]:
    """`zoo serve RUN --port 0` in a process; its address, read from what it prints (a
    small --max-batch: fewer batch sizes to trace before it listens)."""
    command = [sys.executable, "-c", "from zoo.cli import main; main()"]
    process = subprocess.Popen(
        [*command, "serve", str(run), "--port", "0", "--max-batch", "8"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        address = _address(process)
        _wait_healthy(address)
        yield address
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stdout.close()


def _address(process: subprocess.Popen, patience_s: float = 120) -> str:
    deadline = time.monotonic() + patience_s
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            raise AssertionError(f"zoo serve stopped with exit code {process.returncode}")
        found = re.search(r"on (http://127\.0\.0\.1:\d+/)", line)
        if found:
            return found.group(1)
    raise AssertionError("zoo serve printed no address")


def _wait_healthy(address: str, patience_s: float = 60) -> None:
    deadline = time.monotonic() + patience_s
    while True:
        try:
            with urllib.request.urlopen(address + "health", timeout=5) as answer:
                assert json.load(answer)["status"] == "ok"
                return
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _post(address: str, route: str, body: bytes) -> tuple[int, dict]:
    # the content type `curl -d` sends: a form, though the body is JSON
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    request = urllib.request.Request(address + route, data=body, headers=form, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_a_served_classifier_answers_as_curl_asks(server: str) -> None:
    status, answer = _post(server, "predict", b'{"texts": ["a wonderful film"]}')
    assert status == 200 and answer["predictions"][0]["label"] in ("negative", "positive")
    status, answer = _post(server, "predict", b'{"texts": ')
    assert status == 400 and answer["error"].startswith("malformed JSON")
    body = b'{"instances": ["a wonderful film"]}'
    status, answer = _post(server, "v1/models/sentiment_bilstm:predict", body)
    assert status == 200 and 0 <= answer["predictions"][0][0] <= 1


def test_the_page_shows_the_label_and_the_recurrence(server: str) -> None:
    from playwright.sync_api import expect

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1100, "height": 1000})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(server)
        expect(page.locator("#title")).to_have_text("sentiment_bilstm")
        page.locator("#input").fill("a wonderful film, warm and funny")
        page.locator("#answer").click()
        label = page.locator("#result .label").first
        expect(label).to_have_text(re.compile("^(negative|positive)$"))
        maps = page.locator("#maps canvas")
        expect(maps).to_have_count(4)  # two layers, each both ways
        painted = int(maps.first.get_attribute("data-painted"))
        assert painted == 8 * 7  # units x steps: a, wonderful, film, ",", warm, and, funny
        maps.first.click(position={"x": 5, "y": 5})
        expect(page.locator("#step table")).to_contain_text("f_t")  # the forget gate
        page.screenshot(path=SCREENSHOTS / "sentiment.png", full_page=True)
    assert not errors, errors


def test_the_page_streams_a_language_model_s_text(trained: Callable[[str], Path]) -> None:
    """The page reads /generate's event stream piece by piece into the text, as
    `zoo generate` writes it (greedy, so the two must agree to the character)."""
    from playwright.sync_api import expect

    hello = trained("hello")
    greedy = zoo.generate(hello, prime="h", length=12, temperature=0)
    with _served(hello) as address, chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(address)
        expect(page.locator("#generate")).to_be_visible()
        page.locator("#prime").fill("h")
        page.locator("#length").fill("12")
        page.locator("#temperature").fill("0")
        page.locator("#go").click()
        text = page.locator("#generated")
        expect(text).to_have_attribute("data-done", "true")
        assert text.text_content() == greedy and len(greedy) > 1
        # ready to trace the window the model would go on from: a longer text is refused
        window = zoo.read_spec(hello / "best.keras").inputs.length
        expect(page.locator("#trace-input")).to_have_value(greedy[-window:])
        page.locator("#trace").click()
        maps = page.locator("#maps canvas")
        expect(maps).to_have_count(1)  # one layer, one way
        units = zoo.read_spec(hello / "best.keras").model.units
        assert int(maps.first.get_attribute("data-painted")) == units * window
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "language_model.png", full_page=True)
    assert not errors, errors


def test_a_port_in_use_is_one_line(server: str, capsys) -> None:
    port = server.rsplit(":", 1)[1].rstrip("/")
    assert main(["serve", "no-such-run", "--port", port]) == 2
    assert "cannot listen on 127.0.0.1:" in capsys.readouterr().err


def test_each_worker_builds_the_app_the_command_checked(sentiment: Path, monkeypatch) -> None:
    """`--workers 2` hands uvicorn an import string, each worker process building the
    app from the settings the command left in its environment: that app answers as the
    one the command opened to check the model."""
    import uvicorn
    from fastapi.testclient import TestClient

    from zoo.cli import serve

    started: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.update(app=app, **options))
    monkeypatch.setenv(serve.SETTINGS, "")  # restored after the test
    args = ["serve", str(sentiment), "--port", "0", "--workers", "2", "--max-batch", "8"]
    assert main(args) == 0
    assert started["workers"] == 2 and started["factory"] is True
    module, name = started["app"].split(":")
    worker_app = getattr(importlib.import_module(module), name)()
    checked_app = serve.app_from_settings(json.loads(os.environ[serve.SETTINGS]))
    texts = {"texts": ["a wonderful film", "dull and far too long"]}
    answers = []
    for app in (worker_app, checked_app):
        with TestClient(app) as client:
            answer = client.post("/predict", json=texts)
            assert answer.status_code == 200
            answers.append(answer.json()["predictions"])
    assert answers[0] == answers[1] and len(answers[0]) == 2
    assert worker_app.state.service.limits.max_batch == 8  # the command's options reached it
