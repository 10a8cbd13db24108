"""The briefing pack: one folder with the answer, the maps and the tables behind them.

:func:`write_brief` (also :func:`hubopt.brief` and ``hubopt brief``) writes

* ``brief.html``: a two-page note (print styles for A4 and US Letter): title, author,
  date and data version; the headline answer with its data caveat beside it and a
  plain-language solver status; the map with the key figures, the export corridors
  and transit countries, and the break-even values of the main drivers; a ranked
  table of every candidate port; a table per market; the assumptions and the data
  sources with their licences; the technical solver line in the footer;
* ``map.png`` (300 dpi) and ``map.pdf``: the static map; ``interactive_map.html``;
* ``summary.json``, ``flows.csv``, ``hubs.csv``, ``markets.csv``, ``paths.csv``
  (:meth:`Result.write`), ``key_figures.csv``, ``market_comparison.csv``,
  ``candidate_ranking.csv``, ``corridor_mix.csv``, ``break_even.csv`` (rounded by
  :func:`hubopt._tables.rounded`; the ranking and the break-even table only when
  they were computed: neither for a multi-period result);
* ``results.gpkg``: origins, hubs, markets and flows (along their routes) as layers.

The direct baseline is the same network solved again with every hub closed (status
"closed"), so that only direct legs serve the markets: what the trade costs without a
hub. Nothing here solves: the baseline, the best single hub, the candidate ranking
and the break-even values are computed in the decision layer
(:func:`hubopt.decisions.comparisons`, :mod:`hubopt.breakeven`) and handed in.

>>> import hubopt, tempfile
>>> from hubopt.report import key_figures
>>> result = hubopt.solve(hubopt.datasets.tiny())
>>> key_figures(result)["hubs_opened"]
'West port (base, 100 t); Central port (base, 100 t)'
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import html
import math
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd
import shapely

from . import _format, charts, datasets, maps, period_charts, webmap
from ._format import EPS, co2_t, cost_per_t, currency_of, delivered_t, percent, short
from ._tables import rounded
from ._version import __version__
from .breakeven import DRIVER_LABELS
from .errors import ValidationError
from .io import atomic_target, write_csv_atomic, write_text_atomic
from .maps import DEFAULT_EXTENT
from .outputs import check_target, output_folder

if TYPE_CHECKING:  # pragma: no cover
    from .breakeven import BreakEven
    from .network import Network
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
    "candidate_ranking.csv",
    "corridor_mix.csv",
    "break_even.csv",
    "results.gpkg",
)

#: Files a briefing pack also holds when it is given an uncertainty analysis with
#: its tornado and regret tables (:class:`UncertaintySummary`).
UNCERTAINTY_FILES = (
    "tornado.png",
    "saving_distribution.png",
    "tornado.csv",
    "saving_distribution.csv",
)

#: The files a pack of a multi-period result adds (the stock and cover charts and
#: the per-period tables of :meth:`hubopt.result.Result.write`).
PERIOD_PACK_FILES = (
    "stock.png",
    "cover.png",
    "period_flows.csv",
    "stock.csv",
    "cover.csv",
)

#: Paper sizes of the print styles (``paper`` of :func:`write_brief`).
PAPERS = {"a4": "A4", "letter": "letter"}

#: Candidates whose plans cost within this share of the optimum's cost per tonne
#: of each other are called a near tie (0.1 %: USD 0.08 on USD 76 per tonne).
NEAR_TIE_SHARE = 0.001


class UncertaintySummary(Protocol):
    """What the brief needs from an uncertainty analysis
    (:class:`hubopt.uncertainty.UncertaintyResult` is one): a one-sentence headline
    stating its probabilities, e.g. "In 78 % of 500 draws no hub pays; Tanger Med is
    the cheapest single hub in 64 %", as an attribute or a method. Passed as
    ``uncertainty`` to :func:`write_brief`, it replaces the single-figure headline,
    which moves under it. A plain string works too. An object that also has a
    ``tornado`` table (:func:`hubopt.uncertainty.tornado_table`) and a ``regret``
    table (:attr:`hubopt.uncertainty.UncertaintyResult.regret`) gets the tornado
    chart with the break-even values of the inputs that change the decision and
    the chart of the saving distribution per candidate portfolio
    (:mod:`hubopt.charts`), on the brief's second page."""

    headline: str | Callable[[], str]


# ------------------------------------------------------------------------------------
# figures
# ------------------------------------------------------------------------------------
def single_hub_sentence(result: Result, forced: Result) -> str:
    """One sentence on the best single hub against the optimum (plain text): its
    level, capacity and use, the markets it serves, and what it costs more, in
    total, per tonne through the hub, and spread over every tonne delivered.

    Examples
    --------
    >>> import textwrap
    >>> import hubopt
    >>> from hubopt.report import single_hub_sentence
    >>> net = hubopt.datasets.tiny()
    >>> best, one = hubopt.solve(net), hubopt.solve(net, max_hubs=1)
    >>> print(textwrap.fill(single_hub_sentence(best, one), 72))
    If one hub must be built, the cheapest site is Central port at level
    base (capacity 200 t, 120 t a year through it, 60 % used; serving Market
    B, Market C): 320 a year more than the optimum, 2.67 per tonne through
    the hub (1.60 per tonne over all 200 t delivered).
    """
    currency = currency_of(result)
    opened = forced.hubs[forced.hubs["open"]].iloc[0]
    paths = forced.paths
    served = paths.loc[
        (paths["hub"] == opened["hub_id"]) & (paths["tonnes"] > EPS), "destination"
    ].unique()
    names = forced.markets.set_index("destination").loc[list(served), "name"]
    extra_total = forced.costs.total - result.costs.total
    through = float(opened["throughput_t"])
    extra = cost_per_t(forced) - cost_per_t(result)
    capacity = (
        f"capacity {_format.tonnes(opened['capacity_t'])}, "
        if math.isfinite(opened["capacity_t"]) and opened["capacity_t"] > 0
        else ""
    )
    used = (
        f", {percent(opened['utilisation'])} used"
        if math.isfinite(opened["utilisation"])
        else ""
    )
    per_hub_t = (
        f", {_format.money(extra_total / through, currency)} per tonne through the hub"
        if through > EPS
        else ", and the plan routes nothing through it"
    )
    return (
        f"If one hub must be built, the cheapest site is {opened['name']} at level "
        f"{opened['level']} ({capacity}{_format.tonnes(through)} a year through "
        f"it{used}; serving {', '.join(short(n) for n in names) or 'no market'}): "
        f"{_format.money(extra_total, currency, 0)} a year more than the optimum"
        f"{per_hub_t} ({_format.money(extra, currency)} per tonne over all "
        f"{_format.tonnes(delivered_t(forced))} delivered)."
    )


def status_sentence(result: Result) -> str:
    """What the solver's status means for the reader, without jargon.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.report import status_sentence
    >>> status_sentence(hubopt.solve(hubopt.datasets.tiny()))
    'The solver proved this is the cheapest plan (gap 0 %).'
    """
    gap = result.gap
    if result.status == "optimal":
        return (
            "The solver proved this is the cheapest plan (gap "
            f"{percent(gap if gap is not None and math.isfinite(gap) else 0.0)})."
        )
    if result.status == "feasible":
        if gap is not None and math.isfinite(gap):
            return (
                "Best plan found in the time allowed; it could be up to "
                f"{percent(gap)} above the cheapest."
            )
        return (
            "Best plan found in the time allowed; how far it is from the cheapest "
            "is not known."
        )
    return f"The solver found no plan ({result.status})."


def technical_line(result: Result) -> str:
    """The solver's own record of the solve, for the footer.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.report import technical_line
    >>> technical_line(hubopt.solve(hubopt.datasets.tiny())).split(", ")[1:3]
    ['solver highs', 'status optimal (proven)']
    """
    gap = result.gap
    text = f"hubopt {__version__}, solver {result.solver}, status {result.status}" + (
        " (proven)" if result.status == "optimal" else " (not proven)"
    )
    if gap is not None and math.isfinite(gap):
        text += f", relative gap {gap:.4%}"
    if result.best_bound is not None and math.isfinite(result.best_bound):
        text += f", bound {result.best_bound:,.2f}"
    return text + f", {result.runtime_s:.2f} s"


def short_answer(
    result: Result, baseline: Result | None, single_hub: Result | None = None
) -> str:
    """The few lines the command line prints: the headline, hubs and tonnes, cost
    per tonne against the direct baseline, CO2, the best single hub when none
    opens (``single_hub``, from :func:`hubopt.decisions.best_single_hub`) and what
    the solver's status means.

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
    if figures["contestable"]:
        lines.append("  " + _contestable_tonnes_line(figures))
    else:
        lines.append(_delivered_line(figures, baseline is not None))
    for hub in result.hubs[result.hubs["open"]].itertuples():
        lines.append(
            f"  hub {hub.name}: level {hub.level}, {_format.tonnes(hub.throughput_t)}"
            f" a year ({percent(hub.utilisation)} of capacity)"
            if math.isfinite(hub.utilisation)
            else f"  hub {hub.name}: {_format.tonnes(hub.throughput_t)} a year"
        )
    if single_hub is not None:
        lines.append("  " + single_hub_sentence(result, single_hub))
    lines.append("  " + status_sentence(result))
    return "\n".join(lines)


def _delivered_line(figures: dict[str, Any], with_baseline: bool) -> str:
    """The command line's tonnes and cost line when every market must be served."""
    currency = figures["currency"]
    base = figures["baseline_cost_per_t"]
    return (
        f"  delivered {_format.tonnes(figures['delivered_t'])} of "
        f"{_format.tonnes(figures['demand_t'])};"
        f" {_format.money(figures['cost_per_t'], currency)} per tonne all-in"
        + (
            f" vs {_format.money(base, currency)} by direct routes"
            if with_baseline and np.isfinite(base)
            else ""
        )
        + f"; {_format.co2(figures['co2_t'])} a year"
    )


