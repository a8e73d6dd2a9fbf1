"""One Taylor-model step of a tube, re-proven from its witness (no search here).

**Data.** A Taylor-model set ``X = (c, C, p + I)`` (:class:`~verifier.proof.tm.sets.TaylorSet`)
whose right models lie in ``[-1, 1]^n``; an exact step ``h > 0``; the witness of the
Picard step, a polynomial ``P`` over the timed space ``(n, d, orders)`` with exact
coefficients and a remainder box ``J``; the next frame ``(c', Q, sigma)`` (exact
vector, exact matrix, exact positive scales).

**Check** (:func:`taylor_model_step`):

1. ``X``'s right models lie in ``[-1, 1]^n`` (the Picard step runs over ``z`` in that
   box: every point of ``X`` is ``c + C z`` for such a ``z``);
2. the Picard check (:func:`verifier.proof.tm.picard.picard_check`) for the left models
   ``c + C z`` and ``(P, J)``: every solution from ``X`` exists on ``[0, h]``, lies in
   the box ``apriori`` there (the ranges of ``Q(z, tau)``), and ``x(h)`` lies in ``Y(z)
   = Q(z, 1)``;
3. the move check (:func:`verifier.proof.tm.sets.move_check`): the set ``(c', Q
   diag(sigma), p' + I')`` contains ``{Y(z) : z in p(r) + I}`` and its right models lie
   in ``[-1, 1]^n``.

**Theorem.** Then every solution from ``X`` lies in ``apriori`` on ``[0, h]`` and in
the next set at ``h``. A stored next set whose centre and frame are ``c'`` and ``Q
diag(sigma)`` and whose right models contain the recomputed ones on the whole domain
(:func:`contains_set`: the range of the difference of the polynomials plus the computed
remainder inside the stored remainder) contains it too. By induction over the steps, every
solution from the initial box is in the stored set at each step's end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flint import arb, arb_mat

from verifier.arith.exact import canonical
from verifier.arith.taylor_model import SYM, ZERO, TaylorModel, times_range
from verifier.arith.timed_model import TimedModel
from verifier.proof.tm.picard import PicardImage, picard_check
from verifier.proof.tm.sets import TaylorSet, move_check, times_diag
from verifier.proof.verdict import Rejected


@dataclass(frozen=True)
class TaylorModelStep:
    """A proven Taylor-model step: the Picard image, the a priori box on ``[0, h]`` and
    the next set (module docstring)."""

    picard: PicardImage
    apriori: list[arb]
    next: TaylorSet


def inside_unit_box(X: TaylorSet) -> bool:
    """Whether every right model's values (polynomial plus remainder) lie in ``[-1,
    1]`` on the domain: each monomial by its exact range, the ends summed in ball
    arithmetic from exact numbers (so the initial set's ``p(r) = r`` passes exactly)."""
    for q in X.p:
        hi = q.c[0] + arb(q.rem.upper())
        lo = q.c[0] + arb(q.rem.lower())
        for v, kind in zip(q.c[1:], q.space.ranges[1:]):
            if v is ZERO:
                continue
            if kind == SYM:
                hi += arb(v.abs_upper())
                lo -= arb(v.abs_upper())
            else:
                hi += arb(max(v.upper(), 0))
                lo += arb(min(v.lower(), 0))
        if not (hi.is_finite() and lo.is_finite() and hi.upper() <= 1 and lo.lower() >= -1):
            return False
    return True


def taylor_model_step(field, X: TaylorSet, h: arb, P: Sequence[TimedModel],
                      J: Sequence[arb], c: Sequence[arb], Q: arb_mat, sigma: Sequence[arb]
                      ) -> TaylorModelStep:
    """The proven step (module docstring); raises :class:`Rejected` naming the first
    hypothesis that fails."""
    n = X.dim
    if not (len(P) == len(J) == len(c) == len(sigma) == n and Q.nrows() == Q.ncols() == n):
        raise Rejected("the witness does not have one entry per coordinate")
    if not h > 0:
        raise Rejected("the step is not positive")
    if any(p.space.space is not X.space for p in P):
        raise Rejected("the polynomial P is not over the set's space of initial coordinates")
    if not all(x.rad() == 0 for x in c) or not all(s.rad() == 0 and s > 0 for s in sigma):
        raise Rejected("the frame's centre or scales are not exact positive numbers")
    if not all(Q[i, j].rad() == 0 for i in range(n) for j in range(n)):
        raise Rejected("the frame Q is not exact")
    if not all(p.rem.is_zero() for p in P):
        raise Rejected("the polynomial P carries a remainder")
    if not inside_unit_box(X):
        raise Rejected("the set's right models leave [-1, 1]^n")
    img = picard_check(field, X.initial(), P, J, h)
    if img is None:
        raise Rejected("the Picard inclusion J' in int J fails")
    try:
        nxt = move_check(X, img.image(), c, Q, sigma)
    except ArithmeticError:  # Q diag(sigma) not exact
        raise Rejected("the frame Q diag(sigma) is not exact") from None
    if nxt is None:
        raise Rejected("the image does not fit the next frame (right models leave "
                       "[-1, 1]^n or Q is not invertible)")
    return TaylorModelStep(img, img.apriori(), nxt)


def canonical_set(X: TaylorSet) -> TaylorSet:
    """``X`` with the remainders of its right models as a reader of the file decodes
    them (:func:`verifier.arith.exact.canonical`: a larger ball): the integrator
    continues with this set, so that a checker recomputes what it computed."""
    return TaylorSet(X.c, X.C, tuple(TaylorModel(q.space, list(q.c), canonical(q.rem))
                                     for q in X.p))


def contains_set(stored: TaylorSet, computed: TaylorSet) -> str | None:
    """``None`` when ``stored`` contains ``computed`` as sets, else what fails.

    Same centre and frame (exact equality), and per right model ``s + I_s`` (stored,
    exact coefficients) and ``t + I_t`` (computed): the range of ``t - s`` on the whole
    domain ``D = [-1, 1]^n``, each monomial bounded by its exact range
    (:func:`~verifier.arith.taylor_model.times_range`) in ball arithmetic, plus ``I_t``,
    inside ``I_s``. *Proof:* for ``r`` in ``D`` and a value ``v`` of ``t(r) + I_t``,
    ``v - s(r)`` lies in ``(t - s)(r) + I_t``, inside that sum, so ``v`` lies in ``s(r)
    + I_s``: the computed right models' values are among the stored ones', point by
    point, hence so is the set. Coefficients the producer dropped or rounded in the
    stored set are thus accepted exactly when its remainder pays for them."""
    n = computed.dim
    if stored.dim != n or stored.space is not computed.space:
        return "the stored set is not over the set's space"
    if not all(a.mid() == b.mid() and a.rad() == 0 for a, b in zip(stored.c, computed.c)):
        return "the stored centre is not the frame's centre"
    if not all(stored.C[i, j].mid() == computed.C[i, j].mid() and stored.C[i, j].rad() == 0
               for i in range(n) for j in range(n)):
        return "the stored frame is not Q diag(sigma)"
    ranges = computed.space.ranges
    for i, (s, t) in enumerate(zip(stored.p, computed.p)):
        if not all(a.rad() == 0 for a in s.c):
            return f"right model {i}: the stored coefficients are not exact"
        gap = t.rem
        for a, b, kind in zip(s.c, t.c, ranges):
            if a is not ZERO or b is not ZERO:
                gap += times_range(b - a, kind)
        if not s.rem.contains(gap):
            return (f"right model {i}: the remainder does not contain the recomputed one "
                    "plus the range of the difference of the polynomials")
    return None


def start_set(c: Sequence[arb], Q: arb_mat, sigma: Sequence[arb],
              p: Sequence[TaylorModel]) -> TaylorSet:
    """The stored set ``(c, Q diag(sigma), p)``; raises :class:`Rejected` when ``Q
    diag(sigma)`` is not exact."""
    try:
        return TaylorSet(tuple(c), times_diag(Q, sigma), tuple(p))
    except ArithmeticError:
        raise Rejected("the frame Q diag(sigma) is not exact") from None
