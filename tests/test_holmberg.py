"""Holmberg, Rönnqvist and Yuan (1999) single-source instances: the smallest reach
their published optima with single_sourcing=True; malformed files are refused with
the file, line and value."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hubopt
from hubopt import solving
from hubopt.holmberg import read_holmberg

#: The instances kept in the repository (benchmarks/holmberg), or HUBOPT_HOLMBERG.
HOLMBERG = Path(
    os.environ.get(
        "HUBOPT_HOLMBERG",
        Path(__file__).resolve().parents[1] / "benchmarks" / "holmberg",
    )
)
needs_files = pytest.mark.skipif(
    not HOLMBERG.is_dir(), reason="Holmberg files not found"
)

TINY = "2 3\n50 10\n60 20\n30 30 40\n30 30 80\n90 90 40\n"


def _optima() -> pd.DataFrame:
    return pd.read_csv(HOLMBERG / "optima.csv").set_index("instance")


@pytest.fixture
def write(tmp_path):
    def _write(text: str | bytes, name: str = "p_bad") -> Path:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)
        return path

    return _write


def test_mapping(write):
    net = read_holmberg(write(TINY, "p_tiny"))
    assert net.name == "p_tiny"
    assert net.hubs["id"].tolist() == ["W1", "W2"]
    assert net.hubs["capacity_t"].tolist() == [50.0, 60.0]
    assert net.hubs["fixed_cost"].tolist() == [10.0, 20.0]
    assert net.destinations["demand_t"].tolist() == [30.0, 30.0, 40.0]
    assert net.origins["supply_t"].tolist() == [100.0]
    legs = net.legs.set_index(["origin", "destination"])["cost_per_t"]
    assert legs["SOURCE", "W2"] == 0.0
    assert legs["W1", "C3"] == pytest.approx(80 / 40)  # all of C3 from W1 costs 80
    assert legs["W2", "C1"] == pytest.approx(90 / 30)


def test_single_sourcing_by_hand(write):
    """W1 (50 t) holds one customer, W2 at most 60 t: W1 takes C3, W2 C1 and C2."""
    net = read_holmberg(write(TINY))
    split = solving.solve(net)
    single = solving.solve(net, single_sourcing=True)
    assert split.objective == pytest.approx(10 + 20 + 30 + 20 + 30 + 40)
    assert single.objective == pytest.approx(10 + 20 + 80 + 90 + 90)
    flows = single.flows
    flows = flows[(flows["kind"] == "outbound") & (flows["tonnes"] > 1e-9)]
    assert flows.groupby("to")["from"].apply(sorted).to_dict() == {
        "C1": ["W2"],
        "C2": ["W2"],
        "C3": ["W1"],
    }


def test_nul_padding_ends_the_data(write):
    padded = TINY.encode() + b"\x00" * 40 + b"39. 336. 332.\r\n"
    net = read_holmberg(write(padded))
    assert len(net.destinations) == 3


@needs_files
@pytest.mark.parametrize("instance", ["p1", "p2", "p3"])
def test_published_optimum(instance):
    optimum = _optima().loc[instance, "optimum"]
    net = read_holmberg(HOLMBERG / instance)
    result = solving.solve(net, single_sourcing=True, threads=1)
    assert result.status == "optimal"
    assert abs(result.objective - optimum) <= 1e-6 * optimum


@needs_files
@pytest.mark.slow
@pytest.mark.parametrize("instance", ["p13", "p41", "p42", "p43"])
def test_published_optimum_larger(instance):
    """One of each of the other shapes that solve in seconds (20 x 50, 10 x 90,
    20 x 80, 30 x 70); p25-p40 and p56-p71 take minutes and are left to the
    benchmark."""
    optimum = _optima().loc[instance, "optimum"]
    net = read_holmberg(HOLMBERG / instance)
    result = solving.solve(net, single_sourcing=True, threads=1)
    assert result.status == "optimal"
    assert abs(result.objective - optimum) <= 1e-6 * optimum


@needs_files
def test_every_file_reads():
    optima = _optima()
    for instance, row in optima.iterrows():
        net = read_holmberg(HOLMBERG / row["file"])
        assert len(net.hubs) == row["sites"], instance
        assert len(net.destinations) == row["customers"], instance
        assert np.isfinite(net.legs["cost_per_t"]).all(), instance


def test_missing_file(tmp_path):
    with pytest.raises(hubopt.ValidationError, match=r"p_none'.*cannot be read"):
        read_holmberg(tmp_path / "p_none")


def test_empty_file(write):
    with pytest.raises(hubopt.ValidationError, match="empty or no 'm n' header"):
        read_holmberg(write(""))


def test_bad_header(write):
    with pytest.raises(
        hubopt.ValidationError,
        match=r"line 1: the number of customers n is 'x3'; it must be a whole number",
    ):
        read_holmberg(write("2 x3\n" + TINY.split("\n", 1)[1]))


def test_bad_number_names_line_and_value(write):
    text = TINY.replace("90 90 40", "90 9O 40")
    with pytest.raises(
        hubopt.ValidationError,
        match=r"line 6: cost of site 2 serving customer 2 is '9O', not a number",
    ):
        read_holmberg(write(text))


def test_every_problem_listed(write):
    text = TINY.replace("60 20", "-60 20").replace("30 30 40\n", "30 abc 40\n", 1)
    with pytest.raises(hubopt.ValidationError) as caught:
        read_holmberg(write(text))
    problems = caught.value.problems
    assert len(problems) == 2
    assert (
        "line 3: capacity of site 2 is -60; it must be a finite number" in (problems[0])
    )
    assert "line 4: demand of customer 2 is 'abc'" in problems[1]


def test_too_few_numbers(write):
    text = TINY.rsplit("\n", 2)[0] + "\n"  # drop the last cost row
    with pytest.raises(
        hubopt.ValidationError, match=r"ends on line 5 after 10 numbers; .* need 13"
    ):
        read_holmberg(write(text))


def test_too_many_numbers(write):
    with pytest.raises(
        hubopt.ValidationError,
        match=r"1 number\(s\) beyond the 13 .* from line 7 \('130'\)",
    ):
        read_holmberg(write(TINY + "130\n"))


def test_not_ascii(write):
    with pytest.raises(hubopt.ValidationError, match=r"line 2: byte 0xe9 is not"):
        read_holmberg(write("2 3\n50 \xe910\n".encode("latin-1")))
