"""Transport modes: unit costs, speeds, CO2 factors and transfer costs.

The modes table drives every leg attribute hubopt derives from geography (see
:mod:`hubopt.legs`). The default table ships as ``data/modes.csv`` with the source of
every value in its ``source`` column; docs/geography.md explains each figure.

Columns
-------
mode
    Name used in the legs table (lower case), e.g. ``sea_supramax``, ``rail``.
cost_per_tkm
    Line-haul cost in USD per tonne-km.
cost_per_t
    Fixed (terminal) cost per tonne charged once per segment, USD/t.
speed_km_per_day
    Average speed including stops, km per day.
co2_kg_per_tkm
    Emissions in kg CO2 (or CO2e) per tonne-km.
transfer_cost_per_t, transfer_days
    Cost and time of a transfer *into* this mode from another one in a chain.
circuity
    Ratio of route length to great-circle distance, used where no network or corridor
    gives the route.
graph
    Optional: ``sea`` (routed on the sea graph) or ``land`` (corridor or circuity).
    Inferred when absent: ``sea`` for names starting with "sea" and for
    ``caspian_ferry``, else ``land``.
avoid
    Optional: ';'-separated passages always closed for this mode (e.g. ``volga_don``
    for ocean-going ships).
source
    Where each value comes from; say when a value is assumed or derived.
"""

from __future__ import annotations

import difflib
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import ValidationError
from .geo import PASSAGES

#: Columns every modes table needs.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "mode",
    "cost_per_tkm",
    "cost_per_t",
    "speed_km_per_day",
    "co2_kg_per_tkm",
    "transfer_cost_per_t",
    "transfer_days",
    "circuity",
)
NUMERIC_COLUMNS: tuple[str, ...] = REQUIRED_COLUMNS[1:]
#: Optional columns and their defaults.
OPTIONAL_COLUMNS: dict[str, str] = {"graph": "", "avoid": "", "source": ""}
GRAPHS: tuple[str, ...] = ("sea", "land")
#: Mode names that stand for another mode.
MODE_ALIASES: dict[str, str] = {"sea": "sea_supramax"}


def _bundled_csv() -> Any:
    """The packaged modes.csv (``hubopt.data``), or data/ beside a source checkout."""
    try:
        return resources.files("hubopt.data").joinpath("modes.csv")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "data" / "modes.csv"


def load_modes(source: pd.DataFrame | str | Path | None = None) -> pd.DataFrame:
    """The modes table: the bundled defaults or a validated user table.

    Parameters
    ----------
    source
        None for the bundled ``data/modes.csv``; a DataFrame or a CSV path for a
        user-supplied table.

    Returns
    -------
    pandas.DataFrame
        One row per mode, indexed by nothing (mode is a column), with the columns of
        :data:`REQUIRED_COLUMNS` plus graph, avoid and source. Alias rows (``sea`` for
        ``sea_supramax``) are added when the table lacks them.

    Raises
    ------
    ValidationError
        Listing every problem in the table.

    Examples
    --------
    >>> from hubopt.modes import load_modes
    >>> modes = load_modes()
    >>> modes["mode"].tolist()[:3]
    ['sea_handysize', 'sea_supramax', 'sea_panamax']
    >>> dearer = modes.assign(cost_per_tkm=modes["cost_per_tkm"] * 1.2)
    >>> rail = load_modes(dearer).set_index("mode").loc["rail", "cost_per_tkm"]
    >>> round(float(rail), 5)
    0.02568
    """
    if source is None:
        with _bundled_csv().open("r", encoding="utf-8") as handle:
            frame = pd.read_csv(handle, keep_default_na=False, na_values=[""])
    elif isinstance(source, pd.DataFrame):
        frame = source
    else:
        try:
            frame = pd.read_csv(source, keep_default_na=False, na_values=[""])
        except FileNotFoundError as exc:
            msg = f"modes table: file {str(source)!r} not found"
            raise ValidationError(msg) from exc
    return validate_modes(frame)


