"""Reading and writing networks: a folder of CSV files or one GeoPackage.

Every failure to read becomes a :class:`~hubopt.errors.ValidationError` that names the
file or layer and says what is wrong; no pandas, pyogrio or OS traceback reaches
the user.
"""

from __future__ import annotations

import contextlib
import csv
import io as _io
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import ValidationError
from .network import TABLES, Network

#: Tables that must exist in a network folder or GeoPackage.
REQUIRED_TABLES = ("origins", "hubs", "destinations", "legs")
#: Tables that may exist.
OPTIONAL_TABLES = ("hub_levels", "corridors", "capacities")
#: Columns read as text whatever they contain, so ids like "007" stay as written.
TEXT_COLUMNS = (
    "id",
    "name",
    "origin",
    "destination",
    "mode",
    "corridor",
    "hub_id",
    "level",
    "status",
    "node",
)
#: Byte-order marks of encodings other than UTF-8, checked longest first.
_WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)
#: Largest CSV file read, in bytes; a larger one is refused rather than parsed.
MAX_FILE_BYTES = 200 * 1024 * 1024
#: First characters that make a spreadsheet read a cell as a formula (OWASP's rule
#: against CSV injection: =, +, -, @, TAB, CR).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Text that is only a decimal number ("-3", "+1.5e3"): a spreadsheet reads it as that
#: number, which runs nothing, so it keeps its sign.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def read_network(
    path: str | os.PathLike[str],
    *,
    name: str | None = None,
    modes: pd.DataFrame | str | os.PathLike[str] | None = None,
) -> Network:
    """Read a network from a folder of CSV files or from a GeoPackage.

    Parameters
    ----------
    path
        A folder holding ``origins.csv``, ``hubs.csv``, ``destinations.csv``,
        ``legs.csv`` and optionally ``hub_levels.csv``, ``corridors.csv``,
        ``capacities.csv`` and ``modes.csv`` (the network's own transport modes); or
        a ``.gpkg`` file with layers of those names.
    name
        A label for the network; the folder or file name by default.
    modes
        The modes table the legs may name (see :meth:`Network.from_frames`); by
        default the folder's ``modes.csv``, else the bundled ``data/modes.csv``.

    Returns
    -------
    Network

    Raises
    ------
    ValidationError
        When a file is missing, unreadable or not valid CSV/UTF-8, or the tables fail
        validation. The message names every problem.

    Examples
    --------
    >>> import hubopt
    >>> net = hubopt.read_network(hubopt.datasets.path("tiny"))
    >>> net.hubs["id"].tolist()
    ['H1', 'H2', 'H3']
    """
    path = Path(path)
    label = name or path.stem or str(path)
    if not path.exists():
        msg = f"network '{path}': no such file or folder"
        raise ValidationError(msg)
    if path.is_dir() and path.suffix.lower() == ".gpkg":
        msg = f"network '{path}': is a folder, expected a GeoPackage file"
        raise ValidationError(msg)
    if path.is_dir():
        frames = _read_csv_folder(path)
        if modes is None and (path / "modes.csv").is_file():
            modes = read_csv_table(path / "modes.csv", "modes")
    elif not path.is_file():
        msg = (
            f"network '{path}': not a regular file (a pipe, socket or device); "
            "save the network to a file"
        )
        raise ValidationError(msg)
    elif path.suffix.lower() == ".gpkg":
        frames = _read_gpkg(path)
        if modes is None:
            modes = frames.get("modes")
    else:
        msg = (
            f"network '{path}': expected a folder of CSV files or a .gpkg file, got a "
            f"'{path.suffix or 'file without extension'}'"
        )
        raise ValidationError(msg)
    return Network.from_frames(
        frames["origins"],
        frames["hubs"],
        frames["destinations"],
        frames["legs"],
        frames.get("hub_levels"),
        frames.get("corridors"),
        name=label,
        capacities=frames.get("capacities"),
        modes=modes,
    )


def _read_csv_folder(folder: Path) -> dict[str, Any]:
    problems: list[str] = []
    frames: dict[str, Any] = {}
    for table in (*REQUIRED_TABLES, *OPTIONAL_TABLES):
        file = folder / f"{table}.csv"
        if not file.exists():
            if table in REQUIRED_TABLES:
                problems.append(f"table '{table}': file '{file}' not found")
            continue
        try:
            frame = read_csv_table(file, table)
        except ValidationError as exc:
            problems.extend(exc.problems)
            continue
        if table == "corridors" or "geometry" in frame.columns:
            try:
                frame = _wkt_to_geometry(frame, table, file)
            except ValidationError as exc:
                problems.extend(exc.problems)
                continue
        frames[table] = frame
    if problems:
        raise ValidationError(problems)
    return frames


