"""zoo train: a spec's model trained into a run directory, or a run resumed."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from zoo._quiet import import_keras_quietly
from zoo.cli.options import (
    EXIT_DIVERGED,
    EXIT_USER_ERROR,
    SPEC_HELP,
    add_max_memory,
    add_overrides,
    add_unsafe,
    memory_limit,
)
from zoo.errors import UserError

NAME = "train"
HELP = (
    "train a spec's model on its data into a run directory (runs/NAME-TIME/): "
    "best.keras, last.keras, history.csv/.png, gradient_norms.csv/.png, tensorboard/"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", type=Path, nargs="?", help=SPEC_HELP + " (omit with --resume)")
    parser.add_argument("--runs", type=Path, default=Path("runs"), help="parent of new run folders")
    parser.add_argument(
        "--resume",
        type=Path,
        metavar="RUN_DIR",
        help="continue an interrupted run from its last epoch; --set may change "
        "train.batch_size (e.g. halve it after running out of memory), train.epochs and "
        "train.steps_per_epoch",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no per-epoch progress bars")
    parser.add_argument(
        "--cluster",
        metavar="HOST:PORT,HOST:PORT",
        help="train.distribute multi_worker: every worker's address, the chief (which writes "
        "the run directory) first; the same on every worker (sets TF_CONFIG)",
    )
    parser.add_argument(
        "--task-index",
        type=int,
        metavar="I",
        help="this worker's place in --cluster (0: the chief)",
    )
    add_overrides(parser)
    add_max_memory(parser)
    add_unsafe(parser)


def run(args: argparse.Namespace) -> int:
    if args.spec is None and args.resume is None:
        raise UserError("give a spec to train, or --resume RUN_DIR")
    if args.spec is not None and args.resume is not None:
        raise UserError(
            f"give a spec to train or --resume RUN_DIR, not both: {args.resume} resumes with "
            "the spec it was started with"
        )
    limit = memory_limit(args)
    if args.resume is None:  # a mistake or a size that cannot fit is said before TF loads
        from zoo.spec.loading import load_spec

        load_spec(args.spec, args.overrides, limit)
    import_keras_quietly()
    from zoo.training import TrainingDiverged, train
    from zoo.training.run import WorkerLost

    try:
        run = train(
            args.spec,
            args.overrides,
            runs=args.runs,
            resume=args.resume,
            # a live progress bar on a terminal, one line per epoch in a log file
            verbose=0 if args.quiet else (1 if sys.stdout.isatty() else 2),
            unsafe=args.unsafe,
            max_memory=limit,
            cluster=args.cluster,
            task_index=args.task_index,
        )
    except TrainingDiverged as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_DIVERGED
    except WorkerLost as error:
        print(f"error: {error}", file=sys.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
        # After a lost peer, TensorFlow's collectives cannot shut down: at exit their
        # thread pool's finalizer prints a traceback. The run's files are written.
        os._exit(EXIT_USER_ERROR)
    print(run.summary())
    return 0
