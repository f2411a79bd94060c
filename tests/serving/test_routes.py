"""zoo serve's routes through FastAPI's test client, for every kind of model the shipped
specs make: each answers as `zoo predict`, `zoo generate` and `zoo trace` answer for
the same model, in the user's terms."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

import zoo
from zoo.serving import Limits, create_app
from zoo.tracing import trace

pytestmark = pytest.mark.slow


@contextmanager
def client(run: Path, limits: Limits | None = None, batching: bool = True) -> Iterator[TestClient]:
    app = create_app(run, limits or Limits(), batching)
    with TestClient(app, raise_server_exceptions=False) as opened:
        yield opened


def events(text: str) -> list[tuple[str, dict]]:
    """Server-sent events as (name, data); an unnamed event is a "message"."""
    parsed = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        parsed.append((lines.get("event", "message"), json.loads(lines["data"])))
    return parsed


def test_a_text_classifier_answers_with_label_names(sentiment: Path) -> None:
    texts = ["A wonderful film, warm and funny!", "Dull, slow and far too long."]
    expected = zoo.predict(sentiment, texts)
    with client(sentiment) as http:
        info = http.get("/info").json()
        assert info["takes"] == "texts" and info["classes"] == ["negative", "positive"]
        answer = http.post("/predict", json={"texts": texts})
        assert answer.status_code == 200, answer.text
        predictions = answer.json()["predictions"]
        assert [p["label"] for p in predictions] == expected.labels
        for p, row in zip(predictions, expected.probabilities, strict=True):
            assert list(p["probabilities"]) == ["negative", "positive"]
            np.testing.assert_allclose(list(p["probabilities"].values()), row, atol=1e-5)

        # TF Serving's REST request, as its clients write it: the raw outputs
        served = http.post("/v1/models/sentiment_bilstm:predict", json={"instances": texts})
        np.testing.assert_allclose(served.json()["predictions"], expected.values, atol=1e-5)
        columnar = http.post("/v1/models/sentiment_bilstm:predict", json={"inputs": texts})
        np.testing.assert_allclose(columnar.json()["outputs"], expected.values, atol=1e-5)
        status = http.get("/v1/models/sentiment_bilstm").json()
        assert status["model_version_status"][0]["state"] == "AVAILABLE"
        missing = http.post("/v1/models/other:predict", json={"instances": texts})
        assert missing.status_code == 404 and "Latest(other)" in missing.json()["error"]

        # the recurrence, as zoo trace computes it
        traced = http.post("/trace", json={"text": texts[0]}).json()
        by_cli = trace(sentiment, texts[0])
        assert traced["tokens"] == by_cli.tokens and traced["agreement"] < 1e-4
        first = traced["layers"][0]
        assert (first["layer"], first["direction"]) == ("rnn_1", "forward")
        h = np.array(first["steps"]["h"])
        assert h.shape == (len(by_cli.tokens), 8)
        np.testing.assert_allclose(h, [s["h"] for s in by_cli.directions[0].steps], atol=1e-6)
        assert {"i", "f", "o", "c"} <= set(first["steps"])  # the LSTM's gates and cell
        assert traced["head"]["predicted"] == [expected.labels[0]]

        openapi = http.get("/openapi.json").json()
        labelled = openapi["components"]["schemas"]["Labelled"]["properties"]["label"]
        assert labelled["enum"] == ["negative", "positive"]  # the spec's classes, by name


BAD = [
    ("/predict", "{not json", 400, "malformed JSON"),
    ("/predict", "[1, 2]", 422, "a JSON object"),
    ("/predict", {"instances": [[1, 2]]}, 422, 'takes "texts" (a list of strings); got instances'),
    ("/predict", {"text": "one"}, 422, "got text"),
    ("/predict", {"texts": []}, 422, "texts is empty"),
    ("/predict", {"texts": [""]}, 422, "texts.0: String should have at least 1 character"),
    ("/predict", {"texts": ["  "]}, 422, "text 1 of 1 is empty"),
    ("/predict", {"texts": [[1, 2]]}, 422, "texts.0: Input should be a valid string"),
    ("/generate", {"prime": "a"}, 422, "does not generate"),
    ("/trace", {}, 422, 'give one of "text", "instance" or "series"; got none'),
    ("/trace", {"instance": [1.0]}, 422, 'this model reads text: give "text"'),
    ("/v1/models/sentiment_bilstm:predict", {"instances": [3]}, 422, "a non-empty string"),
]


def test_bad_requests_get_one_line_and_the_server_keeps_serving(sentiment: Path) -> None:
    with client(sentiment) as http:
        for route, body, status, message in BAD:
            kwargs = {"content": body} if isinstance(body, str) else {"json": body}
            answer = http.post(route, **kwargs)
            assert answer.status_code == status, (route, body, answer.text)
            error = answer.json()["error"]
            assert message in error and "\n" not in error, (route, body, error)
        good = http.post("/predict", json={"texts": ["fine"]})
        assert good.status_code == 200 and good.json()["predictions"][0]["label"]


def test_limits_refuse_large_requests(sentiment: Path) -> None:
    limits = Limits(max_body_bytes=400, max_batch=2, max_text_chars=50)
    with client(sentiment, limits) as http:
        big = http.post("/predict", json={"texts": ["word " * 100]})
        assert big.status_code == 413 and "over 400 bytes" in big.json()["error"]
        many = http.post("/predict", json={"texts": ["a", "b", "c"]})
        assert many.status_code == 413 and "at most 2" in many.json()["error"]
        long = http.post("/predict", json={"texts": ["x" * 60]})
        assert long.status_code == 422 and "at most 50" in long.json()["error"]
        # a form body (what `curl -d` sends) is read as the JSON it is
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        answer = http.post("/predict", content='{"texts": ["fine"]}', headers=form)
        assert answer.status_code == 200


def test_concurrent_requests_share_forward_passes(sentiment: Path) -> None:
    """200 requests at once, one of them malformed: the others answer as alone, and
    fewer forward passes than requests ran them."""
    from concurrent.futures import ThreadPoolExecutor

    texts = [f"a film number {i} that was {'great' if i % 2 else 'awful'}" for i in range(200)]
    alone = zoo.predict(sentiment, texts)
    with client(sentiment, Limits(batch_wait_s=0.02)) as http:

        def ask(i: int) -> object:
            if i == 100:
                return http.post("/predict", content="{broken")
            return http.post("/predict", json={"texts": [texts[i]]})

        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(ask, range(200)))
        health = http.get("/health").json()
    assert answers[100].status_code == 400
    for i, answer in enumerate(answers):
        if i != 100:
            assert answer.status_code == 200, answer.text
            (p,) = answer.json()["predictions"]
            assert p["label"] == alone.labels[i]
            np.testing.assert_allclose(
                list(p["probabilities"].values()), alone.probabilities[i], atol=1e-5
            )
    assert health["requests"] == 199 and health["forward_passes"] < 199


def test_a_tagger_answers_a_tag_per_word(trained: Callable[[str], Path]) -> None:
    tagger = trained("tagger_bigru")
    text = "The cat sat on the mat ."
    expected = zoo.predict(tagger, [text])
    with client(tagger) as http:
        (answer,) = http.post("/predict", json={"texts": [text]}).json()["predictions"]
    assert answer["tokens"] == expected.tokens[0] and answer["tags"] == expected.labels[0]


def test_a_forecaster_answers_in_data_units_with_its_band(trained: Callable[[str], Path]) -> None:
    airline = trained("airline_gru")
    expected = zoo.predict(airline)  # after the end of the airline series
    with client(airline) as http:
        info = http.get("/info").json()
        assert info["takes"] == "series" and info["quantiles"] == [0.1, 0.5, 0.9]
        (series,) = info["example"]["series"]  # the series' last window
        longer = [100.0] * 5 + series  # only the last window is read
        answer = http.post("/predict", json={"series": [series, longer]})
        assert answer.status_code == 200, answer.text
        first, second = (p["forecast"] for p in answer.json()["predictions"])
        assert first == second and len(first) == 12 and first[0]["step"] == 1
        assert list(first[0]) == ["step", "airline q0.1", "airline q0.5", "airline q0.9"]
        got = [[row[c] for c in expected.columns] for row in first]
        np.testing.assert_allclose(got, expected.values, rtol=1e-5)
        as_windows = http.post("/predict", json={"instances": [[[v] for v in series]]})
        again = [
            [row[c] for c in expected.columns]
            for row in as_windows.json()["predictions"][0]["forecast"]
        ]
        np.testing.assert_allclose(again, got, rtol=1e-5)

        short = http.post("/predict", json={"series": [series[:5]]})
        assert short.status_code == 422 and "the model reads the last 24" in short.json()["error"]
        nan = http.post("/predict", content='{"series": [[1, NaN, 3]]}')
        assert nan.status_code == 422 and "finite number" in nan.json()["error"]
        traced = http.post("/trace", json={"series": series}).json()
        assert traced["tokens"][0] == "t1" and traced["agreement"] < 1e-4


def test_a_language_model_streams_what_zoo_generate_makes(trained: Callable[[str], Path]) -> None:
    hello = trained("hello")
    greedy = zoo.generate(hello, prime="h", length=12, temperature=0)
    drawn = zoo.generate(hello, prime="he", length=20, temperature=1.0, seed=3)
    with client(hello) as http:
        plain = http.post("/generate", json={"prime": "h", "length": 12, "temperature": 0})
        assert plain.json()["text"] == greedy
        streamed = http.post(
            "/generate",
            json={"prime": "he", "length": 20, "temperature": 1.0, "seed": 3, "stream": True},
        )
        assert streamed.headers["content-type"].startswith("text/event-stream")
        parsed = events(streamed.text)
        pieces = [data["piece"] for name, data in parsed if name == "message"]
        assert parsed[-1][0] == "done" and 0 < len(pieces) <= 20  # padding drawn: no piece
        assert "he" + "".join(pieces) == parsed[-1][1]["text"] == drawn
        unknown = http.post("/generate", json={"prime": "xyz"})
        assert unknown.status_code == 422 and "never saw" in unknown.json()["error"]
        too_long = http.post("/generate", json={"prime": "h", "length": 10**6})
        assert too_long.status_code == 422
        traced = http.post("/trace", json={"text": "hel"}).json()
        assert traced["tokens"] == ["h", "e", "l"] and len(traced["head"]["predicted"]) == 3


def test_a_seq2seq_translates_and_traces_its_decoder(trained: Callable[[str], Path]) -> None:
    addition = trained("seq2seq_addition")
    with client(addition) as http:
        for beam in (1, 3):
            expected = zoo.generate(addition, source="12+34", beam=beam)
            answer = http.post("/generate", json={"input": "12+34", "beam": beam})
            assert answer.json() == {"input": "12+34", "text": expected}
        primed = http.post("/generate", json={"prime": "1"})
        assert primed.status_code == 422 and "translates" in primed.json()["error"]
        traced = http.post("/trace", json={"text": "12+34"}).json()
        assert traced["tokens"] == list("12+34")
        decoder = traced["decoder"]
        assert decoder["layers"] and np.array(decoder["attention"]).shape[1] == 7
