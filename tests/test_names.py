"""Names from data come out of every output unharmed (property-based).

The tiny network's hubs, markets, origins and the network itself get arbitrary
names: any Unicode (no lone surrogates, no NUL), markup, quotes, backslashes, JavaScript
template syntax, Jinja tags, mathtext and spreadsheet formulas. Each example writes the
briefing pack and checks each output:

- the CSV tables read back equal to the name, but for a single quote in front of a
  name a spreadsheet would run as a formula (hubopt.io.guard_formula_cells);
- summary.json and the GeoPackage layers hold the name exactly;
- brief.html holds it HTML-escaped: ``html.unescape`` of the page gives it back, and
  the page has as many ``<`` and ``>`` as the same pack with plain names (no markup
  from the names, which would add some);
- the interactive map holds it as JSON data that decodes back to it, and as many
  ``<`` and ``>`` as with plain names (none from the names, in HTML or in JSON);
- the static map (map.png, map.pdf) renders without error.

The static map of the pack is drawn at low resolution here (drawing at 300
dpi would take most of each example's time); tests/test_maps.py draws it as shipped.
"""

from __future__ import annotations

import functools
import html
import json
import re
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hubopt
import hubopt.maps

SETTINGS = settings(
    max_examples=15,
    database=None,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Pieces a name is built from besides arbitrary characters.
HOSTILE = [
    "</script>",
    "<script>window.__pwned=1</script>",
    "<img src=x onerror=alert(1)>",
    "${window.__pwned=1}",
    "`",
    "'",
    '"',
    "\\",
    "\\u2028",
    "\u2028",
    "\u2029",
    "&amp;",
    "&",
    "<!--",
    "]]>",
    "{{ 7*7 }}",
    "{%",
    "{#",
    "}}",
    "$ 50% $",
    "$\\frac{}$",
    "_",
    "^",
    "%",
    '=HYPERLINK("http://x")',
    "+1",
    "-1+1",
    "@SUM(A1)",
    "\t",
    "\r",
    "\n",
    ";",
    ",",
    " (",
    "-3",
]
_CHARS = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
_PIECE = st.one_of(st.sampled_from(HOSTILE), st.text(_CHARS, min_size=1, max_size=6))
NAMES = (
    st.lists(_PIECE, min_size=1, max_size=4)
    .map("".join)
    .filter(lambda name: name == name.strip() != "")
)
#: What a spreadsheet would run as a formula, so that the CSV guard prefixes it.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _renamed(names: list[str]) -> hubopt.Network:
    tiny = hubopt.datasets.tiny()
    origins = tiny.origins.assign(name=names[0:2])
    hubs = tiny.hubs.assign(name=names[2:5])
    markets = tiny.destinations.assign(name=names[5:8])
    return hubopt.Network.from_frames(origins, hubs, markets, tiny.legs, name=names[8])


def _pack(names: list[str], folder: Path) -> hubopt.Result:
    network = _renamed(names)
    result = hubopt.solving.solve(network)
    assert hubopt.check_solution(network, result) == []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            hubopt.maps, "static_map", _small_static_map(hubopt.maps.static_map)
        )
        result.brief(folder, baseline=False)
    return result


def _text(file: Path) -> str:
    """A file's text as written: no newline translation (names may hold "\\r")."""
    return file.read_bytes().decode("utf-8")


def _markup(page: str) -> tuple[int, int]:
    return page.count("<"), page.count(">")


@functools.cache
def _plain_markup() -> dict[str, tuple[int, int]]:
    """The counts of ``<`` and ``>`` in the pages of the pack with plain names."""
    with tempfile.TemporaryDirectory() as tmp:
        _pack([f"N{i}" for i in range(9)], Path(tmp))
        return {
            page: _markup(_text(Path(tmp) / page))
            for page in ("brief.html", "interactive_map.html")
        }


def _small_static_map(real):
    @functools.wraps(real)
    def drawn_small(*args, **kwargs):
        kwargs.update(dpi=30)
        return real(*args, **kwargs)

    return drawn_small


def _csv(file: Path) -> pd.DataFrame:
    return pd.read_csv(file, dtype=str, keep_default_na=False)


def _as_csv_cell(read: str, name: str) -> None:
    """``read`` is ``name`` as written to a CSV: itself, or with the formula guard."""
    if name.startswith(("=", "@", "\t", "\r")):  # always a formula start
        assert read == "'" + name
    elif name.startswith(_FORMULA_STARTS):
        assert read in (name, "'" + name)  # "-3" is a number and keeps its sign
    else:
        assert read == name


_JSON_STRING = re.compile(r'huboptText\(("(?:[^"\\]|\\.)*")\)')


# arbitrary code points include many the map's font has no glyph for: drawn as boxes
@pytest.mark.filterwarnings("ignore:Glyph .* missing from font:UserWarning")
@SETTINGS
@given(names=st.lists(NAMES, min_size=9, max_size=9))
def test_names_survive_every_output(names):
    plain = _plain_markup()
    network = _renamed(names)
    hub_names = dict(zip(network.hubs["id"], names[2:5], strict=True))
    market_names = dict(zip(network.destinations["id"], names[5:8], strict=True))
    origin_names = dict(zip(network.origins["id"], names[0:2], strict=True))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        result = _pack(names, folder)
        assert (folder / "map.png").stat().st_size > 0
        assert (folder / "map.pdf").stat().st_size > 0

        # CSV tables
        for table, key, expected in (
            ("hubs.csv", "hub_id", hub_names),
            ("markets.csv", "destination", market_names),
            ("market_comparison.csv", "destination", market_names),
        ):
            frame = _csv(folder / table)
            assert sorted(frame[key]) == sorted(expected)
            for key_value, read in zip(frame[key], frame["name"], strict=True):
                _as_csv_cell(read, expected[key_value])
        _as_csv_cell(_csv(folder / "key_figures.csv")["network"].iloc[0], names[8])

        # summary.json and the GeoPackage
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        assert summary["network"] == names[8]
        for layer, key, expected in (
            ("hubs", "hub_id", hub_names),
            ("markets", "destination", market_names),
            ("origins", "origin", origin_names),
        ):
            frame = gpd.read_file(folder / "results.gpkg", layer=layer)
            id_column = key if key in frame.columns else "id"
            assert dict(zip(frame[id_column], frame["name"], strict=True)) == expected

        # brief.html: escaped, and whole once unescaped
        page = _text(folder / "brief.html")
        text = html.unescape(page)
        opened = result.hubs.loc[result.hubs["open"], "hub_id"]
        for name in [*market_names.values(), *(hub_names[h] for h in opened)]:
            assert name in text
        assert _markup(page) == plain["brief.html"]

        # interactive map: the names as JSON data, decoded whole; never raw
        page = _text(folder / "interactive_map.html")
        tooltips = [json.loads(m.group(1)) for m in _JSON_STRING.finditer(page)]
        nodes = [*hub_names.values(), *market_names.values(), *origin_names.values()]
        assert sorted(t for t in tooltips if "→" not in t or t in nodes) == sorted(
            nodes
        )
        assert _markup(page) == plain["interactive_map.html"]
