"""Periods of a year (months, quarters or custom spans) and what varies by period.

A multi-period solve takes a :class:`Periods`: the ``periods`` table (``id``,
``days``, ``order``) and, optionally, the long table ``period_values`` (``table``,
``id``, ``column``, ``period``, ``value``) of figures that differ by period. What a
period value may set (see ``docs/format.md``, "Periods"):

========================  ============  ==============================================
table                     column        meaning of ``value`` in that period
========================  ============  ==============================================
origins (origin id)       supply_t      tonnes available
destinations (market id)  demand_t      tonnes wanted
legs ("ORIGIN->DEST")     available     1 or 0 (0: every leg between the two is shut)
legs ("ORIGIN->DEST")     cost_per_t    cost per tonne of those legs
corridors (corridor)      available     1 or 0 (0: every leg of the corridor is shut)
corridors (corridor)      cost_factor   multiplies the cost of the corridor's legs
capacities (row id)       capacity_t    tonnes the row lets through in the period
========================  ============  ==============================================

Annual figures not set for a period are spread pro rata to days. A supply or demand
set for some periods only leaves the rest of its annual figure to the others, pro rata
to their days; set for every period, the values must add up to the annual figure (the
annual tables keep their meaning). Hub capacities (``capacity_t`` of hubs and
hub_levels) hold per period pro rata to days; silos (``silo_capacity_t``) hold a stock
and are not scaled.

:func:`period_networks` expands a network into one network per period, the tables
the model's flow blocks and the checker read; nothing here builds a model.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import ValidationError
from .io import read_csv_table
from .network import Network

#: The (table, column) pairs a period value may set.
PERIOD_COLUMNS: dict[tuple[str, str], str] = {
    ("origins", "supply_t"): "tonnes",
    ("destinations", "demand_t"): "tonnes",
    ("legs", "available"): "0 or 1",
    ("legs", "cost_per_t"): "cost",
    ("corridors", "available"): "0 or 1",
    ("corridors", "cost_factor"): "factor",
    ("capacities", "capacity_t"): "tonnes",
}

#: Column of a period network's legs: 1.0 where the leg is open in that period.
AVAILABLE = "period_available"

_VALUE_COLUMNS = ("table", "id", "column", "period", "value")


@dataclass(frozen=True)
class Periods:
    """The periods of a year and the figures that vary by period.

    Build one with :meth:`from_frames` or :func:`read_periods`.

    Examples
    --------
    >>> import pandas as pd
    >>> from hubopt.periods import Periods
    >>> p = Periods.from_frames(pd.DataFrame({"id": ["H1", "H2"], "days": [181, 184]}))
    >>> p.ids, p.share.round(3).tolist()
    (['H1', 'H2'], [0.496, 0.504])
    """

    table: pd.DataFrame  # id, days, order; sorted by order
    values: pd.DataFrame  # table, id, column, period, value

    @classmethod
    def from_frames(
        cls, periods: pd.DataFrame, period_values: pd.DataFrame | None = None
    ) -> Periods:
        """Check the two tables (every problem at once) and make :class:`Periods`.

        Parameters
        ----------
        periods
            ``id``, ``days`` (> 0) and optionally ``order`` (the periods' sequence,
            by default the rows' order; the year is cyclic, the last period
            followed by the first).
        period_values
            Optional: ``table``, ``id``, ``column``, ``period``, ``value`` (see the
            module's table).

        Raises
        ------
        ValidationError
            Naming the table, row, column and bad value.
        """
        problems: list[str] = []
        table = _periods_table(periods, problems)
        values = _values_table(period_values, set(table["id"]), problems)
        if problems:
            raise ValidationError(problems)
        return cls(table, values)

    @property
    def ids(self) -> list[str]:
        return self.table["id"].tolist()

    @property
    def days(self) -> np.ndarray:
        return self.table["days"].to_numpy(dtype=float)

    @property
    def share(self) -> np.ndarray:
        """Each period's share of the year, days / total days."""
        return self.days / self.days.sum()

    def __len__(self) -> int:
        return len(self.table)


def _periods_table(periods: Any, problems: list[str]) -> pd.DataFrame:
    if not isinstance(periods, pd.DataFrame):
        msg = (
            f"table 'periods' must be a DataFrame, got {type(periods).__name__}; "
            "give id and days columns"
        )
        raise ValidationError(msg)
    frame = periods.copy()
    missing = [c for c in ("id", "days") if c not in frame.columns]
    if missing or frame.empty:
        problems.append(
            f"table 'periods': needs at least one row with columns id and days; "
            f"missing {missing or 'rows'}"
        )
        return pd.DataFrame({"id": [], "days": [], "order": []})
    frame["id"] = frame["id"].astype(str).str.strip()
    if "order" not in frame.columns:
        frame["order"] = np.arange(len(frame), dtype=float)
    for col in ("days", "order"):
        number = pd.to_numeric(frame[col], errors="coerce")
        for pos in np.flatnonzero(~np.isfinite(number.to_numpy(dtype=float))):
            problems.append(
                f"table 'periods', period {frame['id'].iloc[pos]}, column '{col}': "
                f"{frame[col].iloc[pos]!r} is not a number; give a finite number"
            )
        frame[col] = number
    for pos in np.flatnonzero((frame["days"] <= 0).to_numpy()):
        problems.append(
            f"table 'periods', period {frame['id'].iloc[pos]}, column 'days': "
            f"{_shown(frame['days'].iloc[pos])!r}; a period lasts more than 0 days"
        )
    for col in ("id", "order"):
        for value in frame.loc[frame[col].duplicated(), col]:
            problems.append(
                f"table 'periods', column '{col}': {value!r} appears twice; each "
                "period needs its own id and place in the order"
            )
    frame = frame.sort_values("order", kind="stable").reset_index(drop=True)
    return frame[["id", "days", "order"]]


def _values_table(values: Any, period_ids: set[str], problems: list[str]) -> Any:
    if values is None:
        return pd.DataFrame({c: [] for c in _VALUE_COLUMNS})
    missing = [c for c in _VALUE_COLUMNS if c not in values.columns]
    if missing:
        problems.append(
            f"table 'period_values': missing column(s) {missing}; it needs "
            f"{list(_VALUE_COLUMNS)}"
        )
        return values
    frame = values[list(_VALUE_COLUMNS)].copy()
    for col in ("table", "id", "column", "period"):
        frame[col] = frame[col].astype(str).str.strip()
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce")
    known = ", ".join(f"{t}.{c}" for t, c in PERIOD_COLUMNS)
    for pos, row in enumerate(frame.itertuples(index=False)):
        where = f"table 'period_values', row {pos + 1} ({row.table} {row.id})"
        kind = PERIOD_COLUMNS.get((row.table, row.column))
        if kind is None:
            problems.append(
                f"{where}, column 'column': {row.table}.{row.column} cannot vary by "
                f"period; known: {known}"
            )
        if row.period not in period_ids:
            problems.append(
                f"{where}, column 'period': {row.period!r} is not in table 'periods'"
                f"; known: {sorted(period_ids)}"
            )
        # the number read, or the cell as written when it is not one
        value = (
            _shown(values["value"].iloc[pos])
            if not np.isfinite(row.value)
            else (int(row.value) if float(row.value).is_integer() else row.value)
        )
        if not np.isfinite(row.value) or row.value < 0:
            problems.append(
                f"{where}, column 'value': {value!r}; give a finite number >= 0"
            )
        elif kind == "0 or 1" and row.value not in (0.0, 1.0):
            problems.append(
                f"{where}, column 'value': {value!r}; {row.column} is 0 or 1"
            )
    dup = frame.duplicated(["table", "id", "column", "period"], keep="first")
    for row in frame[dup].itertuples(index=False):
        problems.append(
            f"table 'period_values': {row.table} {row.id} {row.column} in period "
            f"{row.period} is given twice; keep one row"
        )
    return frame.reset_index(drop=True)


def _shown(value: Any) -> Any:
    """A cell as a plain Python value (no ``np.int64(...)`` in a message)."""
    return value.item() if isinstance(value, np.generic) else value


#: The files of a periods folder (:func:`read_periods`).
PERIODS_FILE, PERIOD_VALUES_FILE = "periods.csv", "period_values.csv"


def read_periods(folder: str | Path) -> Periods:
    """Read ``periods.csv`` and, if present, ``period_values.csv`` from a folder.

    The folder may be a network's own folder or one of its own (the bundled
    ``morocco_kazakhstan/monthly``); the network's tables are read apart, by
    :func:`hubopt.read_network`. Both files follow hubopt's CSV rules
    (:func:`hubopt.io.read_csv_table`); ids and period ids are read as text.
    :func:`check_periods` checks the values against a network.

    Parameters
    ----------
    folder
        The folder holding ``periods.csv``.

    Returns
    -------
    Periods

    Raises
    ------
    ValidationError
        Without ``periods.csv``, for a file that is not readable CSV, or for bad
        rows: every problem at once, each naming the table, row, column and value.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.periods import read_periods
    >>> folder = hubopt.datasets.periods_path("morocco_kazakhstan_monthly")
    >>> periods = read_periods(folder)
    >>> len(periods), int(periods.days.sum())
    (12, 365)
    """
    folder = Path(folder)
    path = folder / PERIODS_FILE
    if not folder.is_dir():
        msg = (
            f"no {PERIODS_FILE} in '{folder}': no such folder; give a folder holding "
            f"{PERIODS_FILE} (and optionally {PERIOD_VALUES_FILE})"
        )
        raise ValidationError(msg)
    if not path.is_file():
        msg = (
            f"no {PERIODS_FILE} in {folder}; give a table with columns id, days, order"
        )
        raise ValidationError(msg)
    problems: list[str] = []
    frames: dict[str, pd.DataFrame | None] = {"periods": None, "period_values": None}
    for table, file in (
        ("periods", path),
        ("period_values", folder / PERIOD_VALUES_FILE),
    ):
        if table == "period_values" and not file.exists():
            continue
        try:
            frames[table] = read_csv_table(file, table, ("period", "table", "column"))
        except ValidationError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ValidationError(problems)
    return Periods.from_frames(frames["periods"], frames["period_values"])


def check_periods(network: Network, periods: Periods) -> None:
    """Check periods against a network: every ``period_values`` row names a row of
    its table (an origin, a market, a leg's ``ORIGIN->DESTINATION``, a corridor, a
    capacities row) and per-period supplies and demands add up to the annual ones.

    Raises
    ------
    ValidationError
        Every problem at once, naming the table, row, column and value.

    Examples
    --------
    >>> import pandas as pd
    >>> import hubopt
    >>> from hubopt.periods import Periods, check_periods
    >>> p = Periods.from_frames(
    ...     pd.DataFrame({"id": ["a", "b"], "days": [1, 1]}),
    ...     pd.DataFrame({"table": ["origins"], "id": ["NOPE"], "column": ["supply_t"],
    ...                   "period": ["a"], "value": [1.0]}),
    ... )
    >>> try:
    ...     check_periods(hubopt.datasets.tiny(), p)
    ... except hubopt.ValidationError as exc:
    ...     print(exc.problems[0][:59])
    table 'period_values', row 1, column 'id': 'NOPE' is not an
    """
    period_networks(network, periods)


def period_networks(network: Network, periods: Periods) -> list[Network]:
    """One network per period: supply, demand, leg costs, capacities and hub
    capacities of that period, and the legs' :data:`AVAILABLE` column.

    The networks share the original's rows and order (a leg is at the same
    position in every one), so per-period flows add up leg by leg.

    Raises
    ------
    ValidationError
        A period value naming an unknown row, or supplies and demands that do not
        add up to the annual figures.

    Examples
    --------
    >>> import pandas as pd
    >>> import hubopt
    >>> from hubopt.periods import Periods, period_networks
    >>> p = Periods.from_frames(pd.DataFrame({"id": ["a", "b"], "days": [1, 3]}))
    >>> [n.total_supply_t for n in period_networks(hubopt.datasets.tiny(), p)]
    [62.5, 187.5]
    """
    problems: list[str] = []
    tables = network._tables
    share = periods.share
    values = periods.values
    unknown = _unknown_rows(tables, values)
    if unknown:
        raise ValidationError(unknown)
    out = []
    supply = _tonnes_by_period(tables["origins"], "origins", "supply_t", periods)
    demand = _tonnes_by_period(
        tables["destinations"], "destinations", "demand_t", periods
    )
    for table, (_, errors) in (("origins", supply), ("destinations", demand)):
        problems += [f"table '{table}', {e}" for e in errors]
    if problems:
        raise ValidationError(problems)
    for t, pid in enumerate(periods.ids):
        mine = values[values["period"] == pid]
        own = dict(tables)
        origins = tables["origins"].copy()
        origins["supply_t"] = supply[0][:, t]
        dests = tables["destinations"].copy()
        dests["demand_t"] = demand[0][:, t]
        own["origins"], own["destinations"] = origins, dests
        own["legs"] = _period_legs(tables["legs"], mine)
        hubs = tables["hubs"].copy()
        hubs["capacity_t"] = hubs["capacity_t"] * share[t]
        levels = tables["hub_levels"].copy()
        levels["capacity_t"] = levels["capacity_t"] * share[t]
        own["hubs"], own["hub_levels"] = hubs, levels
        caps = tables["capacities"].copy()
        if len(caps):
            given = _given(mine, "capacities", "capacity_t")
            caps["capacity_t"] = [
                given.get(cid, cap * share[t])
                for cid, cap in zip(caps["id"], caps["capacity_t"], strict=True)
            ]
        own["capacities"] = caps
        net = copy.copy(network)
        net._tables = own
        net.name = f"{network.name} [{pid}]"
        out.append(net)
    return out


def _given(values: pd.DataFrame, table: str, column: str) -> dict[str, float]:
    rows = values[(values["table"] == table) & (values["column"] == column)]
    return dict(zip(rows["id"], rows["value"].astype(float), strict=True))


def _unknown_rows(tables: dict[str, pd.DataFrame], values: pd.DataFrame) -> list[str]:
    legs = tables["legs"]
    known = {
        "origins": set(tables["origins"]["id"]),
        "destinations": set(tables["destinations"]["id"]),
        "legs": set(legs["origin"] + "->" + legs["destination"]),
        "corridors": set(legs["corridor"]) - {""},
        "capacities": set(tables["capacities"]["id"]),
    }
    out = []
    for pos, row in enumerate(values.itertuples(index=False)):
        if row.id not in known.get(row.table, set()):
            what = "ORIGIN->DESTINATION of a leg" if row.table == "legs" else "an id"
            out.append(
                f"table 'period_values', row {pos + 1}, column 'id': {row.id!r} is not "
                f"{what} in table '{row.table}'; check the spelling"
            )
    return out


def _tonnes_by_period(
    frame: pd.DataFrame, table: str, column: str, periods: Periods
) -> tuple[np.ndarray, list[str]]:
    """Tonnes per row and period: the given values, the rest of the annual figure
    spread pro rata to days over the other periods; the problems found."""
    days = periods.days
    annual = frame[column].to_numpy(dtype=float)
    out = np.outer(annual, days / days.sum())
    values = periods.values
    rows = values[(values["table"] == table) & (values["column"] == column)]
    errors = []
    col_of = {pid: t for t, pid in enumerate(periods.ids)}
    row_of = {rid: r for r, rid in enumerate(frame["id"])}
    for rid, group in rows.groupby("id", sort=False):
        r = row_of[rid]
        given = np.zeros(len(days), dtype=bool)
        for period, value in zip(group["period"], group["value"], strict=True):
            out[r, col_of[period]] = float(value)
            given[col_of[period]] = True
        rest = annual[r] - out[r, given].sum()
        tol = 1e-6 * max(annual[r], 1.0)
        if rest < -tol or (given.all() and abs(rest) > tol):
            errors.append(
                f"row {rid}, column '{column}': the period values add up to "
                f"{out[r, given].sum():,.6g} t, the annual {column} is "
                f"{annual[r]:,.6g} t; make them add up (or leave periods out: they "
                "take the rest pro rata to days)"
            )
            continue
        if not given.all():
            free = ~given
            out[r, free] = max(rest, 0.0) * days[free] / days[free].sum()
    return out, errors


def _period_legs(legs: pd.DataFrame, values: pd.DataFrame) -> pd.DataFrame:
    """The legs with one period's costs and the :data:`AVAILABLE` column."""
    out = legs.copy()
    if not values["table"].isin(("legs", "corridors")).any():  # nothing to map
        out[AVAILABLE] = 1.0
        return out
    pair = legs["origin"] + "->" + legs["destination"]
    corridor = legs["corridor"]

    def by(keys: pd.Series, column: str, table: str, missing: float) -> np.ndarray:
        given = pd.Series(_given(values, table, column), dtype=float)
        return keys.map(given).fillna(missing).to_numpy(dtype=float)

    cost = legs["cost_per_t"].to_numpy(dtype=float)
    own = by(pair, "cost_per_t", "legs", np.nan)
    cost = np.where(np.isnan(own), cost, own)
    cost = cost * by(corridor, "cost_factor", "corridors", 1.0)
    out["cost_per_t"] = cost
    out[AVAILABLE] = np.minimum(
        by(pair, "available", "legs", 1.0), by(corridor, "available", "corridors", 1.0)
    )
    return out


def level_silo_t(network: Network, hub: np.ndarray, level: np.ndarray) -> np.ndarray:
    """Silo capacity per (hub, level) pair: the ``silo_capacity_t`` of its
    ``hub_levels`` row, or of the hub for a hub without levels (0: no silo)."""
    levels = network._tables["hub_levels"]
    by_level = dict(
        zip(
            zip(levels["hub_id"], levels["level"].astype(str), strict=True),
            network.column("hub_levels", "silo_capacity_t").to_numpy(dtype=float),
            strict=True,
        )
    )
    hubs = network._tables["hubs"]
    by_hub = dict(
        zip(
            hubs["id"],
            network.column("hubs", "silo_capacity_t").to_numpy(dtype=float),
            strict=True,
        )
    )
    with_levels = set(levels["hub_id"])
    return np.array(
        [
            by_level.get((h, str(k)), 0.0) if h in with_levels else by_hub[h]
            for h, k in zip(hub, level, strict=True)
        ],
        dtype=float,
    )


def stock_loss_share(network: Network) -> np.ndarray:
    """The share of a hub's stock lost per period, per hub (0 to 1).

    Raises
    ------
    ValidationError
        For a share above 1.
    """
    hubs = network._tables["hubs"]
    loss = network.column("hubs", "stock_loss_share").to_numpy(dtype=float)
    bad = [
        f"table 'hubs', hub {hid}, column 'stock_loss_share': {_shown(value)!r}; a "
        "share of "
        "the stock lost per period is between 0 and 1"
        for hid, value in zip(hubs["id"], loss, strict=True)
        if value > 1
    ]
    if bad:
        raise ValidationError(bad)
    return loss


def reserve_hubs(network: Network, markets: tuple[str, ...]) -> np.ndarray:
    """Hub positions holding a reserve for ``markets`` (every market when empty):
    the hubs with a leg into one of them."""
    dests = network._tables["destinations"]["id"]
    group = set(markets) if markets else set(dests)
    unknown = sorted(group - set(dests))
    if unknown:
        msg = (
            f"reserve_markets names {unknown}, not in table 'destinations'; give "
            "market ids"
        )
        raise ValidationError(msg)
    legs = network._tables["legs"]
    serving = set(legs.loc[legs["destination"].isin(group), "origin"])
    hubs = network._tables["hubs"]["id"]
    return np.flatnonzero(hubs.isin(serving).to_numpy())
