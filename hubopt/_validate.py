"""Validation of the network tables: what each table holds, and every check on it.

The table specs (:data:`SPECS`) say which columns each table has, which are numbers,
which may be left empty and what an optional column means when it is: the one place
that knows a column's default (:func:`column_or_default` reads a column with it).
:func:`validate_tables` turns the user's frames into the normalised tables a
:class:`~hubopt.network.Network` holds, collecting every problem (numbers, ids,
coordinates, statuses, duplicates, geometry, references between tables) and raising
them together in one :class:`~hubopt.errors.ValidationError`. Each message names the
table, the row, the column and the bad value, and says how to fix it.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._capacities import SELECTORS, known_names
from .errors import ValidationError

#: The CRS of every coordinate inside hubopt (WGS84 longitude/latitude).
WGS84 = "EPSG:4326"

#: Decimals kept of a coordinate converted from another CRS (1e-9 degree, about
#: 0.1 mm): a point projected from 41.65 degrees comes back as 41.65, not
#: 41.650000000000006. Coordinates given in degrees are kept as they are.
COORDINATE_DECIMALS = 9


def points_to_lonlat(frame: pd.DataFrame, table: str) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude of a GeoDataFrame's point geometries in EPSG:4326.

    Parameters
    ----------
    frame
        A GeoDataFrame whose active geometry holds points, in any CRS.
    table
        The table's name, used in error messages.

    Returns
    -------
    lon, lat
        Two float arrays, one value per row.

    Raises
    ------
    ValidationError
        When the frame has no CRS, or a geometry is missing or not a point.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from hubopt import geo
    >>> ports = gpd.GeoDataFrame(geometry=[Point(-7.62, 33.6)], crs="EPSG:4326")
    >>> lon, lat = geo.points_to_lonlat(ports.to_crs("EPSG:3857"), "hubs")
    >>> round(float(lon[0]), 4), round(float(lat[0]), 4)
    (-7.62, 33.6)
    """
    if frame.crs is None:
        msg = (
            f"table '{table}': the GeoDataFrame has no CRS; set one with "
            "gdf.set_crs('EPSG:4326') (or the CRS the coordinates are in)"
        )
        raise ValidationError(msg)
    geoms = frame.geometry
    converted = not geoms.crs.equals(WGS84)
    if converted:
        geoms = geoms.to_crs(WGS84)
    problems = []
    has_id = "id" in getattr(frame, "columns", ())  # a GeoSeries has no columns
    ids = frame["id"].tolist() if has_id else [None] * len(frame)
    for pos, (geom, row_id) in enumerate(zip(geoms, ids, strict=True)):
        if geom is None or geom.is_empty or geom.geom_type != "Point":
            kind = "missing" if geom is None or geom.is_empty else geom.geom_type
            label = f"row '{row_id}'" if row_id is not None else f"row {pos + 1}"
            problems.append(
                f"table '{table}', {label}, column 'geometry': expected a point, "
                f"got {kind}"
            )
    if problems:
        raise ValidationError(problems)
    lon, lat = np.asarray(geoms.x, dtype=float), np.asarray(geoms.y, dtype=float)
    if converted:
        lon, lat = (
            np.round(lon, COORDINATE_DECIMALS),
            np.round(lat, COORDINATE_DECIMALS),
        )
    return lon, lat


def to_wgs84(geometry: Any) -> Any:
    """A GeoSeries in EPSG:4326: as it is when it is already, else converted and
    its coordinates rounded to :data:`COORDINATE_DECIMALS` (the projection round
    trip's float noise removed).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString
    >>> from hubopt._validate import to_wgs84
    >>> line = gpd.GeoSeries([LineString([(41.65, 41.65), (-5.5, 35.9)])], crs=4326)
    >>> to_wgs84(line.to_crs(3857)).iloc[0].coords[0]
    (41.65, 41.65)
    """
    import geopandas as gpd
    import shapely

    if geometry.crs.equals(WGS84):
        return geometry
    out = geometry.to_crs(WGS84)
    values = shapely.transform(
        np.asarray(out.values, dtype=object),
        lambda xy: np.round(xy, COORDINATE_DECIMALS),
    )
    return gpd.GeoSeries(values, index=out.index, crs=WGS84, name=out.name)


