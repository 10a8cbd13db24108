"""The briefing pack: one folder with the answer, the maps and the tables behind them.

:func:`write_brief` (also :func:`hubopt.brief` and ``hubopt brief``) writes

* ``brief.html``: one page with the headline answer, key figures (hubs opened with size
  and tonnes, cost per tonne against the direct baseline, saving, CO2), the map, a
  table per market, the assumptions and the data sources with their licences;
* ``map.png`` (300 dpi) and ``map.pdf``: the static map; ``interactive_map.html``;
* ``summary.json``, ``flows.csv``, ``hubs.csv``, ``markets.csv``, ``paths.csv``
  (:meth:`Result.write`), ``key_figures.csv``, ``market_comparison.csv``;
* ``results.gpkg``: origins, hubs, markets and flows (along their routes) as layers.

The direct baseline is the same network solved again with every hub closed (status
"closed"), so that only direct legs serve the markets: what the trade costs without a
hub. Nothing here solves: the baseline and the best single hub are computed in the
decision layer (:func:`hubopt.decisions.comparisons`) and handed in.

>>> import hubopt, tempfile
>>> from hubopt.report import key_figures
>>> result = hubopt.solve(hubopt.datasets.tiny())
>>> key_figures(result)["hubs_opened"]
'West port (base, 100 t); Central port (base, 100 t)'
"""

from __future__ import annotations

import base64
import html
import math
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import _format, datasets, maps, webmap
from ._format import EPS, co2_t, cost_per_t, currency_of, delivered_t
from ._version import __version__
from .io import atomic_target, write_csv_atomic, write_text_atomic
from .maps import DEFAULT_EXTENT
from .outputs import check_target, output_folder

if TYPE_CHECKING:  # pragma: no cover
    from .result import Result

#: Files a briefing pack consists of.
PACK_FILES = (
    "brief.html",
    "run.json",
    "map.png",
    "map.pdf",
    "interactive_map.html",
    "summary.json",
    "flows.csv",
    "hubs.csv",
    "markets.csv",
    "paths.csv",
    "key_figures.csv",
    "market_comparison.csv",
    "results.gpkg",
)


# ------------------------------------------------------------------------------------
# figures
# ------------------------------------------------------------------------------------
def single_hub_sentence(result: Result, forced: Result) -> str:
    """One sentence on the best single hub against the optimum (plain text).

    Examples
    --------
    >>> import textwrap
    >>> import hubopt
    >>> from hubopt.report import single_hub_sentence
    >>> net = hubopt.datasets.tiny()
    >>> best, one = hubopt.solve(net), hubopt.solve(net, max_hubs=1)
    >>> print(textwrap.fill(single_hub_sentence(best, one), 72))
    If one hub must be built, the cheapest site is Central port at level
    base (120 t a year, serving Market B, Market C), at 1.60 per tonne more
    than the optimum.
    """
    currency = currency_of(result)
    money = f"{currency} " if currency else ""
    opened = forced.hubs[forced.hubs["open"]].iloc[0]
    paths = forced.paths
    served = paths.loc[paths["hub"] == opened["hub_id"], "destination"].unique()
    names = forced.markets.set_index("destination").loc[list(served), "name"].tolist()
    extra = cost_per_t(forced) - cost_per_t(result)
    return (
        f"If one hub must be built, the cheapest site is {opened['name']} at level "
        f"{opened['level']} ({opened['throughput_t']:,.0f} t a year, serving "
        f"{', '.join(names) or 'no market'}), at {money}{extra:,.2f} per tonne more "
        "than the optimum."
    )


