"""An independent checker: does a result obey the network it claims to solve?

It shares no code with the model builder: it reads the network's tables and the
result's flows, hubs and markets, and recomputes every constraint and the objective from
scratch. One function per constraint family, in the order of the formulation's registry
(:data:`hubopt.formulation.FAMILIES`; :data:`CHECKS` names them alike), after a check
that the flows sit on real legs and before the objective. One line per violation; an
empty list means the solution is feasible and its objective is what the flows cost.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from .network import Network
from .options import ModelOptions
from .periods import AVAILABLE, period_networks

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
    if getattr(result, "periods", None) is not None:
        return _check_periods(network, result, rel_tol)
    facts = _Facts.of(network, result, rel_tol)
    out = _flows_on_legs(facts)
    for _, check in CHECKS:
        if check is not None:
            out += check(facts)
    return out + _fixed_costs(facts) + _objective(facts)


@dataclass
class _Facts:
    """The network's tables and the result's, indexed for the checks."""

    origins: pd.DataFrame
    hubs: pd.DataFrame
    dests: pd.DataFrame
    legs: pd.DataFrame
    levels: pd.DataFrame
    capacities: pd.DataFrame
    flows: pd.DataFrame
    res_hubs: pd.DataFrame
    markets: pd.DataFrame
    paths: Any
    options: ModelOptions  # of the result's SolveOptions
    objective: float | None
    rel_tol: float
    tol_t: float
    leg_keys: dict[tuple[Any, Any, Any, Any], int]
    out_of: pd.Series  # tonnes leaving each node
    into: pd.Series  # tonnes arriving at each node
    period: _PeriodFacts | None = None  # a period of a multi-period result

    @classmethod
    def of(cls, network: Network, result: Result, rel_tol: float) -> _Facts:
        legs = network.legs
        flows = result.flows
        dests = network.destinations
        dests["shortfall_price"] = network.column(
            "destinations", "alternative_cost_per_t"
        ).fillna(dests["unmet_penalty_per_t"])
        scale = max(network.total_demand_t, network.total_supply_t, 1.0)
        keys = zip(
            legs["origin"],
            legs["destination"],
            legs["mode"],
            legs["corridor"],
            strict=True,
        )
        return cls(
            origins=network.origins.set_index("id"),
            hubs=network.hubs.assign(
                dwell_days=network.column("hubs", "dwell_days")
            ).set_index("id"),
            dests=dests.set_index("id"),
            legs=legs,
            levels=network.hub_levels,
            capacities=network.capacities,
            flows=flows,
            res_hubs=result.hubs.set_index("hub_id"),
            markets=result.markets.set_index("destination"),
            paths=result.paths,
            options=result.options.model,
            objective=result.objective,
            rel_tol=rel_tol,
            tol_t=rel_tol * scale + 1e-6,
            leg_keys={key: pos for pos, key in enumerate(keys)},
            out_of=flows.groupby("from")["tonnes"].sum(),
            into=flows.groupby("to")["tonnes"].sum(),
        )

    def arrived(self, node: Any) -> float:
        return float(self.into.get(node, 0.0))

    def is_open(self, hid: Any) -> bool:
        return bool(self.res_hubs.loc[hid, "open"])

    def open_hubs(self) -> list[tuple[Any, pd.Series, pd.Series]]:
        """(id, network row, result row) of each open hub the result lists."""
        return [
            (hid, row, self.res_hubs.loc[hid])
            for hid, row in self.hubs.iterrows()
            if hid in self.res_hubs.index and self.is_open(hid)
        ]

    def level_of(self, hid: Any, row: pd.Series, level: Any) -> tuple[float, float]:
        """(capacity, fixed cost) of a hub's level; KeyError for an unknown one."""
        hub_levels = self.levels[self.levels["hub_id"] == hid]
        if not len(hub_levels):
            capacity = row["capacity_t"]
            return (
                float(capacity) if not pd.isna(capacity) else math.inf,
                float(row["fixed_cost"]),
            )
        match = hub_levels[hub_levels["level"].astype(str) == str(level)]
        if match.empty:
            raise KeyError(level)
        return float(match["capacity_t"].iloc[0]), float(match["fixed_cost"].iloc[0])

    def opened_count(self) -> int:
        return sum(
            self.is_open(hid) for hid in self.hubs.index if hid in self.res_hubs.index
        )


