"""Milliseconds per generated token: sampling that carries the recurrent state against
re-running the model over the text for every token, and the seq2seq decoders' compiled
step against Keras's predict_on_batch, all measured in the same run.

Language model: the shipped char_lstm's sizes (98 characters, a 32-dim embedding, two
LSTM layers of 128 units), weights as initialised (speed does not depend on them).

    window     ``sample_tokens``: each token is a forward pass over the text so far (the
               spec sets no inputs.length, so the whole of it), via predict_on_batch;
               this was zoo generate's sampler, and is --window now
    state      ``StateSampler``: each token is one cell step per layer from the carried
               state, the whole continuation one compiled TensorFlow loop
    state x16  the same, 16 samples drawn together (ms per token of each sample)
    torch      a hand-written PyTorch loop (nn.LSTM stepping with (h, c), nn.Linear,
               multinomial sampling) of the same sizes, where torch is installed

Prediction: the shipped adding_lstm's sizes over --examples inputs, in ms per example:
Keras's model.predict against zoo predict's compiled forward pass (XLA, batches of one
shape), each with Keras's built-in LSTM and with the project's.

Seq2seq: the shipped seq2seq_addition's sizes, greedy and beam (width 4) decoding of a
7-token output, in ms per output token, with the one-step decoder called through
predict_on_batch from a Python loop (as before), or compiled: greedy decoding as one
TensorFlow loop, beam search as one compiled call per position for all its beams.
Rounds alternate the contenders; the tables give medians and the ratio to the
reference of the same run.

    python benchmarks/generate_speed.py [--tokens 400] [--repeats 5]
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # before TensorFlow loads: no C++ chatter

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

try:  # PyTorch's native libraries must load before TensorFlow's
    import torch
except ImportError:
    torch = None

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import zoo  # noqa: E402
from zoo.inference.decoding import (  # noqa: E402
    Seq2SeqInference,
    beam_decode,
    greedy_decode,
    sample_tokens,
    seq2seq_inference,
)
from zoo.inference.sampling import StateSampler  # noqa: E402

Timed = dict[str, Callable[[], int]]  # name -> a run that returns how many tokens it made


def language_model_contenders(tokens: int, window_tokens: int, spec_name: str) -> Timed:
    spec = zoo.load_spec(spec_name)
    model = zoo.build(spec)
    sampler = StateSampler(model, spec)
    prime = [1, 2, 3]  # ids every vocabulary of 4 or more has
    sampler.sample(prime, 2, seed=0)  # trace the loop once, outside the timing
    contenders: Timed = {
        "window": lambda: len(sample_tokens(model, prime, window_tokens, 1.0, seed=0)),
        "state": lambda: len(sampler.sample(prime, tokens, 1.0, seed=0)[0]),
        "state x16": lambda: sum(map(len, sampler.sample(prime, tokens, 1.0, seed=0, samples=16))),
    }
    if torch is not None:
        contenders["torch"] = torch_sampler(spec, prime, tokens)
    return contenders


def torch_sampler(spec: zoo.Spec, prime: list[int], tokens: int) -> Callable[[], int]:
    """The same sizes in PyTorch, written by hand: one LSTM step per token."""
    assert torch is not None
    torch.set_grad_enabled(False)
    units, layers = spec.model.units, spec.model.layers or 1
    embedding = torch.nn.Embedding(spec.inputs.vocab_size, spec.inputs.embedding.dim)
    lstm = torch.nn.LSTM(spec.inputs.embedding.dim, units, num_layers=layers, batch_first=True)
    head = torch.nn.Linear(units, spec.inputs.vocab_size)
    generator = torch.Generator().manual_seed(0)

    def run() -> int:
        state = None
        token = torch.tensor([prime[:-1]])
        if token.shape[1]:
            _, state = lstm(embedding(token), state)
        token = torch.tensor([[prime[-1]]])
        made = []
        for _ in range(tokens):
            output, state = lstm(embedding(token), state)
            probabilities = torch.softmax(head(output[:, -1]), dim=-1)
            token = torch.multinomial(probabilities, 1, generator=generator)
            made.append(int(token))
        return len(made)

    return run


def seq2seq_contenders(spec_name: str) -> Timed:
    spec = zoo.load_spec(spec_name)
    model = zoo.build(spec)
    compiled = seq2seq_inference(model, spec)
    keras_calls = KerasCalls(compiled.encoder, compiled.decoder_step, compiled.state_shapes)
    source = np.zeros((1, spec.inputs.length or 7), dtype="int32")
    source[0, :5] = [1, 2, 3, 4, 5]
    start, length = spec.outputs.vocab_size - 2, 7
    never = -1  # decode the full length, whatever the untrained model predicts

    def greedy(inference: Seq2SeqInference) -> Callable[[], int]:
        return lambda: len(greedy_decode(inference, source, start, never, length)[0])

    def beam(inference: Seq2SeqInference) -> Callable[[], int]:
        return lambda: len(beam_decode(inference, source, start, never, length, 4))

    greedy(compiled)()  # trace once, outside the timing
    beam(compiled)()
    return {
        "greedy, predict_on_batch": greedy(keras_calls),
        "greedy, compiled": greedy(compiled),
        "beam 4, predict_on_batch": beam(keras_calls),
        "beam 4, compiled": beam(compiled),
    }


class KerasCalls(Seq2SeqInference):
    """The same models called through predict_on_batch, as the decoders did before."""

    def encode(self, source: np.ndarray) -> list[np.ndarray]:
        return _as_list(self.encoder.predict_on_batch(source))

    def step(self, inputs: list[np.ndarray]) -> list[np.ndarray]:
        return _as_list(self.decoder_step.predict_on_batch(inputs))

    def greedy(
        self, context: list, states: list, start: int, end: int, max_length: int
    ) -> np.ndarray:
        tokens, made = np.full((len(context[0]), 1), start, dtype="int32"), []
        for _ in range(max_length):
            outputs = self.step([tokens, *context, *states])
            states = outputs[1:]
            tokens = np.argmax(outputs[0][:, -1], axis=-1).astype("int32")[:, None]
            made.append(tokens[:, 0])
            if (np.stack(made) == end).any(axis=0).all():
                break
        return np.stack(made, axis=1)


def _as_list(outputs: object) -> list[np.ndarray]:
    return [np.asarray(o) for o in outputs] if isinstance(outputs, list) else [np.asarray(outputs)]


def prediction_contenders(spec_name: str, examples: int) -> Timed:
    """Forward passes over ``examples`` inputs: Keras's predict against zoo predict's
    compiled forward, with the project's layers and with Keras's built-in ones, and
    PyTorch's LSTM where torch is installed."""
    from zoo.inference.forward import CompiledForward

    contenders: Timed = {}
    for implementation in ("keras", "custom"):
        spec = zoo.load_spec(spec_name, {"implementation": implementation})
        model = zoo.build(spec)
        x = np.random.default_rng(0).normal(
            size=(examples, spec.inputs.length, spec.inputs.features)
        )
        x = x.astype("float32")
        forward = CompiledForward(model)
        forward(x)  # compile once, outside the timing
        model.predict(x, verbose=0, batch_size=256)
        contenders[f"{implementation} layers, model.predict"] = _predict(model, x)
        contenders[f"{implementation} layers, compiled (XLA)"] = _run(forward, x)
    if torch is not None:
        contenders["torch"] = torch_forward(spec, x)
    return contenders


