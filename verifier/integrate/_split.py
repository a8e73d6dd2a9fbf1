"""Full-order steps for sets that straddle a neuron's dying surface.

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
the two a priori boxes; the checker re-proves both with the same theorem
(:func:`split_check`).

**One-sided steps.** When the whole set lies on one side (:func:`sides_of`), only
that side's step is needed: its solutions stay on that side (the lemma) and follow
its field. This is the usual case for a point or a thin set whose a priori box,
not the set, reaches the surface: a step of full accuracy instead of a union.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

from flint import arb, arb_mat, fmpq

from verifier.arith.balls import BallArithmetic
from verifier.arith.series import NotOnePiece
from verifier.field import flows
from verifier.integrate._controller import dyadic, propose_step
from verifier.integrate._status import StepKind
from verifier.integrate._taylor import Expansion, StepData, expand, taylor_check, taylor_step

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


def nearest_dying(field, xhat: Sequence[arb]) -> list[int]:
    """The neurons ordered by how close ``xhat`` is to their dying surface: the
    distance ``|w_j e + b_j|`` of the preactivation to 0 at the nearer end ``e`` of the
    domain (floats choose the order; a neuron far from its surface splits trivially
    and its side steps would meet the nearer neuron's surface instead)."""
    ar = BallArithmetic()
    w, b, _, _ = flows.parameters(ar, field.flow, list(xhat), field.width, field.signs)
    ends = [float(field.moments.cuts[i]) for i in (0, -1)]
    dist = [min(abs(float(w[j].mid()) * e + float(b[j].mid())) for e in ends)
            for j in range(field.width)]
    return sorted(range(field.width), key=lambda j: dist[j])


def split_expansions(field, j: int, sides: Sequence[str], xhat: Sequence[arb],
                     hull: Sequence[arb], order: int, jet_order: int
                     ) -> list[Expansion] | None:
    """The expansions of the given side fields of neuron ``j`` over the hull, or
    ``None`` when one of them is not analytic there (the set straddles something else)."""
    try:
        return [expand(field.side(j, s), xhat, hull, order, jet_order) for s in sides]
    except (NotOnePiece, ValueError):
        return None


def find_split(field, xhat: Sequence[arb], hull: Sequence[arb], order: int, jet_order: int
               ) -> tuple[int, tuple[str, ...], list[Expansion]] | None:
    """The first neuron ``j`` whose side fields are analytic over the hull, with the
    sides the hull meets and their expansions; ``None`` if there is none (normalized
    flows only)."""
    if getattr(field, "flow", "standard") == "standard":
        return None
    for j in nearest_dying(field, xhat):
        sides = sides_of(field, j, hull)
        exs = split_expansions(field, j, sides, xhat, hull, order, jet_order)
        if exs is not None:
            return j, sides, exs
    return None


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


def split_step(field, j: int, sides: Sequence[str], exs: Sequence[Expansion], h: arb,
               floor: arb) -> StepData | None:
    """The side steps for the step ``h`` (searching their a priori boxes), combined;
    ``None`` when an a priori inclusion fails (too long a step). Raises
    ``NotOnePiece`` when an a priori box leaves the side field's analytic domain.
    (Each side is proven on the ball a reader decodes from its stored witness, as
    :func:`taylor_step` does, so :func:`split_check` on the decoded witnesses
    reproduces the result.)"""
    parts = []
    for side, ex in zip(sides, exs):
        data = taylor_step(field.side(j, side), ex, h, floor)
        if data is None:
            return None
        parts.append(data)
    return combine(parts, j, sides, [p.witness["guess"] for p in parts])


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


def split_attempt(field, xhat: Sequence[arb], hull: Sequence[arb], order: int, jet_order: int,
                  remaining, tol: float, floor: arb, h_hint: float | None,
                  max_attempts: int = 16, accept: float = 3.0,
                  shorten: Callable[[Expansion, float], float] | None = None):
    """Propose and prove a split step (floats propose, balls prove).

    Returns ``(StepData, h)`` with ``h`` an exact rational step (at most
    ``remaining``), or ``None`` when the set does not split into analytic sides or
    no step is validated. The step size starts from the Taylor coefficients of the
    first side at ``xhat`` (at most ``h_hint``, the caller's proposal, and at most what
    ``shorten(ex, h)`` allows for each side's expansion: the caller's wrapping control)
    and shrinks on failure; a step is accepted when every remainder is below
    ``accept * tol``.
    """
    found = find_split(field, xhat, hull, order, jet_order)
    if found is None:
        return None
    j, sides, exs = found
    h = propose_step(exs[0].centre, order, tol)
    if h_hint is not None:
        h = min(h, h_hint)
    if shorten is not None:
        for ex in exs:
            h = shorten(ex, h)
    h = min(h, float(remaining))
    for _ in range(max_attempts):
        hq = min(Fraction(dyadic(h)), Fraction(remaining))
        if hq <= 0:
            return None
        harb = arb(fmpq(hq.numerator, hq.denominator))
        try:
            data = split_step(field, j, sides, exs, harb, floor)
        except NotOnePiece:
            data = None
        if data is None:
            h = 0.5 * float(hq)
            continue
        if data.remainder > accept * tol:  # shrink as the remainder ~ h^(p+1) asks
            h = float(hq) * min(0.9, 0.9 * (tol / data.remainder) ** (1.0 / (order + 1)))
            continue
        return data, hq
    return None