HUB_STATUSES = ("candidate", "open", "closed")
NODE_TABLES = ("origins", "hubs", "destinations")
TABLES = ("origins", "hubs", "hub_levels", "destinations", "legs", "capacities")
#: Tables a network may leave out: they are then empty.
OPTIONAL_TABLES = ("hub_levels", "capacities")

#: Largest magnitude accepted for any number; beyond it a value is a data error.
MAX_ABS_VALUE = 1e15

#: At most this many problems are listed per column; the rest are counted.
_MAX_PER_COLUMN = 20

#: How close (difflib ratio, case-insensitive) an unknown column's name must be to a
#: known one for it to be taken as a misspelling of it.
_MISSPELT_CUTOFF = 0.8


@dataclass(frozen=True)
class _TableSpec:
    """Columns of one table: required ones, optional ones with their defaults."""

    required: tuple[str, ...]
    numeric: tuple[str, ...]
    #: Optional columns every validated table has: added with the default when the
    #: user leaves them out, and blank cells take the default too (a NaN default
    #: means "none": the cell stays empty).
    defaults: Mapping[str, Any]
    nonnegative: tuple[str, ...]
    #: The columns that identify a row; a row may appear once.
    key: tuple[str, ...]
    #: The id columns: normalised to stripped text, and never empty.
    ids: tuple[str, ...]
    #: Other columns hubopt reads (text, geometry); with the above, the known columns.
    other: tuple[str, ...] = ()
    #: Optional columns a table has only when the user gives them; blank cells stay
    #: empty in the table. Read them with :func:`column_or_default`, which applies
    #: this default to blank and missing cells alike.
    optional: Mapping[str, Any] = field(default_factory=dict)
    #: Whether a table without rows is valid.
    may_be_empty: bool = False

    @property
    def known(self) -> tuple[str, ...]:
        """Every column hubopt reads from this table."""
        names = [
            *self.required,
            *self.numeric,
            *self.defaults,
            *self.optional,
            *self.other,
        ]
        return tuple(dict.fromkeys(names))

    @property
    def blank_ok(self) -> tuple[str, ...]:
        """Columns whose cells may be left empty: their default then applies."""
        return (*self.defaults, *self.optional)

    def default(self, column: str) -> Any:
        """The default of an optional column (KeyError for any other)."""
        if column in self.defaults:
            return self.defaults[column]
        return self.optional[column]


#: Optional hub columns of the multi-period model (:mod:`hubopt.periods`): the silo
#: of a hub without ``hub_levels`` rows, the storage cost per tonne held through a
#: period, and the share of the stock lost per period.
PERIOD_HUB_COLUMNS = (
    "silo_capacity_t",
    "storage_cost_per_t_period",
    "stock_loss_share",
)

SPECS: dict[str, _TableSpec] = {
    "origins": _TableSpec(
        required=("id", "name", "lon", "lat", "supply_t"),
        numeric=("lon", "lat", "supply_t", "cost_per_t"),
        defaults={"cost_per_t": 0.0},
        nonnegative=("supply_t", "cost_per_t"),
        key=("id",),
        ids=("id",),
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
            *PERIOD_HUB_COLUMNS,
        ),
        defaults={
            "handling_cost_per_t": 0.0,
            "capacity_t": np.nan,
            "fixed_cost": 0.0,
            "status": "candidate",
        },
        nonnegative=(
            "handling_cost_per_t",
            "capacity_t",
            "fixed_cost",
            "dwell_days",
            *PERIOD_HUB_COLUMNS,
        ),
        key=("id",),
        ids=("id",),
        optional={"dwell_days": 0.0, **dict.fromkeys(PERIOD_HUB_COLUMNS, 0.0)},
    ),
    "hub_levels": _TableSpec(
        required=("hub_id", "level", "capacity_t", "fixed_cost"),
        numeric=("capacity_t", "fixed_cost", "silo_capacity_t"),
        defaults={},
        nonnegative=("capacity_t", "fixed_cost", "silo_capacity_t"),
        key=("hub_id", "level"),
        ids=("hub_id", "level"),
        may_be_empty=True,
        optional={"silo_capacity_t": 0.0},
    ),
    "destinations": _TableSpec(
        required=("id", "name", "lon", "lat", "demand_t"),
        numeric=(
            "lon",
            "lat",
            "demand_t",
            "unmet_penalty_per_t",
            "max_transit_days",
            "alternative_cost_per_t",
        ),
        defaults={"unmet_penalty_per_t": np.nan, "max_transit_days": np.nan},
        nonnegative=(
            "demand_t",
            "unmet_penalty_per_t",
            "max_transit_days",
            "alternative_cost_per_t",
        ),
        key=("id",),
        ids=("id",),
        optional={"alternative_cost_per_t": np.nan},
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
        ids=("origin", "destination"),
        other=("route", "geometry"),
        may_be_empty=True,
    ),
    "capacities": _TableSpec(
        required=("id", "capacity_t"),
        numeric=("capacity_t",),
        defaults={"node": "", "corridor": "", "mode": ""},
        nonnegative=("capacity_t",),
        key=("id",),
        ids=("id",),
        other=("source", "confidence"),
        may_be_empty=True,
    ),
}


