"""Seeded generated hub networks of several shapes, as hubopt tables (issue 17).

The family covers the shapes of network the issue measured hubopt on, at 10^4 to 10^5
legs:

- ``kind="random"``: every origin has a leg to every hub, every market legs from
  ``hubs_per_market`` hubs drawn at random, leg costs drawn uniformly (no geography);
- ``kind="distance"``: origins far inland, hubs on a coast band, markets overseas
  beyond it, each market linked to its ``hubs_per_market`` nearest hubs, leg costs
  following the distance (the shape of a real study: a rail leg to a port, a sea leg
  on).

and within each kind: many or few hubs open at the optimum (``open_share``, the share
of hubs whose capacity the demand needs), one or several levels per hub
(``max_levels``: each hub gets 1 to ``max_levels`` levels), with or without shortfall
penalties (``penalty_share`` of the markets may be left short), and optionally
transit limits on a share of the markets (``transit_share``, for the scale case).

Every number here is an ASSUMPTION of the generator, chosen to make the shapes the
issue names, not data: costs per tonne of 1-40 currency units (random) or following
the distance (distance), capacities scaled so that the demand needs ``open_share`` of
the hubs, fixed costs a share (``fixed_share``, 9 % by default) of a full hub's bill
on a typical route, penalties 1.1-2x a typical delivered cost per tonne. Coordinates
are in km on a plane and shown as lon/lat by dividing by 100 (no geodesy: the
generator only needs distances that look like a map).

``tables(case)`` gives the tables; ``network(case)`` the validated
:class:`hubopt.Network`; :data:`CASES` the family measured in docs/performance.md.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

SEED = 20261202

#: Total supply is at least this times the demand: the origins' shares are drawn
#: at random (1.3x the demand on average) and a draw short of it is scaled up (of
#: the cases here only distance-12k-transit, whose draw gave 0.97x).
SUPPLY_FLOOR = 1.02


@dataclass(frozen=True)
class Shape:
    """The parameters of one generated network.

    Parameters
    ----------
    name
        The case's label in the benchmark tables.
    kind
        "random" or "distance" (see the module docstring).
    n_origins, n_hubs, n_markets
        Node counts.
    hubs_per_market
        Outbound legs per market (random hubs, or the nearest ones).
    open_share
        Share of the hubs whose capacity the total demand needs (about the share open
        at the optimum: near 1 many hubs open, near 0.2 few).
    max_levels
        Each hub gets 1 to this many levels (1: the hub's own capacity and fixed cost).
    penalty_share
        Share of the markets with an ``unmet_penalty_per_t``.
    transit_share
        Share of the markets with a ``max_transit_days`` (legs then get
        ``transit_days`` and hubs ``dwell_days``).
    fixed_share
        A hub's fixed cost over (its capacity times a typical route's cost per
        tonne), on average; each hub's is drawn from 0.5x to 1.5x of it.
    seed
        The random seed.
    """

    name: str
    kind: str
    n_origins: int
    n_hubs: int
    n_markets: int
    hubs_per_market: int
    open_share: float
    max_levels: int = 1
    penalty_share: float = 0.0
    transit_share: float = 0.0
    fixed_share: float = 0.09
    seed: int = SEED

    @property
    def n_legs(self) -> int:
        """Legs of the network: every origin-hub pair and the markets' legs."""
        return self.n_origins * self.n_hubs + self.n_markets * self.hubs_per_market


#: The family measured in docs/performance.md (10^4 to about 7*10^4 legs). Names:
#: kind, legs, "many" or "few" hubs open, "levels" (1-3 per hub), "pen" (40 % of
#: the markets with a shortfall penalty); "cheap" for fixed_share 0.03.
CASES: tuple[Shape, ...] = (
    Shape("random-10k-many-cheap", "random", 20, 40, 900, 10, 0.7, fixed_share=0.03),
    Shape(
        "random-10k-levels-pen-cheap",
        "random",
        *(10, 30, 1000, 10, 0.5, 3, 0.4),
        fixed_share=0.03,
    ),
    Shape(
        "distance-10k-many-cheap", "distance", 6, 40, 1000, 10, 0.7, fixed_share=0.03
    ),
    Shape(
        "distance-10k-few-pen-cheap",
        "distance",
        *(6, 40, 1000, 10, 0.25, 1, 0.4),
        fixed_share=0.03,
    ),
    Shape("random-16k-many-levels-pen", "random", 20, 60, 600, 25, 0.85, 3, 0.4),
    Shape("distance-28k-many-pen", "distance", 6, 120, 1500, 18, 0.7, 1, 0.4),
    Shape("distance-71k-few", "distance", 8, 300, 3000, 23, 0.25),
)

