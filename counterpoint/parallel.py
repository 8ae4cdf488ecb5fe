"""Spread work over the machine's cores: this process and forked workers share the items, chunk by chunk.

Workers are forked, so they start with everything the build has loaded so far
and only their results travel back. This process works too, on its own share:
its results need no copying, and one process fewer holds a copy of the pages
it touches. Chunks are handed out as they are finished (through a pipe that
holds their numbers), so the processes finish close together.

A small job runs in this process alone: below a few hundred items forking costs
more than it saves. So does any job while other threads run (the preview
server's), since forking a threaded process is unsafe.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import struct
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import IO, TypeVar

T = TypeVar("T")
R = TypeVar("R")

WORTH_IT = 200
"""Below this many items, work in this process."""
_CHUNK = struct.Struct("=i")


class WorkerFailed(RuntimeError):
    """A worker process raised: a bug in the generator, reported with the worker's traceback."""


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
    if threading.active_count() > 1 or not hasattr(os, "fork"):
        return 1
    return max(1, min(wanted, items))


def map_in_order(function: Callable[[T], R], items: Sequence[T], count: int) -> list[R]:
    """Return `[function(item) for item in items]`, computed by this process and `count - 1` forked workers."""
    if count <= 1:
        return [function(item) for item in items]
    chunks = _chunks(len(items), count * 8)  # small enough that the processes finish close together
    queue_out, queue_in = os.pipe()
    os.write(queue_in, b"".join(_CHUNK.pack(index) for index in range(len(chunks))))
    os.close(queue_in)  # once every number is taken, each process reads the end of the queue
    gc.freeze()  # keep the collector from touching (and so copying) the pages the workers share with us
    with contextlib.ExitStack() as files:
        workers: list[tuple[int, IO[bytes]]] = []
        try:
            for _ in range(count - 1):
                results: IO[bytes] = files.enter_context(tempfile.TemporaryFile())
                pid = os.fork()
                if pid == 0:  # pragma: no cover - runs in the worker, which never returns
                    _work(function, items, chunks, queue_out, results)
                workers.append((pid, results))
            done = dict(_take(function, items, chunks, queue_out))
        finally:
            os.close(queue_out)
            failures = [_join(pid) for pid, _ in workers]
        for (_, results), failure in zip(workers, failures, strict=True):
            results.seek(0)
            data = results.read()
            report = pickle.loads(data) if data else None
            if failure is not None or not isinstance(report, dict):
                raise WorkerFailed(report if isinstance(report, str) else f"a worker process failed ({failure})")
            done.update(report)
    return [result for index in range(len(chunks)) for result in done[index]]


def _take(
    function: Callable[[T], R], items: Sequence[T], chunks: list[tuple[int, int]], queue: int
) -> Iterator[tuple[int, list[R]]]:
    """Take chunk numbers from the queue until it is empty; yield each chunk's results."""
    while len(data := os.read(queue, _CHUNK.size)) == _CHUNK.size:
        (index,) = _CHUNK.unpack(data)
        start, end = chunks[index]
        yield index, [function(item) for item in items[start:end]]


def _work(
    function: Callable[[T], R], items: Sequence[T], chunks: list[tuple[int, int]], queue: int, results: IO[bytes]
) -> None:  # pragma: no cover - measured through the tests that compare parallel and serial builds
    """Be a worker: do chunks until none is left, write the results, and exit without cleaning up."""
    status = 0
    try:
        # The parent may have paused the collector for its own sake; a worker renders page after page, and
        # the garbage of each (Jinja's contexts hold cycles) must go. It inherited a frozen heap, so a
        # collection here walks only what the worker made.
        gc.enable()
        report: dict[int, list[R]] | str = dict(_take(function, items, chunks, queue))
    except BaseException:
        report, status = traceback.format_exc(), 1
    try:
        pickle.dump(report, results, protocol=pickle.HIGHEST_PROTOCOL)
        results.flush()
    finally:
        os._exit(status)


def _join(pid: int) -> str | None:
    """Wait for a worker; return None if it succeeded, else how it ended."""
    _, status = os.waitpid(pid, 0)
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        return None
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.WEXITSTATUS(status)}"


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
