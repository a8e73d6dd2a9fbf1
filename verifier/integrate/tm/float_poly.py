"""Truncated polynomials with float coefficients: the search's arithmetic (no claims).

The candidate polynomial of a Taylor-model step only has to be close to the solution
(the Picard check proves whatever it is), so its time coefficients are computed in
floats: :class:`FloatPoly` is a polynomial over a
:class:`~verifier.arith.taylor_model.Space` with a numpy coefficient vector, products
truncated to the space's degree (one vectorised pass over the space's table of kept
pairs), functions composed by their Taylor polynomial at the constant coefficient (the
coefficients from Arb, rounded to floats). Nothing computed here is an enclosure.
"""

from __future__ import annotations

from fractions import Fraction
from functools import cache
from typing import Any

import numpy as np
from flint import arb

from verifier.arith.balls import BallArithmetic
from verifier.arith.taylor_model import Space, TaylorModel, series_coefficients


@cache
def _pairs(sp: Space) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Index arrays ``(i, j, k)`` of the kept products ``m_i m_j = m_k``."""
    rows = [(i, j, k) for i, row in enumerate(sp.rows) for j, k in row]
    a = np.array(rows, dtype=np.intp).T
    return a[0], a[1], a[2]


def _float(x: Any) -> float:
    if isinstance(x, arb):
        return float(x.mid())
    if isinstance(x, Fraction):
        return x.numerator / x.denominator
    return float(x)


class FloatPoly:
    """``sum_m c[m] r^m`` over a space, float coefficients (module docstring)."""

    __slots__ = ("space", "c", "_powers")

    def __init__(self, sp: Space, c: np.ndarray) -> None:
        self.space = sp
        self.c = c
        self._powers: list[FloatPoly] | None = None

    @classmethod
    def from_model(cls, x: TaylorModel) -> FloatPoly:
        return cls(x.space, np.array([float(v.mid()) for v in x.c]))

    @classmethod
    def constant(cls, sp: Space, value: Any) -> FloatPoly:
        c = np.zeros(sp.size)
        c[0] = _float(value)
        return cls(sp, c)

    def coefficient(self, i: int) -> float:
        return float(self.c[i])

    def size(self) -> float:
        """``sum |c_m|``: a bound of ``|p|`` on the domain (up to rounding)."""
        return float(np.abs(self.c).sum())

    def __add__(self, o: Any) -> FloatPoly:
        if isinstance(o, FloatPoly):
            return FloatPoly(self.space, self.c + o.c)
        c = self.c.copy()
        c[0] += _float(o)
        return FloatPoly(self.space, c)

    __radd__ = __add__

    def __neg__(self) -> FloatPoly:
        return FloatPoly(self.space, -self.c)

    def __sub__(self, o: Any) -> FloatPoly:
        if isinstance(o, FloatPoly):
            return FloatPoly(self.space, self.c - o.c)
        return self + (-_float(o))

    def __rsub__(self, o: Any) -> FloatPoly:
        return (-self) + o

    def __mul__(self, o: Any) -> FloatPoly:
        if isinstance(o, FloatPoly):
            i, j, k = _pairs(self.space)
            return FloatPoly(self.space, np.bincount(k, weights=self.c[i] * o.c[j],
                                                     minlength=self.space.size))
        return FloatPoly(self.space, self.c * _float(o))

    __rmul__ = __mul__

    def __truediv__(self, o: Any) -> FloatPoly:
        if isinstance(o, FloatPoly):
            return self * o.compose("inv")
        return FloatPoly(self.space, self.c / _float(o))

    def __rtruediv__(self, o: Any) -> FloatPoly:
        return self.compose("inv") * _float(o)

    def compose(self, name: str) -> FloatPoly:
        """The Taylor polynomial of ``phi`` at the constant coefficient, composed."""
        d = self.space.degree
        coeffs = [float(v.mid()) for v in series_coefficients(name, arb(self.c[0]), d + 1)]
        if self._powers is None:
            u = FloatPoly(self.space, self.c.copy())
            u.c[0] = 0.0
            out = [u]
            for _ in range(d - 1):
                out.append(out[-1] * u)
            self._powers = out
        c = np.zeros(self.space.size)
        c[0] = coeffs[0]
        for a, p in zip(coeffs[1:], self._powers):
            c += a * p.c
        return FloatPoly(self.space, c)


class FloatPolyArithmetic(BallArithmetic):
    """:class:`FloatPoly` values (and ``arb`` constants), for the relaxed series of the
    search; functions of constants are the ball arithmetic's."""

    def __init__(self, sp: Space) -> None:
        super().__init__()
        self.space = sp
        self.name = f"float-poly[{sp!r}]"

    def binding_key(self) -> tuple:
        return (type(self), self.space, self.working_prec())

    def fn(self, name: str):
        ball = getattr(super(), "f_" + name)

        def f(x):
            return x.compose(name) if isinstance(x, FloatPoly) else ball(x)

        return f

    def powi(self, x, n: int):
        if not isinstance(x, FloatPoly):
            return super().powi(x, n)
        out = FloatPoly.constant(self.space, 1)
        for _ in range(n):
            out = out * x
        return out
