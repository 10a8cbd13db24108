"""Scenarios: disruptions and changes applied to a network, and their comparison.

A :class:`Scenario` describes what changes (closed passages, corridors and hubs,
freight and demand multipliers, a carbon price); :meth:`Scenario.apply` returns a new
:class:`~hubopt.network.Network` with the change made, re-routing legs round closed
passages. :func:`compare` solves a batch of scenarios in parallel and tabulates them.
Scenarios also load from TOML (:func:`read_scenarios`); see docs/scenarios.md.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import solving
from ._tables import decimals_for, rounded
from .config import load_toml
from .datasets import data_root
from .errors import HuboptError, RouteError, ValidationError
from .geo import PASSAGES
from .io import write_csv_atomic
from .legs import fill_leg_attributes
from .network import Network
from .options import SolveOptions
from .parallel import map_tasks
from .result import Result

#: Columns of :attr:`Comparison.table`.
COMPARISON_COLUMNS = (
    "hubs_opened",
    "total_cost",
    "cost_per_t",
    "co2_t",
    "unmet_t",
    "status",
    "message",
)

_LEG_FIGURES = ("distance_km", "cost_per_t", "transit_days", "co2_kg_per_t")


def _multiplier(name: str, value: Any) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float | np.number)
        or not math.isfinite(value)
        or value < 0
    ):
        msg = f"{name} must be a finite number >= 0, got {value!r}"
        raise ValidationError(msg)
    return float(value)


#: The longest scenario name, in characters.
MAX_NAME_CHARS = 200


def _check_name(name: Any) -> None:
    """A scenario name is non-empty text of at most 200 characters without control
    characters; it becomes a file name only through :func:`hubopt.outputs.file_names`.
    """
    if not isinstance(name, str) or not name.strip():
        msg = f"a scenario needs a non-empty name, got {name!r}"
        raise ValidationError(msg)
    control = sorted({c for c in name if unicodedata.category(c) in ("Cc", "Cs")})
    if control:
        msg = (
            f"scenario name {name[:60]!r}: has control character(s) "
            f"{', '.join(repr(c) for c in control)}; use letters, digits, spaces "
            "and punctuation"
        )
        raise ValidationError(msg)
    if len(name) > MAX_NAME_CHARS:
        msg = (
            f"scenario name {name[:60]!r}...: {len(name)} characters, at most "
            f"{MAX_NAME_CHARS}; put the detail in description"
        )
        raise ValidationError(msg)


def _names(name: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = (value,)
    try:
        return tuple(str(v).strip() for v in value)
    except TypeError:
        msg = f"{name} must be a list of ids, got {value!r}"
        raise ValidationError(msg) from None


#: The tables a scenario's ``set`` may edit, and the column each row ``id`` names
#: (legs: ``"ORIGIN->DESTINATION"``).
EDITABLE_TABLES = {
    "origins": "id",
    "hubs": "id",
    "hub_levels": "hub_id",
    "destinations": "id",
    "legs": "origin->destination",
}
#: Columns that identify rows or carry geometry, which ``set`` does not edit.
_KEY_COLUMNS = {"id", "hub_id", "level", "origin", "destination", "geometry"}
_EDIT_KEYS = ("table", "id", "column", "value")


def _table_edits(value: Any) -> tuple[dict[str, Any], ...]:
    """A scenario's ``set`` checked for its shape: a list of tables with a known
    ``table``, a ``column`` name, a number, text or true/false ``value`` and,
    optionally, a row ``id``. Whether the row and column exist is checked against
    the network in :meth:`Scenario.apply`."""
    if isinstance(value, Mapping):
        value = [value]
    if isinstance(value, str) or not isinstance(value, Iterable):
        msg = (
            f'set must be a list of edits such as {{table = "destinations", id = '
            f'"NG_LAGOS", column = "unmet_penalty_per_t", value = 500}}, got {value!r}'
        )
        raise ValidationError(msg)
    edits, problems = [], []
    for pos, edit in enumerate(value, start=1):
        where = f"set[{pos}]"
        if not isinstance(edit, Mapping):
            problems.append(f"{where}: expected a table of {_EDIT_KEYS}, got {edit!r}")
            continue
        unknown = sorted(set(edit) - set(_EDIT_KEYS))
        missing = [k for k in ("table", "column", "value") if k not in edit]
        if unknown or missing:
            problems.append(
                f"{where}: "
                + "; ".join(
                    [f"unknown key(s) {unknown}"] * bool(unknown)
                    + [f"missing key(s) {missing}"] * bool(missing)
                )
                + "; an edit has table, column, value and optionally id"
            )
            continue
        table, column, cell = edit["table"], edit["column"], edit["value"]
        if table not in EDITABLE_TABLES:
            problems.append(
                f"{where}: unknown table {table!r}; use one of "
                f"{', '.join(EDITABLE_TABLES)}"
            )
        if not isinstance(column, str) or column in _KEY_COLUMNS:
            problems.append(
                f"{where}: column {column!r} cannot be set; name a data column such "
                "as unmet_penalty_per_t (ids, levels and geometry are not edited)"
            )
        if isinstance(cell, float) and not math.isfinite(cell):
            problems.append(f"{where}: value {cell!r} is not a finite number")
        elif not isinstance(cell, int | float | str | np.number):
            problems.append(
                f"{where}: value {cell!r} must be a number, text or true/false"
            )
        row = edit.get("id")
        if row is not None and not isinstance(row, str):
            problems.append(f"{where}: id {row!r} must be text (a row id)")
        edits.append(
            {"table": table, "id": row, "column": column, "value": cell}
            if row is not None
            else {"table": table, "column": column, "value": cell}
        )
    if problems:
        raise ValidationError(problems)
    return tuple(edits)


def _row_keys(frame: pd.DataFrame, table: str) -> pd.Series:
    """The row ids ``set`` matches in ``table``."""
    if table == "legs":
        return frame["origin"].astype(str) + "->" + frame["destination"].astype(str)
    return frame[EDITABLE_TABLES[table]].astype(str)


def _apply_edits(network: Network, scenario: Scenario) -> Network:
    """The network with the scenario's ``set`` edits made and validated again."""
    if not scenario.set:
        return network
    frames: dict[str, pd.DataFrame] = {}
    problems = []
    for pos, edit in enumerate(scenario.set, start=1):
        table, column = edit["table"], edit["column"]
        frame = frames.get(table)
        if frame is None:
            frame = frames[table] = getattr(network, table)
        where = f"scenario '{scenario.name}', set[{pos}]: table '{table}'"
        if column not in frame.columns:
            data = sorted(c for c in frame.columns if c not in _KEY_COLUMNS)
            problems.append(
                f"{where} has no column {column!r}; its columns: {', '.join(data)}"
            )
            continue
        rows = np.ones(len(frame), dtype=bool)
        if "id" in edit:
            rows = (_row_keys(frame, table) == edit["id"]).to_numpy()
            if not rows.any():
                problems.append(
                    f"{where} has no row {edit['id']!r} (matched on "
                    f"{EDITABLE_TABLES[table]}); check the id, or leave id out to "
                    "set the whole column"
                )
                continue
        if frame[column].dtype.kind in "if" and isinstance(edit["value"], str):
            frame[column] = frame[column].astype(object)
        frame.loc[rows, column] = edit["value"]
    if problems:
        raise ValidationError(problems)
    if "legs" in frames:
        frames["legs"] = _geo(frames["legs"])
    try:
        return network.replace(**frames)
    except ValidationError as exc:
        msg = [
            f"scenario '{scenario.name}', set: {p} (after the scenario's edits)"
            for p in exc.problems
        ]
        raise ValidationError(msg) from None


