"""The hubopt network: five tables, validated once, immutable afterwards.

A network holds ``origins`` (supply), ``hubs`` (candidate sites), optional
``hub_levels`` (modular sizes), ``destinations`` (markets) and ``legs`` (directed arcs
between them), plus an optional ``corridors`` layer of land-route polylines. See
``docs/format.md``. What each table holds, and every check on it, lives in
``hubopt._validate``; writing a network is :func:`hubopt.io.write_network`, filling
and generating its legs :func:`hubopt.legs.with_leg_attributes` and
:func:`hubopt.legs.generate_legs`.
"""

from __future__ import annotations

import functools
import os
from typing import Any

import numpy as np
import pandas as pd

from . import _capacities, _validate
from ._validate import HUB_STATUSES as HUB_STATUSES
from ._validate import NODE_TABLES as NODE_TABLES
from ._validate import SPECS as SPECS
from ._validate import TABLES as TABLES
from .errors import ValidationError
from .freight import VOYAGE_MODES
from .modes import load_modes

#: Largest magnitude accepted for any number; beyond it a value is a data error.
MAX_ABS_VALUE = _validate.MAX_ABS_VALUE


@functools.cache
def _bundled_mode_names() -> tuple[str, ...]:
    """The names of the bundled modes table (read once) and the voyage modes, which
    :mod:`hubopt.freight` prices without a row there."""
    return (*load_modes()["mode"], *VOYAGE_MODES)


