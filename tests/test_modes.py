"""The modes table: the bundled defaults, a user's table, and the errors."""

from __future__ import annotations

import pytest

import hubopt
from hubopt.freight import VOYAGE_MODES
from hubopt.modes import MODE_ALIASES, load_modes, mode_parameters


def test_bundled_modes_have_aliases_and_sources():
    modes = load_modes()
    names = set(modes["mode"])
    assert {"rail", "sea", "sea_supramax", "sea_handysize"} <= names
    assert modes["source"].astype(str).str.len().gt(0).all()


def test_a_users_table_is_validated_and_kept(tmp_path):
    modes = load_modes()
    file = tmp_path / "modes.csv"
    modes.assign(cost_per_tkm=modes["cost_per_tkm"] * 2).to_csv(file, index=False)
    rail = mode_parameters(load_modes(file), "rail")
    assert rail["cost_per_tkm"] == pytest.approx(
        2 * mode_parameters(modes, "rail")["cost_per_tkm"]
    )


def test_unknown_mode_names_the_closest_one():
    with pytest.raises(hubopt.ValidationError, match=r"did you mean 'rail'"):
        mode_parameters(load_modes(), "rial")


def test_missing_file_and_bad_values_are_validation_errors(tmp_path):
    with pytest.raises(hubopt.ValidationError, match="not found"):
        load_modes(tmp_path / "no_such.csv")
    modes = load_modes()
    with pytest.raises(hubopt.ValidationError, match="cost_per_tkm"):
        load_modes(modes.assign(cost_per_tkm=-1.0))


def test_format_doc_lists_the_bundled_modes():
    """docs/format.md's table of valid modes names every mode of data/modes.csv
    (aliases included), in the file's order, with its graph."""
    from pathlib import Path

    text = (Path(__file__).parents[1] / "docs" / "format.md").read_text("utf-8")
    block = text.split("<!-- modes:start")[1].split("<!-- modes:end -->")[0]
    rows = [line.split("|")[1:3] for line in block.splitlines() if "| `" in line]
    listed = [(name.strip().strip("`"), graph.strip()) for name, graph in rows]
    modes = load_modes()
    graph_text = {"sea": "sea graph", "land": "corridor or great circle x circuity"}
    order = [*modes["mode"]]
    alias_at = {v: k for k, v in MODE_ALIASES.items()}
    expected = []
    for name, graph in zip(order, modes["graph"], strict=True):
        if name in MODE_ALIASES:
            continue
        expected.append((name, graph_text[graph]))
        if name in alias_at:
            expected.append((alias_at[name], graph_text[graph]))
    expected += [(name, "sea graph") for name in VOYAGE_MODES]
    assert listed == expected
