"""zoo tune: a Keras Tuner sweep over the spec's tune space, resumable, on one machine
or a chief and its workers."""

from __future__ import annotations

import argparse
import os
import socket
from pathlib import Path

from zoo._quiet import import_keras_quietly
from zoo.cli.options import add_max_memory, add_overrides, at_least, memory_limit
from zoo.errors import UserError

NAME = "tune"
HELP = (
    "search the spec's tune space with Keras Tuner into a sweep folder (runs/NAME-tune/): "
    "a results table, trials.csv/.png and best.yaml, the best trial as a spec to zoo train. "
    "Running the same command again resumes an interrupted sweep"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "spec", type=Path, help="a spec with a tune section, or a shipped one's name"
    )
    parser.add_argument("--dir", type=Path, help="the sweep folder (default runs/NAME-tune)")
    parser.add_argument("--overwrite", action="store_true", help="start afresh, discarding trials")
    parser.add_argument(
        "--workers", type=int, metavar="N", help="run N trials at once in worker processes"
    )
    parser.add_argument(
        "--chief",
        metavar="HOST:PORT",
        help="serve the sweep to workers on other machines, listening on HOST:PORT",
    )
    parser.add_argument(
        "--worker", metavar="HOST:PORT", help="run trials for the chief at HOST:PORT"
    )
    parser.add_argument(
        "--id",
        dest="worker_id",
        help="this worker's name (default: host-pid); restart a killed worker under its "
        "old name and it finishes the trial it was running",
    )
    parser.add_argument(
        "--restart-mb",
        type=float,
        default=1024,
        metavar="MB",
        help="restart the process (the sweep resumes) once it has grown by MB megabytes: "
        "TensorFlow keeps some memory of every model it trains (default 1024)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no per-trial progress")
    add_overrides(parser)
    add_max_memory(parser)


def run(args: argparse.Namespace) -> int:
    at_least(args.restart_mb, 0, "--restart-mb")  # NaN would restart after every trial
    roles = [flag for flag in ("workers", "chief", "worker") if getattr(args, flag) is not None]
    if len(roles) > 1:
        raise UserError(f"choose one of --workers, --chief, --worker; got {', '.join(roles)}")
    if args.worker_id is not None and args.worker is None:
        raise UserError("--id names a worker: use it with --worker HOST:PORT")
    if args.workers is not None:
        if args.workers < 1:
            raise UserError(f"--workers: expected a positive number, got {args.workers}")
        from zoo.tuning.launch import run_local_workers

        return run_local_workers(_tune_argv(args), args.workers, args.overwrite)
    import_keras_quietly()
    from zoo.tuning.launch import parse_address
    from zoo.tuning.sweep import Restart, Role, tune

    role, again = Role(), _tune_argv(args)
    if args.chief is not None:
        role = Role("chief", *parse_address(args.chief, "--chief"))
        again += ["--chief", args.chief]
    elif args.worker is not None:
        worker_id = args.worker_id or f"{socket.gethostname()}-{os.getpid()}"
        role = Role("worker", *parse_address(args.worker, "--worker"), worker_id)
        again += ["--worker", args.worker, "--id", worker_id]
    sweep = tune(
        args.spec,
        args.overrides,
        directory=args.dir,
        overwrite=args.overwrite,
        verbose=0 if args.quiet else 1,
        role=role,
        restart=Restart(["tune", *again], args.restart_mb),
        max_memory=memory_limit(args),
    )
    if role.kind != "worker":
        print(sweep.summary())
    return 0


def _tune_argv(args: argparse.Namespace) -> list[str]:
    """The arguments that run this sweep again, resuming it: never --overwrite."""
    argv = [str(args.spec), *(f"--set={o}" for o in args.overrides)]
    argv += [f"--dir={args.dir}"] if args.dir else []
    argv += [f"--max-memory={args.max_memory}"] if args.max_memory else []
    argv += [f"--restart-mb={args.restart_mb}"] + (["-q"] if args.quiet else [])
    return argv
