"""Atomic writes under SIGKILL: a process killed at any moment of rewriting a file leaves
the old file or the new one, complete, and no leftover the zoo takes for a real file."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from zoo.catalog import shipped_specs

# Two valid specs of different lengths, large enough that a write takes a while: a
# non-atomic writer killed mid-write would leave a prefix that equals neither.
CONTENTS = [
    "version: 1\nname: first\ndescription: the first\n" + "# padding\n" * 400_000,
    "version: 1\nname: second\ndescription: the second\n" + "# more padding\n" * 300_000,
]

# Rewrites the file with each content (read from the files named) in turn, forever,
# through zoo.atomic; says "ready" once the first write is done.
WRITER = """
import sys
from pathlib import Path
from zoo.atomic import atomic_path, write_text

target, kind = Path(sys.argv[1]), sys.argv[2]
contents = [Path(source).read_text() for source in sys.argv[3:]]
for i in range(10**9):
    content = contents[i % 2]
    if kind == "text":
        write_text(target, content)
    else:
        with atomic_path(target) as temporary:
            temporary.write_bytes(content.encode())
    if i == 0:
        print("ready", flush=True)
"""


@pytest.mark.parametrize("kind", ["text", "bytes"])
def test_a_killed_writer_leaves_the_old_or_the_new_file(tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "specs"
    folder.mkdir()
    target = folder / "spec.yaml"
    sources = []
    for i, content in enumerate(CONTENTS):
        sources.append(tmp_path / f"content{i}.txt")
        sources[-1].write_text(content)
    pauses = random.Random(kind)  # random moments, the same ones on every run
    killed: list[int] = []
    for _ in range(4):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(target), kind, *map(str, sources)],
            stdout=subprocess.PIPE,
        )
        assert writer.stdout is not None and writer.stdout.readline() == b"ready\n"
        time.sleep(pauses.uniform(0.0, 0.15))
        assert writer.poll() is None, "the writer should still be writing"
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        writer.stdout.close()
        killed.append(writer.pid)

        assert target.read_text() in CONTENTS
        # At most the killed writer's own temporary is left, hidden...
        leftovers = {p.name for p in folder.iterdir()} - {target.name}
        assert leftovers <= {f".spec.{pid}.tmp.yaml" for pid in killed}
        # ...and the zoo's listing of a folder of specs does not take it for one.
        assert [entry.name for entry in shipped_specs(folder)] == ["spec"]