def column_or_default(frame: pd.DataFrame, table: str, name: str) -> pd.Series:
    """One column of a validated table, its spec's default in blank or missing cells.

    The column keeps the frame's index, so a table indexed by id gives a column
    indexed by id. A column the table spec does not know is returned as it is.

    Parameters
    ----------
    frame
        A validated table (or a re-indexed copy of one).
    table
        The table's name, e.g. ``"hubs"``.
    name
        The column, e.g. ``"dwell_days"``.

    Returns
    -------
    pandas.Series

    Raises
    ------
    ValidationError
        For an unknown table, or a column that is neither in the frame nor an
        optional column of the table.

    Examples
    --------
    >>> import pandas as pd
    >>> from hubopt._validate import column_or_default
    >>> hubs = pd.DataFrame({"id": ["A", "B"], "dwell_days": [2.0, float("nan")]})
    >>> column_or_default(hubs, "hubs", "dwell_days").tolist()
    [2.0, 0.0]
    >>> without = hubs.drop(columns="dwell_days")
    >>> column_or_default(without, "hubs", "dwell_days").tolist()
    [0.0, 0.0]
    """
    if table not in SPECS:
        msg = f"unknown table '{table}'; known: {list(TABLES)}"
        raise ValidationError(msg)
    spec = SPECS[table]
    if name not in spec.blank_ok:
        if name in frame.columns:
            return frame[name].copy()
        optional = ", ".join(spec.blank_ok) or "none"
        msg = (
            f"table '{table}': no column '{name}'{_similar(name, list(spec.known))}; "
            f"the optional columns with a default are: {optional}"
        )
        raise ValidationError(msg)
    default = spec.default(name)
    if name not in frame.columns:
        dtype = float if name in spec.numeric else object
        return pd.Series(default, index=frame.index, name=name, dtype=dtype)
    column = frame[name]
    if isinstance(default, float) and np.isnan(default):
        return column.copy()
    return column.fillna(default)


def validate_tables(
    raw: dict[str, Any], corridors: Any, modes: Collection[str] | None = None
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame | None]:
    """Normalise and check the five tables and the corridors layer.

    Every check runs in the one pass: a table whose geometry has no CRS still has
    its columns and numbers checked, and the references between tables are checked
    whenever the tables could be read, so that one message lists every problem.

    Parameters
    ----------
    raw
        The user's frames by table name; ``hub_levels`` may be None.
    corridors
        A GeoDataFrame of land routes, or None.
    modes
        The transport modes a leg may name (the modes table's names), or None to
        leave the mode names unchecked. A leg with a ``route`` travels by the
        modes of its steps, which are checked instead of its ``mode`` label.

    Returns
    -------
    tuple
        The normalised tables by name, and the corridors in WGS84 (or None).

    Raises
    ------
    ValidationError
        Listing every problem found, each with its table, row, column and value.
    """
    tables, problems = _normalise_and_check(raw)
    if modes is not None and "legs" in tables:
        problems.extend(_check_modes(tables["legs"], modes))
    corridor_frame = None
    if corridors is not None:
        corridor_frame, corridor_problems = _check_corridors(corridors)
        problems.extend(corridor_problems)
    problems.extend(_check_references(_with_node_ids(tables, raw), corridor_frame))
    if problems:
        raise ValidationError(problems)
    return tables, corridor_frame


