"""The vector field ``F = -grad L`` of one flow, evaluable in any arithmetic.

``field(ar, y)`` returns ``F(y)`` for a state ``y`` whose entries are values of
the arithmetic ``ar`` (floats, balls, jets, power series, jets of series). This
is the single entry point the integrators use: Taylor coefficients come from
evaluating it on series, Jacobians from evaluating it on jets, enclosures from
evaluating it on balls. In series arithmetic an undecided case distinction
raises :class:`verifier.arith.series.NotOnePiece` (the set straddles a switching
surface, where the field is only Lipschitz).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from verifier.field import flows
from verifier.field.kernel import evaluate
from verifier.field.moments import Moments


@dataclass(frozen=True)
class VectorField:
    moments: Moments
    flow: str
    width: int
    signs: tuple[int, ...]

    @property
    def dim(self) -> int:
        return flows.dim(self.flow, self.width)

    @property
    def names(self) -> list[str]:
        return flows.coordinate_names(self.flow, self.width)

    def __call__(self, ar, y: Sequence[Any]) -> list:
        """``F(y) = -gradient(y)`` in the arithmetic ``ar``."""
        w, b, v, c = flows.parameters(ar, self.flow, y, self.width, self.signs)
        res = evaluate(ar, self.moments, w, b, v, c, want_risk=False)
        return [-g for g in flows.gradient(self.flow, w, b, v, res)]

    def risk(self, ar, y: Sequence[Any]):
        w, b, v, c = flows.parameters(ar, self.flow, y, self.width, self.signs)
        return evaluate(ar, self.moments, w, b, v, c, want_risk=True).risk
