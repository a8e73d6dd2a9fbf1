"""Split steps: full-order steps for sets that straddle a neuron's dying surface.

A neuron facing right (``w_j > 0``, active on ``[k_j, b]``) is dead exactly when
its kink ``k_j >= b``; facing left, when ``k_j <= a``. On the *dying surface*
``k_j = b`` (resp. ``a``) its active set has measure zero. A kink that tends to
the end of the domain from inside (a dying neuron) approaches that surface
exponentially, so an enclosure of the state soon lies across it and Taylor
steps for the true field, which is not analytic there, are impossible.

**Lemma (dead stays dead, live stays live).** For the normalized flows the field
``F`` is Lipschitz. Let ``D_j`` be the set of states where neuron ``j`` is dead.
On ``D_j`` the neuron's own velocities vanish and the other components do not
depend on it, so the curve that keeps neuron ``j``'s coordinates frozen and moves
the others by the field of the network without it solves ``x' = F(x)``, forwards
and backwards in time; by uniqueness (in both directions) a solution starting in
``D_j`` stays in ``D_j`` and one starting outside never reaches it.

**Split step.** Let ``F_dead`` be the field of the network without neuron ``j``
(its components 0), equal to ``F`` on ``D_j``, and ``F_live`` the analytic
continuation of ``F`` from the live side across the surface
(:meth:`verifier.field.vector_field.VectorField.side`), equal to ``F`` on the live
states near it. Solutions from the dead part of the set solve ``x' = F_dead``,
those from the live part ``x' = F_live`` (the lemma, and uniqueness as long as they
stay in the verified a priori box of that side). So two Taylor steps of full order,
one per side field and each over the whole set (both fields are analytic across the
surface), give two enclosures ``image_s + A_s (x(0) - xhat)``, each valid for its
part of the set; their entrywise union is valid for all of it. The witnesses are
the two a priori boxes; :func:`split_check` proves the step from them (the integrator
searches them, :mod:`verifier.integrate._split`; the checker re-proves them).

**One-sided steps.** When the whole set lies on one side (:func:`sides_of`), only
that side's step is needed: its solutions stay on that side (the lemma) and follow
its field. This is the usual case for a point or a thin set whose a priori box,
not the set, reaches the surface: a step of full accuracy instead of a union.
"""

from __future__ import annotations

from collections.abc import Sequence

from flint import arb, arb_mat

from verifier.arith.balls import BallArithmetic
from verifier.field import flows
from verifier.proof.step import StepData, StepKind
from verifier.proof.taylor import Expansion, taylor_check

SIDES = ("live", "dead")


def sides_of(field, j: int, hull: Sequence[arb]) -> tuple[str, ...]:
    """The sides of neuron ``j``'s dying surface that the set ``hull`` meets.

    Neuron ``j`` is dead exactly when its preactivation ``w x + b`` is ``<= 0`` at both
    ends ``a``, ``b`` of the domain (it is affine in ``x``). So ``("live",)`` when one
    end's preactivation is ``> 0`` over the whole hull, ``("dead",)`` when both are
    ``<= 0`` over it, and both sides otherwise (proven in ball arithmetic).
    """
    ar = BallArithmetic()
    w, b, _, _ = flows.parameters(ar, field.flow, list(hull), field.width, field.signs)
    ends = [w[j] * ar.const(field.moments.cuts[i]) + b[j] for i in (0, -1)]
    if any(e > 0 for e in ends):
        return ("live",)
    if all(e <= 0 for e in ends):
        return ("dead",)
    return SIDES


def combine(parts: Sequence[StepData], j: int, sides: Sequence[str],
            guesses: Sequence[Sequence[arb]]) -> StepData:
    """The union of the side steps (module docstring), with their witnesses."""
    n = len(parts[0].image)

    def union(xs):
        out = xs[0]
        for x in xs[1:]:
            out = arb.union(out, x)
        return out

    image = [union([p.image[i] for p in parts]) for i in range(n)]
    apriori = [union([p.apriori[i] for p in parts]) for i in range(n)]
    jac = arb_mat([[union([p.jacobian[i, k] for p in parts]) for k in range(n)]
                   for i in range(n)])
    witness: dict = {"neuron": j}
    for s, g in zip(sides, guesses):
        witness[s] = {"guess": list(g)}
    return StepData(h=parts[0].h, image=image, jacobian=jac, apriori=apriori,
                    kind=StepKind.SPLIT, order=parts[0].order,
                    remainder=max(p.remainder for p in parts),
                    tail=max(p.tail for p in parts), jet_order=parts[0].jet_order,
                    witness=witness,
                    parts=tuple((p.image, p.jacobian) for p in parts) if len(parts) > 1
                    else ())


def split_check(field, j: int, sides: Sequence[str], exs: Sequence[Expansion], h: arb,
                guesses: Sequence[Sequence[arb]]) -> StepData | None:
    """The split step for the (decoded) witness boxes; ``None`` when an inclusion
    fails. Raises ``NotOnePiece`` when a box is not in a side field's analytic domain.
    The caller must have proven that the set meets no side outside ``sides``
    (:func:`sides_of`)."""
    parts = []
    for side, ex, g in zip(sides, exs, guesses):
        data = taylor_check(field.side(j, side), ex, h, list(g))
        if not isinstance(data, StepData):
            return None
        parts.append(data)
    return combine(parts, j, sides, guesses)
