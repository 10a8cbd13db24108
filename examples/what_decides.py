"""What decides the answer on the bundled network: the break-even value of each driver.

Run it as ``python examples/what_decides.py OUTPUT_FOLDER``. It solves the bundled
Morocco-Kazakhstan network as given, then asks :func:`hubopt.break_even` (bisection
with the solver) at which value of each driver the optimal hubs change: the sea freight
level, the Kazakh price at origin, the depth at Conakry (the one market the hub wins),
the hub's transshipment tariff and the share of the markets' imports on offer. It also
solves three scenarios: the 2025 Kazakh transport subsidy deducted, Dakhla Atlantique
excluded, and the former fixed programme of 2.5 Mt (``programme_t``).

It writes ``what_decides.md`` (the two tables docs/what-decides.md shows; the test
tests/test_answer.py checks that the page holds exactly these), ``break_even.csv`` and
``scenarios.csv`` to the output folder. Every figure comes from the library; none is
typed by hand.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

import hubopt
from hubopt import freight, solving
from hubopt._tables import rounded
from hubopt.breakeven import BreakEven, portfolio

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import output_folder

CONAKRY = "GN_CONAKRY"
DAKHLA = "HUB_DAKHLA_ATLANTIQUE"
#: The former fixed programme (data/README.md): 2.5 Mt of Kazakh wheat delivered.
PROGRAMME_T = 2_500_000

_PORT_COLUMNS = ["id", "lon", "lat", "depth_m", "draft_m"]


def _sea_to_conakry(network: hubopt.Network) -> tuple[list[str], pd.DataFrame]:
    """The ports a ship to Conakry starts from, and the bundled ports' depths."""
    waypoints = pd.read_csv(
        hubopt.datasets.path("morocco_kazakhstan") / "waypoints.csv"
    )
    ports = pd.concat(
        [
            network.hubs.reindex(columns=_PORT_COLUMNS),
            network.destinations.reindex(columns=_PORT_COLUMNS),
            waypoints.reindex(columns=_PORT_COLUMNS),
        ],
        ignore_index=True,
    )
    into = network.legs[network.legs["destination"] == CONAKRY]
    starts = set(into["export_port"].fillna(into["origin"]).astype(str))
    return sorted(starts | {"NOVOROSSIYSK"}), ports


_SEA_CACHE: dict[float, dict[str, float]] = {}


def _sea_cost(depth_m: float, network: hubopt.Network) -> dict[str, float]:
    """Voyage cost per tonne into Conakry from each start port at a depth."""
    if depth_m not in _SEA_CACHE:
        starts, ports = _sea_to_conakry(network)
        at = ports["id"] == CONAKRY
        ports.loc[at, "depth_m"] = depth_m
        ports.loc[at, "draft_m"] = math.nan
        priced = freight.price_sea_legs(ports, [(s, CONAKRY) for s in starts])
        _SEA_CACHE[depth_m] = dict(
            zip(priced["origin"], priced["cost_per_t"], strict=True)
        )
    return _SEA_CACHE[depth_m]


def conakry_depth(network: hubopt.Network, depth_m: float) -> hubopt.Network:
    """The network with Conakry's grain-berth depth at ``depth_m``.

    Every sea segment into Conakry (from a hub, or from the export port of a direct
    leg) is repriced by the voyage model at the new depth, and so is the competitor's
    Black Sea freight in Conakry's ``alternative_cost_per_t``: each changes by the
    voyage cost at ``depth_m`` less the voyage cost at the bundled depth.
    """
    base_depth = float(network.destinations.set_index("id").loc[CONAKRY, "depth_m"])
    new, old = _sea_cost(float(depth_m), network), _sea_cost(base_depth, network)
    legs = network.legs
    into = legs["destination"] == CONAKRY
    start = legs["export_port"].fillna(legs["origin"]).astype(str)
    change = start[into].map(lambda s: new[s] - old[s])
    legs.loc[into, "cost_per_t"] = legs.loc[into, "cost_per_t"] + change
    markets = network.destinations
    at = markets["id"] == CONAKRY
    markets.loc[at, "alternative_cost_per_t"] += (
        new["NOVOROSSIYSK"] - old["NOVOROSSIYSK"]
    )
    markets.loc[at, "depth_m"] = depth_m
    return network.replace(
        legs=legs, destinations=markets, name=f"{network.name}:Conakry {depth_m:g} m"
    )


def origin_price(network: hubopt.Network, price: float) -> hubopt.Network:
    """The network with Kazakh wheat at ``price`` USD/t at every origin."""
    origins = network.origins
    origins["cost_per_t"] = price
    return network.replace(
        origins=origins, name=f"{network.name}:origin price {price:g}"
    )


def subsidy_deducted(network: hubopt.Network) -> hubopt.Network:
    """The exporter's view: the 2025 transport subsidy taken off every leg's cost."""
    legs = network.legs
    legs["cost_per_t"] = legs["cost_per_t"] - legs["subsidy_per_t"].fillna(0.0)
    return network.replace(legs=legs, name=f"{network.name}:subsidy deducted")


@dataclass(frozen=True)
class Driver:
    """One driver: how to move it, its base value and the interval to search."""

    label: str
    unit: str
    driver: object  # a hubopt.breakeven driver name or a function
    base_value: float
    low: float
    high: float
    tol: float
    digits: int


