"""zoo serve: a trained model behind HTTP, with a page to try it and watch its
recurrence."""

from __future__ import annotations

import argparse
import json
import os
import socket
from pathlib import Path
from typing import Any

from zoo._quiet import import_keras_quietly
from zoo.cli.options import TRAINED_HELP, add_unsafe, at_least, at_most
from zoo.errors import UserError

NAME = "serve"
HELP = (
    "serve a trained model over HTTP (FastAPI on uvicorn): POST /predict answers in your "
    "terms (labels, tags, forecasts in the data's units), /generate streams a language "
    "model's text, /trace returns every gate and state step by step, TF Serving's "
    "/v1/models/NAME:predict answers its clients unchanged; a page at / to try it and "
    "see the recurrence as heatmaps; the API described at /docs"
)
EXAMPLES = """\
examples:
  zoo serve runs/sentiment_bilstm-TIME
  curl -s localhost:8000/predict -d '{"texts": ["a wonderful film"]}'
  curl -s localhost:8000/generate -d '{"prime": "the ", "length": 80, "stream": true}'
  curl -s localhost:8000/v1/models/sentiment_bilstm:predict -d '{"instances": ["dull"]}'
  zoo serve runs/airline_gru-TIME --port 8080 --host 0.0.0.0   (reachable from other machines)
"""
# the settings a worker process reads (uvicorn starts each worker from an import string)
SETTINGS = "ZOO_SERVE_SETTINGS"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EXAMPLES
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("target", type=Path, metavar="RUN_DIR|MODEL", help=TRAINED_HELP)
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 opens "
        "it to the network)",
    )
    parser.add_argument(
        "--port", type=int, default=8000, help="the port (default 8000; 0 picks a free one)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes, each with its own copy of the model (default 1)",
    )
    parser.add_argument(
        "--max-batch",
        type=int,
        default=256,
        metavar="N",
        help="examples per request, and per forward pass that gathers requests (default 256)",
    )
    parser.add_argument(
        "--batch-wait-ms",
        type=float,
        default=2.0,
        metavar="MS",
        help="how long a request waits for others to share its forward pass (default 2)",
    )
    parser.add_argument(
        "--no-batching",
        action="store_true",
        help="one forward pass per request (to compare: benchmarks/serve_load.py)",
    )
    parser.add_argument(
        "--max-body",
        type=int,
        default=1_000_000,
        metavar="BYTES",
        help="refuse a larger request with 413 (default 1000000)",
    )
    add_unsafe(parser)


def run(args: argparse.Namespace) -> None:
    at_least(args.port, 0, "--port")
    at_most(args.port, 65535, "--port")
    at_least(args.workers, 1, "--workers")
    at_least(args.max_batch, 1, "--max-batch")
    at_least(args.batch_wait_ms, 0, "--batch-wait-ms")
    at_least(args.max_body, 1, "--max-body")
    try:
        import fastapi  # noqa: F401
        import uvicorn
    except ImportError:
        raise UserError(
            "zoo serve needs FastAPI and uvicorn: pip install 'rnn-spec-zoo[serve]'"
        ) from None
    port = _free(args.host, args.port)
    settings = {
        "target": str(args.target.absolute()),
        "unsafe": args.unsafe,
        "batching": not args.no_batching,
        "limits": {
            "max_batch": args.max_batch,
            "batch_wait_s": args.batch_wait_ms / 1000,
            "max_body_bytes": args.max_body,
        },
    }
    import_keras_quietly()
    app = app_from_settings(settings)  # opened here too: a bad model stops before serving
    service = app.state.service
    print(
        f"serving {service.name} ({service.spec.architecture}) from {service.opened.path} "
        f"on http://{args.host}:{port}/ (the API: /docs); Ctrl+C stops",
        flush=True,
    )
    if args.workers == 1:
        uvicorn.run(app, host=args.host, port=port, log_level="warning")
        return
    os.environ[SETTINGS] = json.dumps(settings)
    uvicorn.run(
        "zoo.cli.serve:app_from_environment",
        factory=True,
        host=args.host,
        port=port,
        workers=args.workers,
        log_level="warning",
    )


def app_from_settings(settings: dict) -> Any:  # a FastAPI app
    from zoo.serving import Limits, create_app

    limits = Limits(**settings["limits"])
    batching, unsafe = settings["batching"], settings["unsafe"]
    return create_app(settings["target"], limits, batching, unsafe, warm_every_size=True)


def app_from_environment() -> Any:
    """A worker's app (``--workers`` > 1), from the settings the command left it."""
    import_keras_quietly()
    return app_from_settings(json.loads(os.environ[SETTINGS]))


def _free(host: str, port: int) -> int:
    """``port``, checked free on ``host`` before the model loads; 0: a free one."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
            return probe.getsockname()[1]
    except OSError as error:
        raise UserError(
            f"cannot listen on {host}:{port} ({error.strerror}); give another --port or --host"
        ) from None
