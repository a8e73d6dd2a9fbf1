"""First-order jets over a base arithmetic: values with their gradient.

A :class:`Jet` carries ``val`` and ``der`` (the partial derivatives with
respect to ``n`` input variables). Over balls, ``der`` encloses the derivative
of the function at every point of the input box where it is differentiable;
where a case distinction is undecided (a switching surface inside the box) it
encloses the union of the one-sided derivatives, hence the Clarke generalized
Jacobian of a piecewise-C^1 Lipschitz function (the hull of the pieces'
Jacobians). This is what mean-value forms need.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from verifier.arith.base import Arithmetic


class Jet:
    """``val + sum_i der[i] * d_i`` to first order."""

    __slots__ = ("val", "der")

    def __init__(self, val: Any, der: tuple) -> None:
        self.val = val
        self.der = der

    def __repr__(self) -> str:
        return f"Jet({self.val!r}, {self.der!r})"

    def __add__(self, o: Any) -> Jet:
        if isinstance(o, Jet):
            return Jet(self.val + o.val, tuple(a + b for a, b in zip(self.der, o.der)))
        return Jet(self.val + o, self.der)

    __radd__ = __add__

    def __neg__(self) -> Jet:
        return Jet(-self.val, tuple(-a for a in self.der))

    def __pos__(self) -> Jet:
        return self

    def __sub__(self, o: Any) -> Jet:
        if isinstance(o, Jet):
            return Jet(self.val - o.val, tuple(a - b for a, b in zip(self.der, o.der)))
        return Jet(self.val - o, self.der)

    def __rsub__(self, o: Any) -> Jet:
        return Jet(o - self.val, tuple(-a for a in self.der))

    def __mul__(self, o: Any) -> Jet:
        if isinstance(o, Jet):
            u, v = self.val, o.val
            return Jet(u * v, tuple(u * b + v * a for a, b in zip(self.der, o.der)))
        return Jet(self.val * o, tuple(a * o for a in self.der))

    __rmul__ = __mul__

    def __truediv__(self, o: Any) -> Jet:
        if isinstance(o, Jet):
            q = self.val / o.val
            return Jet(q, tuple((a - q * b) / o.val for a, b in zip(self.der, o.der)))
        return Jet(self.val / o, tuple(a / o for a in self.der))

    def __rtruediv__(self, o: Any) -> Jet:
        q = o / self.val
        return Jet(q, tuple(-q * a / self.val for a in self.der))

    def __pow__(self, n: int) -> Jet:
        # Repeated products, not ``val ** n``: python-flint's ball power is NaN on
        # balls around 0. (Compiled expressions use ``JetArithmetic.powi``.)
        if not isinstance(n, int) or n < 0:
            raise TypeError("Jet powers take integer exponents >= 0; use exp/log")
        out: Jet | None = None
        for _ in range(n):
            out = self if out is None else out * self
        return out if out is not None else Jet(self.val * 0 + 1, tuple(a * 0 for a in self.der))


class JetArithmetic(Arithmetic):
    """Jets in ``n`` variables over ``base`` (float, mpmath or ball)."""

    def __init__(self, base: Arithmetic, n: int) -> None:
        super().__init__()
        self.base = base
        self.n = n
        self.name = f"jet[{base.name}]"

    # -- construction --------------------------------------------------------
    def variable(self, i: int, value: Any) -> Jet:
        zero = self.base.rational(0, 1)
        one = self.base.rational(1, 1)
        return Jet(value, tuple(one if k == i else zero for k in range(self.n)))

    def lift(self, x: Any) -> Jet:
        if isinstance(x, Jet):
            return x
        zero = self.base.rational(0, 1)
        return Jet(x, (zero,) * self.n)

    # -- numbers: constants stay plain base values (no derivative) -----------
    def rational(self, p: int, q: int) -> Any:
        return self.base.rational(p, q)

    def pi(self) -> Any:
        return self.base.pi()

    def const(self, expr):
        return self.base.const(expr)

    def from_ball(self, x):
        return self.base.from_ball(x)

    def k(self, slot: int):
        return self.base.k(slot)

    def binding_key(self) -> tuple:
        return (type(self), self.n, self.base.binding_key())

    def working_prec(self) -> int:
        return self.base.working_prec()

    def constant_key(self) -> tuple | None:
        # A jet arithmetic computes on constants exactly as its base does.
        return self.base.constant_key()

    # -- comparisons and case logic ------------------------------------------
    @staticmethod
    def _v(x: Any) -> Any:
        return x.val if isinstance(x, Jet) else x

    def ge(self, x, y):
        return self.base.ge(self._v(x), self._v(y))

    def _undecided(self, op, x, y) -> Jet:
        x, y = self.lift(x), self.lift(y)
        b = self.base
        return Jet(op(x.val, y.val), tuple(b.union([p, q]) for p, q in zip(x.der, y.der)))

    def max(self, x, y):
        d = self.ge(x, y)
        if d is True:
            return x
        if d is False:
            return y
        return self._undecided(self.base.max, x, y)

    def min(self, x, y):
        d = self.ge(x, y)
        if d is True:
            return y
        if d is False:
            return x
        return self._undecided(self.base.min, x, y)

    def restrict(self, x, lo, hi, open_left=False, open_right=False):
        v = self.base.restrict(self._v(x), self._v(lo), self._v(hi), open_left, open_right)
        if v is None:
            return None
        return Jet(v, x.der) if isinstance(x, Jet) else v

    def union(self, values: Sequence[Any]):
        if not any(isinstance(v, Jet) for v in values):
            return self.base.union(list(values))
        js = [self.lift(v) for v in values]
        return Jet(
            self.base.union([j.val for j in js]),
            tuple(self.base.union(list(col)) for col in zip(*(j.der for j in js))),
        )

    def powi(self, x, n: int):
        if not isinstance(x, Jet):
            return self.base.powi(x, n)
        if n == 0:
            return self.lift(self.base.rational(1, 1))
        d = n * self.base.powi(x.val, n - 1)
        return Jet(self.base.powi(x.val, n), tuple(d * a for a in x.der))

    def anywhere(self, lo, hi):
        val = self.base.anywhere(self._v(lo), self._v(hi))
        return Jet(val, (self.base.unbounded(),) * self.n)

    def unbounded(self) -> Jet:
        return Jet(self.base.unbounded(), (self.base.unbounded(),) * self.n)

    def abs_derivative(self, x):
        """``sign(x)``: locally constant where the sign is decided; elsewhere any value
        in ``[-1, 1]`` with an unbounded derivative (no second derivative exists)."""
        if not isinstance(x, Jet):
            return self.base.abs_derivative(x)
        s = self.base.decided_sign(x.val)
        if s in (1, -1):
            return self.lift(self.base.rational(s, 1))
        return Jet(self.base.abs_derivative(x.val), (self.base.unbounded(),) * self.n)

    def __getattr__(self, name: str):
        # Nested jets (second derivatives) call the base's ``f_<name>`` on jets.
        if name.startswith("f_") and name[2:] in _DERIVATIVES:
            return self.fn(name[2:])
        raise AttributeError(name)

    # -- functions --------------------------------------------------------------
    def fn(self, name: str):
        bf = self.base.fn(name)
        dfun = _DERIVATIVES[name]
        base = self.base

        def f(x):
            if not isinstance(x, Jet):
                return bf(x)
            fv = bf(x.val)
            d = dfun(base, x.val, fv)
            return Jet(fv, tuple(d * a for a in x.der))

        return f


def _two_over_sqrt_pi(B: Arithmetic):
    return 2 / B.f_sqrt(B.pi())


# Squares go through ``powi`` (the exact range) rather than ``v * v``, which in
# midpoint-radius arithmetic can go negative on wide balls.
_DERIVATIVES = {
    "sin": lambda B, v, fv: B.f_cos(v),
    "cos": lambda B, v, fv: -B.f_sin(v),
    "tan": lambda B, v, fv: 1 + B.powi(fv, 2),
    "exp": lambda B, v, fv: fv,
    "log": lambda B, v, fv: 1 / v,
    "sqrt": lambda B, v, fv: 1 / (2 * fv),
    "atan": lambda B, v, fv: 1 / (1 + B.powi(v, 2)),
    "asin": lambda B, v, fv: 1 / B.f_sqrt(1 - B.powi(v, 2)),
    "acos": lambda B, v, fv: -1 / B.f_sqrt(1 - B.powi(v, 2)),
    "sinh": lambda B, v, fv: B.f_cosh(v),
    "cosh": lambda B, v, fv: B.f_sinh(v),
    "tanh": lambda B, v, fv: 1 - B.powi(fv, 2),
    "asinh": lambda B, v, fv: 1 / B.f_sqrt(1 + B.powi(v, 2)),
    "erf": lambda B, v, fv: _two_over_sqrt_pi(B) * B.f_exp(-B.powi(v, 2)),
    "erfi": lambda B, v, fv: _two_over_sqrt_pi(B) * B.f_exp(B.powi(v, 2)),
    "Ei": lambda B, v, fv: B.f_exp(v) / v,
    "Si": lambda B, v, fv: B.sinc(v),
    "Ci": lambda B, v, fv: B.f_cos(v) / v,
    "Abs": lambda B, v, fv: B.abs_derivative(v),
}
