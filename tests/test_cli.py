"""The command line: outputs and exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pandas as pd
import pytest

import hubopt
from hubopt.cli import main


def test_help(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for command in ("solve", "validate"):
        assert command in out


def test_solve_writes_outputs(tmp_path, capsys):
    code = main(
        ["solve", str(hubopt.datasets.path("tiny")), "--out", str(tmp_path / "o")]
    )
    assert code == 0
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["status"] == "optimal"
    assert summary["objective"] == pytest.approx(1140)
    for key in ("gap", "best_bound", "solver", "costs"):
        assert key in summary
    # timings live in run.json so that summary.json is byte-identical across runs
    assert "runtime_s" not in summary
    assert "runtime_s" in json.loads((tmp_path / "o" / "run.json").read_text())
    assert set(summary["costs"]) >= {
        "fixed",
        "transport",
        "handling",
        "procurement",
        "unmet_penalty",
        "total",
    }
    for name in ("flows.csv", "hubs.csv", "markets.csv"):
        assert (tmp_path / "o" / name).exists()
    assert "hubs opened" in capsys.readouterr().out


def test_solve_options(tmp_path):
    code = main(
        [
            "solve",
            str(hubopt.datasets.path("tiny")),
            "--out",
            str(tmp_path),
            "--max-hubs",
            "1",
            "--solver",
            "cbc",
            "--time-limit",
            "30",
            "--gap",
            "0",
        ]
    )
    assert code == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["objective"] == pytest.approx(1460)
    assert summary["solver"] == "cbc"


def test_solve_programme_and_single_sourcing(tmp_path):
    # the CLI passes --programme-t and --single-sourcing to the model: the answers
    # of hubopt.solve with the same options
    args = ["solve", "--programme-t", "1000000", "--out", str(tmp_path / "p")]
    assert main(args) == 0
    served = pd.read_csv(tmp_path / "p" / "markets.csv")["served_t"].sum()
    plain = hubopt.solve(hubopt.datasets.morocco_kazakhstan())
    assert plain.markets["served_t"].sum() < 1e6 - 1.0  # the programme binds
    assert served == pytest.approx(1e6, rel=1e-6)
    tiny = str(hubopt.datasets.path("tiny"))
    assert main(["solve", tiny, "--single-sourcing", "--out", str(tmp_path)]) == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    expected = hubopt.solve(hubopt.datasets.tiny(), single_sourcing=True)
    assert summary["objective"] == pytest.approx(expected.objective)


def test_bad_programme_exit_2(tmp_path, capsys):
    tiny = str(hubopt.datasets.path("tiny"))
    code = main(["solve", tiny, "--programme-t", "1e9", "--out", str(tmp_path)])
    assert code == 2
    err = capsys.readouterr().err
    assert "programme_t" in err and "Traceback" not in err


def test_refuses_to_overwrite(tmp_path, capsys):
    args = ["solve", str(hubopt.datasets.path("tiny")), "--out", str(tmp_path)]
    assert main(args) == 0
    assert main(args) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert main([*args, "--overwrite"]) == 0


def test_bad_input_exit_2(tmp_path, capsys):
    folder = tmp_path / "bad"
    shutil.copytree(hubopt.datasets.path("tiny"), folder)
    hubs = pd.read_csv(folder / "hubs.csv")
    hubs.loc[0, "capacity_t"] = -1
    hubs.to_csv(folder / "hubs.csv", index=False)
    assert main(["solve", str(folder), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "table 'hubs', row 'H1', column 'capacity_t': -1 is negative" in err
    assert "Traceback" not in err
    assert main(["validate", str(folder)]) == 2


def test_validate_ok(capsys):
    assert main(["validate", str(hubopt.datasets.path("tiny"))]) == 0
    assert capsys.readouterr().out.strip() == "ok"


def test_infeasible_exit_3(tmp_path, capsys):
    folder = tmp_path / "inf"
    shutil.copytree(hubopt.datasets.path("tiny"), folder)
    origins = pd.read_csv(folder / "origins.csv")
    origins["supply_t"] = 1
    origins.to_csv(folder / "origins.csv", index=False)
    assert main(["solve", str(folder), "--out", str(tmp_path / "o")]) == 3
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["status"] == "infeasible"


def test_console_script_runs():
    # The installed entry point (or the module) answers --help without a traceback.
    exe = shutil.which("hubopt")
    cmd = [exe, "--help"] if exe else [sys.executable, "-m", "hubopt.cli", "--help"]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert "solve" in done.stdout


def test_log_shows_the_solver_progress(tmp_path, capfd):
    args = ["solve", str(hubopt.datasets.path("tiny")), "--out", str(tmp_path)]
    assert main(args) == 0
    quiet = capfd.readouterr().out
    assert "HiGHS" not in quiet
    assert main([*args, "--overwrite", "--log"]) == 0
    shown = capfd.readouterr().out
    assert "HiGHS" in shown  # the solver's own log, written as it runs
    assert "results written to" in shown


def test_dataset_names_work_wherever_a_network_does(tmp_path, capsys):
    assert main(["validate", "tiny"]) == 0
    assert main(["validate", "morocco_kazakhstan"]) == 0
    assert main(["solve", "tiny", "--out", str(tmp_path / "s")]) == 0
    assert (tmp_path / "s" / "summary.json").exists()
    capsys.readouterr()
    assert main(["validate", "no_such_network"]) == 2
    err = capsys.readouterr().err
    assert "nor a bundled network (bundled: morocco_kazakhstan, tiny)" in err


def test_infeasible_max_hubs_0_is_explained_with_the_options(tmp_path, capsys):
    """The explanation used to run without --max-hubs and say "the network has a
    feasible solution"."""
    tiny = str(hubopt.datasets.path("tiny"))
    assert main(["solve", tiny, "--max-hubs", "0", "--out", str(tmp_path / "o")]) == 3
    err = capsys.readouterr().err
    assert "max_hubs is 0 (no hub may open), but market D2 (70 t)" in err
    assert "feasible solution" not in err


