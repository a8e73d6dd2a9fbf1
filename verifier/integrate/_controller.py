"""Step-size and order choices (floats propose; nothing here is part of a proof)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

from flint import arb

#: Significant bits kept in a proposed step, so that ``t + h`` stays a short dyadic.
STEP_BITS = 30


def default_order(prec: int) -> int:
    """Taylor order: 20 at double precision, growing with the precision."""
    return 20 if prec <= 64 else min(60, max(20, round(0.3 * prec)))


def tolerance(prec: int, scale: float) -> float:
    """Local error target per step: one unit in the last place of the state."""
    return 2.0 ** (-prec) * max(1.0, scale)


def propose_step(centre: Sequence[Sequence[arb]], order: int, tol: float) -> float:
    """Step from the decay of the last two Taylor coefficients (Jorba & Zou)."""
    h = math.inf
    for k in (order - 1, order):
        rho = max(abs(float(cs[k].mid())) for cs in centre)
        if rho > 0 and math.isfinite(rho):
            h = min(h, (tol / rho) ** (1.0 / k))
    return 0.9 * h


def dyadic(h: float) -> Fraction:
    """``h`` rounded down to ``STEP_BITS`` significant bits (an exact dyadic)."""
    if not h > 0 or not math.isfinite(h):
        raise ValueError(f"bad step {h!r}")
    m, e = math.frexp(h)
    mant = math.floor(m * 2**STEP_BITS)
    return Fraction(mant) * Fraction(2) ** (e - STEP_BITS)


def wrapping_rates(ex, hull: Sequence[arb]) -> list[float]:
    """``rho_k`` for ``k = 0..q``: the wrapping error that order ``k`` of a Taylor step
    from the expansion ``ex`` injects into the set per ``h^k``.

    First-order sets (the mean-value form ``x(h) in image + A (x0 - xhat)``, ``A =
    sum_k V_k([X]) h^k``): ``rho_k = max_i sum_j rad(V_k,ij) e_j``, ``e`` the hull's
    radii. Second-order sets (``ex.hess``): the Jacobian is taken at ``xhat`` and the
    error is that of the second-order term, ``rho_k = max_i sum_jl rad(D_k,ijl) e_j e_l
    / 2`` (third order in the width)."""
    e = [float(x.rad()) for x in hull]
    n = len(e)
    q = ex.jet_order
    if ex.hess is None:
        return [max(sum(float(ex.ders[i][j][k].rad()) * e[j] for j in range(n))
                    for i in range(n)) for k in range(q + 1)]
    return [max(sum(float(ex.hess[i][j][m][k].rad()) * e[j] * e[m]
                    for j in range(n) for m in range(n)) / 2 for i in range(n))
            for k in range(q + 1)]


def head_rates(ex) -> list[float]:
    """``rho_k = max_i rad(y_k,i(xhat))``: the radius that order ``k`` of the reference
    point's Taylor polynomial adds to the image per ``h^k``.

    Where the field's formula cancels (the continued side of a dying neuron) the
    point's coefficients carry radii far above their rounding, and the image of a long
    step would gain ``sum_k rho_k h^k``, superlinear in ``h``: :func:`wrapping_step` on
    these rates keeps the orders ``k >= 2`` in proportion to the first."""
    return [max(float(cs[k].rad()) for cs in ex.centre) for k in range(ex.order + 1)]


def wrapping_step(rho: Sequence[float], h: float, tol: float, slack: float,
                  floor: float = 0.0) -> float:
    """The largest step ``<= h`` whose wrapping error from the orders ``k >= 2``,
    ``sum_{k>=2} rho_k h^k`` (:func:`wrapping_rates`), is below ``tol``, below
    ``slack`` times the first-order part ``rho_1 h``, or below ``floor h`` (an error per
    unit time too small to matter, e.g. a small fraction of the set's width).

    Why: the first-order part ``~ h |D^2 F| width^2`` injects the same error per unit
    time whatever the step, whereas ball evaluation over the hull makes ``rho_k`` grow
    geometrically in ``k`` (faster than the solution's own coefficients), so the long
    steps that high orders allow on points would multiply the error a wide set gains per
    unit time, and the set would be lost. Floats only: nothing here is part of a proof."""
    if len(rho) < 3 or not (h > 0 and math.isfinite(h)):
        return h

    def ok(s: float) -> bool:
        excess = sum(r * s**k for k, r in enumerate(rho) if k >= 2)
        return excess <= max(tol, (slack * rho[1] + floor) * s)

    if ok(h):
        return h
    lo, hi = 0.0, h
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if ok(mid) else (lo, mid)
    return lo if lo > 0 else h