@dataclass(frozen=True)
class Scenario:
    """One what-if: a set of changes to a network.

    Parameters
    ----------
    name
        A unique label (the row of :attr:`Comparison.table`).
    avoid
        Sea passages to close (names in :data:`hubopt.geo.PASSAGES`, e.g. "suez",
        "bab_el_mandeb", "bosporus"). Legs whose sea route changes are re-routed and
        get new distance, cost, time and CO2; legs left without a route are dropped.
    close_corridors
        Corridor ids to close: every leg whose ``corridor`` is one of them, or whose
        ``route`` travels along one (``mode/corridor@...``), is dropped.
    freight_multiplier
        Multiplies every leg's cost_per_t.
    mode_multipliers
        Multiplies cost_per_t of legs whose ``mode`` is the key, e.g. {"rail": 1.2}.
    demand_multiplier
        Multiplies every market's demand_t.
    demand_changes
        Multiplier per market id, on top of demand_multiplier: {"NG": 1.3} is +30 %.
    supply_changes
        Multiplier per origin id: {"KZ_KOSTANAY": 0.7} is a 30 % smaller supply.
    close_hubs, open_hubs
        Hub ids forced closed / forced open. A forced-open hub is built and its
        fixed cost paid; the model routes through it only the tonnes for which that
        is cheapest, so it may move 0 t. To make an opened hub move goods, solve
        with ``min_throughput_t`` (or ``min_throughput_share``).
    carbon_price_per_t_co2
        A carbon price for this scenario's solve (None: the caller's).
    probability
        Weight of the scenario in :func:`hubopt.robust` with criterion "expected".
    description
        Free text for reports.
    set
        Edits of the network's tables, applied before every other change: a list of
        ``{"table": ..., "id": ..., "column": ..., "value": ...}``. ``table`` is one
        of :data:`EDITABLE_TABLES`; ``id`` names the row (a hub_levels row by its
        hub_id, every level of that hub; a legs row as ``"ORIGIN->DESTINATION"``,
        every leg between the two); without ``id`` the value goes to every row of
        the column. The edited network is validated as any network is, so a bad
        value is reported as the table, row and column it lands in. See
        docs/scenarios.md.

    Examples
    --------
    >>> import hubopt
    >>> s = hubopt.Scenario("dry year", supply_changes={"O1": 0.5})
    >>> net = s.apply(hubopt.datasets.tiny())
    >>> net.origins.set_index("id").loc["O1", "supply_t"]
    np.float64(75.0)
    >>> short = hubopt.Scenario("short ok", set=[{"table": "destinations",
    ...     "column": "unmet_penalty_per_t", "value": 400}])
    >>> short.apply(hubopt.datasets.tiny()).destinations["unmet_penalty_per_t"].tolist()
    [400.0, 400.0, 400.0]
    """

    name: str
    avoid: tuple[str, ...] = ()
    close_corridors: tuple[str, ...] = ()
    freight_multiplier: float = 1.0
    mode_multipliers: Mapping[str, float] = field(default_factory=dict)
    demand_multiplier: float = 1.0
    demand_changes: Mapping[str, float] = field(default_factory=dict)
    supply_changes: Mapping[str, float] = field(default_factory=dict)
    close_hubs: tuple[str, ...] = ()
    open_hubs: tuple[str, ...] = ()
    carbon_price_per_t_co2: float | None = None
    probability: float | None = None
    description: str = ""
    set: tuple[Mapping[str, Any], ...] = ()

    def __post_init__(self) -> None:
        _check_name(self.name)
        try:
            self._check_fields()
        except ValidationError as exc:  # every message names the scenario, once
            msg = [f"scenario '{self.name}': {p}" for p in exc.problems]
            raise ValidationError(msg) from None

    def _check_fields(self) -> None:
        """Check and normalise every field; one ValidationError listing every
        problem."""
        problems: list[str] = []
        for step in (
            self._check_ids,
            self._check_multipliers,
            self._check_changes,
            self._check_weights,
            self._check_edits,
        ):
            try:
                step()
            except ValidationError as exc:
                problems.extend(exc.problems)
        if problems:
            raise ValidationError(problems)

    def _set(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)

    def _check_ids(self) -> None:
        problems = []
        for name in ("avoid", "close_corridors", "close_hubs", "open_hubs"):
            try:
                self._set(name, _names(name, getattr(self, name)))
            except ValidationError as exc:
                problems.extend(exc.problems)
                self._set(name, ())
        self._set("avoid", tuple(p.lower() for p in self.avoid))
        unknown = [p for p in self.avoid if p not in PASSAGES]
        if unknown:
            problems.append(
                f"unknown passage(s) {unknown} in avoid; "
                f"known: {', '.join(sorted(PASSAGES))}"
            )
        both = set(self.close_hubs) & set(self.open_hubs)
        if both:
            problems.append(f"hubs {sorted(both)} both opened and closed")
        if problems:
            raise ValidationError(problems)

    def _check_multipliers(self) -> None:
        problems = []
        for name in ("freight_multiplier", "demand_multiplier"):
            try:
                self._set(name, _multiplier(name, getattr(self, name)))
            except ValidationError as exc:
                problems.extend(exc.problems)
        if problems:
            raise ValidationError(problems)

    def _check_changes(self) -> None:
        problems = []
        for name in ("mode_multipliers", "demand_changes", "supply_changes"):
            value = getattr(self, name)
            if not isinstance(value, Mapping):
                problems.append(
                    f"{name} must be a mapping of id to multiplier, got {value!r}"
                )
                continue
            checked = {}
            for k, v in value.items():
                try:
                    checked[str(k).strip()] = _multiplier(f"{name}[{k!r}]", v)
                except ValidationError as exc:
                    problems.extend(exc.problems)
            if name == "mode_multipliers":
                checked = {k.lower(): v for k, v in checked.items()}
            self._set(name, checked)
        if problems:
            raise ValidationError(problems)

    def _check_weights(self) -> None:
        problems = []
        price = self.carbon_price_per_t_co2
        if price is not None:
            try:
                _multiplier("carbon_price_per_t_co2", price)
            except ValidationError as exc:
                problems.extend(exc.problems)
        if self.probability is not None:
            try:
                if _multiplier("probability", self.probability) > 1:
                    problems.append(
                        f"probability must be in [0, 1], got {self.probability!r}"
                    )
            except ValidationError:
                problems.append(
                    f"probability must be in [0, 1], got {self.probability!r}"
                )
        if problems:
            raise ValidationError(problems)

    def _check_edits(self) -> None:
        self._set("set", _table_edits(self.set))

    def solve_options(self) -> dict[str, Any]:
        """The solve options this scenario sets (its carbon price, if any).

        Examples
        --------
        >>> import hubopt
        >>> hubopt.Scenario("priced", carbon_price_per_t_co2=50.0).solve_options()
        {'carbon_price_per_t_co2': 50.0}
        >>> hubopt.Scenario("plain").solve_options()
        {}
        """
        if self.carbon_price_per_t_co2 is None:
            return {}
        return {"carbon_price_per_t_co2": self.carbon_price_per_t_co2}

    def apply(
        self,
        network: Network,
        *,
        waypoints: pd.DataFrame | None = None,
        modes: pd.DataFrame | None = None,
    ) -> Network:
        """A new network with this scenario's changes.

        Parameters
        ----------
        network
            The base network (left unchanged).
        waypoints
            Waypoints (id, name, lon, lat) named in the legs' ``route`` cells, needed
            to re-route them when ``avoid`` closes a passage. By default the bundled
            Morocco network's ``waypoints.csv`` when routes name points that are not
            nodes.
        modes
            The modes table used to re-route (the bundled one by default).

        Returns
        -------
        Network

        Raises
        ------
        ValidationError
            An id the network does not have.
        RouteError
            A market that must be served in full has no leg left; the message names
            the closed passages and corridors.

        Notes
        -----
        The ``set`` edits are made first, on the network as given; the closures,
        forced hubs and multipliers then act on the edited tables.

        Examples
        --------
        >>> import hubopt
        >>> net = hubopt.datasets.tiny()
        >>> dry = hubopt.Scenario("dry_year", supply_changes={"O2": 0.5},
        ...                       close_hubs=("H3",))
        >>> changed = dry.apply(net)
        >>> changed.origins["supply_t"].tolist(), changed.hubs["status"].tolist()
        ([150.0, 50.0], ['candidate', 'candidate', 'closed'])
        """
        network = _apply_edits(network, self)
        hubs = network.hubs
        origins = network.origins
        dests = network.destinations
        legs = network.legs
        problems = []
        for label, ids, table in (
            ("close_hubs", self.close_hubs, hubs),
            ("open_hubs", self.open_hubs, hubs),
            ("demand_changes", self.demand_changes, dests),
            ("supply_changes", self.supply_changes, origins),
        ):
            known = set(table["id"])
            for node in ids:
                if node not in known:
                    problems.append(
                        f"scenario '{self.name}', {label}: unknown id {node!r}"
                    )
        routes = (
            legs["route"].fillna("").astype(str)
            if "route" in legs.columns
            else pd.Series("", index=legs.index)
        )
        known_corridors = set(legs["corridor"]) | set(
            [] if network.corridors is None else network.corridors["id"]
        )
        for corridor in self.close_corridors:
            if (
                corridor not in known_corridors
                and not routes.str.contains(f"/{corridor}", regex=False).any()
            ):
                problems.append(
                    f"scenario '{self.name}', close_corridors: no leg uses corridor "
                    f"{corridor!r}"
                )
        if problems:
            raise ValidationError(problems)

        hubs.loc[hubs["id"].isin(self.close_hubs), "status"] = "closed"
        hubs.loc[hubs["id"].isin(self.open_hubs), "status"] = "open"
        dests["demand_t"] = dests["demand_t"] * self.demand_multiplier
        for node, factor in self.demand_changes.items():
            dests.loc[dests["id"] == node, "demand_t"] *= factor
        for node, factor in self.supply_changes.items():
            origins.loc[origins["id"] == node, "supply_t"] *= factor

        keep = np.ones(len(legs), dtype=bool)
        for corridor in self.close_corridors:
            keep &= (legs["corridor"] != corridor).to_numpy()
            keep &= ~routes.str.contains(f"/{corridor}", regex=False).to_numpy()
        legs = legs[keep]
        if self.avoid:
            legs = _reroute(network.replace(legs=_geo(legs)), self, waypoints, modes)
        legs = legs.copy()
        factor = legs["mode"].map(self.mode_multipliers).fillna(1.0)
        legs["cost_per_t"] = legs["cost_per_t"] * self.freight_multiplier * factor
        _check_served(dests, hubs, legs, self)
        return network.replace(
            name=f"{network.name}:{self.name}",
            hubs=hubs,
            origins=origins,
            destinations=dests,
            legs=_geo(legs),
        )