@dataclass
class _PeriodFacts:
    """One period of a multi-period result: its stock and the year's."""

    period: str
    days: float
    year_days: float
    stock: pd.Series  # stock_t at the end of this period, by hub
    before: pd.Series  # stock_t at the end of the period before (0: none)
    silo: pd.Series  # silo_t of the opened level, by hub (the network's)
    loss: pd.Series  # stock_loss_share by hub


#: Checks of the families on the hub decisions alone: once for a multi-period
#: result, not per period.
_HUB_CHECKS = ("max_hubs", "min_hubs", "budget", "no_good")
#: Checks of annual sums: once on the year's flows for a multi-period result (the
#: model states them once for the year, see hubopt.model.PERIODS_YEARLY).
_YEAR_CHECKS = ("co2_cap", "programme")


def _check_periods(network: Network, result: Result, rel_tol: float) -> list[str]:
    """A multi-period result: the flow families period by period on the period's
    network, with stock in the hub balance, the silo, reserve and period-share
    families, the hub families and fixed costs once, and the year's objective."""
    periods = result.periods
    assert periods is not None
    nets = period_networks(network, periods.periods)
    stock = periods.stock
    hubs = network.hubs["id"]
    silo = _opened_silo(network, result)
    loss = network.column("hubs", "stock_loss_share").set_axis(hubs)
    ids = periods.periods.ids
    cyclic = result.options.model.cyclic_stock
    annual = _Facts.of(network, result, rel_tol)
    out = _flows_on_legs(annual)
    by_period = (
        stock.pivot_table(
            index="hub_id", columns="period", values="stock_t", aggfunc="sum"
        )
        .reindex(index=hubs, columns=ids, fill_value=0.0)
        .fillna(0.0)
    )
    if (stock["stock_t"] < -annual.tol_t).any():
        out.append("stock: negative stock reported")
    total = float(annual.res_hubs.loc[annual.res_hubs["open"], "fixed_cost"].sum())
    storage = network.column("hubs", "storage_cost_per_t_period").set_axis(hubs)
    for t, (pid, net, part) in enumerate(zip(ids, nets, periods.results, strict=True)):
        f = _Facts.of(net, part, rel_tol)
        before = (
            by_period[ids[t - 1]]
            if t or cyclic
            else pd.Series(0.0, index=by_period.index)
        )
        f.period = _PeriodFacts(
            period=pid,
            days=float(periods.periods.days[t]),
            year_days=float(periods.periods.days.sum()),
            stock=by_period[pid],
            before=before,
            silo=silo,
            loss=loss,
        )
        lines = _flows_on_legs(f) + _shut_legs(f)
        for name, check in CHECKS:
            if check is not None and name not in (*_HUB_CHECKS, *_YEAR_CHECKS):
                lines += check(f)
        out += [f"period {pid}: {line}" for line in lines]
        total += _flow_cost(f) + float((by_period[pid] * storage).sum())
    for name, check in CHECKS:
        if check is not None and name in (*_HUB_CHECKS, *_YEAR_CHECKS):
            out += check(annual)
    out += _fixed_costs(annual)
    reported = result.objective
    if reported is None or abs(total - reported) > rel_tol * max(abs(total), 1.0):
        out.append(
            f"objective: the result reports {reported}, the flows, fixed costs and "
            f"storage cost {total:,.6f}"
        )
    return out


def _opened_silo(network: Network, result: Result) -> pd.Series:
    """The silo capacity of each hub's opened level, from the network's tables."""
    hubs = network.hubs.set_index("id")
    levels = network.hub_levels.assign(
        silo=network.column("hub_levels", "silo_capacity_t").to_numpy(dtype=float)
    )
    hub_silo = network.column("hubs", "silo_capacity_t").set_axis(hubs.index)
    res = result.hubs.set_index("hub_id")
    out = pd.Series(0.0, index=hubs.index)
    for hid in hubs.index:
        if hid not in res.index or not bool(res.loc[hid, "open"]):
            continue
        mine = levels[levels["hub_id"] == hid]
        if len(mine):
            match = mine[mine["level"].astype(str) == str(res.loc[hid, "level"])]
            out[hid] = float(match["silo"].iloc[0]) if len(match) else 0.0
        else:
            out[hid] = float(hub_silo[hid])
    return out


