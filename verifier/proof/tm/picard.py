"""The Picard-operator step of a Taylor-model set (the proof; no search here).

**Data** (all exact or balls): initial models ``x0_i(r)`` (untimed Taylor models over
``[-1, 1]^n``, remainders allowed), a step ``h > 0``, a polynomial candidate ``P_i(r,
tau)`` (timed models with exact coefficients and remainder 0) and a candidate
remainder ``J_i`` (balls). Let ``U_i = P_i + J_i`` and ``K`` the box of their ranges.

**Check** (:func:`picard_image`). ``F`` is evaluated on ``U`` in Taylor-model
arithmetic of the timed space (:mod:`verifier.arith.timed_model`): by the formula of
its analytic piece when the piece's decisions hold on ``K`` (then ``F`` equals that
formula on ``K``; :func:`verifier.proof.tm.formula.piece_on`), else by the generic
kernel deciding in the models' arithmetic (an enclosure too). Then

    Q_i = x0_i + h int_0^tau V_i,   V = F(U),      J'_i = bound(Q_i - P_i),

and the step holds when ``J'_i`` lies in the interior of ``J_i`` for every ``i``
(:func:`picard_check`).

**Theorem.** Then for every ``r`` in ``[-1, 1]^n`` and every initial value ``x0`` in
the value of the models ``x0(r)``, the solution of ``x' = F(x)``, ``x(0) = x0``, exists
on ``[0, h]`` and ``x(h tau)`` lies in ``Q(r, tau)`` (hence in ``P(r, tau) + J'``) for
every ``tau`` in ``[0, 1]``.

*Proof.* Fix ``r`` and ``x0``. Let ``W`` be the set of continuous ``x: [0, h] -> R^n``
with ``x(h tau) - P(r, tau)`` in ``J`` for all ``tau``: closed, convex, non-empty, and
its functions take values in ``K``. For ``x`` in ``W``, ``F(x(h tau))`` lies in
``V(r, tau)`` at every ``tau`` (Taylor-model operations enclose pointwise, for any
function with values in the models), so the Picard image ``(Px)(h tau) = x0 + h
int_0^tau F(x(h s)) ds`` lies in ``Q(r, tau)``
(:meth:`~verifier.arith.timed_model.TimedModel.integrate_time`), inside ``P + J' ⊂
P + J``: ``P`` maps ``W`` into itself. ``F`` is Lipschitz on the compact ``K`` (the
flows' fields are Lipschitz), so the Picard iterates from any element of ``W`` stay in
``W`` and converge uniformly on ``[0, h]`` (the classical ``(L h)^k / k!`` estimate) to a
fixed point, a solution with values in ``K``; by uniqueness it is *the* solution, and
being a fixed point it lies in ``P(W)``, i.e. in ``Q``. ∎

Strict inclusion is not needed by the proof; it is asked, as for the a priori boxes of
the other steps, so that a stored witness still validates after its ends are rounded.

A checker re-proves a step from ``(x0, h, P, J)`` with :func:`picard_check`: one
evaluation of the field in timed Taylor-model arithmetic, no search.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flint import arb

from verifier.arith.taylor_model import TaylorModel, TaylorModelArithmetic
from verifier.arith.timed_model import TimedModel, TimedSpace
from verifier.field.program import Piece
from verifier.proof.picard import strictly_inside
from verifier.proof.tm.formula import evaluate, piece_on


@dataclass(frozen=True)
class PicardImage:
    """The Picard image ``Q`` of ``U = P + J`` and what it was computed from."""

    #: ``Q_i(r, tau)``: encloses the solutions at ``t = h tau`` when the step holds.
    Q: tuple[TimedModel, ...]
    #: ``J'_i = bound(Q_i - P_i)``.
    remainder: tuple[arb, ...]
    #: ``K``: the box of the ranges of ``P + J`` (where ``F`` was evaluated).
    box: tuple[arb, ...]
    #: The analytic piece whose formula was evaluated (``None``: the generic kernel).
    piece: Piece | None

    def holds(self, J: Sequence[arb]) -> bool:
        """Whether every ``J'_i`` lies in the interior of ``J_i`` (exact ends)."""
        return strictly_inside(self.remainder, J)

    def image(self) -> list[TaylorModel]:
        """Untimed models enclosing ``x(h; r)``: ``Q`` at ``tau = 1``."""
        return [q.at_time(1) for q in self.Q]

    def apriori(self) -> list[arb]:
        """A box containing every solution from the initial models on ``[0, h]``."""
        return [q.bound() for q in self.Q]


def picard_image(field: Any, x0: Sequence[TaylorModel], P: Sequence[TimedModel],
                 J: Sequence[arb], h: arb) -> PicardImage:
    """``Q = x0 + h int_0^tau F(P + J)`` and ``J' = bound(Q - P)`` (module docstring).

    ``P`` must be models over one :class:`~verifier.arith.timed_model.TimedSpace` whose
    untimed space is that of ``x0``."""
    if not (len(x0) == len(P) == len(J)):
        raise ValueError("x0, P and J must have one entry per coordinate")
    ts: TimedSpace = P[0].space
    U = [p.widened(j) for p, j in zip(P, J)]
    box = tuple(u.bound() for u in U)
    piece = piece_on(field, box) if all(b.is_finite() for b in box) else None
    ar = TaylorModelArithmetic(ts)
    V = evaluate(field, piece, ar, U)
    Q = []
    for a, v in zip(x0, V):
        v = ar.lift(v)
        Q.append(TimedModel.from_model(ts, a) + v.integrate_time().scale(h))
    remainder = tuple((q - p).bound() for q, p in zip(Q, P))
    return PicardImage(tuple(Q), remainder, box, piece)


def picard_check(field: Any, x0: Sequence[TaylorModel], P: Sequence[TimedModel],
                 J: Sequence[arb], h: arb) -> PicardImage | None:
    """The :class:`PicardImage` when the step holds for the witness ``(P, J)``, else
    ``None`` (module docstring)."""
    if not h > 0:
        raise ValueError("the step must be positive")
    out = picard_image(field, x0, P, J, h)
    return out if out.holds(J) else None
