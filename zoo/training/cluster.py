"""Who trains together under ``train.distribute: multi_worker``: TF_CONFIG as TensorFlow
documents it, or the ``--cluster HOST:PORT,... --task-index I`` shorthand that writes
it. Both are checked here, before TensorFlow reads them, so that a mistake is one line
rather than a hang or a gRPC traceback."""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from typing import Any

from zoo.errors import UserError

TF_CONFIG = "TF_CONFIG"
KINDS = {dict: "a mapping", list: "a list", str: "a string", int: "a whole number"}


@dataclass(frozen=True)
class Cluster:
    """The workers, the chief (task 0) first, and which of them this process is."""

    workers: tuple[str, ...]  # HOST:PORT each
    index: int

    @property
    def is_chief(self) -> bool:
        return self.index == 0

    @property
    def address(self) -> str:
        return self.workers[self.index]

    def tf_config(self) -> str:
        task = {"type": "worker", "index": self.index}
        return json.dumps({"cluster": {"worker": list(self.workers)}, "task": task})


def from_flags(cluster: str, task_index: int | None) -> Cluster:
    """``--cluster a:2222,b:2222 --task-index 1``."""
    workers = tuple(address.strip() for address in cluster.split(","))
    for address in workers:
        check_address(address, "--cluster")
    if len(workers) < 2:
        raise UserError(f"--cluster: {cluster!r} names one worker; give every worker's HOST:PORT")
    if len(set(workers)) < len(workers):
        raise UserError(f"--cluster: {cluster!r} names a worker twice")
    if task_index is None:
        raise UserError("--cluster needs --task-index I: this worker's place in it (0: the chief)")
    if not 0 <= task_index < len(workers):
        raise UserError(
            f"--task-index: {task_index} is not one of the {len(workers)} workers in --cluster "
            f"(0 to {len(workers) - 1})"
        )
    return Cluster(workers, task_index)


def from_tf_config(text: str) -> Cluster:
    """TF_CONFIG: ``{"cluster": {"worker": [...]}, "task": {"type": "worker", "index": I}}``;
    a ``chief`` job, where there is one, counts as task 0 before the workers."""
    try:
        config = json.loads(text)
    except ValueError as error:
        raise UserError(f"{TF_CONFIG}: not JSON ({error})") from None
    cluster = _field(config, "cluster", dict)
    chief = _field(cluster, "chief", list, where="cluster", required=False) or []
    workers = _field(cluster, "worker", list, where="cluster", required=not chief) or []
    task = _field(config, "task", dict)
    kind = _field(task, "type", str, where="task")
    index = _field(task, "index", int, where="task")
    if len(chief) > 1:
        raise UserError(f"{TF_CONFIG}: cluster.chief lists {len(chief)} addresses; it is one task")
    jobs = {"chief": chief, "worker": workers}
    if kind not in jobs:
        raise UserError(f"{TF_CONFIG}: task.type {kind!r}: expected 'worker' (or 'chief')")
    if not 0 <= index < len(jobs[kind]):
        raise UserError(
            f"{TF_CONFIG}: task.index {index} is not one of the {len(jobs[kind])} {kind} tasks"
        )
    addresses = tuple(chief + workers)
    for address in addresses:
        check_address(address, TF_CONFIG)
    return Cluster(addresses, index + (len(chief) if kind == "worker" else 0))


def _field(mapping: Any, key: str, kind: type, where: str = "", required: bool = True) -> Any:
    name = f"{where}.{key}" if where else key
    if not isinstance(mapping, dict) or key not in mapping:
        if required:
            raise UserError(f"{TF_CONFIG}: no {name} (see TensorFlow's multi-worker guide)")
        return None
    value = mapping[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise UserError(f"{TF_CONFIG}: {name} must be {KINDS[kind]}, got {json.dumps(value)}")
    return value


def check_address(address: Any, where: str) -> None:
    host, _, port = str(address).rpartition(":")
    if not isinstance(address, str) or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UserError(f"{where}: {address!r} is not HOST:PORT (e.g. 10.0.0.2:2222)")


def resolve(cluster: str | None, task_index: int | None) -> Cluster | None:
    """The cluster from the flags (which then set TF_CONFIG for TensorFlow), else from
    TF_CONFIG, else None: one machine."""
    if cluster is not None:
        found = from_flags(cluster, task_index)
        os.environ[TF_CONFIG] = found.tf_config()
        return found
    if task_index is not None:
        raise UserError("--task-index names this worker's place in --cluster: give --cluster too")
    text = os.environ.get(TF_CONFIG)
    return from_tf_config(text) if text else None


def check_port_free(cluster: Cluster) -> None:
    """TensorFlow's server listens on this worker's port on every interface; a port
    another program holds would end in a gRPC error after TensorFlow has started."""
    port = int(cluster.address.rpartition(":")[2])
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is free
        try:
            probe.bind(("", port))
        except OSError:
            raise UserError(
                f"{cluster.address}: port {port} is in use on this machine (another worker "
                "or program holds it); choose another in the cluster"
            ) from None
