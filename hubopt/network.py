"""The hubopt network: five tables, validated once, immutable afterwards.

A network holds ``origins`` (supply), ``hubs`` (candidate sites), optional
``hub_levels`` (modular sizes), ``destinations`` (markets) and ``legs`` (directed arcs
between them), plus an optional ``corridors`` layer of land-route polylines. See
``docs/format.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .errors import ValidationError

HUB_STATUSES = ("candidate", "open", "closed")
NODE_TABLES = ("origins", "hubs", "destinations")
TABLES = ("origins", "hubs", "hub_levels", "destinations", "legs")


@dataclass(frozen=True)
class _TableSpec:
    """Columns of one table: required ones, optional numeric ones with defaults."""

    required: tuple[str, ...]
    numeric: tuple[str, ...]
    defaults: Mapping[str, Any]
    nonnegative: tuple[str, ...]
    key: tuple[str, ...]
    #: Other columns hubopt reads (text, geometry); with the above, the known columns.
    other: tuple[str, ...] = ()

    @property
    def known(self) -> tuple[str, ...]:
        """Every column hubopt reads from this table."""
        names = [*self.required, *self.numeric, *self.defaults, *self.other]
        return tuple(dict.fromkeys(names))


SPECS: dict[str, _TableSpec] = {
    "origins": _TableSpec(
        required=("id", "name", "lon", "lat", "supply_t"),
        numeric=("lon", "lat", "supply_t", "cost_per_t"),
        defaults={"cost_per_t": 0.0},
        nonnegative=("supply_t", "cost_per_t"),
        key=("id",),
    ),
    "hubs": _TableSpec(
        required=("id", "name", "lon", "lat"),
        numeric=(
            "lon",
            "lat",
            "handling_cost_per_t",
            "capacity_t",
            "fixed_cost",
            "dwell_days",
        ),
        defaults={
            "handling_cost_per_t": 0.0,
            "capacity_t": np.nan,
            "fixed_cost": 0.0,
            "status": "candidate",
        },
        nonnegative=("handling_cost_per_t", "capacity_t", "fixed_cost", "dwell_days"),
        key=("id",),
    ),
    "hub_levels": _TableSpec(
        required=("hub_id", "level", "capacity_t", "fixed_cost"),
        numeric=("capacity_t", "fixed_cost"),
        defaults={},
        nonnegative=("capacity_t", "fixed_cost"),
        key=("hub_id", "level"),
    ),
    "destinations": _TableSpec(
        required=("id", "name", "lon", "lat", "demand_t"),
        numeric=("lon", "lat", "demand_t", "unmet_penalty_per_t", "max_transit_days"),
        defaults={"unmet_penalty_per_t": np.nan, "max_transit_days": np.nan},
        nonnegative=("demand_t", "unmet_penalty_per_t", "max_transit_days"),
        key=("id",),
    ),
    "legs": _TableSpec(
        required=("origin", "destination", "mode"),
        numeric=("cost_per_t", "distance_km", "transit_days", "co2_kg_per_t"),
        defaults={
            "cost_per_t": np.nan,
            "distance_km": np.nan,
            "transit_days": np.nan,
            "co2_kg_per_t": np.nan,
            "corridor": "",
        },
        nonnegative=("cost_per_t", "distance_km", "transit_days", "co2_kg_per_t"),
        key=("origin", "destination", "mode", "corridor"),
        other=("route", "geometry"),
    ),
}

# Columns that may be left empty in a row: the default then applies.
_OPTIONAL_BLANK_OK = {
    "hubs": ("handling_cost_per_t", "capacity_t", "fixed_cost", "status", "dwell_days"),
    "origins": ("cost_per_t",),
    "destinations": ("unmet_penalty_per_t", "max_transit_days"),
    "legs": ("cost_per_t", "distance_km", "transit_days", "co2_kg_per_t", "corridor"),
    "hub_levels": (),
}

#: Largest magnitude accepted for any number; beyond it a value is a data error.
MAX_ABS_VALUE = 1e15


def _similar(name: str, candidates: list[str]) -> str:
    import difflib
    import unicodedata

    lookalikes = [c for c in candidates if _looks_alike(name, c)]
    close = lookalikes or difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    if not close:
        return ""
    match = close[0]
    # Look-alikes (Cyrillic 'Н' for Latin 'H', 'á' composed or not) would make the
    # suggestion read like the id itself: name the characters that differ.
    odd = sorted({c for c in set(name) ^ set(match) if ord(c) > 127})
    if not odd:
        return f" (did you mean '{match}'?)"
    chars = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, '?')}" for c in odd)
    same_nfc = unicodedata.normalize("NFC", name) == unicodedata.normalize("NFC", match)
    hint = (
        "; the same letters in different Unicode forms (NFC/NFD): save every "
        "file with the same normalisation"
        if same_nfc
        else ""
    )
    return f" (did you mean '{match}'? they differ in {chars}{hint})"


def _looks_alike(name: str, other: str) -> bool:
    """True when two different ids differ only in non-ASCII characters at the same
    places, or only in Unicode normalisation: ids a reader cannot tell apart."""
    import unicodedata

    if name == other:
        return False
    a = unicodedata.normalize("NFC", name)
    b = unicodedata.normalize("NFC", other)
    return a == b or (
        len(a) == len(b)
        and all(
            x == y or ord(x) > 127 or ord(y) > 127 for x, y in zip(a, b, strict=True)
        )
    )


def _row_label(table: str, frame: pd.DataFrame, pos: int) -> str:
    """Name a row by its id (or leg endpoints) rather than by position only."""
    row = frame.iloc[pos]
    if table == "legs":
        return f"leg {row.get('origin', '?')!s}->{row.get('destination', '?')!s}"
    if table == "hub_levels":
        return f"level {row.get('hub_id', '?')!s}/{row.get('level', '?')!s}"
    value = row.get("id", None)
    if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
        return f"row {pos + 1}"
    return f"row '{value}'"


#: At most this many problems are listed per column; the rest are counted.
_MAX_PER_COLUMN = 20


def _ids(column: pd.Series) -> pd.Series:
    """Normalise a column of ids to stripped strings ('' where empty), vectorised for
    the common cases (already text, or whole numbers)."""
    if pd.api.types.is_integer_dtype(column):
        return column.astype(str)
    if isinstance(column.dtype, pd.StringDtype):
        # every cell is text or missing: no per-cell type check needed
        return column.str.strip().fillna("").astype(object)
    if pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column):
        values = column.to_numpy(dtype=object)
        if all(isinstance(v, str) for v in values):
            return pd.Series(values, index=column.index, dtype=object).str.strip()
    return pd.Series(
        [_as_id(v) or "" for v in column], index=column.index, dtype=object
    )


def _check_numbers(
    table: str, out: pd.DataFrame, col: str, spec: _TableSpec
) -> tuple[pd.Series, list[str]]:
    """Convert one column to float and list its bad cells (vectorised)."""
    raw = out[col]
    problems: list[str] = []
    if pd.api.types.is_bool_dtype(raw):
        return raw.astype(float), [
            f"table '{table}', column '{col}': holds true/false values, not numbers"
        ]
    if pd.api.types.is_numeric_dtype(raw):
        converted = raw.astype(float)
        blank = converted.isna().to_numpy()
        unparsable = np.zeros(len(raw), dtype=bool)
    else:
        converted = pd.to_numeric(raw, errors="coerce").astype(float)
        as_text = raw.astype(object)
        blank = (
            as_text.isna() | as_text.map(lambda v: isinstance(v, str) and not v.strip())
        ).to_numpy()
        is_bool = as_text.map(lambda v: isinstance(v, bool | np.bool_)).to_numpy()
        converted[is_bool] = np.nan
        unparsable = ~blank & converted.isna().to_numpy()
    values = converted.to_numpy()
    blank_ok = col in _OPTIONAL_BLANK_OK[table]
    with np.errstate(invalid="ignore"):
        infinite = np.isinf(values)
        large = ~infinite & (np.abs(values) > MAX_ABS_VALUE)
        negative = (
            ~infinite & (values < 0)
            if col in spec.nonnegative
            else np.zeros_like(large)
        )
    checks = [
        (blank & (not blank_ok), "missing value; a number is required"),
        (unparsable, "{orig!r} is not a number"),
        (
            infinite,
            "{orig!r} is infinite; leave the cell empty for 'none' where the "
            "column allows it",
        ),
        (
            large,
            "{num:g} is absurdly large (limit "
            + f"{MAX_ABS_VALUE:g}"
            + "); check the units",
        ),
        (negative & ~large, "{num:g} is negative; it must be zero or more"),
    ]
    for mask, template in checks:
        rows = np.flatnonzero(mask)
        for pos in rows[:_MAX_PER_COLUMN]:
            label = _row_label(table, out, pos)
            text = template.format(orig=_shown(raw.iloc[pos]), num=values[pos])
            problems.append(f"table '{table}', {label}, column '{col}': {text}")
        if len(rows) > _MAX_PER_COLUMN:
            problems.append(
                f"table '{table}', column '{col}': {len(rows) - _MAX_PER_COLUMN} more "
                "rows like the above"
            )
    return converted, problems


class _Shown(str):
    """A cell value for messages whose repr is the plain value (no np.float64)."""

    def __repr__(self) -> str:
        return str(self)


def _shown(value: Any) -> Any:
    """A cell as messages show it: text quoted, numbers plain (``inf``, ``1e+300``)."""
    if isinstance(value, bool | np.bool_):
        return _Shown(str(bool(value)))
    if isinstance(value, int | float | np.integer | np.floating):
        return _Shown(f"{float(value):g}")
    if isinstance(value, str):
        return value
    return _Shown(str(value))


def _as_id(value: Any) -> str | None:
    """Normalise an id cell to a stripped string; None when empty."""
    if value is None:
        return None
    if isinstance(value, float):
        if np.isnan(value):
            return None
        if value.is_integer():
            value = int(value)
    text = str(value).strip()
    return text or None


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

    def __init__(self, tables: dict[str, pd.DataFrame], corridors: Any, name: str):
        self._tables = tables
        self._corridors = corridors
        self.name = name

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

        Returns
        -------
        Network

        Raises
        ------
        ValidationError
            Listing every problem found, each with its table, row, column and value.

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
        }
        tables, problems = _normalise_and_check(raw)
        corridor_frame = None
        if corridors is not None:
            corridor_frame, corridor_problems = _check_corridors(corridors)
            problems.extend(corridor_problems)
        if not problems:
            problems.extend(_check_references(tables, corridor_frame))
        if problems:
            raise ValidationError(problems)
        return cls(tables, corridor_frame, str(name))

    def replace(self, *, name: str | None = None, **tables: Any) -> Network:
        """A new, validated network with some tables replaced.

        Parameters
        ----------
        name
            A new label; the current one by default.
        **tables
            Any of origins, hubs, hub_levels, destinations, legs, corridors.

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
        return Network.from_frames(
            current["origins"],
            current["hubs"],
            current["destinations"],
            current["legs"],
            current["hub_levels"],
            current["corridors"],
            name=self.name if name is None else name,
        )

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

    # -- io -------------------------------------------------------------------------
    def write(self, path: Any, *, overwrite: bool = False) -> None:
        """Write the network as a folder of CSV files or as one GeoPackage (.gpkg).

        Parameters
        ----------
        path
            A folder (CSV tables) or a file ending in ``.gpkg``.
        overwrite
            Replace existing files; without it an existing file is an error.

        Examples
        --------
        >>> import tempfile
        >>> from pathlib import Path
        >>> import hubopt
        >>> folder = Path(tempfile.mkdtemp())
        >>> hubopt.datasets.tiny().write(folder / "tiny")  # a folder of CSV files
        >>> sorted(p.name for p in (folder / "tiny").iterdir())
        ['destinations.csv', 'hubs.csv', 'legs.csv', 'origins.csv']
        >>> hubopt.read_network(folder / "tiny")
        Network('tiny': 2 origins, 3 hubs, 3 destinations, 13 legs)
        """
        from .io import write_network

        write_network(self, path, overwrite=overwrite)

    def with_leg_attributes(self, modes: pd.DataFrame | None = None, **kwargs: Any):
        """Fill every missing leg distance, cost, time, CO2 and geometry from geography.

        Values the user gave are never overwritten. See
        :func:`hubopt.legs.fill_leg_attributes` for the options.

        Examples
        --------
        >>> import hubopt
        >>> net = hubopt.datasets.tiny()
        >>> legs = net.legs
        >>> legs["cost_per_t"] = float("nan")  # forget every cost
        >>> filled = net.replace(legs=legs).with_leg_attributes()
        >>> filled.legs[["distance_km", "cost_per_t", "co2_kg_per_t"]].notna().all()
        distance_km     True
        cost_per_t      True
        co2_kg_per_t    True
        dtype: bool
        """
        from .legs import fill_leg_attributes

        return fill_leg_attributes(self, modes, **kwargs)

    def generate_legs(self, **kwargs: Any) -> Network:
        """Propose legs for every origin->hub, hub->destination (and optionally direct)
        pair that has a route. See :func:`hubopt.legs.generate_legs`.

        Examples
        --------
        >>> import hubopt
        >>> net = hubopt.datasets.tiny()
        >>> net.generate_legs(inbound_mode="rail", direct=False)
        Network('tiny': 2 origins, 3 hubs, 3 destinations, 16 legs)
        """
        from .legs import generate_legs

        return generate_legs(self, **kwargs)

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


