"""Spread work over the machine's cores: this process and forked workers share the items, chunk by chunk,
or work as a team (`run_team`), each owning its share of the work from start to end.

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
import shutil
import struct
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any, TypeVar

from counterpoint import cpus

T = TypeVar("T")
R = TypeVar("R")

WORTH_IT = 200
"""Below this many items, work in this process."""
_CHUNK = struct.Struct("=i")


class WorkerFailed(RuntimeError):
    """A worker process raised: a bug in the generator, reported with the worker's traceback."""


def cores() -> int:
    """Return how many cores this process may use: those it may run on, within its CPU quota (`cpus`)."""
    return cpus.available()


def worker_count(items: int, workers: int | None = None, jobs: int | None = None) -> int:
    """Return how many processes to use for `items` items: 1 means this one.

    `workers` asks for a number of processes whatever the number of items (tests compare 1 with several).
    `jobs` (the command line's --jobs) replaces the default, one per core, for enough items to gain.
    """
    if items < WORTH_IT and workers is None:
        return 1
    if threading.active_count() > 1 or not hasattr(os, "fork"):
        return 1
    wanted = workers if workers is not None else jobs if jobs is not None else cores()
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


class Team:
    """This process and its forked workers, working on one job in step, each knowing its own rank.

    Every member runs the same function on the same data, so each can work out alone what is its share
    (`rank` of `size`), and all make the same decisions from what they exchange. Values travel as pickles
    through files; a byte on a pipe says a member has written its part. Rank 0 is this process: each worker
    tells it, and it tells them all, so a member that dies (its pipe closes) stops the others instead of
    leaving them waiting.
    """

    def __init__(self, size: int, folder: str, queues: list[tuple[int, int]]) -> None:
        self.size = size
        self.rank = 0
        self._folder = folder
        self._round = 0
        self._up: list[int] = []
        """Rank 0: the reading end of each worker's pipe to it. A worker: the writing end of its own."""
        self._down: list[int] = []
        """Rank 0: the writing end of each worker's pipe from it. A worker: the reading end of its own."""
        self._queues = queues
        """A pipe for each call of `share`, in order."""

    def all_gather(self, value: T) -> list[T]:
        """Give `value`; return every member's, in rank order (this one's own as given, not copied)."""
        if self.size == 1:
            return [value]
        name = self._write(value)
        if self.rank:
            self._tell_rank_0()
            if os.read(self._down[0], 1) != b"+":
                os._exit(STOPPED)  # rank 0 gave up (a worker failed, or it raised): stop quietly
        else:
            self._hear_workers()
            for down in self._down:
                os.write(down, b"+")
        return [value if rank == self.rank else self._read(name, rank) for rank in range(self.size)]

    def gather(self, value: T) -> list[T]:
        """Give `value` to rank 0; return every member's there, in rank order, and [] elsewhere."""
        if self.size == 1:
            return [value]
        name = self._write(value)
        if self.rank:
            self._tell_rank_0()
            return []
        self._hear_workers()
        return [value if rank == 0 else self._read(name, rank) for rank in range(self.size)]

    def share(self, function: Callable[[T], R], items: Sequence[T]) -> list[tuple[int, R]]:
        """Apply `function` to the items this member takes from a queue all share; return (index, result)
        pairs. Every member calls this at the same point with the same items."""
        if self.size == 1:
            return list(enumerate(function(item) for item in items))
        queue_out, queue_in = self._queues.pop(0)
        chunks = _chunks(len(items), self.size * 32)  # small: the processes finish within a chunk of each other
        if self.rank == 0:
            os.write(queue_in, b"".join(_CHUNK.pack(index) for index in range(len(chunks))))
        os.close(queue_in)  # the queue ends once every member has come and every number is taken
        try:
            return [
                (chunks[index][0] + offset, result)
                for index, results in _take(function, items, chunks, queue_out)
                for offset, result in enumerate(results)
            ]
        finally:
            os.close(queue_out)

    def _write(self, value: object) -> str:
        self._round += 1
        name = os.path.join(self._folder, f"{self._round}-")
        with open(f"{name}{self.rank}", "wb") as file:
            pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
        return name

    def _read(self, name: str, rank: int) -> Any:
        with open(f"{name}{rank}", "rb") as file:
            return pickle.load(file)

    def _tell_rank_0(self) -> None:
        os.write(self._up[0], b"+")

    def _hear_workers(self) -> None:
        for rank, up in enumerate(self._up, start=1):
            if os.read(up, 1) != b"+":
                raise _WorkerGone(rank)


