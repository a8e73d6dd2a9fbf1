"""mpmath numbers at any precision: accurate, but not rigorous.

Evaluation must run inside :func:`verifier.arith.precision.precision`, which
sets mpmath's working precision.
"""

from __future__ import annotations

import mpmath

from verifier.arith.points import PointArithmetic


class MpmathArithmetic(PointArithmetic, functions=mpmath):
    """mpmath ``mpf``; every comparison is decided on the rounded values."""

    name = "mpmath"

    def rational(self, p: int, q: int):
        return mpmath.mpf(p) / q

    def pi(self):
        return +mpmath.pi

    def const(self, expr):
        # Not cached by expression: constants depend on the working precision.
        from verifier.arith.compile import compile_constant

        return compile_constant(expr)(self)

    def _slot_cache(self):
        try:
            by_prec = self._slots_by_prec
        except AttributeError:
            by_prec = self._slots_by_prec = {}
        return by_prec.setdefault(mpmath.mp.prec, {})

    def from_ball(self, x):
        m, e = x.mid().man_exp()
        return mpmath.ldexp(mpmath.mpf(int(m)), int(e))

    def working_prec(self) -> int:
        return mpmath.mp.prec

    def constant_key(self) -> tuple:
        return (self.name, mpmath.mp.prec)

    def ge(self, x, y) -> bool:
        return bool(x >= y)

    def sign(self, x) -> int:
        return int(mpmath.sign(x))

    f_erfi = staticmethod(mpmath.erfi)
    f_Ei = staticmethod(mpmath.ei)
    f_Si = staticmethod(mpmath.si)
    f_Ci = staticmethod(mpmath.ci)
    f_Abs = staticmethod(abs)
