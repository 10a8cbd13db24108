"""Reading the OR-Library capacitated warehouse location instances.

Beasley's instances (J.E. Beasley, EJOR 33 (1988) 314-325, distributed by OR-Library)
have published optimal values, so they are a check that the hub model is right. hubopt
reads one as a hub network: a single source with free legs to every site, each site a
hub (capacity, fixed cost), each customer a market, and a leg from every site to every
customer at c_ij / demand_j per tonne.

The instance files live in ``benchmarks/orlib/`` of a checkout (with ``optima.csv``,
the published optima); pass another folder as the second argument if yours are
elsewhere.

Run::

    python examples/orlib_instances.py [OUTPUT_FOLDER] [ORLIB_FOLDER]

Prints each instance's optimum next to the published one and writes the table to
``orlib.csv`` in OUTPUT_FOLDER.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd
from _common import output_folder

import hubopt
from hubopt.orlib import read_orlib

out = output_folder("orlib")
if len(sys.argv) > 2:
    folder = Path(sys.argv[2])
else:
    folder = Path(__file__).resolve().parent.parent / "benchmarks" / "orlib"

optima = pd.read_csv(folder / "optima.csv")
# A few of the 37 small instances (16-50 sites, 50 customers); "_uncap" is the same
# file with capacities ignored.
# The large capa/capb/capc files (100 x 1000) need capacity=... (see optima.csv) and
# take longer; benchmarks/run.py times them.
chosen = optima[
    optima["instance"].isin(["cap41", "cap101", "cap131", "cap131_uncap"])
    & optima["capacity"].isna()
]

rows = []
for case in chosen.itertuples():
    uncapacitated = case.problem == "uncapacitated"
    network = read_orlib(folder / case.file, uncapacitated=uncapacitated)
    started = time.perf_counter()
    result = hubopt.solve(network)
    seconds = time.perf_counter() - started
    # Every solve can be checked independently of the model builder.
    assert hubopt.check_solution(network, result) == []
    rows.append(
        {
            "instance": case.instance,
            "problem": case.problem,
            "sites": len(network.hubs),
            "customers": len(network.destinations),
            "open": len(result.hubs[result.hubs["open"]]),
            "objective": round(result.objective, 3),
            "published": case.optimum,
            "matches": abs(result.objective - case.optimum) <= 1e-6 * case.optimum,
            "status": result.status,
            "seconds": round(seconds, 2),
        }
    )

table = pd.DataFrame(rows)
print(table.to_string(index=False))
table.to_csv(out / "orlib.csv", index=False)
print(f"table written to {out / 'orlib.csv'}")