def _geo(legs: pd.DataFrame) -> pd.DataFrame:
    """Legs with route lines as a GeoDataFrame again (Network.legs hands them back in
    a plain column)."""
    if "geometry" in legs.columns and not hasattr(legs, "crs"):
        import geopandas as gpd

        geometry = [g if hasattr(g, "geom_type") else None for g in legs["geometry"]]
        frame = pd.DataFrame(legs).drop(columns=["geometry"])
        return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")
    return legs


def _default_waypoints(network: Network) -> pd.DataFrame | None:
    legs = network.legs
    if "route" not in legs.columns or not legs["route"].fillna("").astype(str).any():
        return None

    file = data_root() / "morocco_kazakhstan" / "waypoints.csv"
    if not file.is_file():
        return None
    frame = pd.read_csv(file)
    # the drafts too: sea_voyage segments are priced from them
    columns = ["id", "name", "lon", "lat", "draft_m", "depth_m"]
    return frame[[c for c in columns if c in frame.columns]]


def _reroute(
    network: Network,
    scenario: Scenario,
    waypoints: pd.DataFrame | None,
    modes: pd.DataFrame | None,
) -> pd.DataFrame:
    """Legs re-routed round the scenario's closed passages: a leg whose distance
    changes takes the new distance, cost, time, CO2 and line; one whose route is not
    affected keeps its figures; one left without a route is dropped."""

    old = network.legs
    _check_reroutable(old, scenario)
    if "geometry" not in old.columns:
        old["geometry"] = None
    cleared = old.copy()
    for col in _LEG_FIGURES:
        cleared[col] = np.nan
    cleared["geometry"] = None
    if waypoints is None:
        waypoints = _default_waypoints(network)
    new = fill_leg_attributes(
        network.replace(legs=cleared),
        modes,
        avoid=scenario.avoid,
        waypoints=waypoints,
        unreachable="drop",
    ).legs
    key = ["origin", "destination", "mode", "corridor"]
    merged = old.reset_index(drop=True).merge(
        new[[*key, *_LEG_FIGURES, "geometry"]],
        on=key,
        how="inner",
        suffixes=("", "_new"),
    )
    before = merged["distance_km"].to_numpy(dtype=float)
    after = merged["distance_km_new"].to_numpy(dtype=float)
    changed = ~np.isclose(before, after, rtol=1e-6, atol=0.01)
    for col in [*_LEG_FIGURES, "geometry"]:
        merged.loc[changed, col] = merged.loc[changed, f"{col}_new"]
    return merged.drop(columns=[f"{c}_new" for c in [*_LEG_FIGURES, "geometry"]])


