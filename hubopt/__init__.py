"""hubopt: siting logistics hubs with a facility-location MILP and a geospatial layer."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .errors import HuboptError as HuboptError
from .errors import InfeasibleError as InfeasibleError
from .errors import SolverError as SolverError
from .errors import ValidationError as ValidationError

try:
    __version__ = version("hubopt")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"
