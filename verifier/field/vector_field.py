"""The vector field ``F = -grad L`` of one flow, evaluable in any arithmetic.

``field(ar, y)`` returns ``F(y)`` for a state ``y`` whose entries are values of
the arithmetic ``ar`` (floats, balls, jets, power series, jets of series). This
is the single entry point the integrators use: Taylor coefficients come from
evaluating it on series, Jacobians from evaluating it on jets, enclosures from
evaluating it on balls. In series arithmetic an undecided case distinction
raises :class:`verifier.arith.series.NotOnePiece` (the set straddles a switching
surface, where the field is only Lipschitz).

Evaluation goes through the straight-line programs of the field's analytic pieces
(:mod:`verifier.field.program`), traced once from the generic kernel and equal to it
bit for bit; the kernel itself evaluates what no program covers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from verifier.field import flows
from verifier.field.kernel import evaluate
from verifier.field.moments import Moments
from verifier.field.program import Piece, Program


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
        prog = self.program()
        if prog is None:
            return self.kernel(ar, y)
        return prog(ar, y)

    def program(self) -> Program | None:
        """The traced pieces of this field (shared by every equal field of the problem);
        ``None`` when the moments use Taylor-cell models, whose evaluation depends on
        the type of its argument and is left to the kernel."""
        if not self.moments.closed_form:
            return None
        key = (self.flow, self.width, self.signs, self.sides)
        prog = self.moments.programs.get(key)
        if prog is None:
            prog = self.moments.programs[key] = Program(self.kernel)
        return prog

    def piece(self, ar, y: Sequence[Any]) -> tuple[list, Piece | None]:
        """``(F(y), piece)``: the field at ``y`` and the traced piece whose decisions
        ``y`` satisfies in ``ar`` (``None`` when the kernel evaluated it). In power-series
        arithmetic the piece's :meth:`~verifier.field.program.Piece.formula` is then the
        field on a neighbourhood of the box of constant terms."""
        prog = self.program()
        if prog is not None:
            piece, out = prog.find(ar, y)
            if piece is not None:
                return out, piece
        return self.kernel(ar, y), None

    def kernel(self, ar, y: Sequence[Any]) -> list:
        """``F(y)`` by the generic kernel (the reference the programs replay)."""
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
