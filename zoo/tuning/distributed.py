"""Sweeps across processes and machines, on Keras Tuner's distributed mode: one chief
serves the oracle over gRPC, workers ask it for trials and report their results.

The chief listens on the address it is given (127.0.0.1 unless the user names
another), never on every interface by default.
"""

from __future__ import annotations

import contextlib
import io
import os
import time
from collections.abc import Callable
from concurrent import futures
from typing import Any

from keras_tuner.src.engine import conditions

from zoo.errors import UserError

POLL_SECONDS = 0.5


def _without_debug_print(to_proto: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Keras Tuner 1.4's ``Parent.to_proto`` prints its first value, a left-over debug
    line; it runs for every conditional field of every trial sent over the network."""

    def quiet(self: Any) -> Any:
        with contextlib.redirect_stdout(io.StringIO()):
            return to_proto(self)

    return quiet


conditions.Parent.to_proto = _without_debug_print(conditions.Parent.to_proto)


def worker_environment(host: str, port: int, worker_id: str) -> None:
    """What Keras Tuner reads to run as a worker of the chief at host:port."""
    os.environ["KERASTUNER_TUNER_ID"] = worker_id
    os.environ["KERASTUNER_ORACLE_IP"] = host
    os.environ["KERASTUNER_ORACLE_PORT"] = str(port)


def serve(oracle: Any, host: str, port: int, on_trial_end: Callable[[], Any]) -> None:
    """Serve ``oracle`` until every trial has ended and every worker has been told to stop.

    Keras Tuner's own server polls every 20 s once the trials run out; this one
    polls every half second, and calls ``on_trial_end`` whenever trials end.
    """
    import grpc
    from keras_tuner.src import protos
    from keras_tuner.src.distribute.oracle_chief import OracleServicer

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=1))
    servicer = OracleServicer(oracle)
    protos.get_service_grpc().add_OracleServicer_to_server(servicer, server)
    try:
        bound = server.add_insecure_port(f"{host}:{port}")
    except RuntimeError:
        bound = 0
    if not bound:
        raise UserError(f"--chief: cannot listen on {host}:{port} (in use, or not this machine's)")
    server.start()
    print(f"chief: serving the sweep on {host}:{port}", flush=True)
    ended = len(oracle.end_order)
    try:
        while not (servicer.stop_triggered and not oracle.ongoing_trials and not oracle.tuner_ids):
            time.sleep(POLL_SECONDS)
            if len(oracle.end_order) != ended:
                ended = len(oracle.end_order)
                on_trial_end()
    finally:
        server.stop(grace=1)
