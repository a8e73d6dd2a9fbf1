"""Proposals for a Taylor-model step: the candidate ``(h, P, J)`` (nothing here is a proof).

* **The polynomial** ``P``: the solution's Taylor coefficients in time from the set's
  initial models, ``y_m(r)``, by the relaxed recursion
  (:func:`verifier.integrate.tm.series.solution_coefficients`) over float polynomials
  (:mod:`verifier.integrate.tm.float_poly`); ``P_i(r, tau) = sum_m y_im h^m tau^m`` on the
  monomials the timed space keeps, rounded to exact dyadic coefficients.
* **The step** ``h`` from the decay of the last two coefficients (their ranges over the
  initial box), as for point steps (:func:`verifier.integrate._controller.propose_step`).
* **The remainder** ``J``: the previous step's, or the defect ``bound(Q - P)`` of the
  Picard image of ``P`` itself (:func:`verifier.proof.tm.picard.picard_image` with
  ``J = 0``), inflated.
* **The next frame** ``(c', Q, sigma)`` of the set (:func:`move`).

The step is then proven, or refused, by :func:`verifier.proof.tm.picard.picard_check`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from flint import arb, arb_poly

from verifier.arith.balls import ball_from_bounds
from verifier.arith.exact import canonical_vector
from verifier.arith.taylor_model import ZERO, TaylorModel, times_range
from verifier.arith.timed_model import TimedModel, TimedSpace
from verifier.field.program import Piece
from verifier.integrate._frames import from_numpy, qr_basis
from verifier.integrate.tm.float_poly import FloatPoly, FloatPolyArithmetic
from verifier.integrate.tm.series import NIL, solution_coefficients
from verifier.proof.tm.formula import formula_of
from verifier.proof.tm.picard import PicardImage, picard_image
from verifier.proof.tm.sets import SCALE_BITS, TaylorSet, rescale, right_models


def expansion(field: Any, piece: Piece | None, a: Sequence[TaylorModel],
              order: int) -> list[list[Any]]:
    """``y[i][m]`` (``m <= order``): the Taylor coefficients in time of the solutions from
    ``a(r)``, as float polynomials in ``r`` (``NIL`` for exact zeros)."""
    sp = a[0].space
    x0 = [FloatPoly.from_model(x) for x in a]
    return solution_coefficients(formula_of(field, piece), FloatPolyArithmetic(sp), x0, order)


def _size(y: Any) -> float:
    if y is NIL:
        return 0.0
    if isinstance(y, FloatPoly):
        return y.size()
    return float(y.bound().abs_upper()) if isinstance(y, TaylorModel) else abs(float(y))


def _coefficient(y: Any, i: int) -> arb:
    """Coefficient ``i`` of a time coefficient (exact: a float or a ball's midpoint)."""
    if y is NIL:
        return arb(0)
    if isinstance(y, FloatPoly):
        return arb(y.coefficient(i))
    if isinstance(y, TaylorModel):
        return y.c[i].mid()
    return y.mid() if i == 0 else arb(0)


def propose_step(y: Sequence[Sequence[Any]], order: int, tol: float) -> float:
    """A step from the decay of the last two coefficients (floats)."""
    h = math.inf
    for k in (order - 1, order):
        rho = max(_size(cs[k]) for cs in y)
        if rho > 0 and math.isfinite(rho):
            h = min(h, (tol / rho) ** (1.0 / k))
    return 0.9 * h


def polynomial(y: Sequence[Sequence[Any]], h: arb, ts: TimedSpace,
               budget: float = 0.0) -> list[TimedModel]:
    """``P_i(r, tau) = sum_m y_im h^m tau^m`` over ``ts``, its coefficients rounded to
    exact dyadics (the orders of ``ts`` decide which monomials ``r^a tau^m`` are kept).

    With ``budget > 0`` the coefficients are rounded to a common grid
    (:func:`grid_exponent`) so that the polynomial moves by at most ``budget`` on the
    whole domain: the negligible ones become exact zeros and the others lose their
    insignificant bits, which makes the certificate's record small. Any ``P`` is a valid
    candidate; the Picard check absorbs the change into the remainder."""
    sp = ts.space
    hp = [arb(1)]
    for _ in range(max(ts.orders)):
        hp.append((hp[-1] * h).mid())
    e = grid_exponent(budget, ts.size) if budget > 0 else None
    out = []
    for cs in y:
        polys: list[arb_poly | None] = []
        for i in range(sp.size):
            top = min(ts.order_of[i], len(cs) - 1)
            coeffs = [(_coefficient(cs[m], i) * hp[m]).mid() for m in range(top + 1)]
            if e is not None:
                coeffs = [round_to_grid(c, e) for c in coeffs]
            polys.append(None if all(c.is_zero() for c in coeffs) else arb_poly(coeffs))
        out.append(TimedModel(ts, polys))
    return out


def grid_exponent(budget: float, count: int) -> int:
    """The exponent ``e`` of a grid ``2^e`` on which rounding ``count`` coefficients to
    the nearest point moves their sum by at most ``budget`` (``count 2^(e-1) <= budget``)."""
    return math.floor(math.log2(2 * budget / max(count, 1)))


def round_to_grid(x: arb, e: int) -> arb:
    """The exact dyadic nearest to the exact number ``x`` on the grid ``2^e`` (ties away
    from zero), ``x`` itself when it is on the grid."""
    m, ex = x.man_exp()
    m, ex = int(m), int(ex)
    if ex >= e or m == 0:
        return x
    shift = e - ex
    q = (abs(m) + (1 << (shift - 1))) >> shift
    return arb((q if m > 0 else -q, e)) if q else arb(0)


def sweep_set(X: TaylorSet, fraction: float) -> TaylorSet:
    """``X`` with the coefficients of each right model rounded to a grid on which they
    move by at most ``fraction`` times the radius of its remainder, and the remainder
    widened by the range of what moved (each monomial by its exact range, in ball
    arithmetic): a set containing ``X`` (what
    :func:`verifier.proof.tm.step.contains_set` checks) with fewer and shorter
    coefficients to store. A model with an exact remainder is kept as it is."""
    out = []
    for q in X.p:
        rad = float(q.rem.rad())
        nonzero = sum(1 for v in q.c if v is not ZERO and not v.is_zero())
        if not (rad > 0 and math.isfinite(rad)) or nonzero == 0:
            out.append(q)
            continue
        e = grid_exponent(fraction * rad, nonzero)
        c, rem = [], q.rem
        for v, kind in zip(q.c, q.space.ranges):
            if v is ZERO:
                c.append(v)
                continue
            w = round_to_grid(v, e)
            if w.is_zero():
                w = ZERO
            if w is ZERO or w != v:
                rem += times_range(v - w, kind)
            c.append(w)
        out.append(TaylorModel(q.space, c, rem))
    return TaylorSet(X.c, X.C, tuple(out))


def candidate(defect: Sequence[arb], factor: float = 2.0, floor: float = 1e-300
              ) -> list[arb]:
    """The remainder candidate: each ball of the defect about its midpoint, radius times
    ``factor``, plus a tenth of its distance from 0 and an absolute ``floor``."""
    out = []
    for d in defect:
        m = d.mid()
        r = d.rad() * factor + abs(m) / 10 + arb(floor)
        out.append(ball_from_bounds((m - r).lower(), (m + r).upper()))
    return out


def widen(J: Sequence[arb], got: Sequence[arb], factor: float = 1.5) -> list[arb]:
    """A larger candidate containing ``J`` and the remainder ``got`` it produced."""
    return candidate([arb.union(a, b) for a, b in zip(J, got)], factor)


def find_remainder(field: Any, x0: Sequence[TaylorModel], P: Sequence[TimedModel], h: arb,
                   guess: Sequence[arb] | None = None, tries: int = 3
                   ) -> tuple[list[arb], PicardImage] | None:
    """``(J, image)``: a remainder candidate that the Picard check accepts for the
    polynomial ``P`` and its proven image, or ``None`` (:func:`find_stored_remainder`)."""
    found = find_stored_remainder(field, x0, P, h, guess, tries)
    return None if found is None else (found[1], found[2])


def find_stored_remainder(field: Any, x0: Sequence[TaylorModel], P: Sequence[TimedModel],
                          h: arb, guess: Sequence[arb] | None = None, tries: int = 3
                          ) -> tuple[list[arb], list[arb], PicardImage] | None:
    """``(J_stored, J, image)``: a remainder ``J`` that the Picard check accepts for the
    polynomial ``P``, its proven image, and the balls ``J`` was decoded from
    (``J = canonical(J_stored)``: a certificate stores ``J_stored``, and its reader
    decodes ``J``, so the checker recomputes the same image), or ``None``. Tries
    ``guess`` first (one evaluation when it holds), else starts from the defect of ``P``
    (the image for ``J = 0``) and widens by what each failed check produced."""
    if guess is not None:
        J = canonical_vector(guess)
        img = picard_image(field, x0, P, J, h)
        if img.holds(J):
            return list(guess), J, img
    zero = [arb(0)] * len(x0)
    got = picard_image(field, x0, P, zero, h).remainder
    if not all(d.is_finite() for d in got):
        return None
    raw = candidate(got)
    for _ in range(tries):
        J = canonical_vector(raw)
        img = picard_image(field, x0, P, J, h)
        if img.holds(J):
            return raw, J, img
        if not all(d.is_finite() for d in img.remainder):
            return None
        raw = widen(J, img.remainder)
    return None


def prove_step(field: Any, x0: Sequence[TaylorModel], y: Sequence[Sequence[Any]], h: arb,
               ts: TimedSpace, guess: Sequence[arb] | None = None
               ) -> tuple[list[arb], PicardImage] | None:
    """``(J, image)``: the proven Picard step ``h`` from ``x0`` (whose time coefficients
    are ``y``), or ``None``."""
    return find_remainder(field, x0, polynomial(y, h, ts), h, guess)


def short_up(x: float) -> arb:
    """An exact dyadic ``>= x > 0`` with :data:`~verifier.proof.tm.sets.SCALE_BITS`
    significant bits."""
    m, e = math.frexp(x)
    mant = math.ceil(m * 2**SCALE_BITS)
    return arb((mant, e - SCALE_BITS))


def move(X: TaylorSet, Y: Sequence[TaylorModel], slack: float = 0.0
         ) -> tuple[TaylorSet, dict] | None:
    """The next set with proposed choices ``(c, Q, sigma)`` (the witness of
    :func:`~verifier.proof.tm.sets.move_check`), or ``None``.

    ``c``: the midpoint of ``Y``'s constant coefficients; ``Q``: the QR factor of the
    midpoint linear part ``DY(0) Dp(0)`` (columns sorted by extent, Lohner's choice);
    ``sigma``: short dyadics above the ranges of the right models in that frame, plus
    ``slack`` times their remainders' radii (room for :func:`sweep_set`)."""
    n = X.dim
    sp = Y[0].space
    c = [y.c[0].mid() for y in Y]
    DY = np.array([[float(y.c[sp.variables[j]].mid()) for j in range(n)] for y in Y])
    Dp = np.array([[float(q.c[X.space.variables[j]].mid()) for j in range(n)] for q in X.p])
    Q = from_numpy(qr_basis(DY @ Dp, np.ones(n)))
    pt = right_models(X, Y, c, Q)
    if pt is None:
        return None
    extent = [float(q.bound().abs_upper()) + slack * float(q.rem.rad()) for q in pt]
    for _ in range(3):
        sigma = [short_up(max(e, 1e-300) * (1 + 2.0**-30)) for e in extent]
        out = rescale(c, Q, pt, sigma)
        if out is not None:
            return out, {"c": c, "Q": Q, "sigma": sigma}
        extent = [e * (1 + 2.0**-20) for e in extent]
    return None