def _shut_legs(f: _Facts) -> list[str]:
    """No flow on a leg shut in the period."""
    if AVAILABLE not in f.legs.columns:
        return []
    out = []
    shut = f.legs[AVAILABLE].to_numpy(dtype=float) < 0.5
    for flow in f.flows.itertuples(index=False):
        pos = f.leg_keys.get((flow._0, flow.to, flow.mode, flow.corridor))
        if pos is not None and shut[pos] and flow.tonnes > f.tol_t:
            out.append(
                f"flow {flow._0}->{flow.to} ({flow.mode}): {flow.tonnes:,.3f} t on a "
                "leg shut in this period"
            )
    return out


def _flows_on_legs(f: _Facts) -> list[str]:
    """Flows exist, are non-negative and sit on real legs."""
    out = []
    for flow in f.flows.itertuples(index=False):
        a, b = flow._0, flow.to
        if (a, b, flow.mode, flow.corridor) not in f.leg_keys:
            out.append(f"flow {a}->{b} ({flow.mode}) is on no leg of the network")
        if not math.isfinite(flow.tonnes) or flow.tonnes < -f.tol_t:
            out.append(f"flow {a}->{b} ({flow.mode}) has {flow.tonnes} t")
    return out


def _supply(f: _Facts) -> list[str]:
    """Supply: no origin ships more than its supply."""
    out = []
    for oid, row in f.origins.iterrows():
        sent = float(f.out_of.get(oid, 0.0))
        if sent > row["supply_t"] + f.tol_t:
            out.append(
                f"origin {oid}: ships {sent:,.3f} t, more than its supply "
                f"{row['supply_t']:,.3f} t"
            )
    return out


def _balance(f: _Facts) -> list[str]:
    """Balance: what arrives at a hub leaves it; in a period, what arrives and what
    is left of the stock before (after its loss) leaves or stays in stock."""
    if f.period is not None:
        return _stock_balance(f)
    out = []
    for hid in f.hubs.index:
        arrived, left = f.arrived(hid), float(f.out_of.get(hid, 0.0))
        if abs(arrived - left) > f.tol_t:
            out.append(
                f"hub {hid}: {arrived:,.3f} t arrive but {left:,.3f} t leave "
                "(flow balance)"
            )
    return out


def _stock_balance(f: _Facts) -> list[str]:
    """Stock balance per hub and period: ``in + (1 - loss) s_before = out + s``."""
    p = f.period
    assert p is not None
    out = []
    for hid in f.hubs.index:
        arrived, left = f.arrived(hid), float(f.out_of.get(hid, 0.0))
        kept = (1.0 - float(p.loss.get(hid, 0.0))) * float(p.before.get(hid, 0.0))
        now = float(p.stock.get(hid, 0.0))
        if abs(arrived + kept - left - now) > f.tol_t:
            out.append(
                f"hub {hid}: {arrived:,.3f} t arrive and {kept:,.3f} t are left in "
                f"stock from before, but {left:,.3f} t leave and {now:,.3f} t stay "
                "in stock (stock balance)"
            )
    return out


def _transit_paths(f: _Facts) -> list[str]:
    """Transit limits, through the result's paths: each path joins its legs, is
    within the market's limit, the paths add up to what the market receives, and no
    leg carries more path tonnes than its flow."""
    limited = f.dests[f.dests["max_transit_days"].notna()]
    if not len(limited):
        return []
    out: list[str] = []
    # Each path names its legs by position; two legs may join the same pair of
    # nodes (corridors, modes), so the pair alone does not say which was used.
    legs = f.legs
    leg_from = legs["origin"].to_numpy()
    leg_to = legs["destination"].to_numpy()
    dwell = f.hubs["dwell_days"]
    on = (leg_from, leg_to, legs["transit_days"].to_numpy(dtype=float), dwell)
    carried: dict[int, float] = {}
    for did, row in limited.iterrows():
        mine = f.paths[f.paths["destination"] == did]
        for p in mine.itertuples(index=False):
            out += _path(did, row["max_transit_days"], p, on, carried)
        if abs(float(mine["tonnes"].sum()) - f.arrived(did)) > f.tol_t:
            out.append(f"market {did}: paths do not add up to the tonnes received")
    on_leg = f.flows.groupby("leg")["tonnes"].sum()
    for leg, tonnes in carried.items():
        if tonnes > float(on_leg.get(leg, 0.0)) + f.tol_t:
            out.append(
                f"leg {leg_from[leg]}->{leg_to[leg]}: paths into limited markets "
                f"carry {tonnes:,.3f} t, more than the leg's flow"
            )
    return out


