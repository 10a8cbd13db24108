"""The tiny network with hostile text in every name, id and label a user may set.

Each piece of text, were it spliced unescaped into a page, a script, mathtext or a
spreadsheet cell, would run script (setting ``window.__pwned``), break the page,
crash matplotlib or start a formula. Used by the map, browser and name tests.
"""

from __future__ import annotations

import hubopt

SCRIPT = "</script><script>window.__pwned=1</script>"
TEMPLATE = "${window.__pwned=1}"
IMAGE = '<img src=x onerror="window.__pwned=1">'
BACKTICK = "`"
QUOTES = 'O\'Brien "quay" \\ back`slash'
MATH = "$ 50% $"
JINJA = "{{ 7*7 }} {% if 1 %}if{% endif %}"
FORMULA = '=HYPERLINK("http://x";"click")'

HUB_NAMES = {"H1": SCRIPT, "H2": TEMPLATE, "H3": IMAGE}
MARKET_NAMES = {"D1": BACKTICK, "D2": QUOTES, "D3": MATH}
ORIGIN_NAMES = {"O1": JINJA, "O2": FORMULA}
#: One hub id is hostile too: ids reach tooltips and popups ("O1 → H1: 100 t").
HUB_IDS = {"H1": "H1`${window.__pwned=1}`<b>"}
CORRIDOR = '</script>`${window.__pwned=1}`<img src=x onerror="window.__pwned=1">'
NETWORK_NAME = "<script>window.__pwned=1</script> {{ 7*7 }} $x_1^2$"

NAMES = [*HUB_NAMES.values(), *MARKET_NAMES.values(), *ORIGIN_NAMES.values()]


def network() -> hubopt.Network:
    """The tiny network (2 origins, 3 hubs, 3 markets) with the hostile texts."""
    tiny = hubopt.datasets.tiny()
    origins = tiny.origins.assign(name=tiny.origins["id"].map(ORIGIN_NAMES))
    hubs = tiny.hubs.assign(name=tiny.hubs["id"].map(HUB_NAMES))
    markets = tiny.destinations.assign(name=tiny.destinations["id"].map(MARKET_NAMES))
    legs = tiny.legs.copy()
    hubs["id"] = hubs["id"].replace(HUB_IDS)
    for column in ("origin", "destination"):
        legs[column] = legs[column].replace(HUB_IDS)
    legs["corridor"] = CORRIDOR
    return hubopt.Network.from_frames(origins, hubs, markets, legs, name=NETWORK_NAME)
