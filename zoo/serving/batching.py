"""Concurrent requests gathered into one forward pass.

A recurrent model's forward pass costs nearly the same for one example as for dozens
(the steps run one after another either way), so a server answering requests one pass
each spends its time on overhead. The batcher holds each request a moment
(``wait_s``) for others of the same kind, runs them as one pass on the model's thread,
and hands each its own rows. A request larger than ``max_batch`` is never split: the
app refuses it first.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Hashable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Counts:
    requests: int = 0
    passes: int = 0  # forward passes run: fewer than requests when batching gathers them

    @property
    def mean_batch(self) -> float:
        return self.requests / self.passes if self.passes else 0.0


@dataclass
class Batcher:
    # inputs (batch, ...) -> outputs (batch, ...), or a tuple of such
    forward: Callable[[np.ndarray], Any]
    executor: Executor  # the model's one thread
    max_batch: int
    wait_s: float
    enabled: bool = True
    counts: Counts = field(default_factory=Counts)
    _waiting: dict[Hashable, list] = field(default_factory=lambda: defaultdict(list))
    _gathering: dict[Hashable, asyncio.Task] = field(default_factory=dict)

    async def __call__(self, key: Hashable, inputs: np.ndarray) -> Any:
        """The outputs for ``inputs``, from a pass shared with requests of the same ``key``
        (the same kind and shape of example) that arrive while it waits."""
        loop = asyncio.get_running_loop()
        self.counts.requests += 1
        if not self.enabled:
            self.counts.passes += 1
            return await loop.run_in_executor(self.executor, self.forward, inputs)
        answer = loop.create_future()
        self._waiting[key].append((inputs, answer))
        if key not in self._gathering:
            self._gathering[key] = loop.create_task(self._gather(key))
        return await answer

    async def _gather(self, key: Hashable) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._waiting[key]:
                await asyncio.sleep(self.wait_s)  # let concurrent requests arrive
                taken = self._take(key)
                inputs = np.concatenate([part for part, _ in taken])
                self.counts.passes += 1
                try:
                    outputs = await loop.run_in_executor(self.executor, self.forward, inputs)
                except Exception as error:  # each request answers for itself
                    for _, answer in taken:
                        if not answer.done():
                            answer.set_exception(error)
                    continue
                start = 0
                for part, answer in taken:
                    if not answer.done():  # its client may have gone
                        answer.set_result(_rows(outputs, start, start + len(part)))
                    start += len(part)
        finally:
            self._gathering.pop(key, None)

    def _take(self, key: Hashable) -> list:
        """The waiting requests, oldest first, while their examples fit one batch (the
        first always: no request is larger than a batch)."""
        waiting = self._waiting[key]
        taken, size = [], 0
        while waiting and (not taken or size + len(waiting[0][0]) <= self.max_batch):
            part = waiting.pop(0)
            taken.append(part)
            size += len(part[0])
        return taken


def _rows(outputs: Any, start: int, end: int) -> Any:
    """Rows ``start:end`` of the outputs (of each, for a tuple of them)."""
    if isinstance(outputs, tuple):
        return tuple(part[start:end] for part in outputs)
    return outputs[start:end]
