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
