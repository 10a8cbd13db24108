"""The PuLP/CBC adapter: finding CBC, and a missing solver as an install problem."""

from __future__ import annotations

import os
import shutil

import pytest

import hubopt
from hubopt import pulp_adapter
from hubopt.cli import main


def test_cbc_is_found_in_pulps_wheel_without_one_on_path(tiny, monkeypatch, tmp_path):
    """`pip install .` without the cbc extra: PuLP's own CBC binary is used."""
    monkeypatch.setenv("PATH", str(tmp_path))  # no cbc on PATH
    assert shutil.which("cbc") is None
    monkeypatch.setattr(pulp_adapter.sys, "executable", "/nowhere/python")
    path = pulp_adapter.cbc_path()
    assert path is not None and os.access(path, os.X_OK)
    assert "solverdir" in path
    result = hubopt.solve(tiny, solver="cbc")
    assert result.status == "optimal" and result.objective == pytest.approx(1140.0)


def test_a_missing_solver_exits_2_with_how_to_install_it(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(pulp_adapter, "cbc_path", lambda: None)
    with pytest.raises(hubopt.SolverMissingError, match="pip install"):
        hubopt.solve(hubopt.datasets.tiny(), solver="cbc")
    out = tmp_path / "o"
    assert main(["solve", "tiny", "--out", str(out), "--solver", "cbc"]) == 2
    assert "pip install 'pulp[cbc]'" in capsys.readouterr().err
