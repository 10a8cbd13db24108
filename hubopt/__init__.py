"""hubopt: siting logistics hubs with a facility-location MILP and a geospatial layer.

>>> import hubopt
>>> result = hubopt.solve(hubopt.datasets.tiny())
>>> round(result.objective, 6)
1140.0
"""

from __future__ import annotations

from . import datasets as datasets
from ._version import __version__ as __version__
from .breakeven import break_even as break_even
from .briefing import brief as brief
from .check import check_solution as check_solution
from .decisions import alternatives as alternatives
from .decisions import pareto as pareto
from .decisions import robust as robust
from .decisions import sweep as sweep
from .diagnose import explain_infeasible as explain_infeasible
from .errors import HuboptError as HuboptError
from .errors import InfeasibleError as InfeasibleError
from .errors import OutputError as OutputError
from .errors import RouteError as RouteError
from .errors import SolverError as SolverError
from .errors import SolverMissingError as SolverMissingError
from .errors import ValidationError as ValidationError
from .io import read_network as read_network
from .io import write_network as write_network
from .legs import generate_legs as generate_legs
from .legs import with_leg_attributes as with_leg_attributes
from .network import Network as Network
from .options import ModelOptions as ModelOptions
from .options import SolveOptions as SolveOptions
from .options import SolverSettings as SolverSettings
from .result import Result as Result
from .scenarios import Scenario as Scenario
from .scenarios import builtin_scenarios as builtin_scenarios
from .scenarios import compare as compare
from .scenarios import read_scenarios as read_scenarios
from .solving import solve as solve
from .uncertainty import UncertaintyResult as UncertaintyResult
from .uncertainty import uncertainty as uncertainty
