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
from .conftest import solved


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
        "Candidate hubs not opened (10)",
        "Markets (24)",
        "Origins (3)",
    ):
        assert name in page
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
    assert sorted(tooltips) == sorted(_hostile.NAMES + flows)
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