class Network:
    """A validated hub network.

    Build one with :meth:`from_frames` or :func:`hubopt.read_network`; the constructor
    is internal. The tables come back as copies, so editing them never changes the
    network: use :meth:`replace` to derive a new one.

    Examples
    --------
    >>> import pandas as pd
    >>> from hubopt import Network
    >>> net = Network.from_frames(
    ...     origins=pd.DataFrame({"id": ["O"], "name": ["Farm"], "lon": [0.0],
    ...                           "lat": [0.0], "supply_t": [100.0]}),
    ...     hubs=pd.DataFrame({"id": ["H"], "name": ["Port"], "lon": [1.0],
    ...                        "lat": [0.0], "fixed_cost": [50.0]}),
    ...     destinations=pd.DataFrame({"id": ["D"], "name": ["City"], "lon": [2.0],
    ...                                "lat": [0.0], "demand_t": [80.0]}),
    ...     legs=pd.DataFrame({"origin": ["O", "H"], "destination": ["H", "D"],
    ...                        "mode": ["sea", "sea"], "cost_per_t": [1.0, 2.0]}),
    ... )
    >>> net
    Network('network': 1 origins, 1 hubs, 1 destinations, 2 legs)
    """

    def __init__(
        self,
        tables: dict[str, pd.DataFrame],
        corridors: Any,
        name: str,
        modes: pd.DataFrame | None = None,
    ):
        self._tables = tables
        self._corridors = corridors
        self.name = name
        self._modes = modes

    # -- construction -----------------------------------------------------------------
    @classmethod
    def from_frames(
        cls,
        origins: pd.DataFrame,
        hubs: pd.DataFrame,
        destinations: pd.DataFrame,
        legs: pd.DataFrame,
        hub_levels: pd.DataFrame | None = None,
        corridors: pd.DataFrame | None = None,
        *,
        name: str = "network",
        capacities: pd.DataFrame | None = None,
        modes: pd.DataFrame | str | os.PathLike[str] | None = None,
    ) -> Network:
        """Validate DataFrames or GeoDataFrames and build a network.

        Parameters
        ----------
        origins, hubs, destinations
            Node tables. A GeoDataFrame's point geometry may stand in for lon/lat; it
            must have a CRS and is converted to WGS84.
        legs
            Directed legs origin->hub, hub->destination or origin->destination. An
            optional ``geometry`` column holds each leg's route (LineString, WGS84).
        hub_levels
            Optional modular capacity levels per hub.
        corridors
            Optional land-route polylines (id, mode, geometry).
        name
            A label for the network, used in reports.
        capacities
            Optional capacities on nodes and sets of legs (id, capacity_t, node,
            corridor, mode; see ``docs/format.md``).
        modes
            The modes table (:func:`hubopt.modes.load_modes`: a DataFrame or a CSV
            path) whose names the legs may use; the bundled ``data/modes.csv`` when
            None. The network keeps it (:attr:`modes`).

        Returns
        -------
        Network

        Raises
        ------
        ValidationError
            Listing every problem found, each with its table, row, column and value:
            a leg's unknown mode is one of them, with the valid names.

        Examples
        --------
        See the class example above; a GeoDataFrame works the same way:

        >>> import geopandas as gpd
        >>> import hubopt
        >>> tiny = hubopt.datasets.tiny()
        >>> hubs = tiny.hubs
        >>> hubs = gpd.GeoDataFrame(
        ...     hubs.drop(columns=["lon", "lat"]),
        ...     geometry=gpd.points_from_xy(hubs["lon"], hubs["lat"]),
        ...     crs="EPSG:4326",
        ... ).to_crs("EPSG:3857")
        >>> net = hubopt.Network.from_frames(
        ...     tiny.origins, hubs, tiny.destinations, tiny.legs, name="projected"
        ... )
        >>> net.hubs[["id", "lon", "lat"]].round(6).values.tolist()[0]
        ['H1', 5.0, 44.0]
        """
        raw = {
            "origins": origins,
            "hubs": hubs,
            "destinations": destinations,
            "legs": legs,
            "hub_levels": hub_levels,
            "capacities": capacities,
        }
        table = None if modes is None else load_modes(modes)
        names = (
            _bundled_mode_names() if table is None else (*table["mode"], *VOYAGE_MODES)
        )
        tables, corridor_frame = _validate.validate_tables(raw, corridors, names)
        return cls(tables, corridor_frame, str(name), table)

    def replace(
        self, *, name: str | None = None, modes: Any = None, **tables: Any
    ) -> Network:
        """A new, validated network with some tables replaced.

        Parameters
        ----------
        name
            A new label; the current one by default.
        modes
            A new modes table; the network's own (:attr:`modes`) by default.
        **tables
            Any of origins, hubs, hub_levels, destinations, legs, corridors,
            capacities. New legs without new capacities keep the capacities rows
            whose node, corridor and mode they still name; the others (the rows of a
            corridor whose legs were dropped) would limit nothing and go.

        Returns
        -------
        Network

        Examples
        --------
        >>> import hubopt
        >>> net = hubopt.datasets.tiny()
        >>> destinations = net.destinations  # a copy: editing it changes nothing yet
        >>> destinations["demand_t"] *= 1.1
        >>> busier = net.replace(destinations=destinations, name="tiny +10%")
        >>> round(net.total_demand_t), round(busier.total_demand_t)
        (200, 220)
        """
        unknown = set(tables) - {*TABLES, "corridors"}
        if unknown:
            msg = f"unknown table(s) {sorted(unknown)}; known: {[*TABLES, 'corridors']}"
            raise ValidationError(msg)
        current: dict[str, Any] = {t: self._tables[t] for t in TABLES}
        current["corridors"] = self._corridors
        current.update(tables)
        capacities = current["capacities"]
        keep_named = "legs" in tables and "capacities" not in tables
        if keep_named and len(capacities):
            current["capacities"] = None
        net = Network.from_frames(
            current["origins"],
            current["hubs"],
            current["destinations"],
            current["legs"],
            current["hub_levels"],
            current["corridors"],
            name=self.name if name is None else name,
            capacities=current["capacities"],
            modes=self._modes if modes is None else modes,
        )
        if keep_named and len(capacities):  # rows validated here before, on these
            named = _capacities.still_named(capacities, net._tables)
            net._tables["capacities"] = capacities[named].reset_index(drop=True)
        return net

    # -- tables ---------------------------------------------------------------------
    @property
    def origins(self) -> pd.DataFrame:
        """Supply nodes: id, name, lon, lat, supply_t, cost_per_t and extra columns.

        Examples
        --------
        >>> import hubopt
        >>> hubopt.datasets.tiny().origins[["id", "supply_t"]]
           id  supply_t
        0  O1     150.0
        1  O2     100.0
        """
        return self._tables["origins"].copy()

    @property
    def hubs(self) -> pd.DataFrame:
        """Candidate hubs: id, name, lon, lat, handling_cost_per_t, capacity_t,
        fixed_cost, status and extra columns.

        Examples
        --------
        >>> import hubopt
        >>> hubopt.datasets.tiny().hubs[["id", "capacity_t", "fixed_cost", "status"]]
           id  capacity_t  fixed_cost     status
        0  H1       100.0       100.0  candidate
        1  H2       200.0       150.0  candidate
        2  H3        60.0        50.0  candidate
        """
        return self._tables["hubs"].copy()

    @property
    def hub_levels(self) -> pd.DataFrame:
        """Modular levels: hub_id, level, capacity_t, fixed_cost (may be empty).

        Examples
        --------
        >>> import hubopt
        >>> hubopt.datasets.tiny().hub_levels.empty  # tiny has no modular levels
        True
        >>> hubopt.datasets.morocco_kazakhstan().hub_levels["level"].unique().tolist()
        ['S', 'M', 'L', 'XL']
        """
        return self._tables["hub_levels"].copy()

    @property
    def capacities(self) -> pd.DataFrame:
        """Capacities on nodes and sets of legs: id, capacity_t, node, corridor,
        mode and extra columns (may be empty).

        Examples
        --------
        >>> import hubopt
        >>> hubopt.datasets.tiny().capacities.empty
        True
        """
        return self._tables["capacities"].copy()

    @property
    def destinations(self) -> pd.DataFrame:
        """Markets: id, name, lon, lat, demand_t, unmet_penalty_per_t,
        max_transit_days and extra columns.

        Examples
        --------
        >>> import hubopt
        >>> hubopt.datasets.tiny().destinations["demand_t"].tolist()
        [80.0, 70.0, 50.0]
        """
        return self._tables["destinations"].copy()

    @property
    def legs(self) -> pd.DataFrame:
        """Legs: origin, destination, mode, corridor, cost_per_t, distance_km,
        transit_days, co2_kg_per_t, an optional geometry and extra columns.

        Examples
        --------
        >>> import hubopt
        >>> hubopt.datasets.tiny().legs[["origin", "destination", "mode"]].head(2)
          origin destination  mode
        0     O1          H1  rail
        1     O1          H2  rail
        """
        return self._tables["legs"].copy()

    @property
    def modes(self) -> pd.DataFrame:
        """The modes table the legs were checked against (a copy): the one given to
        :meth:`from_frames`, or the bundled ``data/modes.csv``.

        Examples
        --------
        >>> import hubopt
        >>> sorted(set(hubopt.datasets.tiny().legs["mode"]) - set(
        ...     hubopt.datasets.tiny().modes["mode"]))
        []
        """
        return (load_modes() if self._modes is None else self._modes).copy()

    @property
    def own_modes(self) -> pd.DataFrame | None:
        """The modes table given to :meth:`from_frames` (a copy), or None when the
        network uses the bundled one; :func:`hubopt.write_network` writes it as
        ``modes.csv`` beside the legs."""
        return None if self._modes is None else self._modes.copy()

    @property
    def corridors(self) -> Any:
        """Land-route polylines as a GeoDataFrame (id, mode, geometry), or None.

        Examples
        --------
        >>> import hubopt
        >>> corridors = hubopt.datasets.morocco_kazakhstan().corridors
        >>> len(corridors), corridors.crs.to_epsg()
        (16, 4326)
        """
        return None if self._corridors is None else self._corridors.copy()

    def table(self, name: str) -> pd.DataFrame:
        """One table by name (a copy).

        Examples
        --------
        >>> import hubopt
        >>> hubopt.datasets.tiny().table("hub_levels").columns.tolist()
        ['hub_id', 'level', 'capacity_t', 'fixed_cost']
        """
        if name == "corridors":
            return self.corridors
        if name not in self._tables:
            msg = f"unknown table '{name}'; known: {[*TABLES, 'corridors']}"
            raise ValidationError(msg)
        return self._tables[name].copy()

    def column(self, table: str, name: str) -> pd.Series:
        """One column of a table, its default in every blank or missing cell.

        An optional column a table has only when given (``dwell_days`` of the hubs)
        comes back with its default (0 days) where the user left it out or empty;
        the always-present optional columns (``fixed_cost``, ``status`` ...) already
        hold their defaults. Aligned with :meth:`table`.

        Parameters
        ----------
        table
            One of origins, hubs, hub_levels, destinations, legs.
        name
            A column of that table.

        Returns
        -------
        pandas.Series

        Raises
        ------
        ValidationError
            For an unknown table, or a column the table neither has nor knows.

        Examples
        --------
        >>> import hubopt
        >>> tiny = hubopt.datasets.tiny()
        >>> "dwell_days" in tiny.hubs.columns
        False
        >>> tiny.column("hubs", "dwell_days").tolist()
        [0.0, 0.0, 0.0]
        """
        if table not in self._tables:
            msg = f"unknown table '{table}'; known: {list(TABLES)}"
            raise ValidationError(msg)
        return _validate.column_or_default(self._tables[table], table, name)

    def node_coordinates(self) -> pd.DataFrame:
        """Every node's lon, lat and kind (origin, hub, destination), indexed by id.

        Examples
        --------
        >>> import hubopt
        >>> nodes = hubopt.datasets.tiny().node_coordinates()
        >>> nodes.loc[["O1", "H1"]]  # doctest: +NORMALIZE_WHITESPACE
                  name   lon   lat    kind
        id
        O1  North farm  10.0  50.0  origin
        H1   West port   5.0  44.0     hub
        """
        parts = []
        for table, kind in (
            ("origins", "origin"),
            ("hubs", "hub"),
            ("destinations", "destination"),
        ):
            frame = self._tables[table][["id", "name", "lon", "lat"]].copy()
            frame["kind"] = kind
            parts.append(frame)
        return pd.concat(parts, ignore_index=True).set_index("id")

    def leg_kinds(self) -> pd.Series:
        """Each leg's kind: 'inbound' (origin->hub), 'outbound' (hub->destination) or
        'direct' (origin->destination), aligned with :attr:`legs`.

        Examples
        --------
        >>> import hubopt
        >>> hubopt.datasets.tiny().leg_kinds().value_counts().to_dict()
        {'outbound': 7, 'inbound': 5, 'direct': 1}
        """
        legs = self._tables["legs"]
        hub_ids = set(self._tables["hubs"]["id"])
        is_in = legs["destination"].isin(hub_ids)
        is_out = legs["origin"].isin(hub_ids)
        kinds = np.where(is_in, "inbound", np.where(is_out, "outbound", "direct"))
        return pd.Series(kinds, index=legs.index, name="kind")

    # -- conveniences ---------------------------------------------------------------
    @property
    def total_supply_t(self) -> float:
        """Sum of supply over origins, in tonnes.

        Examples
        --------
        >>> import hubopt
        >>> hubopt.datasets.tiny().total_supply_t
        250.0
        """
        return float(self._tables["origins"]["supply_t"].sum())

    @property
    def total_demand_t(self) -> float:
        """Sum of demand over destinations, in tonnes.

        Examples
        --------
        >>> import hubopt
        >>> hubopt.datasets.tiny().total_demand_t
        200.0
        """
        return float(self._tables["destinations"]["demand_t"].sum())

    def __repr__(self) -> str:
        t = self._tables
        return (
            f"Network('{self.name}': {len(t['origins'])} origins, "
            f"{len(t['hubs'])} hubs, {len(t['destinations'])} destinations, "
            f"{len(t['legs'])} legs)"
        )