def short_answer(
    result: Result, baseline: Result | None, single_hub: Result | None = None
) -> str:
    """The few lines the command line prints: the headline, hubs and tonnes, cost
    per tonne against the direct baseline, CO2, and the best single hub when none
    opens (``single_hub``, from :func:`hubopt.decisions.best_single_hub`).

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.report import short_answer
    >>> result = hubopt.solve(hubopt.datasets.tiny())
    >>> print(short_answer(result, None).splitlines()[0])  # doctest: +ELLIPSIS
    Open West port (base, 100 t); Central port (base, 100 t): 5.70 per tonne ...
    """
    figures = key_figures(result, baseline)
    lines = [headline(figures, baseline is not None)]
    if result.status not in ("optimal", "feasible"):
        return lines[0]
    currency = figures["currency"]
    money = f"{currency} " if currency else ""
    lines.append(
        f"  delivered {figures['delivered_t']:,.0f} t of {figures['demand_t']:,.0f} t;"
        f" {money}{figures['cost_per_t']:,.2f} per tonne all-in"
        + (
            f" vs {money}{figures['baseline_cost_per_t']:,.2f} by direct routes"
            if baseline is not None
            else ""
        )
        + f"; CO2 {figures['co2_t']:,.0f} t a year"
    )
    for hub in result.hubs[result.hubs["open"]].itertuples():
        lines.append(
            f"  hub {hub.name}: level {hub.level}, {hub.throughput_t:,.0f} t a year "
            f"({hub.utilisation:.0%} of capacity)"
            if math.isfinite(hub.utilisation)
            else f"  hub {hub.name}: {hub.throughput_t:,.0f} t a year"
        )
    if single_hub is not None:
        lines.append("  " + single_hub_sentence(result, single_hub))
    lines.append(
        f"  status {result.status}"
        + (" (proven optimal)" if result.status == "optimal" else " (not proven)")
        + f", solver {result.solver}"
    )
    return "\n".join(lines)


def key_figures(result: Result, baseline: Result | None = None) -> dict[str, Any]:
    """The few numbers a briefing needs.

    Parameters
    ----------
    result
        The solved result.
    baseline
        The direct baseline (:func:`direct_baseline`), or None.

    Returns
    -------
    dict
        status, hubs_opened (text), hubs_opened_count, delivered_t, demand_t,
        unmet_t, total_cost, cost_per_t (total cost per delivered tonne, fixed costs
        included), baseline_cost_per_t, saving_per_t, saving_total, co2_t,
        baseline_co2_t, co2_change_t, currency. Figures that do not apply are NaN.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.report import key_figures
    >>> figures = key_figures(hubopt.solve(hubopt.datasets.tiny()))
    >>> figures["hubs_opened_count"], figures["cost_per_t"]
    (2, 5.7)
    """
    hubs = result.hubs
    opened = hubs[hubs["open"]]
    markets = result.markets
    solved = result.status in ("optimal", "feasible")
    total = result.costs.total if solved else math.nan
    per_t = cost_per_t(result)
    base_per_t = cost_per_t(baseline)
    base_total = baseline.costs.total if baseline is not None else math.nan
    co2, base_co2 = co2_t(result), co2_t(baseline)
    return {
        "network": result.network.name,
        "status": result.status,
        "hubs_opened": "; ".join(
            f"{r.name} ({r.level}, {r.throughput_t:,.0f} t)"
            for r in opened.itertuples()
        )
        or "none",
        "hubs_opened_count": len(opened),
        "demand_t": float(markets["demand_t"].sum()),
        "delivered_t": delivered_t(result) if solved else math.nan,
        "unmet_t": float(markets["unmet_t"].sum()) if solved else math.nan,
        "total_cost": total,
        "cost_per_t": per_t,
        "baseline_cost_per_t": base_per_t,
        "saving_per_t": base_per_t - per_t,
        "saving_total": base_total - total,
        "co2_t": co2,
        "baseline_co2_t": base_co2,
        "co2_change_t": co2 - base_co2,
        "currency": currency_of(result),
    }


