"""Scenario.apply, TOML loading, the built-in disruptions and compare."""

from __future__ import annotations

import pytest

import hubopt
from hubopt.cli import main


def test_apply_changes_by_hand(tiny):
    s = hubopt.Scenario(
        "mix",
        freight_multiplier=2.0,
        mode_multipliers={"road": 0.5},
        demand_multiplier=1.5,
        demand_changes={"D1": 2.0},
        supply_changes={"O2": 0.5},
        close_hubs=["H3"],
        open_hubs=["H1"],
    )
    net = s.apply(tiny)
    dests = net.destinations.set_index("id")["demand_t"]
    assert dests.tolist() == [240.0, 105.0, 75.0]  # 80*1.5*2, 70*1.5, 50*1.5
    assert net.origins.set_index("id").loc["O2", "supply_t"] == 50.0
    status = net.hubs.set_index("id")["status"]
    assert (status["H1"], status["H3"]) == ("open", "closed")
    legs = net.legs.set_index(["origin", "destination"])["cost_per_t"]
    assert legs[("O1", "H1")] == 4.0  # 2 x 2
    assert legs[("O1", "D1")] == 9.0  # road 9 x 2 x 0.5
    assert tiny.legs["cost_per_t"].iloc[0] == 2.0  # the base is untouched


def test_scenario_errors(tiny):
    with pytest.raises(hubopt.ValidationError, match="unknown passage"):
        hubopt.Scenario("x", avoid=["atlantis"])
    with pytest.raises(hubopt.ValidationError, match="finite number"):
        hubopt.Scenario("x", freight_multiplier=-1)
    with pytest.raises(hubopt.ValidationError, match="both opened and closed"):
        hubopt.Scenario("x", close_hubs=["H1"], open_hubs=["H1"])
    with pytest.raises(hubopt.ValidationError, match="unknown id 'H9'"):
        hubopt.Scenario("x", close_hubs=["H9"]).apply(tiny)
    with pytest.raises(hubopt.ValidationError, match="no leg uses corridor"):
        hubopt.Scenario("x", close_corridors=["nowhere"]).apply(tiny)
    with pytest.raises(hubopt.ValidationError, match="unique"):
        hubopt.compare(tiny, [hubopt.Scenario("a"), hubopt.Scenario("a")])


def test_toml(tmp_path):
    file = tmp_path / "s.toml"
    file.write_text(
        'network = "net"\n[solve]\nmax_hubs = 2\n'
        '[[scenario]]\nname = "red"\navoid = ["suez"]\n'
        '[[scenario]]\nname = "grow"\ndemand_changes = { D1 = 1.3 }\n'
    )
    spec = hubopt.read_scenarios(file)
    assert [s.name for s in spec.scenarios] == ["red", "grow"]
    assert spec.scenarios[1].demand_changes == {"D1": 1.3}
    assert spec.network == tmp_path / "net"
    assert spec.solve_options == {"max_hubs": 2}
    file.write_text('[[scenario]]\nname = "x"\ncolour = "red"\n')
    with pytest.raises(hubopt.ValidationError, match="unknown key"):
        hubopt.read_scenarios(file)
    file.write_text("[[scenario]\n")
    with pytest.raises(hubopt.ValidationError, match="not valid TOML"):
        hubopt.read_scenarios(file)
    with pytest.raises(hubopt.ValidationError, match="does not exist"):
        hubopt.read_scenarios(tmp_path / "missing.toml")


def test_builtin_disruptions_on_bundled_network():
    net = hubopt.datasets.morocco_kazakhstan()
    cmp = hubopt.compare(net, executor="serial", progress=False, marginal_values=False)
    table = cmp.table
    base = table.loc["baseline", "total_cost"]
    # closing a passage or a corridor never lowers the optimal cost
    for name in (
        "bosporus_closed",
        "black_sea_ports_unavailable",
        "caspian_link_closed",
        "freight_x1_5",
        "freight_x2",
    ):
        assert table.loc[name, "status"] == "optimal"
        assert table.loc[name, "total_cost"] >= base - 1e-6 * base
    # Port Sudan is on the Red Sea: with Suez and Bab el-Mandeb shut no ship reaches
    # it; a contestable market then buys elsewhere (the strict case is
    # test_route_error_names_passage)
    row = table.loc["suez_bab_el_mandeb_closed"]
    assert row["status"] == "optimal"
    markets = cmp.results["suez_bab_el_mandeb_closed"].markets.set_index("destination")
    assert markets.at["SD_PORT_SUDAN", "served_t"] == 0
    for result in cmp.results.values():
        assert result.check() == []
    # Bosporus closed: no leg leaves Novorossiysk, Poti or Batumi by sea
    legs = cmp.results["bosporus_closed"].network.legs
    assert set(legs["corridor"]) - {""} == {"baltic_liepaja"}


