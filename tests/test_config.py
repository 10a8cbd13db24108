"""TOML files read safely, and paths in them resolved against their folder."""

from __future__ import annotations

import pytest

import hubopt
from hubopt.config import load_toml, resolve_path


def test_paths_resolve_against_the_files_folder(tmp_path):
    (tmp_path / "net").mkdir()
    file = tmp_path / "run.toml"
    file.write_text('network = "net"\n', encoding="utf-8")
    config = load_toml(file)
    assert config.confine is False
    assert config.path(config.data["network"], key="network") == tmp_path / "net"


def test_confined_paths_may_not_leave_the_folder(tmp_path):
    file = tmp_path / "run.toml"
    file.write_text('network = "../elsewhere"\n[paths]\nconfine = true\n')
    config = load_toml(file)
    with pytest.raises(hubopt.ValidationError, match="outside"):
        config.path(config.data["network"], key="network")
    with pytest.raises(hubopt.ValidationError, match="outside"):
        resolve_path(file, "/etc", confine=True, key="network")


def test_bad_toml_names_line_and_column(tmp_path):
    file = tmp_path / "bad.toml"
    file.write_text("a = 1\nb = = 2\n", encoding="utf-8")
    with pytest.raises(hubopt.ValidationError, match=r"line 2"):
        load_toml(file)
    with pytest.raises(
        hubopt.ValidationError, match=r"no such file|not found|missing|does not exist"
    ):
        load_toml(tmp_path / "missing.toml")
