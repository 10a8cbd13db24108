"""The interactive map (hubopt.webmap): the page references no remote URL, has its
layers and popups, and text from data reaches it only as JSON or escaped HTML."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

import pytest

import hubopt
from hubopt import webmap

from . import _hostile
from .conftest import programme_network, solved


@pytest.fixture(scope="module")
def hostile_results():
    network = _hostile.network()
    return solved(network), solved(network, max_hubs=1)


class _Refs(HTMLParser):
    """Every URL-bearing attribute and the text outside <script>."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "srcset", "data", "poster", "action") and value:
                self.refs.append(value)


_URL = re.compile(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", re.I)
#: Hosts named in Leaflet's own code that load nothing: the SVG namespace, the
#: project's address in its licence comment and two bug trackers cited in comments.
_ALLOWED = {"www.w3.org", "leafletjs.com", "bugs.chromium.org", "bugzilla.mozilla.org"}


def assert_offline(page: str) -> None:
    """The page loads nothing from the network."""
    parser = _Refs()
    parser.feed(page)
    remote = [r for r in parser.refs if not r.startswith(("data:", "#"))]
    assert all(not _URL.match(r) for r in remote), remote
    assert "link" not in parser.tags, "a <link> element loads a stylesheet"
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"@import", page)
    for url in re.findall(r"url\(([^)]*)\)", page):
        assert url.strip("'\"").startswith(("data:", "#")), url
    found = {m.group(0).lower().split("//")[1] for m in _URL.finditer(page)}
    assert found <= _ALLOWED, found - _ALLOWED


def test_interactive_map_is_offline_with_layers(mk_result, tmp_path):
    path = tmp_path / "map.html"
    fmap = webmap.interactive_map(mk_result, path)
    page = path.read_text(encoding="utf-8")
    assert_offline(page)
    assert "L.map(" in page and "L.geoJson(" in page
    # Leaflet itself is in the page
    assert "Leaflet 1.9.4" in page[:400_000]
    # layers with toggles
    for name in (
        "Countries (Natural Earth)",
        "Flows (",
        "Hubs opened (1)",
        "Candidate ports not opened (7)",
        "Ports closed by status (3)",
        "Markets (24)",
        "Origins (3)",
    ):
        assert name in page
    # closed by status is counted as closed, not as "not opened"
    assert "not opened (10)" not in page and "Best single hub" not in page
    assert "L.control.layers(" in page
    flows = mk_result.flows
    assert page.count('"className": "hubopt-flow"') == len(flows)
    assert page.count('"className": "hubopt-market"') == 24
    # popups carry the figures
    assert "utilisation" in page and "landed cost per tonne" in page
    assert "serving hub" in page and "cost per tonne" in page and "mode" in page
    assert mk_result.hubs[mk_result.hubs["open"]].iloc[0]["name"] in page
    assert fmap.get_name() in page


def test_interactive_map_errors(tiny_result, tmp_path):
    with pytest.raises(hubopt.ValidationError, match=r"use \.html"):
        webmap.interactive_map(tiny_result, tmp_path / "map.png")
    with pytest.raises(hubopt.ValidationError, match="extent must be"):
        webmap.interactive_map(tiny_result, extent="world")


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _script_strings(page: str, call: str) -> list[str]:
    """The JSON string handed to each ``call(`` in the page, decoded."""
    pattern = re.compile(re.escape(call) + "(" + _JSON_STRING.pattern + ")")
    return [json.loads(m.group(1)) for m in pattern.finditer(page)]


def test_script_json_escapes_what_could_end_the_script():
    text = "</script><!-- `${x}` '\"\\ \u2028\u2029 & {{ a }} {% b %} {# c #} }}"
    out = webmap._script_json(text)
    assert json.loads(out) == text
    for raw in ("<", ">", "&", "\u2028", "\u2029", "{{", "{%", "{#"):
        assert raw not in out
    assert webmap._script_json({"a": {"b": ["{{"]}}) == '{"a": {"b": ["\\u007b{"]}}'


def test_interactive_map_keeps_hostile_names_as_data(hostile_results, tmp_path):
    result, _ = hostile_results
    path = tmp_path / "map.html"
    webmap.interactive_map(result, path, extent=None)
    page = path.read_text(encoding="utf-8")
    assert_offline(page)
    # no markup from data reaches the page raw, no text a JavaScript template literal
    for name in (*_hostile.NAMES, _hostile.CORRIDOR, *_hostile.HUB_IDS.values()):
        if any(c in name for c in "<>&"):
            assert name not in page
    assert "bindTooltip(`" not in page and "`<div" not in page
    # the tooltips: each name as JSON, shown through a text node
    tooltips = _script_strings(page, "bindTooltip(huboptText(")
    flows = [
        f"{a} → {b}: {t:,.0f} t"
        for a, b, t in result.flows[["from", "to", "tonnes"]].to_numpy()
    ]
    # permanent labels: the names of hubs, markets and origins, whole
    labels = list(_hostile.NAMES)
    assert sorted(tooltips) == sorted(labels + flows)
    # the popups: HTML in JSON, every piece of text from data HTML-escaped
    popups = _script_strings(page, ".bindPopup(")
    assert len(popups) == len(tooltips)
    joined = "".join(popups)
    for name in _hostile.NAMES:
        assert html.escape(name) in joined
    assert html.escape(_hostile.CORRIDOR) in joined
    assert "<img" not in joined and "<script" not in joined
    # the title box (HTML, not a Jinja template)
    title = re.search(r"<div class='hubopt-title'>(.*?)</div>", page, re.S).group(1)
    assert html.escape(_hostile.NETWORK_NAME) in title
    assert html.escape(_hostile.HUB_NAMES["H1"]) in title


