"""Proposals for a Taylor-model step: the candidate ``(h, P, J)`` (nothing here is a proof).

* **The polynomial** ``P``: the solution's Taylor coefficients in time from the set's
  polynomials, ``y_m(r)``, by the relaxed recursion over untimed Taylor models
  (:func:`verifier.integrate.tm.series.solution_coefficients`); ``P_i(r, tau) = sum_m
  mid(y_im) h^m tau^m``, the monomials the timed space keeps, exact dyadic coefficients.
* **The step** ``h`` from the decay of the last two coefficients (their ranges over the
  initial box), as for point steps (:func:`verifier.integrate._controller.propose_step`).
* **The remainder** ``J``: the defect ``bound(Q - P)`` of the Picard image of ``P``
  itself (:func:`verifier.integrate.tm.picard.picard_image` with ``J = 0``), inflated.

The step is then proven, or refused, by :func:`verifier.integrate.tm.picard.picard_check`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from flint import arb, arb_poly

from verifier.arith.balls import ball_from_bounds
from verifier.arith.taylor_model import TaylorModel, TaylorModelArithmetic
from verifier.arith.timed_model import TimedModel, TimedSpace
from verifier.field.program import Piece
from verifier.integrate.tm.formula import formula_of
from verifier.integrate.tm.picard import PicardImage, picard_check, picard_image
from verifier.integrate.tm.series import NIL, solution_coefficients


def expansion(field: Any, piece: Piece | None, a: Sequence[TaylorModel],
              order: int) -> list[list[Any]]:
    """``y[i][m]`` (``m <= order``): untimed models of the Taylor coefficients in time of
    the solutions from ``a(r)`` (``NIL`` for exact zeros)."""
    car = TaylorModelArithmetic(a[0].space)
    return solution_coefficients(formula_of(field, piece), car, list(a), order)


def _size(y: Any) -> float:
    if y is NIL:
        return 0.0
    b = y.bound() if isinstance(y, TaylorModel) else y
    return float(b.abs_upper())


def propose_step(y: Sequence[Sequence[Any]], order: int, tol: float) -> float:
    """A step from the decay of the last two coefficients (floats)."""
    h = math.inf
    for k in (order - 1, order):
        rho = max(_size(cs[k]) for cs in y)
        if rho > 0 and math.isfinite(rho):
            h = min(h, (tol / rho) ** (1.0 / k))
    return 0.9 * h


def polynomial(y: Sequence[Sequence[Any]], h: arb, ts: TimedSpace) -> list[TimedModel]:
    """``P_i(r, tau) = sum_m mid(y_im) h^m tau^m`` over ``ts`` (exact coefficients; the
    orders of ``ts`` decide which monomials ``r^a tau^m`` are kept)."""
    sp = ts.space
    out = []
    hp = [arb(1)]
    for _ in range(max(ts.orders)):
        hp.append((hp[-1] * h).mid())
    for cs in y:
        polys: list[arb_poly | None] = []
        for i in range(sp.size):
            o = ts.order_of[i]
            coeffs = []
            for m in range(min(o, len(cs) - 1) + 1):
                v = cs[m]
                c = v.c[i] if isinstance(v, TaylorModel) else (v if i == 0 and v is not NIL
                                                               else None)
                coeffs.append(arb(0) if c is None or c is NIL else (c.mid() * hp[m]).mid())
            polys.append(None if all(c.is_zero() for c in coeffs) else arb_poly(coeffs))
        out.append(TimedModel(ts, polys))
    return out


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
                   tries: int = 3) -> tuple[list[arb], PicardImage] | None:
    """``(J, image)``: a remainder candidate that the Picard check accepts for the
    polynomial ``P`` and its proven image, or ``None``. Starts from the defect of ``P``
    (the check with ``J = 0``) and widens by what each failed check produced."""
    zero = [arb(0)] * len(x0)
    got = picard_image(field, x0, P, zero, h).remainder
    if not all(d.is_finite() for d in got):
        return None
    J = candidate(got)
    for _ in range(tries):
        img = picard_check(field, x0, P, J, h)
        if img is not None:
            return J, img
        got = picard_image(field, x0, P, J, h).remainder
        if not all(d.is_finite() for d in got):
            return None
        J = widen(J, got)
    return None


def prove_step(field: Any, x0: Sequence[TaylorModel], y: Sequence[Sequence[Any]], h: arb,
               ts: TimedSpace) -> PicardImage | None:
    """The proven Picard image of the step ``h`` from ``x0`` (whose time coefficients are
    ``y``), or ``None``."""
    found = find_remainder(field, x0, polynomial(y, h, ts), h)
    return None if found is None else found[1]
