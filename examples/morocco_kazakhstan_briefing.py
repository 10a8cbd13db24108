"""The Morocco-Kazakhstan briefing: should a Moroccan port host a hub for Kazakh wheat?

Solves the bundled network (three Kazakh grain-belt collection points, eleven Moroccan
candidate ports, 24 African markets that each buy their whole imports from Kazakhstan or
from the Black Sea, 648 legs through four export corridors; every figure is sourced in
data/README.md) twice:

* as it stands, where the model is free to open any hubs or none, and
* with at least one hub forced open, to see which port would host it and what it costs
  compared with today's direct routes,

then writes the briefing pack for the forced-hub case: brief.html (headline, key
figures against the direct baseline, the map, a table per market, assumptions and
sources), the map as PNG and PDF, an interactive map, the result tables and a
GeoPackage.

Run::

    MPLBACKEND=Agg python examples/morocco_kazakhstan_briefing.py [OUTPUT_FOLDER]
"""

from __future__ import annotations

from _common import output_folder

import hubopt
from hubopt import report

out = output_folder("briefing")

# The bundled network. Its demand is contestable: every market may take its whole
# published imports and buys elsewhere at its alternative_cost_per_t, so the model
# decides which markets Kazakh wheat wins. hubopt.solve(network,
# programme_t=2_500_000) would instead require the former fixed programme of 2.5 Mt
# delivered in all.
network = hubopt.datasets.morocco_kazakhstan()
print(network)

# 1. Free choice: with the bundled (mostly low-confidence) figures one hub opens, Dakhla
#    Atlantique, for Guinea (Conakry); every other market buys Black Sea wheat (see
#    docs/what-decides.md for how fragile that is).
free = hubopt.solve(network)
print("\n-- free choice --")
print(free.summary())

# 2. At least one hub: which port, at which size, and at what extra cost per tonne?
#    Here it is the free choice again (the optimum already opens one).
forced = hubopt.solve(network, min_hubs=1)
print("\n-- at least one hub --")
print(forced.summary())
assert hubopt.check_solution(network, forced) == []

extra = forced.objective - free.objective
delivered = forced.markets["served_t"].sum()
print(f"forcing a hub costs {extra:,.0f} USD a year, {extra / delivered:.2f} USD/t")

# Which markets the hub serves, and their landed cost per tonne.
markets = forced.markets
via_hub = markets[markets["via_hubs_t"] > 0]
print(via_hub[["name", "via_hubs_t", "landed_cost_per_t", "serving_hubs"]])

# 3. The briefing pack. hubopt.brief also solves the direct baseline (every hub closed,
#    only direct legs) and sets the hub case against it, market by market.
brief = hubopt.brief(
    forced,
    out / "brief_one_hub",
    title="A Moroccan hub for Kazakh wheat: the cheapest single hub",
)
print(f"\nbriefing pack: {brief.parent}")
for name in report.PACK_FILES:
    print(f"  {name}")