# ------------------------------------------------------------------------------------
# labels and layers
# ------------------------------------------------------------------------------------
_LAYER_NAME = re.compile(r'^\s*"([^"]+)" : (?:feature_group|geo_json)_', re.M)


def _overlays(page: str) -> dict[str, int | None]:
    """The layer control's overlay names, with the count in their parenthesis."""
    out = {}
    for name in _LAYER_NAME.findall(page):
        count = re.search(r"\((\d+)\)$", name)
        out[name] = int(count.group(1)) if count else None
    return out


def _labels(page: str) -> list[tuple[str, dict]]:
    """Each tooltip: its text (JSON) and its options (the flows' hover tooltips
    take ``{sticky: true}``, written as code)."""
    pattern = re.compile(
        r"bindTooltip\(huboptText\((" + _JSON_STRING.pattern + r")\), (\{[^}]*\})\)"
    )
    out = []
    for text, options in pattern.findall(page):
        parsed = (
            {"sticky": True} if options == "{sticky: true}" else json.loads(options)
        )
        out.append((json.loads(text), parsed))
    return out


@pytest.fixture(scope="module")
def mk_no_hub():
    return solved(programme_network())


def test_permanent_labels_for_hubs_markets_and_origins(mk_no_hub, tmp_path):
    path = tmp_path / "map.html"
    webmap.interactive_map(mk_no_hub, path, fallback_hub="HUB_DAKHLA_ATLANTIQUE")
    page = path.read_text(encoding="utf-8")
    assert_offline(page)
    labels = [(t, o) for t, o in _labels(page) if o.get("permanent")]
    network = mk_no_hub.network
    assert len(labels) == len(network.hubs) + len(network.destinations) + len(
        network.origins
    )
    texts = {t for t, _ in labels}
    for name in network.hubs["name"]:
        assert any(t.startswith(name) for t in texts), name
    assert "Dakhla Atlantique: best single hub if one must be built" in texts
    assert "Mohammedia (closed)" in texts
    assert "Ethiopia (via Djibouti)" in texts and "Egypt (Alexandria)" in texts
    # small type beside the symbol, and a rank for the decluttering
    for _, options in labels:
        assert options["direction"] == "right" and options["offset"][0] > 0
        assert re.search(
            r"hubopt-label hubopt-label-[a-z]+ hubopt-rank-\d+$", options["className"]
        )
    ranks = [int(o["className"].rsplit("-", 1)[1]) for _, o in labels]
    assert sorted(ranks) == list(range(len(labels)))
    assert "font:11px" in page and "declutter" in page
    # hover tooltips on the flows stay (not permanent)
    assert any(not o.get("permanent") and o.get("sticky") for _, o in _labels(page))


def test_layer_control_lists_only_layers_that_have_something(
    mk_no_hub, tiny_result, tmp_path
):
    page = (
        webmap.interactive_map(mk_no_hub, fallback_hub="HUB_DAKHLA_ATLANTIQUE")
        .get_root()
        .render()
    )
    overlays = _overlays(page)
    assert overlays == {
        "Countries (Natural Earth)": None,
        f"Flows ({len(mk_no_hub.flows)})": len(mk_no_hub.flows),
        "Best single hub if one must be built (1)": 1,
        "Candidate ports not opened (7)": 7,
        "Ports closed by status (3)": 3,
        "Markets (24)": 24,
        "Origins (3)": 3,
    }
    assert not any(name.startswith("Hubs opened") for name in overlays)
    assert all(count != 0 for count in overlays.values())
    # closed hubs: their popups say closed
    popups = "".join(_script_strings(page, ".bindPopup("))
    assert popups.count("closed (status in the hubs table)") == 3
    legend = re.search(r"<div class='hubopt-legend'>(.*?)</div></div>", page, re.S)
    legend = legend.group(1)
    assert "port closed (status)" in legend and "best single hub" in legend
    assert "hub opened" not in legend and "origin to hub" not in legend

    page = webmap.interactive_map(tiny_result).get_root().render()
    overlays = _overlays(page)
    assert all(count != 0 for count in overlays.values())
    assert not any("closed" in n or "Best single" in n for n in overlays)
    assert (
        "Hubs opened (2)" in overlays and "Candidate ports not opened (1)" in overlays
    )
    legend = re.search(r"<div class='hubopt-legend'>(.*?)</div></div>", page, re.S)
    assert "port closed" not in legend.group(1)
    assert "direct, origin to market" not in legend.group(1)


def test_interactive_map_fallback_hub_errors(tiny_result):
    with pytest.raises(hubopt.ValidationError, match="fallback_hub 'H9' is not in"):
        webmap.interactive_map(tiny_result, fallback_hub="H9")