def _normalise_and_check(
    raw: dict[str, Any],
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    problems: list[str] = []
    tables: dict[str, pd.DataFrame] = {}
    for table in TABLES:
        frame = raw[table]
        spec = SPECS[table]
        if frame is None and table in OPTIONAL_TABLES:
            tables[table] = pd.DataFrame(
                {
                    col: pd.Series(dtype=float if col in spec.numeric else object)
                    for col in (*spec.required, *spec.defaults)
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
    """One table normalised (ids as text, numbers as floats, defaults filled in), or
    None when it lacks what the checks need; and its problems."""
    out = pd.DataFrame(frame).copy(deep=True)
    out.columns = [str(c).strip().lstrip("\ufeff") for c in out.columns]
    if out.columns.duplicated().any():
        dup = sorted(set(out.columns[out.columns.duplicated()]))
        return None, [f"table '{table}': duplicate column(s) {dup}"]
    out = out.reset_index(drop=True)
    out, problems = _take_geometry(table, frame, out)
    if out is None:
        return None, problems

    column_problems = _check_columns(table, out, spec)
    problems.extend(column_problems)
    missing = any(c not in out.columns for c in spec.required)
    if missing or (len(out) == 0 and not spec.may_be_empty):
        return None, problems

    for col, default in spec.defaults.items():
        if col not in out.columns:
            out[col] = default
    problems.extend(_normalise_ids(table, out, spec))
    problems.extend(_normalise_numbers(table, out, spec))
    if {"lon", "lat"} <= set(out.columns):
        problems.extend(_check_coordinates(table, out))
    if table == "hubs":
        problems.extend(_normalise_status(out))
    if table == "capacities":
        problems.extend(_normalise_selectors(out))
    problems.extend(_check_duplicates(table, out, spec))
    if table == "legs" and "geometry" in out.columns:
        out["geometry"], geometry_problems = _leg_geometries(out)
        problems.extend(geometry_problems)
    return out, problems


def _take_geometry(
    table: str, frame: pd.DataFrame, out: pd.DataFrame
) -> tuple[pd.DataFrame | None, list[str]]:
    """A GeoDataFrame's geometry in WGS84: node points become lon/lat (unless the
    table has them), leg lines a plain ``geometry`` column. Points that cannot be
    read (no CRS, not points) are problems; the table's other columns are still
    checked."""
    if not (hasattr(frame, "geometry") and _has_active_geometry(frame)):
        return out, []
    problems: list[str] = []
    no_crs = (
        f"table '{table}': the GeoDataFrame has no CRS; set one with "
        "gdf.set_crs('EPSG:4326')"
    )
    geom_col = frame.geometry.name
    if table in NODE_TABLES:
        if "lon" not in out.columns or "lat" not in out.columns:
            try:
                lon, lat = points_to_lonlat(frame, table)
            except ValidationError as exc:
                # keep checking the other columns: placeholders stand in for the
                # coordinates, and the table is refused with the problems found
                problems.extend(exc.problems)
                lon = lat = np.zeros(len(out))
            out["lon"], out["lat"] = lon, lat
        elif frame.crs is None:
            problems.append(no_crs)
        return pd.DataFrame(out.drop(columns=[geom_col])), problems
    geometry = frame.geometry
    if frame.crs is None:
        problems.append(no_crs)
    else:
        geometry = to_wgs84(geometry)
    out = pd.DataFrame(out.drop(columns=[geom_col]))
    out["geometry"] = list(geometry.values)
    return out, problems


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


def _check_columns(table: str, out: pd.DataFrame, spec: _TableSpec) -> list[str]:
    """An empty table, missing required columns and misspelt optional ones."""
    problems: list[str] = []
    if len(out) == 0 and not spec.may_be_empty:
        problems.append(
            f"table '{table}' is empty: it needs at least one row with columns "
            f"{list(spec.required)}"
        )
    for col in spec.required:
        if col not in out.columns:
            problems.append(
                f"table '{table}': missing required column '{col}'"
                f"{_similar(col, [str(c) for c in out.columns])}"
            )
    problems.extend(_misspelt_columns(table, list(out.columns), spec))
    return problems


def _misspelt_columns(table: str, columns: list[str], spec: _TableSpec) -> list[str]:
    """Unknown columns whose name is close to a known column the table lacks.

    ``fixed_costs``, ``Capacity_t`` or ``unmet_penalty`` would otherwise be carried
    along as notes while the default of the column meant applies silently. Extra
    columns far from every known name (``source``, ``port_status``) stay allowed, and
    so does a near name when the known column is there too (``fixed_cost_usd`` beside
    ``fixed_cost``). A missing required column is reported with its own suggestion.
    """
    # a missing required column has its own message, naming the near column
    absent = {
        k.lower(): k for k in spec.known if k not in columns and k not in spec.required
    }
    required = {k.lower(): k for k in spec.required if k not in columns}
    problems = []
    for col in columns:
        if col in spec.known or col.lower() in required:
            continue
        if difflib.get_close_matches(
            col.lower(), list(required), n=1, cutoff=_MISSPELT_CUTOFF
        ):
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


def _normalise_ids(table: str, out: pd.DataFrame, spec: _TableSpec) -> list[str]:
    """Ids, names, modes and corridors as stripped text (modes lower case); an empty
    id or mode is a problem."""
    problems: list[str] = []
    for col in spec.ids:
        out[col] = _ids(out[col])
        for pos in np.flatnonzero((out[col] == "").to_numpy())[:_MAX_PER_COLUMN]:
            problems.append(
                f"table '{table}', {_row_label(table, out, pos)}, column '{col}': "
                "empty id; every row needs one"
            )
    for col in ("name", "mode"):
        if col in out.columns:
            texts = _ids(out[col])
            if col == "mode" and table != "capacities":  # there: a selector
                for pos in np.flatnonzero((texts == "").to_numpy()):
                    problems.append(
                        f"table '{table}', {_row_label(table, out, pos)}, column "
                        "'mode': empty; name the transport mode (e.g. sea, rail)"
                    )
                texts = texts.str.lower()
            out[col] = texts
    if "corridor" in out.columns:
        out["corridor"] = _ids(out["corridor"])
    return problems


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


def _normalise_status(hubs: pd.DataFrame) -> list[str]:
    """Hub statuses in lower case, 'candidate' where empty; an unknown one is a
    problem."""
    problems: list[str] = []
    status = [(_as_id(v) or "candidate").lower() for v in hubs["status"]]
    for pos, value in enumerate(status):
        if value not in HUB_STATUSES:
            problems.append(
                f"table 'hubs', {_row_label('hubs', hubs, pos)}, column 'status': "
                f"unknown status {hubs['status'].iloc[pos]!r}; use one of "
                f"{', '.join(HUB_STATUSES)}"
            )
    hubs["status"] = status
    return problems


def _check_duplicates(table: str, out: pd.DataFrame, spec: _TableSpec) -> list[str]:
    """A node id used twice in its table, or a leg or level row given twice."""
    problems: list[str] = []
    if table in NODE_TABLES:
        seen: dict[str, int] = {}
        for pos, value in enumerate(out["id"]):
            if value and value in seen:
                problems.append(
                    f"table '{table}', row '{value}', column 'id': duplicate id (rows "
                    f"{seen[value] + 1} and {pos + 1})"
                )
            seen.setdefault(value, pos)
        return problems
    key = [c for c in spec.key if c in out.columns]
    dup = out.duplicated(subset=key, keep="first")
    for pos in np.flatnonzero(dup.to_numpy()):
        values = ", ".join(f"{c}={out[c].iloc[pos]!r}" for c in key)
        problems.append(
            f"table '{table}', {_row_label(table, out, pos)}: duplicate row "
            f"({values}); each ({', '.join(key)}) may appear once"
        )
    return problems


def _normalise_numbers(table: str, out: pd.DataFrame, spec: _TableSpec) -> list[str]:
    """Every numeric column as floats, the default in blank cells where it is a
    number; the bad cells as problems."""
    problems: list[str] = []
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
    return problems


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
    blank_ok = col in spec.blank_ok
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


#: One step of a leg's ``route`` cell, ``mode[/corridor]@waypoint``: its mode.
_ROUTE_STEP_MODE = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*(?:[/@]|$)")


def _check_modes(legs: pd.DataFrame, modes: Collection[str]) -> list[str]:
    """Legs naming a mode the modes table lacks: the ``mode`` of a leg without a
    route, the mode of each step of a leg's ``route`` (whose ``mode`` is then a
    label). Steps that cannot be read are left to the router, which explains the
    route syntax."""
    known = {str(m) for m in modes}
    valid = ", ".join(sorted(known))
    routes = (
        legs["route"].to_numpy(dtype=object)
        if "route" in legs.columns
        else np.full(len(legs), None, dtype=object)
    )
    problems: list[str] = []
    for pos, (mode, route) in enumerate(zip(legs["mode"], routes, strict=True)):
        if isinstance(route, str) and route.strip():
            steps = [_ROUTE_STEP_MODE.match(step) for step in route.split(";")]
            named = [m.group(1).lower() for m in steps if m]
            column, where = "route", f"route {route.strip()!r}: "
        else:
            named, column, where = [mode] if mode else [], "mode", ""
        for name in dict.fromkeys(named):
            if name in known:
                continue
            if len(problems) == _MAX_PER_COLUMN:
                problems.append(
                    "table 'legs', column 'mode': more legs with an unknown mode"
                )
                return problems
            problems.append(
                f"table 'legs', {_row_label('legs', legs, pos)}, column '{column}': "
                f"{where}unknown mode {name!r}{_similar(name, sorted(known))}; the "
                f"valid modes are {valid} (or give a modes table naming it: modes= "
                "of Network.from_frames or read_network, or modes.csv in the "
                "network folder)"
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
    frame = corridors.set_geometry(to_wgs84(corridors.geometry))
    frame = frame.reset_index(drop=True).copy()
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


def _with_node_ids(
    tables: dict[str, pd.DataFrame], raw: dict[str, Any]
) -> dict[str, pd.DataFrame]:
    """The normalised tables, plus the ids of a node table that could not be
    normalised (a required column missing) but has an ``id`` column: enough to
    check the references to it in the same pass."""
    out = dict(tables)
    for table in NODE_TABLES:
        frame = raw.get(table)
        if table in out or not isinstance(frame, pd.DataFrame):
            continue
        names = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
        if names.count("id") == 1:
            column = frame.iloc[:, names.index("id")].reset_index(drop=True)
            out[table] = pd.DataFrame({"id": _ids(column)})
    return out


def _check_references(
    tables: dict[str, pd.DataFrame], corridors: pd.DataFrame | None
) -> list[str]:
    """Ids shared between node tables, legs between unknown or wrong kinds of node,
    unknown corridors and levels of unknown hubs; each check runs when the tables
    it needs could be read."""
    if not all(t in tables for t in NODE_TABLES):
        return []
    kinds, problems = _node_kinds(tables)
    if "legs" in tables:
        problems.extend(_check_leg_ends(tables["legs"], kinds))
        if corridors is not None:
            problems.extend(_check_leg_corridors(tables["legs"], corridors))
    if "hub_levels" in tables:
        problems.extend(_check_level_hubs(tables["hub_levels"], tables["hubs"]))
    problems.extend(_check_shortfall_prices(tables["destinations"]))
    if "legs" in tables and "capacities" in tables:
        problems.extend(_check_capacity_selectors(tables, kinds))
    return problems


def _normalise_selectors(capacities: pd.DataFrame) -> list[str]:
    """The capacities' node, corridor and mode as stripped text (mode lower case); a
    row that names none of them is a problem."""
    for col in SELECTORS:
        capacities[col] = _ids(capacities[col])
    capacities["mode"] = capacities["mode"].str.lower()
    empty = (capacities[list(SELECTORS)] == "").all(axis=1).to_numpy()
    return [
        f"table 'capacities', {_row_label('capacities', capacities, pos)}: names "
        "nothing to limit; give a node (an origin, hub, destination or waypoint id), "
        "a corridor, a mode, or a corridor and a mode"
        for pos in np.flatnonzero(empty)[:_MAX_PER_COLUMN]
    ]


def _check_capacity_selectors(
    tables: dict[str, pd.DataFrame], kinds: dict[str, str]
) -> list[str]:
    """Capacities naming a node, corridor or mode that no leg has."""
    capacities = tables["capacities"]
    if not len(capacities):
        return []
    known = known_names(tables["legs"], set(kinds))
    what = {
        "node": "an origin, hub or destination id, or a waypoint of the legs' route "
        "or export_port",
        "corridor": "a corridor of the legs (their corridor column or a route step's "
        "mode/corridor)",
        "mode": "a mode of the legs or of their route steps",
    }
    problems = []
    for pos, row in enumerate(capacities.itertuples(index=False)):
        for col in SELECTORS:
            value = getattr(row, col)
            if value and value not in known[col]:
                problems.append(
                    f"table 'capacities', {_row_label('capacities', capacities, pos)},"
                    f" column '{col}': unknown {col} {value!r}"
                    f"{_similar(value, sorted(known[col]))}; give {what[col]}"
                )
    return problems


def _check_shortfall_prices(dests: pd.DataFrame) -> list[str]:
    """A market with both an unmet penalty and an alternative cost: one price for
    the tonnes it does not take from this network."""
    if "alternative_cost_per_t" not in dests.columns:
        return []
    both = (
        dests["unmet_penalty_per_t"].notna() & dests["alternative_cost_per_t"].notna()
    )
    return [
        f"table 'destinations', {_row_label('destinations', dests, pos)}, column "
        f"'alternative_cost_per_t': {dests['alternative_cost_per_t'].iloc[pos]:g} "
        f"beside unmet_penalty_per_t {dests['unmet_penalty_per_t'].iloc[pos]:g}; "
        "give one: alternative_cost_per_t when the market buys elsewhere at that "
        "price, unmet_penalty_per_t when it goes short"
        for pos in np.flatnonzero(both.to_numpy())[:_MAX_PER_COLUMN]
    ]


def _node_kinds(tables: dict[str, pd.DataFrame]) -> tuple[dict[str, str], list[str]]:
    """Each node id's kind (origin, hub, destination); an id used by two kinds of
    node is a problem."""
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
    return kinds, problems


def _check_leg_ends(legs: pd.DataFrame, kinds: dict[str, str]) -> list[str]:
    """Legs from or to an unknown node, self-loops, legs into an origin, out of a
    destination, and hub->hub legs."""
    problems: list[str] = []
    known_nodes = list(kinds)
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
    return problems


def _check_leg_corridors(legs: pd.DataFrame, corridors: pd.DataFrame) -> list[str]:
    """Legs naming a corridor the corridors layer lacks. A corridor label without a
    layer is allowed (a name only)."""
    problems: list[str] = []
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
            problems.append(
                f"table 'legs', leg {a}->{b}, column 'corridor': unknown corridor "
                f"{corridor!r}{_similar(corridor, sorted(known))}"
            )
    return problems


def _check_level_hubs(levels: pd.DataFrame, hubs: pd.DataFrame) -> list[str]:
    """Modular levels of a hub the hubs table lacks."""
    problems: list[str] = []
    hub_ids = set(hubs["id"])
    for hub_id, level in zip(levels["hub_id"], levels["level"], strict=True):
        if hub_id and hub_id not in hub_ids:
            problems.append(
                f"table 'hub_levels', level {hub_id}/{level}, column 'hub_id': unknown "
                f"hub {hub_id!r}{_similar(hub_id, sorted(hub_ids))}"
            )
    return problems


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


def _similar(name: str, candidates: list[str]) -> str:
    """A ' (did you mean ...?)' suffix naming the closest candidate, or ''."""
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


#: The optional uncertainty table (``uncertainty.csv`` beside a network): ranges on
#: cost figures, keyed by table, row id (a glob pattern) and column. Read and checked
#: by :func:`hubopt.uncertainty.read_ranges`; not one of the network's tables.
UNCERTAINTY_SPEC = _TableSpec(
    required=("table", "id", "column", "low", "high", "source"),
    numeric=("low", "mode", "high", "above"),
    defaults={
        "distribution": "triangular",
        "mode": np.nan,
        "scale": "value",
        "above": 0.0,
        "group": "",
    },
    nonnegative=("low", "mode", "high", "above"),
    key=("table", "id", "column"),
    ids=("table", "id", "column"),
    other=("note", "confidence"),
)
