"""Truncated power series with ball coefficients (``flint.arb_series``).

Evaluating a compiled expression on ``x0 + t`` (a series in ``t``) gives its
Taylor coefficients at ``x0``; when ``x0`` is a ball, coefficient ``k``
encloses ``f^(k)(xi)/k!`` for every ``xi`` in the ball, which is how Lagrange
remainders are bounded. Case distinctions must be decided on the constant
terms: a series can only be expanded inside one analytic piece, so an
undecided comparison raises :class:`NotOnePiece`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flint import arb, arb_series, ctx

from verifier.arith.balls import BallArithmetic


class NotOnePiece(ArithmeticError):
    """A series evaluation met a case distinction it cannot decide."""


def constant_term(x: Any) -> arb:
    if isinstance(x, arb_series):
        return x.coeffs()[0] if x.length() else arb(0)
    return x


class SeriesArithmetic(BallArithmetic):
    """``arb_series`` of a fixed length over balls; scalars stay ``arb``."""

    def __init__(self, length: int) -> None:
        super().__init__()
        self.length = length
        self.name = f"series[{length}]"

    def fn(self, name: str):
        f = super().fn(name)
        length = self.length

        def guarded(x):
            if ctx.cap < length:
                raise RuntimeError("series evaluated outside a series_cap scope (would truncate)")
            return f(x)

        return guarded

    def constant_key(self) -> tuple:
        # Not the ball key: some functions of a constant are evaluated otherwise here.
        return ("series", ctx.prec)

    def variable(self, x0: arb, slope: arb | int = 1) -> arb_series:
        """The series ``x0 + slope * t``."""
        return arb_series([x0, slope], prec=self.length)

    def lift(self, x: Any) -> arb_series:
        if isinstance(x, arb_series):
            return x
        return arb_series([x], prec=self.length)

    def ge(self, x, y):
        d = super().ge(constant_term(x), constant_term(y))
        if d is None:
            raise NotOnePiece("a case distinction is undecided at the expansion point")
        if isinstance(x, arb_series) or isinstance(y, arb_series):
            # Equal constant terms decide nothing about the series.
            if d is True and not (constant_term(x) > constant_term(y)):
                raise NotOnePiece("expansion point on a switching surface")
        return d

    def decided_sign(self, x):
        try:
            return self.sign(x)
        except NotOnePiece:
            return None

    def max(self, x, y):
        return x if self.ge(x, y) else y

    def min(self, x, y):
        return y if self.ge(x, y) else x

    def restrict(self, x, lo, hi, open_left=False, open_right=False):
        if not isinstance(x, arb_series):
            return super().restrict(x, lo, hi, open_left, open_right)
        x0 = constant_term(x)
        if x0 < lo or x0 > hi:
            return None
        if (open_left or x0 > lo) and (open_right or x0 < hi):
            return x
        raise NotOnePiece("expansion point on a piece boundary")

    def union(self, values: Sequence[Any]):
        if any(isinstance(v, arb_series) for v in values):
            if len(values) == 1:
                return values[0]
            raise NotOnePiece("a series cannot be united with another")
        return super().union(values)

    def anywhere(self, lo, hi):
        raise NotOnePiece("no series represents an unknown point")

    # Functions arb_series lacks, from exp/log identities.
    def f_sinh(self, x):
        if not isinstance(x, arb_series):
            return x.sinh()
        e = x.exp()
        return (e - 1 / e) / 2

    def f_cosh(self, x):
        if not isinstance(x, arb_series):
            return x.cosh()
        e = x.exp()
        return (e + 1 / e) / 2

    def f_tanh(self, x):
        if not isinstance(x, arb_series):
            return x.tanh()
        e2 = (2 * x).exp()
        return (e2 - 1) / (e2 + 1)

    def f_asinh(self, x):
        if not isinstance(x, arb_series):
            return x.asinh()
        return (x + (1 + x * x).sqrt()).log()

    def f_Abs(self, x):
        if not isinstance(x, arb_series):
            return abs(x)
        s = self.sign(constant_term(x))
        if s in (1, -1):
            return x if s == 1 else -x
        raise NotOnePiece("Abs of a series whose constant term may vanish")
