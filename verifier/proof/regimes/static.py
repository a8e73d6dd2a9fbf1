"""Static bounds: what ``L <= level`` alone says about a state whose direction lies in a cell.

For one neuron the risk is, at a fixed direction, a convex quadratic in ``(u, c)``
(``u`` the amplitude of :mod:`verifier.proof.regimes.geometry`):

    L(u, c) = [u c] M [u c]^T - 2 [u c] q + int f^2 p,
    M = [[m2, m1], [m1, 1]],  m_k = int (sigma^+)^k p,  q = (int sigma^+ f p, int f p).

**Gram bound.** Where ``det M = m2 - m1^2 > 0`` (the variance of ``sigma^+`` under ``p``),
``L = L_min + (z - z*)^T M (z - z*)`` with ``z = (u, c)``, ``z* = M^-1 q`` and
``L_min = int f^2 p - q . z* >= 0``; so ``L <= level`` implies

    |u - u*| <= sqrt((level - L_min) (M^-1)_uu),   (M^-1)_uu = 1 / det M,
    |c - c*| <= sqrt((level - L_min) (M^-1)_cc),   (M^-1)_cc = m2 / det M.

**Inactive-mass bound for c.** On the inactive set ``I`` (where ``sigma <= 0``) the
network is the constant ``c``, so ``level >= int_I (c - f)^2 p >= P(I) (c - fbar_I)^2``
with ``P(I) = int_I p`` and ``fbar_I = int_I f p / P(I)``: ``|c| <= |fbar_I| + sqrt(level / P(I))``
wherever ``P(I) > 0``. For a dead neuron ``P(I) = 1``.

Everything is enclosed over a whole cell in ball arithmetic from the problem's closed-form
moments (:mod:`verifier.field.moments`), so the bounds hold at every direction of the cell.
Functions must run inside a precision scope.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from flint import arb

from verifier.arith.balls import BallArithmetic
from verifier.arith.jets import Jet, JetArithmetic
from verifier.arith.numbers import ball, hull
from verifier.proof.regimes.geometry import Cell, Neuron


@dataclass(frozen=True)
class CellMoments:
    """Moments over the active set ``A`` (values of one arithmetic)."""

    m0: Any  # P(A)
    m1: Any  # int_A sigma p
    m2: Any  # int_A sigma^2 p
    q1: Any  # int_A sigma f p
    fA: Any  # int_A f p
    F0: Any  # int f p
    Iff: Any  # int f^2 p


def moments_at(ar: Any, problem: Any, nu: Neuron, theta: Any) -> CellMoments | None:
    """The moments at the direction coordinate ``theta`` (a value of ``ar``: a ball, or a
    jet whose derivative encloses the Clarke derivative over the ball); None where the
    active set is certainly empty."""
    mom = problem.moments
    if nu.flow == "normalized-weights":
        w, b = ar.rational(nu.sign, 1), theta
    else:
        w, b = ar.fn("cos")(theta), ar.fn("sin")(theta)
    x0, x1 = ar.from_ball(nu.x0), ar.from_ball(nu.x1)
    iv = ar.active_interval(w, b, x0, x1)
    Iff, F0 = mom.constants(ar)
    if iv is None:
        return None
    lo, hi = iv
    top, bot = mom.at(ar, hi), mom.at(ar, lo)
    P0, P1, P2, Q0, Q1 = (u - d for u, d in zip(top, bot))
    m1 = w * P1 + b * P0
    m2 = w * w * P2 + 2 * w * b * P1 + b * b * P0
    q1 = w * Q1 + b * Q0
    return CellMoments(P0, m1, m2, q1, Q0, F0, Iff)


def _val(x: Any) -> arb:
    return x.val if isinstance(x, Jet) else x


def enclose_over(fn: Callable[[Any, Any], tuple], cell: Cell) -> list[arb]:
    """Balls enclosing, over every ``theta`` of the finite cell, the components of
    ``fn(ar, theta)`` (polynomials in the moments: no divisions, so the forms below are
    finite wherever the moments are).

    Each component is the intersection of the natural ball enclosure and the mean-value
    form ``fn(mid) + fn'([cell]) [-h, h]``; the derivative comes from first-order jets
    over the cell and encloses the Clarke generalized derivative of the piecewise C^1
    Lipschitz moments, so the mean-value form is valid. It avoids the dependency blow-up
    of the natural form for differences such as ``m2 - m1^2``."""
    B = BallArithmetic()
    t = hull(cell.lo, cell.hi)  # type: ignore[arg-type]
    natural = fn(B, t)
    mid = (cell.lo + cell.hi) / 2  # type: ignore[operator]
    at_mid = fn(B, ball(Fraction(mid)))
    J = JetArithmetic(B, 1)
    jets = fn(J, J.variable(0, t))
    h = ball(Fraction(cell.hi - cell.lo) / 2)  # type: ignore[operator]
    out = []
    for nat, m, jt in zip(natural, at_mid, jets):
        d = jt.der[0] if isinstance(jt, Jet) else arb(0)
        if m.is_finite() and d.is_finite():
            r = (abs(d) * h).upper()
            lo, hi = (m - r).lower(), (m + r).upper()
            if nat.is_finite():
                lo = lo if lo > nat.lower() else nat.lower()
                hi = hi if hi < nat.upper() else nat.upper()
            out.append(lo if lo == hi else arb.union(lo, hi))
        elif nat.is_finite():
            out.append(nat)
        else:
            raise ArithmeticError("not finite on the cell")
    return out


def _nonneg(x: arb) -> arb:
    return x if x.lower() >= 0 else arb.union(arb(0), x.upper()) if x.upper() > 0 else arb(0)


def gram_bounds(problem: Any, nu: Neuron, cell: Cell, level: arb) -> tuple[arb, arb]:
    """Exact upper bounds ``(U, C)`` of ``|u|`` and ``|c|`` over every state of
    ``{L <= level}`` whose direction lies in the finite ``cell`` (the Gram bound).

    With ``det = m2 - m1^2``, ``N_u = q1 - m1 F0``, ``N_c = m2 F0 - m1 q1``,
    ``K = Iff det - q1 N_u - F0 N_c``: ``u* = N_u / det``, ``c* = N_c / det``,
    ``L_min = K / det``; each polynomial is enclosed over the cell by :func:`enclose_over`.
    """
    def fn(ar, theta):
        cm = moments_at(ar, problem, nu, theta)
        if cm is None:
            raise ArithmeticError("the neuron is dead: no Gram bound")
        det = cm.m2 - cm.m1 * cm.m1
        Nu = cm.q1 - cm.m1 * cm.F0
        Nc = cm.m2 * cm.F0 - cm.m1 * cm.q1
        K = cm.Iff * det - cm.q1 * Nu - cm.F0 * Nc
        return det, Nu, Nc, cm.m2, K
    det, Nu, Nc, m2, K = enclose_over(fn, cell)
    if not det > 0:
        raise ArithmeticError("det M is not certainly positive on the cell")
    l_min = _nonneg(K / det)
    room = _nonneg(level - l_min.lower())
    U = abs(Nu / det) + (room / det).sqrt()
    C = abs(Nc / det) + (room * _nonneg(m2) / det).sqrt()
    if not (U.is_finite() and C.is_finite()):
        raise ArithmeticError("the Gram bound is not finite on the cell")
    return U.upper(), C.upper()


def inactive_bound(problem: Any, nu: Neuron, cell: Cell, level: arb) -> arb:
    """An exact upper bound of ``|c|`` over ``{L <= level}`` with direction in the cell,
    from the inactive mass ``P(I) = 1 - m0`` (a dead cell: ``P(I) = 1``)."""
    B = BallArithmetic()
    Iff, F0 = problem.moments.constants(B)
    if nu.dead(cell):
        return (abs(F0) + level.sqrt()).upper()
    if not cell.finite:
        raise ArithmeticError("an infinite cell that is not dead has no inactive bound")

    def fn(ar, theta):
        cm = moments_at(ar, problem, nu, theta)
        if cm is None:
            z = ar.rational(0, 1)
            return z, z
        return cm.m0, cm.fA
    m0, fA = enclose_over(fn, cell)
    PI = 1 - m0
    if not PI > 0:
        raise ArithmeticError("P(I) is not certainly positive on the cell")
    C = abs((F0 - fA) / PI) + (level / PI).sqrt()
    if not C.is_finite():
        raise ArithmeticError("the inactive bound is not finite on the cell")
    return C.upper()
