"""Cost against CO2: the trade-off frontier for the Morocco-Kazakhstan network.

How much more would the trade cost to emit less CO2, and what changes along the way
(corridors, ship sizes, a hub)? ``hubopt.pareto`` answers with the epsilon-constraint
method: the cheapest plan gives the high-CO2 end, a plan with a prohibitive carbon
price the low-CO2 end, and the points in between minimise cost with total CO2 capped.
Every point is a full solution (flows, hubs, markets), so any of them can be mapped or
briefed like a single solve.

A carbon price is the other way to ask the same question: ``hubopt.solve(network,
carbon_price_per_t_co2=100)`` adds 100 USD per tonne of CO2 to the objective; the
script solves that too and places it on the frontier.

Run::

    MPLBACKEND=Agg python examples/cost_co2_frontier.py [OUTPUT_FOLDER]

Writes frontier.csv and frontier.png.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from _common import output_folder

import hubopt
from hubopt.decisions import frontier_table
from hubopt.scenarios import table_text, write_table

out = output_folder("frontier")
pd.set_option("display.width", 160)

network = hubopt.datasets.morocco_kazakhstan()

# Five epsilon values from the cheapest plan's CO2 down to the lowest achievable;
# dominated and repeated points are dropped, so fewer may come back.
points = hubopt.pareto(network, points=5, executor="serial", progress=False)
table = frontier_table(points)
# cost_per_t_co2_saved: what each tonne of CO2 saved costs, relative to the previous
# point (the slope of the frontier, an abatement cost).
print(table_text(table))  # rounded as in the CSV: money to cents, tonnes to 1 t
write_table(table, out / "frontier.csv", index=False)

# A carbon price of 100 USD per tonne of CO2: the plan it buys is one of the frontier's
# points (or between two of them).
priced = hubopt.solve(network, carbon_price_per_t_co2=100.0)
print(
    f"\nwith a carbon price of 100 USD/t CO2: transport and handling cost "
    f"{priced.costs.total - priced.costs.carbon:,.0f} USD, CO2 {priced.co2_t:,.0f} t, "
    f"hubs: {', '.join(priced.open_hubs) or 'none'}"
)
# A price below the cheapest abatement on the frontier buys no change of plan.
cheapest_abatement = table["cost_per_t_co2_saved"].min()
print(f"cheapest abatement on the frontier: {cheapest_abatement:,.0f} USD/t CO2")

# The frontier as a chart.
fig, ax = plt.subplots(figsize=(7, 4.5))
ax.plot(table["co2_t"] / 1e3, table["total_cost"] / 1e6, "o-", label="frontier")
ax.plot(
    [priced.co2_t / 1e3],
    [(priced.costs.total - priced.costs.carbon) / 1e6],
    "s",
    label="carbon price 100 USD/t CO2",
)
for row in table.itertuples():
    ax.annotate(
        (row.hubs_opened or "no hub").replace("HUB_", "").replace(";", ", "),
        (row.co2_t / 1e3, row.total_cost / 1e6),
        textcoords="offset points",
        xytext=(5, 5),
        fontsize=7,
    )
ax.set_xlabel("CO2, thousand tonnes per year")
ax.set_ylabel("total cost, million USD per year")
ax.set_title("Kazakh wheat to African markets: cost against CO2")
ax.legend()
fig.tight_layout()
fig.savefig(out / "frontier.png", dpi=150)
print(f"outputs in {out}")
