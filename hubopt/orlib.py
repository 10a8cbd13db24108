"""OR-Library capacitated warehouse location instances as hub networks.

J.E. Beasley, "An algorithm for solving large capacitated warehouse location problems",
European Journal of Operational Research 33 (1988) 314-325; distributed by OR-Library.
Mapping: one origin with supply equal to total demand and free legs to every site; each
site a hub (fixed cost, capacity); each customer a destination; a leg from every site to
every customer at cost per tonne ``c_ij / demand_j``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import ValidationError
from .network import Network


def read_orlib(
    path: str | os.PathLike[str],
    *,
    capacity: float | None = None,
    uncapacitated: bool = False,
) -> Network:
    """Read an OR-Library ``cap*.txt`` file as a hub network.

    Parameters
    ----------
    path
        The instance file.
    capacity
        The capacity of every site, for capa/capb/capc whose files hold the word
        ``capacity`` instead of a number.
    uncapacitated
        Ignore capacities (the uncapacitated variant).

    Returns
    -------
    Network

    Examples
    --------
    A made-up instance with 2 sites and 3 customers, in the cap format (the real
    ones are in ``benchmarks/orlib/`` of a checkout; ``examples/orlib_instances.py``
    solves them against their published optima):

    >>> import tempfile
    >>> from pathlib import Path
    >>> import hubopt
    >>> from hubopt.orlib import read_orlib
    >>> rows = ["2 3", "100 50.0", "100 80.0",  # m n; capacity, fixed cost per site
    ...         "40 40.0 80.0", "30 60.0 30.0", "20 40.0 20.0"]  # demand, c_1j, c_2j
    >>> file = Path(tempfile.mkdtemp()) / "cap_tiny.txt"
    >>> _ = file.write_text(" ".join(rows))
    >>> net = read_orlib(file)
    >>> net
    Network('cap_tiny': 1 origins, 2 hubs, 3 destinations, 8 legs)
    >>> hubopt.solve(net).objective  # open site 1 (50) and serve all: 40 + 60 + 40
    190.0
    """
    path = Path(path)
    try:
        tokens = path.read_text(encoding="ascii").split()
    except (OSError, UnicodeDecodeError) as exc:
        msg = f"OR-Library file '{path}': cannot be read ({exc})"
        raise ValidationError(msg) from None
    try:
        m, n = int(tokens[0]), int(tokens[1])
        pos = 2
        caps, fixed = [], []
        for _ in range(m):
            word = tokens[pos]
            if word.lower() == "capacity":
                if capacity is None and not uncapacitated:
                    msg = (
                        f"OR-Library file '{path}': capacities are the word "
                        "'capacity'; pass capacity=... (see optima.csv)"
                    )
                    raise ValidationError(msg)
                caps.append(np.nan if capacity is None else float(capacity))
            else:
                caps.append(float(word) if capacity is None else float(capacity))
            fixed.append(float(tokens[pos + 1]))
            pos += 2
        body = np.array(tokens[pos : pos + n * (m + 1)], dtype=float)
        if body.size != n * (m + 1):
            msg = f"OR-Library file '{path}': expected {n} customers with {m} costs"
            raise ValidationError(msg)
    except (IndexError, ValueError) as exc:
        if isinstance(exc, ValidationError):
            raise
        msg = f"OR-Library file '{path}': not in the cap format ({exc})"
        raise ValidationError(msg) from None
    body = body.reshape(n, m + 1)
    return facility_network(
        path.stem,
        capacity=np.full(m, np.nan) if uncapacitated else np.array(caps),
        fixed_cost=np.array(fixed),
        demand=body[:, 0],
        cost=body[:, 1:].T,
    )


def facility_network(
    name: str,
    *,
    capacity: np.ndarray,
    fixed_cost: np.ndarray,
    demand: np.ndarray,
    cost: np.ndarray,
) -> Network:
    """A capacitated facility location instance as a hub network.

    The mapping of the module docstring, shared by the OR-Library and the Holmberg
    readers (:mod:`hubopt.holmberg`): hubs ``W1..Wm``, destinations ``C1..Cn`` and
    one origin ``SOURCE``.

    Parameters
    ----------
    name
        The network's name.
    capacity, fixed_cost
        Per site, shape (m,); a NaN capacity is uncapacitated.
    demand
        Per customer, shape (n,).
    cost
        Shape (m, n): ``cost[i, j]`` serves ALL of customer j from site i.

    Returns
    -------
    Network
    """
    m, n = cost.shape
    hub_ids = [f"W{i + 1}" for i in range(m)]
    dest_ids = [f"C{j + 1}" for j in range(n)]
    origins = pd.DataFrame(
        {
            "id": ["SOURCE"],
            "name": ["source"],
            "lon": [0.0],
            "lat": [0.0],
            "supply_t": [float(demand.sum())],
        }
    )
    hubs = pd.DataFrame(
        {
            "id": hub_ids,
            "name": hub_ids,
            "lon": 0.0,
            "lat": 0.0,
            "capacity_t": capacity,
            "fixed_cost": fixed_cost,
        }
    )
    dests = pd.DataFrame(
        {"id": dest_ids, "name": dest_ids, "lon": 0.0, "lat": 0.0, "demand_t": demand}
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        per_t = np.where(demand[None, :] > 0, cost / demand[None, :], 0.0)
    inbound = pd.DataFrame(
        {"origin": "SOURCE", "destination": hub_ids, "mode": "none", "cost_per_t": 0.0}
    )
    outbound = pd.DataFrame(
        {
            "origin": np.repeat(hub_ids, n),
            "destination": np.tile(dest_ids, m),
            "mode": "none",
            "cost_per_t": per_t.reshape(-1),
        }
    )
    legs = pd.concat([inbound, outbound], ignore_index=True)
    return Network.from_frames(origins, hubs, dests, legs, name=name, modes=_NO_MODE)


#: The one mode of an OR-Library network's legs: the instance gives each leg's cost,
#: so none of these parameters is ever used (no leg is routed or costed from them).
_NO_MODE = pd.DataFrame(
    {
        "mode": ["none"],
        "cost_per_tkm": [0.0],
        "cost_per_t": [0.0],
        "speed_km_per_day": [1.0],
        "co2_kg_per_tkm": [0.0],
        "transfer_cost_per_t": [0.0],
        "transfer_days": [0.0],
        "circuity": [1.0],
        "source": ["placeholder: OR-Library instances give every leg's cost"],
    }
)
