"""Run jobs in worker processes, results in job order, workers gone with their parent."""

from __future__ import annotations

import concurrent.futures as futures
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

J = TypeVar("J")
R = TypeVar("R")


def _exit_with_parent() -> None:
    """In a worker: exit as soon as the main process is gone (even killed with SIGKILL).

    Otherwise a worker goes on building into OUT, then waits for work forever: it holds its
    own queue's write end (so never sees EOF) and keeps the forkserver alive too."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()  # returns when the main process's end of the pipe closes
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def run_jobs(
    work: Callable[[J], R],
    jobs: Sequence[J],
    workers: int,
    progress: Callable[[R, int, int], None] | None = None,
    preload: Sequence[str] = (),
) -> Iterator[R]:
    """`work(job)` for every job, in worker processes when there are several (each worker
    reuses what it imported and cached between jobs), yielding results in job order so
    output and messages are stable. `preload`: modules the worker server imports once."""
    workers = min(workers or os.cpu_count() or 1, len(jobs))
    if workers <= 1:
        for n, job in enumerate(jobs, 1):
            result = work(job)
            if progress:
                progress(result, n, len(jobs))
            yield result
        return
    if sys.platform == "win32":
        context = multiprocessing.get_context("spawn")
    else:
        context = multiprocessing.get_context("forkserver")
        # Workers fork from a server that has already imported these (MkDocs, Material).
        context.set_forkserver_preload(list(preload))
    with futures.ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_exit_with_parent
    ) as pool:
        pending = [pool.submit(work, job) for job in jobs]
        try:
            for n, done in enumerate(pending, 1):
                result = done.result()
                if progress:
                    progress(result, n, len(jobs))
                yield result
        except BaseException:
            for f in pending:
                f.cancel()
            raise
