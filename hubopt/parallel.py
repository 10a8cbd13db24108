"""Running many solves at once: a local process pool, any Executor, or Dask.

Every batch in hubopt (scenario comparisons, robust choices, sweeps, alternatives)
goes through :func:`map_tasks`. The results come back in the order of the tasks and
are identical whichever executor ran them: each task is a deterministic solve of its
own model, and no task changes what another one sees.

The parent's pickling, serial time that caps a speed-up, is kept small. A
:class:`~hubopt.network.Network` argument is pickled once per batch, not once per
task: every task carries the same bytes (copied, not pickled again) and a token,
and a worker process unpickles them the first time it meets the token and keeps the
network for its next tasks (:func:`_load_shared`; a few networks per process, and a
new token for every batch, so a worker reused for another network never takes a
stale one). The network's shapely geometries (its route lines, nine tenths of its
pickle) are pickled apart from the rest, and a task's outcome that still holds them,
such as the :class:`~hubopt.result.Result` of a scenario of that network, or that
holds the network itself, sends them back as references which the parent resolves
to its own objects (:class:`_Packed`). Networks and shapely geometries are
immutable, so sharing them changes nothing a user can see. Such an outcome also
carries the network's bytes, so any process can unpickle it, whichever executor
moved it.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import pickle
import sys
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from typing import Any, TextIO

from .errors import ValidationError
from .network import Network


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
        None: the first task runs here, timed, and the others on a local
        :class:`~concurrent.futures.ProcessPoolExecutor` of up to ``max_workers``
        processes started with "spawn" if the time they would save pays for
        starting the processes (:func:`pool_pays`), else here too: a batch of
        small solves is then no slower than a serial one. "processes": that
        pool for every task, whatever they cost. "serial": run here, one after
        another; any
        :class:`concurrent.futures.Executor`; or a ``dask.distributed.Client`` (its
        executor is used). A process pool of your own should not "fork" (Linux's
        default before Python 3.14) once this process has solved anything: a
        forked child inherits HiGHS's thread pool without its threads and hangs in
        its first MIP solve. Create it with ``mp_context=worker_context()``
        (spawn, without re-running your main module) or
        ``mp_context=multiprocessing.get_context("spawn")``. In a daemonic
        process (a ``multiprocessing.Pool`` or Dask worker), which may not start
        processes, the default runs the batch here, one task after another.
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
    workers = max_workers or os.cpu_count() or 1
    first: list[Any] = []
    if executor is None and tasks:
        start = time.perf_counter()
        first.append(function(*tasks[0]))
        if bar:
            bar.step()
        if not pool_pays(time.perf_counter() - start, len(tasks) - 1, workers):
            executor = "serial"
    local = executor is None or (isinstance(executor, str) and executor == "processes")
    if local and multiprocessing.current_process().daemon:
        # a daemonic process (a multiprocessing.Pool or Dask worker) may not start
        # processes of its own: run the batch here
        executor = "serial"
    if not tasks or (isinstance(executor, str) and executor == "serial"):
        out = first
        for task in tasks[len(first) :]:
            out.append(function(*task))
            if bar:
                bar.step()
        if bar:
            bar.close()
        return out
    out = _on_executor(function, tasks[len(first) :], executor, bar, workers)
    return first + out


#: Seconds to start a worker process (spawn a fresh interpreter, import hubopt):
#: 0.9-2.0 s measured on a 2-core machine, more when it is loaded.
WORKER_START_S = 1.5


def pool_pays(
    task_s: float, remaining: int, workers: int, setup_s: float = 0.0
) -> bool:
    """Whether ``remaining`` tasks of about ``task_s`` seconds each run sooner on a
    new pool of ``workers`` processes than here, one after another.

    The pool saves ``remaining * task_s * (1 - 1 / workers)`` seconds of solving and
    costs :data:`WORKER_START_S` to start (its processes start side by side) plus
    ``setup_s``, what each worker does once before its first task (e.g. build the
    model it then re-uses).

    Examples
    --------
    >>> from hubopt.parallel import pool_pays
    >>> pool_pays(0.1, 19, 2)  # twenty small solves: 0.95 s saved < 1.5 s to start
    False
    >>> pool_pays(2.0, 19, 2)
    True
    >>> pool_pays(60.0, 19, 1)  # one worker saves nothing
    False
    """
    workers = max(1, min(workers, remaining))
    return remaining * task_s * (1.0 - 1.0 / workers) > WORKER_START_S + setup_s


def _on_executor(
    function: Callable[..., Any],
    tasks: list[tuple[Any, ...]],
    executor: Any,
    bar: _Progress | None,
    workers: int,
) -> list[Any]:
    """The tasks on ``executor`` (None or "processes": a new local pool)."""
    own = False
    if executor is None or (isinstance(executor, str) and executor == "processes"):
        main_needed = getattr(function, "__module__", None) == "__main__"
        executor = ProcessPoolExecutor(
            max_workers=max(1, min(workers, len(tasks))),
            mp_context=(
                multiprocessing.get_context("spawn")
                if main_needed
                else worker_context()
            ),
        )
        own = True
    else:
        executor = as_executor(executor)
    shared = _share_networks(tasks)
    for item in shared.values():
        _LIVE[item.token] = (os.getpid(), item)
    try:
        futures = {
            executor.submit(
                _run_task, function, tuple(shared.get(id(a), a) for a in task)
            ): i
            for i, task in enumerate(tasks)
        }
        out: list[Any] = [None] * len(tasks)
        for future in as_completed(futures):
            value = future.result()
            # executors in this process (threads, Dask without processes) pickle nothing
            out[futures[future]] = value.value if isinstance(value, _Packed) else value
            if bar:
                bar.step()
    finally:
        if own:
            executor.shutdown(wait=True, cancel_futures=True)
        if bar:
            bar.close()
        for item in shared.values():
            _LIVE.pop(item.token, None)
    return out


def worker_context() -> multiprocessing.context.BaseContext:
    """The start method of hubopt's own worker processes.

    "spawn" (a fresh interpreter: "fork" would copy HiGHS's thread pool without its
    threads and hang), except that the workers do not run the caller's main module
    again. Plain "spawn" does, to find functions defined there, so a script without
    an ``if __name__ == "__main__":`` guard, or one read from stdin, would start
    every batch again in every worker and end in ``BrokenProcessPool``. hubopt's
    tasks are functions of hubopt's own modules and need nothing from the main
    module.

    Returns
    -------
    multiprocessing.context.BaseContext
        For ``ProcessPoolExecutor(mp_context=...)``.

    Examples
    --------
    >>> from concurrent.futures import ProcessPoolExecutor
    >>> from hubopt.parallel import worker_context
    >>> with ProcessPoolExecutor(1, mp_context=worker_context()) as pool:
    ...     pool.submit(pow, 2, 5).result()
    32
    """
    return _NO_MAIN


class _SpawnWithoutMain(multiprocessing.context.SpawnProcess):
    """A spawned process that does not import the parent's ``__main__``."""

    @staticmethod
    def _Popen(process_obj: Any) -> Any:
        from multiprocessing import spawn

        real = spawn.get_preparation_data

        def without_main(name: str) -> dict[str, Any]:
            data = real(name)
            data.pop("init_main_from_path", None)
            data.pop("init_main_from_name", None)
            return data

        with _PREPARATION_LOCK:
            spawn.get_preparation_data = without_main
            try:
                return multiprocessing.context.SpawnProcess._Popen(process_obj)
            finally:
                spawn.get_preparation_data = real