def _path(
    did: Any, max_days: float, p: Any, on: tuple[Any, ...], carried: dict[int, float]
) -> list[str]:
    """One path into a limited market: joined legs and days within the limit; adds
    its tonnes to ``carried`` per leg. ``on`` holds each leg's origin, destination
    and transit days, and the hubs' dwell days."""
    leg_from, leg_to, leg_days, dwell = on
    first, last = int(p.leg_in), int(p.leg_out)
    n = len(leg_from)
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
        return [
            f"market {did}: a path {p.origin}->{p.hub or 'direct'} names "
            f"legs {first}/{last} that do not join those nodes"
        ]
    days = leg_days[first] + (
        float(dwell.get(p.hub, 0.0)) + leg_days[last] if p.hub else 0.0
    )
    for leg in (first, last) if p.hub else (first,):
        carried[leg] = carried.get(leg, 0.0) + float(p.tonnes)
    if days > max_days + 1e-9:
        return [
            f"market {did}: {p.tonnes:,.3f} t arrive by {p.origin}->"
            f"{p.hub or 'direct'} in {days:g} days, over the limit {max_days:g}"
        ]
    return []


def _capacity(f: _Facts) -> list[str]:
    """Capacity: an open hub's throughput is within its level's capacity."""
    out = []
    for hid, row, rh in f.open_hubs():
        try:
            capacity, _ = f.level_of(hid, row, rh["level"])
        except KeyError:
            continue  # reported by _one_level
        arrived = f.arrived(hid)
        if arrived > capacity + f.tol_t:
            out.append(
                f"hub {hid}: throughput {arrived:,.3f} t exceeds capacity "
                f"{capacity:,.3f} t"
            )
    return out


def _min_throughput(f: _Facts) -> list[str]:
    """Minimum throughput: an open hub moves at least its share of its capacity and
    at least min_throughput_t tonnes."""
    share = f.options.min_throughput_share
    tonnes = f.options.min_throughput_t
    if not share and not tonnes:
        return []
    out = []
    for hid, rh in f.res_hubs[f.res_hubs["open"]].iterrows():
        capacity = float(rh["capacity_t"])
        arrived = f.arrived(hid)
        if share and math.isfinite(capacity) and arrived < share * capacity - f.tol_t:
            out.append(
                f"hub {hid}: moves {arrived:,.3f} t, less than "
                f"min_throughput_share={share:g} of its capacity {capacity:,.3f} t"
            )
        if tonnes and arrived < tonnes - f.tol_t:
            out.append(
                f"hub {hid}: moves {arrived:,.3f} t, less than "
                f"min_throughput_t={tonnes:g} t"
            )
    return out


def _one_level(f: _Facts) -> list[str]:
    """One level per hub: each hub is in the result, open at a level it has, open
    where its status says it must be, and shut where it says closed."""
    out = []
    for hid, row in f.hubs.iterrows():
        if hid not in f.res_hubs.index:
            out.append(f"hub {hid}: missing from result.hubs")
            continue
        is_open = f.is_open(hid)
        status = row["status"]
        if status == "closed" and (is_open or f.arrived(hid) > f.tol_t):
            out.append(f"hub {hid}: status 'closed' but it is used or opened")
        if status == "open" and not is_open:
            out.append(f"hub {hid}: status 'open' (must open) but it is not opened")
        if is_open:
            level = f.res_hubs.loc[hid, "level"]
            try:
                f.level_of(hid, row, level)
            except KeyError:
                out.append(f"hub {hid}: opened at unknown level {level!r}")
    return out


