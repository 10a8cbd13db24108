"""The time budget of a solve, carried through its stages.

A solve runs in stages - Lagrangian hub fixing, lazy linking rounds, the MIP, the
marginal-value LP - that share one ``time_limit_s``. One :class:`Deadline` is made when
the solve starts; each stage takes its budget from it (:meth:`Deadline.stage`) instead
of recomputing what is left.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Deadline:
    """A time limit counted from ``start`` (a :func:`time.perf_counter` reading);
    ``limit_s`` None means no limit.

    Examples
    --------
    >>> from hubopt.deadline import Deadline
    >>> deadline = Deadline(60.0)
    >>> deadline.expired(), 59.0 < deadline.remaining_s() <= 60.0
    (False, True)
    >>> deadline.stage(share=0.25).limit_s  # a quarter of the limit, from now
    15.0
    >>> Deadline(None).remaining_s() is None
    True
    """

    limit_s: float | None
    start: float = field(default_factory=time.perf_counter)

    def elapsed_s(self) -> float:
        """Seconds since :attr:`start`."""
        return time.perf_counter() - self.start

    def remaining_s(self, at_least: float = 0.0) -> float | None:
        """Seconds left, but no fewer than ``at_least``; None without a limit."""
        if self.limit_s is None:
            return None
        return max(self.limit_s - self.elapsed_s(), at_least)

    def expired(self) -> bool:
        """True once the limit is spent (never without a limit)."""
        return self.limit_s is not None and self.elapsed_s() >= self.limit_s

    def stage(self, share: float = 1.0, at_least: float = 0.0) -> Deadline:
        """The deadline of a stage starting now: ``share`` of the whole limit, but no
        more than is left, and at least ``at_least`` seconds (a stage that must run,
        such as the MIP after the Lagrangian, gets a moment even when the time is
        spent). No limit without one."""
        if self.limit_s is None:
            return Deadline(None)
        left = self.limit_s - self.elapsed_s()
        return Deadline(max(min(share * self.limit_s, left), at_least))