# ------------------------------------------------------------------------------------
# validation
# ------------------------------------------------------------------------------------
def _normalise_and_check(
    raw: dict[str, Any],
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    problems: list[str] = []
    tables: dict[str, pd.DataFrame] = {}
    for table in TABLES:
        frame = raw[table]
        spec = SPECS[table]
        if frame is None and table == "hub_levels":
            tables[table] = pd.DataFrame(
                {
                    "hub_id": pd.Series(dtype=object),
                    "level": pd.Series(dtype=object),
                    "capacity_t": pd.Series(dtype=float),
                    "fixed_cost": pd.Series(dtype=float),
                }
            )
            continue
        if not isinstance(frame, pd.DataFrame):
            problems.append(
                f"table '{table}': expected a DataFrame or GeoDataFrame, got "
                f"{type(frame).__name__}"
            )
            continue
        normalised, table_problems = _normalise_table(table, frame, spec)
        problems.extend(table_problems)
        if normalised is not None:
            tables[table] = normalised
    return tables, problems


def _normalise_table(
    table: str, frame: pd.DataFrame, spec: _TableSpec
) -> tuple[pd.DataFrame | None, list[str]]:
    problems: list[str] = []
    out = pd.DataFrame(frame).copy(deep=True)
    out.columns = [str(c).strip().lstrip("\ufeff") for c in out.columns]
    if out.columns.duplicated().any():
        dup = sorted(set(out.columns[out.columns.duplicated()]))
        return None, [f"table '{table}': duplicate column(s) {dup}"]
    out = out.reset_index(drop=True)

    is_geo = hasattr(frame, "geometry") and _has_active_geometry(frame)
    geometry = None
    if is_geo:
        if table in NODE_TABLES:
            if "lon" not in out.columns or "lat" not in out.columns:
                from .geo import points_to_lonlat

                try:
                    lon, lat = points_to_lonlat(frame, table)
                except ValidationError as exc:
                    return None, exc.problems
                out["lon"], out["lat"] = lon, lat
            elif frame.crs is None:
                problems.append(
                    f"table '{table}': the GeoDataFrame has no CRS; set one with "
                    "gdf.set_crs('EPSG:4326')"
                )
            geom_col = frame.geometry.name
            out = pd.DataFrame(out.drop(columns=[geom_col]))
        else:
            geometry = frame.geometry
            if frame.crs is None:
                problems.append(
                    f"table '{table}': the GeoDataFrame has no CRS; set one with "
                    "gdf.set_crs('EPSG:4326')"
                )
            elif not frame.crs.equals("EPSG:4326"):
                geometry = geometry.to_crs("EPSG:4326")
            geom_col = frame.geometry.name
            out = pd.DataFrame(out.drop(columns=[geom_col]))
            out["geometry"] = list(geometry.values)

    if len(out) == 0:
        if table in ("hub_levels", "legs"):
            pass
        else:
            problems.append(
                f"table '{table}' is empty: it needs at least one row with columns "
                f"{list(spec.required)}"
            )
    missing = [c for c in spec.required if c not in out.columns]
    for col in missing:
        problems.append(
            f"table '{table}': missing required column '{col}'"
            f"{_similar(col, [str(c) for c in out.columns])}"
        )
    problems.extend(_misspelt_columns(table, list(out.columns), spec))
    if missing or (len(out) == 0 and table not in ("hub_levels", "legs")):
        return None, problems

    for col, default in spec.defaults.items():
        if col not in out.columns:
            out[col] = default

    # ids: strings, non-empty, stripped
    id_cols = {
        "origins": ("id",),
        "hubs": ("id",),
        "destinations": ("id",),
        "legs": ("origin", "destination"),
        "hub_levels": ("hub_id", "level"),
    }[table]
    for col in id_cols:
        out[col] = _ids(out[col])
        for pos in np.flatnonzero((out[col] == "").to_numpy())[:_MAX_PER_COLUMN]:
            problems.append(
                f"table '{table}', {_row_label(table, out, pos)}, column '{col}': "
                "empty id; every row needs one"
            )
    for col in ("name", "mode"):
        if col in out.columns:
            texts = _ids(out[col])
            if col == "mode":
                for pos in np.flatnonzero((texts == "").to_numpy()):
                    problems.append(
                        f"table '{table}', {_row_label(table, out, pos)}, column "
                        "'mode': empty; name the transport mode (e.g. sea, rail)"
                    )
                texts = texts.str.lower()
            out[col] = texts
    if "corridor" in out.columns:
        out["corridor"] = _ids(out["corridor"])

    # numbers
    for col in spec.numeric:
        if col not in out.columns:
            continue
        converted, col_problems = _check_numbers(table, out, col, spec)
        problems.extend(col_problems)
        out[col] = converted
        if col in spec.defaults and not (
            isinstance(spec.defaults[col], float) and np.isnan(spec.defaults[col])
        ):
            out[col] = out[col].fillna(spec.defaults[col])

    if {"lon", "lat"} <= set(out.columns):
        problems.extend(_check_coordinates(table, out))

    if table == "hubs":
        status = [(_as_id(v) or "candidate").lower() for v in out["status"]]
        for pos, value in enumerate(status):
            if value not in HUB_STATUSES:
                problems.append(
                    f"table 'hubs', {_row_label(table, out, pos)}, column 'status': "
                    f"unknown status {out['status'].iloc[pos]!r}; use one of "
                    f"{', '.join(HUB_STATUSES)}"
                )
        out["status"] = status

    if table in NODE_TABLES:
        seen: dict[str, int] = {}
        for pos, value in enumerate(out["id"]):
            if value and value in seen:
                problems.append(
                    f"table '{table}', row '{value}', column 'id': duplicate id (rows "
                    f"{seen[value] + 1} and {pos + 1})"
                )
            seen.setdefault(value, pos)
    else:
        key = [c for c in spec.key if c in out.columns]
        dup = out.duplicated(subset=key, keep="first")
        for pos in np.flatnonzero(dup.to_numpy()):
            values = ", ".join(f"{c}={out[c].iloc[pos]!r}" for c in key)
            problems.append(
                f"table '{table}', {_row_label(table, out, pos)}: duplicate row "
                f"({values}); each ({', '.join(key)}) may appear once"
            )
    if geometry is not None and "geometry" not in out.columns:
        out["geometry"] = list(geometry.values)
    if table == "legs" and "geometry" in out.columns:
        out["geometry"], geometry_problems = _leg_geometries(out)
        problems.extend(geometry_problems)
    return out, problems


def _leg_geometries(legs: pd.DataFrame) -> tuple[list[Any], list[str]]:
    """Leg routes as lines or None: an empty cell, NaN or an empty geometry means "no
    route line" (maps draw a straight line, fill_leg_attributes may route it); any
    other value than a LineString or MultiLineString is refused."""
    lines: list[Any] = []
    problems: list[str] = []
    for pos, geom in enumerate(legs["geometry"]):
        if geom is None or (isinstance(geom, float) and np.isnan(geom)):
            lines.append(None)
            continue
        kind = getattr(geom, "geom_type", None)
        if kind in ("LineString", "MultiLineString"):
            lines.append(None if geom.is_empty else geom)
            continue
        if kind is not None and geom.is_empty:
            lines.append(None)
            continue
        lines.append(None)
        got = kind or f"{type(geom).__name__} {_shown(geom)!r}"[:60]
        if len(problems) < _MAX_PER_COLUMN:
            problems.append(
                f"table 'legs', {_row_label('legs', legs, pos)}, column 'geometry': "
                f"expected the leg's route as a LineString, got {got}; leave the "
                "cell empty for a straight line"
            )
    return lines, problems


#: How close (difflib ratio, case-insensitive) an unknown column's name must be to a
#: known one for it to be taken as a misspelling of it.
_MISSPELT_CUTOFF = 0.8


def _misspelt_columns(table: str, columns: list[str], spec: _TableSpec) -> list[str]:
    """Unknown columns whose name is close to a known column the table lacks.

    ``fixed_costs``, ``Capacity_t`` or ``unmet_penalty`` would otherwise be carried
    along as notes while the default of the column meant applies silently. Extra
    columns far from every known name (``source``, ``port_status``) stay allowed, and
    so does a near name when the known column is there too (``fixed_cost_usd`` beside
    ``fixed_cost``). A missing required column is reported with its own suggestion.
    """
    import difflib

    absent = {k.lower(): k for k in spec.known if k not in columns}
    required = {k.lower() for k in spec.required if k not in columns}
    problems = []
    for col in columns:
        if col in spec.known or col.lower() in required:
            continue
        close = difflib.get_close_matches(
            col.lower(), list(absent), n=1, cutoff=_MISSPELT_CUTOFF
        )
        if close:
            known = absent[close[0]]
            problems.append(
                f"table '{table}', column '{col}': unknown column (did you mean "
                f"'{known}'?); without '{known}' its default applies: rename the "
                f"column to '{known}', or give a column of notes a name further "
                "from it"
            )
    return problems


def _has_active_geometry(frame: Any) -> bool:
    """True for a GeoDataFrame with an active geometry column. A plain DataFrame with a
    column named 'geometry' (shapely objects, taken as WGS84) is not one."""
    import geopandas as gpd

    if not isinstance(frame, gpd.GeoDataFrame):
        return False
    try:
        frame.geometry  # noqa: B018
    except AttributeError:
        return False
    return True


def _check_coordinates(table: str, out: pd.DataFrame) -> list[str]:
    problems = []
    lons = out["lon"].to_numpy(dtype=float)
    lats = out["lat"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        outside = ~(np.isnan(lons) | np.isnan(lats)) & (
            (np.abs(lons) > 180) | (np.abs(lats) > 90)
        )
    for pos in np.flatnonzero(outside):  # only the rows with a problem
        lon, lat = lons[pos], lats[pos]
        label = _row_label(table, out, pos)
        bad_lon = not -180 <= lon <= 180
        bad_lat = not -90 <= lat <= 90
        if abs(lon) > 360 or abs(lat) > 360:
            hint = (
                "; these look like projected coordinates (metres), not degrees: pass a "
                "GeoDataFrame with its CRS, or convert to EPSG:4326"
            )
        elif bad_lat and -90 <= lon <= 90 and -180 <= lat <= 180:
            hint = "; lon and lat look swapped"
        else:
            hint = ""
        if bad_lon:
            problems.append(
                f"table '{table}', {label}, column 'lon': {lon:g} is outside "
                f"[-180, 180]{hint}"
            )
        if bad_lat:
            problems.append(
                f"table '{table}', {label}, column 'lat': {lat:g} is outside "
                f"[-90, 90]{hint}"
            )
    return problems


def _check_corridors(corridors: Any) -> tuple[Any, list[str]]:
    import geopandas as gpd

    problems: list[str] = []
    if not isinstance(corridors, gpd.GeoDataFrame):
        return None, [
            "table 'corridors': expected a GeoDataFrame with columns id, mode, geometry"
        ]
    if corridors.crs is None:
        return None, [
            "table 'corridors': the GeoDataFrame has no CRS; set one with "
            "gdf.set_crs('EPSG:4326')"
        ]
    frame = corridors.to_crs("EPSG:4326").reset_index(drop=True).copy()
    for col in ("id", "mode"):
        if col not in frame.columns:
            problems.append(f"table 'corridors': missing required column '{col}'")
    if problems:
        return None, problems
    frame["id"] = [_as_id(v) or "" for v in frame["id"]]
    frame["mode"] = [(_as_id(v) or "").lower() for v in frame["mode"]]
    for pos, (cid, geom) in enumerate(zip(frame["id"], frame.geometry, strict=True)):
        if not cid:
            problems.append(f"table 'corridors', row {pos + 1}, column 'id': empty id")
        if (
            geom is None
            or geom.is_empty
            or geom.geom_type
            not in (
                "LineString",
                "MultiLineString",
            )
        ):
            kind = "missing" if geom is None or geom.is_empty else geom.geom_type
            problems.append(
                f"table 'corridors', row '{cid}', column 'geometry': expected a "
                f"LineString, got {kind}"
            )
    dup = frame["id"].duplicated()
    for pos in np.flatnonzero(dup.to_numpy()):
        problems.append(
            f"table 'corridors', row '{frame['id'].iloc[pos]}', column 'id': "
            "duplicate id"
        )
    return frame, problems


def _check_references(
    tables: dict[str, pd.DataFrame], corridors: pd.DataFrame | None
) -> list[str]:
    problems: list[str] = []
    kinds: dict[str, str] = {}
    for table, kind in (
        ("origins", "origin"),
        ("hubs", "hub"),
        ("destinations", "destination"),
    ):
        for node_id in tables[table]["id"]:
            if node_id in kinds and kinds[node_id] != kind:
                problems.append(
                    f"table '{table}', row '{node_id}', column 'id': the id is used by "
                    f"a {kinds[node_id]} too; ids must be unique across origins, hubs "
                    "and destinations"
                )
            kinds.setdefault(node_id, kind)
    known_nodes = list(kinds)
    legs = tables["legs"]
    # Vectorised screen; the per-leg messages below run only on the suspect legs.
    kind_of = pd.Series(kinds, dtype=object)
    ka_all = legs["origin"].map(kind_of).to_numpy(dtype=object)
    kb_all = legs["destination"].map(kind_of).to_numpy(dtype=object)
    suspect = (
        pd.isna(ka_all)
        | pd.isna(kb_all)
        | (legs["origin"].to_numpy() == legs["destination"].to_numpy())
        | (kb_all == "origin")
        | (ka_all == "destination")
        | ((ka_all == "hub") & (kb_all == "hub"))
    )
    rows = np.flatnonzero(suspect)
    for a, b in zip(
        legs["origin"].to_numpy()[rows],
        legs["destination"].to_numpy()[rows],
        strict=True,
    ):
        label = f"leg {a}->{b}"
        ka, kb = kinds.get(a), kinds.get(b)
        if ka is None and a:
            problems.append(
                f"table 'legs', {label}, column 'origin': unknown node id {a!r}"
                f"{_similar(a, known_nodes)}"
            )
        if kb is None and b:
            problems.append(
                f"table 'legs', {label}, column 'destination': unknown node id {b!r}"
                f"{_similar(b, known_nodes)}"
            )
        if ka is None or kb is None:
            continue
        if a == b:
            problems.append(
                f"table 'legs', {label}: a leg from a node to itself (self-loop)"
            )
        elif kb == "origin":
            problems.append(
                f"table 'legs', {label}, column 'destination': {b!r} is an origin; "
                "no leg may lead into an origin"
            )
        elif ka == "destination":
            problems.append(
                f"table 'legs', {label}, column 'origin': {a!r} is a destination; "
                "no leg may leave a destination"
            )
        elif ka == "hub" and kb == "hub":
            problems.append(
                f"table 'legs', {label}: hub->hub legs are not part of the model; "
                "use origin->hub, hub->destination or origin->destination"
            )
    if corridors is not None:
        known = set(corridors["id"])
        named = legs["corridor"].to_numpy(dtype=object)
        rows = np.flatnonzero((named != "") & ~legs["corridor"].isin(known).to_numpy())
        for a, b, corridor in zip(
            legs["origin"].to_numpy()[rows],
            legs["destination"].to_numpy()[rows],
            named[rows],
            strict=True,
        ):
            if corridor and corridor not in known:
                # A corridor label without geometry is allowed (a name only); it is
                # only an error when a corridors layer exists and lacks the id.
                problems.append(
                    f"table 'legs', leg {a}->{b}, column 'corridor': unknown corridor "
                    f"{corridor!r}{_similar(corridor, sorted(known))}"
                )
    levels = tables["hub_levels"]
    hub_ids = set(tables["hubs"]["id"])
    for hub_id, level in zip(levels["hub_id"], levels["level"], strict=True):
        if hub_id and hub_id not in hub_ids:
            problems.append(
                f"table 'hub_levels', level {hub_id}/{level}, column 'hub_id': unknown "
                f"hub {hub_id!r}{_similar(hub_id, sorted(hub_ids))}"
            )
    return problems