def market_table(result: Result, baseline: Result | None = None) -> pd.DataFrame:
    """One row per market: demand, served, serving hub, landed cost, and the direct
    baseline's landed cost and the saving per tonne.

    Parameters
    ----------
    result
        The solved result.
    baseline
        The direct baseline, or None.

    Returns
    -------
    pandas.DataFrame
        destination, name, demand_t, served_t, unmet_t, served_via,
        landed_cost_per_t, baseline_landed_cost_per_t, saving_per_t, transit_days
        (tonne-weighted) and co2_t.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.report import market_table
    >>> market_table(hubopt.solve(hubopt.datasets.tiny()))["served_via"].tolist()
    ['West port', 'West port, Central port', 'Central port']
    """
    markets = result.markets
    hub_names = result.hubs.set_index("hub_id")["name"]
    out = markets[["destination", "name", "demand_t", "served_t", "unmet_t"]].copy()
    serving = markets["serving_hubs"].fillna("").astype(str)

    def via(row_hubs: str, direct_t: float) -> str:
        names = [str(hub_names.get(h, h)) for h in row_hubs.split(";") if h]
        if direct_t > EPS:
            names.append("direct")
        return ", ".join(names) or "-"

    out["served_via"] = [
        via(h, d) for h, d in zip(serving, markets["direct_t"].fillna(0), strict=True)
    ]
    out["landed_cost_per_t"] = markets["landed_cost_per_t"]
    if baseline is not None:
        base = baseline.markets.set_index("destination")["landed_cost_per_t"]
        out["baseline_landed_cost_per_t"] = out["destination"].map(base)
    else:
        out["baseline_landed_cost_per_t"] = np.nan
    out["saving_per_t"] = out["baseline_landed_cost_per_t"] - out["landed_cost_per_t"]
    paths = result.paths
    if len(paths):
        paths = paths.assign(w_days=paths["tonnes"] * paths["transit_days"])
        grouped = paths.groupby("destination")[["w_days", "tonnes", "co2_t"]].sum()
        out["transit_days"] = out["destination"].map(
            grouped["w_days"] / grouped["tonnes"].where(grouped["tonnes"] > EPS)
        )
        out["co2_t"] = out["destination"].map(grouped["co2_t"])
    else:
        out["transit_days"] = np.nan
        out["co2_t"] = np.nan
    return out.reset_index(drop=True)


# ------------------------------------------------------------------------------------
# sources and assumptions
# ------------------------------------------------------------------------------------
def _readme_section(text: str, heading: str) -> list[str]:
    """The bullet points under a '## heading' of a markdown file."""
    match = re.search(
        rf"^## {re.escape(heading)}[^\n]*$(.*?)(?=^## |\Z)", text, re.S | re.M
    )
    if not match:
        return []
    bullets: list[str] = []
    for line in match.group(1).splitlines():
        if line.startswith(("* ", "- ")):
            bullets.append(line[2:].strip())
        elif line.startswith("  ") and bullets:
            bullets[-1] += " " + line.strip()
    return bullets


def _markdown_inline(text: str) -> str:
    out = html.escape(text)
    out = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", out)
    out = re.sub(r"`(.+?)`", r"<code>\1</code>", out)
    return out


