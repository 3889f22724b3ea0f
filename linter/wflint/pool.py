"""Many files at once: ``check`` and ``fix`` spread files over worker processes (``--jobs``).

Files are independent once found: each is read under its own configuration, and a GitHub
workflow reads the siblings it needs itself. So a worker takes whole files, and the results come
back in the order the files were found: the output is the one a single process prints.

This process is one of the workers: it forks the others once wflint is imported (they start in
milliseconds and inherit the work to do), works through the first share of the files itself and
unpickles only what the others send back. Each worker starts on its own run of neighbouring files
and, when it runs out, takes the back half of the largest share left (``_Board``): neighbours are
usually one repository's, whose modules an Airflow DAG imports and each worker parses once.
Where fork is missing (Windows) or there are too few files to pay for the processes, everything
runs in this process.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

MIN_FILES_PER_JOB = 8  # below this many files per worker, starting workers costs more than it saves
SLOT = "q"  # one number in the memory the workers share
HEADER = "qq"  # a result on its way back: the item's index, then its pickle's length


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def workers_for(files: int, jobs: int) -> int:
    """How many workers ``files`` files are worth (1: stay in this process)."""
    if jobs <= 1 or files < 2 * MIN_FILES_PER_JOB or not hasattr(os, "fork"):
        return 1
    return max(1, min(jobs, files // MIN_FILES_PER_JOB))


def map_in_order(work: Callable[[Any], Any], items: list, jobs: int, pack: Callable[[Any], Any] = lambda r: r,
                 progress: Callable[[int, int], None] | None = None,
                 prepare: Callable[[], None] | None = None) -> Iterator[Any]:
    """``pack(work(item))`` for each item, in order; on ``jobs`` workers when the items are worth it.
    ``pack`` readies a result for the trip back (drops what cannot be pickled or is not needed);
    ``prepare`` runs once before the workers fork (imports every worker would otherwise repeat)."""
    workers = workers_for(len(items), jobs)
    if workers == 1:
        for done, item in enumerate(items, 1):
            yield work(item)
            if progress:
                progress(done, len(items))
        return
    if prepare is not None:
        prepare()
    team = _Team(work, pack, items, workers)
    try:
        for done, result in enumerate(team.results(), 1):
            yield result
            if progress:
                progress(done, len(items))
    finally:
        team.stop()


class _Board:
    """Which items are left to whom, in memory every worker shares: worker ``w`` has items
    ``[lo, hi)`` left (slots ``2w`` and ``2w + 1``) and takes them one at a time, under a lock (a
    token in a pipe). Slot ``2 * workers + w`` counts the bytes of results worker ``w`` has sent."""

    def __init__(self, items: int, workers: int) -> None:
        import mmap
        import struct

        self.workers, self.slot = workers, struct.Struct(SLOT)
        self.memory = mmap.mmap(-1, self.slot.size * 3 * workers)  # anonymous and shared: forked workers see it
        for w in range(workers):
            self.set(2 * w, items * w // workers)
            self.set(2 * w + 1, items * (w + 1) // workers)
        self._take, self._give = os.pipe()
        os.write(self._give, b".")

    def get(self, slot: int) -> int:
        return self.slot.unpack_from(self.memory, slot * self.slot.size)[0]

    def set(self, slot: int, value: int) -> None:
        self.slot.pack_into(self.memory, slot * self.slot.size, value)

    def claim(self, me: int) -> int | None:
        """The next item for worker ``me``: its own, else the back half of the largest share left."""
        os.read(self._take, 1)
        try:
            lo, hi = self.get(2 * me), self.get(2 * me + 1)
            if lo >= hi:
                lo, hi = self._steal(me)
            if lo >= hi:
                return None
            self.set(2 * me, lo + 1)
            return lo
        finally:
            os.write(self._give, b".")

    def _steal(self, me: int) -> tuple[int, int]:
        left, victim = max((self.get(2 * w + 1) - self.get(2 * w), w) for w in range(self.workers))
        if left <= 0:
            return 0, 0
        hi = self.get(2 * victim + 1)
        middle = hi - (left + 1) // 2
        self.set(2 * victim + 1, middle)
        self.set(2 * me, middle)
        self.set(2 * me + 1, hi)
        return middle, hi

    def close(self) -> None:
        os.close(self._take)
        os.close(self._give)
        self.memory.close()


class _Team:
    """This process (worker 0) and the workers it forks; each forked worker appends its results to
    a file of its own, which this process reads as they come (a pipe would stall a worker whose
    results wait while this process works on a long file)."""

    def __init__(self, work: Callable[[Any], Any], pack: Callable[[Any], Any], items: list, workers: int) -> None:
        import struct

        self.work, self.pack, self.items = work, pack, items
        self.header = struct.Struct(HEADER)
        self.board = _Board(len(items), workers)
        self.bell, ring = os.pipe()  # a byte per result sent: this process waits on it when it has nothing to do
        os.set_blocking(ring, False)
        self.files = [_scratch_file() for _ in range(1, workers)]
        self.read = [0] * len(self.files)  # bytes of each worker's file read so far
        self.pids: list[int] = []
        self.finished = False
        for sys_stream in _std_streams():
            sys_stream.flush()  # a forked worker must not inherit unwritten output (and write it again)
        try:
            for me in range(1, workers):
                pid = os.fork()
                if pid == 0:  # pragma: no cover - runs in the forked worker, which never returns
                    self._serve(me, ring)
                self.pids.append(pid)
        except BaseException:  # no more processes: the ones forked already are stopped, not left running
            self.stop()
            raise
        finally:
            os.close(ring)

    def _serve(self, me: int, ring: int) -> None:
        """In a forked worker: claim items until none is left, send each result; never return."""
        code = 1
        try:
            out, sent = self.files[me - 1], 0
            while (index := self.board.claim(me)) is not None:
                try:
                    answer = (True, self.pack(self.work(self.items[index])))
                except BaseException as error:  # re-raised in this process when its item's turn comes
                    answer = (False, error)
                data = _dumped(answer)
                _write_all(out, self.header.pack(index, len(data)) + data)
                sent += self.header.size + len(data)
                self.board.set(2 * self.board.workers + me, sent)
                try:
                    os.write(ring, b".")
                except BlockingIOError:  # the bell's pipe is full: this process reads the files anyway
                    pass
            code = 0
        finally:
            os._exit(code)

    def results(self) -> Iterator[Any]:
        """Every item's result in order: this process's own as it makes them, the others' as they come."""
        done: dict[int, tuple[bool, Any]] = {}
        for turn in range(len(self.items)):
            while turn not in done:
                self._collect(done)
                if turn in done:
                    break
                index = self.board.claim(0)
                if index is not None:
                    done[index] = (True, self.pack(self.work(self.items[index])))
                else:
                    self._wait(done, turn)
            ok, value = done.pop(turn)
            if not ok:
                raise value
            yield value
        self.finished = True

    def _collect(self, done: dict[int, tuple[bool, Any]]) -> None:
        """The results the forked workers have sent since the last look."""
        import pickle

        header = self.header
        for w, file in enumerate(self.files):
            sent = self.board.get(2 * self.board.workers + w + 1)
            while self.read[w] < sent:
                index, size = header.unpack(_read_all(file, header.size, self.read[w]))
                done[index] = pickle.loads(_read_all(file, size, self.read[w] + header.size))
                self.read[w] += header.size + size

    def _wait(self, done: dict[int, tuple[bool, Any]], turn: int) -> None:
        """Nothing left to claim: wait for a result. Once every forked worker is gone, the results
        still missing (a worker killed on its way) are made here."""
        import select

        if select.select([self.bell], [], [], 0.05)[0] and os.read(self.bell, 4096):
            return  # something was sent (an empty read: every worker has closed its end, so exited)
        if self._running():
            return
        self._collect(done)
        for index in range(turn, len(self.items)):
            if index not in done:
                done[index] = (True, self.pack(self.work(self.items[index])))

    def _running(self) -> list[int]:
        """The forked workers still running (those that have exited are reaped)."""
        for pid in list(self.pids):
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                self.pids.remove(pid)
        return self.pids

    def stop(self) -> None:
        """The workers ended (killed, when the results were not all taken) and their files closed."""
        import signal

        for pid in self.pids:  # not reaped yet, so the number is still theirs
            if not self.finished:
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        for file in self.files:
            os.close(file)
        os.close(self.bell)
        self.board.close()


def _dumped(answer: tuple[bool, Any]) -> bytes:
    """A result (or the error it raised) pickled; what cannot be pickled comes back as an error."""
    import pickle

    try:
        return pickle.dumps(answer, pickle.HIGHEST_PROTOCOL)
    except Exception as error:  # any pickling failure is reported the same way
        return pickle.dumps((False, RuntimeError(f"a worker's result could not be sent back: {error!r}")))


def _scratch_file() -> int:
    """A file descriptor for an unnamed temporary file (in memory where the system offers it)."""
    if hasattr(os, "memfd_create"):
        return os.memfd_create("wflint-results")
    import tempfile

    handle = tempfile.TemporaryFile()
    return os.dup(handle.fileno())


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _read_all(fd: int, size: int, offset: int) -> bytes:
    parts, got = [], 0
    while got < size:
        part = os.pread(fd, size - got, offset + got)
        if not part:
            raise EOFError("a worker's results ended early")
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def _std_streams():
    import sys

    return [s for s in (sys.stdout, sys.stderr) if s is not None]