def _check_reroutable(legs: pd.DataFrame, scenario: Scenario) -> None:
    """``avoid`` re-routes a leg when its distance changes: every leg needs the
    distance_km of its present route (filled with its geometry by
    hubopt.with_leg_attributes), or which legs pass the passage cannot be told."""
    missing = np.flatnonzero(legs["distance_km"].isna().to_numpy())
    if not len(missing):
        return
    passages = ", ".join(scenario.avoid)
    problems = [
        f"scenario '{scenario.name}', avoid ({passages}): table 'legs', leg "
        f"{legs['origin'].iloc[pos]}->{legs['destination'].iloc[pos]}, column "
        "'distance_km': missing, so whether the leg passes the closed passages cannot "
        "be told; fill distances and route geometry with "
        "hubopt.with_leg_attributes(network) before applying the scenario"
        for pos in missing[:20]
    ]
    if len(missing) > 20:
        problems.append(f"{len(missing) - 20} more legs like the above")
    raise ValidationError(problems)


def _check_served(
    dests: pd.DataFrame, hubs: pd.DataFrame, legs: pd.DataFrame, scenario: Scenario
) -> None:
    closed = set(hubs.loc[hubs["status"] == "closed", "id"])
    fed = set(legs.loc[legs["destination"].isin(hubs["id"]), "destination"]) - closed
    reach = legs[
        legs["origin"].isin(fed) | ~legs["origin"].isin(set(hubs["id"]))
    ].groupby("destination")
    reachable = set(reach.groups)
    # a market that may go short or buy elsewhere need not be reachable
    price = dests["unmet_penalty_per_t"]
    if "alternative_cost_per_t" in dests.columns:
        price = price.fillna(dests["alternative_cost_per_t"])
    lost = [
        d
        for d, demand, penalty in zip(
            dests["id"], dests["demand_t"], price, strict=True
        )
        if demand > 0 and pd.isna(penalty) and d not in reachable
    ]
    if lost:
        what = []
        if scenario.avoid:
            what.append(f"passage(s) {', '.join(scenario.avoid)} closed")
        if scenario.close_corridors:
            what.append(f"corridor(s) {', '.join(scenario.close_corridors)} closed")
        if scenario.close_hubs:
            what.append(f"hub(s) {', '.join(scenario.close_hubs)} closed")
        msg = (
            f"scenario '{scenario.name}': market(s) {', '.join(lost)} must be served "
            f"in full but have no route left with {'; '.join(what) or 'its changes'}; "
            "give them an unmet_penalty_per_t, or reopen a passage or corridor"
        )
        raise RouteError(msg)


