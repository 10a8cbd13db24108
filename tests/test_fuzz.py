"""Property-based tests: random valid networks, solved and checked.

Every solve goes through the independent checker (the autouse fixture in conftest and
explicitly here): no violated constraint, the objective recomputed from the flows equals
the reported one. On top, invariants any correct hub-siting model obeys:

- adding a leg never raises the optimal cost;
- adding hub capacity never raises the optimal cost;
- scaling every cost by k scales the optimal objective by k;
- relabelling every id (and shuffling the rows) changes nothing but the labels.

Networks are small (at most 3 origins, 4 hubs, 4 markets) so each solve takes
milliseconds; one test checks all four invariants on each example (five solves), so
``max_examples`` bounds the run time; ``derandomize`` makes CI reproducible.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hubopt

SETTINGS = settings(
    max_examples=15,
    database=None,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
#: Relative tolerance between two proven optima (the solve's mip_gap is 1e-7).
REL = 1e-6


@st.composite
def networks(draw) -> hubopt.Network:
    """A random valid network; every market has an unmet penalty, so it is feasible."""
    n_o = draw(st.integers(1, 3))
    n_h = draw(st.integers(1, 4))
    n_d = draw(st.integers(1, 4))
    small = st.integers(0, 20).map(float)
    origins = pd.DataFrame(
        {
            "id": [f"O{i}" for i in range(n_o)],
            "name": "origin",
            "lon": [float(i) for i in range(n_o)],
            "lat": 50.0,
            "supply_t": [draw(st.integers(0, 200)) * 1.0 for _ in range(n_o)],
            "cost_per_t": [draw(small) for _ in range(n_o)],
        }
    )
    hubs = pd.DataFrame(
        {
            "id": [f"H{i}" for i in range(n_h)],
            "name": "hub",
            "lon": [float(i) for i in range(n_h)],
            "lat": 40.0,
            "handling_cost_per_t": [draw(small) for _ in range(n_h)],
            "capacity_t": [
                draw(st.one_of(st.just(math.nan), st.integers(0, 250).map(float)))
                for _ in range(n_h)
            ],
            "fixed_cost": [draw(st.integers(0, 500)) * 1.0 for _ in range(n_h)],
            "status": [
                draw(st.sampled_from(["candidate"] * 4 + ["open", "closed"]))
                for _ in range(n_h)
            ],
        }
    )
    destinations = pd.DataFrame(
        {
            "id": [f"D{i}" for i in range(n_d)],
            "name": "market",
            "lon": [float(i) for i in range(n_d)],
            "lat": 30.0,
            "demand_t": [draw(st.integers(0, 150)) * 1.0 for _ in range(n_d)],
            "unmet_penalty_per_t": [
                draw(st.integers(50, 400)) * 1.0 for _ in range(n_d)
            ],
        }
    )
    pairs = (
        [(o, h) for o in origins["id"] for h in hubs["id"]]
        + [(h, d) for h in hubs["id"] for d in destinations["id"]]
        + [(o, d) for o in origins["id"] for d in destinations["id"]]
    )
    chosen = draw(st.lists(st.sampled_from(pairs), min_size=1, unique=True))
    legs = pd.DataFrame(
        {
            "origin": [a for a, _ in chosen],
            "destination": [b for _, b in chosen],
            "mode": "road",
            "cost_per_t": [draw(st.integers(0, 30)) * 1.0 for _ in chosen],
        }
    )
    return hubopt.Network.from_frames(origins, hubs, destinations, legs)


def _solve(network: hubopt.Network) -> hubopt.Result:
    """Solve and check: conftest's autouse fixture runs the independent checker
    (constraints, and the objective recomputed from the flows) inside hubopt.solve."""
    result = hubopt.solve(network, marginal_values=False)
    assert result.status == "optimal"
    assert result.costs.total == pytest.approx(result.objective, rel=REL, abs=1e-6)
    return result


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL, abs_tol=1e-6)


def _more_legs(network: hubopt.Network, data) -> hubopt.Network:
    origin = data.draw(st.sampled_from([*network.origins["id"], *network.hubs["id"]]))
    targets = list(network.destinations["id"])
    if origin in set(network.origins["id"]):
        targets += list(network.hubs["id"])
    new = pd.DataFrame(
        {
            "origin": [origin],
            "destination": [data.draw(st.sampled_from(targets))],
            "mode": ["rail"],  # a second mode on an existing pair is a new leg too
            "cost_per_t": [data.draw(st.integers(0, 30)) * 1.0],
        }
    )
    return network.replace(legs=pd.concat([network.legs, new], ignore_index=True))


def _more_capacity(network: hubopt.Network, data) -> hubopt.Network:
    hubs = network.hubs
    pos = data.draw(st.integers(0, len(hubs) - 1))
    extra = data.draw(st.one_of(st.just(math.inf), st.integers(1, 200).map(float)))
    capacity = hubs.loc[pos, "capacity_t"]
    if not np.isnan(capacity):
        hubs.loc[pos, "capacity_t"] = np.nan if math.isinf(extra) else capacity + extra
    return network.replace(hubs=hubs)


def _scaled(network: hubopt.Network, k: float) -> hubopt.Network:
    origins, hubs = network.origins, network.hubs
    destinations, legs = network.destinations, network.legs
    origins["cost_per_t"] *= k
    hubs["handling_cost_per_t"] *= k
    hubs["fixed_cost"] *= k
    destinations["unmet_penalty_per_t"] *= k
    legs["cost_per_t"] *= k
    return network.replace(
        origins=origins, hubs=hubs, destinations=destinations, legs=legs
    )


def _relabelled(network: hubopt.Network, rng) -> tuple[hubopt.Network, dict]:
    """Every id renamed to a label PuLP would mangle in a variable name (spaces,
    dashes, unicode, a leading digit), and every table's rows shuffled."""
    ids = [*network.origins["id"], *network.hubs["id"], *network.destinations["id"]]
    names = [
        f"{n}-ñ {i} 港" for i, n in enumerate(rng.sample(range(100, 999), len(ids)))
    ]
    label = dict(zip(ids, names, strict=True))

    def relabel(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
        frame = frame.copy()
        for col in columns:
            frame[col] = frame[col].map(label)
        order = list(range(len(frame)))
        rng.shuffle(order)
        return frame.iloc[order].reset_index(drop=True)

    renamed = hubopt.Network.from_frames(
        relabel(network.origins, ["id"]),
        relabel(network.hubs, ["id"]),
        relabel(network.destinations, ["id"]),
        relabel(network.legs, ["origin", "destination"]),
    )
    return renamed, label


@SETTINGS
@given(
    networks(),
    st.data(),
    st.sampled_from([0.5, 2.0, 3.0, 10.0]),
    st.randoms(use_true_random=False),
)
def test_random_networks_solve_checked_and_keep_invariants(network, data, k, rng):
    base = _solve(network)
    cost = base.objective
    slack = REL * max(1.0, abs(cost))

    more = _solve(_more_legs(network, data)).objective
    assert more <= cost + slack, f"adding a leg raised the cost {cost} -> {more}"

    more = _solve(_more_capacity(network, data)).objective
    assert more <= cost + slack, f"adding capacity raised the cost {cost} -> {more}"

    scaled = _solve(_scaled(network, k)).objective
    assert _close(scaled, k * cost), f"costs x{k}: objective {cost} -> {scaled}"

    renamed, label = _relabelled(network, rng)
    again = _solve(renamed)
    assert _close(again.objective, cost), f"relabelled: {cost} -> {again.objective}"
    assert set(again.flows["from"]) | set(again.flows["to"]) <= set(label.values())
    assert set(again.hubs["hub_id"]) == {label[h] for h in network.hubs["id"]}
