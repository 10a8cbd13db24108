"""Reading and writing networks: CSV folders, GeoPackages, and broken files."""

from __future__ import annotations

import os
import shutil

import pandas as pd
import pytest

import hubopt
from hubopt import ValidationError


@pytest.fixture
def folder(tmp_path):
    target = tmp_path / "net"
    shutil.copytree(hubopt.datasets.path("tiny"), target)
    return target


def test_csv_round_trip(tiny, tmp_path):
    hubopt.write_network(tiny, tmp_path / "copy")
    again = hubopt.read_network(tmp_path / "copy")
    pd.testing.assert_frame_equal(again.legs, tiny.legs)
    pd.testing.assert_frame_equal(again.hubs, tiny.hubs)


def test_gpkg_round_trip(tiny, tmp_path):
    path = tmp_path / "tiny.gpkg"
    hubopt.write_network(tiny, path)
    again = hubopt.read_network(path)
    assert again.hubs["id"].tolist() == ["H1", "H2", "H3"]
    assert again.legs["cost_per_t"].sum() == pytest.approx(
        tiny.legs["cost_per_t"].sum()
    )
    assert hubopt.solve(again).objective == pytest.approx(1140)


def test_write_refuses_to_overwrite(tiny, tmp_path):
    hubopt.write_network(tiny, tmp_path / "n")
    with pytest.raises(ValidationError, match=r"exists; pass overwrite=True"):
        hubopt.write_network(tiny, tmp_path / "n")
    hubopt.write_network(tiny, tmp_path / "n", overwrite=True)


def test_missing_path(tmp_path):
    with pytest.raises(ValidationError, match=r"no such file or folder"):
        hubopt.read_network(tmp_path / "nope")


def test_missing_table_file(folder):
    (folder / "legs.csv").unlink()
    with pytest.raises(ValidationError, match=r"table 'legs': file .* not found"):
        hubopt.read_network(folder)


def test_not_utf8(folder):
    (folder / "hubs.csv").write_bytes(
        "id,name,lon,lat\nH1,Caf\xe9,1,2\n".encode("latin-1")
    )
    with pytest.raises(
        ValidationError, match=r"table 'hubs' .*not valid UTF-8 .*line 2"
    ):
        hubopt.read_network(folder)


def test_bom_is_fine(folder):
    text = (folder / "hubs.csv").read_text()
    (folder / "hubs.csv").write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert hubopt.read_network(folder).hubs["id"].tolist() == ["H1", "H2", "H3"]


def test_wrong_delimiter(folder):
    text = (folder / "origins.csv").read_text().replace(",", ";")
    (folder / "origins.csv").write_text(text)
    with pytest.raises(ValidationError, match=r"looks semicolon-separated"):
        hubopt.read_network(folder)


def test_empty_file(folder):
    (folder / "destinations.csv").write_text("")
    with pytest.raises(
        ValidationError, match=r"table 'destinations' .*the file is empty"
    ):
        hubopt.read_network(folder)


def test_header_only(folder):
    (folder / "destinations.csv").write_text("id,name,lon,lat,demand_t\n")
    with pytest.raises(ValidationError, match=r"has a header but no rows"):
        hubopt.read_network(folder)


def test_directory_where_file_expected(folder):
    (folder / "hubs.csv").unlink()
    (folder / "hubs.csv").mkdir()
    with pytest.raises(ValidationError, match=r"is a folder, expected a CSV file"):
        hubopt.read_network(folder)


def test_binary_junk(folder):
    (folder / "legs.csv").write_bytes(os.urandom(4096) + b"\x00")
    with pytest.raises(ValidationError, match=r"table 'legs'"):
        hubopt.read_network(folder)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable(folder):
    (folder / "hubs.csv").chmod(0)
    with pytest.raises(ValidationError, match=r"permission denied"):
        hubopt.read_network(folder)


def test_not_a_network_file(tmp_path):
    path = tmp_path / "net.xlsx"
    path.write_text("x")
    with pytest.raises(
        ValidationError, match=r"expected a folder of CSV files or a .gpkg"
    ):
        hubopt.read_network(path)


def test_broken_gpkg(tmp_path):
    path = tmp_path / "net.gpkg"
    path.write_bytes(b"not a geopackage")
    with pytest.raises(ValidationError, match=r"cannot be opened as a GeoPackage"):
        hubopt.read_network(path)


