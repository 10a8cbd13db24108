"""Networks bundled with hubopt, readable after any install (no download).

>>> import hubopt
>>> hubopt.datasets.list()
['morocco_kazakhstan', 'tiny']
"""

from __future__ import annotations

import builtins
from importlib.resources import as_file, files
from pathlib import Path

from .errors import ValidationError
from .io import read_network
from .network import Network

#: Bundled networks and what each is.
DATASETS = {
    "morocco_kazakhstan": "Kazakh wheat -> Moroccan hub port -> African markets",
    "tiny": "a made-up, hand-checkable network (2 origins, 3 hubs, 3 markets)",
}


def data_root() -> Path:
    """The folder of bundled data: the installed package ``hubopt.data``, or the
    source tree's top-level ``data/`` when hubopt runs from a checkout."""
    try:
        resource = files("hubopt.data")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "data"
    with as_file(resource) as folder:
        return Path(folder)


def list() -> builtins.list[str]:
    """Names of the bundled networks that are present in this install."""
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
    """
    if name not in DATASETS:
        msg = f"no bundled network named {name!r}; bundled: {sorted(DATASETS)}"
        raise ValidationError(msg)
    return data_root() / name


def load(name: str) -> Network:
    """Read a bundled network by name."""
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


def morocco_kazakhstan() -> Network:
    """Kazakh wheat through a Moroccan hub port to African markets; see data/README.md
    for every figure's source."""
    return load("morocco_kazakhstan")