def _linking(f: _Facts) -> list[str]:
    """Linking: nothing passes through a hub that is not open."""
    out = []
    for hid in f.hubs.index:
        if hid not in f.res_hubs.index or f.is_open(hid):
            continue
        arrived = f.arrived(hid)
        if arrived > f.tol_t:
            out.append(
                f"hub {hid}: {arrived:,.3f} t pass through a hub that is not open"
            )
    return out


def _demand(f: _Facts) -> list[str]:
    """Demand: met, or short only where an unmet penalty or an alternative cost
    allows it, and as reported (unmet, or lost to the alternative)."""
    out = []
    for did, row in f.dests.iterrows():
        got = f.arrived(did)
        unmet = 0.0
        if did in f.markets.index:
            reported = f.markets.loc[did, ["unmet_t", "lost_to_alternative_t"]]
            unmet = float(reported.fillna(0.0).sum())
        demand = float(row["demand_t"])
        if got > demand + f.tol_t:
            out.append(
                f"market {did}: receives {got:,.3f} t, more than demand {demand}"
            )
        short = demand - got
        if pd.isna(row["shortfall_price"]):
            if short > f.tol_t:
                out.append(
                    f"market {did}: short by {short:,.3f} t but it has no "
                    "unmet_penalty_per_t nor alternative_cost_per_t (must be "
                    "served in full)"
                )
        elif abs(short - unmet) > f.tol_t:
            out.append(
                f"market {did}: short by {short:,.3f} t but the result reports "
                f"{unmet:,.3f} t unmet or lost to the alternative"
            )
    return out


def _one_source(f: _Facts) -> list[str]:
    """Single sourcing: one hub or one direct leg per market."""
    if not f.options.single_sourcing:
        return []
    out = []
    flows = f.flows
    for did in f.dests.index:
        mine = flows[(flows["to"] == did) & (flows["tonnes"] > f.tol_t)]
        sources = {
            ("hub", flow._0)
            if flow._0 in f.hubs.index
            else ("leg", flow._0, flow.mode, flow.corridor)
            for flow in mine.itertuples(index=False)
        }
        if len(sources) > 1:
            out.append(
                f"market {did}: served from {len(sources)} sources, but "
                "single_sourcing allows one hub or one direct leg"
            )
    return out


def _co2_cap(f: _Facts) -> list[str]:
    """CO2 cap: the flows emit no more than ``max_co2_t``."""
    cap_co2 = f.options.max_co2_t
    if cap_co2 is None:
        return []
    emitted = 0.0
    co2 = f.legs["co2_kg_per_t"]
    for flow in f.flows.itertuples(index=False):
        pos = f.leg_keys.get((flow._0, flow.to, flow.mode, flow.corridor))
        if pos is not None:
            emitted += flow.tonnes * float(co2.iloc[pos]) / 1000.0
    if emitted > cap_co2 + f.rel_tol * max(cap_co2, 1.0) + 1e-6:
        return [f"flows emit {emitted:,.3f} t CO2, over max_co2_t={cap_co2:g}"]
    return []


def _capacities(f: _Facts) -> list[str]:
    """Capacities: the tonnes on the legs each row of the capacities table selects
    (entering its node or passing it on the way, leaving it for an origin; on its
    corridor and mode, the legs' own or a route step's) are within its capacity_t."""
    if not len(f.capacities):
        return []
    on_leg = f.flows.groupby("leg")["tonnes"].sum()
    legs = f.legs
    origins = set(f.origins.index)
    # each leg's (mode, corridor) pairs and the places it passes, read afresh
    routes = legs["route"] if "route" in legs.columns else [None] * len(legs)
    ports = legs["export_port"] if "export_port" in legs.columns else [None] * len(legs)
    out = []
    for cap in f.capacities.itertuples(index=False):
        used = 0.0
        for pos, (leg, route, port) in enumerate(
            zip(legs.itertuples(index=False), routes, ports, strict=True)
        ):
            if pos in on_leg.index and _selects(cap, leg, route, port, origins):
                used += float(on_leg[pos])
        limit = float(cap.capacity_t)
        if used > limit + f.rel_tol * max(limit, 1.0) + 1e-6:
            what = ", ".join(
                f"{c} {getattr(cap, c)}"
                for c in ("node", "corridor", "mode")
                if getattr(cap, c)
            )
            out.append(
                f"capacity {cap.id} ({what}): {used:,.3f} t on its legs, more than "
                f"its capacity_t {limit:,.3f} t"
            )
    return out