def test_ids_stay_text(folder):
    text = (folder / "hubs.csv").read_text().replace("H1,", "007,", 1)
    (folder / "hubs.csv").write_text(text)
    legs = (
        (folder / "legs.csv")
        .read_text()
        .replace(",H1,", ",007,")
        .replace("\nH1,", "\n007,")
    )
    (folder / "legs.csv").write_text(legs)
    net = hubopt.read_network(folder)
    assert "007" in net.hubs["id"].tolist()


def test_written_files_are_not_private(tiny, tmp_path):
    old = os.umask(0o022)
    try:
        hubopt.solve(tiny).write(tmp_path / "out")
    finally:
        os.umask(old)
    mode = (tmp_path / "out" / "summary.json").stat().st_mode & 0o777
    assert mode == 0o644


# ------------------------------------------------------------------------------------
# spreadsheet formula guard
# ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-", "'-"),
        ("-inf", "'-inf"),
        # text that is only a number reads as that number: it keeps its sign
        ("-3", "-3"),
        ("+1.5e3", "+1.5e3"),
        ("-.5", "-.5"),
        # not a formula, or guarded already
        ("Port =1", "Port =1"),
        (" =1", " =1"),
        ("'=1", "'=1"),
        ("", ""),
    ],
)
def test_guard_formula_cells(cell, written):
    from hubopt.io import guard_formula_cells

    table = pd.DataFrame({"name": [cell]})
    assert guard_formula_cells(table)["name"].tolist() == [written]


def test_guard_formula_cells_leaves_numbers_and_the_input_alone():
    import geopandas as gpd
    from shapely.geometry import Point

    from hubopt.io import guard_formula_cells

    table = gpd.GeoDataFrame(
        {
            "id": ["=A", "B"],
            "tonnes": [-1.0, 2.0],
            "count": [-3, 4],
            "open": [True, False],
            "label": pd.Series(["-x", None], dtype="string"),
            "kind": pd.Categorical(["@k", "k"]),
            "mixed": ["+p", float("nan")],
            "=header": ["a", "b"],
        },
        geometry=[Point(0, 0), Point(1, 1)],
        crs="EPSG:4326",
    )
    before = table.copy()
    out = guard_formula_cells(table)
    pd.testing.assert_frame_equal(table, before)  # the input is not changed
    assert isinstance(out, gpd.GeoDataFrame) and out.crs == table.crs
    assert out["id"].tolist() == ["'=A", "B"]
    assert out["tonnes"].tolist() == [-1.0, 2.0]
    assert out["count"].tolist() == [-3, 4]
    assert out["open"].tolist() == [True, False]
    assert out["label"].tolist()[0] == "'-x" and pd.isna(out["label"].iloc[1])
    assert out["kind"].tolist() == ["'@k", "k"]
    assert out["mixed"].iloc[0] == "'+p" and pd.isna(out["mixed"].iloc[1])
    assert "'=header" in out.columns
    assert out.geometry.equals(table.geometry)


def test_write_csv_atomic_guards_formulas_unless_told(tmp_path):
    from hubopt.io import write_csv_atomic

    table = pd.DataFrame({"name": ["=1+1", "-3"], "t": [-1.0, 2.0]})
    write_csv_atomic(table, tmp_path / "guarded.csv")
    assert (tmp_path / "guarded.csv").read_text() == "name,t\n'=1+1,-1.0\n-3,2.0\n"
    write_csv_atomic(table, tmp_path / "raw.csv", guard_formulas=False)
    assert (tmp_path / "raw.csv").read_text() == "name,t\n=1+1,-1.0\n-3,2.0\n"


def test_network_with_formula_names_round_trips_unguarded(tiny, tmp_path):
    """A network folder is data, not a spreadsheet export: names starting with
    = + - @ are written and read back as they are."""
    names = ['=HYPERLINK("x")', "+1", "@port"]
    hubs = tiny.hubs.assign(name=names)
    network = tiny.replace(hubs=hubs)
    hubopt.write_network(network, tmp_path / "copy")
    again = hubopt.read_network(tmp_path / "copy")
    assert again.hubs["name"].tolist() == names
    pd.testing.assert_frame_equal(again.hubs, network.hubs)


