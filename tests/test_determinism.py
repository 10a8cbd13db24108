"""Same input and options, byte-identical outputs: across runs, across processes with
different hash seeds, and through a write -> read -> write round trip.

Timings cannot repeat, so they are not in summary.json: ``Result.write`` puts
runtime_s and build_s in run.json, the one output file allowed to differ.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import hubopt
from hubopt.cli import main

ROOT = Path(__file__).resolve().parents[1]
#: The only output whose bytes may change from run to run.
TIMINGS = "run.json"


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _assert_identical(a: Path, b: Path) -> None:
    files_a, files_b = _files(a), _files(b)
    assert sorted(files_a) == sorted(files_b)
    for name in files_a:
        if name != TIMINGS:
            assert files_a[name] == files_b[name], f"{name} differs between runs"
    if TIMINGS in files_a:
        timings_a, timings_b = (json.loads(f[TIMINGS]) for f in (files_a, files_b))
        assert timings_a.keys() == timings_b.keys()


def test_cli_outputs_identical_across_processes(tmp_path):
    """The default network solved by two processes at once, with different hash
    seeds (set and dict order of strings), gives the same bytes."""
    procs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        cmd = [
            sys.executable,
            "-m",
            "hubopt.cli",
            "solve",
            "--out",
            str(tmp_path / seed),
        ]
        procs.append(subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True))
    outputs = [p.communicate(timeout=300)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    _assert_identical(tmp_path / "1", tmp_path / "2")
    summary = json.loads((tmp_path / "1" / "summary.json").read_text())
    assert summary["status"] == "optimal"
    assert "runtime_s" not in summary and "build_s" not in summary
    # the printed summary differs only in its first line (the run time) and the folder
    assert outputs[0].splitlines()[1:-1] == outputs[1].splitlines()[1:-1]


def test_repeated_solves_in_one_process(tiny, tmp_path):
    for solver in ("highs", "cbc"):
        for run in ("a", "b"):
            hubopt.solve(tiny, solver=solver).write(tmp_path / f"{solver}{run}")
        _assert_identical(tmp_path / f"{solver}a", tmp_path / f"{solver}b")


def test_summary_json_has_no_timings(tiny, tmp_path):
    hubopt.solve(tiny).write(tmp_path)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert not {k for k in summary if k.endswith("_s")}
    run = json.loads((tmp_path / "run.json").read_text())
    assert run["runtime_s"] >= 0 and run["build_s"] >= 0


def test_network_write_is_deterministic_and_round_trips(tmp_path):
    net = hubopt.datasets.load("morocco_kazakhstan")
    hubopt.write_network(net, tmp_path / "a")
    hubopt.write_network(net, tmp_path / "b")
    hubopt.write_network(hubopt.read_network(tmp_path / "a"), tmp_path / "c")
    _assert_identical(tmp_path / "a", tmp_path / "b")
    assert _files(tmp_path / "a") == _files(tmp_path / "c")


def test_cli_refuses_to_overwrite_then_replaces_identically(tmp_path, capsys):
    tiny = str(hubopt.datasets.path("tiny"))
    out = tmp_path / "o"
    assert main(["solve", tiny, "--out", str(out)]) == 0
    before = _files(out)
    assert main(["solve", tiny, "--out", str(out)]) == 2
    assert "exists; pass overwrite=True (--overwrite)" in capsys.readouterr().err
    assert _files(out) == before
    assert main(["solve", tiny, "--out", str(out), "--overwrite"]) == 0
    after = _files(out)
    assert {k: v for k, v in after.items() if k != TIMINGS} == {
        k: v for k, v in before.items() if k != TIMINGS
    }


def test_network_write_refuses_before_writing_anything(tiny, tmp_path):
    folder = tmp_path / "net"
    folder.mkdir()
    (folder / "legs.csv").write_text("mine\n")
    with pytest.raises(hubopt.ValidationError, match=r"legs.csv' exists; pass over"):
        hubopt.write_network(tiny, folder)
    assert sorted(p.name for p in folder.iterdir()) == ["legs.csv"]
    assert (folder / "legs.csv").read_text() == "mine\n"


def test_atomic_target_leaves_no_half_file(tmp_path):
    from hubopt.io import atomic_target

    target = tmp_path / "map.png"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_target(target) as tmp:
        tmp.write_bytes(b"half a pict")
        crash = "crash mid-write"
        raise RuntimeError(crash)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["map.png"]
    refused = pytest.raises(hubopt.ValidationError, match="exists; pass overwrite")
    with refused, atomic_target(target, overwrite=False):
        pass  # pragma: no cover
