"""The target ``f`` and the density ``p`` at points or balls of ``[a, b]``.

Both are piecewise analytic (:mod:`verifier.field.pieces`); a ball that straddles a
breakpoint gets the union of the adjacent pieces' values, which encloses the value of
the (continuous target, bounded density) function at every point of the ball.
:meth:`PointFunctions.slope` encloses ``f'`` over a ball the same way (one-sided
derivatives at the breakpoints included), so ``|f(x) - f(y)| <= sup |slope| |x - y|`` for
``x, y`` in the ball: the target is continuous and piecewise C^1.
"""

from __future__ import annotations

from typing import Any

from flint import arb

from verifier.arith.balls import BallArithmetic
from verifier.arith.compile import compile_expr
from verifier.arith.precision import series_cap
from verifier.arith.series import SeriesArithmetic
from verifier.expr import X


class PointFunctions:
    """The target and the density of one problem, compiled once."""

    def __init__(self, problem: Any) -> None:
        self._f = (problem.target_pieces.cuts,
                   [compile_expr(e, (X,)) for e in problem.target_pieces.exprs])
        self._p = (problem.density_pieces.cuts,
                   [compile_expr(e, (X,)) for e in problem.density_pieces.exprs])

    @staticmethod
    def _eval(ar: BallArithmetic, pieces, x: arb) -> arb:
        cuts, fns = pieces
        return ar.piecewise(x, [ar.const(c) for c in cuts], fns)

    def f(self, ar: BallArithmetic, x: arb) -> arb:
        return self._eval(ar, self._f, x)

    def p(self, ar: BallArithmetic, x: arb) -> arb:
        return self._eval(ar, self._p, x)

    def slope(self, x: arb) -> arb:
        """A ball containing ``f'(xi)`` (one-sided at breakpoints) for every ``xi`` in the
        ball ``x`` (a first-order power series of each piece over its part of ``x``)."""
        S = SeriesArithmetic(2)
        cuts, fns = self._f

        def deriv(fn):
            def d(ar, xi):
                with series_cap(2):
                    out = fn(S, S.variable(xi))
                co = out.coeffs() if hasattr(out, "coeffs") else [out]
                return co[1] if len(co) > 1 else arb(0)
            return d

        ar = BallArithmetic()
        return ar.piecewise(x, [ar.const(c) for c in cuts], [deriv(g) for g in fns])

    def density_jet(self, lo: arb, hi: arb, order: int) -> list[arb]:
        """Enclosures of ``p^(k)(xi) / k!`` (``k < order``) for every ``xi`` in ``[lo, hi]``
        (exact ends), from the density piece that certainly contains ``[lo, hi]``."""
        cuts, fns = self._p
        ar = BallArithmetic()
        x = lo if lo == hi else arb.union(lo, hi)  # may be a little wider: still valid
        for i, g in enumerate(fns):
            c0, c1 = ar.const(cuts[i]), ar.const(cuts[i + 1])
            if c0 <= lo and hi <= c1:
                S = SeriesArithmetic(order)
                with series_cap(order):
                    out = g(S, S.variable(x))
                co = list(out.coeffs()) if hasattr(out, "coeffs") else [out]
                return co + [arb(0)] * (order - len(co))
        raise ArithmeticError("the range is not certainly inside one density piece")