def test_route_error_names_passage():
    # markets that must be served (no alternative supply): a lost route is an error
    net = hubopt.datasets.morocco_kazakhstan()
    strict = net.destinations.drop(columns="alternative_cost_per_t")
    net = net.replace(destinations=strict)
    with pytest.raises(hubopt.RouteError, match=r"SD_PORT_SUDAN.*suez, bab_el_mandeb"):
        hubopt.builtin_scenarios()[1].apply(net)


def test_cli_compare_and_robust(tmp_path, capsys):
    toml = tmp_path / "s.toml"
    net = tmp_path / "tiny"
    hubopt.write_network(hubopt.datasets.tiny(), net)
    toml.write_text(
        'network = "tiny"\n[[scenario]]\nname = "base"\n'
        '[[scenario]]\nname = "no_h2"\nclose_hubs = ["H2"]\n'
    )
    one = ["--workers", "1"]  # solve here: a process pool is tested in test_parallel
    assert main(["compare", str(toml), "--out", str(tmp_path / "c"), *one]) == 0
    assert (tmp_path / "c" / "comparison.csv").is_file()
    assert (tmp_path / "c" / "scenarios" / "no_h2" / "summary.json").is_file()
    assert (tmp_path / "c" / "maps" / "no_h2.png").is_file()
    # a second run into the same folder needs --overwrite
    assert main(["compare", str(toml), "--out", str(tmp_path / "c")]) == 2
    assert "--overwrite" in capsys.readouterr().err
    again = ["compare", str(toml), "--out", str(tmp_path / "c"), "--overwrite", *one]
    assert main(again) == 0
    assert main(["robust", str(toml), "--out", str(tmp_path / "r"), *one]) == 0
    assert "robust choice" in capsys.readouterr().out
    assert (tmp_path / "r" / "robust.csv").is_file()


# -- crashes and hangs found by the hostile review -------------------------------------
def test_compare_without_scenarios_is_a_validation_error(tiny):
    with pytest.raises(hubopt.ValidationError, match=r"compare: no scenarios"):
        hubopt.compare(tiny, [], executor="serial", progress=False)


def test_avoid_on_legs_without_distances_names_what_is_missing(tiny):
    with pytest.raises(
        hubopt.ValidationError,
        match=r"scenario 'red', avoid \(suez\): table 'legs', leg O1->H1, column "
        # the advice: network.with_leg_attributes() before issue 15, and
        # hubopt.with_leg_attributes(network) once scenarios.py says so
        r"'distance_km': missing.*with_leg_attributes\((network)?\)",
    ):
        hubopt.Scenario("red", avoid=("suez",)).apply(tiny)


def test_avoid_on_distances_without_geometry_column(tiny):
    """Distances given, no geometry column at all: re-routes instead of a KeyError."""
    filled = hubopt.with_leg_attributes(tiny)
    legs = filled.legs.drop(columns=["geometry"])
    bare = filled.replace(legs=legs)
    changed = hubopt.Scenario("red", avoid=("suez",)).apply(bare)
    assert len(changed.legs) == len(bare.legs)


def test_read_scenarios_refuses_a_fifo_without_opening_it(tmp_path):
    import os

    os.mkfifo(tmp_path / "study.toml")  # opening it for reading would block forever
    with pytest.raises(hubopt.ValidationError, match=r"not a regular file"):
        hubopt.read_scenarios(tmp_path / "study.toml")


def test_read_scenarios_refuses_a_device():
    with pytest.raises(hubopt.ValidationError, match=r"not a regular file"):
        hubopt.read_scenarios("/dev/zero")


def test_read_scenarios_refuses_a_folder(tmp_path):
    with pytest.raises(hubopt.ValidationError, match=r"is a folder"):
        hubopt.read_scenarios(tmp_path)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("threads = 100000", r"\[solve\] threads must be a whole number from 1 to 256"),
        ('time_limit_s = "5"', r"\[solve\] time_limit_s must be a positive, finite"),
        ("mip_gap = -0.5", r"\[solve\] mip_gap must be in \[0, 1\)"),
        ("min_hubs = -2", r"\[solve\] min_hubs must be zero or more"),
    ],
)
def test_solve_table_is_checked_when_read(tmp_path, line, message):
    file = tmp_path / "study.toml"
    file.write_text(f'[solve]\n{line}\n\n[[scenario]]\nname = "base"\n')
    with pytest.raises(hubopt.ValidationError, match=rf"study.toml: {message}"):
        hubopt.read_scenarios(file)


