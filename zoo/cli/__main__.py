"""`python -m zoo.cli`: the zoo command without its console script (how the tuner's
worker processes and restarts run it)."""

import sys

from zoo.cli import main

sys.exit(main())