class _SpawnWithoutMainContext(multiprocessing.context.SpawnContext):
    Process = _SpawnWithoutMain


_PREPARATION_LOCK = threading.Lock()
_NO_MAIN = _SpawnWithoutMainContext()


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
        "executor must be None, 'serial', 'processes', a concurrent.futures.Executor "
        f"or a dask.distributed.Client, got {type(executor).__name__}"
    )
    raise ValidationError(msg)


# ------------------------------------------------------------------------------------
# a network sent once per batch, unpickled once per worker
# ------------------------------------------------------------------------------------
#: Worker side: token -> the network unpickled from its bytes, most recent last.
_CACHE: OrderedDict[str, _Shared] = OrderedDict()
#: Networks a worker process keeps; older ones are dropped.
_CACHE_SIZE = 4
#: Parent side, while :func:`map_tasks` runs: token -> (process id, shared network).
_LIVE: dict[str, tuple[int, _Shared]] = {}


def _share_networks(tasks: Sequence[tuple[Any, ...]]) -> dict[int, _Shared]:
    """A :class:`_Shared` for each distinct Network among the task arguments, keyed
    by the network's ``id``."""

    shared: dict[int, _Shared] = {}
    for task in tasks:
        for arg in task:
            if isinstance(arg, Network) and id(arg) not in shared:
                shared[id(arg)] = _Shared(arg)
    return shared


class _Shared:
    """A task argument pickled to bytes once and unpickled once per process.

    The bytes hold two pickles: the list of shapely geometries found in the value,
    and the value with each geometry replaced by its position in that list. The
    list is :attr:`geometries` on both sides, so a position names the same geometry
    in the parent and in every worker.
    """

    def __init__(
        self,
        value: Any,
        token: str | None = None,
        blob: bytes | None = None,
        geometries: list[Any] | None = None,
    ) -> None:
        self.value = value
        self.token = token or uuid.uuid4().hex
        self._blob = blob
        self._geometries = geometries
        self._positions: dict[int, int] | None = None

    @property
    def blob(self) -> bytes:
        """The pickled value, made on first use."""
        if self._blob is None:
            self._blob, self._geometries = _dump_shared(self.value)
        return self._blob

    @property
    def geometries(self) -> list[Any]:
        """The value's shapely geometries, in the order the references count."""
        if self._geometries is None:
            self._blob, self._geometries = _dump_shared(self.value)
        return self._geometries

    def positions(self) -> dict[int, int]:
        """``id`` of each geometry -> its position in :attr:`geometries`."""
        if self._positions is None:
            self._positions = {id(g): k for k, g in enumerate(self.geometries)}
        return self._positions

    def __reduce__(self) -> tuple[Any, ...]:
        return (_load_shared, (self.token, self.blob))