#: The ``--quick`` subset: one 10^4-leg case.
QUICK = ("random-10k-many-cheap",)

#: Item 2 of issue 17: 300 hubs, 5,000 markets, about 10^5 legs, transit limits on a
#: fifth of the markets.
SCALE = Shape("distance-97k-transit", "distance", 8, 300, 5000, 19, 0.25, 1, 0.0, 0.2)


def case(name: str) -> Shape:
    """The case of :data:`CASES`, :data:`SCALE` or :data:`GROWTH` called ``name``."""
    for shape in (*CASES, SCALE, *GROWTH):
        if shape.name == name:
            return shape
    msg = f"no shapes case {name!r}; the cases are {[s.name for s in CASES]}"
    raise KeyError(msg)


def _positions(shape: Shape, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Coordinates in km of origins, hubs and markets."""
    sizes = {"o": shape.n_origins, "h": shape.n_hubs, "d": shape.n_markets}
    if shape.kind == "random":
        return {k: rng.uniform(0.0, 1000.0, (n, 2)) for k, n in sizes.items()}
    # inland origins (x 700-1000 km), a coast band of hubs (x 0-60 km), markets
    # overseas (x -900 to -100 km), all along 1,000 km of coast
    band = {"o": (700.0, 1000.0), "h": (0.0, 60.0), "d": (-900.0, -100.0)}
    return {
        k: np.column_stack(
            [rng.uniform(*band[k], n), rng.uniform(0.0, 1000.0, n)],
        )
        for k, n in sizes.items()
    }


def _distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1])


def tables(shape: Shape) -> dict[str, pd.DataFrame]:
    """The tables of a generated network (unvalidated DataFrames): origins, hubs,
    destinations, legs and, with several levels, hub_levels."""
    rng = np.random.default_rng(shape.seed)
    n_o, n_h, n_d, k = (
        shape.n_origins,
        shape.n_hubs,
        shape.n_markets,
        shape.hubs_per_market,
    )
    xy = _positions(shape, rng)
    o_ids = np.array([f"O{i}" for i in range(n_o)], dtype=object)
    h_ids = np.array([f"H{i}" for i in range(n_h)], dtype=object)
    d_ids = np.array([f"D{i}" for i in range(n_d)], dtype=object)
    demand = rng.uniform(10.0, 100.0, n_d).round(1)
    total = float(demand.sum())
    supply = (rng.uniform(0.5, 1.5, n_o) / n_o * 1.3 * total).round(1)
    supply *= 1.0 + 1e-3  # keep supply above demand after rounding
    if supply.sum() < SUPPLY_FLOOR * total:  # a draw short of the demand
        supply *= SUPPLY_FLOOR * total / supply.sum()

    # inbound: every origin-hub pair; outbound: k hubs per market
    dist_in = _distance(xy["o"], xy["h"])
    dist_out = _distance(xy["h"], xy["d"])  # (hubs, markets)
    if shape.kind == "random":
        cost_in = rng.uniform(1.0, 20.0, (n_o, n_h))
        chosen = np.argsort(rng.random((n_d, n_h)), axis=1)[:, :k]
        cost_out_full = rng.uniform(1.0, 40.0, (n_h, n_d))
    else:
        cost_in = 1.0 + dist_in / 100.0 * rng.uniform(1.0, 1.5, (n_o, n_h))
        chosen = np.argsort(dist_out.T, axis=1)[:, :k]
        cost_out_full = 2.0 + dist_out / 100.0 * rng.uniform(3.0, 4.0, (n_h, n_d))
    out_hub = chosen.reshape(-1)
    out_market = np.repeat(np.arange(n_d), k)
    cost_out = cost_out_full[out_hub, out_market]

    # capacities: the demand needs open_share of the hubs
    capacity = total / (shape.open_share * n_h) * rng.uniform(0.8, 1.2, n_h)
    typical = float(np.median(cost_in) + np.median(cost_out))
    fixed = shape.fixed_share * typical * capacity * rng.uniform(0.5, 1.5, n_h)
    handling = rng.uniform(0.5, 2.0, n_h).round(2)

    def nodes(ids: np.ndarray, coords: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "id": ids,
                "name": ids,
                "lon": (coords[:, 0] / 100.0).round(4),
                "lat": (coords[:, 1] / 100.0).round(4),
            }
        )

    origins = nodes(o_ids, xy["o"]).assign(supply_t=supply.round(1))
    hubs = nodes(h_ids, xy["h"]).assign(
        capacity_t=capacity.round(0),
        fixed_cost=fixed.round(0),
        handling_cost_per_t=handling,
    )
    destinations = nodes(d_ids, xy["d"]).assign(demand_t=demand)
    if shape.penalty_share > 0:
        penalised = rng.random(n_d) < shape.penalty_share
        delivered = (
            typical + float(np.median(handling)) + float(np.median(fixed / capacity))
        )
        penalty = (delivered * rng.uniform(1.1, 2.0, n_d)).round(2)
        destinations["unmet_penalty_per_t"] = np.where(penalised, penalty, np.nan)
    inbound = pd.DataFrame(
        {
            "origin": np.repeat(o_ids, n_h),
            "destination": np.tile(h_ids, n_o),
            "mode": "rail",
            "cost_per_t": cost_in.reshape(-1).round(3),
        }
    )
    outbound = pd.DataFrame(
        {
            "origin": h_ids[out_hub],
            "destination": d_ids[out_market],
            "mode": "sea",
            "cost_per_t": cost_out.round(3),
        }
    )
    out: dict[str, pd.DataFrame] = {}
    if shape.transit_share > 0:
        # rail at 400 km/day, sea at 500 km/day, 1-3 days in a hub; a limited market
        # accepts 1.2x its fastest path (an ASSUMPTION: a limit that binds but leaves
        # several paths)
        inbound["transit_days"] = (dist_in.reshape(-1) / 400.0).round(2)
        outbound["transit_days"] = (dist_out[out_hub, out_market] / 500.0).round(2)
        dwell = rng.uniform(1.0, 3.0, n_h).round(1)
        hubs["dwell_days"] = dwell
        fastest_in = (dist_in / 400.0).min(axis=0)  # per hub
        path = (fastest_in + dwell)[out_hub] + outbound["transit_days"].to_numpy()
        fastest = path.reshape(n_d, k).min(axis=1)
        limited = rng.random(n_d) < shape.transit_share
        destinations["max_transit_days"] = np.where(
            limited, (1.2 * fastest).round(1), np.nan
        )
    out["origins"] = origins
    out["hubs"] = hubs
    out["destinations"] = destinations
    out["legs"] = pd.concat([inbound, outbound], ignore_index=True)
    if shape.max_levels > 1:
        out["hub_levels"] = _levels(h_ids, capacity, fixed, shape.max_levels, rng)
    return out


#: Level sizes and costs relative to a hub's base capacity and fixed cost (economies
#: of scale: an ASSUMPTION, the usual concave cost of modular sizes).
LEVEL_CAPACITY = (0.5, 1.0, 1.6)
LEVEL_COST = (0.6, 1.0, 1.4)


def _levels(
    h_ids: np.ndarray,
    capacity: np.ndarray,
    fixed: np.ndarray,
    max_levels: int,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """1 to ``max_levels`` levels per hub, sized by :data:`LEVEL_CAPACITY`."""
    count = rng.integers(1, max_levels + 1, len(h_ids))
    hub = np.repeat(np.arange(len(h_ids)), count)
    level = np.concatenate([np.arange(c) for c in count])
    # a hub with one level keeps the middle size
    level = np.where(count[hub] == 1, 1, level)
    size = np.asarray(LEVEL_CAPACITY)[level]
    cost = np.asarray(LEVEL_COST)[level]
    return pd.DataFrame(
        {
            "hub_id": h_ids[hub],
            "level": [f"L{i}" for i in level],
            "capacity_t": (capacity[hub] * size).round(0),
            "fixed_cost": (fixed[hub] * cost).round(0),
        }
    )


def scaled(shape: Shape, n_markets: int, name: str | None = None) -> Shape:
    """``shape`` with another number of markets (for growth measurements)."""
    return replace(shape, n_markets=n_markets, name=name or f"{shape.name}-{n_markets}")


#: The scale case with fewer markets (about 1.2x10^4 and 3.1x10^4 legs), for the
#: growth of solve time up to it.
GROWTH = (
    scaled(SCALE, 500, "distance-12k-transit"),
    scaled(SCALE, 1500, "distance-31k-transit"),
)


def network(shape: Shape) -> Any:
    """The validated :class:`hubopt.Network` of ``shape``."""
    from hubopt import Network

    return Network.from_frames(**tables(shape), name=shape.name)
