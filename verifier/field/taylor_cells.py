"""Rigorous antiderivatives without a closed form: Taylor models on cells.

For an integrand ``g`` analytic on ``[lo, hi]`` the interval is cut into cells
``[u, v]`` with midpoint ``m``. With ``g_k`` the Taylor coefficients of ``g`` at
``m`` and ``C_K`` a ball enclosing ``g^(K)(xi)/K!`` for every ``xi`` in the
cell (a series evaluation over the whole cell), Taylor's theorem with the
integral mean value theorem gives, for ``|s| <= v - m``,

    G(m + s) - G(m)  in  sum_{k<K} g_k s^(k+1)/(k+1)  +  C_K s^(K+1)/(K+1),

where ``G(x) = int_lo^x g``. ``G(m)`` itself is accumulated from the left
through the same identity at ``s = u - m`` and ``s = v - m``. Cells are
bisected until the remainder term is below the working precision. Evaluated
in ball (or jet) arithmetic the model is an enclosure; its derivative, the
polynomial part plus ``C_K s^K``, encloses ``g``, so jets stay valid too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flint import arb, arb_series, ctx

from verifier.arith.balls import BallArithmetic, ball_from_bounds
from verifier.arith.precision import series_cap
from verifier.arith.series import SeriesArithmetic

MAX_DEPTH = 14


@dataclass
class _Cell:
    lo: arb
    hi: arb
    mid: arb
    offset: arb  # G(mid)
    coeffs: list[arb]  # polynomial in s: sum coeffs[k] s^(k+1), last one the remainder ball


class TaylorCellAntiderivative:
    """``G(x) = int_lo^x g`` on ``[lo, hi]`` for the compiled integrand ``g``."""

    def __init__(self, g: Callable, lo: arb, hi: arb, order: int | None = None) -> None:
        self.prec = ctx.prec
        self.order = order or max(12, min(40, self.prec // 4))
        self._g = g
        self.cells: list[_Cell] = []
        self._build(lo, hi)
        self.total = self._value_at_end()

    def _expand(self, x0: arb) -> list[arb]:
        S = SeriesArithmetic(self.order + 1)
        with series_cap(self.order + 1):
            out = self._g(S, S.variable(x0))
        co = out.coeffs() if hasattr(out, "coeffs") else [out]
        # Shorter only when the higher coefficients are exact zeros (polynomial parts).
        return co + [arb(0)] * (self.order + 1 - len(co))

    def _build(self, lo: arb, hi: arb) -> None:
        K = self.order
        tol = arb(2) ** (-self.prec)
        stack = [(lo, hi, 0)]
        pending: list[tuple[arb, arb, list[arb]]] = []
        while stack:
            u, v, depth = stack.pop()
            m = ((u + v) / 2).mid()
            h = (v - u) / 2
            gk = self._expand(m)
            CK = self._expand(ball_from_bounds(u, v))[K]
            # Upper ends: a ball comparison that is merely "not certain" must split.
            rem = (abs(CK) * h ** (K + 1)).upper()
            scale = (tol * (1 + abs(gk[0]) * h)).lower()
            if not CK.is_finite() or not rem <= scale:
                if depth >= MAX_DEPTH:
                    raise ArithmeticError("integrand not analytic enough for a Taylor model")
                stack.append((m, v, depth + 1))
                stack.append((u, m, depth + 1))
                continue
            coeffs = [gk[k] / (k + 1) for k in range(K)] + [CK / (K + 1)]
            pending.append((u, v, coeffs))
        acc = arb(0)
        for u, v, coeffs in pending:
            m = ((u + v) / 2).mid()
            g_at_u = _horner(coeffs, u - m)  # G(u) - G(m)
            offset = acc - g_at_u
            self.cells.append(_Cell(u, v, m, offset, coeffs))
            acc = offset + _horner(coeffs, v - m)

    def _value_at_end(self) -> arb:
        c = self.cells[-1]
        return c.offset + _horner(c.coeffs, c.hi - c.mid)

    def evaluate(self, ar, x):
        """``G(x)`` in the arithmetic ``ar`` (balls: an enclosure).

        For a power series ``x(t)`` the cells are artificial (``g`` is analytic
        across them), so only the constant term comes from the model and the
        rest from ``G(x(t)) = G(x(0)) + int_0^t g(x(s)) x'(s) ds``.
        """
        if isinstance(x, arb_series):
            x0 = x.coeffs()[0] if x.length() else arb(0)
            g0 = self.evaluate(BallArithmetic(), x0)
            tail = (self._g(ar, x) * x.derivative()).integral()
            return tail + g0
        cuts = [ar.from_ball(c.lo) for c in self.cells] + [ar.from_ball(self.cells[-1].hi)]
        pieces = [self._piece(c) for c in self.cells]
        return ar.piecewise(x, cuts, pieces)

    @staticmethod
    def _piece(cell: _Cell):
        def f(ar, x):
            s = x - ar.from_ball(cell.mid)
            acc = ar.from_ball(cell.coeffs[-1])
            for c in reversed(cell.coeffs[:-1]):
                acc = acc * s + ar.from_ball(c)
            return acc * s + ar.from_ball(cell.offset)

        return f


def _horner(coeffs: list[arb], s: arb) -> arb:
    acc = coeffs[-1]
    for c in reversed(coeffs[:-1]):
        acc = acc * s + c
    return acc * s
