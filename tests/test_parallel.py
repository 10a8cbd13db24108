"""Executors: serial, thread pool, the default process pool and a Dask LocalCluster
give identical comparison tables."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

import hubopt
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


def test_progress_bar_and_errors(capsys):
    assert map_tasks(pow, [(2, 2), (2, 3)], executor="serial") == [4, 8]
    assert "2/2" in capsys.readouterr().err
    with pytest.raises(hubopt.ValidationError, match="executor must be"):
        as_executor("many")