def _selects(cap: Any, leg: Any, route: Any, port: Any, origins: set[Any]) -> bool:
    """Whether a capacities row selects a leg."""
    steps = []
    if isinstance(route, str):
        for part in route.split(";"):
            head, _, place = part.partition("@")
            mode, _, corridor = head.partition("/")
            steps.append((mode.strip().lower(), corridor.strip(), place.strip()))
    if cap.node:
        places = {p for _, _, p in steps} | (
            {port.strip()} if isinstance(port, str) else set()
        )
        places -= {leg.origin, leg.destination}
        end = leg.origin if cap.node in origins else leg.destination
        if cap.node != end and cap.node not in places:
            return False
    if cap.corridor or cap.mode:
        pairs = [(leg.mode, leg.corridor)] + [(m, c) for m, c, _ in steps]
        return any(
            (not cap.mode or m == cap.mode) and (not cap.corridor or c == cap.corridor)
            for m, c in pairs
        )
    return True


def _programme(f: _Facts) -> list[str]:
    """Fixed programme: at least ``programme_t`` delivered in total."""
    programme = f.options.programme_t
    if programme is None:
        return []
    delivered = sum(f.arrived(did) for did in f.dests.index)
    if delivered < programme - f.tol_t:
        return [
            f"{delivered:,.3f} t delivered, less than programme_t={programme:,.3f} t"
        ]
    return []


def _silo(f: _Facts) -> list[str]:
    """Silo: a hub's stock fits the silo of its opened level (none when not
    open)."""
    if f.period is None:
        return []
    p = f.period
    return [
        f"hub {hid}: {float(p.stock.get(hid, 0.0)):,.3f} t in stock, more than the "
        f"silo of its opened level, {float(p.silo.get(hid, 0.0)):,.3f} t"
        for hid in f.hubs.index
        if float(p.stock.get(hid, 0.0)) > float(p.silo.get(hid, 0.0)) + f.tol_t
    ]


def _reserve(f: _Facts) -> list[str]:
    """Reserve: the hubs with a leg into a reserve market hold at the end of the
    period at least ``reserve_days`` of what the reserve markets receive per day in
    it."""
    days = f.options.reserve_days
    if f.period is None or not days:
        return []
    p = f.period
    group = set(f.options.reserve_markets) or set(f.dests.index)
    serving = set(f.legs.loc[f.legs["destination"].isin(group), "origin"])
    held = float(sum(float(p.stock.get(h, 0.0)) for h in f.hubs.index if h in serving))
    need = days * sum(f.arrived(d) for d in group) / p.days
    if held < need - f.tol_t:
        return [
            f"reserve: {held:,.3f} t in stock at the hubs serving "
            f"{sorted(group)}, less than {days:g} days of what they receive "
            f"({need:,.3f} t)"
        ]
    return []


def _period_share(f: _Facts) -> list[str]:
    """Period share: every market served at least ``min_period_share`` of its
    demand in the period."""
    share = f.options.min_period_share
    if f.period is None or not share:
        return []
    out = []
    for did, row in f.dests.iterrows():
        need = share * float(row["demand_t"])
        if f.arrived(did) < need - f.tol_t:
            out.append(
                f"market {did}: served {f.arrived(did):,.3f} t, less than "
                f"min_period_share {share:g} of its demand ({need:,.3f} t)"
            )
    return out


def _max_hubs(f: _Facts) -> list[str]:
    """Hub count: at most ``max_hubs`` open."""
    most = f.options.max_hubs
    count = f.opened_count()
    if most is not None and count > most:
        return [f"{count} hubs open, more than max_hubs={most}"]
    return []


def _min_hubs(f: _Facts) -> list[str]:
    """Hub count: at least ``min_hubs`` open."""
    least = f.options.min_hubs
    count = f.opened_count()
    if least is not None and count < least:
        return [f"{count} hubs open, fewer than min_hubs={least}"]
    return []