class _WorkerGone(Exception):
    def __init__(self, rank: int) -> None:
        super().__init__(rank)
        self.rank = rank


STOPPED = 3
"""A worker's exit status when rank 0 stopped the team before it finished."""


def run_team(
    size: int,
    function: Callable[[Team], R],
    queues: int = 0,
    expected: tuple[type[BaseException], ...] = (),
) -> R:
    """Run `function(team)` in this process and `size - 1` forked workers; return this process's result.

    A worker's result is dropped: what rank 0 needs, it gathers. `queues` is how many times the function
    calls `Team.share`. An `expected` exception is one every member raises alike, from the same values:
    this process raises it, and a worker stops quietly. A worker that raises anything else stops the team:
    this raises WorkerFailed with its traceback. If this process raises, the workers are stopped.
    """
    folder = tempfile.mkdtemp(prefix="counterpoint-team-")
    pipes = [(os.pipe(), os.pipe()) for _ in range(size - 1)]
    team = Team(size, folder, [os.pipe() for _ in range(queues)] if size > 1 else [])
    running: dict[int, int] = {}
    gc.freeze()  # keep the collector from touching (and so copying) the pages the workers share with us
    try:
        for rank in range(1, size):
            pid = os.fork()
            if pid == 0:  # pragma: no cover - runs in the worker, which never returns
                for index, ((up_read, up_write), (down_read, down_write)) in enumerate(pipes, start=1):
                    for end in (up_read, down_write) if index == rank else (up_read, up_write, down_read, down_write):
                        os.close(end)
                team.rank, team._up, team._down = rank, [pipes[rank - 1][0][1]], [pipes[rank - 1][1][0]]
                _be_worker(team, function, expected, folder)
            running[rank] = pid
        for (up_read, up_write), (down_read, down_write) in pipes:
            os.close(up_write)
            os.close(down_read)
            team._up.append(up_read)
            team._down.append(down_write)
        pipes = []
        try:
            return function(team)
        except _WorkerGone as gone:
            raise WorkerFailed(_report(folder, gone.rank, running.pop(gone.rank))) from None
    finally:
        for end in (*team._up, *team._down, *(end for queue in team._queues for end in queue)):
            os.close(end)
        for (up_read, up_write), (down_read, down_write) in pipes:  # a fork failed before they were sorted out
            for end in (up_read, up_write, down_read, down_write):
                os.close(end)
        for pid in running.values():
            os.waitpid(pid, 0)
        shutil.rmtree(folder, ignore_errors=True)


def _be_worker(
    team: Team, function: Callable[[Team], object], expected: tuple[type[BaseException], ...], folder: str
) -> None:  # pragma: no cover - measured through the tests that compare parallel and serial builds
    """Run the team's function as a worker, then exit without cleaning up (rank 0 does)."""
    status = 0
    try:
        function(team)
    except expected:
        pass
    except BaseException:  # everything a worker meets goes to rank 0
        with open(os.path.join(folder, f"failed-{team.rank}"), "w", encoding="utf-8") as file:
            file.write(traceback.format_exc())
        status = 1
    os._exit(status)


def _report(folder: str, rank: int, pid: int) -> str:
    """Return why worker `rank` stopped: its traceback, or how it ended."""
    _, status = os.waitpid(pid, 0)
    try:
        with open(os.path.join(folder, f"failed-{rank}"), encoding="utf-8") as file:
            return file.read()
    except OSError:
        pass
    if os.WIFSIGNALED(status):
        return f"a worker process was killed by signal {os.WTERMSIG(status)}"
    return f"a worker process stopped (exit status {os.WEXITSTATUS(status)})"
