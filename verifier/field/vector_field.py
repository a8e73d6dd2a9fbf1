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
from dataclasses import dataclass, replace
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

    #: ``((j, "live" | "dead"), ...)``: neurons evaluated by one side's formula across
    #: their dying surface (:meth:`side`); empty for the true field.
    sides: tuple[tuple[int, str], ...] = ()

    def __call__(self, ar, y: Sequence[Any]) -> list:
        """``F(y) = -gradient(y)`` in the arithmetic ``ar``."""
        w, b, v, c = flows.parameters(ar, self.flow, y, self.width, self.signs)
        res = evaluate(ar, self.moments, w, b, v, c, want_risk=False,
                       sides=dict(self.sides) or None)
        return [-g for g in flows.gradient(self.flow, w, b, v, res)]

    def risk(self, ar, y: Sequence[Any]):
        w, b, v, c = flows.parameters(ar, self.flow, y, self.width, self.signs)
        return evaluate(ar, self.moments, w, b, v, c, want_risk=True,
                        sides=dict(self.sides) or None).risk

    def side(self, j: int, side: str) -> VectorField:
        """The field with neuron ``j`` on one side of its dying surface.

        ``"dead"``: the field of the network without neuron ``j`` (its components 0),
        equal to ``F`` wherever neuron ``j`` is dead. ``"live"``: the analytic
        continuation of ``F`` from the side where neuron ``j`` is active on a set of
        positive length near the dying end, equal to ``F`` there. Dead neurons never
        revive and live ones never die in finite time (the dead set of a neuron is
        invariant for the Lipschitz field, forwards and backwards), so each side's
        solutions follow that side's field for all time.
        """
        if side not in ("live", "dead") or not 0 <= j < self.width:
            raise ValueError(f"bad side {side!r} for neuron {j}")
        if self.flow == "standard":
            raise ValueError("side fields are for the normalized flows")
        sides = dict(self.sides)
        sides[j] = side
        return replace(self, sides=tuple(sorted(sides.items())))