# ------------------------------------------------------------------------------------
# built-in disruptions
# ------------------------------------------------------------------------------------
def builtin_scenarios() -> list[Scenario]:
    """The baseline and the built-in disruption set for the bundled Morocco network.

    baseline; suez_bab_el_mandeb_closed (Red Sea route shut); bosporus_closed (no
    ship leaves the Black Sea); black_sea_ports_unavailable (the Russian Black Sea
    route, corridor ``black_sea_novorossiysk``, closed; Georgian ports stay open);
    caspian_link_closed (the Aktau-Baku crossing, corridor ``caspian_aktau_baku``, so
    both Trans-Caspian routes); freight_x1_5 and freight_x2 (every leg's cost x1.5,
    x2).

    Examples
    --------
    >>> import hubopt
    >>> [s.name for s in hubopt.builtin_scenarios()][:3]
    ['baseline', 'suez_bab_el_mandeb_closed', 'bosporus_closed']
    """
    return [
        Scenario("baseline", description="the network as given"),
        Scenario(
            "suez_bab_el_mandeb_closed",
            avoid=("suez", "bab_el_mandeb"),
            description="Red Sea route shut: Suez Canal and Bab el-Mandeb closed",
        ),
        Scenario(
            "bosporus_closed",
            avoid=("bosporus",),
            description="Bosporus closed: no ship leaves the Black Sea",
        ),
        Scenario(
            "black_sea_ports_unavailable",
            close_corridors=("black_sea_novorossiysk",),
            description="Russian Black Sea route closed (rail to Novorossiysk)",
        ),
        Scenario(
            "caspian_link_closed",
            close_corridors=("caspian_aktau_baku",),
            description="Caspian crossing Aktau-Baku closed (both Trans-Caspian "
            "routes)",
        ),
        Scenario("freight_x1_5", freight_multiplier=1.5, description="freight x1.5"),
        Scenario("freight_x2", freight_multiplier=2.0, description="freight x2"),
    ]


# ------------------------------------------------------------------------------------
# TOML
# ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ScenarioFile:
    """What a scenario TOML file holds: the scenarios, an optional network path
    (relative paths resolved against the file's folder) and solve options.

    Examples
    --------
    >>> from hubopt.scenarios import scenarios_from_dict
    >>> loaded = scenarios_from_dict(
    ...     {"solve": {"max_hubs": 2},
    ...      "scenario": [{"name": "dear", "freight_multiplier": 1.5}]}
    ... )
    >>> [s.name for s in loaded.scenarios], loaded.network, dict(loaded.solve_options)
    (['dear'], None, {'max_hubs': 2})
    """

    scenarios: tuple[Scenario, ...]
    network: Path | None = None
    solve_options: Mapping[str, Any] = field(default_factory=dict)
    #: A periods folder (``periods = "monthly"``): every scenario is solved over
    #: its periods (:func:`hubopt.periods.read_periods`); None: the annual model.
    periods: Path | None = None


