"""Seasons and a food-security reserve: how much silo capacity, where, to hold N days
of cover for West African markets, and what does it cost per tonne delivered?

Kazakh wheat leaves in a season (the bundled monthly periods: the 2024 profile of
Kazakh grain exports, with the Caspian ports closed half of November and December),
while mills buy all year. The script solves the bundled network over its twelve
months (``hubopt.datasets.load_periods("morocco_kazakhstan_monthly")``) with a reserve
of N days of the West African markets' deliveries held at Moroccan hubs
(``reserve_days=N, reserve_markets=...``), and without one, and prints the silo
capacity each opened hub needs (its largest month-end stock), the extra annual cost
and that cost per tonne delivered to the reserve markets.

The question of this example, not a finding of the data: Kazakh wheat is to supply a
firm 10 % of each West African market's published wheat imports (those markets buy
no alternative here, so they must be served, and their reserve held); every other
market stays contestable as in the bundled scenario. Without a firm volume a
contestable market would rather be lost to the alternative supplier than stocked
for.

Run::

    python examples/seasons_reserve.py [OUTPUT_FOLDER]

Writes reserve.csv (one row per reserve) and silos.csv (silo per opened hub).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from _common import output_folder

import hubopt

out = output_folder("seasons")

#: The West African markets of the bundled network (ECOWAS members and Mauritania).
WEST_AFRICA = (
    "NG_LAGOS",
    "CI_ABIDJAN",
    "GH_TEMA",
    "SN_DAKAR",
    "BF_LOME",
    "MR_NOUAKCHOTT",
    "TG_LOME",
    "LR_MONROVIA",
    "GN_CONAKRY",
)
#: The firm share of their imports Kazakh wheat supplies (the example's question).
FIRM_SHARE = 0.10
#: The reserves compared, in days of the reserve markets' deliveries.
RESERVE_DAYS = (30, 90)

network = hubopt.datasets.morocco_kazakhstan()
markets = network.destinations
west = markets["id"].isin(WEST_AFRICA)
markets.loc[west, "demand_t"] = (
    markets.loc[west, "import_volume_t"].astype(float) * FIRM_SHARE
).round()
markets.loc[west, "alternative_cost_per_t"] = np.nan  # firm: served in full
network = network.replace(destinations=markets)
periods = hubopt.datasets.load_periods("morocco_kazakhstan_monthly")


def solve(days: int) -> hubopt.Result:
    reserve = {"reserve_days": days, "reserve_markets": WEST_AFRICA} if days else {}
    result = hubopt.solve(network, periods=periods, **reserve)
    assert result.status == "optimal", result.status
    return result


base = solve(0)
firm_t = float(markets.loc[west, "demand_t"].sum())
rows, silos = [], []
for days in (0, *RESERVE_DAYS):
    result = base if days == 0 else solve(days)
    stock = result.periods.stock
    stock = stock[stock["stock_t"] > 1e-6]
    peak = stock.groupby("hub_id")["stock_t"].max()
    opened = result.hubs.loc[result.hubs["open"], ["hub_id", "level"]]
    for hub, level in opened.itertuples(index=False):
        silos.append(
            {
                "reserve_days": days,
                "hub_id": hub,
                "level": level,
                "silo_t": round(float(peak.get(hub, 0.0))),
            }
        )
    extra = result.objective - base.objective
    rows.append(
        {
            "reserve_days": days,
            "hubs": ", ".join(f"{h} ({k})" for h, k in opened.itertuples(index=False))
            or "none",
            "silo_t": round(float(peak.sum())),
            "storage_cost": round(result.costs.storage),
            "annual_cost": round(result.objective),
            "extra_cost": round(extra),
            "extra_per_t_delivered": round(extra / firm_t, 2),
            # the least month-end stock at the hubs, in days of the firm deliveries
            "least_cover_days": round(
                float(stock.groupby("period")["stock_t"].sum().min())
                / (firm_t / 365.0),
                1,
            )
            if len(stock)
            else 0.0,
        }
    )

table = pd.DataFrame(rows)
silo_table = pd.DataFrame(silos)
table.to_csv(out / "reserve.csv", index=False)
silo_table.to_csv(out / "silos.csv", index=False)
print(
    f"Firm West African deliveries: {firm_t:,.0f} t a year "
    f"({FIRM_SHARE:.0%} of {len(WEST_AFRICA)} markets' imports), over 12 months."
)
print(table.to_string(index=False))
print()
print("Silo capacity per opened hub (its largest month-end stock, t):")
print(silo_table[silo_table["reserve_days"] > 0].to_string(index=False))
print(f"\nwritten to {out}/")