def decode_utf8(raw: bytes, where: str) -> str:
    """Decode a file's bytes as UTF-8 (a BOM is dropped), or raise a ValidationError
    that names ``where``, the bad byte and its line.

    Examples
    --------
    >>> decode_utf8("id,name\\n".encode(), "config file 'run.toml'")
    'id,name\\n'
    >>> decode_utf8(b"id\\nCaf\\xe9\\n", "config file 'run.toml'")
    Traceback (most recent call last):
    ...
    hubopt.errors.ValidationError: config file 'run.toml': not valid UTF-8 (byte 0xe9 \
on line 2); save the file as UTF-8
    """
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        msg = (
            f"{where}: not valid UTF-8 (byte {raw[exc.start]:#04x} on line {line}); "
            "save the file as UTF-8"
        )
        raise ValidationError(msg) from None


def read_csv_table(
    file: Path, table: str, text_columns: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Read one CSV table with hubopt's rules: UTF-8 (a BOM is fine), comma-separated,
    id-like columns as text.

    Parameters
    ----------
    file
        The CSV file.
    table
        The table's name, for messages.
    text_columns
        More columns read as text besides hubopt's id-like ones (``period`` ids
        such as ``01`` keep their leading zero).

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.io import read_csv_table
    >>> folder = hubopt.datasets.path("tiny")
    >>> read_csv_table(folder / "hubs.csv", "hubs")["id"].tolist()
    ['H1', 'H2', 'H3']
    """
    where = f"table '{table}' ({file})"
    if file.is_dir():
        msg = f"{where}: is a folder, expected a CSV file"
        raise ValidationError(msg)
    if file.exists() and not file.is_file():
        # a FIFO would block the read forever, a device would never end
        msg = f"{where}: not a regular file (a pipe, socket or device)"
        raise ValidationError(msg)
    try:
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            msg = (
                f"{where}: the file is {size / 1e6:.0f} MB, larger than the "
                f"{MAX_FILE_BYTES / 1e6:.0f} MB hubopt reads; is it the right file?"
            )
            raise ValidationError(msg)
        raw = file.read_bytes()
    except PermissionError:
        msg = f"{where}: permission denied; make the file readable"
        raise ValidationError(msg) from None
    except OSError as exc:
        msg = f"{where}: cannot be read ({exc.strerror or exc})"
        raise ValidationError(msg) from None
    for bom, encoding in _WIDE_BOMS:
        if raw.startswith(bom):
            msg = (
                f"{where}: the file is {encoding} encoded (e.g. Excel's 'Unicode "
                "text'); save the file as UTF-8 (CSV UTF-8)"
            )
            raise ValidationError(msg)
    if b"\x00" in raw[:65536]:
        msg = f"{where}: contains NUL bytes; this is not a text CSV file"
        raise ValidationError(msg)
    text = decode_utf8(raw, where)
    if not text.strip():
        msg = f"{where}: the file is empty; it needs a header row and at least one row"
        raise ValidationError(msg)
    header = text.lstrip("\r\n").splitlines()[0]
    names = [c.strip() for c in next(csv.reader([header]), [])]
    duplicated = sorted({c for c in names if c and names.count(c) > 1})
    if duplicated:
        msg = (
            f"{where}: duplicate column(s) {duplicated} in the header; each column "
            "may appear once"
        )
        raise ValidationError(msg)
    try:
        frame = pd.read_csv(
            _io.StringIO(text),
            dtype={c: str for c in (*TEXT_COLUMNS, *text_columns)},
            keep_default_na=True,
            na_values=[""],
            skipinitialspace=True,
        )
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "parse error"
        msg = f"{where}: not valid CSV ({first})"
        raise ValidationError(msg) from None
    except pd.errors.EmptyDataError:
        msg = f"{where}: the file is empty; it needs a header row and at least one row"
        raise ValidationError(msg) from None
    if len(frame.columns) == 1 and "," not in header:
        for sep, sep_name in ((";", "semicolon"), ("\t", "tab"), ("|", "pipe")):
            if sep in header:
                msg = (
                    f"{where}: the file looks {sep_name}-separated; hubopt reads "
                    "comma-separated CSV (save it with ',' as the delimiter)"
                )
                raise ValidationError(msg)
    if len(frame) == 0 and table not in (
        "hub_levels",
        "legs",
        "capacities",
        "period_values",
    ):
        msg = f"{where}: the file has a header but no rows; it needs at least one row"
        raise ValidationError(msg)
    return frame


def _wkt_to_geometry(frame: pd.DataFrame, table: str, file: Path) -> Any:
    import geopandas as gpd
    import shapely

    if "geometry" not in frame.columns:
        msg = f"table '{table}' ({file}): missing required column 'geometry' (WKT)"
        raise ValidationError(msg)
    geoms = []
    problems = []
    for pos, text in enumerate(frame["geometry"]):
        if (
            text is None
            or (isinstance(text, float) and pd.isna(text))
            or not str(text).strip()
        ):
            geoms.append(None)
            continue
        try:
            geoms.append(shapely.from_wkt(str(text)))
        except shapely.errors.ShapelyError:
            problems.append(
                f"table '{table}', row {pos + 1}, column 'geometry': "
                f"{str(text)[:40]!r} is not valid WKT"
            )
            geoms.append(None)
    if problems:
        raise ValidationError(problems)
    out = frame.drop(columns=["geometry"])
    return gpd.GeoDataFrame(out, geometry=geoms, crs="EPSG:4326")


def _read_gpkg(file: Path) -> dict[str, Any]:
    import pyogrio

    where = f"GeoPackage '{file}'"
    try:
        layers = {str(row[0]) for row in pyogrio.list_layers(file)}
    except PermissionError:
        msg = f"{where}: permission denied; make the file readable"
        raise ValidationError(msg) from None
    except Exception as exc:  # pyogrio raises its own DataSourceError family
        msg = f"{where}: cannot be opened as a GeoPackage ({str(exc).splitlines()[0]})"
        raise ValidationError(msg) from None
    problems = [
        f"table '{t}': layer not found in {where} (layers: {sorted(layers)})"
        for t in REQUIRED_TABLES
        if t not in layers
    ]
    if problems:
        raise ValidationError(problems)
    frames: dict[str, Any] = {}
    for table in (*REQUIRED_TABLES, *OPTIONAL_TABLES, "modes"):
        if table not in layers:
            continue
        try:
            frame = pyogrio.read_dataframe(file, layer=table)
        except Exception as exc:
            msg = f"table '{table}' in {where}: cannot be read ({exc})"
            raise ValidationError(msg) from None
        if (
            table in ("origins", "hubs", "destinations")
            and {"lon", "lat"} <= set(frame.columns)
            and hasattr(frame, "geometry")
        ) or (
            table in ("legs", "hub_levels", "capacities")
            and hasattr(frame, "geometry")
            and frame.geometry.isna().all()
        ):
            frame = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        frames[table] = frame
    return frames


# ------------------------------------------------------------------------------------
# writing
# ------------------------------------------------------------------------------------
def write_network(
    network: Network, path: str | os.PathLike[str], *, overwrite: bool = False
) -> None:
    """Write a network as a folder of CSV files, or as a GeoPackage when the path ends
    in ``.gpkg``; ``hubopt.write_network`` at the top level, and
    :func:`read_network` reads it back.

    Parameters
    ----------
    network
        The network to write.
    path
        A folder (one CSV file per table) or a file ending in ``.gpkg``.
    overwrite
        Replace existing files; without it an existing file is an error.

    Raises
    ------
    ValidationError
        When a file to write exists and ``overwrite`` is not set, or the path is a
        file that does not end in ``.gpkg``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import hubopt
    >>> from hubopt.io import write_network
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_network(hubopt.datasets.tiny(), folder / "tiny.gpkg")
    >>> hubopt.read_network(folder / "tiny.gpkg")
    Network('tiny': 2 origins, 3 hubs, 3 destinations, 13 legs)
    >>> hubopt.write_network(hubopt.datasets.tiny(), folder / "tiny")  # CSV files
    >>> sorted(p.name for p in (folder / "tiny").iterdir())
    ['destinations.csv', 'hubs.csv', 'legs.csv', 'origins.csv']
    >>> hubopt.read_network(folder / "tiny")
    Network('tiny': 2 origins, 3 hubs, 3 destinations, 13 legs)
    """
    path = Path(path)
    tables = {t: network.table(t) for t in TABLES}
    corridors = network.corridors
    if network.own_modes is not None:
        tables["modes"] = network.own_modes
    if path.suffix.lower() == ".gpkg":
        _write_gpkg(tables, corridors, path, overwrite=overwrite)
        return
    if path.exists() and not path.is_dir():
        msg = f"'{path}' is a file; a network is written to a folder or a .gpkg file"
        raise ValidationError(msg)
    names = [f"{t}.csv" for t in (*TABLES, "corridors", "modes")]
    existing = [path / n for n in names if (path / n).exists()]
    if existing and not overwrite:  # refuse before writing anything
        msg = f"'{existing[0]}' exists; pass overwrite=True (--overwrite) to replace it"
        raise ValidationError(msg)
    path.mkdir(parents=True, exist_ok=True)
    for table, frame in tables.items():
        if table in ("hub_levels", "capacities") and frame.empty:
            (path / f"{table}.csv").unlink(missing_ok=True)  # not a stale table
            continue
        if table == "modes":
            continue  # written below
        # a network folder is data to read back, not a spreadsheet export: written
        # as it is, so that it round-trips unchanged (no formula guard)
        write_csv_atomic(
            _geometry_to_wkt(frame),
            path / f"{table}.csv",
            overwrite,
            guard_formulas=False,
        )
    if corridors is not None:
        write_csv_atomic(
            _geometry_to_wkt(pd.DataFrame(corridors)),
            path / "corridors.csv",
            overwrite,
            guard_formulas=False,
        )
    else:
        (path / "corridors.csv").unlink(missing_ok=True)
    if network.own_modes is not None:  # a modes table of its own, beside the legs
        write_csv_atomic(
            network.own_modes, path / "modes.csv", overwrite, guard_formulas=False
        )
    else:
        (path / "modes.csv").unlink(missing_ok=True)


def _geometry_to_wkt(frame: pd.DataFrame) -> pd.DataFrame:
    if "geometry" not in frame.columns:
        return frame
    out = pd.DataFrame(frame).copy()
    out["geometry"] = [None if g is None else g.wkt for g in out["geometry"]]
    return out


def _write_gpkg(
    tables: dict[str, pd.DataFrame], corridors: Any, path: Path, *, overwrite: bool
) -> None:
    import geopandas as gpd
    import pyogrio

    if path.exists() and not overwrite:
        msg = f"'{path}' exists; pass overwrite=True (--overwrite) to replace it"
        raise ValidationError(msg)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(suffix=".gpkg", dir=path.parent)
    os.close(fd)
    os.unlink(tmp_name)
    tmp = Path(tmp_name)
    try:
        for table, frame in tables.items():
            if table in ("hub_levels", "capacities") and frame.empty:
                continue
            if table in ("origins", "hubs", "destinations"):
                gdf = gpd.GeoDataFrame(
                    frame,
                    geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
                    crs="EPSG:4326",
                )
                pyogrio.write_dataframe(gdf, tmp, layer=table)
            elif table == "legs" and "geometry" in frame.columns:
                gdf = gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")
                pyogrio.write_dataframe(gdf, tmp, layer=table)
            else:
                pyogrio.write_dataframe(pd.DataFrame(frame), tmp, layer=table)
        if corridors is not None:
            pyogrio.write_dataframe(corridors, tmp, layer="corridors")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


@contextlib.contextmanager
def atomic_target(
    file: str | os.PathLike[str], overwrite: bool = True
) -> Iterator[Path]:
    """A temporary path beside ``file`` for a writer that wants a file name
    (matplotlib, folium, pyogrio), renamed onto ``file`` only when the block ends
    without an error; a crash or an exception leaves no half-written file.

    Parameters
    ----------
    file
        The target; the temporary path has the same suffix, so writers that infer
        the format from it (``savefig``, GeoPackage drivers) behave the same.
    overwrite
        When False an existing ``file`` is an error.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "table.csv"
    >>> with atomic_target(target) as tmp:
    ...     _ = tmp.write_text("a,b\\n1,2\\n")
    >>> target.read_text()
    'a,b\\n1,2\\n'
    """
    file = Path(file)
    if file.exists() and not overwrite:
        msg = f"'{file}' exists; pass overwrite=True (--overwrite) to replace it"
        raise ValidationError(msg)
    file.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(
        prefix=f".{file.stem}.", suffix=file.suffix, dir=file.parent
    )
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()  # some writers refuse an existing file (GeoPackage drivers)
    try:
        yield tmp
        if tmp.exists():  # a writer that wrote nothing leaves the target as it was
            os.replace(tmp, file)
    finally:
        if tmp.exists():
            tmp.unlink()


def guard_formula_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a table in which no text cell reads as a spreadsheet formula.

    A text cell (or column name) that starts with ``=``, ``+``, ``-``, ``@``, TAB or
    CR gets a single quote in front, OWASP's rule against CSV injection: Excel,
    LibreOffice and Google Sheets then show it as text instead of running it
    (``=HYPERLINK(...)``, ``=cmd|...``). Numbers are left alone, both numeric columns
    and text that is only a decimal number such as ``"-3"`` or ``"+1.5e3"`` (a
    spreadsheet reads that as the number; a formula needs more). A cell already
    guarded starts with the quote and stays as it is.

    Parameters
    ----------
    frame
        The table; not changed.

    Returns
    -------
    pandas.DataFrame
        Of the same type (a GeoDataFrame stays one).

    Examples
    --------
    >>> import pandas as pd
    >>> from hubopt.io import guard_formula_cells
    >>> table = pd.DataFrame({"name": ["=1+1", "@SUM(A1)", "-3", "-x", "Port"],
    ...                       "t": [-1.0, 2.0, 3.0, 4.0, 5.0]})
    >>> guard_formula_cells(table)["name"].tolist()
    ["'=1+1", "'@SUM(A1)", '-3', "'-x", 'Port']
    >>> guard_formula_cells(table)["t"].tolist()
    [-1.0, 2.0, 3.0, 4.0, 5.0]
    """
    out = frame.copy()
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        if not (
            pd.api.types.is_object_dtype(values)
            or pd.api.types.is_string_dtype(values)
            or isinstance(values.dtype, pd.CategoricalDtype)
        ):
            continue  # dates, geometry and other typed columns hold no text
        cells = values.astype(object)
        guarded = cells.map(_guard_cell)
        if not guarded.equals(cells):
            out.isetitem(position, guarded)
    out.columns = [_guard_cell(c) for c in frame.columns]
    return out


