"""Executors: serial, thread pool, the default process pool and a Dask LocalCluster
give identical comparison tables."""

from __future__ import annotations

import os
import pickle
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

import hubopt
from hubopt import parallel
from hubopt.parallel import as_executor, map_tasks

SCENARIOS = [
    hubopt.Scenario("base"),
    hubopt.Scenario("busy", demand_multiplier=1.1),
    hubopt.Scenario("no_h2", close_hubs=["H2"]),
]


def _table(executor):
    cmp = hubopt.compare(
        hubopt.datasets.tiny(), SCENARIOS, executor=executor, progress=False
    )
    for result in cmp.results.values():
        assert result.check() == []
    return cmp.table


def test_executors_give_identical_results():
    serial = _table("serial")
    with ThreadPoolExecutor(2) as pool:
        pd.testing.assert_frame_equal(_table(pool), serial)
    pd.testing.assert_frame_equal(_table(None), serial)
    pd.testing.assert_frame_equal(_table("processes"), serial)


def test_pool_pays_when_the_time_saved_exceeds_the_start():
    start = parallel.WORKER_START_S
    # 2 workers save half of the remaining solving time
    assert not parallel.pool_pays(start / 10, 20, 2)  # 1.0 x start saved
    assert parallel.pool_pays(start / 10 * 1.01, 20, 2)
    assert not parallel.pool_pays(100.0, 20, 1)
    assert not parallel.pool_pays(100.0, 0, 2)
    assert parallel.pool_pays(start * 1.01, 2, 8)  # as many workers as tasks: 2
    # each worker first builds what it re-uses: that counts against the pool
    assert not parallel.pool_pays(start / 10 * 1.01, 20, 2, setup_s=0.5)


def test_default_runs_cheap_batches_here_and_costly_ones_on_the_pool(monkeypatch):
    started = []

    class Recording(parallel.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            started.append(kwargs["max_workers"])
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", Recording)
    tasks = [(2, k) for k in range(5)]
    assert map_tasks(pow, tasks, progress=False) == [1, 2, 4, 8, 16]
    assert started == []  # microseconds each: not worth a process
    monkeypatch.setattr(parallel, "WORKER_START_S", -1.0)
    assert map_tasks(pow, tasks, progress=False, max_workers=2) == [1, 2, 4, 8, 16]
    assert started == [2]  # the first task ran here, the other four on 2 workers


def test_dask_local_cluster_gives_identical_results():
    distributed = pytest.importorskip("distributed")
    serial = _table("serial")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        pd.testing.assert_frame_equal(_table(client), serial)
        pd.testing.assert_frame_equal(_table(client.get_executor()), serial)


@pytest.mark.slow
def test_dask_worker_processes_give_serial_results_for_every_batch():
    """compare, robust and sweep on a LocalCluster of two worker processes."""
    distributed = pytest.importorskip("distributed")
    net = hubopt.datasets.tiny()

    def batches(executor):
        robust = hubopt.robust(net, SCENARIOS, executor=executor, progress=False)
        sweep = hubopt.sweep(
            net, "max_hubs", [1, 2, 3], executor=executor, progress=False
        )
        return _table(executor), robust.table, robust.hubs, sweep.table

    serial = batches("serial")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        assert len(client.scheduler_info()["workers"]) == 2
        on_dask = batches(client)
    for ours, theirs in zip(on_dask, serial, strict=True):
        if isinstance(ours, pd.DataFrame):
            pd.testing.assert_frame_equal(ours, theirs)
        else:
            assert ours == theirs


def test_progress_bar_and_errors(capsys):
    assert map_tasks(pow, [(2, 2), (2, 3)], executor="serial") == [4, 8]
    assert "2/2" in capsys.readouterr().err
    with pytest.raises(hubopt.ValidationError, match="executor must be"):
        as_executor("many")


# ------------------------------------------------------------------------------------
# a network sent once per worker; geometries sent back as positions
# ------------------------------------------------------------------------------------
def _tiny_with_lines(demand_factor: float = 1.0) -> hubopt.Network:
    """The tiny network with a straight line on each leg, from its end points."""
    from shapely import LineString

    net = hubopt.datasets.tiny()
    where = {
        row.id: (row.lon, row.lat)
        for table in (net.origins, net.hubs, net.destinations)
        for row in table.itertuples()
    }
    legs = net.legs
    legs["geometry"] = [
        LineString([where[a], where[b]])
        for a, b in zip(legs["origin"], legs["destination"], strict=True)
    ]
    destinations = net.destinations
    destinations["demand_t"] *= demand_factor
    return net.replace(legs=legs, destinations=destinations)


def _as_worker(blob: bytes):
    """Unpickle ``blob`` as a worker process would: without the parent's registry."""
    live = dict(parallel._LIVE)
    parallel._LIVE.clear()
    try:
        return pickle.loads(blob)
    finally:
        parallel._LIVE.update(live)


def test_shared_network_is_unpickled_once_per_worker():
    net = _tiny_with_lines()
    shared = parallel._Shared(net)
    task = pickle.dumps((shared, "a small argument"))
    assert pickle.dumps((shared, "another")).count(shared.blob) == 1  # pickled once
    loaded, _ = _as_worker(task)
    assert loaded.value is not net
    pd.testing.assert_frame_equal(loaded.value.legs, net.legs)
    again, _ = _as_worker(task)
    assert again is loaded  # the worker's cached copy, not a second unpickling
    # another network never gets the cached one, even in the same worker
    other = parallel._Shared(_tiny_with_lines(demand_factor=2.0))
    loaded_other = _as_worker(pickle.dumps(other))
    assert loaded_other.value.total_demand_t == 2 * net.total_demand_t
    parallel._CACHE.clear()


def test_outcome_sends_shared_geometries_as_positions():
    net = _tiny_with_lines()
    shared = parallel._Shared(net)
    worker_side = _as_worker(pickle.dumps(shared))
    derived = worker_side.value.replace(name="derived")  # keeps the line objects
    packed = pickle.dumps(parallel._Packed(derived, [worker_side]))
    assert len(packed) < len(pickle.dumps(derived)) + len(shared.blob)
    itself = pickle.dumps(parallel._Packed([worker_side.value], [worker_side]))
    parallel._LIVE[shared.token] = (os.getpid(), shared)
    try:
        back = pickle.loads(packed)
        assert pickle.loads(itself)[0] is net  # the shared network comes back as is
    finally:
        parallel._LIVE.clear()
        parallel._CACHE.clear()
    pd.testing.assert_frame_equal(back.legs, net.legs)
    # the parent's own line objects, not copies
    assert all(
        a is b for a, b in zip(back.legs["geometry"], net.legs["geometry"], strict=True)
    )
    # a process that never had the network reads it from the bytes carried along
    elsewhere = _as_worker(packed)
    pd.testing.assert_frame_equal(elsewhere.legs, net.legs)
    parallel._CACHE.clear()


def test_process_pool_reused_across_networks_gives_serial_results():
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    runs = [SCENARIOS[0], SCENARIOS[1]]
    first, second = _tiny_with_lines(), _tiny_with_lines(demand_factor=1.2)
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=spawn) as pool:
        for net in (first, second, first):
            serial = hubopt.compare(net, runs, executor="serial", progress=False)
            pooled = hubopt.compare(net, runs, executor=pool, progress=False)
            pd.testing.assert_frame_equal(pooled.table, serial.table)
            for name, result in pooled.results.items():
                legs = result.network.legs
                pd.testing.assert_frame_equal(legs, serial.results[name].network.legs)
                assert legs["geometry"].iloc[0] is net.legs["geometry"].iloc[0]
                assert result.check() == []
    assert parallel._LIVE == {}


