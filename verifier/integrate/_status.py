"""Outcomes: of a validated integration, and of one attempt at a step.

:class:`IntegrationStatus` says why :func:`verifier.integrate.integrate` stopped; its
values are user messages (as in diffrax's ``RESULTS``). Precedence when several apply: a
lost enclosure or a singular flow (errors) over a budget stop over ``REACHED``. A step
strategy (:mod:`verifier.integrate._steps`) returns :class:`Accepted` (a proven step) or
:class:`Failed` (no step, and why). The kinds of steps are
:class:`verifier.proof.step.StepKind`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from fractions import Fraction

from verifier.proof.step import StepData


class IntegrationStatus(Enum):
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
        return self is IntegrationStatus.REACHED

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Accepted:
    """A proven step of length ``h`` (an exact dyadic)."""

    data: StepData
    h: Fraction


@dataclass(frozen=True)
class Failed:
    """No step: the run stops with ``status`` (a split attempt that finds no dying surface
    fails with ``status`` None: another strategy is tried)."""

    reason: str
    status: IntegrationStatus | None = IntegrationStatus.STEP_UNDERFLOW


#: The outcome of a step strategy.
Attempt = Accepted | Failed