def data_sources(result: Result) -> dict[str, list[str]]:
    """Sources, licences and known gaps to print in the brief.

    For a bundled network they come from its README (data/README.md); for any network
    the map and library licences are added, and the rows of low or unverified
    confidence are counted from the tables' ``confidence`` columns.

    Returns
    -------
    dict
        "licences", "gaps" and "confidence": lists of plain-text lines (inline
        markdown allowed).

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.report import data_sources
    >>> sources = data_sources(hubopt.solve(hubopt.datasets.tiny()))
    >>> sources["licences"][0]
    'The tiny network is made up; no figure in it is real.'
    """

    net = result.network
    licences: list[str] = []
    gaps: list[str] = []
    base_name = net.name.split(" (")[0]
    if base_name in datasets.DATASETS:
        root = datasets.data_root()
        readme = (
            root / "README.md" if base_name != "tiny" else root / "tiny" / "README.md"
        )
        if readme.is_file():
            text = readme.read_text(encoding="utf-8")
            licences += _readme_section(text, "Licences and attribution")
            gaps += _readme_section(text, "Known gaps")
            if base_name == "tiny":
                licences.append("The tiny network is made up; no figure in it is real.")
    else:
        licences.append(
            "The network's own tables: see their source columns for each figure."
        )
    licences += [
        "Basemap: Natural Earth 1:110m admin-0 countries, public domain "
        "(naturalearthdata.com).",
        "Interactive map: Leaflet 1.9.4, BSD 2-Clause licence, inlined in the page; "
        "drawn with folium (MIT).",
        "Model and maps: hubopt (MIT licence), solved with "
        + (
            "HiGHS (MIT licence)."
            if result.solver == "highs"
            else f"{result.solver} (see its licence)."
        ),
    ]
    confidence: list[str] = []
    for table in ("origins", "hubs", "hub_levels", "destinations", "legs"):
        frame = net.table(table)
        if "confidence" not in frame.columns:
            continue
        levels = frame["confidence"].fillna("").astype(str).str.upper()
        weak = int(levels.isin(["L", "UNVERIFIED"]).sum())
        confidence.append(
            f"{table}: {weak} of {len(frame)} rows of low (L) or UNVERIFIED confidence"
        )
    return {"licences": licences, "gaps": gaps, "confidence": confidence}


def assumptions(result: Result) -> list[str]:
    """The modelling assumptions behind the figures, read from the network and the
    solve options.

    Examples
    --------
    >>> import hubopt
    >>> import textwrap
    >>> from hubopt.report import assumptions
    >>> first = assumptions(hubopt.solve(hubopt.datasets.tiny()))[0]
    >>> print(textwrap.fill(first, 72))
    Demand: 200 t a year over 3 markets; 1 market(s) may be left short at a
    penalty per tonne.
    """
    net = result.network
    currency = currency_of(result)
    money = f"{currency} " if currency else ""
    hubs = net.hubs
    dests = net.destinations
    origins = net.origins
    lines = []
    penalty = dests.get("unmet_penalty_per_t")
    short = int(penalty.notna().sum()) if penalty is not None else 0
    lines.append(
        f"Demand: {dests['demand_t'].sum():,.0f} t a year over {len(dests)} markets; "
        + (
            "every tonne must be delivered."
            if short == 0
            else f"{short} market(s) may be left short at a penalty per tonne."
        )
    )
    handling = hubs["handling_cost_per_t"].fillna(0)
    lines.append(
        f"Hub handling: {money}{handling.min():,.2f}"
        + (
            f" to {money}{handling.max():,.2f}"
            if handling.max() > handling.min()
            else ""
        )
        + " per tonne through a hub; a hub's fixed cost is its annualised cost per "
        "year at the chosen size (hub_levels)."
    )
    closed = hubs.loc[hubs["status"] == "closed", "name"].tolist()
    if closed:
        lines.append(f"Hubs ruled out by their status 'closed': {', '.join(closed)}.")
    if float(origins["cost_per_t"].fillna(0).abs().sum()) == 0:
        lines.append(
            "Costs exclude the price of the goods at the origin (origin cost_per_t is "
            "zero): they are logistics costs from origin to the market's port."
        )
    price = result.options.model.carbon_price_per_t_co2
    lines.append(
        f"Carbon price: {money}{price:,.2f} per tonne of CO2 in the objective."
        if price
        else "No carbon price in the objective; CO2 is reported, not costed."
    )
    bounds = [
        f"{k.replace('_', ' ')} = {getattr(result.options.model, k)}"
        for k in ("min_hubs", "max_hubs")
        if getattr(result.options.model, k) is not None
    ]
    if bounds:
        lines.append("Hub count bounds: " + ", ".join(bounds) + ".")
    lines.append(
        "Direct baseline: the same network solved with every hub closed, so only the "
        "direct legs serve the markets; same solver and options."
    )
    status = f"Solver {result.solver}: {result.status}"
    if result.status == "feasible" and result.gap is not None:
        status += f", not proven optimal (gap {result.gap:.2%})"
    lines.append(status + f", {result.runtime_s:.2f} s.")
    return lines