_SCENARIO_FIELDS = {f.name for f in fields(Scenario)}


def scenarios_from_dict(data: Mapping[str, Any], *, where: str = "") -> ScenarioFile:
    """Scenarios from a parsed TOML document; see :func:`read_scenarios`.

    Examples
    --------
    >>> from hubopt.scenarios import scenarios_from_dict
    >>> data = {"scenario": [{"name": "red_sea", "avoid": ["suez", "bab_el_mandeb"]}]}
    >>> scenarios_from_dict(data).scenarios[0].avoid
    ('suez', 'bab_el_mandeb')
    """
    prefix = f"{where}: " if where else ""
    allowed = {"scenario", "network", "periods", "solve", "include_builtin", "paths"}
    unknown = set(data) - allowed
    if unknown:
        msg = (
            f"{prefix}unknown top-level key(s) {sorted(unknown)}; use {sorted(allowed)}"
        )
        raise ValidationError(msg)
    scenarios: list[Scenario] = (
        builtin_scenarios() if data.get("include_builtin", False) else []
    )
    problems = []
    for pos, entry in enumerate(data.get("scenario", [])):
        if not isinstance(entry, Mapping):
            problems.append(f"{prefix}[[scenario]] {pos + 1} is not a table")
            continue
        bad = set(entry) - _SCENARIO_FIELDS
        if bad:
            problems.append(
                f"{prefix}[[scenario]] {entry.get('name', pos + 1)!s}: unknown key(s) "
                f"{sorted(bad)}; known: {sorted(_SCENARIO_FIELDS)}"
            )
            continue
        label = entry.get("name", pos + 1)
        try:
            _check_name(entry.get("name"))
        except ValidationError:
            label = pos + 1  # the name is the problem: the table's position
        try:
            scenarios.append(Scenario(**entry))
        except ValidationError as exc:  # its own lines, not its "N problems" header
            # said once: "[[scenario]] x: ...", not "[[scenario]] x: scenario 'x': ..."
            own = f"scenario '{entry.get('name')}': "
            problems.extend(
                f"{prefix}[[scenario]] {label!s}: {p.removeprefix(own)}"
                for p in exc.problems
            )
        except TypeError as exc:
            problems.append(f"{prefix}[[scenario]] {label!s}: {exc}")
    if problems:
        raise ValidationError(problems)
    _unique(scenarios)
    if not scenarios:
        msg = f"{prefix}no scenarios: add [[scenario]] tables or include_builtin = true"
        raise ValidationError(msg)
    network = data.get("network")
    solve = data.get("solve", {})

    if not isinstance(solve, Mapping):
        msg = f"{prefix}key 'solve': expected a table [solve], got {solve!r}"
        raise ValidationError(msg)
    allowed_options = SolveOptions.keywords()
    bad_options = set(solve) - allowed_options
    if bad_options:
        msg = (
            f"{prefix}[solve]: unknown option(s) {sorted(bad_options)}; known: "
            f"{sorted(allowed_options)}"
        )
        raise ValidationError(msg)
    try:  # the ranges and types SolveOptions checks, named as the file's keys
        SolveOptions(**solve)
    except ValidationError as exc:
        raise ValidationError([f"{prefix}[solve] {p}" for p in exc.problems]) from None
    except TypeError as exc:
        msg = f"{prefix}[solve]: {exc}"
        raise ValidationError(msg) from None
    periods = data.get("periods")
    if periods is not None and not isinstance(periods, str):
        msg = (
            f"{prefix}key 'periods': expected the path of a periods folder (text), "
            f"got {periods!r}"
        )
        raise ValidationError(msg)
    return ScenarioFile(
        tuple(scenarios),
        Path(network) if network else None,
        dict(solve),
        Path(periods) if periods else None,
    )


def read_scenarios(path: str | Path) -> ScenarioFile:
    """Read scenarios from a TOML file.

    The file holds ``[[scenario]]`` tables whose keys are the arguments of
    :class:`Scenario`, and optionally ``network = "path"``, ``include_builtin = true``
    and a ``[solve]`` table of :func:`hubopt.solve` options::

        network = "my_network"          # folder or .gpkg, relative to this file
        periods = "my_network/monthly"  # optional: solve every scenario over periods
        include_builtin = false

        [paths]
        confine = true                  # refuse paths leading out of this folder

        [solve]
        max_hubs = 2

        [[scenario]]
        name = "red_sea_closed"
        avoid = ["suez", "bab_el_mandeb"]

        [[scenario]]
        name = "nigeria_grows"
        demand_changes = { NG_LAGOS = 1.3 }

    Parameters
    ----------
    path
        The TOML file.

    Returns
    -------
    ScenarioFile

    Raises
    ------
    ValidationError
        Unreadable TOML, unknown keys or bad values, with the file name; a network
        path leading out of the file's folder when ``[paths] confine = true``. See
        :mod:`hubopt.config`.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from hubopt import read_scenarios
    >>> file = Path(tempfile.mkdtemp()) / "study.toml"
    >>> lines = ["[[scenario]]", 'name = "dear"', "freight_multiplier = 1.5"]
    >>> _ = file.write_text("\\n".join(lines), encoding="utf-8")
    >>> [s.name for s in read_scenarios(file).scenarios]
    ['dear']
    """

    # safe TOML (tomllib), clean errors for a missing, unreadable, non-UTF-8 or
    # malformed file; paths relative to the file, confined by [paths] confine = true
    config = load_toml(path, label="scenario")
    data = config.data
    network = data.get("network")
    if network is not None:
        data = {**data, "network": str(config.path(network, key="network"))}
    periods = data.get("periods")
    if isinstance(periods, str):  # other types: scenarios_from_dict says what it wants
        data = {**data, "periods": str(config.path(periods, key="periods"))}
    return scenarios_from_dict(data, where=str(path))


