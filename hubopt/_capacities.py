"""What a row of the ``capacities`` table limits: the legs it selects.

A row names a node (``node``: an origin, hub or destination id, or a waypoint that
legs pass, as a step of their ``route`` or their ``export_port``), a set of legs
(``corridor``, ``mode``, or both), or both a node and a set of legs; every criterion
given must hold. Shared by the table's validation, the formulation and the Result;
the independent checker (:mod:`hubopt.check`) selects the legs on its own.

- A node selects the legs that enter it (a hub's or a market's throughput), the legs
  that pass it on their way (a waypoint of their route or their export port) and,
  for an origin, which nothing enters, the legs that leave it. A tonne is counted
  once at a node whatever the number of legs it takes there.
- A corridor and a mode select the legs whose own ``(mode, corridor)`` or one of
  whose route steps' ``mode/corridor`` match: a Caspian ferry line (``mode`` =
  caspian_ferry) limits every leg with a ferry step, whatever its sea mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

#: The columns that say what a row limits.
SELECTORS = ("node", "corridor", "mode")


def route_steps(route: Any) -> list[tuple[str, str, str]]:
    """The (mode, corridor, waypoint) of each step of a ``route`` cell, read
    leniently (a malformed route is reported when its leg is filled, by
    :func:`hubopt.legs.parse_route`); [] for an empty cell.

    Examples
    --------
    >>> route_steps("rail/rail_kz_aktau@AKTAU; caspian_ferry@BAKU; sea")
    [('rail', 'rail_kz_aktau', 'AKTAU'), ('caspian_ferry', '', 'BAKU'), ('sea', '', '')]
    >>> route_steps(float("nan"))
    []
    """
    if not isinstance(route, str):
        return []
    steps = []
    for part in route.split(";"):
        text, _, to = part.partition("@")
        mode, _, corridor = text.partition("/")
        if mode.strip():
            steps.append((mode.strip().lower(), corridor.strip(), to.strip()))
    return steps


@dataclass(frozen=True)
class LegStops:
    """Per leg: its (mode, corridor) pairs (its own and its route steps') and the
    waypoints it passes (route step ends other than its own two ends, and its export
    port)."""

    pairs: list[set[tuple[str, str]]]
    through: list[set[str]]

    @classmethod
    def of(cls, legs: pd.DataFrame) -> LegStops:
        n = len(legs)
        routes = legs["route"] if "route" in legs.columns else pd.Series([None] * n)
        ports = (
            legs["export_port"]
            if "export_port" in legs.columns
            else pd.Series([None] * n)
        )
        pairs, through = [], []
        for a, b, mode, corridor, route, port in zip(
            legs["origin"],
            legs["destination"],
            legs["mode"],
            legs["corridor"],
            routes,
            ports,
            strict=True,
        ):
            steps = route_steps(route)
            pairs.append({(str(mode), str(corridor))} | {(m, c) for m, c, _ in steps})
            passed = {to for _, _, to in steps if to}
            if isinstance(port, str) and port.strip():
                passed.add(port.strip())
            through.append(passed - {a, b})
        return cls(pairs, through)

    def nodes(self) -> set[str]:
        """Every waypoint some leg passes."""
        return set().union(*self.through) if self.through else set()

    def corridors(self) -> set[str]:
        return {c for pairs in self.pairs for _, c in pairs if c}

    def modes(self) -> set[str]:
        return {m for pairs in self.pairs for m, _ in pairs if m}


def known_names(legs: pd.DataFrame, node_ids: set[str]) -> dict[str, set[str]]:
    """What a capacities row may name, per selector column: the node ids and the
    waypoints the legs pass, the legs' corridors and modes (their own and their
    route steps')."""
    stops = LegStops.of(legs)
    return {
        "node": set(node_ids) | stops.nodes(),
        "corridor": stops.corridors(),
        "mode": stops.modes(),
    }


def still_named(capacities: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> Any:
    """True per capacities row whose node, corridor and mode the legs of ``tables``
    still name (a scenario that closes a corridor drops its legs, and with them the
    rows that limited only those legs: they would carry nothing)."""
    node_ids = set().union(
        *(set(tables[t]["id"]) for t in ("origins", "hubs", "destinations"))
    )
    known = known_names(tables["legs"], node_ids)
    return np.array(
        [
            all(not getattr(row, c) or getattr(row, c) in known[c] for c in SELECTORS)
            for row in capacities.itertuples(index=False)
        ],
        dtype=bool,
    )


def selected_legs(
    legs: pd.DataFrame,
    stops: LegStops,
    origin_ids: set[str],
    row: Any,
) -> np.ndarray:
    """Positions in ``legs`` of the legs a capacities row (with node, corridor and
    mode as text, '' where not given) selects."""
    keep = np.ones(len(legs), dtype=bool)
    node, corridor, mode = (str(getattr(row, c)) for c in SELECTORS)
    if node:
        ends = legs["origin" if node in origin_ids else "destination"].to_numpy()
        keep &= (ends == node) | np.array([node in t for t in stops.through], bool)
    if corridor or mode:
        keep &= np.array(
            [
                any(
                    (not mode or m == mode) and (not corridor or c == corridor)
                    for m, c in pairs
                )
                for pairs in stops.pairs
            ],
            dtype=bool,
        )
    return np.flatnonzero(keep)


def capacity_selection(tables: dict[str, pd.DataFrame]) -> list[np.ndarray]:
    """The legs each row of the capacities table selects, in its order."""
    capacities = tables["capacities"]
    if not len(capacities):
        return []
    legs = tables["legs"]
    stops = LegStops.of(legs)
    origin_ids = set(tables["origins"]["id"])
    return [
        selected_legs(legs, stops, origin_ids, row)
        for row in capacities.itertuples(index=False)
    ]
