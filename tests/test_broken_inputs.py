"""The broken-input corpus: every case ends in a ValidationError (or CLI exit 2) whose
message names the problem, never in a traceback from pandas, numpy, pulp or the OS.

Cases live in ``tests/broken/`` (see its README): CSV folders overlaid on the tiny
network and TOML config files, each with the messages it must produce. Cases that
cannot be committed (a 50 MB junk file, an unreadable file, a FIFO) and the
GeoPackage and GeoDataFrame cases are built here, in ``tmp_path``.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import tomllib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon

import hubopt
import hubopt.config
from hubopt import ValidationError
from hubopt.cli import main

BROKEN = Path(__file__).parent / "broken"
CSV_CASES = sorted(p.name for p in (BROKEN / "csv").iterdir() if p.is_dir())
TOML_CASES = sorted(p.name for p in (BROKEN / "toml").iterdir() if p.is_dir())
#: Words that betray a leaked library or OS traceback in a message.
_LEAKS = re.compile(
    r"Traceback|pandas\.|numpy\.|np\.float|np\.int|pulp\.|pyogrio\.|Errno|KeyError"
)


def _case(kind: str, name: str) -> dict:
    return tomllib.loads((BROKEN / kind / name / "case.toml").read_text("utf-8"))


def _assert_clean(message: str, expect: list[str]) -> None:
    for pattern in expect:
        assert re.search(pattern, message), f"{pattern!r} not in:\n{message}"
    assert not _LEAKS.search(message), message


@pytest.fixture
def tiny_folder(tmp_path) -> Path:
    target = tmp_path / "net"
    shutil.copytree(
        hubopt.datasets.path("tiny"), target, ignore=lambda *_: ["README.md"]
    )
    return target


def _overlay(name: str, target: Path) -> dict:
    case = _case("csv", name)
    for file in (BROKEN / "csv" / name).iterdir():
        if file.name != "case.toml":
            shutil.copyfile(file, target / file.name)
    for file in case.get("remove", []):
        (target / file).unlink()
    return case


def test_corpus_size():
    assert len(CSV_CASES) + len(TOML_CASES) + len(GPKG_CASES) + len(GDF_CASES) >= 40


# -- CSV folders -----------------------------------------------------------------------
@pytest.mark.parametrize("name", CSV_CASES)
def test_csv_case(name, tiny_folder):
    case = _overlay(name, tiny_folder)
    with pytest.raises(ValidationError) as info:
        hubopt.read_network(tiny_folder)
    _assert_clean(str(info.value), case["expect"])


@pytest.mark.parametrize("name", CSV_CASES)
def test_csv_case_cli_exit_2(name, tiny_folder, capsys):
    case = _overlay(name, tiny_folder)
    assert main(["validate", str(tiny_folder)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hubopt: ")
    _assert_clean(err, case["expect"])


def test_junk_50_mb(tiny_folder):
    """50 MB of random bytes where legs.csv should be: refused at once, not parsed."""
    rng = np.random.default_rng(0)
    (tiny_folder / "legs.csv").write_bytes(rng.bytes(50 * 1024 * 1024))
    with pytest.raises(ValidationError) as info:
        hubopt.read_network(tiny_folder)
    _assert_clean(str(info.value), [r"table 'legs' \(.*\): .*not a text CSV file"])


def test_junk_50_mb_of_text(tiny_folder):
    """50 MB of comma-free text lines: refused with a message, not a traceback."""
    line = b"lorem ipsum dolor sit amet consectetur\n"
    (tiny_folder / "legs.csv").write_bytes(line * (50 * 1024 * 1024 // len(line)))
    with pytest.raises(ValidationError) as info:
        hubopt.read_network(tiny_folder)
    _assert_clean(str(info.value), [r"table 'legs'.*missing required column 'origin'"])


def test_directory_where_file_should_be(tiny_folder):
    (tiny_folder / "hubs.csv").unlink()
    (tiny_folder / "hubs.csv").mkdir()
    with pytest.raises(ValidationError) as info:
        hubopt.read_network(tiny_folder)
    _assert_clean(str(info.value), [r"table 'hubs' \(.*\): is a folder"])


# Root reads a chmod 000 file, and CI runs as root. A write-only procfs entry refuses
# reads even to root with a real EACCES from the kernel, so hubs.csv is made a symbolic
# link to one; without root the plain chmod 000 case runs instead.
_WRITE_ONLY_PROC = Path("/proc/sys/vm/drop_caches")


def _unreadable(path: Path) -> None:
    path.unlink()
    if os.geteuid() != 0:
        path.write_text("id\n")
        path.chmod(0)
        return
    try:
        _WRITE_ONLY_PROC.read_bytes()
    except PermissionError:
        path.symlink_to(_WRITE_ONLY_PROC)
        return
    except OSError:
        pass
    pytest.skip("running as root without a write-only procfs entry")


def test_unreadable_permissions(tiny_folder, capsys):
    _unreadable(tiny_folder / "hubs.csv")
    with pytest.raises(ValidationError) as info:
        hubopt.read_network(tiny_folder)
    _assert_clean(str(info.value), [r"table 'hubs' \(.*\): permission denied"])
    assert main(["validate", str(tiny_folder)]) == 2
    assert "permission denied" in capsys.readouterr().err


def test_unreadable_toml(tmp_path):
    file = tmp_path / "run.toml"
    file.write_text("x = 1\n")
    _unreadable(file)
    with pytest.raises(ValidationError, match=r"config file .*: permission denied"):
        hubopt.config.load_toml(file)


def test_fifo_is_refused_not_waited_on(tiny_folder):
    """A named pipe would block a read forever; it is refused as not a file."""
    (tiny_folder / "legs.csv").unlink()
    os.mkfifo(tiny_folder / "legs.csv")
    with pytest.raises(ValidationError) as info:
        hubopt.read_network(tiny_folder)
    _assert_clean(str(info.value), [r"table 'legs' \(.*\): not a regular file"])


def test_network_path_is_a_fifo(tmp_path):
    os.mkfifo(tmp_path / "net.gpkg")
    with pytest.raises(ValidationError, match=r"not a regular file"):
        hubopt.read_network(tmp_path / "net.gpkg")


# -- GeoPackages -------------------------------------------------------------------------
def _write_gpkg(path: Path, layers: dict[str, pd.DataFrame], crs="EPSG:4326") -> None:
    import pyogrio

    for layer, frame in layers.items():
        if {"lon", "lat"} <= set(frame.columns):
            frame = gpd.GeoDataFrame(
                frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs=crs
            )
        pyogrio.write_dataframe(frame, path, layer=layer)


def _tiny_layers() -> dict[str, pd.DataFrame]:
    net = hubopt.datasets.tiny()
    return {t: net.table(t) for t in ("origins", "hubs", "destinations", "legs")}


def _gpkg_not_sqlite(path: Path) -> None:
    path.write_bytes(b"this is not a GeoPackage\n" * 10)


def _gpkg_empty(path: Path) -> None:
    path.write_bytes(b"")


def _gpkg_truncated(path: Path) -> None:
    full = path.with_name("full.gpkg")
    _write_gpkg(full, _tiny_layers())
    path.write_bytes(full.read_bytes()[:4096])


def _gpkg_missing_layer(path: Path) -> None:
    layers = _tiny_layers()
    del layers["legs"]
    _write_gpkg(path, layers)


def _gpkg_negative_supply(path: Path) -> None:
    layers = _tiny_layers()
    layers["origins"].loc[0, "supply_t"] = -150.0
    _write_gpkg(path, layers)


def _gpkg_nan_demand(path: Path) -> None:
    layers = _tiny_layers()
    layers["destinations"].loc[1, "demand_t"] = np.nan
    _write_gpkg(path, layers)


def _gpkg_misspelled_column(path: Path) -> None:
    layers = _tiny_layers()
    layers["legs"] = layers["legs"].rename(columns={"destination": "destinaton"})
    _write_gpkg(path, layers)


def _gpkg_points_without_crs(path: Path) -> None:
    import pyogrio

    layers = _tiny_layers()
    for table in ("origins", "hubs", "destinations"):
        frame = layers[table]
        gdf = gpd.GeoDataFrame(
            frame.drop(columns=["lon", "lat"]),
            geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
        )
        pyogrio.write_dataframe(gdf, path, layer=table)
    pyogrio.write_dataframe(layers["legs"], path, layer="legs")


def _gpkg_is_a_folder(path: Path) -> None:
    path.mkdir()


def _gpkg_dangling_leg(path: Path) -> None:
    layers = _tiny_layers()
    layers["legs"].loc[0, "origin"] = "O7"
    _write_gpkg(path, layers)


GPKG_CASES = {
    "not_sqlite": (_gpkg_not_sqlite, r"GeoPackage '.*': cannot be opened"),
    "empty_file": (_gpkg_empty, r"GeoPackage '.*': .*empty"),
    "truncated": (_gpkg_truncated, r"GeoPackage '.*'"),
    "missing_layer": (_gpkg_missing_layer, r"table 'legs': layer not found"),
    "negative_supply": (
        _gpkg_negative_supply,
        r"table 'origins', row 'O1', column 'supply_t': -150 is negative",
    ),
    "nan_demand": (
        _gpkg_nan_demand,
        r"table 'destinations', row 'D2', column 'demand_t': missing value",
    ),
    "misspelled_column": (
        _gpkg_misspelled_column,
        r"table 'legs': missing required column 'destination' \(did you mean",
    ),
    "points_without_crs": (_gpkg_points_without_crs, r"table 'origins'.*no CRS"),
    "is_a_folder": (_gpkg_is_a_folder, r"'.*net.gpkg'.*folder"),
    "dangling_leg": (
        _gpkg_dangling_leg,
        r"table 'legs', leg O7->H1, column 'origin': unknown node id 'O7'",
    ),
}


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
@pytest.mark.parametrize("name", sorted(GPKG_CASES))
def test_gpkg_case(name, tmp_path, capsys):
    make, pattern = GPKG_CASES[name]
    path = tmp_path / "net.gpkg"
    make(path)
    with pytest.raises(ValidationError) as info:
        hubopt.read_network(path)
    _assert_clean(str(info.value), [pattern])
    assert main(["validate", str(path)]) == 2
    _assert_clean(capsys.readouterr().err, [pattern])


# -- GeoDataFrames -----------------------------------------------------------------------
def _frames() -> dict[str, pd.DataFrame]:
    net = hubopt.datasets.tiny()
    return {t: net.table(t) for t in ("origins", "hubs", "destinations", "legs")}


def _as_gdf(frame: pd.DataFrame, crs="EPSG:4326") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        frame.drop(columns=["lon", "lat"]),
        geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
        crs=crs,
    )


def _gdf_without_crs(f):
    f["hubs"] = _as_gdf(f["hubs"], crs=None)


def _gdf_lonlat_and_geometry_without_crs(f):
    f["origins"] = gpd.GeoDataFrame(
        f["origins"],
        geometry=gpd.points_from_xy(f["origins"]["lon"], f["origins"]["lat"]),
    )


def _gdf_polygons(f):
    gdf = _as_gdf(f["destinations"])
    gdf.geometry = [
        Point(x, y).buffer(1)
        for x, y in zip(gdf.geometry.x, gdf.geometry.y, strict=True)
    ]
    f["destinations"] = gdf


def _gdf_missing_geometry(f):
    gdf = _as_gdf(f["hubs"])
    gdf.loc[1, "geometry"] = None
    f["hubs"] = gdf


def _gdf_projected_metres_as_degrees(f):
    gdf = _as_gdf(f["origins"])
    gdf.geometry = gdf.geometry.to_crs("EPSG:3857")
    f["origins"] = gdf.set_crs("EPSG:4326", allow_override=True)


def _gdf_legs_without_crs(f):
    legs = f["legs"]
    f["legs"] = gpd.GeoDataFrame(
        legs, geometry=[Polygon([(0, 0), (1, 0), (1, 1)]).boundary] * len(legs)
    )


def _gdf_not_a_frame(f):
    f["hubs"] = f["hubs"].to_dict("records")


def _gdf_empty_legs_columns(f):
    f["legs"] = pd.DataFrame({"from": ["O1"], "to": ["H1"]})


GDF_CASES = {
    "without_crs": (_gdf_without_crs, r"table 'hubs'.*no CRS"),
    "lonlat_and_geometry_without_crs": (
        _gdf_lonlat_and_geometry_without_crs,
        r"table 'origins': the GeoDataFrame has no CRS",
    ),
    "polygons_for_points": (_gdf_polygons, r"table 'destinations'.*Polygon"),
    "missing_geometry": (_gdf_missing_geometry, r"table 'hubs', row 'H2'.*geometry"),
    "projected_metres_labelled_wgs84": (
        _gdf_projected_metres_as_degrees,
        r"table 'origins', row 'O1', column 'lon': .* projected coordinates",
    ),
    "legs_without_crs": (_gdf_legs_without_crs, r"table 'legs'.*no CRS"),
    "records_not_a_frame": (
        _gdf_not_a_frame,
        r"table 'hubs': expected a DataFrame or GeoDataFrame, got list",
    ),
    "legs_wrong_columns": (
        _gdf_empty_legs_columns,
        r"table 'legs': missing required column 'origin'",
    ),
}


@pytest.mark.parametrize("name", sorted(GDF_CASES))
def test_geodataframe_case(name):
    change, pattern = GDF_CASES[name]
    frames = _frames()
    change(frames)
    before = copy.deepcopy(frames)
    with pytest.raises(ValidationError) as info:
        hubopt.Network.from_frames(**frames)
    _assert_clean(str(info.value), [pattern])
    for table, frame in frames.items():  # the caller's objects are unchanged
        if isinstance(frame, pd.DataFrame):
            pd.testing.assert_frame_equal(frame, before[table])
            assert type(frame) is type(before[table])
        else:
            assert frame == before[table]


# -- TOML config files -------------------------------------------------------------------
@pytest.mark.parametrize("name", TOML_CASES)
def test_toml_case(name, tmp_path):
    folder = tmp_path / "study"
    shutil.copytree(BROKEN / "toml" / name, folder)
    case = tomllib.loads((folder / "case.toml").read_text("utf-8"))
    file = folder / case.get("file", "run.toml")
    with pytest.raises(ValidationError) as info:
        if case.get("loader") == "scenarios":
            hubopt.read_scenarios(file)
        else:
            config = hubopt.config.load_toml(file)
            for key in case.get("paths", []):
                config.path(config.data[key], key=key, must_exist=True)
    _assert_clean(str(info.value), case["expect"])


def test_toml_symlink_out_of_a_confined_folder(tmp_path):
    folder = tmp_path / "study"
    folder.mkdir()
    (tmp_path / "elsewhere").mkdir()
    (folder / "net").symlink_to(tmp_path / "elsewhere")
    (folder / "run.toml").write_text('network = "net"\n[paths]\nconfine = true\n')
    config = hubopt.config.load_toml(folder / "run.toml")
    with pytest.raises(ValidationError, match=r"key 'network': 'net' leads outside"):
        config.path(config.data["network"], key="network")


def test_toml_paths_resolve_against_the_file_not_the_cwd(tmp_path, monkeypatch):
    folder = tmp_path / "study"
    (folder / "data").mkdir(parents=True)
    (folder / "run.toml").write_text('network = "data"\nshared = "../common"\n')
    monkeypatch.chdir(tmp_path)
    config = hubopt.config.load_toml("study/run.toml")
    assert config.path(config.data["network"]) == (folder / "data").resolve()
    # without confine = true, leaving the folder is allowed
    assert config.path(config.data["shared"]) == (tmp_path / "common").resolve()


def test_toml_never_executes_code(tmp_path):
    """TOML is data: a string that looks like code stays a string."""
    marker = tmp_path / "pwned"
    (tmp_path / "run.toml").write_text(
        f"network = \"__import__('pathlib').Path('{marker}').touch()\"\n"
    )
    config = hubopt.config.load_toml(tmp_path / "run.toml")
    assert isinstance(config.data["network"], str)
    assert not marker.exists()


def test_no_pickle_or_eval_in_loaders():
    # parallel.py pickles the objects it sends to its own worker processes (as
    # concurrent.futures does for every task); no file a user gives is ever unpickled
    source = "".join(
        p.read_text("utf-8")
        for p in Path(hubopt.__file__).parent.glob("*.py")
        if p.name != "parallel.py"
    )
    words = (
        "import pickle",
        "pickle.load",
        "read_pickle",
        "allow_pickle=True",
        "eval(",
        "exec(",
        "yaml.load(",
        "marshal",
        "shelve",
    )
    for word in words:
        assert word not in source, word