def test_cli_compare_with_a_bad_solve_table_exits_2(tmp_path, capsys):
    file = tmp_path / "study.toml"
    file.write_text('[solve]\nthreads = 100000\n\n[[scenario]]\nname = "base"\n')
    code = main(
        [
            "compare",
            str(file),
            "--network",
            str(hubopt.datasets.path("tiny")),
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert code == 2
    assert "[solve] threads must be a whole number from 1 to 256" in (
        capsys.readouterr().err
    )


# ------------------------------------------------------------------------------------
# set: table edits
# ------------------------------------------------------------------------------------
def test_set_one_row_and_a_whole_column(tiny):
    s = hubopt.Scenario(
        "edits",
        set=[
            {"table": "destinations", "column": "unmet_penalty_per_t", "value": 400},
            {
                "table": "destinations",
                "id": "D2",
                "column": "unmet_penalty_per_t",
                "value": 500.0,
            },
            {"table": "hubs", "id": "H3", "column": "handling_cost_per_t", "value": 9},
            {"table": "legs", "id": "O1->H1", "column": "cost_per_t", "value": 3},
        ],
    )
    net = s.apply(tiny)
    penalty = net.destinations.set_index("id")["unmet_penalty_per_t"]
    assert penalty.to_dict() == {"D1": 400.0, "D2": 500.0, "D3": 400.0}
    assert net.hubs.set_index("id").loc["H3", "handling_cost_per_t"] == 9.0
    legs = net.legs.set_index(["origin", "destination"])["cost_per_t"]
    assert legs[("O1", "H1")] == 3.0
    assert tiny.destinations["unmet_penalty_per_t"].iloc[0] != 400  # base untouched


def test_set_comes_before_the_multipliers(tiny):
    s = hubopt.Scenario(
        "both",
        demand_multiplier=2.0,
        set=[{"table": "destinations", "id": "D3", "column": "demand_t", "value": 10}],
    )
    assert s.apply(tiny).destinations.set_index("id").loc["D3", "demand_t"] == 20.0


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (
            {"table": "markets", "column": "demand_t", "value": 1},
            "unknown table 'markets'",
        ),
        ({"table": "hubs", "column": "id", "value": "X"}, "column 'id' cannot be set"),
        (
            {"table": "hubs", "column": "status", "value": [1]},
            "value \\[1\\] must be a number, text",
        ),
        ({"table": "hubs", "column": "status"}, r"missing key\(s\) \['value'\]"),
        (
            {"table": "hubs", "column": "status", "value": 1, "row": "H1"},
            r"unknown key\(s\) \['row'\]",
        ),
        (
            {"table": "hubs", "column": "fixed_cost", "value": float("nan")},
            "value nan is not a finite",
        ),
    ],
)
def test_set_errors_in_the_scenario(edit, match):
    with pytest.raises(
        hubopt.ValidationError, match=rf"scenario 'bad': set\[1\]: {match}"
    ):
        hubopt.Scenario("bad", set=[edit])


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (
            {"table": "destinations", "id": "D9", "column": "demand_t", "value": 1},
            r"set\[1\]: table 'destinations' has no row 'D9'",
        ),
        (
            {"table": "destinations", "column": "unmet_penalty", "value": 1},
            r"set\[1\]: table 'destinations' has no column 'unmet_penalty'; its columns: ",
        ),
        (
            {"table": "destinations", "id": "D2", "column": "demand_t", "value": -5},
            r"set: table 'destinations', row 'D2', column 'demand_t': -5 is negative",
        ),
        (
            {
                "table": "destinations",
                "id": "D2",
                "column": "unmet_penalty_per_t",
                "value": "lots",
            },
            r"set: table 'destinations', row 'D2', column 'unmet_penalty_per_t': 'lots' "
            r"is not a number \(after the scenario's edits\)",
        ),
    ],
)
def test_set_errors_against_the_network(tiny, edit, match):
    with pytest.raises(hubopt.ValidationError, match=rf"scenario 'bad', {match}"):
        hubopt.Scenario("bad", set=[edit]).apply(tiny)


def test_set_a_penalty_makes_a_closure_solvable(tiny):
    closed = hubopt.Scenario("no hub", close_hubs=["H1", "H2", "H3"])
    with pytest.raises(hubopt.RouteError, match="must be served in full"):
        closed.apply(tiny)
    penalised = hubopt.Scenario(
        "no hub, short ok",
        close_hubs=["H1", "H2", "H3"],
        set=[{"table": "destinations", "column": "unmet_penalty_per_t", "value": 100}],
    )
    cmp = hubopt.compare(tiny, [penalised], executor="serial", progress=False)
    assert cmp.table["status"].tolist() == ["optimal"]
    assert cmp.table["unmet_t"].tolist() == [120.0]  # D2 70 t, D3 50 t: no route


