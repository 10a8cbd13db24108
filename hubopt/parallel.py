"""Running many solves at once: a local process pool, any Executor, or Dask.

Every batch in hubopt (scenario comparisons, robust choices, sweeps, alternatives)
goes through :func:`map_tasks`. The results come back in the order of the tasks and
are identical whichever executor ran them: each task is a deterministic solve of its
own model, and nothing is shared between tasks.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from typing import Any, TextIO

from .errors import ValidationError


def map_tasks(
    function: Callable[..., Any],
    tasks: Sequence[tuple[Any, ...]],
    *,
    executor: Any = None,
    progress: bool = True,
    label: str = "solving",
    max_workers: int | None = None,
) -> list[Any]:
    """Run ``function(*task)`` for every task and return the results in order.

    Parameters
    ----------
    function
        A module-level (picklable) function.
    tasks
        Argument tuples, one per call.
    executor
        None: a local :class:`~concurrent.futures.ProcessPoolExecutor` with up to
        ``max_workers`` processes started with "spawn" (a single task runs in this
        process); "serial": run here, one after another; any
        :class:`concurrent.futures.Executor`; or a ``dask.distributed.Client`` (its
        executor is used). A process pool of your own should not "fork" (Linux's
        default before Python 3.14) once this process has solved anything: a
        forked child inherits HiGHS's thread pool without its threads and hangs in
        its first MIP solve. Create it with
        ``mp_context=multiprocessing.get_context("spawn")``.
    progress
        Draw a progress bar on stderr.
    label
        Text before the progress bar.
    max_workers
        Processes of the default pool; the number of CPUs by default.

    Returns
    -------
    list
        ``function(*task)`` for each task, in the order of ``tasks``.

    Examples
    --------
    >>> from hubopt.parallel import map_tasks
    >>> map_tasks(pow, [(2, 3), (3, 2)], executor="serial", progress=False)
    [8, 9]
    """
    tasks = list(tasks)
    bar = _Progress(len(tasks), label, sys.stderr) if progress and tasks else None
    if executor == "serial" or (executor is None and len(tasks) <= 1):
        out = []
        for task in tasks:
            out.append(function(*task))
            if bar:
                bar.step()
        if bar:
            bar.close()
        return out
    own = False
    if executor is None:
        workers = max_workers or os.cpu_count() or 1
        executor = ProcessPoolExecutor(
            max_workers=max(1, min(workers, len(tasks))),
            mp_context=multiprocessing.get_context("spawn"),
        )
        own = True
    else:
        executor = as_executor(executor)
    try:
        futures = {executor.submit(function, *task): i for i, task in enumerate(tasks)}
        out: list[Any] = [None] * len(tasks)
        for future in as_completed(futures):
            out[futures[future]] = future.result()
            if bar:
                bar.step()
    finally:
        if own:
            executor.shutdown(wait=True, cancel_futures=True)
        if bar:
            bar.close()
    return out


def as_executor(executor: Any) -> Executor:
    """A :class:`concurrent.futures.Executor` from an executor or a Dask client.

    Raises
    ------
    ValidationError
        For anything else.

    Examples
    --------
    >>> from concurrent.futures import ThreadPoolExecutor
    >>> from hubopt.parallel import as_executor
    >>> with ThreadPoolExecutor(1) as pool:
    ...     as_executor(pool) is pool
    True
    >>> as_executor("four workers")
    Traceback (most recent call last):
    ...
    hubopt.errors.ValidationError: executor must be None, 'serial', ... got str
    """
    if isinstance(executor, Executor):
        return executor
    get_executor = getattr(executor, "get_executor", None)
    if callable(get_executor) and type(executor).__module__.startswith("distributed"):
        return get_executor()
    msg = (
        f"executor must be None, 'serial', a concurrent.futures.Executor or a "
        f"dask.distributed.Client, got {type(executor).__name__}"
    )
    raise ValidationError(msg)


class _Progress:
    """A one-line text progress bar, redrawn in place."""

    def __init__(self, total: int, label: str, stream: TextIO) -> None:
        self.total = total
        self.done = 0
        self.label = label
        self.stream = stream
        self.start = time.perf_counter()
        self._draw()

    def step(self) -> None:
        self.done += 1
        self._draw()

    def _draw(self) -> None:
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        elapsed = time.perf_counter() - self.start
        self.stream.write(
            f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] "
            f"{self.done}/{self.total} {elapsed:.1f} s"
        )
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()