def torch_forward(spec: zoo.Spec, x: np.ndarray) -> Callable[[], int]:
    """The same many-to-one LSTM in PyTorch: nn.LSTM over each batch of 256, the last
    step's output through nn.Linear."""
    assert torch is not None
    torch.set_grad_enabled(False)
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(spec.inputs.features, spec.model.units, batch_first=True)
    head = torch.nn.Linear(spec.model.units, spec.outputs.units)
    batches = [torch.from_numpy(x[i : i + 256]) for i in range(0, len(x), 256)]

    def run() -> int:
        return sum(len(head(lstm(batch)[0][:, -1])) for batch in batches)

    run()  # warm up outside the timing
    return run


def _predict(model: object, x: np.ndarray) -> Callable[[], int]:
    return lambda: len(model.predict(x, verbose=0, batch_size=256))  # type: ignore[attr-defined]


def _run(forward: Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> Callable[[], int]:
    return lambda: len(forward(x))


def measure(contenders: Timed, repeats: int) -> dict[str, float]:
    """Median ms per token of each contender, the contenders alternating round by round."""
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, run in contenders.items():
            started = time.perf_counter()
            made = run()
            times[name].append((time.perf_counter() - started) * 1000 / max(made, 1))
    return {name: statistics.median(values) for name, values in times.items()}


def table(medians: dict[str, float], reference: str, title: str, unit: str = "ms/token") -> str:
    width = max(len(name) for name in medians)
    lines = [title, f"{'':<{width}}  {unit:>9}  {'speed-up':>9}"]
    for name, ms in medians.items():
        lines.append(f"{name:<{width}}  {ms:>9.4f}  {medians[reference] / ms:>8.1f}x")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=400, help="tokens per state sample")
    parser.add_argument("--window-tokens", type=int, default=100, help="tokens per window run")
    parser.add_argument("--examples", type=int, default=1024, help="inputs per forward pass")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    lm = measure(
        language_model_contenders(args.tokens, args.window_tokens, "char_lstm"), args.repeats
    )
    print(table(lm, "window", "char_lstm sampling (2 x LSTM 128), against the window re-run"))
    if torch is None:
        print("(torch is not installed: no PyTorch row)")
    print()
    decoding = measure(seq2seq_contenders("seq2seq_addition"), args.repeats)
    greedy = {k: v for k, v in decoding.items() if k.startswith("greedy")}
    beam = {k: v for k, v in decoding.items() if k.startswith("beam")}
    print(table(greedy, "greedy, predict_on_batch", "seq2seq_addition greedy decoding"))
    print(table(beam, "beam 4, predict_on_batch", "seq2seq_addition beam search, width 4"))
    print()
    predict = measure(prediction_contenders("adding_lstm", args.examples), args.repeats)
    title = f"adding_lstm forward pass over {args.examples} examples (100 steps, LSTM 64)"
    print(table(predict, "keras layers, model.predict", title, unit="ms/example"))


if __name__ == "__main__":
    main()