def validate_modes(frame: pd.DataFrame) -> pd.DataFrame:
    """Check and normalise a modes table.

    Parameters
    ----------
    frame
        A table with the columns described in this module's docstring.

    Returns
    -------
    pandas.DataFrame
        A normalised copy: lower-case mode names, float columns, graph filled in,
        alias rows added.

    Raises
    ------
    ValidationError
        Listing every problem: missing columns, empty or duplicate names, values that
        are not finite non-negative numbers, zero speed, circuity below 1, unknown
        graph or passage names.

    Examples
    --------
    >>> from hubopt import ValidationError
    >>> from hubopt.modes import load_modes, validate_modes
    >>> modes = load_modes()
    >>> broken = modes.assign(speed_km_per_day=0.0)
    >>> try:
    ...     validate_modes(broken)
    ... except ValidationError as exc:
    ...     print(len(exc.problems) > 0)
    True
    """
    if not isinstance(frame, pd.DataFrame):
        msg = f"modes table: expected a DataFrame, got {type(frame).__name__}"
        raise ValidationError(msg)
    out = frame.copy()
    out.columns = [str(c).strip() for c in out.columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in out.columns]
    if missing:
        raise ValidationError(
            [f"table 'modes': missing required column '{c}'" for c in missing]
        )
    out = out.reset_index(drop=True)
    for col, default in OPTIONAL_COLUMNS.items():
        if col not in out.columns:
            out[col] = default
        out[col] = ["" if _blank(v) else str(v).strip() for v in out[col]]
    problems: list[str] = []
    names = ["" if _blank(v) else str(v).strip().lower() for v in out["mode"]]
    out["mode"] = names
    for pos, name in enumerate(names):
        if not name:
            problems.append(f"table 'modes', row {pos + 1}, column 'mode': empty name")
    for name in sorted({n for n in names if n and names.count(n) > 1}):
        problems.append(f"table 'modes', mode '{name}': listed more than once")
    for col in NUMERIC_COLUMNS:
        values = pd.to_numeric(out[col], errors="coerce")
        for name, raw, value in zip(names, out[col], values, strict=True):
            where = f"table 'modes', mode '{name}', column '{col}'"
            if not np.isfinite(value):
                problems.append(f"{where}: {raw!r} is not a finite number")
            elif value < 0:
                problems.append(f"{where}: {value:g} is negative")
            elif col == "speed_km_per_day" and value == 0:
                problems.append(f"{where}: speed must be above zero")
            elif col == "circuity" and value < 1:
                problems.append(
                    f"{where}: {value:g} is below 1; a route is never shorter than "
                    "the great circle"
                )
        out[col] = values.astype(float)
    graphs = []
    for name, value in zip(names, out["graph"], strict=True):
        graph = value.lower() or _default_graph(name)
        if graph not in GRAPHS:
            problems.append(
                f"table 'modes', mode '{name}', column 'graph': unknown graph "
                f"{value!r}; use one of {', '.join(GRAPHS)}"
            )
        graphs.append(graph)
    out["graph"] = graphs
    for name, value in zip(names, out["avoid"], strict=True):
        for passage in _split(value):
            if passage not in PASSAGES:
                problems.append(
                    f"table 'modes', mode '{name}', column 'avoid': unknown passage "
                    f"{passage!r}; known: {', '.join(sorted(PASSAGES))}"
                )
    if problems:
        raise ValidationError(problems)
    for alias, target in MODE_ALIASES.items():
        if alias not in names and target in names:
            row = out.loc[out["mode"] == target].iloc[[0]].copy()
            row["mode"] = alias
            row["source"] = f"alias of {target}"
            out = pd.concat([out, row], ignore_index=True)
    return out


def mode_parameters(modes: pd.DataFrame, mode: str) -> dict[str, Any]:
    """One mode's row as a dict, with ``avoid`` split into a tuple.

    Raises
    ------
    ValidationError
        When the mode is not in the table (with the closest known name).

    Examples
    --------
    >>> from hubopt.modes import load_modes, mode_parameters
    >>> rail = mode_parameters(load_modes(), "rail")
    >>> rail["cost_per_tkm"], rail["circuity"]
    (0.0214, 1.29)
    >>> mode_parameters(load_modes(), "sea")["avoid"]  # ocean ships skip the Volga-Don
    ('volga_don',)
    """
    name = str(mode).strip().lower()
    match = modes.loc[modes["mode"] == name]
    if match.empty:
        known = sorted(modes["mode"])
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        msg = (
            f"mode '{mode}' is not in the modes table{hint}; known modes: "
            f"{', '.join(known)}"
        )
        raise ValidationError(msg)
    row = match.iloc[0].to_dict()
    row["avoid"] = tuple(_split(row.get("avoid", "")))
    return row


def _default_graph(name: str) -> str:
    return "sea" if name.startswith("sea") or name == "caspian_ferry" else "land"


def _split(value: Any) -> list[str]:
    if _blank(value):
        return []
    return [p.strip().lower() for p in str(value).split(";") if p.strip()]


def _blank(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, float) and np.isnan(value))
        or (isinstance(value, str) and not value.strip())
    )