def _dump_shared(value: Any) -> tuple[bytes, list[Any]]:
    buffer = io.BytesIO()
    pickler = _GeometryPickler(buffer)
    pickler.dump(value)
    geometries = pickler.geometries
    blob = pickle.dumps((geometries, buffer.getvalue()), pickle.HIGHEST_PROTOCOL)
    return blob, geometries


def _load_shared(token: str, blob: bytes) -> _Shared:
    """The shared value of ``token``: the parent's own in the process that shared it,
    else this process's cached copy, else unpickled from ``blob`` and cached."""
    live = _LIVE.get(token)
    if live is not None and live[0] == os.getpid():  # not in a forked copy
        return live[1]
    cached = _CACHE.get(token)
    if cached is not None:
        _CACHE.move_to_end(token)
        return cached
    geometries, body = pickle.loads(blob)
    value = _Unpickler(io.BytesIO(body), geometries.__getitem__).load()
    loaded = _Shared(value, token, blob, geometries)
    _CACHE[token] = loaded
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return loaded


def _run_task(function: Callable[..., Any], task: tuple[Any, ...]) -> Any:
    """``function(*task)`` with shared arguments unwrapped, its outcome packed so that
    what it holds of them travels back as references."""
    used = [a for a in task if isinstance(a, _Shared)]
    value = function(*(a.value if isinstance(a, _Shared) else a for a in task))
    return _Packed(value, used) if used else value


class _Packed:
    """A task's outcome. Pickled, a shared argument found in it becomes a (token,
    None) reference and each of its geometries a (token, position) one, which
    :func:`_unpack` resolves."""

    def __init__(self, value: Any, shared: list[_Shared]) -> None:
        self.value = value
        self.shared = shared

    def __reduce__(self) -> tuple[Any, ...]:
        # by id: every object named here is alive, held by self.shared
        refs: dict[int, tuple[str, int | None]] = {}
        for item in self.shared:
            refs.update({i: (item.token, k) for i, k in item.positions().items()})
            refs[id(item.value)] = (item.token, None)
        buffer = io.BytesIO()
        pickler = _Pickler(buffer, refs)
        pickler.dump(self.value)
        # the shared bytes ride along (they exist: no pickling) for a process that
        # never had them
        sources = [(s.token, s.blob) for s in self.shared if s.token in pickler.used]
        return (_unpack, (buffer.getvalue(), sources))


def _unpack(body: bytes, sources: list[tuple[str, bytes]]) -> Any:
    shared = {token: _load_shared(token, blob) for token, blob in sources}

    def persistent_load(ref: tuple[str, int | None]) -> Any:
        item = shared[ref[0]]
        return item.value if ref[1] is None else item.geometries[ref[1]]

    return _Unpickler(io.BytesIO(body), persistent_load).load()


class _Pickler(pickle.Pickler):
    """Pickles each object whose ``id`` is a key of ``refs`` as its value, a
    (token, ...) reference, and notes the tokens in :attr:`used`."""

    def __init__(self, file: io.BytesIO, refs: dict[int, tuple[Any, ...]]) -> None:
        super().__init__(file, pickle.HIGHEST_PROTOCOL)
        self.refs = refs
        self.used: set[str] = set()

    def persistent_id(self, obj: Any) -> tuple[Any, ...] | None:
        ref = self.refs.get(id(obj))
        if ref is not None:
            self.used.add(ref[0])
        return ref


class _GeometryPickler(pickle.Pickler):
    """Pickles each shapely geometry as its position in :attr:`geometries`, where it
    is added the first time it is met."""

    def __init__(self, file: io.BytesIO) -> None:
        from shapely import Geometry

        super().__init__(file, pickle.HIGHEST_PROTOCOL)
        self.geometry_type = Geometry
        self.geometries: list[Any] = []
        self.positions: dict[int, int] = {}

    def persistent_id(self, obj: Any) -> int | None:
        if not isinstance(obj, self.geometry_type):
            return None
        pos = self.positions.get(id(obj))
        if pos is None:
            pos = self.positions[id(obj)] = len(self.geometries)
            self.geometries.append(obj)
        return pos


class _Unpickler(pickle.Unpickler):
    """Unpickles references to the objects ``resolve`` returns for them."""

    def __init__(self, file: io.BytesIO, resolve: Callable[[Any], Any]) -> None:
        super().__init__(file)
        self._resolve = resolve

    def persistent_load(self, pid: Any) -> Any:
        return self._resolve(pid)


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
