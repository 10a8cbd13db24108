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
    """Only the validator and the errors, so io, legs and everything further down the
    flow may import the network (tests/test_imports.py checks the whole package)."""
    assert _hubopt_imports("network") == {"_capacities", "_validate", "errors"}
    # _capacities: what a capacities row selects, itself importing no hubopt module
    assert _hubopt_imports("_validate") == {"_capacities", "errors"}
    assert _hubopt_imports("_capacities") == set()
    assert _hubopt_imports("geo") == {"_validate", "errors"}
