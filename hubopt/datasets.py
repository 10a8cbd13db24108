"""Networks and maps bundled with hubopt, readable after any install (no download).

Everything here reads files shipped inside the package ``hubopt.data`` (the
repository's top-level ``data/`` folder), located with :mod:`importlib.resources`, so
it works after a non-editable ``pip install`` from any working directory.

>>> import hubopt
>>> hubopt.datasets.list()
['morocco_kazakhstan', 'tiny']
"""

from __future__ import annotations

import builtins
import math
from importlib.resources import as_file, files
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ValidationError
from .io import read_network
from .network import Network
from .periods import Periods, read_periods

if TYPE_CHECKING:
    import geopandas

#: Bundled networks and what each is.
DATASETS = {
    "morocco_kazakhstan": "Kazakh wheat -> Moroccan hub port -> African markets",
    "tiny": "a made-up, hand-checkable network (2 origins, 3 hubs, 3 markets)",
}

#: The bundled networks whose description reads as a title, for maps and briefs.
_TITLED = ("morocco_kazakhstan",)


def display_name(name: str) -> str:
    """What maps and briefs call a network: the description of a bundled network
    that has a title-like one (arrows drawn; a scenario's " (...)" after the name
    kept), else ``name`` itself.

    Examples
    --------
    >>> from hubopt.datasets import display_name
    >>> display_name("morocco_kazakhstan")
    'Kazakh wheat → Moroccan hub port → African markets'
    >>> display_name("morocco_kazakhstan (Suez closed)")
    'Kazakh wheat → Moroccan hub port → African markets (Suez closed)'
    >>> display_name("my_network")
    'my_network'
    """
    base = name.split(" (")[0]
    if base in _TITLED:
        return DATASETS[base].replace(" -> ", " → ") + name[len(base) :]
    return name


#: Bundled periods folders (:func:`hubopt.periods.read_periods`): name -> (the
#: network they belong to, their folder inside it, what they are).
PERIODS = {
    "morocco_kazakhstan_monthly": (
        "morocco_kazakhstan",
        "monthly",
        "12 months: Kazakh wheat export season, seasonal corridor limits, Moroccan "
        "port silos",
    ),
}

#: The bundled basemap: Natural Earth 1:110m admin-0 countries (public domain).
BASEMAP_FILE = "naturalearth_110m_countries.geojson"


def data_root() -> Path:
    """The folder of bundled data: the installed package ``hubopt.data``, or the
    source tree's top-level ``data/`` when hubopt runs from a checkout.

    Examples
    --------
    >>> import hubopt
    >>> hubopt.datasets.data_root().joinpath("modes.csv").is_file()
    True
    """
    try:
        resource = files("hubopt.data")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "data"
    with as_file(resource) as folder:
        return Path(folder)


def list() -> builtins.list[str]:
    """Names of the bundled networks that are present in this install.

    Examples
    --------
    >>> import hubopt
    >>> hubopt.datasets.list()
    ['morocco_kazakhstan', 'tiny']
    """
    root = data_root()
    return sorted(name for name in DATASETS if root.joinpath(name).is_dir())


def path(name: str) -> Path:
    """The folder of a bundled network.

    Parameters
    ----------
    name
        One of :func:`list`.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ValidationError
        When no bundled network has that name.

    Examples
    --------
    >>> import hubopt
    >>> hubopt.datasets.path("morocco_kazakhstan").joinpath("hubs.csv").is_file()
    True
    """
    if name not in DATASETS:
        msg = f"no bundled network named {name!r}; bundled: {sorted(DATASETS)}"
        raise ValidationError(msg)
    return data_root() / name


def load(name: str) -> Network:
    """Read a bundled network by name.

    Examples
    --------
    >>> import hubopt
    >>> hubopt.datasets.load("tiny")
    Network('tiny': 2 origins, 3 hubs, 3 destinations, 13 legs)
    """
    return read_network(path(name), name=name)


def tiny() -> Network:
    """The tiny hand-checkable network used in tests and the quickstart.

    Examples
    --------
    >>> import hubopt
    >>> hubopt.datasets.tiny()
    Network('tiny': 2 origins, 3 hubs, 3 destinations, 13 legs)
    """
    return load("tiny")


