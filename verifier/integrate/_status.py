"""Outcomes of a validated integration (the kinds of steps: :mod:`verifier.proof.step`).

One enum, :class:`Status`, whose values are user messages (as in diffrax's
``RESULTS``). Precedence when several apply: a lost enclosure or a singular
flow (errors) over a budget stop over ``REACHED``.
"""

from __future__ import annotations

from enum import Enum


class Status(Enum):
    """Why :func:`verifier.integrate.integrate` stopped (the value is the message)."""

    REACHED = "reached the horizon"
    NOT_FINITE = "enclosure lost: a bound became infinite or NaN"
    WIDTH_LIMIT = "enclosure lost: the enclosure grew wider than the width limit"
    STEP_UNDERFLOW = "enclosure lost: no step could be validated (step size underflow)"
    SINGULAR = "singular: the standard flow reached (w_j, b_j) = 0, where it is not regular"
    MAX_STEPS = "stopped: the step budget was exhausted"

    @property
    def ok(self) -> bool:
        """True when the horizon was reached."""
        return self is Status.REACHED

    def __str__(self) -> str:
        return self.value