def _guard_cell(value: Any) -> Any:
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def write_csv_atomic(
    frame: pd.DataFrame,
    file: Path,
    overwrite: bool = True,
    *,
    guard_formulas: bool = True,
) -> None:
    """Write a CSV through a temporary file and an atomic rename.

    Parameters
    ----------
    frame
        The table.
    file
        The target file.
    overwrite
        When False an existing file is an error.
    guard_formulas
        Guard text cells that a spreadsheet would run as formulas (see
        :func:`guard_formula_cells`): for tables people open in a spreadsheet.
        False writes the text as it is, for files read back as data, such as a
        network written by :func:`write_network`.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from hubopt.io import write_csv_atomic
    >>> file = Path(tempfile.mkdtemp()) / "table.csv"
    >>> write_csv_atomic(pd.DataFrame({"id": ["A"], "supply_t": [5.0]}), file)
    >>> print(file.read_text(), end="")
    id,supply_t
    A,5.0
    """
    if guard_formulas:
        frame = guard_formula_cells(frame)
    # the csv module quotes a cell holding "\n" but not one holding a lone "\r",
    # which readers take for a line break: then quote every text cell
    quoting = csv.QUOTE_NONNUMERIC if _has_carriage_return(frame) else csv.QUOTE_MINIMAL
    text = frame.to_csv(index=False, lineterminator="\n", quoting=quoting)
    write_text_atomic(text, file, overwrite)


