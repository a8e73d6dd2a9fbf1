"""The step strategy of Taylor-model sets: one Picard step (floats propose).

From the set ``X = (c, C, p + I)`` (:class:`~verifier.integrate._sets.TaylorModelSet`):
the candidate polynomial ``P`` comes from the relaxed Taylor recursion in float
polynomials (:mod:`verifier.integrate.tm.search`) with the formula of the analytic piece
on the set's hull, or, when the hull lies across a switching surface (a kink crossing, a
dying neuron's surface), of the piece at the set's centre; the remainder ``J`` from the
last step's or from ``P``'s defect. The Picard check then evaluates the field on ``P +
J`` by the piece's formula when one piece holds there, else by the generic kernel in
Taylor-model arithmetic, whose undecided cases are united (docs/taylor-models.md,
"Switching surfaces"): the same step theorem proves crossing and straddling steps, with a
remainder about ``h`` times the jump of the cases over the set. The next frame
``(c', Q, sigma)`` is proposed by :func:`verifier.integrate.tm.search.move`. For a small
record, ``P``'s coefficients are rounded to a grid (:func:`~verifier.integrate.tm.search.
polynomial`) and the next set's negligible coefficients swept into its remainders
(:func:`~verifier.integrate.tm.search.sweep_set`). What is
proven is what :func:`verifier.proof.tm.step.taylor_model_step` re-proves from the
witness; a step that cannot be proven is not taken.
"""

from __future__ import annotations

from fractions import Fraction

from verifier.arith.numbers import ball
from verifier.arith.timed_model import timed_space
from verifier.integrate._controller import TM_PATIENCE, Controller, dyadic
from verifier.integrate._sets import TaylorModelSet, TaylorModelStepData
from verifier.integrate._status import Accepted, Attempt, Failed
from verifier.integrate.tm.search import (
    candidate,
    expansion,
    find_stored_remainder,
    move,
    polynomial,
    propose_step,
    sweep_set,
)
from verifier.proof.tm.formula import piece_on
from verifier.proof.tm.step import canonical_set, inside_unit_box

#: Attempts (shrinking the step) before giving up on one step.
MAX_ATTEMPTS = 20
#: How far the stored polynomial ``P`` may move on the domain when its coefficients are
#: rounded for storage, as a fraction of the step's target remainder (the Picard check
#: pays for it in the remainder ``J``).
P_ROUNDING = 2.0**-8
#: How far a stored right model may move when its coefficients are rounded, as a
#: fraction of its remainder's radius (added to that remainder, which compounds over
#: the steps: kept small).
SET_ROUNDING = 2.0**-12


def _size(balls) -> float:
    return max(float(b.rad()) + abs(float(b.mid())) for b in balls)


def default_orders(order: int, degree: int) -> tuple[int, ...]:
    """Time orders per degree in the initial coordinates: ``order`` for every degree."""
    return (order,) * (degree + 1)


def taylor_model_step(field, X: TaylorModelSet, order: int, t: Fraction,
                      remaining: Fraction, ctl: Controller) -> Attempt:
    """Propose, prove and return a Picard step of ``X`` (module docstring)."""
    S = X.tm
    hull = X.hull()
    n, degree = S.dim, S.space.degree
    orders = default_orders(order, degree)
    ts = timed_space(n, degree, orders)
    piece = piece_on(field, hull)
    # Across a switching surface the remainder is first order in h (the jump of the
    # field's cases): there, shortening a step need not lower its remainder per unit time.
    straddles = piece is None
    piece = piece or piece_on(field, S.centre())
    if piece is None:
        return Failed(f"no analytic piece at the set's centre at t = {float(t):.6g} to "
                      "propose a Taylor-model step")
    x0 = S.initial()
    y = expansion(field, piece, x0, order)
    target = ctl.tm_target(hull)
    h = ctl.propose_tm(propose_step(y, order, target * (ctl.h_tm or 0.1)), remaining)
    longer = None  # the last proven attempt whose remainder was above the target
    for attempt in range(MAX_ATTEMPTS):
        hq = min(dyadic(h), remaining)
        if not float(hq) > 1e-12 * max(1.0, float(t)):
            break
        harb = ball(hq)
        P = polynomial(y, harb, ts, P_ROUNDING * target * float(hq))
        found = find_stored_remainder(field, x0, P, harb, ctl.tm_guess(hq))
        if found is None:
            h = ctl.reject_tm(hq, None)
            continue
        excess = _size(found[2].remainder) / (target * float(hq))
        kernel = straddles or found[2].piece is None  # the Picard check crossed a surface
        if kernel and longer is not None and excess > 0.7 * longer[3]:
            # Shortening does not lower the remainder per unit time (first order in h:
            # a jump of the field across a surface): take the longer step. (Inside one
            # piece the step is shortened up to the patience instead: there a remainder
            # dominated by the degree's truncation would otherwise be accepted above its
            # target at every step, and the set's remainders grow geometrically.)
            hq, harb, P, excess = longer[0], ball(longer[0]), longer[1], longer[3]
            found = longer[2]
        elif excess > 1 and attempt < TM_PATIENCE:
            longer = (hq, P, found, excess)
            h = ctl.reject_tm(hq, excess)
            continue
        J_stored, _, img = found
        moved = move(S, img.image(), 2 * SET_ROUNDING)
        if moved is None:
            h = ctl.reject_tm(hq, None)
            longer = None
            continue
        raw = sweep_set(moved[0], SET_ROUNDING)
        nxt = canonical_set(raw)
        if not inside_unit_box(nxt):
            h = ctl.reject_tm(hq, None)
            longer = None
            continue
        ctl.accept_tm(hq, excess, candidate(img.remainder, 1.5))
        frame = moved[1]
        # The stored balls (J, the right models' remainders) are those the proven ones
        # were decoded from (:func:`verifier.arith.exact.canonical`).
        witness = {"degree": degree, "orders": orders, "P": P, "J": list(J_stored),
                   "Q": frame["Q"], "sigma": list(frame["sigma"]),
                   "stored_rem": [q.rem for q in raw.p]}
        return Accepted(TaylorModelStepData(harb, img.apriori(), nxt,
                                            witness, _size(img.remainder), order=order),
                        hq)
    return Failed(f"no Taylor-model step validated at t = {float(t):.6g}")