def _unique(scenarios: Sequence[Scenario]) -> None:
    seen: set[str] = set()
    dup = [s.name for s in scenarios if s.name in seen or seen.add(s.name)]
    if dup:
        msg = f"scenario names must be unique; repeated: {sorted(set(dup))}"
        raise ValidationError(msg)


# ------------------------------------------------------------------------------------
# comparison
# ------------------------------------------------------------------------------------
@dataclass
class Comparison:
    """Scenarios side by side.

    Attributes
    ----------
    table
        Indexed by scenario name: hubs_opened (';'-joined ids), total_cost,
        cost_per_t (what the delivered tonnes cost, per tonne delivered: purchases
        from the markets' alternative suppliers left out), co2_t, unmet_t,
        delivered_t, status and message.
    results
        Scenario name -> :class:`hubopt.Result` (scenarios that could not be built,
        e.g. a market without a route, have none; see ``message``).

    Examples
    --------
    >>> import hubopt
    >>> runs = [hubopt.Scenario("base"),
    ...         hubopt.Scenario("dear", freight_multiplier=1.5)]
    >>> cmp = hubopt.compare(hubopt.datasets.tiny(), runs, executor="serial",
    ...                      progress=False)
    >>> cmp.table["total_cost"].tolist(), sorted(cmp.results)
    ([1140.0, 1480.0], ['base', 'dear'])
    """

    table: pd.DataFrame
    results: dict[str, Result]

    def write_csv(self, file: str | Path) -> Path:
        """The table as CSV, rounded (:func:`write_table`)."""
        return write_table(self.table, file)

    def __str__(self) -> str:
        return table_text(self.table)


def solve_scenario(
    network: Network, scenario: Scenario, options: Mapping[str, Any]
) -> tuple[Result | None, str]:
    """Apply a scenario and solve it; (result, "") or (None, the error message) when
    the scenario leaves a market without a route. A scenario that does not fit the
    network (an unknown id, a bad ``set`` edit) raises ValidationError. Module level
    so that process pools and Dask can run it.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.scenarios import solve_scenario
    >>> dear = hubopt.Scenario("dear", freight_multiplier=1.5)
    >>> result, message = solve_scenario(hubopt.datasets.tiny(), dear, {})
    >>> result.objective, message
    (1480.0, '')
    """

    try:
        scenario_network = scenario.apply(network)
    except ValidationError:
        raise  # bad input (an unknown id, a bad edit): no table row, but an error
    except HuboptError as exc:  # no route left: the row says so
        return None, str(exc)
    merged = {**options, **scenario.solve_options()}
    merged.setdefault("raise_on_failure", False)
    return solving.solve(scenario_network, **merged), ""


def _solve_and_summarise(
    network: Network, scenario: Scenario, options: Mapping[str, Any]
) -> tuple[Result | None, str, dict[str, Any]]:
    """:func:`solve_scenario` and its :func:`summary_row`, both where the task runs.

    The row needs the result's market and path tables, which take longer to make
    than the pickling of a task; made in the worker, they no longer queue up in the
    parent process, which would otherwise cap the speed-up of :func:`compare`. The
    result keeps the tables it made, so they are not made again.
    """
    result, message = solve_scenario(network, scenario, options)
    return result, message, summary_row(result, message)


def summary_row(result: Result | None, message: str = "") -> dict[str, Any]:
    """One row of a comparison table for a result.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.scenarios import summary_row
    >>> row = summary_row(hubopt.solve(hubopt.datasets.tiny()))
    >>> row["hubs_opened"], row["total_cost"], row["status"]
    ('H1;H2', 1140.0, 'optimal')
    """
    if result is None:
        return {
            "hubs_opened": "",
            "total_cost": np.nan,
            "cost_per_t": np.nan,
            "co2_t": np.nan,
            "unmet_t": np.nan,
            "delivered_t": np.nan,
            "status": "no_route",
            "message": message.splitlines()[0] if message else "",
        }
    solved = result.status in ("optimal", "feasible")
    markets = result.markets
    delivered = float(markets["served_t"].sum()) if solved else 0.0
    total = result.costs.total if solved else np.nan
    own = result.costs.delivered if solved else np.nan
    return {
        "hubs_opened": ";".join(result.open_hubs),
        "total_cost": total,
        "cost_per_t": own / delivered if delivered > 0 else np.nan,
        "co2_t": result.co2_t if solved else np.nan,
        "unmet_t": float(markets["unmet_t"].sum()) if solved else np.nan,
        "delivered_t": delivered if solved else np.nan,
        "status": result.status,
        "message": result.message or "",
    }


