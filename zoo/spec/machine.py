"""What this machine lets a training run allocate: the memory the kernel says is
available, within the limit of the cgroup the process runs in (a container's or a job
scheduler's, which can be far below what the host has). Read from /proc and /sys
alone, without TensorFlow."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
UNLIMITED = 2**62  # cgroup v1 writes "no limit" as a number near 2**63


@dataclass(frozen=True)
class Available:
    bytes: int
    described: str  # how a refusal names it; "{}" is the size


def available() -> Available | None:
    """The tighter of the host's available memory and the cgroup's headroom; None
    where neither can be read."""
    host, group = available_memory(), cgroup_headroom()
    if group is not None and (host is None or group < host):
        return Available(group, "this process's cgroup has {} left of its memory limit")
    return None if host is None else Available(host, "this machine has {} available")


def available_memory() -> int | None:
    """Bytes of memory available: /proc/meminfo's MemAvailable (free memory and the
    caches the kernel can drop), else the free pages; None where neither can be read."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None


def cgroup_headroom(
    root: Path = CGROUP_ROOT, membership: Path = Path("/proc/self/cgroup")
) -> int | None:
    """Bytes this process's memory cgroup may still use: the tightest limit of the group
    and its ancestors, less what the group uses now. None without a limit (or a cgroup).
    Version 2 (memory.max, memory.current) and version 1 (memory.limit_in_bytes,
    memory.usage_in_bytes) alike; inside a container its own group is the root."""
    try:
        lines = membership.read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controllers == "":  # v2: one hierarchy
            found = _headroom(root, path, "memory.max", "memory.current")
        elif "memory" in controllers.split(","):
            found = _headroom(
                root / "memory", path, "memory.limit_in_bytes", "memory.usage_in_bytes"
            )
        else:
            continue
        if found is not None:
            return found
    return None


def _headroom(mount: Path, path: str, limit_file: str, usage_file: str) -> int | None:
    group = mount / path.lstrip("/")
    if not (group / usage_file).is_file():
        group = mount  # a container sees its own group at the mount's root
    limits = []
    for folder in (group, *group.parents):
        if folder != mount and mount not in folder.parents:
            break
        limit = _number(folder / limit_file)
        if limit is not None and limit < UNLIMITED:
            limits.append(limit)
    used = _number(group / usage_file)
    if not limits or used is None:
        return None
    return max(0, min(limits) - used)


def _number(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None  # "max": no limit