def _has_carriage_return(frame: pd.DataFrame) -> bool:
    labels = [c for c in frame.columns if isinstance(c, str)]
    if any("\r" in c for c in labels):
        return True
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        if any(isinstance(v, str) and "\r" in v for v in values.astype(object)):
            return True
    return False


def _umask() -> int:
    """The process umask (read without changing it for good)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text_atomic(text: str, file: Path, overwrite: bool = True) -> None:
    """Write text through a temporary file in the same folder and an atomic rename,
    so a crash leaves either the old file or the new one, never half of one.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from hubopt.io import write_text_atomic
    >>> file = Path(tempfile.mkdtemp()) / "note.txt"
    >>> write_text_atomic("first", file)
    >>> write_text_atomic("second", file, overwrite=False)
    Traceback (most recent call last):
    ...
    hubopt.errors.ValidationError: '...note.txt' exists; pass overwrite=True \
(--overwrite) to replace it
    """
    file = Path(file)
    if file.exists() and not overwrite:
        msg = f"'{file}' exists; pass overwrite=True (--overwrite) to replace it"
        raise ValidationError(msg)
    file.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{file.name}.", dir=file.parent)
    try:
        # mkstemp creates 0600 files; give the result the usual umask-based mode.
        os.chmod(tmp, 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, file)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
