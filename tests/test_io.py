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
