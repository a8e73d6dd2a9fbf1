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
"""

from __future__ import annotations

from collections.abc import Sequence

from flint import arb, arb_mat

from verifier.arith.series import NotOnePiece
from verifier.integrate._status import StepKind
from verifier.integrate._taylor import Expansion, StepData, expand, taylor_check, taylor_step

SIDES = ("live", "dead")


def split_expansions(field, j: int, xhat: Sequence[arb], hull: Sequence[arb], order: int,
                     jet_order: int) -> tuple[Expansion, Expansion] | None:
    """The expansions of both side fields of neuron ``j`` over the hull, or ``None`` when
    either side is not analytic there (the set straddles something else too)."""
    try:
        return tuple(expand(field.side(j, s), xhat, hull, order, jet_order)  # type: ignore
                     for s in SIDES)
    except (NotOnePiece, ValueError):
        return None


def find_split(field, xhat: Sequence[arb], hull: Sequence[arb], order: int, jet_order: int
               ) -> tuple[int, tuple[Expansion, Expansion]] | None:
    """The first neuron ``j`` for which the hull splits into two analytic sides, with
    both side expansions; ``None`` if there is none (normalized flows only)."""
    if getattr(field, "flow", "standard") == "standard":
        return None
    for j in range(field.width):
        exs = split_expansions(field, j, xhat, hull, order, jet_order)
        if exs is not None:
            return j, exs
    return None


def combine(parts: Sequence[StepData], j: int, guesses: Sequence[Sequence[arb]]) -> StepData:
    """The union of the side steps (module docstring), with both witnesses."""
    a, b = parts
    n = len(a.image)
    image = [arb.union(x, y) for x, y in zip(a.image, b.image)]
    apriori = [arb.union(x, y) for x, y in zip(a.apriori, b.apriori)]
    jac = arb_mat([[arb.union(a.jacobian[i, k], b.jacobian[i, k]) for k in range(n)]
                   for i in range(n)])
    return StepData(h=a.h, image=image, jacobian=jac, apriori=apriori, kind=StepKind.SPLIT,
                    order=a.order, remainder=max(a.remainder, b.remainder),
                    tail=max(a.tail, b.tail), jet_order=a.jet_order,
                    witness={"neuron": j, "live": {"guess": list(guesses[0])},
                             "dead": {"guess": list(guesses[1])}})


def split_step(field, j: int, exs: Sequence[Expansion], h: arb, floor: arb) -> StepData | None:
    """Both side steps for the step ``h`` (searching their a priori boxes), combined;
    ``None`` when either a priori inclusion fails (too long a step). Raises
    ``NotOnePiece`` when an a priori box leaves the side field's analytic domain.
    (Each side is proven on the ball a reader decodes from its stored witness, as
    :func:`taylor_step` does, so :func:`split_check` on the decoded witnesses
    reproduces the result.)"""
    parts = []
    for side, ex in zip(SIDES, exs):
        data = taylor_step(field.side(j, side), ex, h, floor)
        if data is None:
            return None
        parts.append(data)
    return combine(parts, j, [p.witness["guess"] for p in parts])


def split_check(field, j: int, exs: Sequence[Expansion], h: arb,
                guesses: Sequence[Sequence[arb]]) -> StepData | None:
    """The split step for the (decoded) witness boxes; ``None`` when an inclusion
    fails. Raises ``NotOnePiece`` when a box is not in a side field's analytic domain."""
    parts = []
    for side, ex, g in zip(SIDES, exs, guesses):
        data = taylor_check(field.side(j, side), ex, h, list(g))
        if not isinstance(data, StepData):
            return None
        parts.append(data)
    return combine(parts, j, guesses)


def split_attempt(field, xhat: Sequence[arb], hull: Sequence[arb], order: int, jet_order: int,
                  remaining, tol: float, floor: arb, h_hint: float | None,
                  max_attempts: int = 30, accept: float = 4.0):
    """Propose and prove a split step (floats propose, balls prove).

    Returns ``(StepData, h)`` with ``h`` an exact rational step (at most
    ``remaining``), or ``None`` when the set does not split into two analytic sides or
    no step is validated. The step size starts from the Taylor coefficients of the
    live side at ``xhat`` (or ``h_hint``) and is halved on failure; a step is
    accepted when both remainders are below ``accept * tol``.
    """
    from fractions import Fraction

    from flint import fmpq

    from verifier.integrate._controller import dyadic, propose_step

    found = find_split(field, xhat, hull, order, jet_order)
    if found is None:
        return None
    j, exs = found
    h = propose_step(exs[0].centre, order, tol)
    if h_hint is not None:
        h = min(h, 4.0 * h_hint)
    h = min(h, float(remaining))
    for _ in range(max_attempts):
        hq = min(Fraction(dyadic(h)), Fraction(remaining))
        if hq <= 0:
            return None
        harb = arb(fmpq(hq.numerator, hq.denominator))
        try:
            data = split_step(field, j, exs, harb, floor)
        except NotOnePiece:
            data = None
        if data is None or data.remainder > accept * tol:
            h = 0.5 * float(hq)
            continue
        return data, hq
    return None
