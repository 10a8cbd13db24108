"""The public error hierarchy of hubopt.

Every error subclasses :class:`HuboptError` and a builtin, so callers can catch either.
"""

from __future__ import annotations


class HuboptError(Exception):
    """Base class of every error hubopt raises on purpose.

    Examples
    --------
    >>> import hubopt
    >>> try:
    ...     hubopt.solve(hubopt.datasets.tiny(), solver="gurobi")
    ... except hubopt.HuboptError as exc:  # every error hubopt raises on purpose
    ...     print(type(exc).__name__)
    ValidationError
    """


class ValidationError(HuboptError, ValueError):
    """Input that cannot form a valid network.

    Parameters
    ----------
    problems
        One line per problem, each naming the table, row id, column and bad value.

    Examples
    --------
    >>> import hubopt
    >>> net = hubopt.datasets.tiny()
    >>> origins = net.origins.assign(supply_t=[-5.0, 1e16])
    >>> try:
    ...     net.replace(origins=origins)
    ... except ValueError as exc:  # a ValidationError is a ValueError
    ...     for problem in exc.problems:
    ...         print(problem.split(": ", 1)[1])
    1e+16 is absurdly large (limit 1e+15); check the units
    -5 is negative; it must be zero or more
    """

    def __init__(self, problems: list[str] | str) -> None:
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        n = len(self.problems)
        if all(p.startswith("table '") for p in self.problems):
            head = f"{n} problem{'s' if n != 1 else ''} in the network:"
        elif n == 1:  # an option, a file or a config: the message says it all
            super().__init__(self.problems[0])
            return
        else:
            head = f"{n} problems:"
        super().__init__("\n".join([head, *("  - " + p for p in self.problems)]))


class InfeasibleError(HuboptError, RuntimeError):
    """The model has no feasible solution.

    Examples
    --------
    >>> import hubopt
    >>> net = hubopt.datasets.tiny()
    >>> try:
    ...     hubopt.solve(net, max_hubs=0)
    ... except hubopt.InfeasibleError:
    ...     print(hubopt.explain_infeasible(net, max_hubs=0).feasible)
    False
    """


class SolverError(HuboptError, RuntimeError):
    """The solver is missing, failed, or stopped without a solution.

    Examples
    --------
    >>> import hubopt
    >>> issubclass(hubopt.SolverError, RuntimeError)
    True
    >>> result = hubopt.solve(hubopt.datasets.tiny(), time_limit_s=60)
    >>> result.proven_optimal  # no SolverError: a solution was found in time
    True
    """


class RouteError(HuboptError, RuntimeError):
    """A leg needs a route that does not exist, e.g. because ``avoid`` closed the
    only passage; the message names the leg and the passage(s).

    Examples
    --------
    >>> import hubopt
    >>> from hubopt import geo
    >>> casablanca, novorossiysk = (-7.62, 33.6), (37.77, 44.72)
    >>> try:
    ...     geo.sea_route(casablanca, novorossiysk, avoid=["bosporus"])
    ... except hubopt.RouteError as exc:
    ...     print("bosporus" in str(exc))
    True
    """


class OutputError(HuboptError, OSError):
    """The results could not be written (a full disk, a read-only folder); the output
    folder was left as it was. The command line exits with code 2.

    Examples
    --------
    >>> import hubopt
    >>> issubclass(hubopt.OutputError, OSError)
    True
    """


class SolverMissingError(SolverError):
    """The solver asked for is not installed: an install problem, not a property of
    the network. The message says how to install it; the command line exits with 2.

    Examples
    --------
    >>> import hubopt
    >>> issubclass(hubopt.SolverMissingError, hubopt.SolverError)
    True
    """
