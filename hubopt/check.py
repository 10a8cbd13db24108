"""An independent checker: does a result obey the network it claims to solve?

It shares no code with the model builder: it reads the network's tables and the
result's flows, hubs and markets, and recomputes every constraint and the objective from
scratch. One line per violation; an empty list means the solution is feasible and its
objective is what the flows cost.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from .network import Network

if TYPE_CHECKING:  # pragma: no cover
    from .result import Result


def check_solution(
    network: Network, result: Result, *, rel_tol: float = 1e-6
) -> list[str]:
    """List every constraint the result violates, and an objective mismatch.

    Parameters
    ----------
    network
        The network the result claims to solve.
    result
        A result from :func:`hubopt.solve`.
    rel_tol
        Relative tolerance, scaled by the largest relevant quantity.

    Returns
    -------
    list of str
        One line per violation; empty when the solution checks out. A result
        without a solution (infeasible, no_solution) returns an empty list.

    Examples
    --------
    >>> import hubopt
    >>> net = hubopt.datasets.tiny()
    >>> result = hubopt.solve(net)
    >>> hubopt.check_solution(net, result)
    []
    """
    if result.status not in ("optimal", "feasible"):
        return []
    out: list[str] = []
    origins = network.origins.set_index("id")
    hubs = network.hubs.set_index("id")
    dests = network.destinations.set_index("id")
    legs = network.legs
    levels = network.hub_levels
    flows = result.flows
    res_hubs = result.hubs.set_index("hub_id")
    markets = result.markets.set_index("destination")
    options = result.options
    scale = max(network.total_demand_t, network.total_supply_t, 1.0)
    tol_t = rel_tol * scale + 1e-6

    # flows exist, are non-negative and sit on real legs
    leg_keys = {
        (a, b, m, c): pos
        for pos, (a, b, m, c) in enumerate(
            zip(
                legs["origin"],
                legs["destination"],
                legs["mode"],
                legs["corridor"],
                strict=True,
            )
        )
    }
    for f in flows.itertuples(index=False):
        a, b = f._0, f.to
        key = (a, b, f.mode, f.corridor)
        if key not in leg_keys:
            out.append(f"flow {a}->{b} ({f.mode}) is on no leg of the network")
        if not math.isfinite(f.tonnes) or f.tonnes < -tol_t:
            out.append(f"flow {a}->{b} ({f.mode}) has {f.tonnes} t")

    out_of = flows.groupby("from")["tonnes"].sum()
    into = flows.groupby("to")["tonnes"].sum()

    for oid, row in origins.iterrows():
        sent = float(out_of.get(oid, 0.0))
        if sent > row["supply_t"] + tol_t:
            out.append(
                f"origin {oid}: ships {sent:,.3f} t, more than its supply "
                f"{row['supply_t']:,.3f} t"
            )

    # hubs: balance, level, capacity, status
    opened_count = 0
    for hid, row in hubs.iterrows():
        arrived = float(into.get(hid, 0.0))
        left = float(out_of.get(hid, 0.0))
        if abs(arrived - left) > tol_t:
            out.append(
                f"hub {hid}: {arrived:,.3f} t arrive but {left:,.3f} t leave "
                "(flow balance)"
            )
        if hid not in res_hubs.index:
            out.append(f"hub {hid}: missing from result.hubs")
            continue
        rh = res_hubs.loc[hid]
        is_open = bool(rh["open"])
        opened_count += int(is_open)
        status = row["status"]
        if status == "closed" and (is_open or arrived > tol_t):
            out.append(f"hub {hid}: status 'closed' but it is used or opened")
        if status == "open" and not is_open:
            out.append(f"hub {hid}: status 'open' (must open) but it is not opened")
        if not is_open and arrived > tol_t:
            out.append(
                f"hub {hid}: {arrived:,.3f} t pass through a hub that is not open"
            )
        if not is_open:
            continue
        hub_levels = levels[levels["hub_id"] == hid]
        if len(hub_levels):
            match = hub_levels[hub_levels["level"].astype(str) == str(rh["level"])]
            if match.empty:
                out.append(f"hub {hid}: opened at unknown level {rh['level']!r}")
                continue
            capacity = float(match["capacity_t"].iloc[0])
            fixed = float(match["fixed_cost"].iloc[0])
        else:
            capacity = (
                float(row["capacity_t"]) if not pd.isna(row["capacity_t"]) else math.inf
            )
            fixed = float(row["fixed_cost"])
        if arrived > capacity + tol_t:
            out.append(
                f"hub {hid}: throughput {arrived:,.3f} t exceeds capacity "
                f"{capacity:,.3f} t"
            )
        if abs(float(rh["fixed_cost"]) - fixed) > rel_tol * max(fixed, 1.0):
            out.append(
                f"hub {hid}: result says fixed cost {rh['fixed_cost']}, the network "
                f"says {fixed}"
            )
    if options.get("max_hubs") is not None and opened_count > options["max_hubs"]:
        out.append(
            f"{opened_count} hubs open, more than max_hubs={options['max_hubs']}"
        )
    if options.get("min_hubs") is not None and opened_count < options["min_hubs"]:
        out.append(
            f"{opened_count} hubs open, fewer than min_hubs={options['min_hubs']}"
        )

    budget = options.get("budget")
    if budget is not None:
        spent = float(res_hubs.loc[res_hubs["open"], "fixed_cost"].sum())
        if spent > budget + rel_tol * max(budget, 1.0):
            out.append(f"fixed cost of the open hubs {spent:,.2f} exceeds the budget")
    share = options.get("min_throughput_share")
    if share:
        for hid, rh in res_hubs[res_hubs["open"]].iterrows():
            capacity = float(rh["capacity_t"])
            arrived = float(into.get(hid, 0.0))
            if math.isfinite(capacity) and arrived < share * capacity - tol_t:
                out.append(
                    f"hub {hid}: moves {arrived:,.3f} t, less than "
                    f"min_throughput_share={share:g} of its capacity {capacity:,.3f} t"
                )
    opened_set = set(res_hubs.index[res_hubs["open"].astype(bool)])
    for portfolio in options.get("exclude_portfolios") or ():
        differ = len(opened_set.symmetric_difference(portfolio))
        need = int(options.get("min_difference") or 1)
        if differ < need:
            out.append(
                f"open hubs {sorted(opened_set)} differ from the excluded portfolio "
                f"{sorted(portfolio)} in {differ} hub(s), fewer than {need}"
            )
    cap_co2 = options.get("max_co2_t")
    if cap_co2 is not None:
        emitted = 0.0
        for f in flows.itertuples(index=False):
            pos = leg_keys.get((f._0, f.to, f.mode, f.corridor))
            if pos is not None:
                emitted += f.tonnes * float(legs["co2_kg_per_t"].iloc[pos]) / 1000.0
        if emitted > cap_co2 + rel_tol * max(cap_co2, 1.0) + 1e-6:
            out.append(f"flows emit {emitted:,.3f} t CO2, over max_co2_t={cap_co2:g}")

    # single sourcing: one hub or one direct leg per market
    if options.get("single_sourcing"):
        for did in dests.index:
            mine = flows[(flows["to"] == did) & (flows["tonnes"] > tol_t)]
            sources = {
                ("hub", f._0)
                if f._0 in hubs.index
                else ("leg", f._0, f.mode, f.corridor)
                for f in mine.itertuples(index=False)
            }
            if len(sources) > 1:
                out.append(
                    f"market {did}: served from {len(sources)} sources, but "
                    "single_sourcing allows one hub or one direct leg"
                )

    # markets: demand met, or short only where a penalty allows it
    for did, row in dests.iterrows():
        got = float(into.get(did, 0.0))
        unmet = float(markets.loc[did, "unmet_t"]) if did in markets.index else 0.0
        demand = float(row["demand_t"])
        if got > demand + tol_t:
            out.append(
                f"market {did}: receives {got:,.3f} t, more than demand {demand}"
            )
        short = demand - got
        if pd.isna(row["unmet_penalty_per_t"]):
            if short > tol_t:
                out.append(
                    f"market {did}: short by {short:,.3f} t but it has no "
                    "unmet_penalty_per_t (must be served in full)"
                )
        elif abs(short - unmet) > tol_t:
            out.append(
                f"market {did}: short by {short:,.3f} t but the result reports "
                f"{unmet:,.3f} t unmet"
            )

    # transit limits, through the result's paths
    limited = dests[dests["max_transit_days"].notna()]
    if len(limited):
        paths = result.paths
        dwell = (
            hubs["dwell_days"].fillna(0)
            if "dwell_days" in hubs.columns
            else pd.Series(dtype=float)
        )
        # Each path names its legs by position; two legs may join the same pair of
        # nodes (corridors, modes), so the pair alone does not say which was used.
        leg_from = legs["origin"].to_numpy()
        leg_to = legs["destination"].to_numpy()
        leg_days = legs["transit_days"].to_numpy(dtype=float)
        on_leg = flows.groupby("leg")["tonnes"].sum()
        carried: dict[int, float] = {}
        for did, row in limited.iterrows():
            mine = paths[paths["destination"] == did]
            for p in mine.itertuples(index=False):
                first, last = int(p.leg_in), int(p.leg_out)
                n = len(legs)
                if p.hub:
                    joined = (
                        0 <= first < n
                        and 0 <= last < n
                        and (leg_from[first], leg_to[first]) == (p.origin, p.hub)
                        and (leg_from[last], leg_to[last]) == (p.hub, did)
                    )
                else:
                    joined = (
                        0 <= first < n
                        and last == -1
                        and (leg_from[first], leg_to[first]) == (p.origin, did)
                    )
                if not joined:
                    out.append(
                        f"market {did}: a path {p.origin}->{p.hub or 'direct'} names "
                        f"legs {first}/{last} that do not join those nodes"
                    )
                    continue
                days = leg_days[first] + (
                    float(dwell.get(p.hub, 0.0)) + leg_days[last] if p.hub else 0.0
                )
                for leg in (first, last) if p.hub else (first,):
                    carried[leg] = carried.get(leg, 0.0) + float(p.tonnes)
                if days > row["max_transit_days"] + 1e-9:
                    out.append(
                        f"market {did}: {p.tonnes:,.3f} t arrive by {p.origin}->"
                        f"{p.hub or 'direct'} in {days:g} days, over the limit "
                        f"{row['max_transit_days']:g}"
                    )
            got = float(into.get(did, 0.0))
            if abs(float(mine["tonnes"].sum()) - got) > tol_t:
                out.append(f"market {did}: paths do not add up to the tonnes received")
        for leg, tonnes in carried.items():
            if tonnes > float(on_leg.get(leg, 0.0)) + tol_t:
                out.append(
                    f"leg {leg_from[leg]}->{leg_to[leg]}: paths into limited markets "
                    f"carry {tonnes:,.3f} t, more than the leg's flow"
                )

    # objective, recomputed from the network's own figures
    price = options.get("carbon_price_per_t_co2") or 0.0
    total = float(res_hubs.loc[res_hubs["open"], "fixed_cost"].sum())
    for f in flows.itertuples(index=False):
        key = (f._0, f.to, f.mode, f.corridor)
        pos = leg_keys.get(key)
        if pos is None:
            continue
        leg = legs.iloc[pos]
        per_t = float(leg["cost_per_t"])
        if leg["origin"] in origins.index:
            per_t += float(origins.loc[leg["origin"], "cost_per_t"])
        if leg["destination"] in hubs.index:
            per_t += float(hubs.loc[leg["destination"], "handling_cost_per_t"])
        if price:
            per_t += price * float(leg["co2_kg_per_t"]) / 1000.0
        total += per_t * f.tonnes
    for did, row in dests.iterrows():
        if not pd.isna(row["unmet_penalty_per_t"]):
            short = max(float(row["demand_t"]) - float(into.get(did, 0.0)), 0.0)
            total += short * float(row["unmet_penalty_per_t"])
    reported = result.objective
    if reported is None or abs(total - reported) > rel_tol * max(abs(total), 1.0):
        out.append(
            f"objective: the result reports {reported}, the flows cost {total:,.6f}"
        )
    return out