def test_set_from_toml(tmp_path):
    file = tmp_path / "study.toml"
    file.write_text(
        "[[scenario]]\n"
        'name = "short ok"\n'
        'set = [{ table = "destinations", id = "D1", column = "unmet_penalty_per_t",'
        " value = 500 }]\n"
        "[[scenario]]\n"
        'name = "typo"\n'
        'set = [{ table = "destination", column = "demand_t", value = 1 }]\n',
        encoding="utf-8",
    )
    with pytest.raises(hubopt.ValidationError) as info:
        hubopt.read_scenarios(file)
    assert info.value.problems == [
        f"{file}: [[scenario]] typo: set[1]: unknown table 'destination'; use one of "
        "origins, hubs, hub_levels, destinations, legs"
    ]


# ------------------------------------------------------------------------------------
# messages say their context once
# ------------------------------------------------------------------------------------
def test_scenario_messages_name_the_scenario_once(tiny, tmp_path):
    with pytest.raises(hubopt.ValidationError) as info:
        hubopt.Scenario("x", close_hubs=["H1"], open_hubs=["H1"])
    assert str(info.value) == "scenario 'x': hubs ['H1'] both opened and closed"
    file = tmp_path / "s.toml"
    file.write_text(
        '[[scenario]]\nname = "x"\navoid = ["atlantis"]\n', encoding="utf-8"
    )
    with pytest.raises(hubopt.ValidationError) as info:
        hubopt.read_scenarios(file)
    assert str(info.value) == (
        f"{file}: [[scenario]] x: unknown passage(s) ['atlantis'] in avoid; known: "
        + ", ".join(sorted(hubopt.geo.PASSAGES))
    )
    file.write_text('[[scenario]]\nname = ""\n', encoding="utf-8")
    with pytest.raises(
        hubopt.ValidationError, match=r"\[\[scenario\]\] 1: a scenario needs"
    ):
        hubopt.read_scenarios(file)


def test_robust_message_names_the_scenario_once(tiny):
    lost = hubopt.Scenario("lost", close_hubs=["H1", "H2", "H3"])
    with pytest.raises(hubopt.InfeasibleError) as info:
        hubopt.robust(
            tiny, [hubopt.Scenario("base"), lost], executor="serial", progress=False
        )
    text = str(info.value)
    assert text.startswith("scenario 'lost': market(s) ")
    assert text.count("scenario 'lost'") == 1


def test_compare_console_shows_the_reason_and_dashes(tmp_path, capsys):
    file = tmp_path / "s.toml"
    file.write_text(
        '[[scenario]]\nname = "base"\n'
        '[[scenario]]\nname = "lost"\nclose_hubs = ["H1", "H2", "H3"]\n',
        encoding="utf-8",
    )
    out = tmp_path / "cmp"
    code = main(
        ["compare", str(file), "--network", "tiny", "--out", str(out), "--workers", "1"]
    )
    assert code == 0
    text = capsys.readouterr().out
    lost = next(line for line in text.splitlines() if line.startswith("lost "))
    assert lost.split() == ["lost", "-", "-", "-", "-", "no_route"]
    assert "no_route: scenario 'lost': market(s) " in text
    assert "e+0" not in text
    csv = (out / "comparison.csv").read_text(encoding="utf-8")
    assert "scenario 'lost': market(s)" in csv


def test_comparison_csv_and_text_are_rounded(tiny, tmp_path):
    runs = [hubopt.Scenario("base"), hubopt.Scenario("dear", freight_multiplier=1.37)]
    cmp = hubopt.compare(tiny, runs, executor="serial", progress=False)
    file = cmp.write_csv(tmp_path / "c.csv")
    text = file.read_text(encoding="utf-8")
    assert text.splitlines()[0] == (
        "scenario,hubs_opened,total_cost,cost_per_t,co2_t,unmet_t,status,message"
    )
    dear = text.splitlines()[2].split(",")
    assert dear[2] == f"{cmp.table.loc['dear', 'total_cost']:.2f}".rstrip("0").rstrip(
        "."
    )
    assert dear[5] == "0"  # tonnes as whole numbers
    shown = str(cmp)
    assert "e+0" not in shown and "message" not in shown


def test_scenario_reports_every_problem_at_once():
    with pytest.raises(hubopt.ValidationError) as info:
        hubopt.Scenario(
            "z",
            avoid=["sue"],
            freight_multiplier=-1,
            demand_changes={"A": "x"},
            probability=2,
            set=[{"table": "markets", "column": "demand_t", "value": 1}],
        )
    problems = info.value.problems
    assert len(problems) == 5
    assert all(p.startswith("scenario 'z': ") for p in problems)
    assert "unknown table 'markets'" in problems[-1]
