"""Arb balls (python-flint): the rigorous arithmetic.

Every operation returns a ball that contains the exact result for every point
of the input balls. Comparisons are three-valued (:meth:`BallArithmetic.ge`),
case distinctions that a ball cannot decide are enclosed by the union of all
possible cases. Precision comes from the enclosing
:func:`verifier.arith.precision.precision` scope.
"""

from __future__ import annotations

from collections.abc import Sequence

from flint import arb, ctx, fmpq

from verifier.arith.base import Arithmetic
from verifier.arith.compile import compile_constant
from verifier.arith.numbers import parse_rational


def ball_from_bounds(lo: arb, hi: arb) -> arb:
    """The smallest representable ball containing ``[lo, hi]`` (exact ends)."""
    return arb.union(lo, hi)


def as_ball(value: object) -> arb:
    """A ball from an ``arb``, a number object (:func:`verifier.arith.numbers.exact_number`:
    ``int``, ``Fraction``, SymPy and NumPy rationals, 0-d arrays), an exact decimal or
    fraction string, or a ``(lo, hi)`` pair of those (the interval hull).

    Floats (also NumPy's) are taken at their exact binary value. Constants such as ``"pi"`` are
    expressions: :func:`verifier.expr.values.constant_ball` reads them.
    """
    if isinstance(value, arb):
        return value
    if isinstance(value, tuple | list) and len(value) == 2:
        lo, hi = as_ball(value[0]), as_ball(value[1])
        if not lo.lower() <= hi.upper():
            raise ValueError(f"empty interval [{value[0]}, {value[1]}]")
        return ball_from_bounds(lo.lower(), hi.upper())
    q = parse_rational(value, "number")  # text, or a number object by its exact value
    return arb(fmpq(q.numerator, q.denominator))


class BallArithmetic(Arithmetic):
    """``flint.arb`` balls with outward rounding."""

    name = "arb"

    def rational(self, p: int, q: int) -> arb:
        return arb(fmpq(p, q))

    def pi(self) -> arb:
        return arb.pi()

    def const(self, expr):
        # Constants are enclosed at the working precision: cache per precision.
        key = (expr, ctx.prec)
        try:
            return self._consts[key]
        except KeyError:
            val = compile_constant(expr)(self)
            self._consts[key] = val
            return val

    def _slot_cache(self):
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
        return ctx.prec

    def constant_key(self) -> tuple:
        return (self.name, ctx.prec)

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

    def powi(self, x, n: int):
        """The exact range of ``t ** n`` over the ball, outward rounded.

        python-flint's ``arb ** int`` goes through ``exp(n log x)`` on balls
        (NaN when the ball contains 0, loose near it); ``t ** n`` is monotone on
        each side of 0, so the range has the ends' powers as bounds.
        """
        if not isinstance(x, arb):  # power series: series multiplication is exact
            return x**n
        if n == 0:
            return arb(1)
        if n == 1:
            return x
        if not x.is_finite():
            return arb.nan()
        if n % 2:
            lo, hi = _pow_exact(x.lower(), n), _pow_exact(x.upper(), n)
        else:
            straddles = x.lower() < 0 and x.upper() > 0  # exact ends: decided
            lo = _pow_exact(arb(0) if straddles else x.abs_lower(), n)
            hi = _pow_exact(x.abs_upper(), n)
        return ball_from_bounds(lo.lower(), hi.upper())

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

    # Monotone functions: on wide balls the range is spanned by the ends' values,
    # which is tighter than Arb's midpoint-radius form (and python-flint 0.9's
    # asinh returns NaN on some finite balls, e.g. [1, 3]).
    def f_exp(self, x): return _monotone(x, "exp", True)
    def f_log(self, x): return _monotone(x, "log", True)
    def f_sqrt(self, x): return _monotone(x, "sqrt", True)
    def f_atan(self, x): return _monotone(x, "atan", True)
    def f_asin(self, x): return _monotone(x, "asin", True)
    def f_acos(self, x): return _monotone(x, "acos", False)
    def f_sinh(self, x): return _monotone(x, "sinh", True)
    def f_tanh(self, x): return _monotone(x, "tanh", True)
    def f_asinh(self, x): return _monotone(x, "asinh", True)
    def f_erf(self, x): return _monotone(x, "erf", True)
    def f_erfi(self, x): return _monotone(x, "erfi", True)

    def f_sin(self, x): return x.sin()
    def f_cos(self, x): return x.cos()
    def f_tan(self, x): return x.tan()
    def f_cosh(self, x): return x.cosh()
    def f_Ei(self, x): return x.ei()
    def f_Si(self, x): return x.si()
    def f_Ci(self, x): return x.ci()
    def f_Abs(self, x): return abs(x)


#: Relative radius above which monotone functions are evaluated at the ends.
WIDE = arb(2) ** -12


def _monotone(x, name: str, increasing: bool):
    """``f(x)`` for a monotone ``f``: at the ends on wide balls, else Arb's own."""
    if not isinstance(x, arb) or not x.is_finite() or x.rad() <= WIDE * (1 + abs(x.mid())):
        return getattr(x, name)()
    lo = getattr(x.lower(), name)()
    hi = getattr(x.upper(), name)()
    if not increasing:
        lo, hi = hi, lo
    if not (lo.is_finite() and hi.is_finite()):
        return arb.nan()
    return ball_from_bounds(lo.lower(), hi.upper())


def _pow_exact(t: arb, n: int) -> arb:
    """``t ** n`` for an exact ``t`` by repeated squaring (a tight ball)."""
    result = arb(1)
    base = t
    while n:
        if n & 1:
            result = result * base
        n >>= 1
        if n:
            base = base * base
    return result


def _emax(x: arb, y: arb) -> arb:
    """Max of two exact (radius 0) endpoints; NaN (no information) propagates."""
    if x.is_nan() or y.is_nan():
        return arb.nan()
    return x if x >= y else y


def _emin(x: arb, y: arb) -> arb:
    if x.is_nan() or y.is_nan():
        return arb.nan()
    return x if x <= y else y