# ------------------------------------------------------------------------------------
# the pack
# ------------------------------------------------------------------------------------
def _fmt_money(value: float, currency: str, digits: int = 2) -> str:
    """A sum as the brief writes it: HTML space, "–" when missing, no "-0.00"."""
    return _format.money(
        value, currency, digits, space="&nbsp;", missing="–", signed_zero=False
    )


def _fmt_t(value: float) -> str:
    """Tonnes as the brief writes them: HTML space, "–" when missing."""
    return _format.tonnes(value, space="&nbsp;", missing="–")


def headline(figures: dict[str, Any], baseline_available: bool) -> str:
    """The answer in one sentence (plain text).

    Examples
    --------
    >>> import textwrap
    >>> import hubopt
    >>> from hubopt.report import headline, key_figures
    >>> result = hubopt.solve(hubopt.datasets.tiny())
    >>> text = headline(key_figures(result), baseline_available=False)
    >>> print(textwrap.fill(text, 72))
    Open West port (base, 100 t); Central port (base, 100 t): 5.70 per tonne
    delivered (no direct-only baseline: some markets need a hub).
    """
    currency = figures["currency"]
    money = f"{currency} " if currency else ""
    if figures["status"] not in ("optimal", "feasible"):
        return f"No answer: the solver found no solution ({figures['status']})."
    per_t = f"{money}{figures['cost_per_t']:,.2f}"
    if figures["hubs_opened_count"] == 0:
        return (
            f"No hub pays for itself: every market is cheapest served directly, at "
            f"{per_t} per tonne on average."
        )
    text = f"Open {figures['hubs_opened']}: {per_t} per tonne delivered"
    if not baseline_available:
        return text + " (no direct-only baseline: some markets need a hub)."
    saving = figures["saving_per_t"]
    base = f"{money}{figures['baseline_cost_per_t']:,.2f}"
    if saving >= 0:
        return (
            text + f" against {base} shipping direct, a saving of {money}{saving:,.2f} "
            f"per tonne ({money}{figures['saving_total']:,.0f} a year)."
        )
    return (
        text + f", {money}{-saving:,.2f} per tonne more than the {base} of shipping "
        "direct (the hubs are imposed by the options, not chosen on cost)."
    )


