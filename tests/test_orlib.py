"""OR-Library capacitated warehouse location: every small instance reaches its
published optimum (Beasley 1988), with HiGHS and with CBC."""

from __future__ import annotations

import pandas as pd
import pytest

import hubopt
from hubopt.orlib import read_orlib

from .conftest import ORLIB

pytestmark = pytest.mark.skipif(not ORLIB.is_dir(), reason="OR-Library files not found")


def _small():
    if not ORLIB.is_dir():
        return []
    optima = pd.read_csv(ORLIB / "optima.csv")
    small = optima[optima["file"].str.match(r"cap\d")]
    return [
        pytest.param(r.file, r.problem, r.optimum, id=r.instance)
        for r in small.itertuples()
    ]


@pytest.mark.slow
@pytest.mark.parametrize(("file", "problem", "optimum"), _small())
@pytest.mark.parametrize("solver", ["highs", "cbc"])
@pytest.mark.parametrize("linking", ["auto", "lazy"])
def test_published_optimum(file, problem, optimum, solver, linking):
    net = read_orlib(ORLIB / file, uncapacitated=problem == "uncapacitated")
    result = hubopt.solve(net, solver=solver, linking=linking)
    assert result.status == "optimal"
    assert abs(result.objective - optimum) / optimum <= 1e-6


def test_capacity_word_needs_a_value():
    with pytest.raises(hubopt.ValidationError, match="pass capacity"):
        read_orlib(ORLIB / "capa.txt")
