"""How many cores this process may use: those it may run on, and no more than its CPU quota.

A container given `--cpus 2` on a 64-core host still sees 64 cores it may run
on (`sched_getaffinity`); what limits it is the quota of its control group.
A build that forked a process per visible core there would run 64 processes
on two cores' worth of time, each holding its share of the site. So, as Go
(since 1.25) and the JVM do, the quota counts: the CPU time a period allows,
rounded up to whole cores, the lowest of the process's group and the groups
above it. Linux alone has control groups; elsewhere the cores are all there is.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path

CGROUP = Path("/sys/fs/cgroup")
"""Where Linux mounts the control groups."""
PROC_CGROUP = Path("/proc/self/cgroup")
"""Which groups this process belongs to."""


def available() -> int:
    """Return how many cores this process may use (at least 1)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    quota = quota_cores(PROC_CGROUP, CGROUP)
    return max(1, min(cores, quota) if quota is not None else cores)


def quota_cores(membership: Path, mount: Path) -> int | None:
    """Return the whole cores the CPU quota of this process's control group allows, or None for no quota.

    `membership` is /proc/self/cgroup; `mount` is where the groups are mounted (both are parameters for tests).
    cgroup v2 writes a quota as `cpu.max` ("150000 100000": 1.5 cores; "max 100000": none); cgroup v1 as
    `cpu.cfs_quota_us` (-1: none) over `cpu.cfs_period_us`, in the `cpu` hierarchy."""
    try:
        lines = membership.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    limits = []
    for line in lines:
        number, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        if number == "0" and not controllers:  # cgroup v2: one hierarchy
            limits += _limits(mount, path, _v2)
        elif "cpu" in controllers.split(","):  # cgroup v1: the hierarchy that holds the cpu controller
            limits += _limits(mount / controllers, path, _v1)
            if not (mount / controllers).is_dir():  # mounted as cpu,cpuacct under another name
                limits += _limits(mount / "cpu", path, _v1)
    return min(limits) if limits else None


def _limits(root: Path, path: str, read: Callable[[Path], int | None]) -> list[int]:
    """Return the quotas, in whole cores, of the group at `path` under `root` and of every group above it.

    Inside a container the group's own path may not exist under the mount (its root is the group): then the
    mount's root is read."""
    parts = [part for part in path.split("/") if part]
    folders = [root.joinpath(*parts[:end]) for end in range(len(parts), -1, -1)]
    found = [read(folder) for folder in folders if folder.is_dir()]
    return [cores for cores in found if cores is not None]


def _v2(folder: Path) -> int | None:
    """Return the quota of a cgroup v2 group, in whole cores."""
    try:
        quota, _, period = (folder / "cpu.max").read_text(encoding="ascii").strip().partition(" ")
        return None if quota == "max" else _whole(int(quota), int(period))
    except (OSError, ValueError):
        return None


def _v1(folder: Path) -> int | None:
    """Return the quota of a cgroup v1 group of the cpu hierarchy, in whole cores."""
    try:
        quota = int((folder / "cpu.cfs_quota_us").read_text(encoding="ascii"))
        period = int((folder / "cpu.cfs_period_us").read_text(encoding="ascii"))
    except (OSError, ValueError):
        return None
    return None if quota < 0 else _whole(quota, period)


def _whole(quota: int, period: int) -> int | None:
    """Return a quota of `quota` µs every `period` µs in whole cores, rounded up (1.5 cores allow 2 processes
    at three-quarter speed, faster than 1), or None when it makes no sense."""
    if quota <= 0 or period <= 0:
        return None
    return max(1, math.ceil(quota / period))