def _table_html(
    frame: pd.DataFrame, formats: dict[str, Any], text: tuple[str, ...] = ()
) -> str:
    """An HTML table; columns named in ``text`` align left, the others right."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in formats)
    rows = []
    for _, row in frame.iterrows():
        cells = []
        for column, fmt in formats.items():
            align = "" if column in text else "num"
            cells.append(f"<td class='{align}'>{fmt(row)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


_CSS = """
body{font:14px/1.45 -apple-system,'Segoe UI',Roboto,'DejaVu Sans',Arial,sans-serif;
color:#1d1d1d;max-width:1000px;margin:24px auto;padding:0 20px;}
h1{font-size:24px;margin:0 0 4px}h2{font-size:17px;margin:26px 0 8px;
border-bottom:1px solid #ccc;padding-bottom:3px}
.headline{font-size:18px;background:#f4f7fb;border-left:5px solid #0072B2;
padding:10px 14px;margin:14px 0}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));
gap:10px;margin:10px 0}.figure{border:1px solid #ddd;border-radius:4px;padding:8px 10px}
.figure .value{font-size:20px;font-weight:600}.figure .label{font-size:12px;color:#555}
table{border-collapse:collapse;width:100%;font-size:12.5px}
th,td{border-bottom:1px solid #e3e3e3;padding:4px 6px;text-align:left;
vertical-align:top}
th{background:#f2f2f2}td.num{text-align:right;white-space:nowrap}
img.map{width:100%;border:1px solid #ccc}.small{font-size:12px;color:#555}
ul{padding-left:20px}li{margin:3px 0}
@media print{body{margin:0;max-width:none}}
"""


def _cards_html(figures: dict[str, Any], currency: str) -> str:
    """The key-figure cards: hubs, tonnes, cost and saving per tonne, CO2."""
    co2_change = figures["co2_change_t"]
    cards = [
        (
            str(figures["hubs_opened_count"]),
            "hubs opened" if figures["hubs_opened_count"] != 1 else "hub opened",
        ),
        (_fmt_t(figures["delivered_t"]), f"delivered of {_fmt_t(figures['demand_t'])}"),
        (
            _fmt_money(figures["cost_per_t"], currency),
            "per tonne delivered, all costs",
        ),
        (
            _fmt_money(figures["baseline_cost_per_t"], currency),
            "per tonne, direct baseline (no hub)",
        ),
        (
            _fmt_money(figures["saving_per_t"], currency),
            "saving per tonne against the baseline",
        ),
        (
            _fmt_money(figures["saving_total"], currency, 0),
            "saving a year against the baseline",
        ),
        (_fmt_t(figures["co2_t"]) + " CO2", "emitted a year"),
        (
            (("+" if co2_change > 0 else "") + _fmt_t(co2_change))
            if np.isfinite(co2_change)
            else "–",
            "CO2 against the baseline",
        ),
    ]
    return "".join(
        f"<div class='figure'><div class='value'>{v}</div>"
        f"<div class='label'>{label}</div></div>"
        for v, label in cards
    )


def _hubs_html(opened: pd.DataFrame, unit_note: str) -> str:
    """The table of opened hubs (``unit_note`` is the currency note of the headers)."""
    if not len(opened):
        return "<p>No hub is opened: direct shipping is cheapest.</p>"
    esc = html.escape
    return _table_html(
        opened,
        {
            "hub": lambda r: esc(str(r["name"])),
            "size": lambda r: esc(str(r["level"])),
            "capacity": lambda r: _fmt_t(r["capacity_t"]),
            "tonnes through": lambda r: _fmt_t(r["throughput_t"]),
            "utilisation": lambda r: (
                f"{r['utilisation']:.0%}" if np.isfinite(r["utilisation"]) else "–"
            ),
            f"fixed cost a year{unit_note}": lambda r: _fmt_money(
                r["fixed_cost"], "", 0
            ),
            f"handling a year{unit_note}": lambda r: _fmt_money(
                r["handling_cost"], "", 0
            ),
        },
        text=("hub", "size"),
    )


def _markets_html(markets: pd.DataFrame, unit_note: str) -> str:
    """The table of markets (:func:`market_table`)."""
    esc = html.escape
    return _table_html(
        markets,
        {
            "market": lambda r: esc(str(r["name"])),
            "demand": lambda r: _fmt_t(r["demand_t"]),
            "served": lambda r: _fmt_t(r["served_t"]),
            "served via": lambda r: esc(str(r["served_via"])),
            f"landed cost per t{unit_note}": lambda r: _fmt_money(
                r["landed_cost_per_t"], ""
            ),
            f"direct baseline per t{unit_note}": lambda r: _fmt_money(
                r["baseline_landed_cost_per_t"], ""
            ),
            f"saving per t{unit_note}": lambda r: _fmt_money(r["saving_per_t"], ""),
            "transit days": lambda r: (
                f"{r['transit_days']:.1f}" if np.isfinite(r["transit_days"]) else "–"
            ),
            "CO2": lambda r: _fmt_t(r["co2_t"]),
        },
        text=("market", "served via"),
    )


def _cost_rows(result: Result, currency: str) -> str:
    """The rows of the annual cost table: each non-zero cost and the total."""
    costs = result.costs.as_dict() if result.status in ("optimal", "feasible") else {}
    return "".join(
        f"<tr><td>{html.escape(k)}</td>"
        f"<td class='num'>{_fmt_money(v, currency, 0)}</td></tr>"
        for k, v in costs.items()
        if v or k == "total"
    )


def _lists_html(result: Result) -> str:
    """Assumptions, sources and licences, confidence and known gaps, as lists."""
    sources = data_sources(result)
    lists = {
        "Assumptions": assumptions(result),
        "Data sources and licences": sources["licences"],
        "Confidence of the input data": sources["confidence"],
        "Known gaps in the data": sources["gaps"],
    }
    return "".join(
        f"<h2>{html.escape(name)}</h2><ul>"
        + "".join(f"<li>{_markdown_inline(item)}</li>" for item in items)
        + "</ul>"
        for name, items in lists.items()
        if items
    )


def _brief_html(
    result: Result,
    baseline: Result | None,
    figures: dict[str, Any],
    markets: pd.DataFrame,
    map_png: bytes,
    title: str | None,
    single_hub: str = "",
) -> str:
    """The page ``brief.html``: every text from data escaped, the map inlined."""
    currency = figures["currency"]
    esc = html.escape
    unit_note = f" ({currency})" if currency else ""
    hubs = result.hubs
    cards_html = _cards_html(figures, currency)
    hubs_html = _hubs_html(hubs[hubs["open"]], unit_note)
    market_html = _markets_html(markets, unit_note)
    cost_rows = _cost_rows(result, currency)
    lists_html = _lists_html(result)
    image = base64.b64encode(map_png).decode("ascii")
    heading = title or f"Hub siting brief: {result.network.name}"
    baseline_note = (
        ""
        if baseline is not None
        else "<p class='small'>No direct baseline: the network cannot serve every "
        "market without a hub, so savings are not shown.</p>"
    )
    files = ", ".join(f"<code>{f}</code>" for f in PACK_FILES if f != "brief.html")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(heading)}</title><style>{_CSS}</style></head>
<body>
<h1>{esc(heading)}</h1>
<div class="small">hubopt {esc(__version__)} · solver {esc(str(result.solver))} ·
status {esc(result.status)}</div>
<p class="headline" id="headline">{esc(headline(figures, baseline is not None))}</p>
{f'<p id="single-hub">{esc(single_hub)}</p>' if single_hub else ""}
<h2>Key figures</h2>
<div class="figures">{cards_html}</div>{baseline_note}
<h2>Map</h2>
<img class="map" id="map" alt="map of the hubs, markets and flows"
src="data:image/png;base64,{image}">
<p class="small">Interactive version: <a href="interactive_map.html">
interactive_map.html</a> (works offline).</p>
<h2>Hubs opened</h2>{hubs_html}
<h2>Markets</h2>{market_html}
<h2>Annual cost</h2><table><tbody>{cost_rows}</tbody></table>
{lists_html}
<p class="small">Files in this pack: {files}.</p>
</body></html>
"""


def write_brief(
    result: Result,
    out_dir: str | os.PathLike[str],
    *,
    baseline: Result | None = None,
    single_hub: Result | None = None,
    overwrite: bool = False,
    title: str | None = None,
    extent: tuple[float, float, float, float] | None = DEFAULT_EXTENT,
    guard_formulas: bool = True,
    interrupted: bool = False,
) -> Path:
    """Write the briefing pack for a result into a folder.

    Nothing here solves: the comparisons the brief shows are handed in, computed by
    :func:`hubopt.decisions.comparisons` (:func:`hubopt.brief` does both). The pack
    is written all-or-nothing (:mod:`hubopt.outputs`): built in a temporary sibling
    folder and swapped in, replacing only the files of an earlier hubopt run.

    Parameters
    ----------
    result
        The solved result.
    out_dir
        The folder; created when missing.
    baseline
        The direct baseline (:func:`hubopt.decisions.direct_baseline`); None leaves
        it out.
    single_hub
        The best single hub when no hub opens
        (:func:`hubopt.decisions.best_single_hub`); None leaves it out.
    overwrite
        Replace the files of an earlier pack; without it they are an error.
    title
        The brief's heading.
    extent
        The map frame, as in :func:`hubopt.maps.static_map`.
    guard_formulas
        Prefix ``'`` to CSV text cells a spreadsheet would run as a formula.
    interrupted
        The run was stopped (Ctrl-C) before the comparisons were solved; the brief
        says so. An interrupted ``result`` says so by itself.

    Returns
    -------
    pathlib.Path
        The path of ``brief.html``.

    Raises
    ------
    ValidationError
        When ``out_dir`` is a file, or holds files of an earlier run and
        ``overwrite`` is False.
    OutputError
        The pack could not be written; the folder is as it was.

    Examples
    --------
    >>> import hubopt, tempfile
    >>> from hubopt.report import write_brief
    >>> result = hubopt.solve(hubopt.datasets.tiny())
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     page = write_brief(result, folder, overwrite=True)
    ...     sorted(p.name for p in page.parent.iterdir())[:3]
    ['.hubopt.json', 'brief.html', 'flows.csv']
    """
    folder = check_target(out_dir, overwrite=overwrite, names=PACK_FILES)
    _write_pack(
        result,
        folder,
        baseline,
        single_hub,
        overwrite=overwrite,
        title=title,
        extent=extent,
        guard_formulas=guard_formulas,
        interrupted=interrupted or result.interrupted,
    )
    return folder / "brief.html"


def _write_pack(
    result: Result,
    folder: Path,
    base: Result | None,
    forced: Result | None,
    *,
    overwrite: bool,
    title: str | None,
    extent: tuple[float, float, float, float] | None,
    guard_formulas: bool,
    interrupted: bool,
) -> None:

    figures = key_figures(result, base)
    markets = market_table(result, base)
    single = single_hub_sentence(result, forced) if forced is not None else ""
    if interrupted:
        single = (single + " " if single else "") + (
            "The run was interrupted (Ctrl-C): this is the best solution found by "
            "then" + ("" if base is not None else ", without the direct baseline") + "."
        )
    with output_folder(folder, overwrite=overwrite) as staging:
        fig = maps.static_map(result, staging / "map.png", extent=extent)
        fig.savefig(staging / "map.pdf", bbox_inches="tight", facecolor="white")
        webmap.interactive_map(result, staging / "interactive_map.html", extent=extent)
        result.write_tables(staging, guard_formulas=guard_formulas)
        write_csv_atomic(
            pd.DataFrame([figures]),
            staging / "key_figures.csv",
            guard_formulas=guard_formulas,
        )
        write_csv_atomic(
            markets, staging / "market_comparison.csv", guard_formulas=guard_formulas
        )
        _write_geopackage(result, staging / "results.gpkg")
        page = _brief_html(
            result,
            base,
            figures,
            markets,
            (staging / "map.png").read_bytes(),
            title,
            single,
        )
        write_text_atomic(page, staging / "brief.html")


def _write_geopackage(result: Result, path: Path) -> None:
    """Origins, hubs, markets and flows as layers of one GeoPackage, written to a
    temporary file renamed into place (no half-written GeoPackage)."""

    with atomic_target(path) as tmp:
        _write_layers(result, tmp)
        if not tmp.exists():  # no layer to write: no stale GeoPackage either
            path.unlink(missing_ok=True)


def _write_layers(result: Result, path: Path) -> None:
    for name, frame in result.to_geodataframes().items():
        frame = frame.copy()
        for column in frame.columns:
            if column != "geometry" and frame[column].dtype == object:
                frame[column] = frame[column].map(
                    lambda v: v if v is None or isinstance(v, str) else str(v)
                )
        if frame.empty:
            continue
        frame.to_file(path, layer=name, driver="GPKG")