# ------------------------------------------------ batches wherever Python runs
_BATCH = """
import hubopt
EXECUTOR = "processes"  # the local pool even for tiny's cheap solves
net = hubopt.datasets.tiny()
runs = [hubopt.Scenario("base"), hubopt.Scenario("busy", demand_multiplier=1.1),
        hubopt.Scenario("no_h2", close_hubs=["H2"])]
table = hubopt.compare(net, runs, executor=EXECUTOR, progress=False).table
print("TOTALS", table["total_cost"].round(6).tolist())
"""


def _serial_totals() -> str:
    return f"TOTALS {_table('serial')['total_cost'].round(6).tolist()}"


def _run(args, tmp_path, stdin=None):
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return [line for line in done.stdout.splitlines() if line.startswith("TOTALS")]


@pytest.mark.slow
@pytest.mark.parametrize("entry", ["script", "stdin", "-c", "-m"])
def test_a_batch_runs_from_any_entry_point_without_a_main_guard(entry, tmp_path):
    """The default process pool from a script without `if __name__ == "__main__":`,
    from stdin, from `python -c` and `python -m`: one batch, serial's results."""
    (tmp_path / "batch.py").write_text(_BATCH)
    args = {
        "script": (["batch.py"], None),
        "stdin": (["-"], _BATCH),
        "-c": (["-c", _BATCH], None),
        "-m": (["-m", "batch"], None),
    }[entry]
    assert _run(args[0], tmp_path, stdin=args[1]) == [_serial_totals()]


_INSIDE = """
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

def batch(_):
    import hubopt
    net = hubopt.datasets.tiny()
    runs = [hubopt.Scenario("base"), hubopt.Scenario("busy", demand_multiplier=1.1),
            hubopt.Scenario("no_h2", close_hubs=["H2"])]
    table = hubopt.compare(net, runs, executor="processes", progress=False).table
    return table["total_cost"].round(6).tolist()

if __name__ == "__main__":
    with multiprocessing.get_context("spawn").Pool(1) as pool:  # daemonic workers
        print("TOTALS", pool.map(batch, [0])[0])
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=spawn) as pool:  # not daemonic
        print("TOTALS", pool.submit(batch, 0).result())
"""


@pytest.mark.slow
def test_a_batch_runs_inside_a_worker(tmp_path):
    """In a daemonic Pool worker the batch runs serially; in an executor's worker it
    starts a pool of its own; both give serial's results."""
    (tmp_path / "inside.py").write_text(_INSIDE)
    assert _run(["inside.py"], tmp_path) == [_serial_totals()] * 2
