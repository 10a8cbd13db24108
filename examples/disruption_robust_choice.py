"""A Red Sea / Bosporus disruption study, and the hub choice that holds up.

If Morocco builds one grain hub for Kazakh wheat, which port should it be when the
trade routes may be disrupted? This script:

1. solves the bundled network under four scenarios with one hub required: the
   baseline; the Red Sea shut (Suez and Bab el-Mandeb closed); the Bosporus closed
   (no ship leaves the Black Sea); and the Russian Black Sea rail route closed. Closing
   a passage re-routes every sea leg round it, with new distance, cost, time and CO2;
2. finds the single hub that is best across them, by two criteria: the smallest
   worst-case regret (cost under the choice minus the scenario's own optimum) and
   the lowest expected cost (equal weights);
3. maps what the Bosporus closure changes under the min-max-regret choice.

Every bundled market may buy its wheat elsewhere (its alternative_cost_per_t, Black Sea
wheat at its landed price), so a closure that cuts a market off from Kazakh wheat leaves
it buying elsewhere rather than making the network infeasible.

Run::

    MPLBACKEND=Agg python examples/disruption_robust_choice.py [OUTPUT_FOLDER]

Writes scenarios.csv, robust_minmax_regret.csv, robust_expected.csv and
bosporus_change.png.
"""

from __future__ import annotations

import pandas as pd
from _common import output_folder

import hubopt
from hubopt.maps import comparison_map
from hubopt.scenarios import table_text

out = output_folder("disruption")
pd.set_option("display.width", 160)
pd.set_option("display.max_columns", 12)

# The bundled network: contestable demand, every market priced elsewhere.
network = hubopt.datasets.morocco_kazakhstan()

# Four of the built-in scenarios (hubopt.builtin_scenarios() has seven; you can also
# write your own, hubopt.Scenario("name", avoid=[...], ...), or read them from TOML).
wanted = [
    "baseline",
    "suez_bab_el_mandeb_closed",
    "bosporus_closed",
    "black_sea_ports_unavailable",
]
scenarios = [s for s in hubopt.builtin_scenarios() if s.name in wanted]
for s in scenarios:
    print(f"{s.name}: {s.description}")

# 1. Each scenario on its own, with one hub required (min_hubs=1). The solves run in
#    a process pool by default; "serial" keeps this example predictable.
comparison = hubopt.compare(
    network, scenarios, executor="serial", progress=False, min_hubs=1
)
table = comparison.table.drop(columns="message")
print("\nEach scenario's own best hub:")
print(table_text(table))  # rounded as in the CSV: money to cents, tonnes to 1 t
comparison.write_csv(out / "scenarios.csv")

# 2. One hub for all of them. Min-max regret guards against the worst case; expected
#    cost weighs the scenarios (equally here; Scenario(probability=...) to change it).
regret = hubopt.robust(
    network, scenarios, executor="serial", progress=False, min_hubs=1
)
print(f"\nMin-max regret choice: {regret.hubs}")
print(f"worst regret: USD {regret.max_regret:,.0f} a year")
print(table_text(regret.table[["own_hubs", "own_cost", "robust_cost", "regret"]]))
regret.write_csv(out / "robust_minmax_regret.csv")

expected = hubopt.robust(
    network,
    scenarios,
    criterion="expected",
    executor="serial",
    progress=False,
    min_hubs=1,
)
print(f"\nExpected-cost choice: {expected.hubs}")
print(table_text(expected.table[["own_hubs", "own_cost", "robust_cost", "regret"]]))
expected.write_csv(out / "robust_expected.csv")

# 3. What the Bosporus closure changes for the min-max-regret hub: flows that appear,
#    vanish or change, on one map.
comparison_map(
    regret.results["baseline"],
    regret.results["bosporus_closed"],
    out / "bosporus_change.png",
    labels=("baseline", "Bosporus closed"),
    dpi=100,
)
print(f"\noutputs in {out}")
