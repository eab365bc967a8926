"""Worker processes: how many to use, and running independent items on them.

Photos, link-preview cards and the check of a whole site's stories are each many small items
that do not depend on each other, so they can share the machine's cores.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor

# More than a few gain little: each item also reads or writes files, and a build machine has
# other work. None: one per core this process may use.
WORKERS: int | None = None
MAX_WORKERS = 4


def worker_count(jobs: int, per_worker: int = 1, workers: int | None = None) -> int:
    """How many processes share ``jobs`` independent items: 1 (no pool) when a pool would cost
    more than it saves, with one core or with fewer than ``per_worker`` items for each worker."""
    if workers is None:
        workers = WORKERS
    if workers is None:
        try:
            cores = len(os.sched_getaffinity(0))  # the cores this process may run on
        except AttributeError:  # not on every platform
            cores = os.cpu_count() or 1
        workers = min(cores, MAX_WORKERS)
    return max(1, min(workers, jobs // max(per_worker, 1)))


def run_all(work: Callable[..., object], arguments: list[tuple], workers: int) -> Iterator[object]:
    """``work(*args)`` for each of ``arguments``, in order; in a pool when ``workers`` > 1.

    ``work`` must return its failures as values: an exception in a worker ends the whole run."""
    if workers <= 1:
        for args in arguments:
            yield work(*args)
        return
    # Items go out in chunks, so short ones are not outweighed by sending each on its own.
    chunk = max(1, len(arguments) // (workers * 4))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(work, *zip(*arguments, strict=True), chunksize=chunk)