def _budget(f: _Facts) -> list[str]:
    """Budget: the open hubs' fixed costs are within it."""
    budget = f.options.budget
    if budget is None:
        return []
    spent = float(f.res_hubs.loc[f.res_hubs["open"], "fixed_cost"].sum())
    if spent > budget + f.rel_tol * max(budget, 1.0):
        return [f"fixed cost of the open hubs {spent:,.2f} exceeds the budget"]
    return []


def _no_good(f: _Facts) -> list[str]:
    """No-good cuts: the open hubs differ enough from each excluded portfolio."""
    out = []
    opened = set(f.res_hubs.index[f.res_hubs["open"].astype(bool)])
    need = int(f.options.min_difference)
    for portfolio in f.options.exclude_portfolios:
        differ = len(opened.symmetric_difference(portfolio))
        if differ < need:
            out.append(
                f"open hubs {sorted(opened)} differ from the excluded portfolio "
                f"{sorted(portfolio)} in {differ} hub(s), fewer than {need}"
            )
    return out


def _fixed_costs(f: _Facts) -> list[str]:
    """The fixed cost the result reports for each open hub is its level's."""
    out = []
    for hid, row, rh in f.open_hubs():
        try:
            _, fixed = f.level_of(hid, row, rh["level"])
        except KeyError:
            continue  # reported by _one_level
        if abs(float(rh["fixed_cost"]) - fixed) > f.rel_tol * max(fixed, 1.0):
            out.append(
                f"hub {hid}: result says fixed cost {rh['fixed_cost']}, the network "
                f"says {fixed}"
            )
    return out


def _objective(f: _Facts) -> list[str]:
    """The objective, recomputed from the network's own figures."""
    total = float(f.res_hubs.loc[f.res_hubs["open"], "fixed_cost"].sum())
    total += _flow_cost(f)
    reported = f.objective
    if reported is None or abs(total - reported) > f.rel_tol * max(abs(total), 1.0):
        return [
            f"objective: the result reports {reported}, the flows cost {total:,.6f}"
        ]
    return []


def _flow_cost(f: _Facts) -> float:
    """What the flows and the shortfalls cost, from the network's own figures."""
    price = f.options.carbon_price_per_t_co2 or 0.0
    total = 0.0
    for flow in f.flows.itertuples(index=False):
        pos = f.leg_keys.get((flow._0, flow.to, flow.mode, flow.corridor))
        if pos is None:
            continue
        leg = f.legs.iloc[pos]
        per_t = float(leg["cost_per_t"])
        if leg["origin"] in f.origins.index:
            per_t += float(f.origins.loc[leg["origin"], "cost_per_t"])
        if leg["destination"] in f.hubs.index:
            per_t += float(f.hubs.loc[leg["destination"], "handling_cost_per_t"])
        if price:
            per_t += price * float(leg["co2_kg_per_t"]) / 1000.0
        total += per_t * flow.tonnes
    for did, row in f.dests.iterrows():
        if not pd.isna(row["shortfall_price"]):
            short = max(float(row["demand_t"]) - f.arrived(did), 0.0)
            total += short * float(row["shortfall_price"])
    return total


#: One check per constraint family of :data:`hubopt.formulation.FAMILIES`, by the
#: same names and in the same order; None for a family with nothing of its own in a
#: result (the source columns of single sourcing, valid inequalities the other
#: checks imply).
CHECKS: tuple[tuple[str, Callable[[_Facts], list[str]] | None], ...] = (
    ("supply", _supply),
    ("balance", _balance),
    ("transit_paths", _transit_paths),
    ("capacity", _capacity),
    ("min_throughput", _min_throughput),
    ("one_level", _one_level),
    ("linking", _linking),
    ("demand", _demand),
    ("source_choice", None),  # the a_ds columns are not in a result
    ("source_linking", None),  # a source hub is open: what _linking checks
    ("one_source", _one_source),
    ("co2_cap", _co2_cap),
    ("capacities", _capacities),
    ("programme", _programme),
    ("silo", _silo),
    ("reserve", _reserve),
    ("period_share", _period_share),
    ("capacity_cover", None),  # implied by capacity and demand
    ("max_hubs", _max_hubs),
    ("min_hubs", _min_hubs),
    ("budget", _budget),
    ("no_good", _no_good),
)