def test_write_csv_atomic_quotes_a_carriage_return(tiny, tmp_path):
    """The csv module leaves a cell with a lone CR unquoted, which readers take for
    a line break; such a table is written with every text cell quoted."""
    from hubopt.io import write_csv_atomic

    table = pd.DataFrame({"name": ["a\rb", "c"], "t": [1.5, float("nan")]})
    write_csv_atomic(table, tmp_path / "cr.csv")
    assert (tmp_path / "cr.csv").read_bytes() == b'"name","t"\n"a\rb",1.5\n"c",""\n'
    again = pd.read_csv(tmp_path / "cr.csv")
    assert again["name"].tolist() == ["a\rb", "c"]
    assert again["t"].iloc[0] == 1.5 and pd.isna(again["t"].iloc[1])
    # and a network with one in a name round-trips
    network = tiny.replace(hubs=tiny.hubs.assign(name=["West\rport", "b", "c"]))
    hubopt.write_network(network, tmp_path / "net")
    again = hubopt.read_network(tmp_path / "net")
    pd.testing.assert_frame_equal(again.hubs, network.hubs)


# -- coordinates round-trip unchanged ---------------------------------------------------
def _coordinate_text(folder, table):
    frame = pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)
    return frame[["id", "lon", "lat"]].values.tolist()


@pytest.mark.parametrize("dataset", ["tiny", "morocco_kazakhstan"])
def test_coordinates_round_trip_as_written(dataset, tmp_path):
    source = hubopt.datasets.path(dataset)
    net = hubopt.read_network(source)
    hubopt.write_network(net, tmp_path / "once")
    again = hubopt.read_network(tmp_path / "once")
    hubopt.write_network(again, tmp_path / "twice")
    for table in ("origins", "hubs", "destinations"):
        given = _coordinate_text(source, table)
        assert _coordinate_text(tmp_path / "once", table) == given
        assert _coordinate_text(tmp_path / "twice", table) == given


def test_projected_points_and_lines_come_back_without_float_noise(tiny):
    import geopandas as gpd
    from shapely.geometry import LineString

    hubs = tiny.hubs.assign(lon=[41.65, 40.0, 42.0], lat=[41.65, 42.0, 41.0])
    utm = "EPSG:32637"  # UTM zone 37N, where Batumi (41.65 E, 41.65 N) lies
    projected = gpd.GeoDataFrame(
        hubs.drop(columns=["lon", "lat"]),
        geometry=gpd.points_from_xy(hubs["lon"], hubs["lat"]),
        crs="EPSG:4326",
    ).to_crs(utm)
    assert projected.to_crs("EPSG:4326").geometry.y.iloc[0] != 41.65  # the noise
    legs = tiny.legs
    lines = [LineString([(41.65, 41.65), (40.0, 41.0)])] * len(legs)
    legs = gpd.GeoDataFrame(legs, geometry=lines, crs="EPSG:4326").to_crs(utm)
    net = hubopt.Network.from_frames(tiny.origins, projected, tiny.destinations, legs)
    assert net.hubs["lat"].tolist() == [41.65, 42.0, 41.0]
    assert net.hubs["lon"].tolist() == [41.65, 40.0, 42.0]
    assert net.legs["geometry"].iloc[0].coords[0] == (41.65, 41.65)


def test_result_coordinates_are_the_inputs(tiny, tmp_path):
    from hubopt import solving

    hubs = tiny.hubs.assign(lat=[41.65, 42.0, 41.0], lon=[5.123456789, 8.0, 14.0])
    net = tiny.replace(hubs=hubs)
    result = solving.solve(net)
    assert result.hubs["lat"].tolist() == [41.65, 42.0, 41.0]
    assert result.hubs["lon"].tolist() == [5.123456789, 8.0, 14.0]
    markets = result.markets.set_index("destination")
    given = tiny.destinations.set_index("id")
    assert markets["lon"].tolist() == given["lon"].tolist()
    assert markets["lat"].tolist() == given["lat"].tolist()
    result.write(tmp_path / "out")
    written = pd.read_csv(tmp_path / "out" / "hubs.csv", dtype=str)
    assert written["lat"].tolist() == ["41.65", "42.0", "41.0"]
