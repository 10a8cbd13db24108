"""The answer to a solve: which hubs open, which flows go where, and what it costs.

A :class:`Result` is built from the network and the solver's raw values; it never
imports PuLP. Its tables are plain DataFrames; :meth:`Result.to_geodataframes` gives
them as GeoDataFrames with the flows drawn along their routes.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._capacities import capacity_selection
from ._format import currency_of
from ._tables import decimals_for, rounded
from .check import check_solution
from .errors import ValidationError
from .io import write_csv_atomic, write_text_atomic
from .network import Network
from .options import SolveOptions
from .outputs import output_folder

if TYPE_CHECKING:  # pragma: no cover
    from .model import Levels, RawSolution

#: Statuses a Result may carry.
STATUSES = ("optimal", "feasible", "infeasible", "unbounded", "no_solution")

_EPS = 1e-9


@dataclass(frozen=True)
class CostBreakdown:
    """Annual cost by component, in the network's currency.

    Examples
    --------
    >>> import hubopt
    >>> costs = hubopt.solve(hubopt.datasets.tiny()).costs
    >>> costs.fixed, costs.transport, costs.handling, costs.total
    (250.0, 690.0, 200.0, 1140.0)
    """

    fixed: float
    transport: float
    handling: float
    procurement: float
    carbon: float
    unmet_penalty: float
    #: What the markets lost to an alternative supplier pay for those tonnes there
    #: (their ``alternative_cost_per_t``): in the objective, as the price of the
    #: demand not won.
    alternative_purchase: float = 0.0
    #: Storage of stock at hubs (the multi-period model, ``storage_cost_per_t_period``
    #: times the stock at the end of each period); 0 without periods.
    storage: float = 0.0

    @property
    def total(self) -> float:
        """Sum of every component.

        Examples
        --------
        >>> import hubopt
        >>> hubopt.solve(hubopt.datasets.tiny()).costs.total
        1140.0
        """
        return (
            self.fixed
            + self.transport
            + self.handling
            + self.procurement
            + self.carbon
            + self.unmet_penalty
            + self.alternative_purchase
            + self.storage
        )

    @property
    def delivered(self) -> float:
        """What the delivered tonnes cost: every component but the markets'
        purchases from their alternative supplier (which buy tonnes this plan does
        not deliver). Divided by the tonnes delivered it is the cost per delivered
        tonne.

        Examples
        --------
        >>> import hubopt
        >>> hubopt.solve(hubopt.datasets.tiny()).costs.delivered
        1140.0
        """
        return self.total - self.alternative_purchase

    def as_dict(self) -> dict[str, float]:
        """The components and the total as a dict.

        Examples
        --------
        >>> import hubopt
        >>> hubopt.solve(hubopt.datasets.tiny()).costs.as_dict()["handling"]
        200.0
        """
        out = asdict(self)
        out["total"] = self.total
        return out


class Result:
    """The outcome of :func:`hubopt.solve`.

    Attributes
    ----------
    status
        "optimal" (proven within the relative gap tolerance ``mip_gap``), "feasible"
        (a solution without proof, e.g. at a time limit; see ``gap`` and
        ``best_bound``), "infeasible", "unbounded" or "no_solution".
    objective
        The objective the solver reported (None without a solution).
    gap, best_bound
        Relative gap between objective and best bound, and the bound itself.
    runtime_s
        Wall-clock time of the solve, in seconds (model build excluded).
    build_s
        Time spent building the model, in seconds.
    solver
        The solver's name.
    network
        The network that was solved.
    options
        The :class:`~hubopt.options.SolveOptions` of the solve, as given
        (:meth:`~hubopt.options.SolveOptions.as_dict` for the flat record).

    Examples
    --------
    >>> import hubopt
    >>> result = hubopt.solve(hubopt.datasets.tiny())
    >>> result
    Result(status='optimal', objective=1,140.00)
    >>> result.proven_optimal, result.open_hubs
    (True, ['H1', 'H2'])
    >>> result.check()  # the independent checker: [] when every constraint holds
    []
    """

    def __init__(
        self,
        network: Network,
        raw: RawSolution,
        levels: Levels,
        leg_objective: np.ndarray,
        options: SolveOptions,
        build_s: float = 0.0,
        marginal: dict[str, np.ndarray] | None = None,
    ) -> None:
        self.network = network
        self.status = raw.status
        self.objective = raw.objective
        self.gap = raw.gap
        self.best_bound = raw.best_bound
        self.runtime_s = raw.runtime_s
        self.build_s = build_s
        self.solver = raw.solver
        self.message = raw.message
        #: True when Ctrl-C (SIGINT) stopped the solve; the status says what was found.
        self.interrupted = bool(getattr(raw, "interrupted", False))
        self.options = options
        self._raw = raw
        self._levels = levels
        self._coef = leg_objective
        self._has_solution = raw.status in ("optimal", "feasible")
        self._tables: dict[str, pd.DataFrame] = {}
        self._marginal = marginal
        #: Set by :func:`hubopt.alternatives`: relative cost gap to the best portfolio.
        self.cost_gap_to_best: float | None = None
        #: The multi-period solve's per-period tables (:class:`PeriodResults`); None
        #: for a solve without periods. The annual tables above sum the periods.
        self.periods: PeriodResults | None = None
        #: The period id of one period's Result (:meth:`PeriodResults.result`);
        #: None for an annual Result. Its markets count tonnes delivered out of
        #: stock as served; their landed cost is that of the tonnes that arrived at
        #: the hubs in the period (``NaN`` for a market served from stock alone).
        self.period: str | None = None

    # -- tables -----------------------------------------------------------------------
    @property
    def flows(self) -> pd.DataFrame:
        """Legs that carry tonnes: from, to, kind, mode, corridor, tonnes, cost_per_t,
        cost, distance_km, transit_days, co2_kg_per_t, co2_t and the leg's position in
        ``network.legs`` (``leg``).

        Examples
        --------
        >>> import hubopt
        >>> result = hubopt.solve(hubopt.datasets.tiny())
        >>> result.flows[["from", "to", "kind", "tonnes"]].head(3)
          from  to      kind  tonnes
        0   O1  H1   inbound   100.0
        1   O2  H2   inbound   100.0
        2   H1  D1  outbound    80.0
        """
        if "flows" not in self._tables:
            self._tables["flows"] = self._make_flows()
        return self._tables["flows"].copy()

    @property
    def hubs(self) -> pd.DataFrame:
        """One row per hub: hub_id, name, lon, lat, open, level, capacity_t,
        throughput_t, utilisation, fixed_cost, handling_cost.

        Examples
        --------
        >>> import hubopt
        >>> result = hubopt.solve(hubopt.datasets.tiny())
        >>> result.hubs[["hub_id", "open", "level", "throughput_t", "utilisation"]]
          hub_id   open level  throughput_t  utilisation
        0     H1   True  base         100.0          1.0
        1     H2   True  base         100.0          0.5
        2     H3  False                 0.0          NaN
        """
        if "hubs" not in self._tables:
            self._tables["hubs"] = self._make_hubs()
        return self._tables["hubs"].copy()

    @property
    def markets(self) -> pd.DataFrame:
        """One row per destination: destination, name, demand_t, served_t, unmet_t,
        landed_cost_per_t, via_hubs_t, direct_t, serving_hubs, lost_to_alternative_t
        and outcome.

        A market with an ``alternative_cost_per_t`` (contestable demand) that this
        network does not serve in full has lost those tonnes to a cheaper supplier:
        they are in ``lost_to_alternative_t``, not in ``unmet_t`` (which counts only
        the shortfall of markets with an ``unmet_penalty_per_t``). ``outcome`` says
        it in words: "won", "partly won" or "lost to alternative" for a contestable
        market; "served", "partly served" or "unmet" for the others; "no demand".

        Examples
        --------
        >>> import hubopt
        >>> result = hubopt.solve(hubopt.datasets.tiny())
        >>> result.markets[["destination", "served_t", "landed_cost_per_t"]].round(2)
          destination  served_t  landed_cost_per_t
        0          D1      80.0               4.00
        1          D2      70.0               4.57
        2          D3      50.0               5.00
        """
        if "markets" not in self._tables:
            self._tables["markets"] = self._make_markets()
        return self._tables["markets"].copy()

    @property
    def paths(self) -> pd.DataFrame:
        """Origin -> hub -> destination paths (hub empty for direct legs): origin, hub,
        destination, tonnes, landed_cost_per_t, transit_days, co2_t, and the
        positions in ``network.legs`` of the leg out of the origin (``leg_in``) and of
        the leg into the market (``leg_out``, -1 for a direct leg).

        Paths into markets with a transit limit are the model's own path variables;
        elsewhere arc flows through a hub are split in proportion to the hub's inflows.

        Examples
        --------
        >>> import hubopt
        >>> result = hubopt.solve(hubopt.datasets.tiny())
        >>> result.paths[["origin", "hub", "destination", "tonnes"]]
          origin hub destination  tonnes
        0     O1  H1          D1    80.0
        1     O1  H1          D2    20.0
        2     O2  H2          D2    50.0
        3     O2  H2          D3    50.0
        """
        if "paths" not in self._tables:
            self._tables["paths"] = self._make_paths()
        return self._tables["paths"].copy()

    @property
    def capacities(self) -> pd.DataFrame:
        """One row per row of the network's ``capacities`` table: id, node,
        corridor, mode, capacity_t, used_t (the tonnes on the legs it selects),
        utilisation, binding (used to within 1e-6 of capacity) and value_per_t
        (what one more tonne of that capacity would save, from the marginal-value
        LP; NaN when they were not computed). Empty for a network without
        capacities; used_t and the rest NaN without a solution.

        Examples
        --------
        >>> import hubopt
        >>> hubopt.solve(hubopt.datasets.tiny()).capacities.empty
        True
        """
        if "capacities" not in self._tables:
            self._tables["capacities"] = self._make_capacities()
        return self._tables["capacities"].copy()

    def _make_capacities(self) -> pd.DataFrame:
        net = self.network
        caps = net.capacities
        out = caps[["id", "node", "corridor", "mode", "capacity_t"]].copy()
        out = out.reset_index(drop=True)
        if not self._has_solution:
            for col in ("used_t", "utilisation", "binding", "value_per_t"):
                out[col] = np.nan
            return out
        flow = np.asarray(self._raw.flow_t, dtype=float)
        selection = capacity_selection(
            {t: net.table(t) for t in ("origins", "legs", "capacities")}
        )
        used = np.array([float(flow[legs].sum()) for legs in selection])
        cap = out["capacity_t"].to_numpy(dtype=float)
        out["used_t"] = used
        with np.errstate(divide="ignore", invalid="ignore"):
            out["utilisation"] = np.where(cap > 0, used / cap, np.nan)
        out["binding"] = used >= cap - 1e-6 * np.maximum(cap, 1.0)
        values = (self._marginal or {}).get("capacities")
        out["value_per_t"] = (
            np.asarray(values, dtype=float) if values is not None else np.nan
        )
        return out

    @property
    def marginal_values(self) -> pd.DataFrame:
        """Value per tonne of one more unit of each resource, from the duals of the LP
        with this solution's hub decisions (and single-sourcing choices) fixed.

        One row per origin (kind "supply": what one more tonne of supply there would
        save), open hub (kind "capacity": what one more tonne of capacity would save,
        0 where it has room) and market (kind "demand": what one more tonne of demand
        would cost): kind, id, name, value_per_t. Empty when the solve was asked
        not to compute them or has no solution. Where the LP is degenerate the duals
        are one valid choice among several.

        Examples
        --------
        >>> import hubopt
        >>> values = hubopt.solve(hubopt.datasets.tiny()).marginal_values
        >>> values[values["kind"] == "demand"]
             kind  id      name  value_per_t
        4  demand  D1  Market A          4.0
        5  demand  D2  Market B          6.0
        6  demand  D3  Market C          7.0
        """
        columns = ["kind", "id", "name", "value_per_t"]
        if self._marginal is None:
            return pd.DataFrame(columns=columns)
        net = self.network
        parts = []
        for kind, table in (
            ("supply", net.origins),
            ("capacity", net.hubs),
            ("demand", net.destinations),
        ):
            values = self._marginal[kind]
            frame = pd.DataFrame(
                {
                    "kind": kind,
                    "id": table["id"].to_numpy(),
                    "name": table["name"].to_numpy(),
                    "value_per_t": values,
                }
            )
            parts.append(frame[~np.isnan(values)])
        return pd.concat(parts, ignore_index=True)[columns]

    @property
    def open_hubs(self) -> list[str]:
        """Ids of the hubs opened, in the order of the network's hubs table.

        Examples
        --------
        >>> import hubopt
        >>> hubopt.solve(hubopt.datasets.tiny(), max_hubs=2).open_hubs
        ['H1', 'H2']
        """
        hubs = self.hubs
        return hubs.loc[hubs["open"], "hub_id"].tolist()

    @property
    def co2_t(self) -> float:
        """Total CO2 of the flows, in tonnes (0 without a solution).

        Examples
        --------
        >>> import hubopt
        >>> result = hubopt.solve(hubopt.datasets.morocco_kazakhstan())
        >>> 10_000 < result.co2_t < 100_000  # tonnes of CO2 a year
        True
        """
        if not self._has_solution:
            return 0.0
        return float(self.flows["co2_t"].fillna(0).sum())

    @property
    def costs(self) -> CostBreakdown:
        """Annual cost by component.

        Examples
        --------
        >>> import hubopt
        >>> hubopt.solve(hubopt.datasets.tiny()).costs.fixed
        250.0
        """
        if not self._has_solution:
            return CostBreakdown(0, 0, 0, 0, 0, 0)
        if self.periods is not None:
            return self.periods.costs(float(self.hubs["fixed_cost"].sum()))
        flows = self.flows
        hubs = self.hubs
        markets = self.markets
        net = self.network
        origin_cost = net.origins.set_index("id")["cost_per_t"]
        handling = net.hubs.set_index("id")["handling_cost_per_t"]
        penalty = net.destinations.set_index("id")["unmet_penalty_per_t"].fillna(0)
        alternative = (
            net.column("destinations", "alternative_cost_per_t")
            .set_axis(net.destinations["id"])
            .fillna(0)
        )
        price = self.options.model.carbon_price_per_t_co2 or 0.0
        return CostBreakdown(
            fixed=float(hubs["fixed_cost"].sum()),
            transport=float((flows["tonnes"] * flows["cost_per_t"]).sum()),
            handling=float(
                (flows["tonnes"] * flows["to"].map(handling).fillna(0)).sum()
            ),
            procurement=float(
                (flows["tonnes"] * flows["from"].map(origin_cost).fillna(0)).sum()
            ),
            carbon=float(price * flows["co2_t"].fillna(0).sum()) if price else 0.0,
            unmet_penalty=float(
                (markets["unmet_t"] * markets["destination"].map(penalty)).sum()
            ),
            alternative_purchase=float(
                (
                    markets["lost_to_alternative_t"]
                    * markets["destination"].map(alternative)
                ).sum()
            ),
        )

    @property
    def co2_by_mode(self) -> pd.DataFrame:
        """Tonnes moved, tonne-km and CO2 (tonnes) per transport mode, with a total row.

        A leg's mode is its ``mode`` column; a chained leg (e.g. rail + ferry + sea)
        counts under its own mode label.

        Examples
        --------
        >>> import hubopt
        >>> result = hubopt.solve(hubopt.datasets.morocco_kazakhstan())
        >>> table = result.co2_by_mode
        >>> table.columns.tolist(), table["mode"].iloc[-1]
        (['mode', 'tonnes', 'tkm', 'co2_t'], 'total')
        """
        flows = self.flows
        flows["tkm"] = flows["tonnes"] * flows["distance_km"]
        table = (
            flows.groupby("mode")[["tonnes", "tkm", "co2_t"]]
            .sum(min_count=1)
            .reset_index()
        )
        total = pd.DataFrame(
            {
                "mode": ["total"],
                "tonnes": [flows["tonnes"].sum()],
                "tkm": [flows["tkm"].sum(min_count=1)],
                "co2_t": [flows["co2_t"].sum(min_count=1)],
            }
        )
        return pd.concat([table, total], ignore_index=True)

    @property
    def proven_optimal(self) -> bool:
        """True only when the solver proved optimality (within ``mip_gap``).

        Examples
        --------
        >>> import hubopt
        >>> hubopt.solve(hubopt.datasets.tiny()).proven_optimal
        True
        """
        return self.status == "optimal"

    # -- builders ---------------------------------------------------------------------
    def _make_flows(self) -> pd.DataFrame:
        legs = self.network.legs
        kinds = self.network.leg_kinds()
        columns = [
            "from",
            "to",
            "kind",
            "mode",
            "corridor",
            "tonnes",
            "cost_per_t",
            "cost",
            "distance_km",
            "transit_days",
            "co2_kg_per_t",
            "co2_t",
            "leg",
        ]
        if not self._has_solution:
            return pd.DataFrame(columns=columns)
        tonnes = self._raw.flow_t
        used = np.flatnonzero(tonnes > _EPS)
        sub = legs.iloc[used]
        out = pd.DataFrame(
            {
                "from": sub["origin"].to_numpy(),
                "to": sub["destination"].to_numpy(),
                "kind": kinds.iloc[used].to_numpy(),
                "mode": sub["mode"].to_numpy(),
                "corridor": sub["corridor"].to_numpy(),
                "tonnes": tonnes[used],
                "cost_per_t": sub["cost_per_t"].to_numpy(dtype=float),
            }
        )
        out["cost"] = out["tonnes"] * out["cost_per_t"]
        out["distance_km"] = sub["distance_km"].to_numpy(dtype=float)
        out["transit_days"] = sub["transit_days"].to_numpy(dtype=float)
        out["co2_kg_per_t"] = sub["co2_kg_per_t"].to_numpy(dtype=float)
        out["co2_t"] = out["tonnes"] * out["co2_kg_per_t"] / 1000.0
        out["leg"] = used
        if self.periods is not None:  # each period's tonnes at that period's cost
            by_period = self.periods.flows
            cost = by_period.groupby("leg")["cost"].sum()
            out["cost"] = out["leg"].map(cost).fillna(0.0).to_numpy(dtype=float)
            out["cost_per_t"] = out["cost"] / out["tonnes"]
        return out

    def _make_hubs(self) -> pd.DataFrame:
        hubs = self.network.hubs
        levels = self._levels
        flows = self.flows
        inbound = flows[flows["kind"] == "inbound"].groupby("to")["tonnes"].sum()
        opened = (
            self._raw.open_level if self._has_solution else np.zeros(len(levels.hub))
        )
        rows = []
        for row in hubs.itertuples(index=False):
            ks = np.flatnonzero(levels.hub == row.id)
            chosen = [k for k in ks if opened[k] > 0.5]
            through = float(inbound.get(row.id, 0.0))
            if chosen:
                k = chosen[0]
                cap = float(levels.capacity_t[k]) if levels.capacitated[k] else math.inf
                rows.append(
                    (
                        row.id,
                        row.name,
                        row.lon,
                        row.lat,
                        True,
                        str(levels.level[k]),
                        cap,
                        through,
                        through / cap if np.isfinite(cap) and cap > 0 else np.nan,
                        float(levels.fixed_cost[k]),
                        through * row.handling_cost_per_t,
                        row.status,
                    )
                )
            else:
                rows.append(
                    (
                        row.id,
                        row.name,
                        row.lon,
                        row.lat,
                        False,
                        "",
                        0.0,
                        through,
                        np.nan,
                        0.0,
                        through * row.handling_cost_per_t,
                        row.status,
                    )
                )
        return pd.DataFrame(
            rows,
            columns=[
                "hub_id",
                "name",
                "lon",
                "lat",
                "open",
                "level",
                "capacity_t",
                "throughput_t",
                "utilisation",
                "fixed_cost",
                "handling_cost",
                "status",
            ],
        )

    def _hub_inbound_cost(self) -> tuple[pd.Series, pd.Series]:
        """Average variable cost per tonne arriving at each hub (origin cost, leg cost,
        handling, carbon) and average transit days, weighted by inbound tonnes."""
        flows = self.flows
        inbound = flows[flows["kind"] == "inbound"].copy()
        inbound["coef"] = self._coef[inbound["leg"].to_numpy(dtype=int)]
        inbound["w_cost"] = inbound["coef"] * inbound["tonnes"]
        inbound["w_days"] = inbound["transit_days"] * inbound["tonnes"]
        grouped = inbound.groupby("to")[["w_cost", "w_days", "tonnes"]].sum()
        safe = grouped["tonnes"].where(grouped["tonnes"] > _EPS)
        return grouped["w_cost"] / safe, grouped["w_days"] / safe

    def _make_paths(self) -> pd.DataFrame:
        columns = [
            "origin",
            "hub",
            "destination",
            "tonnes",
            "landed_cost_per_t",
            "transit_days",
            "co2_t",
            "leg_in",
            "leg_out",
        ]
        if not self._has_solution:
            return pd.DataFrame(columns=columns)
        legs = self.network.legs
        coef = self._coef
        flows = self.flows
        dwell = self.network.column("hubs", "dwell_days").set_axis(
            self.network.hubs["id"]
        )
        rows: list[tuple[Any, ...]] = []
        co2 = legs["co2_kg_per_t"].to_numpy(dtype=float)
        days = legs["transit_days"].to_numpy(dtype=float)
        for _, f in flows[flows["kind"] == "direct"].iterrows():
            leg = int(f["leg"])
            rows.append(
                (
                    f["from"],
                    "",
                    f["to"],
                    f["tonnes"],
                    coef[leg],
                    days[leg],
                    f["tonnes"] * co2[leg] / 1000.0,
                    leg,
                    -1,
                )
            )
        path_t = self._raw.path_t
        path_out = {m for (_, m) in path_t}
        for (leg_in, m), tonnes in sorted(path_t.items()):
            hub = legs["destination"].iloc[leg_in]
            rows.append(
                (
                    legs["origin"].iloc[leg_in],
                    hub,
                    legs["destination"].iloc[m],
                    tonnes,
                    coef[leg_in] + coef[m],
                    days[leg_in] + float(dwell.get(hub, 0.0)) + days[m],
                    tonnes * (co2[leg_in] + co2[m]) / 1000.0,
                    leg_in,
                    m,
                )
            )
        # arc flows: split each hub's outbound flow over its inflows proportionally
        inbound = flows[flows["kind"] == "inbound"]
        outbound = flows[(flows["kind"] == "outbound") & ~flows["leg"].isin(path_out)]
        for hub, outs in outbound.groupby("from"):
            ins = inbound[inbound["to"] == hub].copy()
            # inbound tonnes already used by path variables are not available here
            for idx, f_in in ins.iterrows():
                used = sum(t for (li, _), t in path_t.items() if li == f_in["leg"])
                ins.loc[idx, "tonnes"] = f_in["tonnes"] - used
            ins = ins[ins["tonnes"] > _EPS]
            total_in = ins["tonnes"].sum()
            if total_in <= _EPS:
                continue
            for _, f_out in outs.iterrows():
                for _, f_in in ins.iterrows():
                    share = f_in["tonnes"] / total_in
                    tonnes = f_out["tonnes"] * share
                    li, lo = int(f_in["leg"]), int(f_out["leg"])
                    rows.append(
                        (
                            f_in["from"],
                            hub,
                            f_out["to"],
                            tonnes,
                            coef[li] + coef[lo],
                            days[li] + float(dwell.get(hub, 0.0)) + days[lo],
                            tonnes * (co2[li] + co2[lo]) / 1000.0,
                            li,
                            lo,
                        )
                    )
        out = pd.DataFrame(rows, columns=columns)
        out = out[out["tonnes"] > _EPS].reset_index(drop=True)
        return out

    def _make_markets(self) -> pd.DataFrame:
        dests = self.network.destinations
        columns = [
            "destination",
            "name",
            "lon",
            "lat",
            "demand_t",
            "served_t",
            "unmet_t",
            "via_hubs_t",
            "direct_t",
            "landed_cost_per_t",
            "serving_hubs",
            "lost_to_alternative_t",
            "outcome",
        ]
        if not self._has_solution:
            out = pd.DataFrame(
                {
                    "destination": dests["id"],
                    "name": dests["name"],
                    "lon": dests["lon"],
                    "lat": dests["lat"],
                    "demand_t": dests["demand_t"],
                }
            )
            for col in columns[5:]:
                out[col] = np.nan
            return out[columns]
        paths = self.paths
        unmet = self._raw.unmet_t
        lost = self.network.column("destinations", "alternative_cost_per_t").notna()
        # In a period of the multi-period model a hub may deliver out of stock: no
        # path of the period leads there, so the tonnes received are the flows'.
        flows = self.flows if self.period is not None else None
        rows = []
        for pos, row in enumerate(dests.itertuples(index=False)):
            mine = paths[paths["destination"] == row.id]
            traced = float(mine["tonnes"].sum())
            via = float(mine.loc[mine["hub"] != "", "tonnes"].sum())
            cost = float((mine["tonnes"] * mine["landed_cost_per_t"]).sum())
            served = traced
            if flows is not None:
                into = flows[flows["to"] == row.id]
                served = float(into["tonnes"].sum())
                via = float(into.loc[into["kind"] != "direct", "tonnes"].sum())
            hubs = sorted(set(mine.loc[mine["hub"] != "", "hub"]))
            short = float(unmet[pos]) if pos < len(unmet) else 0.0
            contested = bool(lost.iloc[pos])
            rows.append(
                (
                    row.id,
                    row.name,
                    row.lon,
                    row.lat,
                    row.demand_t,
                    served,
                    0.0 if contested else short,
                    via,
                    served - via,
                    cost / traced if traced > _EPS else np.nan,
                    ";".join(hubs),
                    short if contested else 0.0,
                    _outcome(row.demand_t, served, contested),
                )
            )
        return pd.DataFrame(rows, columns=columns)

    # -- output -----------------------------------------------------------------------
    def summary(self) -> str:
        """A few lines a person can read: status, hubs opened, tonnes, cost.

        Examples
        --------
        >>> import hubopt
        >>> print(hubopt.solve(hubopt.datasets.tiny()).summary())  # doctest: +ELLIPSIS
        status: optimal (solver highs, ... s)
        hubs opened: West port (base, 100 t); Central port (base, 100 t)
        delivered: 200 t of 200 t demand
        total cost: 1,140 (fixed 250, transport 690, handling 200, procurement 0)
        average cost per delivered tonne: 5.70
        """
        lines = [
            f"status: {self.status} (solver {self.solver}, {self.runtime_s:.2f} s)"
        ]
        if self.message and self.status != "optimal":
            lines.append(f"solver says: {self.message}")
        if not self._has_solution:
            return "\n".join(lines)
        if self.status == "feasible":
            lines.append(
                f"not proven optimal: gap {self.gap:.3%} to bound "
                f"{self.best_bound:,.0f}"
                if self.gap is not None and self.best_bound is not None
                else "not proven optimal: the solver gave no bound"
            )
        hubs = self.hubs
        opened = hubs[hubs["open"]]
        if len(opened):
            parts = [
                f"{r.name} ({r.level}, {r.throughput_t:,.0f} t)"
                for r in opened.itertuples()
            ]
            lines.append("hubs opened: " + "; ".join(parts))
        else:
            lines.append("hubs opened: none")
        markets = self.markets
        served = markets["served_t"].sum()
        lines.append(
            f"delivered: {served:,.0f} t of {markets['demand_t'].sum():,.0f} t demand"
            + (
                f" ({markets['unmet_t'].sum():,.0f} t unmet)"
                if markets["unmet_t"].sum() > _EPS
                else ""
            )
            + (
                f" ({lost:,.0f} t lost to the markets' alternative supply)"
                if (lost := markets["lost_to_alternative_t"].sum()) > _EPS
                else ""
            )
        )
        costs = self.costs
        lines.append(
            f"total cost: {costs.total:,.0f} (fixed {costs.fixed:,.0f}, transport "
            f"{costs.transport:,.0f}, handling {costs.handling:,.0f}, procurement "
            f"{costs.procurement:,.0f}"
            + (f", carbon {costs.carbon:,.0f}" if costs.carbon else "")
            + (f", unmet {costs.unmet_penalty:,.0f}" if costs.unmet_penalty else "")
            + (
                f", bought elsewhere {costs.alternative_purchase:,.0f}"
                if costs.alternative_purchase
                else ""
            )
            + ")"
        )
        if served > _EPS:
            money = f"{currency} " if (currency := currency_of(self)) else ""
            lines.append(
                f"average cost per delivered tonne: {money}"
                f"{costs.delivered / served:,.2f}"
                + (
                    " (not counting the purchases elsewhere)"
                    if costs.alternative_purchase
                    else ""
                )
            )
        return "\n".join(lines)

    def summary_dict(self) -> dict[str, Any]:
        """The figures of :meth:`summary` as a JSON-ready dict.

        Examples
        --------
        >>> import hubopt
        >>> summary = hubopt.solve(hubopt.datasets.tiny()).summary_dict()
        >>> summary["status"], summary["hubs_opened"], summary["objective"]
        ('optimal', ['H1', 'H2'], 1140.0)
        """

        def clean(value: Any) -> Any:
            if value is None:
                return None
            if isinstance(value, float | np.floating):
                return float(value) if math.isfinite(value) else None
            return value

        hubs = self.hubs
        out: dict[str, Any] = {
            "network": self.network.name,
            "status": self.status,
            "proven_optimal": self.proven_optimal,
            "objective": clean(self.objective),
            "gap": clean(self.gap),
            "best_bound": clean(self.best_bound),
            "runtime_s": clean(round(self.runtime_s, 3)),
            "solver": self.solver,
            "options": {k: clean(v) for k, v in self.options.as_dict().items()},
            "costs": {k: clean(v) for k, v in self.costs.as_dict().items()},
            "hubs_opened": hubs.loc[hubs["open"], "hub_id"].tolist(),
        }
        if self._has_solution:
            markets = self.markets
            out["delivered_t"] = clean(float(markets["served_t"].sum()))
            out["unmet_t"] = clean(float(markets["unmet_t"].sum()))
            out["lost_to_alternative_t"] = clean(
                float(markets["lost_to_alternative_t"].sum())
            )
            out["co2_t"] = clean(float(self.flows["co2_t"].fillna(0).sum()))
        if self.message:
            out["message"] = self.message
        return out

    def write(
        self,
        folder: str | os.PathLike[str],
        *,
        overwrite: bool = False,
        guard_formulas: bool = True,
    ) -> Path:
        """Write summary.json, run.json, flows.csv, hubs.csv, markets.csv, paths.csv
        (and capacities.csv for a network with capacities); for a multi-period
        result also period_flows.csv, stock.csv and cover.csv (see
        :meth:`PeriodResults.tables`). The annual tables sum the periods.

        summary.json holds only what the input and options determine, so two runs give
        byte-identical files; the timings (runtime_s, build_s) go to run.json. The set
        is written all-or-nothing (see :mod:`hubopt.outputs`): built in a temporary
        sibling folder and swapped in, replacing only what hubopt wrote there before;
        a result without a solution writes summary.json and run.json alone, so no
        stale flows stay beside a summary that says "infeasible".

        Parameters
        ----------
        folder
            The output folder; created when missing.
        overwrite
            Replace the files of an earlier hubopt run there; without it (the
            default) such files are an error and nothing is written.
        guard_formulas
            Prefix ``'`` to text cells that a spreadsheet would run as a formula
            (see :func:`hubopt.io.guard_formula_cells`).

        Returns
        -------
        pathlib.Path
            The folder.

        Raises
        ------
        ValidationError
            The folder holds an earlier run's files and overwrite is False, holds a
            file of the same name that hubopt did not write, or is a file.
        OutputError
            The files could not be written (disk full, read-only); nothing changed.

        Examples
        --------
        >>> import tempfile
        >>> import hubopt
        >>> folder = hubopt.solve(hubopt.datasets.tiny()).write(tempfile.mkdtemp())
        >>> sorted(p.name for p in folder.iterdir())  # doctest: +NORMALIZE_WHITESPACE
        ['.hubopt.json', 'flows.csv', 'hubs.csv', 'markets.csv', 'paths.csv',
         'run.json', 'summary.json']
        """

        with output_folder(folder, overwrite=overwrite) as staging:
            self.write_tables(staging, guard_formulas=guard_formulas)
        return Path(folder)

    def write_tables(
        self, folder: str | os.PathLike[str], *, guard_formulas: bool = True
    ) -> None:
        """Write the files of :meth:`write` into a folder as they are, replacing
        files of the same name: the building block of the all-or-nothing writers
        (:meth:`write`, the briefing pack, compare and robust).

        Parameters
        ----------
        folder
            A folder; created when missing.
        guard_formulas
            As in :meth:`write`.
        """

        folder = Path(folder)
        summary = self.summary_dict()
        run = {
            "runtime_s": summary.pop("runtime_s", None),
            "build_s": round(self.build_s, 3),
            "solver": self.solver,
            "interrupted": self.interrupted,
        }
        folder.mkdir(parents=True, exist_ok=True)
        if self._has_solution:
            tables = ("flows", "hubs", "markets", "paths")
            if len(self.network.capacities):
                tables = (*tables, "capacities")
            frames = {table: getattr(self, table) for table in tables}
            if self.periods is not None:
                frames.update(self.periods.tables())
            for table, frame in frames.items():
                write_csv_atomic(
                    rounded(frame),
                    folder / f"{table}.csv",
                    guard_formulas=guard_formulas,
                )
        write_text_atomic(
            json.dumps(run, indent=2, sort_keys=True) + "\n", folder / "run.json"
        )
        write_text_atomic(
            json.dumps(
                _rounded_summary(summary, currency_of(self)), indent=2, sort_keys=True
            )
            + "\n",
            folder / "summary.json",
        )

    def to_geodataframes(self) -> dict[str, Any]:
        """Hubs, markets, origins and flows as GeoDataFrames in EPSG:4326.

        Flows follow their leg's route geometry where the network has one (sea lanes,
        corridors), else a straight line between the two nodes.

        Returns
        -------
        dict
            Keys "origins", "hubs", "markets", "flows".

        Examples
        --------
        >>> import hubopt
        >>> layers = hubopt.solve(hubopt.datasets.tiny()).to_geodataframes()
        >>> {name: len(frame) for name, frame in layers.items()}
        {'origins': 2, 'hubs': 3, 'markets': 3, 'flows': 6}
        >>> layers["flows"].crs.to_epsg()
        4326
        """
        import geopandas as gpd
        from shapely.geometry import LineString

        net = self.network
        coords = net.node_coordinates()
        origins = net.origins
        out = {
            "origins": gpd.GeoDataFrame(
                origins,
                geometry=gpd.points_from_xy(origins["lon"], origins["lat"]),
                crs="EPSG:4326",
            )
        }
        hubs = self.hubs
        out["hubs"] = gpd.GeoDataFrame(
            hubs, geometry=gpd.points_from_xy(hubs["lon"], hubs["lat"]), crs="EPSG:4326"
        )
        markets = self.markets
        out["markets"] = gpd.GeoDataFrame(
            markets,
            geometry=gpd.points_from_xy(markets["lon"], markets["lat"]),
            crs="EPSG:4326",
        )
        flows = self.flows
        legs = net.legs
        geoms = []
        has_geometry = "geometry" in legs.columns
        for a_id, b_id, leg in zip(
            flows["from"], flows["to"], flows["leg"], strict=True
        ):
            geom = legs["geometry"].iloc[leg] if has_geometry else None
            if geom is None or (isinstance(geom, float) and np.isnan(geom)):
                a, b = coords.loc[a_id], coords.loc[b_id]
                geom = LineString([(a.lon, a.lat), (b.lon, b.lat)])
            geoms.append(geom)
        out["flows"] = gpd.GeoDataFrame(flows, geometry=geoms, crs="EPSG:4326")
        return out

    def check(self) -> list[str]:
        """Run the independent checker on this result; see
        :func:`hubopt.check_solution`.

        Examples
        --------
        >>> import hubopt
        >>> hubopt.solve(hubopt.datasets.tiny()).check()
        []
        """

        return check_solution(self.network, self)

    def __repr__(self) -> str:
        objective = "-" if self.objective is None else f"{self.objective:,.2f}"
        return f"Result(status={self.status!r}, objective={objective})"


class PeriodResults:
    """The per-period side of a multi-period solve (:func:`hubopt.solve` with
    ``periods``): one :class:`Result` per period network (its flows, hubs, markets
    and paths in that period; its objective the period's flow cost), the stock at
    hubs, days of cover, the worst month and the spread of landed cost.

    Parameters
    ----------
    periods
        The :class:`hubopt.periods.Periods` solved.
    results
        One Result per period, in the periods' order.
    stock
        hub_id, period, stock_t (at the end of the period), silo_t (of the opened
        level), storage_cost.
    """

    def __init__(self, periods: Any, results: list[Result], stock: pd.DataFrame):
        self.periods = periods
        self.results = results
        self.stock = stock
        for pid, result in zip(periods.ids, results, strict=True):
            result.period = pid

    def _stacked(self, name: str) -> pd.DataFrame:
        parts = []
        for pid, result in zip(self.periods.ids, self.results, strict=True):
            frame = getattr(result, name)
            frame.insert(0, "period", pid)
            parts.append(frame)
        return pd.concat(parts, ignore_index=True)

    @property
    def ids(self) -> list[str]:
        """The period ids, in the periods' order."""
        return list(self.periods.ids)

    def result(self, period: str) -> Result:
        """The Result of one period: its flows, hubs, markets and paths.

        Raises
        ------
        ValidationError
            For a period id that is not one of :attr:`ids`.
        """
        ids = self.ids
        if period not in ids:
            msg = (
                f"period {period!r} is not a period of this result; known: "
                f"{', '.join(map(str, ids))} (or None for the year)"
            )
            raise ValidationError(msg)
        return self.results[ids.index(period)]

    @property
    def flows(self) -> pd.DataFrame:
        """The flows of every period (:attr:`Result.flows` with a ``period``
        column first); ``cost_per_t`` is the period's."""
        return self._stacked("flows")

    @property
    def stock_balance(self) -> pd.DataFrame:
        """The stock account of each opened hub, per period: hub_id, period,
        opening_t (the stock at the end of the period before: the last period's
        in a cyclic year, 0 at the start of a year that is not), in_t (tonnes
        arriving), out_t (tonnes leaving), loss_t (the share ``stock_loss_share``
        of the opening stock lost in the period), closing_t (the stock at the end
        of the period) and silo_t (the silo of the opened level, 0 without one).

        ``closing_t = opening_t - loss_t + in_t - out_t``: the hub's balance row.
        A hub without a silo has no stock: what arrives in a period leaves in it.
        """
        columns = [
            "hub_id",
            "period",
            "opening_t",
            "in_t",
            "out_t",
            "loss_t",
            "closing_t",
            "silo_t",
        ]
        ids = self.ids
        opened = [
            hid
            for hid, is_open in zip(
                self.results[0].hubs["hub_id"],
                self.results[0].hubs["open"],
                strict=True,
            )
            if is_open
        ]
        if not opened or not self.results[0]._has_solution:
            return pd.DataFrame(columns=columns)
        closing = (
            self.stock.pivot_table(
                index="hub_id", columns="period", values="stock_t", aggfunc="sum"
            )
            .reindex(index=opened, columns=ids)
            .fillna(0.0)
        )
        silo = self.stock.groupby("hub_id")["silo_t"].max().reindex(opened).fillna(0.0)
        network = self.results[0].network
        loss_share = (
            network.column("hubs", "stock_loss_share")
            .set_axis(network.hubs["id"])
            .reindex(opened)
            .fillna(0.0)
        )
        cyclic = bool(self.results[0].options.model.cyclic_stock)
        parts = []
        for t, (pid, result) in enumerate(zip(ids, self.results, strict=True)):
            flows = result.flows
            opening = (
                closing[ids[t - 1]] if t or cyclic else pd.Series(0.0, index=opened)
            )
            parts.append(
                pd.DataFrame(
                    {
                        "hub_id": opened,
                        "period": pid,
                        "opening_t": opening.to_numpy(dtype=float),
                        "in_t": flows.groupby("to")["tonnes"]
                        .sum()
                        .reindex(opened)
                        .fillna(0.0)
                        .to_numpy(dtype=float),
                        "out_t": flows.groupby("from")["tonnes"]
                        .sum()
                        .reindex(opened)
                        .fillna(0.0)
                        .to_numpy(dtype=float),
                        "loss_t": (opening * loss_share).to_numpy(dtype=float),
                        "closing_t": closing[pid].to_numpy(dtype=float),
                        "silo_t": silo.to_numpy(dtype=float),
                    }
                )
            )
        return pd.concat(parts, ignore_index=True)[columns]

    @property
    def peak_stock(self) -> pd.DataFrame:
        """Per opened hub with a silo, the period of its highest closing stock:
        hub_id, name, period, closing_t, silo_t; the largest stock first."""
        balance = self.stock_balance
        held = balance[balance["silo_t"] > 0]
        columns = ["hub_id", "name", "period", "closing_t", "silo_t"]
        if held.empty:
            return pd.DataFrame(columns=columns)
        peak = held.loc[held.groupby("hub_id", sort=False)["closing_t"].idxmax()]
        names = self.results[0].network.hubs.set_index("id")["name"]
        peak = peak.assign(name=peak["hub_id"].map(names))
        return peak.sort_values("closing_t", ascending=False, kind="stable")[
            columns
        ].reset_index(drop=True)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The per-period tables :meth:`Result.write` writes: ``period_flows``
        (:attr:`flows`), ``stock`` (:attr:`stock_balance`) and ``cover``
        (:attr:`cover`)."""
        return {
            "period_flows": self.flows,
            "stock": self.stock_balance,
            "cover": self.cover,
        }

    @property
    def markets(self) -> pd.DataFrame:
        """The markets in every period (:attr:`Result.markets` with ``period``):
        the period's demand, served and unmet tonnes and landed cost."""
        return self._stacked("markets")

    @property
    def cover(self) -> pd.DataFrame:
        """Days of cover per market and period: the stock at the end of the period at
        the hubs that serve the market in the year, each hub's stock shared among
        its markets in proportion to their tonnes from it, over the market's demand
        per day in that period (NaN without demand in the period).

        Columns: destination, period, demand_t, served_t, stock_t, cover_days.
        """
        flows = self.flows
        out_of_hub = flows[flows["kind"] == "outbound"]
        share = out_of_hub.groupby(["from", "to"], as_index=False)["tonnes"].sum()
        total = share.groupby("from")["tonnes"].transform("sum")
        share = share.assign(part=share["tonnes"] / total)[total > _EPS]
        held = share.merge(self.stock, left_on="from", right_on="hub_id")
        held = (
            (held["part"] * held["stock_t"])
            .groupby([held["to"], held["period"]])
            .sum()
            .rename("stock_t")
        )
        markets = self.markets[["destination", "period", "demand_t", "served_t"]]
        out = markets.merge(
            held, left_on=["destination", "period"], right_index=True, how="left"
        )
        out["stock_t"] = out["stock_t"].fillna(0.0)
        days = out["period"].map(
            dict(zip(self.periods.ids, self.periods.days, strict=True))
        )
        per_day = out["demand_t"] / days
        out["cover_days"] = np.where(
            per_day > _EPS, out["stock_t"] / per_day.where(per_day > _EPS, 1.0), np.nan
        )
        return out.reset_index(drop=True)

    @property
    def worst_month(self) -> pd.DataFrame:
        """Per market, the period of its least cover: destination, period,
        cover_days, served_share (served / demand in that period); the worst-served
        market first."""
        cover = self.cover.dropna(subset=["cover_days"])
        if cover.empty:
            return pd.DataFrame(
                columns=["destination", "period", "cover_days", "served_share"]
            )
        worst = cover.loc[
            cover.groupby("destination", sort=False)["cover_days"].idxmin()
        ]
        worst = worst.assign(served_share=worst["served_t"] / worst["demand_t"])
        return worst.sort_values(["cover_days", "served_share"], kind="stable")[
            ["destination", "period", "cover_days", "served_share"]
        ].reset_index(drop=True)

    @property
    def worst_served(self) -> pd.DataFrame:
        """:attr:`worst_month` of the markets the plan serves (some tonnes in the
        year): the market whose least cover is least first. Markets the plan leaves
        to their alternative supplier or unmet all year are left out (their cover
        is 0 by choice, not by a short season)."""
        markets = self.markets
        year = markets.groupby("destination")[["served_t", "demand_t"]].sum()
        # a solver's noise (1e-9 t on a leg) is not service
        served = year["served_t"] > 1e-6 * year["demand_t"].clip(lower=1.0)
        worst = self.worst_month
        keep = worst["destination"].map(served).fillna(False).to_numpy(dtype=bool)
        return worst[keep].reset_index(drop=True)

    def costs(self, fixed: float) -> CostBreakdown:
        """The year's cost by component: ``fixed`` (the opened levels') once, each
        period's flows and shortfalls at its own costs, and the storage."""
        parts = [r.costs for r in self.results]
        return CostBreakdown(
            fixed=fixed,
            transport=sum(c.transport for c in parts),
            handling=sum(c.handling for c in parts),
            procurement=sum(c.procurement for c in parts),
            carbon=sum(c.carbon for c in parts),
            unmet_penalty=sum(c.unmet_penalty for c in parts),
            alternative_purchase=sum(c.alternative_purchase for c in parts),
            storage=float(self.stock["storage_cost"].sum()),
        )

    @property
    def landed_cost_spread(self) -> dict[str, float]:
        """The spread of the annual landed cost per tonne across served markets (an
        equity measure), from each period's own costs: min, max, spread (max -
        min), ratio (max / min) and cv (standard deviation / mean). Storage cost and
        fixed costs are not in a landed cost; tonnes delivered out of stock are
        costed through the paths of the periods they moved in (a draw from stock
        has no path of its own)."""
        paths = self._stacked("paths")
        cost = (
            (paths["tonnes"] * paths["landed_cost_per_t"])
            .groupby(paths["destination"])
            .sum(min_count=1)
        )
        served = paths.groupby("destination")["tonnes"].sum()
        landed = (cost / served)[served > _EPS].dropna()
        if landed.empty:
            return dict.fromkeys(("min", "max", "spread", "ratio", "cv"), math.nan)
        low, high = float(landed.min()), float(landed.max())
        return {
            "min": low,
            "max": high,
            "spread": high - low,
            "ratio": high / low if low > 0 else math.nan,
            "cv": float(landed.std(ddof=0) / landed.mean()) if landed.mean() else 0.0,
        }


def _outcome(demand_t: float, served_t: float, contested: bool) -> str:
    """A market's outcome in words (see :attr:`Result.markets`)."""
    tol = 1e-6 * max(demand_t, 1.0)
    if demand_t <= tol:
        return "no demand"
    if served_t >= demand_t - tol:
        return "won" if contested else "served"
    if served_t > tol:
        return "partly won" if contested else "partly served"
    return "lost to alternative" if contested else "unmet"


def _rounded_summary(summary: dict[str, Any], currency: str) -> dict[str, Any]:
    """summary.json's figures rounded as the tables are (:mod:`hubopt._tables`):
    money to cents, tonnes to whole tonnes, and the currency of the money named
    (``null`` when the network does not say). The options are left as given."""
    out = dict(summary)
    for key in ("objective", "best_bound"):
        out[key] = _round_as(out.get(key), 2)
    out["costs"] = {k: _round_as(v, 2) for k, v in summary["costs"].items()}
    for key in ("delivered_t", "unmet_t", "lost_to_alternative_t", "co2_t"):
        if key in out:
            out[key] = _round_as(out[key], decimals_for(key))
    out["currency"] = currency or None
    return out


def _round_as(value: Any, digits: int | None) -> Any:
    """A JSON number rounded to ``digits`` (whole numbers as int); None stays."""
    if value is None or digits is None or isinstance(value, bool):
        return value
    if digits == 0:
        return round(float(value))
    return round(float(value), digits) + 0.0
