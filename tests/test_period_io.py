"""Periods from files: reading and checking a periods folder, the CLI's --periods,
the bundled monthly periods and the brief's pass-through."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hubopt
from hubopt import datasets
from hubopt.briefing import brief
from hubopt.cli import main
from hubopt.errors import ValidationError
from hubopt.periods import check_periods, read_periods

TINY_HALVES = Path(__file__).resolve().parent / "periods" / "tiny_halves"
MONTHLY = "morocco_kazakhstan_monthly"


def _write(folder: Path, periods: str, values: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "periods.csv").write_text(periods, encoding="utf-8")
    if values is not None:
        (folder / "period_values.csv").write_text(values, encoding="utf-8")
    return folder


def _problems(folder: Path) -> list[str]:
    with pytest.raises(ValidationError) as info:
        read_periods(folder)
    return info.value.problems


def _flow(result, period, origin, destination) -> float:
    flows = result.periods.flows
    mine = flows[
        (flows["period"] == period)
        & (flows["from"] == origin)
        & (flows["to"] == destination)
    ]
    return float(mine["tonnes"].sum())


# -- reading a folder ----------------------------------------------------------------
def test_a_folder_is_read_with_ids_as_text(tmp_path):
    folder = _write(
        tmp_path,
        "id,days,order\n01,31,1\n02,28,2\n",
        "table,id,column,period,value\norigins,O1,supply_t,01,10\n",
    )
    periods = read_periods(folder)
    assert periods.ids == ["01", "02"]  # not 1 and 2
    assert periods.values["period"].tolist() == ["01"]


def test_period_values_are_optional_and_may_be_empty(tmp_path):
    assert len(read_periods(_write(tmp_path / "a", "id,days\nq1,90\n")).values) == 0
    empty = _write(tmp_path / "b", "id,days\nq1,90\n", "table,id,column,period,value\n")
    assert len(read_periods(empty).values) == 0


def test_a_missing_folder_or_file_is_named(tmp_path):
    with pytest.raises(
        ValidationError, match=r"no periods\.csv in '.*nowhere': no such folder"
    ):
        read_periods(tmp_path / "nowhere")
    with pytest.raises(ValidationError, match=r"no periods\.csv in"):
        read_periods(tmp_path)


def test_bad_rows_are_named_by_table_row_column_and_value(tmp_path):
    folder = _write(
        tmp_path,
        "id,days\nwet,182\ndry,-3\n",
        "table,id,column,period,value\n"
        "origins,O1,supply_t,wet,lots\n"
        "hubs,H1,capacity_t,wet,10\n"
        "legs,O1->D1,available,monsoon,1\n"
        "corridors,c,available,dry,0.5\n",
    )
    problems = _problems(folder)
    expected = [
        r"table 'periods', period dry, column 'days': -3",
        r"table 'period_values', row 1 \(origins O1\), column 'value': 'lots'",
        r"row 2 \(hubs H1\), column 'column': hubs\.capacity_t cannot vary",
        r"row 3 \(legs O1->D1\), column 'period': 'monsoon' is not in table 'periods'",
        r"row 4 \(corridors c\), column 'value': 0\.5; available is 0 or 1",
    ]
    for pattern in expected:
        assert any(re.search(pattern, p) for p in problems), (pattern, problems)


def test_files_that_are_not_csv_are_refused_with_their_table(tmp_path):
    folder = _write(tmp_path / "semi", "id;days\nwet;182\n")
    with pytest.raises(ValidationError, match=r"table 'periods' .*semicolon-separated"):
        read_periods(folder)
    folder = _write(tmp_path / "cols", "id,days\nwet,182\n", "table,id,value\n")
    with pytest.raises(ValidationError, match=r"'period_values': missing column"):
        read_periods(folder)


def test_check_periods_names_rows_the_network_does_not_have(tiny):
    folder = TINY_HALVES
    check_periods(tiny, read_periods(folder))  # the good one passes
    periods = hubopt.periods.Periods.from_frames(
        pd.DataFrame({"id": ["wet", "dry"], "days": [182, 183]}),
        pd.DataFrame(
            {
                "table": ["destinations", "capacities", "origins"],
                "id": ["D9", "gate", "O1"],
                "column": ["demand_t", "capacity_t", "supply_t"],
                "period": ["wet", "dry", "wet"],
                "value": [1.0, 5.0, 1000.0],
            }
        ),
    )
    with pytest.raises(ValidationError) as info:
        check_periods(tiny, periods)
    text = "\n".join(info.value.problems)
    assert "row 1, column 'id': 'D9' is not an id in table 'destinations'" in text
    assert "row 2, column 'id': 'gate' is not an id in table 'capacities'" in text


def test_period_supplies_that_exceed_the_annual_one_are_named(tiny):
    periods = hubopt.periods.Periods.from_frames(
        pd.DataFrame({"id": ["wet", "dry"], "days": [182, 183]}),
        pd.DataFrame(
            {
                "table": ["origins"],
                "id": ["O1"],
                "column": ["supply_t"],
                "period": ["wet"],
                "value": [1000.0],
            }
        ),
    )
    with pytest.raises(
        ValidationError, match=r"table 'origins', row O1, column 'supply_t'.*1,000 t"
    ):
        check_periods(tiny, periods)


# -- the command line ----------------------------------------------------------------
def test_cli_solve_with_periods(tmp_path, capsys):
    code = main(
        [
            "solve",
            str(datasets.path("tiny")),
            "--periods",
            str(TINY_HALVES),
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert (tmp_path / "o" / "summary.json").is_file()


def test_the_tiny_halves_solve_by_hand(tiny):
    plain = hubopt.solve(tiny)
    halves = read_periods(TINY_HALVES)
    same = hubopt.solve(tiny, periods=halves.__class__.from_frames(halves.table))
    # no period values: each half is the annual model at half scale, the hubs once
    assert same.objective == pytest.approx(plain.objective)
    shut = hubopt.solve(tiny, periods=halves)
    assert _flow(shut, "dry", "O1", "D1") == pytest.approx(0.0)
    assert shut.objective >= plain.objective - 1e-6


def test_cli_periods_may_name_a_folder_of_the_network(tmp_path, capsys):
    network = tmp_path / "tiny"
    shutil.copytree(datasets.path("tiny"), network)
    shutil.copytree(TINY_HALVES, network / "halves")
    code = main(["validate", str(network), "--periods", "halves"])
    out = capsys.readouterr().out
    assert code == 0
    assert "periods: 2 (wet, dry), 1 period values" in out
    assert out.strip().endswith("ok")


def test_cli_validate_reports_a_bad_periods_folder(tmp_path, capsys):
    folder = _write(
        tmp_path / "bad",
        "id,days\nwet,182\ndry,183\n",
        "table,id,column,period,value\nlegs,O1->D9,available,dry,0\n",
    )
    code = main(["validate", str(datasets.path("tiny")), "--periods", str(folder)])
    assert code == 2
    err = capsys.readouterr().err
    assert "table 'period_values', row 1, column 'id': 'O1->D9'" in err


def test_cli_names_unknown_periods(capsys):
    code = main(["validate", "tiny", "--periods", "no_such_periods"])
    assert code == 2
    err = capsys.readouterr().err
    assert "periods 'no_such_periods': no such folder" in err
    assert MONTHLY in err


# -- the bundled monthly periods -------------------------------------------------------
def test_bundled_periods_are_listed_and_found():
    assert MONTHLY in datasets.periods_list()
    assert datasets.periods_path(MONTHLY).joinpath("period_values.csv").is_file()
    with pytest.raises(ValidationError, match=r"no bundled periods named 'x'"):
        datasets.periods_path("x")


def test_bundled_monthly_periods_fit_the_network():
    net = datasets.morocco_kazakhstan()
    periods = datasets.load_periods(MONTHLY)
    assert periods.ids[0] == "jan" and len(periods) == 12
    assert periods.days.sum() == 365
    check_periods(net, periods)
    values = periods.values
    supply = values[values["column"] == "supply_t"].groupby("id")["value"].sum()
    annual = net.origins.set_index("id")["supply_t"]
    assert np.allclose(supply.loc[annual.index], annual)  # the months add up
    # the season: more leaves in November-December than in June-August
    kostanay = values[values["id"] == "KZ_KOSTANAY"].set_index("period")["value"]
    assert kostanay["dec"] > 2 * kostanay["jul"]
    # the Caspian winter: half the pro-rata capacity in November and December
    caps = values[values["table"] == "capacities"]
    assert set(caps["period"]) == {"nov", "dec"}


def test_bundled_monthly_network_solves_to_proven_optimality():
    net = datasets.morocco_kazakhstan()
    result = hubopt.solve(net, periods=datasets.load_periods(MONTHLY))
    assert result.status == "optimal"
    assert result.gap == pytest.approx(0.0, abs=1e-4)
    assert len(result.periods.results) == 12
    assert result.check() == []
    # no solver noise: every flow is a real tonnage and goes through an opened hub
    opened = set(result.hubs.loc[result.hubs["throughput_t"] > 0, "hub_id"])
    assert (result.flows["tonnes"] >= 1.0).all()
    hub_ends = set(result.flows["from"]) | set(result.flows["to"])
    assert {h for h in hub_ends if h.startswith("HUB_")} <= opened


def test_cli_validates_the_bundled_monthly_periods(capsys):
    assert main(["validate", "morocco_kazakhstan", "--periods", MONTHLY]) == 0
    assert "periods: 12 (jan," in capsys.readouterr().out


# -- the brief ---------------------------------------------------------------------------
def test_brief_solves_the_main_result_over_periods(tiny, tmp_path, monkeypatch):
    seen = []
    real = hubopt.solving.solve  # the checked solve of conftest

    def spy(network, *args, **kwargs):
        seen.append(kwargs.get("periods"))
        return real(network, *args, **kwargs)

    monkeypatch.setattr(hubopt.solving, "solve", spy)
    periods = read_periods(TINY_HALVES)
    page = brief(hubopt.solve(tiny), tmp_path / "b", drivers=(), periods=periods)
    assert page.name == "brief.html"
    assert seen and seen[0] is periods


# -- scenario files ---------------------------------------------------------------------
def test_a_scenario_file_may_name_a_periods_folder(tmp_path, capsys):
    shutil.copytree(datasets.path("tiny"), tmp_path / "tiny")
    shutil.copytree(TINY_HALVES, tmp_path / "tiny" / "halves")
    study = tmp_path / "study.toml"
    study.write_text(
        'network = "tiny"\nperiods = "tiny/halves"\n\n'
        '[[scenario]]\nname = "dear"\nfreight_multiplier = 1.5\n',
        encoding="utf-8",
    )
    spec = hubopt.read_scenarios(study)
    assert spec.periods == (tmp_path / "tiny" / "halves").resolve()
    out = tmp_path / "out"
    assert main(["compare", str(study), "--out", str(out), "--workers", "1"]) == 0
    assert (out / "comparison.csv").is_file()
    found = hubopt.scenarios.compare(
        hubopt.read_network(tmp_path / "tiny"),
        spec.scenarios,
        executor="serial",
        progress=False,
        periods=read_periods(spec.periods),
    )
    assert found.results["dear"].periods is not None  # solved over the two halves
    code = main(["robust", str(study), "--out", str(tmp_path / "r"), "--workers", "1"])
    assert code == 2
    assert "robust does not solve over periods yet" in capsys.readouterr().err


def test_a_scenario_file_s_periods_must_be_a_path(tmp_path):
    study = tmp_path / "study.toml"
    study.write_text('periods = 3\n[[scenario]]\nname = "a"\n', encoding="utf-8")
    with pytest.raises(ValidationError, match=r"key 'periods': expected the path"):
        hubopt.read_scenarios(study)