def _contestable_tonnes_line(figures: dict[str, Any]) -> str:
    """Tonnes won and lost when markets may buy elsewhere (plain text): per tonne
    figures of plans that win different tonnes do not compare, so the headline
    gives what direct routes alone would win in tonnes.

    Examples
    --------
    >>> from hubopt.report import _contestable_tonnes_line
    >>> figures = {"delivered_t": 360_000.0, "demand_t": 55_379_840.0,
    ...     "markets_won_count": 1, "markets_count": 24, "lost_t": 55_019_840.0,
    ...     "cost_per_t": 300.24, "currency": "USD", "co2_t": 56_000.0}
    >>> print(_contestable_tonnes_line(figures))  # doctest: +NORMALIZE_WHITESPACE
    won 360 kt of 55.38 Mt (1 of 24 markets), USD 300.24 per tonne delivered,
    all-in; 55.02 Mt bought from the markets' alternative suppliers; 56 kt CO2 a
    year
    """
    currency = figures["currency"]
    won = figures["markets_won_count"]
    text = (
        f"won {_format.tonnes(figures['delivered_t'])} of "
        f"{_format.tonnes(figures['demand_t'])} ({won:.0f} of "
        f"{figures['markets_count']} markets)"
    )
    if figures["delivered_t"] > EPS:
        text += (
            f", {_format.money(figures['cost_per_t'], currency)} per tonne "
            "delivered, all-in"
        )
    lost = figures["lost_t"]
    if np.isfinite(lost) and lost > EPS:
        text += (
            f"; {_format.tonnes(lost)} bought from the markets' alternative suppliers"
        )
    return text + f"; {_format.co2(figures['co2_t'])} a year"


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
        baseline_co2_t, co2_change_t, currency; for markets that may buy elsewhere
        (``alternative_cost_per_t``) contestable, lost_t (tonnes bought from the
        markets' alternative suppliers), won_markets, markets_won_count,
        markets_count and baseline_delivered_t (what direct routes alone win).
        Figures that do not apply are NaN.

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
    alternative = result.network.destinations.get("alternative_cost_per_t")
    contestable = alternative is not None and bool(alternative.notna().any())
    lost, won = math.nan, []
    if solved and "lost_to_alternative_t" in markets:
        lost = float(markets["lost_to_alternative_t"].fillna(0).sum())
        won = markets.loc[markets["served_t"] > EPS, "name"].astype(str).tolist()
    base_delivered = (
        delivered_t(baseline)
        if baseline is not None and baseline.status in ("optimal", "feasible")
        else math.nan
    )
    return {
        "network": result.network.name,
        "status": result.status,
        "hubs_opened": "; ".join(
            f"{r.name} ({r.level}, {_format.tonnes(r.throughput_t)})"
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
        "contestable": contestable,
        "lost_t": lost,
        "won_markets": won,
        "markets_won_count": len(won) if solved else math.nan,
        "markets_count": len(markets),
        "baseline_delivered_t": base_delivered,
    }


def _routings(result: Result) -> dict[str, tuple]:
    """Each market's paths (origin, hub, legs, tonnes to 1 kg), comparable between
    two solves of networks with the same legs."""
    paths = result.paths
    if not len(paths):
        return {}
    rows = paths.assign(
        hub=paths["hub"].fillna("").astype(str),
        tonnes=paths["tonnes"].round(3),
    )
    rows = rows[rows["tonnes"] > 0]
    return {
        str(market): tuple(
            sorted(
                group[["origin", "hub", "leg_in", "leg_out", "tonnes"]]
                .astype(str)
                .itertuples(index=False, name=None)
            )
        )
        for market, group in rows.groupby("destination", sort=False)
    }


def market_table(result: Result, baseline: Result | None = None) -> pd.DataFrame:
    """One row per market: demand, served, serving hub, landed cost, and the direct
    baseline's landed cost and the saving per tonne.

    A market whose paths and tonnes are the same as in the baseline is marked
    ``routing`` "unchanged" and its saving is exactly 0: a difference there would
    come from the solver's choice among equally cheap plans, not from the hubs.

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
        landed_cost_per_t, baseline_landed_cost_per_t, saving_per_t, routing
        ("unchanged", "changed", or "" without a baseline), transit_days
        (tonne-weighted) and co2_t; with contestable demand also
        lost_to_alternative_t, outcome and the baseline's baseline_outcome.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.report import market_table
    >>> market_table(hubopt.solve(hubopt.datasets.tiny()))["served_via"].tolist()
    ['West port', 'West port, Central port', 'Central port']
    """
    markets = result.markets
    hub_names = result.hubs.set_index("hub_id")["name"]
    columns = ["destination", "name", "demand_t", "served_t", "unmet_t"]
    if markets.get("lost_to_alternative_t", pd.Series(dtype=float)).fillna(0).any():
        columns.append("lost_to_alternative_t")
    out = markets[columns].copy()
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
    if "outcome" in markets:
        out["outcome"] = markets["outcome"]
        if baseline is not None and "outcome" in baseline.markets:
            out["baseline_outcome"] = out["destination"].map(
                baseline.markets.set_index("destination")["outcome"]
            )
    if baseline is not None:
        base = baseline.markets.set_index("destination")["landed_cost_per_t"]
        out["baseline_landed_cost_per_t"] = out["destination"].map(base)
        mine, theirs = _routings(result), _routings(baseline)
        same = [mine.get(str(d)) == theirs.get(str(d)) for d in out["destination"]]
        out["saving_per_t"] = (
            out["baseline_landed_cost_per_t"] - out["landed_cost_per_t"]
        ).where(~np.array(same), 0.0)
        out["routing"] = np.where(same, "unchanged", "changed")
    else:
        out["baseline_landed_cost_per_t"] = np.nan
        out["saving_per_t"] = np.nan
        out["routing"] = ""
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


def corridor_mix(
    result: Result, waypoints: pd.DataFrame | None = None
) -> dict[str, pd.DataFrame]:
    """Tonnes and share through each export corridor and each transit country.

    The export corridor of a tonne is the ``corridor`` of the leg that takes it
    from its origin (direct or to a hub), with the leg's ``export_port``; its
    transit countries are the ``country`` of the waypoints along the corridors its
    ``route`` names (corridors table ``waypoints``, "A > B > C") and of its export
    port. ``waypoints`` (id, name, country) defaults to the bundled network's
    waypoints.csv.

    Returns
    -------
    dict
        "corridors": corridor, export_port, port_name, country, tonnes, share;
        "countries": country, tonnes, share (the share of exported tonnes that
        cross it). Both empty when the legs name no corridor.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.report import corridor_mix
    >>> mix = corridor_mix(hubopt.solve(hubopt.datasets.morocco_kazakhstan()))
    >>> mix["corridors"][["port_name", "country", "share"]].values.tolist()
    [['Novorossiysk', 'Russia', 1.0]]
    >>> mix["countries"][["country", "share"]].values.tolist()
    [['Russia', 1.0]]
    """
    empty = {
        "corridors": pd.DataFrame(
            columns=[
                "corridor",
                "export_port",
                "port_name",
                "country",
                "tonnes",
                "share",
            ]
        ),
        "countries": pd.DataFrame(columns=["country", "tonnes", "share"]),
    }
    flows = result.flows
    legs = result.network.legs
    if not len(flows) or "corridor" not in flows.columns:
        return empty
    export = flows[flows["kind"].isin(["inbound", "direct"]) & (flows["tonnes"] > EPS)]
    if not len(export) or not export["corridor"].fillna("").astype(str).str.len().any():
        return empty
    if waypoints is None:
        waypoints = _bundled_waypoints(result.network)
    names, countries = {}, {}
    if waypoints is not None and "id" in waypoints.columns:
        ids = waypoints["id"].astype(str)
        names = dict(zip(ids, waypoints.get("name", ids).astype(str), strict=True))
        if "country" in waypoints.columns:
            countries = dict(
                zip(ids, waypoints["country"].fillna("").astype(str), strict=True)
            )
    corridor_points: dict[str, list[str]] = {}
    table = result.network.corridors
    if table is not None and "waypoints" in table.columns:
        for cid, text in zip(table["id"], table["waypoints"].fillna(""), strict=True):
            corridor_points[str(cid)] = [p.strip() for p in str(text).split(">")]
    leg_rows = legs.iloc[export["leg"].astype(int).to_numpy()]
    ports = (
        leg_rows["export_port"].fillna("").astype(str).to_numpy()
        if "export_port" in leg_rows.columns
        else np.full(len(export), "")
    )
    routes = (
        leg_rows["route"].fillna("").astype(str).to_numpy()
        if "route" in leg_rows.columns
        else np.full(len(export), "")
    )
    total = float(export["tonnes"].sum())
    home = _origin_countries(result.network)
    by_corridor: dict[tuple[str, str], float] = {}
    by_country: dict[str, float] = {}
    for origin, corridor, port, route, tonnes in zip(
        export["from"].astype(str),
        export["corridor"].fillna("").astype(str),
        ports,
        routes,
        export["tonnes"],
        strict=True,
    ):
        key = (corridor or "(no corridor)", port)
        by_corridor[key] = by_corridor.get(key, 0.0) + float(tonnes)
        points = [port] if port else []
        for part in route.split(";"):
            segment = part.strip().split("@")[0]
            if "/" in segment:
                points += corridor_points.get(segment.split("/", 1)[1], [])
        crossed = {countries[p] for p in points if countries.get(p)}
        crossed.discard(home.get(origin, ""))
        for country in crossed:
            by_country[country] = by_country.get(country, 0.0) + float(tonnes)
    rows = [
        {
            "corridor": corridor,
            "export_port": port,
            "port_name": short(names.get(port, port)) if port else "",
            "country": countries.get(port, ""),
            "tonnes": tonnes,
            "share": tonnes / total,
        }
        for (corridor, port), tonnes in by_corridor.items()
    ]
    corridors = pd.DataFrame(rows, columns=empty["corridors"].columns)
    corridors = corridors.sort_values(["tonnes", "corridor"], ascending=[False, True])
    country_rows = pd.DataFrame(
        [
            {"country": c, "tonnes": t, "share": t / total}
            for c, t in by_country.items()
        ],
        columns=["country", "tonnes", "share"],
    ).sort_values(["tonnes", "country"], ascending=[False, True])
    return {
        "corridors": corridors.reset_index(drop=True),
        "countries": country_rows.reset_index(drop=True),
    }


def _origin_countries(network: Network) -> dict[str, str]:
    """Each origin's country: its ``country`` column, else the Natural Earth
    country its point lies in (the bundled basemap)."""
    origins = network.origins
    ids = origins["id"].astype(str)
    if "country" in origins.columns:
        return dict(zip(ids, origins["country"].fillna("").astype(str), strict=True))
    world = datasets.basemap()
    points = shapely.points(origins["lon"].to_numpy(), origins["lat"].to_numpy())
    out = {}
    for origin, point in zip(ids, points, strict=True):
        inside = world[world.geometry.contains(point)]
        out[origin] = str(inside["name"].iloc[0]) if len(inside) else ""
    return out


def _bundled_waypoints(network: Network) -> pd.DataFrame | None:
    """The waypoints table of a bundled network (id, name, country), or None."""
    base = network.name.split(" (")[0].split(":")[0]
    if base not in datasets.DATASETS:
        return None
    file = datasets.data_root() / base / "waypoints.csv"
    if not file.is_file():
        return None
    return pd.read_csv(file, usecols=lambda c: c in ("id", "name", "country"))


def corridor_sentences(mix: dict[str, pd.DataFrame]) -> list[str]:
    """The corridor mix in words: "100 % (2.50 Mt) through Novorossiysk (Russia)".

    Examples
    --------
    >>> import pandas as pd
    >>> from hubopt.report import corridor_sentences
    >>> mix = {"corridors": pd.DataFrame({"corridor": ["c"], "port_name": ["Poti"],
    ...        "country": ["Georgia"], "tonnes": [5e5], "share": [1.0]}),
    ...        "countries": pd.DataFrame({"country": ["Georgia"], "tonnes": [5e5],
    ...        "share": [1.0]})}
    >>> for line in corridor_sentences(mix):
    ...     print(line)
    100 % (500 kt) through Poti (Georgia).
    Transit countries (beyond the origin's): Georgia 100 %.
    """
    lines = []
    corridors = mix["corridors"]
    if len(corridors):
        parts = []
        for row in corridors.itertuples():
            where = row.port_name or row.corridor
            if row.country:
                where += f" ({row.country})"
            parts.append(
                f"{percent(row.share)} ({_format.tonnes(row.tonnes)}) through {where}"
            )
        lines.append("; ".join(parts) + ".")
    countries = mix["countries"]
    if len(countries):
        lines.append(
            "Transit countries (beyond the origin's): "
            + ", ".join(
                f"{r.country} {percent(r.share)}" for r in countries.itertuples()
            )
            + "."
        )
    return lines


def break_even_sentence(edge: BreakEven, network: Network) -> str:
    """A break-even value in words, e.g. "Freight (every leg's cost per tonne)
    x1.61 or more: the best plan opens Tanger Med (S) instead of no hub."

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.breakeven import BreakEven
    >>> from hubopt.report import break_even_sentence
    >>> edge = BreakEven("demand", 1.0, None, (0.5, 1.0), 0.5, 1.0, (), (), 2)
    >>> print(break_even_sentence(edge, hubopt.datasets.tiny()))
    Demand (of every market) from x0.50 to x1.00: the best plan opens no hub throughout.
    """
    words = _driver_label(edge.driver)
    label = words[:1].upper() + words[1:]
    below = _portfolio_text(edge.portfolio_below, network)
    above = _portfolio_text(edge.portfolio_above, network)
    if edge.value is None:
        return (
            f"{label} from x{edge.low:.2f} to x{edge.high:.2f}: the best plan "
            f"opens {below} throughout."
        )
    lo, hi = edge.bracket
    if edge.base_value <= lo:
        return (
            f"{label} x{hi:.2f} or more: the best plan opens {above} instead of "
            f"{below}."
        )
    if edge.base_value >= hi:
        return (
            f"{label} x{lo:.2f} or less: the best plan opens {below} instead of "
            f"{above}."
        )
    return (
        f"{label}: below x{lo:.2f} the best plan opens {below}, from x{hi:.2f} {above}."
    )


def break_even_lines(edges: Sequence[BreakEven], network: Network) -> list[str]:
    """The break-even values in words: one line per change found
    (:func:`break_even_sentence`), then one line for the drivers whose searches
    found none, their intervals merged.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.breakeven import BreakEven
    >>> from hubopt.report import break_even_lines
    >>> flat = [BreakEven("demand", 1.0, None, (lo, hi), lo, hi, (), (), 2)
    ...         for lo, hi in ((0.5, 1.0), (1.0, 2.0))]
    >>> break_even_lines(flat, hubopt.datasets.tiny())
    ['No change of hubs for demand x0.50 to x2.00.']
    """
    lines = [break_even_sentence(e, network) for e in edges if e.value is not None]
    flat: dict[str, list[tuple[float, float]]] = {}
    for edge in edges:
        if edge.value is None:
            flat.setdefault(edge.driver, []).append((edge.low, edge.high))
    parts = []
    for driver, spans in flat.items():
        merged: list[list[float]] = []
        for lo, hi in sorted(spans):
            if merged and lo <= merged[-1][1] + 1e-12:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        name = _driver_label(driver).split(" (")[0]
        parts.append(
            name + " " + ", ".join(f"x{lo:.2f} to x{hi:.2f}" for lo, hi in merged)
        )
    if parts:
        lines.append("No change of hubs for " + "; ".join(parts) + ".")
    return lines


def _driver_label(driver: str) -> str:
    return DRIVER_LABELS.get(driver, driver.replace("_", " "))


def _portfolio_text(portfolio: Sequence[tuple[str, str]], network: Network) -> str:
    if not portfolio:
        return "no hub"
    names = dict(zip(network.hubs["id"].astype(str), network.hubs["name"], strict=True))
    return ", ".join(f"{names.get(hub, hub)} ({level})" for hub, level in portfolio)


def near_tie_sentence(ranking: pd.DataFrame, result: Result) -> str:
    """A sentence when the cheapest candidates' plans are within
    :data:`NEAR_TIE_SHARE` of the optimum's cost per tonne of each other: on
    cost alone the data cannot tell them apart. Empty otherwise.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.breakeven import candidate_ranking
    >>> from hubopt.report import near_tie_sentence
    >>> result = hubopt.solve(hubopt.datasets.tiny())
    >>> near_tie_sentence(candidate_ranking(result), result)
    ''
    """
    ranked = ranking[ranking["rank"].notna()].sort_values("rank")
    if len(ranked) < 2:
        return ""
    per_t = ranked["extra_cost_per_t_delivered"].to_numpy(dtype=float)
    limit = NEAR_TIE_SHARE * abs(cost_per_t(result))
    close = int(np.sum(per_t - per_t[0] <= limit))
    if close < 2:
        return ""
    currency = currency_of(result)
    spread = per_t[close - 1] - per_t[0]
    names = ranked["name"].astype(str).tolist()[:close]
    return (
        f"{', '.join(names[:-1])} and {names[-1]} are within "
        f"{_format.money(spread, currency)} per tonne delivered of each other: on "
        "cost alone the data cannot tell them apart, and the choice between them "
        "rests on what the model leaves out (berths, existing silos, land, port "
        "agreements) and on the low-confidence costs."
    )


def data_version(network: Network) -> str:
    """The data a brief was computed from: the network's name, the version line of
    its README when it has one (a line starting "Version"), else a short hash of
    its tables (12 hex digits of a SHA-256 over their CSV text, geometry left
    out), and the hubopt version.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.report import data_version
    >>> data_version(hubopt.datasets.tiny())  # doctest: +ELLIPSIS
    'tiny, tables ..., hubopt 0.1.0'
    """
    base = network.name.split(" (")[0]
    line = ""
    if base in datasets.DATASETS:
        root = datasets.data_root()
        readme = root / "README.md" if base != "tiny" else root / "tiny" / "README.md"
        if readme.is_file():
            found = re.search(
                r"^\W*(?:data )?version\W*[:=]?\s*(.+)$",
                readme.read_text(encoding="utf-8"),
                re.I | re.M,
            )
            line = found.group(1).strip() if found else ""
    if not line:
        digest = hashlib.sha256()
        for name in ("origins", "hubs", "hub_levels", "destinations", "legs"):
            frame = network.table(name)
            frame = frame.drop(columns=["geometry"], errors="ignore")
            digest.update(name.encode())
            digest.update(frame.to_csv(index=False).encode("utf-8"))
        line = f"tables {digest.hexdigest()[:12]}"
    return f"{network.name}, {line}, hubopt {__version__}"


def cost_confidence(network: Network) -> dict[str, Any]:
    """How many of the network's cost figures are of low (L) or UNVERIFIED
    confidence, from the ``confidence`` columns of the tables that carry costs:
    legs (cost_per_t), hub_levels (fixed_cost) and hubs (handling_cost_per_t,
    fixed_cost), a row counting once per cost figure it has.

    Returns
    -------
    dict
        weak, total (figures), share (NaN without a confidence column) and
        tables (table -> (weak, total)).

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.report import cost_confidence
    >>> figures = cost_confidence(hubopt.datasets.morocco_kazakhstan())
    >>> figures["weak"], figures["total"], round(figures["share"], 3)
    (695, 703, 0.989)
    """
    columns = {
        "legs": ("cost_per_t",),
        "hub_levels": ("fixed_cost",),
        "hubs": ("handling_cost_per_t", "fixed_cost"),
    }
    weak = total = 0
    tables = {}
    for table, cost_columns in columns.items():
        frame = network.table(table)
        if "confidence" not in frame.columns or not len(frame):
            continue
        low = (
            frame["confidence"]
            .fillna("")
            .astype(str)
            .str.strip()
            .str.upper()
            .isin(["L", "LOW", "UNVERIFIED"])
            .to_numpy()
        )
        has = np.zeros(len(frame), dtype=int)
        for column in cost_columns:
            if column in frame.columns:
                values = pd.to_numeric(frame[column], errors="coerce")
                has += (values.notna() & (values != 0)).to_numpy(dtype=int)
        tables[table] = (int((has * low).sum()), int(has.sum()))
        weak += tables[table][0]
        total += tables[table][1]
    return {
        "weak": weak,
        "total": total,
        "share": weak / total if total else math.nan,
        "tables": tables,
    }


def caveat_text(network: Network) -> str:
    """The caveat printed beside the headline (plain text).

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.report import caveat_text
    >>> print(caveat_text(hubopt.datasets.morocco_kazakhstan()))  # doctest: +ELLIPSIS
    98.9 % of the cost figures (695 of 703) are of low confidence or unverified: ...
    """
    figures = cost_confidence(network)
    if not figures["total"]:
        return (
            "The network's tables carry no confidence column: how firm its cost "
            "figures are is not recorded."
        )
    if not figures["weak"]:
        return (
            f"None of the {figures['total']} cost figures is marked low confidence "
            "or unverified; the answer is as good as their sources."
        )
    return (
        f"{percent(figures['share'])} of the cost figures ({figures['weak']} of "
        f"{figures['total']}) are of low confidence or unverified: read the costs as "
        "orders of magnitude and the ranking as indicative, and check the break-even "
        "values below before acting."
    )


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
            # a README bullet may point at its own text ("listed ... above"),
            # which the brief does not reproduce
            gaps += [
                re.sub(r"\babove\b", "in data/README.md", gap)
                for gap in _readme_section(text, "Known gaps")
            ]
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
    alternative = dests.get("alternative_cost_per_t")
    contestable = int(alternative.notna().sum()) if alternative is not None else 0
    demand = []
    if short:
        demand.append(f"{short} market(s) may be left short at a penalty per tonne")
    if contestable:
        demand.append(
            f"{contestable} market(s) buy elsewhere at their alternative landed "
            "price unless this plan delivers for less"
        )
    programme = result.options.model.programme_t
    if programme:
        demand.append(f"at least {programme:,.0f} t must be delivered in all")
    lines.append(
        f"Demand: {dests['demand_t'].sum():,.0f} t a year over {len(dests)} markets; "
        + ("; ".join(demand) + "." if demand else "every tonne must be delivered.")
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
    if figures.get("contestable"):
        return _contestable_headline(figures, baseline_available, money)
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


def _uncertainty_headline(uncertainty: UncertaintySummary | str | None) -> str | None:
    """The sentence of an uncertainty analysis (its ``headline``, called if it is a
    method), or the string given."""
    if uncertainty is None or isinstance(uncertainty, str):
        return uncertainty
    text = uncertainty.headline
    return str(text() if callable(text) else text)


def _uncertainty_tables(uncertainty: Any) -> dict[str, Any] | None:
    """The tornado and regret tables of an uncertainty analysis, with its draw
    count and its way of naming a portfolio; None when it has neither table."""
    if uncertainty is None or isinstance(uncertainty, str):
        return None
    tornado = getattr(uncertainty, "tornado", None)
    regret = getattr(uncertainty, "regret", None)
    if not isinstance(tornado, pd.DataFrame) or not len(tornado):
        tornado = None
    if not isinstance(regret, pd.DataFrame) or not len(regret):
        regret = None
    if tornado is None and regret is None:
        return None
    draws = getattr(uncertainty, "draws", None)
    label = getattr(uncertainty, "label", None)
    return {
        "tornado": tornado,
        "regret": regret,
        "draws": len(draws) if isinstance(draws, pd.DataFrame) else None,
        "label": label if callable(label) else str,
    }


def uncertainty_break_even_lines(
    tornado: pd.DataFrame, label: Callable[[str], str] = str, top: int = 4
) -> list[str]:
    """One line per input of a tornado table (:func:`hubopt.uncertainty.tornado_table`)
    that changes the best portfolio within its range, the strongest first: where
    it changes (the break-even value found by bisection) and from what to what.

    Examples
    --------
    >>> import pandas as pd
    >>> from hubopt.report import uncertainty_break_even_lines
    >>> uncertainty_break_even_lines(pd.DataFrame({"input": ["sea_freight"],
    ...     "changes_decision": [True], "break_even_value": [1.7342],
    ...     "portfolio_below": ["none"], "portfolio_above": ["H:S"]}))
    ['sea_freight: none below 1.734, H:S above']
    """
    lines = []
    rows = tornado[tornado["changes_decision"].astype(bool)]
    for row in rows.head(top).itertuples(index=False):
        value = row.break_even_value
        if value is None or not np.isfinite(value):
            lines.append(
                f"{row.input}: changes the best portfolio within its range "
                "(no break-even found)"
            )
            continue
        lines.append(
            f"{row.input}: {label(str(row.portfolio_below))} below {value:.4g}, "
            f"{label(str(row.portfolio_above))} above"
        )
    return lines


def _contestable_headline(
    figures: dict[str, Any], baseline_available: bool, money: str
) -> str:
    """The headline when markets may buy from an alternative supplier: how much of
    their demand this plan wins, where, through which hubs, and what a hub saves
    against direct routes (in total: per tonne figures of plans that win different
    tonnes do not compare)."""
    delivered = figures["delivered_t"]
    demand = _format.tonnes(figures["demand_t"])
    if not delivered > EPS:
        return (
            "At these prices the network's supply wins none of these markets: every "
            f"market buys more cheaply from its alternative supplier ({demand} a year)."
        )
    won = [short(n) for n in figures.get("won_markets") or []]
    where = ", ".join(won[:4]) + (f" and {len(won) - 4} more" if len(won) > 4 else "")
    text = (
        f"The network's supply wins {_format.tonnes(delivered)} of the {demand} a year "
        f"these markets import ({where}), landed at {money}"
        f"{figures['cost_per_t']:,.2f} per tonne on average"
    )
    if figures["hubs_opened_count"] == 0:
        return text + ", shipped directly: no hub pays for itself."
    text += f", through {figures['hubs_opened']}"
    saving = figures["saving_total"]
    if not baseline_available or not np.isfinite(saving):
        return text + "."
    base = figures.get("baseline_delivered_t", math.nan)
    alone = (
        f"Direct routes alone would win {_format.tonnes(base)}; against them "
        if np.isfinite(base)
        else "Against direct routes only, "
    )
    hubs = "the hub saves" if figures["hubs_opened_count"] == 1 else "the hubs save"
    if saving >= 0:
        return (
            text + f". {alone}{hubs} {money}{saving:,.0f} a year (the markets' "
            "purchases from their alternative suppliers included)."
        )
    return (
        text + f", {money}{-saving:,.0f} a year more than direct routes only (the "
        "hubs are imposed by the options, not chosen on cost)."
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


def _css(paper: str) -> str:
    """The page's style: a readable screen page, and for print a two-page note on
    ``paper`` ("A4" or "letter"): headings kept with what follows them, figures
    and tables not split."""
    return (
        """
body{font:14px/1.45 -apple-system,'Segoe UI',Roboto,'DejaVu Sans',Arial,sans-serif;
color:#1d1d1d;max-width:1040px;margin:24px auto;padding:0 20px;}
h1{font-size:24px;margin:0 0 2px}
h2{font-size:16px;margin:18px 0 6px;border-bottom:1px solid #ccc;padding-bottom:2px;
break-after:avoid;page-break-after:avoid}
.meta{font-size:12px;color:#444}
.lead{display:grid;grid-template-columns:3fr 2fr;gap:12px;margin:12px 0 6px}
.headline{font-size:17px;background:#f4f7fb;border-left:5px solid #0072B2;
padding:8px 12px;margin:0}
.headline .single{display:block;font-size:13.5px;margin-top:6px}
.caveat{font-size:12.5px;background:#fff6e5;border-left:5px solid #E69F00;
padding:8px 12px;margin:0}
.status{font-size:13px;margin:4px 0 0}
.grid{display:grid;grid-template-columns:11fr 9fr;gap:14px;align-items:start}
figure{margin:0}img.map{width:100%;border:1px solid #ccc;display:block}
.pgrid{display:grid;grid-template-columns:1fr 1fr;gap:12px;align-items:start}
img.chart{width:100%;display:block}
figcaption{font-size:11.5px;color:#555}
.keep{break-inside:avoid;page-break-inside:avoid}
table{border-collapse:collapse;width:100%;font-size:12.5px}
th,td{border-bottom:1px solid #e3e3e3;padding:3px 5px;text-align:left;
vertical-align:top}
th{background:#f2f2f2;font-weight:600}td.num{text-align:right;white-space:nowrap}
tr.closed td{color:#777}tr.best td{font-weight:600}tr{break-inside:avoid}
.intro{break-after:avoid;page-break-after:avoid;margin:2px 0}
#ranking td:nth-child(2){min-width:9em}
#markets td{white-space:nowrap}
table.figs td{font-size:12.5px}table.figs td.num{font-weight:600}
.small{font-size:12px;color:#555}
ul{padding-left:18px;margin:4px 0}li{margin:2px 0}
.lists{columns:2;column-gap:20px;font-size:12px}
.lists h3{font-size:13px;margin:6px 0 2px;break-after:avoid;page-break-after:avoid}
.lists ul{break-before:avoid}
footer{margin-top:10px;border-top:1px solid #ccc;padding-top:4px}
.charts{display:grid;grid-template-columns:1fr 1fr;gap:12px;align-items:start}
img.chart{width:100%;border:1px solid #ddd;display:block}
@page{size:"""
        + paper
        + """;margin:10mm 11mm}
@media print{
body{font-size:8.6pt;line-height:1.3;margin:0;max-width:none;padding:0}
h1{font-size:14pt}h2{font-size:10pt;margin:7px 0 3px}
.meta,.status{font-size:8pt}.lead{margin:6px 0 3px;gap:8px}
.headline{font-size:10pt;padding:5px 8px}.headline .single{font-size:8.4pt}
.caveat{font-size:8pt;padding:5px 8px}
.grid{gap:10px}img.map{max-height:84mm;width:auto;max-width:100%}
.charts{gap:8px}.charts img.chart{max-height:34mm;width:auto;max-width:100%}
#how-sure figcaption{display:none}
.pgrid{gap:8px}.pgrid img.chart{max-height:52mm;width:auto;max-width:100%}
table,table.figs td{font-size:7.6pt}th,td{padding:1.5px 3px}
figcaption,.small{font-size:7.2pt}.lists{font-size:7.2pt;column-gap:12px}
.long .lists{font-size:6.8pt;line-height:1.25}
.lists h3{font-size:8pt;margin:3px 0 1px}li{margin:0}
a{color:inherit;text-decoration:none}
.screen-only{display:none}
}
"""
    )


#: Plain labels of the cost components (:meth:`Costs.as_dict`) in the brief.
COST_LABELS = {
    "fixed": "hub fixed costs",
    "transport": "transport",
    "handling": "hub handling",
    "procurement": "grain bought at the origins",
    "carbon": "carbon price on CO2",
    "unmet_penalty": "penalty for demand left unmet",
    "alternative_purchase": "bought from the markets' alternative suppliers",
    "storage": "storage of stock at the hubs",
}


def _figures_html(
    figures: dict[str, Any], currency: str, components: dict[str, float]
) -> str:
    """The key figures as a compact two-column table, with the non-zero cost
    components (``components``, by their :data:`COST_LABELS`) under the total when
    there are several. When markets may buy elsewhere, the tonnes and markets won
    and lost replace the per tonne comparison with the baseline (plans that win
    different tonnes do not compare per tonne)."""
    co2_change = figures["co2_change_t"]
    if not np.isfinite(co2_change):
        co2_line = "–"
    elif abs(co2_change) < 0.5:
        co2_line = "the same CO2 as the baseline"
    else:
        co2_line = ("+" if co2_change > 0 else "−") + _format.co2(
            abs(co2_change), space="&nbsp;"
        )
    hubs = figures["hubs_opened_count"]
    costs = [
        (
            f"&nbsp;&nbsp;of which {html.escape(COST_LABELS.get(name, name))}",
            _fmt_money(value, currency, 0),
        )
        for name, value in components.items()
    ]
    delivered = f"{_fmt_t(figures['delivered_t'])} of {_fmt_t(figures['demand_t'])}"
    if figures.get("contestable"):
        won = figures["markets_won_count"]
        tonnes = [
            ("tonnes won", delivered),
            (
                "markets won",
                f"{won:.0f} of {figures['markets_count']}" if np.isfinite(won) else "–",
            ),
            ("bought from alternative suppliers", _fmt_t(figures["lost_t"])),
            (
                "won by direct routes alone (no hub)",
                _fmt_t(figures["baseline_delivered_t"]),
            ),
            (
                "cost per tonne delivered, all costs",
                _fmt_money(figures["cost_per_t"], currency),
            ),
        ]
    else:
        tonnes = [
            ("delivered", delivered),
            (
                "cost per tonne delivered, all costs",
                _fmt_money(figures["cost_per_t"], currency),
            ),
            (
                "direct baseline (no hub) per tonne",
                _fmt_money(figures["baseline_cost_per_t"], currency),
            ),
            (
                "saving per tonne against the baseline",
                _fmt_money(figures["saving_per_t"], currency),
            ),
        ]
    rows = [
        ("hubs opened", str(hubs)),
        *tonnes,
        (
            "saving a year against the baseline",
            _fmt_money(figures["saving_total"], currency, 0),
        ),
        ("total cost a year", _fmt_money(figures["total_cost"], currency, 0)),
        *costs,
        (
            "CO2 emitted a year",
            _format.co2(figures["co2_t"], space="&nbsp;", missing="–"),
        ),
        ("CO2 against the baseline", co2_line),
    ]
    body = "".join(
        f"<tr><td>{label}</td><td class='num'>{value}</td></tr>"
        for label, value in rows
    )
    return f"<table class='figs' id='key-figures'><tbody>{body}</tbody></table>"


def _hubs_html(opened: pd.DataFrame, currency: str) -> str:
    """The table of opened hubs."""
    esc = html.escape
    return _table_html(
        opened,
        {
            "hub": lambda r: esc(str(r["name"])),
            "size": lambda r: esc(str(r["level"])),
            "capacity": lambda r: _fmt_t(r["capacity_t"]),
            "tonnes through": lambda r: _fmt_t(r["throughput_t"]),
            "utilisation": lambda r: percent(
                r["utilisation"], space="&nbsp;", missing="–"
            ),
            "fixed cost a year": lambda r: _fmt_money(r["fixed_cost"], currency, 0),
            "handling a year": lambda r: _fmt_money(r["handling_cost"], currency, 0),
        },
        text=("hub", "size"),
    )


def _ranking_html(ranking: pd.DataFrame, result: Result, currency: str) -> str:
    """The ranked table of every hub: the candidates by the extra cost of the best
    plan that opens only them, then the hubs closed by status with the reason."""
    esc = html.escape
    money = f"{currency} " if currency else ""
    per_t = f"{currency}/t" if currency else "per t"
    alternative = result.network.destinations.get("alternative_cost_per_t")
    contestable = alternative is not None and bool(alternative.notna().any())

    def markets(row: pd.Series) -> str:
        if row["status"] == "closed":
            reason = re.sub(r"^closed:\s*", "", str(row["status_reason"]))
            reason = re.split(r";\s*set status", reason)[0]  # the how-to is for users
            return "<i>closed by status:</i> " + esc(reason)
        status = str(row["solve_status"])
        if status not in ("optimal", "feasible"):
            if status.startswith("no solution"):
                return esc(status)
            return esc(f"no plan with this hub alone ({status})")
        if not row["markets_served"]:
            return (
                "none: wins no market even if built"
                if contestable
                else "none: not used even if built"
            )
        return esc(", ".join(short(n) for n in str(row["markets_served"]).split("; ")))

    def per_hub_t(row: pd.Series) -> str:
        return _fmt_money(row["extra_cost_per_t_through_hub"], "")

    body = []
    folded: list[tuple[str, list[str], list[str], list[tuple[str, str]]]] = []
    for _, row in ranking.iterrows():
        if row["status"] == "closed":
            closed = (
                f"<tr class='closed'><td class='num'>–</td><td>{esc(str(row['name']))}"
                f"</td><td colspan='8'>{markets(row)}</td></tr>"
            )
            folded.append(("closed", [], [closed], []))
            continue
        cls = "best" if row["rank"] == 1 else ""
        rank = "–" if pd.isna(row["rank"]) else str(int(row["rank"]))
        cells = [
            ("text", esc(str(row["level"]) or "–")),
            ("", _fmt_t(row["capacity_t"])),
            ("", _fmt_t(row["throughput_t"])),
            ("", percent(row["utilisation"], space="&nbsp;", missing="–")),
            ("", _fmt_money(row["extra_cost"], "", 0)),
            ("", per_hub_t(row)),
            ("", _fmt_money(row["extra_cost_per_t_delivered"], "")),
            ("text", markets(row)),
        ]
        unused = not row["markets_served"]
        if unused and folded and folded[-1][0] == "unused" and folded[-1][3] == cells:
            # candidates that would win nothing at the same cost: one row
            folded[-1][1].append(rank)
            folded[-1][2].append(esc(str(row["name"])))
            continue
        folded.append(
            ("unused" if unused else cls, [rank], [esc(str(row["name"]))], cells)
        )
    for cls, ranks, names, cells in folded:
        if cls == "closed":
            body.append(names[0])
            continue
        rank = ranks[0] if len(ranks) == 1 else f"{ranks[0]}–{ranks[-1]}"
        cells = [("", rank), ("text", ", ".join(names)), *cells]
        body.append(
            f"<tr class='{'' if cls == 'unused' else cls}'>"
            + "".join(
                f"<td class='{'num' if kind == '' else ''}'>{value}</td>"
                for kind, value in cells
            )
            + "</tr>"
        )
    head = (
        "<tr><th>#</th><th>port</th><th>size</th><th>capacity</th><th>tonnes</th>"
        f"<th>used</th><th>extra {money}a year</th>"
        f"<th>extra {per_t} via the hub</th>"
        f"<th>extra {per_t} delivered</th><th>markets served</th></tr>"
    )
    return (
        f"<table id='ranking'><thead>{head}</thead><tbody>{''.join(body)}"
        "</tbody></table>"
    )


def _markets_html(markets: pd.DataFrame, currency: str) -> str:
    """The table of markets (:func:`market_table`). Markets lost in full to their
    alternative suppliers are listed after the table in one sentence with their
    tonnes, not as rows of dashes."""
    esc = html.escape
    per_t = f"{currency}/t" if currency else "per t"
    outcome = markets.get("outcome", pd.Series("", index=markets.index))
    lost_all = (outcome == "lost to alternative").to_numpy()
    rows, lost = markets[~lost_all], markets[lost_all]
    partly = "lost_to_alternative_t" in rows and bool(
        (rows["lost_to_alternative_t"].fillna(0) > EPS).any()
    )

    def saving(row: pd.Series) -> str:
        if row["routing"] == "unchanged":
            return "unchanged"
        return _fmt_money(row["saving_per_t"], "")

    def direct(row: pd.Series) -> str:
        if row.get("baseline_outcome") == "lost to alternative":
            return "bought elsewhere"
        return _fmt_money(row["baseline_landed_cost_per_t"], "")

    columns: dict[str, Any] = {
        "market": lambda r: esc(str(r["name"])),
        "demand": lambda r: _fmt_t(r["demand_t"]),
        "served": lambda r: _fmt_t(r["served_t"]),
    }
    if partly:
        columns["bought elsewhere"] = lambda r: _fmt_t(r["lost_to_alternative_t"])
    columns |= {
        "served via": lambda r: esc(str(r["served_via"])),
        f"landed {per_t}": lambda r: _fmt_money(r["landed_cost_per_t"], ""),
        f"direct {per_t}": direct,
        f"saving {per_t}": saving,
        "days": lambda r: (
            f"{r['transit_days']:.1f}" if np.isfinite(r["transit_days"]) else "–"
        ),
        "CO2": lambda r: _fmt_t(r["co2_t"]),
    }
    table = (
        _table_html(rows, columns, text=("market", "served via")) if len(rows) else ""
    )
    if not len(lost):
        return table
    by_size = lost.sort_values("demand_t", ascending=False, kind="stable")
    listed = "; ".join(
        f"{esc(str(r['name']))} {_fmt_t(r['demand_t'])}" for _, r in by_size.iterrows()
    )
    total = _fmt_t(float(lost["demand_t"].sum()))
    return table + (
        f"<p class='small' id='markets-lost'><b>Bought from their alternative "
        f"suppliers</b> ({len(lost)} markets, {total} a year: this network cannot "
        f"deliver there for less than they pay elsewhere): {listed}.</p>"
    )


def _components(result: Result) -> dict[str, float]:
    """The non-zero annual cost components, when there are two or more."""
    if result.status not in ("optimal", "feasible"):
        return {}
    costs = {k: v for k, v in result.costs.as_dict().items() if k != "total" and v}
    return costs if len(costs) > 1 else {}


def _lists_html(result: Result) -> str:
    """Assumptions, sources and licences, confidence and known gaps, as lists in
    two columns."""
    sources = data_sources(result)
    lists = {
        "Assumptions": assumptions(result),
        "Known gaps in the data": sources["gaps"],
        "Confidence of the input data": (
            [
                "Rows of low (L) or UNVERIFIED confidence: "
                + "; ".join(
                    c.replace(" rows of low (L) or UNVERIFIED confidence", "")
                    for c in sources["confidence"]
                )
                + "."
            ]
            if sources["confidence"]
            else []
        ),
        "Data sources and licences": sources["licences"],
    }
    return "".join(
        f"<h3>{html.escape(name)}</h3><ul>"
        + "".join(f"<li>{_markdown_inline(item)}</li>" for item in items)
        + "</ul>"
        for name, items in lists.items()
        if items
    )


def _brief_html(page: dict[str, Any]) -> str:
    """The page ``brief.html`` from its parts (:func:`_page_parts`): every text
    from data escaped, the map inlined."""
    esc = html.escape
    result = page["result"]
    meta = " · ".join(
        esc(part)
        for part in (
            page["author"],
            page["date"],
            f"Data: {page['data_version']}",
        )
        if part
    )
    single = (
        f"<span class='single' id='single-hub'>{esc(page['single_hub'])}</span>"
        if page["single_hub"]
        else ""
    )
    headline_text = esc(page["headline"])
    if page["uncertainty"]:
        headline_text = (
            f"<span id='uncertainty'>{esc(page['uncertainty'])}</span>"
            f"<span class='single'>{headline_text}</span>"
        )
    side = f"<h2>Key figures</h2>{page['figures_html']}{page['baseline_note']}"
    if page["corridors"]:
        side += (
            "<h2>Export corridors</h2><ul id='corridors'>"
            + "".join(f"<li>{esc(line)}</li>" for line in page["corridors"])
            + "</ul>"
        )
    if page["break_evens"]:
        side += (
            "<h2>What would change the answer</h2><ul id='break-even'>"
            + "".join(f"<li>{esc(line)}</li>" for line in page["break_evens"])
            + "</ul><p class='small'>Break-even multipliers against the network as "
            "given (x1.00), found by re-solving without bounds on the number of "
            "hubs (hubopt.break_even).</p>"
        )
    ranking = ""
    if page["ranking_html"]:
        ranking = (
            "<section id='where'><h2>Where: every candidate port</h2>"
            "<p class='small intro'>The best plan with each port as the only hub, "
            f"against the optimum, {esc(page['optimum_text'])}: the extra cost a "
            "year, per tonne through the hub and spread over every tonne "
            "delivered.</p>"
            f"{page['ranking_html']}"
            + (
                f"<p id='near-tie'>{esc(page['near_tie'])}</p>"
                if page["near_tie"]
                else ""
            )
            + "</section>"
        )
    hubs = ""
    if page["hubs_html"]:
        hubs = (
            f"<section class='keep'><h2>Hubs opened</h2>{page['hubs_html']}</section>"
        )
    names = (
        PACK_FILES
        + (UNCERTAINTY_FILES if page.get("how_sure") else ())
        + (PERIOD_PACK_FILES if page["periods"] else ())
    )
    files = ", ".join(f"<code>{f}</code>" for f in names if f != "brief.html")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(page["title"])}</title><style>{_css(page["paper"])}</style></head>
<body class="{"long" if page.get("how_sure") or page["periods"] else ""}">
<header><h1>{esc(page["title"])}</h1><div class="meta" id="meta">{meta}</div></header>
<section class="lead keep">
<p class="headline" id="headline">{headline_text}{single}</p>
<p class="caveat" id="caveat"><b>Caveat.</b> {esc(page["caveat"])}</p>
</section>
<p class="status" id="status">{esc(page["status"])}{esc(page["interrupted"])}</p>
<section class="grid">
<figure class="keep"><h2>Map</h2>
<img class="map" id="map" alt="map of the hubs, markets and flows"
src="data:image/png;base64,{page["map_png"]}">
<figcaption>Interactive version: <a href="interactive_map.html">interactive_map.html</a>
(works offline).</figcaption></figure>
<div class="keep">{side}</div>
</section>
{_periods_html(page)}
{ranking}
{hubs}
{_how_sure_html(page)}
<section id="markets"><h2>Markets</h2>{page["markets_html"]}</section>
<section class="lists">{page["lists_html"]}</section>
<footer class="small" id="footer">{esc(technical_line(result))}.<span
class="screen-only"> Files in this pack: {files}.</span></footer>
</body></html>
"""


def _how_sure_html(page: dict[str, Any]) -> str:
    """The section of the uncertainty charts and break-evens ("" without them)."""
    esc = html.escape
    found = page.get("how_sure")
    if not found:
        return ""
    figures = ""
    for key, alt, caption in (
        (
            "tornado_png",
            "tornado chart of the uncertain inputs",
            "Each input alone at the low and high end of its range, every other "
            "input central: the change in the optimum's total cost. * marks an "
            "input that changes the best portfolio within its range.",
        ),
        (
            "saving_png",
            "saving distribution per candidate portfolio",
            "The saving against shipping direct of each candidate portfolio built "
            "now, across the draws.",
        ),
    ):
        if found.get(key):
            ident = "tornado" if key == "tornado_png" else "saving-distribution"
            figures += (
                f"<figure><img class='chart' id='{ident}' alt='{alt}' "
                f"src='data:image/png;base64,{found[key]}'>"
                f"<figcaption>{esc(caption)}</figcaption></figure>"
            )
    lines = "; ".join(esc(line) for line in found["break_evens"])
    edges = (
        "<p class='small' id='uncertainty-break-even'><b>Where the best portfolio "
        f"changes</b> (one input at a time, the others central): {lines}.</p>"
        if lines
        else ""
    )
    draws = found["draws"]
    what = f"{draws} draws" if draws else "the draws"
    return (
        "<section id='how-sure' class='keep'><h2>How sure: "
        f"{esc(what)} over the uncertain cost figures</h2>"
        f"<div class='charts'>{figures}</div>{edges}</section>"
    )


def period_sentence(result: Result) -> str:
    """What the brief says of a multi-period result's stock and cover: where the
    stock peaks and the worst-served market's worst month ("" without periods or a
    solution).

    Examples
    --------
    >>> import pandas as pd
    >>> import hubopt
    >>> from hubopt.periods import Periods
    >>> from hubopt.report import period_sentence
    >>> months = Periods.from_frames(pd.DataFrame({"id": ["a", "b"], "days": [1, 1]}))
    >>> print(period_sentence(hubopt.solve(hubopt.datasets.tiny(), periods=months)))
    No opened hub has a silo: no stock is carried from one period to the next.
    """
    periods = result.periods
    if periods is None or not _format.has_solution(result):
        return ""
    peaks = periods.peak_stock
    held = peaks[peaks["closing_t"] > EPS]
    if peaks.empty:
        return (
            "No opened hub has a silo: no stock is carried from one period to the next."
        )
    if held.empty:
        return "No stock is held at the end of any period."
    top = held.iloc[0]
    first = (
        f"Stock at {short(top['name'])} peaks at "
        f"{_format.tonnes(top['closing_t'])} in {top['period']} (silo "
        f"{_format.tonnes(top['silo_t'])})"
    )
    if len(held) > 1:
        others = "; ".join(
            f"{short(r.name)} {_format.tonnes(r.closing_t)} in {r.period}"
            for r in held.iloc[1:4].itertuples()
        )
        first += f"; {others}"
    worst = periods.worst_served
    if worst.empty:
        return first + "."
    row = worst.iloc[0]
    names = result.network.destinations.set_index("id")["name"]
    market = short(names.get(row["destination"], row["destination"]))
    served = (
        ""
        if row["served_share"] >= 1 - 1e-6
        else f", {percent(row['served_share'])} of its demand served then"
    )
    return (
        f"{first}; the worst-served market, {market}, has "
        f"{row['cover_days']:,.1f} days of cover in its worst month, "
        f"{row['period']}{served}."
    )


def _periods_html(page: dict[str, Any]) -> str:
    """The seasons section: the sentence, the stock and cover charts, and what the
    comparisons are (annual or over the periods)."""
    if not page["periods"]:
        return ""
    esc = html.escape
    charts = "".join(
        f"<figure class='keep'><img class='chart' id='{name}-chart' alt='{alt}' "
        f"src='data:image/png;base64,{page[name + '_png']}'></figure>"
        for name, alt in (
            ("stock", "stock at the opened hubs by period against their silo"),
            ("cover", "days of cover by period of the worst-served market"),
        )
    )
    return (
        "<section id='periods' class='keep'><h2>Seasons: stock and cover</h2>"
        f"<p id='period-sentence'>{esc(page['period_sentence'])}</p>"
        f"<div class='pgrid'>{charts}</div>"
        f"<p class='small'>{esc(page['period_note'])}</p></section>"
    )


def write_brief(
    result: Result,
    out_dir: str | os.PathLike[str],
    *,
    baseline: Result | None = None,
    single_hub: Result | None = None,
    ranking: pd.DataFrame | None = None,
    break_evens: Sequence[BreakEven] = (),
    uncertainty: UncertaintySummary | str | None = None,
    overwrite: bool = False,
    title: str | None = None,
    author: str | None = None,
    paper: str = "a4",
    date: str | None = None,
    extent: tuple[float, float, float, float] | None = DEFAULT_EXTENT,
    guard_formulas: bool = True,
    interrupted: bool = False,
) -> Path:
    """Write the briefing pack for a result into a folder.

    For a multi-period result (:func:`hubopt.solve` with ``periods``) the pack adds
    stock.png (the stock at each opened hub by period against its silo),
    cover.png (the days of cover of the worst-served market by period) and the
    per-period tables (:data:`PERIOD_PACK_FILES`), and the page a section with both
    charts and a sentence on them (:func:`period_sentence`).

    Nothing here solves: the comparisons the brief shows are handed in, computed by
    :func:`hubopt.decisions.comparisons` and :mod:`hubopt.breakeven`
    (:func:`hubopt.brief` does both). The pack is written all-or-nothing
    (:mod:`hubopt.outputs`): built in a temporary sibling folder and swapped in,
    replacing only the files of an earlier hubopt run.

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
    ranking
        Every candidate hub against the optimum
        (:func:`hubopt.breakeven.candidate_ranking`); None leaves the table out.
    break_evens
        Break-even values (:func:`hubopt.break_even`) to state, one line each.
    uncertainty
        An uncertainty analysis (:func:`hubopt.uncertainty`, or any object with a
        ``headline`` string or method: :class:`UncertaintySummary`) or the string,
        printed as the headline with the single-figure answer under it.
    overwrite
        Replace the files of an earlier pack; without it they are an error.
    title
        The brief's heading (default "Where to site a hub: <network>").
    author
        The author or organisation printed under the title.
    paper
        "a4" (default) or "letter": the page size of the print style.
    date
        The date printed under the title (default: today, ISO 8601, UTC).
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
        ``overwrite`` is False, or ``paper`` is not "a4" or "letter".
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
    ['.hubopt.json', 'break_even.csv', 'brief.html']
    """
    paper_size = check_paper(paper)
    folder = check_target(
        out_dir,
        overwrite=overwrite,
        names=PACK_FILES + UNCERTAINTY_FILES + PERIOD_PACK_FILES,
    )
    parts = {
        "baseline": baseline,
        "single_hub": single_hub,
        "ranking": ranking,
        "break_evens": tuple(break_evens),
        "uncertainty": _uncertainty_headline(uncertainty),
        "uncertainty_tables": _uncertainty_tables(uncertainty),
        "title": title,
        "author": author,
        "paper": paper_size,
        "date": date or datetime.datetime.now(datetime.UTC).date().isoformat(),
        "interrupted": interrupted or result.interrupted,
    }
    _write_pack(
        result,
        folder,
        parts,
        overwrite=overwrite,
        extent=extent,
        guard_formulas=guard_formulas,
    )
    return folder / "brief.html"


def default_title(network: Network) -> str:
    """The brief's heading when none is given: what a bundled network is, else its
    name.

    Examples
    --------
    >>> import hubopt
    >>> from hubopt.report import default_title
    >>> default_title(hubopt.datasets.morocco_kazakhstan())
    'Where to site a hub: Kazakh wheat → Moroccan hub port → African markets'
    """
    return f"Where to site a hub: {datasets.display_name(network.name)}"


def check_paper(paper: str) -> str:
    """The CSS page size of a ``paper`` name ("a4" or "letter", any case).

    Examples
    --------
    >>> from hubopt.report import check_paper
    >>> check_paper("Letter")
    'letter'
    >>> check_paper("A5")
    Traceback (most recent call last):
    ...
    hubopt.errors.ValidationError: paper must be 'a4' or 'letter', got 'A5'
    """
    size = PAPERS.get(str(paper).strip().lower())
    if size is None:
        msg = f"paper must be 'a4' or 'letter', got {paper!r}"
        raise ValidationError(msg)
    return size


def _page_parts(
    result: Result,
    parts: dict[str, Any],
    map_png: bytes,
    charts: dict[str, bytes] | None = None,
) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """Everything the page shows, as text and HTML pieces, and the tables written
    beside it."""
    base, forced, ranking = parts["baseline"], parts["single_hub"], parts["ranking"]
    network = result.network
    figures = key_figures(result, base)
    currency = figures["currency"]
    markets = market_table(result, base)
    mix = corridor_mix(result)
    interrupted = ""
    if parts["interrupted"]:
        interrupted = (
            " The run was interrupted (Ctrl-C): this is the best solution found by "
            "then"
            + ("" if base is not None else ", without the direct baseline")
            + "; comparisons not solved by then are left out."
        )
    opened = result.hubs[result.hubs["open"]]
    edges = parts["break_evens"]
    page = {
        "result": result,
        "currency": currency,
        "title": parts["title"] or default_title(network),
        "author": parts["author"] or "",
        "date": parts["date"],
        "paper": parts["paper"],
        "data_version": data_version(network),
        "headline": headline(figures, base is not None),
        "uncertainty": parts["uncertainty"] or "",
        "single_hub": single_hub_sentence(result, forced) if forced is not None else "",
        "caveat": caveat_text(network),
        "status": status_sentence(result),
        "interrupted": interrupted,
        "figures_html": _figures_html(figures, currency, _components(result)),
        "baseline_note": (
            ""
            if base is not None
            else "<p class='small'>No direct baseline: the network cannot serve "
            "every market without a hub, so savings are not shown.</p>"
        ),
        "corridors": corridor_sentences(mix),
        "break_evens": break_even_lines(edges, network),
        "ranking_html": (
            _ranking_html(ranking, result, currency) if ranking is not None else ""
        ),
        "optimum_text": (
            f"{figures['hubs_opened'] if len(opened) else 'no hub'} at "
            f"{_format.money(figures['cost_per_t'], currency)} per tonne delivered"
        ),
        "near_tie": near_tie_sentence(ranking, result) if ranking is not None else "",
        "hubs_html": _hubs_html(opened, currency) if len(opened) else "",
        "markets_html": _markets_html(markets, currency),
        "lists_html": _lists_html(result),
        "map_png": base64.b64encode(map_png).decode("ascii"),
        "periods": bool(charts),
        "period_sentence": period_sentence(result) if charts else "",
        "period_note": period_note(result, parts) if charts else "",
    }
    for name, png in (charts or {}).items():
        page[f"{name}_png"] = base64.b64encode(png).decode("ascii")
    tables = {
        "key_figures.csv": pd.DataFrame([figures]),
        "market_comparison.csv": markets,
        "corridor_mix.csv": pd.concat(
            [
                mix["corridors"].assign(kind="export corridor"),
                mix["countries"].assign(kind="transit country"),
            ],
            ignore_index=True,
        ),
        "break_even.csv": pd.DataFrame(
            [_break_even_row(e, network) for e in edges],
            columns=list(BREAK_EVEN_COLUMNS),
        ),
    }
    # a table that was not computed is left out rather than written empty (a
    # header alone reads as "computed, nothing found"): the ranking when it was
    # not run, and both for a multi-period result (hubopt.brief runs neither)
    if ranking is not None:
        tables["candidate_ranking.csv"] = ranking
    if result.periods is not None and not edges:
        del tables["break_even.csv"]
    return page, tables


#: Columns of break_even.csv.
BREAK_EVEN_COLUMNS = (
    "driver",
    "base_value",
    "low",
    "high",
    "break_even_value",
    "bracket_below",
    "bracket_above",
    "hubs_below",
    "hubs_above",
    "solves",
    "sentence",
)


def _break_even_row(edge: BreakEven, network: Network) -> dict[str, Any]:
    """A row of break_even.csv. The multipliers match no column rule of
    :func:`hubopt._tables.rounded`; they are written to 4 decimals, finer than any
    bisection tolerance the brief uses (0.01), without the binary tails of halving
    (1.60546875)."""

    def value(x: float | None) -> float:
        return np.nan if x is None else round(float(x), 4)

    return {
        "driver": edge.driver,
        "base_value": value(edge.base_value),
        "low": value(edge.low),
        "high": value(edge.high),
        "break_even_value": value(edge.value),
        "bracket_below": value(edge.bracket[0]),
        "bracket_above": value(edge.bracket[1]),
        "hubs_below": "; ".join(f"{h}:{lv}" for h, lv in edge.portfolio_below),
        "hubs_above": "; ".join(f"{h}:{lv}" for h, lv in edge.portfolio_above),
        "solves": edge.solves,
        "sentence": break_even_sentence(edge, network),
    }


def _fallback_hub(result: Result, forced: Result | None) -> str | None:
    """The hub the forced single-hub plan opens, when the optimum opens none (the
    maps mark it as "best single hub if one must be built")."""
    if forced is None or forced.hubs is None or result.hubs is None:
        return None
    if bool(result.hubs["open"].any()):
        return None
    opened = forced.hubs.loc[forced.hubs["open"].astype(bool), "hub_id"]
    return str(opened.iloc[0]) if len(opened) == 1 else None


#: What the brief of a multi-period result says of its comparisons, by default.
PERIOD_NOTE = (
    "Stock: at the end of each period, at the hubs whose opened level has a silo "
    "(stock.csv: opening, in, out, loss and closing stock per hub and period). Days "
    "of cover: the stock at the hubs serving a market, shared by their tonnes to "
    "it, over its demand per day in the period (cover.csv). The hubs are chosen "
    "once for every period; the tables of the year sum the periods."
)


def period_note(result: Result, parts: dict[str, Any]) -> str:
    """The note under a multi-period brief's charts: what stock and cover are, and
    which comparisons handed in are of the annual model (a Result without
    periods) or left out."""
    annual = [
        name
        for name, compared in (
            ("the direct baseline", parts.get("baseline")),
            ("the best single hub", parts.get("single_hub")),
        )
        if compared is not None and compared.periods is None
    ]
    text = PERIOD_NOTE
    if annual:
        text += (
            f" {' and '.join(annual).capitalize()} "
            f"{'is' if len(annual) == 1 else 'are'} solved on the annual model (one "
            "period, no stock), so the savings against it compare the seasonal plan "
            "with an annual one."
        )
    if parts.get("ranking") is None and not parts.get("break_evens"):
        text += (
            " No candidate ranking or break-even values: hubopt.brief does not "
            "compute them for a multi-period result (their solves would be annual)."
        )
    return text


def _write_pack(
    result: Result,
    folder: Path,
    parts: dict[str, Any],
    *,
    overwrite: bool,
    extent: tuple[float, float, float, float] | None,
    guard_formulas: bool,
) -> None:
    fallback = _fallback_hub(result, parts.get("single_hub"))
    with output_folder(folder, overwrite=overwrite) as staging:
        fig = maps.static_map(
            result, staging / "map.png", extent=extent, fallback_hub=fallback
        )
        fig.savefig(staging / "map.pdf", bbox_inches="tight", facecolor="white")
        webmap.interactive_map(
            result,
            staging / "interactive_map.html",
            extent=extent,
            fallback_hub=fallback,
        )
        result.write_tables(staging, guard_formulas=guard_formulas)
        season_charts = _write_period_charts(result, staging)
        page, tables = _page_parts(
            result, parts, (staging / "map.png").read_bytes(), season_charts
        )
        found = parts.get("uncertainty_tables")
        if found:
            page["how_sure"], more = _uncertainty_charts(found, staging, page)
            tables.update(more)
        for name, table in tables.items():
            write_csv_atomic(
                rounded(table), staging / name, guard_formulas=guard_formulas
            )
        _write_geopackage(result, staging / "results.gpkg")
        write_text_atomic(_brief_html(page), staging / "brief.html")


def _uncertainty_charts(
    found: dict[str, Any], staging: Path, page: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """Draw the tornado and saving charts of an uncertainty analysis into the pack
    (PNG, inlined in the page), with their tables."""
    currency = page["currency"] or "USD"
    out: dict[str, Any] = {"draws": found["draws"], "break_evens": []}
    tables: dict[str, pd.DataFrame] = {}
    if found["tornado"] is not None:
        tornado = found["tornado"]
        charts.tornado_chart(tornado, staging / "tornado.png", currency=currency)
        out["tornado_png"] = _b64(staging / "tornado.png")
        out["break_evens"] = uncertainty_break_even_lines(tornado, found["label"])
        tables["tornado.csv"] = tornado
    if found["regret"] is not None:
        regret = found["regret"]
        if charts.saving_rows(regret):
            path = staging / "saving_distribution.png"
            charts.saving_chart(regret, path, currency=currency, label=found["label"])
            out["saving_png"] = _b64(path)
        tables["saving_distribution.csv"] = regret
    return out, tables


def _b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode("ascii")


def _write_period_charts(result: Result, folder: Path) -> dict[str, bytes]:
    """stock.png and cover.png for a multi-period result with a solution (their
    bytes, for the page); nothing otherwise."""
    if result.periods is None or not _format.has_solution(result):
        return {}
    period_charts.stock_chart(result, folder / "stock.png")
    period_charts.cover_chart(result, folder / "cover.png")
    return {name: (folder / f"{name}.png").read_bytes() for name in ("stock", "cover")}


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
