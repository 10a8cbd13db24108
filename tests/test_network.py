"""Validation: one test per rule, each checking the message names table, row, column."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import hubopt
from hubopt import Network, ValidationError


def build(frames, **changes):
    data = {k: v.copy() for k, v in frames.items()}
    data.update(changes)
    return Network.from_frames(
        data["origins"],
        data["hubs"],
        data["destinations"],
        data["legs"],
        data.get("hub_levels"),
        data.get("corridors"),
    )


def set_cell(frame, row, col, value):
    out = frame.copy()
    out[col] = out[col].astype(object)
    out.loc[row, col] = value
    return out


def test_valid_network_round_trip(tiny_frames):
    net = build(tiny_frames)
    assert len(net.legs) == 13
    assert net.total_supply_t == 250
    assert net.total_demand_t == 200


def test_missing_required_column(tiny_frames):
    origins = tiny_frames["origins"].drop(columns=["supply_t"])
    with pytest.raises(
        ValidationError, match="table 'origins': missing required column 'supply_t'"
    ):
        build(tiny_frames, origins=origins)


def test_misspelled_column_gets_a_suggestion(tiny_frames):
    origins = tiny_frames["origins"].rename(columns={"supply_t": "suply_t"})
    with pytest.raises(ValidationError, match="did you mean 'suply_t'"):
        build(tiny_frames, origins=origins)


def test_duplicate_id(tiny_frames):
    hubs = pd.concat([tiny_frames["hubs"], tiny_frames["hubs"].iloc[[0]]])
    with pytest.raises(
        ValidationError, match="table 'hubs', row 'H1', column 'id': duplicate id"
    ):
        build(tiny_frames, hubs=hubs)


def test_duplicate_id_across_tables(tiny_frames):
    dests = set_cell(tiny_frames["destinations"], 0, "id", "H1")
    with pytest.raises(ValidationError, match="used by a hub too"):
        build(tiny_frames, destinations=dests)


def test_non_numeric(tiny_frames):
    origins = set_cell(tiny_frames["origins"], 0, "supply_t", "lots")
    with pytest.raises(
        ValidationError,
        match="table 'origins', row 'O1', column 'supply_t': 'lots' is not a number",
    ):
        build(tiny_frames, origins=origins)


def test_nan_in_required_number(tiny_frames):
    dests = set_cell(tiny_frames["destinations"], 1, "demand_t", np.nan)
    with pytest.raises(
        ValidationError, match="row 'D2', column 'demand_t': missing value"
    ):
        build(tiny_frames, destinations=dests)


def test_infinite(tiny_frames):
    legs = set_cell(tiny_frames["legs"], 0, "cost_per_t", np.inf)
    with pytest.raises(
        ValidationError, match="leg O1->H1, column 'cost_per_t': inf is infinite"
    ):
        build(tiny_frames, legs=legs)


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("origins", "supply_t"),
        ("destinations", "demand_t"),
        ("hubs", "capacity_t"),
        ("hubs", "fixed_cost"),
        ("legs", "cost_per_t"),
        ("destinations", "unmet_penalty_per_t"),
    ],
)
def test_negative(tiny_frames, table, column):
    frame = set_cell(tiny_frames[table], 0, column, -5)
    with pytest.raises(
        ValidationError, match=f"table '{table}', .*column '{column}': -5 is negative"
    ):
        build(tiny_frames, **{table: frame})


def test_absurdly_large(tiny_frames):
    origins = set_cell(tiny_frames["origins"], 0, "supply_t", 1e300)
    with pytest.raises(ValidationError, match="absurdly large"):
        build(tiny_frames, origins=origins)


def test_lon_out_of_range(tiny_frames):
    hubs = set_cell(tiny_frames["hubs"], 0, "lon", 200.0)
    with pytest.raises(ValidationError, match="row 'H1', column 'lon': 200 is outside"):
        build(tiny_frames, hubs=hubs)


def test_swapped_lon_lat_hint(tiny_frames):
    hubs = set_cell(tiny_frames["hubs"], 0, "lon", 35.0)
    hubs = set_cell(hubs, 0, "lat", 120.0)
    with pytest.raises(ValidationError, match="lon and lat look swapped"):
        build(tiny_frames, hubs=hubs)


def test_projected_coordinates_hint(tiny_frames):
    hubs = set_cell(tiny_frames["hubs"], 0, "lon", 556597.0)
    hubs = set_cell(hubs, 0, "lat", 4865942.0)
    with pytest.raises(ValidationError, match="projected coordinates"):
        build(tiny_frames, hubs=hubs)


def test_leg_unknown_id(tiny_frames):
    legs = set_cell(tiny_frames["legs"], 0, "destination", "H9")
    with pytest.raises(
        ValidationError, match="column 'destination': unknown node id 'H9'"
    ):
        build(tiny_frames, legs=legs)


def test_leg_into_origin(tiny_frames):
    legs = set_cell(tiny_frames["legs"], 5, "destination", "O1")
    with pytest.raises(ValidationError, match="no leg may lead into an origin"):
        build(tiny_frames, legs=legs)


def test_leg_out_of_destination(tiny_frames):
    legs = set_cell(tiny_frames["legs"], 5, "origin", "D2")
    with pytest.raises(ValidationError, match="no leg may leave a destination"):
        build(tiny_frames, legs=legs)


def test_hub_to_hub_leg(tiny_frames):
    legs = set_cell(tiny_frames["legs"], 5, "destination", "H2")
    with pytest.raises(
        ValidationError, match="hub->hub legs are not part of the model"
    ):
        build(tiny_frames, legs=legs)


def test_self_loop(tiny_frames):
    legs = set_cell(tiny_frames["legs"], 5, "destination", "H1")
    with pytest.raises(ValidationError, match="self-loop"):
        build(tiny_frames, legs=legs)


def test_level_for_unknown_hub(tiny_frames):
    levels = pd.DataFrame(
        {"hub_id": ["H7"], "level": ["s"], "capacity_t": [1.0], "fixed_cost": [1.0]}
    )
    with pytest.raises(
        ValidationError,
        match="table 'hub_levels', level H7/s, column 'hub_id': unknown hub 'H7'",
    ):
        build(tiny_frames, hub_levels=levels)


def test_unknown_status(tiny_frames):
    hubs = set_cell(tiny_frames["hubs"], 0, "status", "maybe")
    with pytest.raises(
        ValidationError, match="column 'status': unknown status 'maybe'"
    ):
        build(tiny_frames, hubs=hubs)


def test_geodataframe_without_crs(tiny_frames):
    hubs = tiny_frames["hubs"].drop(columns=["lon", "lat"])
    gdf = gpd.GeoDataFrame(hubs, geometry=gpd.points_from_xy([5, 8, 14], [44, 42, 41]))
    with pytest.raises(
        ValidationError, match="table 'hubs': the GeoDataFrame has no CRS"
    ):
        build(tiny_frames, hubs=gdf)


def test_projected_geodataframe_is_converted(tiny_frames):
    hubs = tiny_frames["hubs"]
    gdf = gpd.GeoDataFrame(
        hubs.drop(columns=["lon", "lat"]),
        geometry=gpd.points_from_xy(hubs["lon"], hubs["lat"]),
        crs="EPSG:4326",
    ).to_crs("EPSG:3857")
    net = build(tiny_frames, hubs=gdf)
    assert net.hubs["lon"].tolist() == pytest.approx([5.0, 8.0, 14.0])
    assert net.hubs["lat"].tolist() == pytest.approx([44.0, 42.0, 41.0])


def test_empty_table(tiny_frames):
    with pytest.raises(ValidationError, match="table 'destinations' is empty"):
        build(tiny_frames, destinations=tiny_frames["destinations"].iloc[0:0])


def test_empty_id(tiny_frames):
    hubs = set_cell(tiny_frames["hubs"], 0, "id", "  ")
    with pytest.raises(ValidationError, match="column 'id': empty id"):
        build(tiny_frames, hubs=hubs)


def test_every_problem_is_listed_at_once(tiny_frames):
    origins = set_cell(tiny_frames["origins"], 0, "supply_t", -1)
    hubs = set_cell(tiny_frames["hubs"], 1, "status", "perhaps")
    with pytest.raises(ValidationError) as info:
        build(tiny_frames, origins=origins, hubs=hubs)
    assert len(info.value.problems) == 2


def test_inputs_are_not_modified(tiny_frames):
    before = {k: v.copy(deep=True) for k, v in tiny_frames.items()}
    build(tiny_frames)
    for key, frame in tiny_frames.items():
        pd.testing.assert_frame_equal(frame, before[key])


def test_tables_are_copies(tiny):
    hubs = tiny.hubs
    hubs.loc[0, "fixed_cost"] = 1e9
    assert tiny.hubs.loc[0, "fixed_cost"] == 100


def test_extra_columns_are_kept(tiny_frames):
    hubs = tiny_frames["hubs"].assign(territory=["A", "B", "C"])
    assert build(tiny_frames, hubs=hubs).hubs["territory"].tolist() == ["A", "B", "C"]


def test_defaults_filled(tiny_frames):
    hubs = tiny_frames["hubs"][["id", "name", "lon", "lat"]]
    net = build(tiny_frames, hubs=hubs)
    assert net.hubs["status"].tolist() == ["candidate"] * 3
    assert net.hubs["fixed_cost"].tolist() == [0.0] * 3
    assert net.hubs["capacity_t"].isna().all()


def test_duplicate_leg(tiny_frames):
    legs = pd.concat([tiny_frames["legs"], tiny_frames["legs"].iloc[[0]]])
    with pytest.raises(ValidationError, match="duplicate row"):
        build(tiny_frames, legs=legs)


def test_replace_unknown_table(tiny):
    with pytest.raises(ValidationError, match="unknown table"):
        tiny.replace(ports=pd.DataFrame())


def test_repr(tiny):
    assert repr(tiny) == "Network('tiny': 2 origins, 3 hubs, 3 destinations, 13 legs)"


def test_validation_error_is_a_value_error():
    assert issubclass(hubopt.ValidationError, ValueError)
    assert issubclass(hubopt.InfeasibleError, RuntimeError)
    assert issubclass(hubopt.SolverError, RuntimeError)


def test_plain_dataframe_with_geometry_column(tiny_frames):
    from shapely.geometry import LineString

    legs = tiny_frames["legs"].copy()
    legs["geometry"] = [LineString([(0, 0), (1, 1)])] * len(legs)
    net = build(tiny_frames, legs=legs)
    again = net.replace(legs=net.legs)
    assert again.legs["geometry"].iloc[0].equals(LineString([(0, 0), (1, 1)]))


def test_nodes_alone_then_generated_legs(tiny_frames):
    empty = tiny_frames["legs"].iloc[0:0]
    net = build(tiny_frames, legs=empty)
    assert len(net.legs) == 0


# -- every column the model reads, and near misses of their names ----------------------
def test_every_column_read_downstream_has_a_spec():
    """The columns model, legs, geo, result and check read from the tables are all
    known to the validator (type, range and blank policy), not only the required ones."""
    from hubopt.network import SPECS

    assert "dwell_days" in SPECS["hubs"].numeric
    assert "dwell_days" in SPECS["hubs"].nonnegative
    assert {"route", "geometry", "corridor"} <= set(SPECS["legs"].known)
    for table, columns in {
        "origins": ("supply_t", "cost_per_t"),
        "hubs": ("handling_cost_per_t", "capacity_t", "fixed_cost", "status"),
        "hub_levels": ("capacity_t", "fixed_cost"),
        "destinations": ("demand_t", "unmet_penalty_per_t", "max_transit_days"),
        "legs": ("cost_per_t", "distance_km", "transit_days", "co2_kg_per_t"),
    }.items():
        assert set(columns) <= set(SPECS[table].known), table


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-3, r"row 'H1', column 'dwell_days': -3 is negative"),
        ("abc", r"row 'H1', column 'dwell_days': 'abc' is not a number"),
        (float("inf"), r"row 'H1', column 'dwell_days': inf is infinite"),
    ],
)
def test_dwell_days_is_validated(tiny, value, message):
    hubs = tiny.hubs
    hubs["dwell_days"] = pd.Series([value, 1.0, None], dtype=object)
    with pytest.raises(ValidationError, match=message):
        tiny.replace(hubs=hubs)


def test_dwell_days_blank_means_zero(tiny):
    hubs = tiny.hubs
    hubs["dwell_days"] = [np.nan, 2.0, None]
    net = tiny.replace(hubs=hubs)
    assert net.hubs["dwell_days"].tolist()[1] == 2.0
    assert hubopt.solve(net).objective == pytest.approx(1140.0)


@pytest.mark.parametrize(
    ("table", "column", "misspelt"),
    [
        ("hubs", "fixed_cost", "fixed_costs"),
        ("hubs", "capacity_t", "Capacity_t"),
        ("hubs", "status", "Status"),
        ("destinations", "unmet_penalty_per_t", "unmet_penalty"),
        ("destinations", "max_transit_days", "max_transit_day"),
        ("legs", "co2_kg_per_t", "co2_kg_per_tonne"),
        ("origins", "cost_per_t", "costs_per_t"),
    ],
)
def test_misspelt_optional_column_is_an_error(tiny, table, column, misspelt):
    """Dropped silently, fixed_costs opened every hub of tiny at zero fixed cost."""
    frame = tiny.table(table).rename(columns={column: misspelt})
    with pytest.raises(
        ValidationError,
        match=rf"table '{table}', column '{misspelt}': unknown column \(did you mean "
        rf"'{column}'\?\)",
    ):
        tiny.replace(**{table: frame})


def test_misspelt_columns_are_all_listed_at_once(tiny):
    hubs = tiny.hubs.rename(columns={"fixed_cost": "fixed_costs"})
    dests = tiny.destinations.rename(columns={"unmet_penalty_per_t": "unmet_penalty"})
    with pytest.raises(ValidationError) as info:
        tiny.replace(hubs=hubs, destinations=dests)
    assert len(info.value.problems) == 2


def test_unrelated_extra_columns_stay_allowed(tiny):
    hubs = tiny.hubs
    hubs["notes"] = "x"
    hubs["port_status"] = "operating"  # close to status, which hubs has
    hubs["fixed_cost_usd"] = 1.0  # close to fixed_cost, which hubs has too
    dests = tiny.destinations
    dests["demand_source"] = "survey"
    legs = tiny.legs
    legs["source"] = "tariff"
    net = tiny.replace(hubs=hubs, destinations=dests, legs=legs)
    assert "port_status" in net.hubs.columns
    assert "source" in net.legs.columns


def test_bundled_networks_keep_their_extra_columns():
    net = hubopt.datasets.morocco_kazakhstan()
    assert {"port_status", "status_reason", "handling_source"} <= set(net.hubs.columns)
    assert {"kind", "route", "source"} <= set(net.legs.columns)


# -- leg geometry: empty or NaN means "no route line" ------------------------------
def _straight_lines(net):
    from shapely.geometry import LineString

    nodes = net.node_coordinates()
    return [
        LineString([nodes.loc[a, ["lon", "lat"]], nodes.loc[b, ["lon", "lat"]]])
        for a, b in zip(net.legs["origin"], net.legs["destination"], strict=True)
    ]


@pytest.mark.parametrize("blank", ["nan", "none", "empty_line", "empty_point"])
def test_empty_or_nan_leg_geometry_is_no_geometry(tiny, blank):
    from shapely.geometry import LineString, Point

    lines = _straight_lines(tiny)
    lines[0] = {
        "nan": np.nan,
        "none": None,
        "empty_line": LineString(),
        "empty_point": Point(),
    }[blank]
    legs = tiny.legs
    legs["geometry"] = lines
    net = tiny.replace(legs=legs)
    assert net.legs["geometry"].iloc[0] is None
    assert net.legs["geometry"].iloc[1].geom_type == "LineString"
    frames = hubopt.solve(net).to_geodataframes()
    assert len(frames) > 0


def test_empty_leg_geometry_in_a_geodataframe(tiny):
    from shapely.geometry import LineString

    lines = _straight_lines(tiny)
    lines[2] = LineString()
    legs = gpd.GeoDataFrame(tiny.legs, geometry=lines, crs="EPSG:4326")
    net = tiny.replace(legs=legs)
    assert net.legs["geometry"].iloc[2] is None


def test_leg_geometry_that_is_not_a_line_is_refused(tiny):
    from shapely.geometry import Point

    legs = tiny.legs
    legs["geometry"] = [Point(1, 2)] + [None] * (len(legs) - 1)
    with pytest.raises(
        ValidationError,
        match=r"table 'legs', leg O1->H1, column 'geometry': expected the leg's route "
        r"as a LineString, got Point",
    ):
        tiny.replace(legs=legs)


def test_brief_with_an_empty_leg_geometry(tiny, tmp_path):
    """An empty line crashed the interactive map and left a brief of only the map."""
    from shapely.geometry import LineString

    from hubopt.report import write_brief

    lines = _straight_lines(tiny)
    lines[0] = LineString()
    legs = tiny.legs
    legs["geometry"] = lines
    result = hubopt.solve(tiny.replace(legs=legs))
    page = write_brief(result, tmp_path / "brief")
    assert page.is_file()
    assert (tmp_path / "brief" / "interactive_map.html").is_file()


# -- one accessor for a column with its default ------------------------------------------
def test_column_gives_the_default_for_a_missing_optional_column(tiny):
    assert "dwell_days" not in tiny.hubs.columns
    dwell = tiny.column("hubs", "dwell_days")
    assert dwell.tolist() == [0.0, 0.0, 0.0]
    assert dwell.index.equals(tiny.hubs.index)
    assert dwell.dtype == float


def test_column_fills_blank_cells_and_keeps_given_values(tiny):
    hubs = tiny.hubs
    hubs["dwell_days"] = [np.nan, 2.5, None]
    net = tiny.replace(hubs=hubs)
    assert np.isnan(net.hubs["dwell_days"].iloc[0])  # the table keeps the blank
    assert net.column("hubs", "dwell_days").tolist() == [0.0, 2.5, 0.0]


def test_column_of_an_always_present_or_required_column(tiny):
    assert (
        tiny.column("hubs", "fixed_cost").tolist() == tiny.hubs["fixed_cost"].tolist()
    )
    assert tiny.column("origins", "supply_t").tolist() == [150.0, 100.0]
    # a NaN default means "none": the blank stays empty
    assert tiny.column("destinations", "max_transit_days").isna().all()


def test_column_is_a_copy(tiny):
    column = tiny.column("origins", "supply_t")
    column[:] = 0.0
    assert tiny.total_supply_t == 250.0


def test_column_of_an_extra_column_is_kept(tiny):
    hubs = tiny.hubs
    hubs["port_authority"] = ["a", "b", "c"]
    net = tiny.replace(hubs=hubs)
    assert net.column("hubs", "port_authority").tolist() == ["a", "b", "c"]


def test_column_unknown_table(tiny):
    with pytest.raises(ValidationError, match=r"unknown table 'hub'; known: \["):
        tiny.column("hub", "dwell_days")


def test_column_unknown_column(tiny):
    with pytest.raises(
        ValidationError,
        match=r"table 'hubs': no column 'dwell_day' \(did you mean 'dwell_days'\?\); "
        r"the optional columns with a default are: handling_cost_per_t, .*dwell_days",
    ):
        tiny.column("hubs", "dwell_day")


# -- the network depends on nothing above it ---------------------------------------------
def test_moved_methods_are_functions(tiny, tmp_path):
    """Writing and filling call up the flow, so they are functions of io and legs."""
    for name in ("write", "with_leg_attributes", "generate_legs"):
        assert not hasattr(Network, name), name
    hubopt.write_network(tiny, tmp_path / "net")
    assert hubopt.read_network(tmp_path / "net").legs.equals(tiny.legs)
    assert hubopt.write_network is hubopt.io.write_network
    assert hubopt.with_leg_attributes is hubopt.legs.with_leg_attributes
    assert hubopt.generate_legs is hubopt.legs.generate_legs


def _hubopt_imports(module: str) -> set[str]:
    """The hubopt modules a module imports, at its top or in a function."""
    import ast
    from pathlib import Path

    path = Path(hubopt.__file__).parent / f"{module}.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 1
        for name in ([node.module] if node.module else [a.name for a in node.names])
    }


def test_network_imports_neither_io_nor_legs():
    """Only the validator, the errors and the modes table and voyage modes (whose
    names the legs are checked against; they import geo only), so io, legs and
    everything further down the flow may import the network (tests/test_imports.py
    checks the whole package)."""
    assert _hubopt_imports("network") == {
        "_capacities",
        "_validate",
        "errors",
        "freight",
        "modes",
    }
    assert _hubopt_imports("modes") == {"errors", "geo"}
    assert _hubopt_imports("freight") == {"errors", "geo"}  # for its voyage modes
    # _capacities: what a capacities row selects, itself importing no hubopt module
    assert _hubopt_imports("_validate") == {"_capacities", "errors"}
    assert _hubopt_imports("_capacities") == set()
    assert _hubopt_imports("geo") == {"_validate", "errors"}


# -- one pass: every problem at once, CRS and modes included ---------------------------
def _points(frame, crs):
    return gpd.GeoDataFrame(
        frame.drop(columns=["lon", "lat"]),
        geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
        crs=crs,
    )


def test_a_missing_crs_does_not_hide_other_problems(tiny_frames):
    origins = tiny_frames["origins"].rename(columns={"supply_t": "suply_t"})
    hubs = set_cell(_points(tiny_frames["hubs"], None), 1, "fixed_cost", -5)
    legs = set_cell(tiny_frames["legs"], 0, "mode", "raill")
    with pytest.raises(ValidationError) as info:
        build(tiny_frames, origins=origins, hubs=hubs, legs=legs)
    message = str(info.value)
    assert "4 problems" in message
    for expected in (
        "table 'hubs': the GeoDataFrame has no CRS; set one with "
        "gdf.set_crs('EPSG:4326')",
        "table 'origins': missing required column 'supply_t' (did you mean 'suply_t'?)",
        "table 'hubs', row 'H2', column 'fixed_cost': -5 is negative",
        "table 'legs', leg O1->H1, column 'mode': unknown mode 'raill' (did you mean "
        "'rail'?); the valid modes are caspian_ferry, rail, road, sea,",
    ):
        assert expected in message, message


def test_references_are_checked_beside_other_problems(tiny_frames):
    destinations = set_cell(tiny_frames["destinations"], 0, "demand_t", "lots")
    legs = set_cell(tiny_frames["legs"], 12, "destination", "D9")
    with pytest.raises(ValidationError) as info:
        build(tiny_frames, destinations=destinations, legs=legs)
    message = str(info.value)
    assert "2 problems" in message
    assert "table 'destinations', row 'D1', column 'demand_t': 'lots' is not" in message
    assert "table 'legs', leg O1->D9, column 'destination': unknown node id" in message


def test_an_unknown_mode_fails_at_construction_with_the_valid_names(tiny_frames):
    legs = set_cell(tiny_frames["legs"], 3, "mode", "Barge")
    with pytest.raises(
        ValidationError,
        match=r"table 'legs', leg O2->H2, column 'mode': unknown mode 'barge'; the "
        r"valid modes are caspian_ferry, rail, road, sea, sea_handysize, sea_panamax, "
        r"sea_supramax, sea_voyage \(or give a modes table naming it",
    ):
        build(tiny_frames, legs=legs)


def test_a_route_is_checked_step_by_step_and_its_mode_is_a_label(tiny_frames):
    legs = tiny_frames["legs"].copy()
    legs["route"] = ""
    legs.loc[0, ["mode", "route"]] = ["rail+sea", "rail@H2; sea"]  # a label
    build(tiny_frames, legs=legs)  # every step names a known mode
    legs.loc[0, "route"] = "rail@H2; ferry@H3; sea"
    with pytest.raises(
        ValidationError,
        match=r"leg O1->H1, column 'route': route 'rail@H2; ferry@H3; sea': unknown "
        r"mode 'ferry'; the valid modes are",
    ):
        build(tiny_frames, legs=legs)


def test_a_modes_table_of_its_own_names_more_modes(tiny_frames, tmp_path):
    from hubopt.modes import load_modes

    barge = load_modes().query("mode == 'road'").assign(mode="barge", source="test")
    modes = pd.concat([load_modes(), barge], ignore_index=True)
    legs = set_cell(tiny_frames["legs"], 3, "mode", "barge")
    data = {k: v.copy() for k, v in tiny_frames.items()}
    net = Network.from_frames(
        data["origins"], data["hubs"], data["destinations"], legs, modes=modes
    )
    assert "barge" in set(net.modes["mode"])
    assert "barge" in set(net.own_modes["mode"])
    assert "barge" in set(net.replace(name="again").modes["mode"])  # kept
    assert hubopt.datasets.tiny().own_modes is None
    hubopt.write_network(net, tmp_path / "net")
    assert (tmp_path / "net" / "modes.csv").is_file()
    again = hubopt.read_network(tmp_path / "net")  # the folder's modes.csv
    assert again.legs["mode"].tolist() == net.legs["mode"].tolist()
    (tmp_path / "net" / "modes.csv").unlink()
    with pytest.raises(ValidationError, match="unknown mode 'barge'"):
        hubopt.read_network(tmp_path / "net")
    assert len(hubopt.read_network(tmp_path / "net", modes=modes).legs) == 13
    hubopt.write_network(net, tmp_path / "net.gpkg")
    assert len(hubopt.read_network(tmp_path / "net.gpkg").legs) == 13


def test_leg_attributes_come_from_the_networks_own_modes(tiny_frames):
    from hubopt.modes import load_modes

    modes = load_modes().query("mode != 'sea'").copy()
    modes.loc[modes["mode"] == "road", "mode"] = "barge"
    legs = set_cell(tiny_frames["legs"], 12, "mode", "barge")
    legs.loc[12, "cost_per_t"] = np.nan
    net = Network.from_frames(
        tiny_frames["origins"],
        tiny_frames["hubs"],
        tiny_frames["destinations"],
        legs,
        modes=modes,
    )
    filled = hubopt.with_leg_attributes(net)
    assert filled.legs.loc[12, "cost_per_t"] > 0
    assert "barge" in set(filled.modes["mode"])


def test_the_from_frames_example_of_the_format_doc_runs():
    """docs/format.md's Python example builds, solves and opens the hub it says."""
    import contextlib
    import io
    import re
    from pathlib import Path

    text = (Path(__file__).parents[1] / "docs" / "format.md").read_text("utf-8")
    (code,) = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert "Network.from_frames(" in code
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "docs/format.md", "exec"), {})
    assert out.getvalue().strip() == "['PORT']"


def test_the_from_frames_signature_in_the_format_doc_is_the_real_one():
    import inspect
    from pathlib import Path

    text = (Path(__file__).parents[1] / "docs" / "format.md").read_text("utf-8")
    block = text.split("```text\nNetwork.from_frames(")[1].split("```")[0]
    for name in inspect.signature(Network.from_frames).parameters:
        assert name in block, name
        assert f"`{name}`" in text, name  # and described below it
