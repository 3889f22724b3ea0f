"""Many files at once: ``check`` and ``fix`` spread files over worker processes (``--jobs``).

Files are independent once found: each is read under its own configuration, and a GitHub
workflow reads the siblings it needs itself. So a worker takes whole files, and the results come
back in the order the files were found: the output is the one a single process prints. Workers
are forked once wflint is imported, so they start in milliseconds and inherit the work to do;
where fork is missing (Windows) or there are too few files to pay for the processes, everything
runs in this process.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

MIN_FILES_PER_JOB = 8  # below this many files per worker, starting workers costs more than it saves

_work: Callable[[Any], Any] | None = None  # what forked workers run; set just before the pool forks
_pack: Callable[[Any], Any] | None = None


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def workers_for(files: int, jobs: int) -> int:
    """How many workers ``files`` files are worth (1: stay in this process)."""
    if jobs <= 1 or files < 2 * MIN_FILES_PER_JOB:
        return 1
    import multiprocessing  # only where it is used: start-up matters more than this import

    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(jobs, files // MIN_FILES_PER_JOB))


def map_in_order(work: Callable[[Any], Any], items: list, jobs: int, pack: Callable[[Any], Any] = lambda r: r,
                 progress: Callable[[int, int], None] | None = None,
                 prepare: Callable[[], None] | None = None) -> Iterator[Any]:
    """``work(item)`` for each item, in order; on ``jobs`` forked workers when the items are worth
    it. ``pack`` readies a worker's result for the trip back (drops what cannot be pickled);
    ``prepare`` runs once before the workers fork (imports every worker would otherwise repeat)."""
    global _work, _pack
    workers = workers_for(len(items), jobs)
    if workers == 1:
        for done, item in enumerate(items, 1):
            yield work(item)
            if progress:
                progress(done, len(items))
        return
    import multiprocessing

    if prepare is not None:
        prepare()
    _work, _pack = work, pack
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            chunk = max(1, len(items) // (workers * 4))
            for done, result in enumerate(pool.imap(_run, items, chunksize=chunk), 1):
                yield result
                if progress:
                    progress(done, len(items))
    finally:
        _work = _pack = None


def _run(item: Any) -> Any:
    """In a worker: the work on one item, packed for its way back."""
    assert _work is not None and _pack is not None, "a worker runs only under map_in_order"
    return _pack(_work(item))
