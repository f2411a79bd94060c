"""A trace as terminal text: step by step, each layer's quantities under the symbols of
the cell's equations, wide vectors cut to their first units and their norm."""

from __future__ import annotations

import numpy as np

from zoo.builder.names import ATTENTION, HEAD
from zoo.tracing import Trace

ARROWS = {"forward": "→", "backward": "←"}


def vector(values: np.ndarray, units: int) -> str:
    """``[ 0.123 -0.456 ...]``; past ``units`` values, the rest as the norm."""
    shown = " ".join(f"{v:7.3f}" for v in values[:units])
    if len(values) <= units:
        return f"[{shown} ]"
    return f"[{shown}  … ] |v| = {np.linalg.norm(values):.3f} over {len(values)}"


def text(trace: Trace, units: int = 8) -> str:
    """The whole trace, one block per step; a seq2seq's encoder, then its decoder."""
    lines = [f"{trace.name}: {trace.cell}, {trace.origin}"]
    lines += _steps(trace, units, "input")
    if trace.decoder is not None:
        made = "".join(trace.decoder.tokens[1:])
        lines += ["", f"decoding greedily from the encoder's final states: {made!r}"]
        lines += _steps(trace.decoder, units, "the decoder reads")
    lines += ["", f"h_t agrees with each layer's own loop over time to {trace.agreement:.1g}"]
    return "\n".join(lines)


def _steps(trace: Trace, units: int, reads: str) -> list[str]:
    steps = len(trace.tokens)
    lines = [f"{reads} {_joined(trace.tokens)!r}: {steps} step{'s' * (steps != 1)}"]
    if trace.labels and trace.head is not None and len(trace.labels) <= units:
        lines.append("head outputs: " + " ".join(_label(label) for label in trace.labels))
    if any(d.direction == "backward" for d in trace.directions):
        lines.append("← a backward direction runs from the last step to the first")
    symbols = [symbol for d in trace.directions for symbol in d.symbols.values()]
    if trace.head is not None:
        symbols += ["logits", trace.head.activation]
    if trace.attention is not None:
        symbols.append("attention")
    width = max(len(symbol) for symbol in symbols) + 2
    names = [_name(d.layer, d.direction) for d in trace.directions]
    name_width = max(len(name) for name in [*names, HEAD]) + 2
    head = trace.head
    predicted = dict(zip(head.positions, trace.predicted(), strict=True)) if head else {}
    for position, token in enumerate(trace.tokens):
        lines += ["", f"step {position + 1}  {token!r}"]
        for d, name in zip(trace.directions, names, strict=True):
            if position not in d.positions:  # read only as the change from a step before
                continue
            index = d.positions.index(position)
            quantities = {"x": d.inputs[index], **d.steps[index]}
            for row, (quantity, values) in enumerate(quantities.items()):
                symbol = d.symbols.get(quantity, "x_t")
                label = (name if row == 0 else "").ljust(name_width)
                lines.append(f"  {label}{symbol.ljust(width)}{vector(values, units)}")
        if trace.attention is not None:
            weights = vector(trace.attention[position], units)
            lines.append(f"  {ATTENTION.ljust(name_width)}{'weights'.ljust(width)}{weights}")
        if head is not None and position in predicted:
            at = head.positions.index(position)
            lines.append(
                f"  {HEAD.ljust(name_width)}{'logits'.ljust(width)}{vector(head.logits[at], units)}"
            )
            outputs = vector(head.outputs[at], units)
            answer = f"  -> {_label(predicted[position])}"
            lines.append(f"  {''.ljust(name_width)}{head.activation.ljust(width)}{outputs}{answer}")
    return lines


def _joined(tokens: list[str]) -> str | list[str]:
    return "".join(tokens) if all(len(t) == 1 for t in tokens) else tokens


def _label(label: str) -> str:
    return "(padding)" if label == "" else repr(label)  # token 0 of every vocabulary


def _name(layer: str, direction: str) -> str:
    return f"{layer} {ARROWS[direction]}"