def drivers(network: hubopt.Network) -> list[Driver]:
    """The drivers the page shows, each searched up or down from its base value."""
    markets = network.destinations.set_index("id")
    price = float(network.origins["cost_per_t"].iloc[0])
    depth = float(markets.loc[CONAKRY, "depth_m"])
    return [
        Driver("sea freight (every sea leg's cost)", "x", "sea_freight",
               1.0, 1.0, 1.5, 0.001, 3),
        Driver("sea freight (every sea leg's cost)", "x", "sea_freight",
               1.0, 0.5, 1.0, 0.001, 3),
        Driver("Kazakh price at origin", "USD/t", origin_price,
               price, price, price + 20.0, 0.01, 2),
        Driver("Kazakh price at origin", "USD/t", origin_price,
               price, price - 50.0, price, 0.01, 2),
        Driver("Conakry grain-berth depth", "m", conakry_depth,
               depth, depth, 9.4, 0.01, 2),
        Driver("hub transshipment tariff", "x", "handling",
               1.0, 1.0, 2.0, 0.001, 3),
        Driver("hub fixed cost (annualised capex)", "x", "fixed_cost",
               1.0, 1.0, 2.0, 0.001, 3),
        Driver("import volume on offer (every market)", "x", "demand",
               1.0, 0.01, 1.0, 0.001, 3),
    ]  # fmt: skip


def _names(network: hubopt.Network, hubs: tuple[tuple[str, str], ...]) -> str:
    if not hubs:
        return "no hub"
    name = network.hubs.set_index("id")["name"]
    return ", ".join(f"{name[h]} ({level})" for h, level in hubs)


def _won(result: hubopt.Result) -> str:
    """The markets the plan serves, with tonnes, largest first."""
    served = result.markets[result.markets["served_t"] > 0.5]
    served = served.sort_values(["served_t", "destination"], ascending=[False, True])
    if served.empty:
        return "none"
    return "; ".join(
        f"{n} {t / 1000:,.0f} kt"
        for n, t in zip(served["name"], served["served_t"], strict=True)
    )


def _number(value: float, digits: int) -> str:
    return f"{value:,.{digits}f}"


def break_evens(network: hubopt.Network) -> list[tuple[Driver, BreakEven]]:
    """Each driver's break-even on the bundled network."""
    return [
        (
            d,
            hubopt.break_even(
                network,
                d.driver,
                low=d.low,
                high=d.high,
                tol=d.tol,
                base_value=d.base_value,
            ),
        )
        for d in drivers(network)
    ]


def break_even_table(network: hubopt.Network) -> pd.DataFrame:
    rows = []
    for d, edge in break_evens(network):
        base_side = (
            edge.portfolio_below
            if d.base_value <= (edge.value or d.high)
            else edge.portfolio_above
        )
        other = (
            edge.portfolio_above if base_side == edge.portfolio_below
            else edge.portfolio_below
        )  # fmt: skip
        rows.append(
            {
                "driver": d.label,
                "unit": d.unit,
                "base_value": d.base_value,
                "break_even": edge.value,
                "searched_low": d.low,
                "searched_high": d.high,
                "hubs_at_base": _names(network, base_side),
                "hubs_beyond": _names(network, other) if edge.changes else "",
                "digits": d.digits,
            }
        )
    return pd.DataFrame(rows)


def scenarios(network: hubopt.Network) -> list[tuple[str, hubopt.Result]]:
    """The answer as given, and under the three scenarios the page states."""
    no_dakhla = hubopt.Scenario("dakhla_excluded", close_hubs=(DAKHLA,))
    return [
        ("as given", solving.solve(network)),
        ("transport subsidy deducted", solving.solve(subsidy_deducted(network))),
        ("Dakhla Atlantique excluded", solving.solve(no_dakhla.apply(network))),
        (
            "fixed programme 2.5 Mt (programme_t=2_500_000)",
            solving.solve(network, programme_t=PROGRAMME_T),
        ),
    ]


def scenario_table(network: hubopt.Network) -> pd.DataFrame:
    rows = []
    for label, result in scenarios(network):
        delivered = float(result.markets["served_t"].sum())
        rows.append(
            {
                "scenario": label,
                "hubs": _names(network, portfolio(result)),
                "delivered_t": delivered,
                "markets_won": _won(result),
            }
        )
    return pd.DataFrame(rows)


def markdown(breaks: pd.DataFrame, plans: pd.DataFrame) -> str:
    """The two tables as docs/what-decides.md shows them."""
    lines = [
        "| Driver | Base value | Break-even | Searched | Hubs at the base value | "
        "Hubs beyond the break-even |",
        "|---|---|---|---|---|---|",
    ]
    for _, r in breaks.iterrows():
        digits = int(r["digits"])
        edge = (
            "none in the interval"
            if pd.isna(r["break_even"])
            else f"{_number(r['break_even'], digits)} {r['unit']}"
        )
        lines.append(
            f"| {r['driver']} | {_number(r['base_value'], digits)} {r['unit']} | "
            f"{edge} | {_number(r['searched_low'], digits)} to "
            f"{_number(r['searched_high'], digits)} | {r['hubs_at_base']} | "
            f"{r['hubs_beyond'] or '-'} |"
        )
    lines += [
        "",
        "| Scenario | Hubs opened | Kazakh wheat delivered | Markets won |",
        "|---|---|---|---|",
    ]
    for _, r in plans.iterrows():
        lines.append(
            f"| {r['scenario']} | {r['hubs']} | {r['delivered_t']:,.0f} t | "
            f"{r['markets_won']} |"
        )
    return "\n".join(lines)


def main() -> None:
    out = output_folder("what-decides")
    network = hubopt.datasets.morocco_kazakhstan()
    breaks = break_even_table(network)
    plans = scenario_table(network)
    text = markdown(breaks, plans)
    rounded(breaks.drop(columns="digits")).to_csv(out / "break_even.csv", index=False)
    rounded(plans).to_csv(out / "scenarios.csv", index=False)
    (out / "what_decides.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    print(f"\nwritten to {out}/")


if __name__ == "__main__":
    main()
