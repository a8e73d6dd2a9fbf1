"""Arb balls (python-flint): the rigorous arithmetic.

Every operation returns a ball that contains the exact result for every point
of the input balls. Comparisons are three-valued (:meth:`BallArithmetic.ge`),
case distinctions that a ball cannot decide are enclosed by the union of all
possible cases. Precision comes from the enclosing
:func:`verifier.arith.precision.precision` scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import sympy as sp
from flint import arb, fmpq

from verifier.arith.base import Arithmetic


def ball_from_bounds(lo: arb, hi: arb) -> arb:
    """The smallest representable ball containing ``[lo, hi]`` (exact ends)."""
    return arb.union(lo, hi)


def as_ball(value: object) -> arb:
    """A ball from an ``arb``, an ``int``, a SymPy/fractions rational, an exact
    decimal string, or a ``(lo, hi)`` pair of those (the interval hull).

    Python floats are taken at their exact binary value.
    """
    if isinstance(value, arb):
        return value
    if isinstance(value, tuple | list) and len(value) == 2:
        lo, hi = as_ball(value[0]), as_ball(value[1])
        if not lo.lower() <= hi.upper():
            raise ValueError(f"empty interval [{value[0]}, {value[1]}]")
        return ball_from_bounds(lo.lower(), hi.upper())
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, int):
        return arb(value)
    if isinstance(value, float):
        fr = Fraction(value)
        return arb(fmpq(fr.numerator, fr.denominator))
    if isinstance(value, Fraction):
        return arb(fmpq(value.numerator, value.denominator))
    if isinstance(value, str | sp.Basic):
        from verifier.expr import parse_number

        return BallArithmetic().const(parse_number(value))
    raise ValueError(f"cannot make a ball from {value!r}")


class BallArithmetic(Arithmetic):
    """``flint.arb`` balls with outward rounding."""

    name = "arb"

    def rational(self, p: int, q: int) -> arb:
        return arb(fmpq(p, q))

    def pi(self) -> arb:
        return arb.pi()

    def const(self, expr):
        # Constants are enclosed at the working precision: cache per precision.
        from flint import ctx

        key = (expr, ctx.prec)
        try:
            return self._consts[key]
        except KeyError:
            from verifier.arith.compile import compile_constant

            val = compile_constant(expr)(self)
            self._consts[key] = val
            return val

    def _slot_cache(self):
        from flint import ctx

        try:
            return self._slots_by_prec[ctx.prec]
        except AttributeError:
            self._slots_by_prec: dict[int, dict] = {}
        except KeyError:
            pass
        return self._slots_by_prec.setdefault(ctx.prec, {})

    def from_ball(self, x: arb) -> arb:
        return x

    def working_prec(self) -> int:
        from flint import ctx

        return ctx.prec

    def ge(self, x: arb, y: arb) -> bool | None:
        if x >= y:
            return True
        if x < y:
            return False
        return None

    def max(self, x: arb, y: arb) -> arb:
        d = self.ge(x, y)
        if d is True:
            return x
        if d is False:
            return y
        return ball_from_bounds(_emax(x.lower(), y.lower()), _emax(x.upper(), y.upper()))

    def min(self, x: arb, y: arb) -> arb:
        d = self.ge(x, y)
        if d is True:
            return y
        if d is False:
            return x
        return ball_from_bounds(_emin(x.lower(), y.lower()), _emin(x.upper(), y.upper()))

    def restrict(self, x, lo, hi, open_left=False, open_right=False):
        xl, xu = x.lower(), x.upper()
        nl = _emax(xl, lo.lower())
        nu = _emin(xu, hi.upper())
        if nl > nu:
            return None
        if nl == xl and nu == xu:
            return x
        return ball_from_bounds(nl, nu)

    def union(self, values: Sequence[arb]) -> arb:
        out = values[0]
        for v in values[1:]:
            out = arb.union(out, v)
        return out

    def anywhere(self, lo: arb, hi: arb) -> arb:
        return arb.union(lo, hi)

    def sinc(self, x: arb) -> arb:
        return x.sinc()

    def abs_derivative(self, x: arb) -> arb:
        s = self.sign(x)
        if s in (1, -1):
            return arb(s)
        return arb(0, 1)

    @staticmethod
    def unbounded() -> arb:
        return arb(0, float("inf"))

    def f_sin(self, x): return x.sin()
    def f_cos(self, x): return x.cos()
    def f_tan(self, x): return x.tan()
    def f_exp(self, x): return x.exp()
    def f_log(self, x): return x.log()
    def f_sqrt(self, x): return x.sqrt()
    def f_atan(self, x): return x.atan()
    def f_asin(self, x): return x.asin()
    def f_acos(self, x): return x.acos()
    def f_sinh(self, x): return x.sinh()
    def f_cosh(self, x): return x.cosh()
    def f_tanh(self, x): return x.tanh()
    def f_asinh(self, x): return x.asinh()
    def f_erf(self, x): return x.erf()
    def f_erfi(self, x): return x.erfi()
    def f_Ei(self, x): return x.ei()
    def f_Si(self, x): return x.si()
    def f_Ci(self, x): return x.ci()
    def f_Abs(self, x): return abs(x)


def _emax(x: arb, y: arb) -> arb:
    """Max of two exact (radius 0) endpoints; NaN (no information) propagates."""
    if x.is_nan() or y.is_nan():
        return arb.nan()
    return x if x >= y else y


def _emin(x: arb, y: arb) -> arb:
    if x.is_nan() or y.is_nan():
        return arb.nan()
    return x if x <= y else y