def test_min_hubs_above_the_hubs_exits_2(tmp_path, capsys):
    tiny = str(hubopt.datasets.path("tiny"))
    assert main(["solve", tiny, "--min-hubs", "4", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "min_hubs is 4 but the network has only 3 hub(s)" in err
    assert "Traceback" not in err


def test_huge_carbon_price_exits_2(tmp_path, capsys):
    folder = tmp_path / "net"
    shutil.copytree(hubopt.datasets.path("tiny"), folder)
    legs = pd.read_csv(folder / "legs.csv")
    legs["co2_kg_per_t"] = 100.0
    legs.to_csv(folder / "legs.csv", index=False)
    out = str(tmp_path / "o")
    assert main(["solve", str(folder), "--carbon-price", "1e300", "--out", out]) == 2
    assert "carbon_price_per_t_co2 1e+300 is too large" in capsys.readouterr().err


def test_misspelt_column_exits_2(tmp_path, capsys):
    folder = tmp_path / "net"
    shutil.copytree(hubopt.datasets.path("tiny"), folder)
    hubs = pd.read_csv(folder / "hubs.csv").rename(
        columns={"fixed_cost": "fixed_costs"}
    )
    hubs.to_csv(folder / "hubs.csv", index=False)
    assert main(["solve", str(folder), "--out", str(tmp_path / "o")]) == 2
    assert "did you mean 'fixed_cost'?" in capsys.readouterr().err


# ------------------------------------------------------------------------------------
# a failed run leaves no output folder behind
# ------------------------------------------------------------------------------------
def _toml(tmp_path, body: str):
    file = tmp_path / "s.toml"
    file.write_text(body, encoding="utf-8")
    return file


_LOST = '[[scenario]]\nname = "base"\n[[scenario]]\nname = "lost"\nclose_hubs = ["H1", "H2", "H3"]\n'


def test_failed_robust_leaves_no_folder(tmp_path, capsys):
    out = tmp_path / "nested" / "rob"
    code = main(
        [
            "robust",
            str(_toml(tmp_path, _LOST)),
            "--network",
            "tiny",
            "--out",
            str(out),
            "--workers",
            "1",
        ]
    )
    assert code == 3
    err = capsys.readouterr().err
    assert err.count("scenario 'lost'") == 1
    assert not out.exists() and not out.parent.exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "s.toml"]


@pytest.mark.parametrize("command", ["compare", "robust"])
def test_bad_scenario_file_leaves_no_folder(tmp_path, capsys, command):
    file = _toml(tmp_path, '[[scenario]]\nname = "x"\navoid = ["atlantis"]\n')
    out = tmp_path / "out"
    assert main([command, str(file), "--network", "tiny", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "[[scenario]] x: unknown passage" in err
    assert "scenario 'x'" not in err
    assert not out.exists()


@pytest.mark.parametrize("command", ["solve", "brief"])
def test_bad_network_leaves_no_folder(tmp_path, capsys, command):
    out = tmp_path / "out"
    assert main([command, str(tmp_path / "nowhere"), "--out", str(out)]) == 2
    assert not out.exists()


def test_brief_without_a_solution_leaves_no_folder(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["brief", "tiny", "--max-hubs", "0", "--out", str(out)]) == 3
    assert "no brief written" in capsys.readouterr().err
    assert not out.exists()


def test_solve_without_a_solution_records_it(tmp_path, capsys):
    # not an empty folder: summary.json says why there is no solution
    out = tmp_path / "out"
    assert main(["solve", "tiny", "--max-hubs", "0", "--out", str(out)]) == 3
    assert sorted(p.name for p in out.iterdir()) != []
    assert json.loads((out / "summary.json").read_text())["status"] == "infeasible"


def test_robust_csv_and_console_are_rounded(tmp_path, capsys):
    file = _toml(
        tmp_path,
        '[[scenario]]\nname = "base"\n[[scenario]]\nname = "dear"\n'
        "freight_multiplier = 1.37\n",
    )
    out = tmp_path / "rob"
    code = main(
        ["robust", str(file), "--network", "tiny", "--out", str(out), "--workers", "1"]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "e+0" not in text
    table = pd.read_csv(out / "robust.csv")
    for column in ("own_cost", "robust_cost", "regret"):
        assert (table[column].round(2) == table[column]).all()
    assert (table["probability"] == 0.5).all()
    raw = (out / "robust.csv").read_text(encoding="utf-8")
    assert "0000000" not in raw and "9999999" not in raw


@pytest.mark.parametrize("command", ["compare", "robust"])
def test_a_scenario_that_does_not_fit_the_network_exits_2(tmp_path, capsys, command):
    file = _toml(
        tmp_path,
        '[[scenario]]\nname = "base"\n[[scenario]]\nname = "typo"\n'
        'set = [{ table = "destinations", id = "D9", column = "demand_t", value = 1 }]\n',
    )
    out = tmp_path / "out"
    code = main(
        [command, str(file), "--network", "tiny", "--out", str(out), "--workers", "1"]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "scenario 'typo', set[1]: table 'destinations' has no row 'D9'" in err
    assert err.count("scenario 'typo'") == 1
    assert not out.exists()
