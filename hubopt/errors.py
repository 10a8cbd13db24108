"""The public error hierarchy of hubopt.

Every error subclasses :class:`HuboptError` and a builtin, so callers can catch either.
"""

from __future__ import annotations


class HuboptError(Exception):
    """Base class of every error hubopt raises on purpose."""


class ValidationError(HuboptError, ValueError):
    """Input that cannot form a valid network.

    Parameters
    ----------
    problems
        One line per problem, each naming the table, row id, column and bad value.
    """

    def __init__(self, problems: list[str] | str) -> None:
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the network:"
        super().__init__("\n".join([head, *("  - " + p for p in self.problems)]))


class InfeasibleError(HuboptError, RuntimeError):
    """The model has no feasible solution."""


class SolverError(HuboptError, RuntimeError):
    """The solver is missing, failed, or stopped without a solution."""


class RouteError(HuboptError, RuntimeError):
    """A leg needs a route that does not exist, e.g. because ``avoid`` closed the
    only passage; the message names the leg and the passage(s)."""