def table_text(table: pd.DataFrame) -> str:
    """A compare / robust / sweep / frontier table as text for the console: figures
    rounded as in the CSV files (:func:`write_table`), with thousands separators,
    a missing figure as "-", and without the message column.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from hubopt.scenarios import table_text
    >>> table = pd.DataFrame({"total_cost": [191026328.4512, np.nan],
    ...                       "co2_t": [304305.6, np.nan], "status": ["optimal",
    ...                       "no_route"], "message": ["", "no route"]},
    ...                      index=pd.Index(["base", "red_sea"], name="scenario"))
    >>> print(table_text(table))  # doctest: +NORMALIZE_WHITESPACE
                 total_cost   co2_t    status
    scenario
    base     191,026,328.45 304,306   optimal
    red_sea               -       -  no_route
    """
    shown = rounded(table.drop(columns=["message"], errors="ignore"))
    formatters = {}
    for column in shown.columns:
        digits = decimals_for(column)
        if digits is not None and shown[column].dtype.kind in "fiu":
            shown[column] = shown[column].astype(float)  # Int64's <NA> as NaN
            formatters[column] = partial(_figure, digits=digits)
    return shown.to_string(formatters=formatters, na_rep="-")


def _figure(value: Any, *, digits: int) -> str:
    """A figure with thousands separators, "-" when missing."""

    if pd.isna(value):
        return "-"
    return f"{float(value):,.{digits}f}"


def write_table(
    table: pd.DataFrame,
    file: str | Path,
    *,
    index: bool = True,
    guard_formulas: bool = True,
) -> Path:
    """Write a compare / robust / sweep / frontier table as CSV, rounded as every
    table hubopt writes (money to cents, tonnes to 1 t, shares to 0.1 %; see
    :mod:`hubopt._tables`), through a temporary file.

    Parameters
    ----------
    table
        The table (:attr:`Comparison.table`, ``RobustResult.table``,
        ``Sweep.table``, :func:`hubopt.decisions.frontier_table`).
    file
        The CSV file.
    index
        Write the index (the scenario names) as the first column.
    guard_formulas
        Guard text cells a spreadsheet would run as formulas
        (:func:`hubopt.io.write_csv_atomic`).

    Returns
    -------
    pathlib.Path
        The file.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from hubopt.scenarios import write_table
    >>> table = pd.DataFrame({"total_cost": [191026328.4512], "co2_t": [304305.6]})
    >>> file = write_table(table, Path(tempfile.mkdtemp()) / "t.csv", index=False)
    >>> print(file.read_text(), end="")
    total_cost,co2_t
    191026328.45,304306
    """
    file = Path(file)
    rows = table.reset_index() if index else table
    write_csv_atomic(rounded(rows), file, guard_formulas=guard_formulas)
    return file


def compare(
    network: Network,
    scenarios: Iterable[Scenario] | None = None,
    *,
    executor: Any = None,
    progress: bool = True,
    **solve_options: Any,
) -> Comparison:
    """Solve every scenario and tabulate the outcomes.

    Parameters
    ----------
    network
        The base network.
    scenarios
        The scenarios; :func:`builtin_scenarios` by default.
    executor
        Where to run the solves, see :func:`hubopt.parallel.map_tasks` (a local
        process pool by default; "serial", any Executor or a Dask client).
    progress
        Show a progress bar on stderr.
    **solve_options
        Options of :func:`hubopt.solve` for every scenario (a scenario's own carbon
        price wins).

    Returns
    -------
    Comparison

    Examples
    --------
    >>> import hubopt
    >>> net = hubopt.datasets.tiny()
    >>> runs = [hubopt.Scenario("base"), hubopt.Scenario("busy", demand_multiplier=1.1)]
    >>> cmp = hubopt.compare(net, runs, executor="serial", progress=False)
    >>> cmp.table.iloc[:, [0, 1, 5]]  # doctest: +NORMALIZE_WHITESPACE
             hubs_opened  total_cost   status
    scenario
    base           H1;H2      1140.0  optimal
    busy        H1;H2;H3      1267.0  optimal
    """

    scenarios = list(builtin_scenarios() if scenarios is None else scenarios)
    if not scenarios:
        msg = (
            "compare: no scenarios to compare; pass a list of hubopt.Scenario, or "
            "leave scenarios out for the built-in ones (hubopt.builtin_scenarios())"
        )
        raise ValidationError(msg)
    _unique(scenarios)
    outcomes = map_tasks(
        _solve_and_summarise,
        [(network, s, solve_options) for s in scenarios],
        executor=executor,
        progress=progress,
        label="scenarios",
    )
    rows = []
    results: dict[str, Result] = {}
    for scenario, (result, _, row) in zip(scenarios, outcomes, strict=True):
        rows.append(row)
        if result is not None:
            results[scenario.name] = result
    table = pd.DataFrame(rows, index=pd.Index([s.name for s in scenarios]))
    table.index.name = "scenario"
    return Comparison(table=table[list(COMPARISON_COLUMNS)], results=results)