def morocco_kazakhstan(market_share: float | None = None) -> Network:
    """Kazakh wheat through a Moroccan hub port to African markets.

    Three Kazakh grain-belt origins, eleven Moroccan candidate ports, 24 African
    wheat markets (contestable: each buys elsewhere at its ``alternative_cost_per_t``)
    and 648 legs through four export corridors (Black Sea via
    Novorossiysk, Baltic via Liepaja, Trans-Caspian via Aktau-Baku to Poti or
    Batumi). Every figure's source, and which values are assumptions, is in
    ``data/README.md`` and the ``source`` columns of the tables.

    Parameters
    ----------
    market_share
        The share of each market's published wheat imports (``import_volume_t``)
        that Kazakh wheat is to supply: ``demand_t = round(import_volume_t *
        market_share)``. None keeps the bundled scenario (every market's full
        published imports, contestable; the former fixed 2.5 Mt programme is the
        solve option ``programme_t=2_500_000``, see the README). Must be in (0, 1].

    Returns
    -------
    Network

    Raises
    ------
    ValidationError
        When ``market_share`` is not a number in (0, 1].

    Examples
    --------
    >>> import hubopt
    >>> net = hubopt.datasets.morocco_kazakhstan()
    >>> net
    Network('morocco_kazakhstan': 3 origins, 11 hubs, 24 destinations, 648 legs)
    >>> round(net.total_demand_t)
    55379840
    >>> round(hubopt.datasets.morocco_kazakhstan(market_share=0.1).total_demand_t)
    5537984
    """
    net = load("morocco_kazakhstan")
    if market_share is None:
        return net
    if (
        isinstance(market_share, bool)
        or not isinstance(market_share, int | float)
        or not math.isfinite(market_share)
        or not 0.0 < market_share <= 1.0
    ):
        msg = (
            f"market_share must be a number in (0, 1], got {market_share!r}; e.g. "
            "0.05 for 5 % of each market's published imports"
        )
        raise ValidationError(msg)
    destinations = net.destinations
    destinations["market_share"] = float(market_share)
    destinations["demand_t"] = (
        destinations["import_volume_t"].astype(float) * float(market_share)
    ).round()
    destinations["demand_source"] = (
        f"demand_t = import_volume_t x market_share {market_share:g}, set by the "
        "caller of hubopt.datasets.morocco_kazakhstan(market_share=...)"
    )
    return net.replace(destinations=destinations)


def periods_list() -> builtins.list[str]:
    """Names of the bundled periods folders present in this install.

    Examples
    --------
    >>> import hubopt
    >>> hubopt.datasets.periods_list()
    ['morocco_kazakhstan_monthly']
    """
    root = data_root()
    return sorted(
        name
        for name, (network, folder, _) in PERIODS.items()
        if root.joinpath(network, folder, "periods.csv").is_file()
    )


def periods_path(name: str) -> Path:
    """The folder of a bundled periods set (``periods.csv``, ``period_values.csv``).

    Parameters
    ----------
    name
        One of :func:`periods_list`.

    Raises
    ------
    ValidationError
        When no bundled periods set has that name.

    Examples
    --------
    >>> import hubopt
    >>> folder = hubopt.datasets.periods_path("morocco_kazakhstan_monthly")
    >>> folder.name, folder.joinpath("periods.csv").is_file()
    ('monthly', True)
    """
    if name not in PERIODS:
        msg = f"no bundled periods named {name!r}; bundled: {sorted(PERIODS)}"
        raise ValidationError(msg)
    network, folder, _ = PERIODS[name]
    return data_root() / network / folder


def load_periods(name: str) -> Periods:
    """Read a bundled periods set by name (see :func:`periods_path`).

    Examples
    --------
    >>> import hubopt
    >>> periods = hubopt.datasets.load_periods("morocco_kazakhstan_monthly")
    >>> periods.ids[:3]
    ['jan', 'feb', 'mar']
    """
    return read_periods(periods_path(name))


def basemap() -> geopandas.GeoDataFrame:
    """Natural Earth 1:110m admin-0 countries, for offline maps.

    Returns
    -------
    geopandas.GeoDataFrame
        177 countries in EPSG:4326 with columns name, iso_a3, continent, pop_est,
        gdp_md_est and geometry. Natural Earth is public domain; the file was taken
        from the ``naturalearth_lowres`` test fixture of pyogrio 0.13.0 (see
        data/README.md). Boundaries are Natural Earth's de facto view; hubopt never
        derives a port's territory from them.

    Examples
    --------
    >>> import hubopt
    >>> world = hubopt.datasets.basemap()
    >>> len(world), world.crs.to_epsg()
    (177, 4326)
    """
    import geopandas as gpd

    file = data_root() / BASEMAP_FILE
    if not file.is_file():
        msg = f"the bundled basemap {file} is missing; reinstall hubopt"
        raise ValidationError(msg)
    return gpd.read_file(file)
