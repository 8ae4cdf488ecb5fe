"""Spread work over the machine's cores: forked worker processes, each given a share of the items.

Workers are forked, so they start with everything the build has loaded so far
and only their results travel back. A small job runs in this process instead:
below a few hundred items forking costs more than it saves. So does any job
while other threads run (the preview server's), since forking a threaded
process is unsafe.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

WORTH_IT = 200
"""Below this many items, work in this process."""
_TASK: Callable[[int], list[object]] | None = None
"""The job of the pool being forked: set just before the fork, so each worker inherits it."""


def cores() -> int:
    """Return how many cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_count(items: int, workers: int | None = None) -> int:
    """Return how many processes to use for `items` items: 1 means this one.

    `workers` asks for a number of processes (tests compare 1 with several); by default it is one per core.
    """
    wanted = cores() if workers is None else workers
    if items < WORTH_IT and workers is None:
        return 1
    if threading.active_count() > 1 or "fork" not in _start_methods():
        return 1
    return max(1, min(wanted, items))


def _start_methods() -> list[str]:
    import multiprocessing

    return multiprocessing.get_all_start_methods()


def map_in_order(function: Callable[[T], R], items: Sequence[T], count: int) -> list[R]:
    """Return `[function(item) for item in items]`, computed by `count` forked workers (see `worker_count`)."""
    if count <= 1:
        return [function(item) for item in items]
    import multiprocessing

    global _TASK
    chunks = _chunks(len(items), count * 8)  # small enough that the workers finish close together

    def task(index: int) -> list[object]:
        start, end = chunks[index]
        return [function(item) for item in items[start:end]]

    _TASK = task
    gc.freeze()  # keep the collector from touching (and so copying) the pages the workers share with us
    try:
        with multiprocessing.get_context("fork").Pool(count) as pool:
            results: list[R] = []
            for part in pool.imap(_run, range(len(chunks))):
                results += part  # type: ignore[arg-type]
            return results
    finally:
        _TASK = None


def _run(index: int) -> list[object]:
    """Run chunk `index` of the job the pool was forked for (in a worker)."""
    assert _TASK is not None
    # The parent may have paused the collector for its own sake; a worker renders page after page, and
    # the garbage of each (Jinja's contexts hold cycles) must go. It inherited a frozen heap, so a
    # collection here walks only what the worker made.
    gc.enable()
    return _TASK(index)


def _chunks(total: int, count: int) -> list[tuple[int, int]]:
    """Split range(total) into `count` runs of nearly equal size (fewer when there are fewer items)."""
    count = max(1, min(count, total))
    size, extra = divmod(total, count)
    bounds, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        bounds.append((start, end))
        start = end
    return bounds
