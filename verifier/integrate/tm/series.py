"""Relaxed (lazy) power series in time over any coefficient arithmetic.

A :class:`LazySeries` is ``sum_m a_m t^m`` whose coefficients are computed on demand,
each from lower ones, and kept. The coefficients are values of a *coefficient
arithmetic* ``car`` (balls, Taylor models in the initial coordinates, floats). The
rules are the usual ones of automatic differentiation in Taylor mode:

* ``(a b)_m = sum_{i<=m} a_i b_{m-i}``;
* ``c = a / b``: ``c_m = (a_m - sum_{1<=i<=m} b_i c_{m-i}) / b_0``;
* ``c = phi(a)`` for an analytic ``phi``: ``c_0 = phi(a_0)`` in ``car`` and, from
  ``c' = phi'(a) a'``, ``c_m = (1/m) sum_{1<=k<=m} k a_k d_{m-k}`` with ``d =
  phi'(a)`` a series built by the same rules from the derivative table of the jets
  (:data:`verifier.arith.jets._DERIVATIVES`; ``d`` may read ``c`` itself, of lower
  order: ``exp``, ``tan``).

In an enclosing coefficient arithmetic (balls, Taylor models) every coefficient
encloses the exact Taylor coefficient of the composed function, for every point the
arithmetic ranges over: each rule is an identity between exact coefficients.

**Solutions.** :func:`solution_coefficients` runs ``x' = F(x)``: ``x_0`` given and
``x_{m+1} = F(x)_m / (m + 1)``. A coefficient of ``F(x)`` of order ``m`` reads ``x``
to order ``m`` only, so the lazy evaluation of the field's program once, on series,
gives the coefficients order by order (the relaxed recursion of Taylor integrators).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

from flint import arb, fmpq

from verifier.arith.base import Arithmetic
from verifier.arith.taylor_model import minus, plus

#: An exactly zero coefficient (skipped in products).
NIL = None


def _plus(a: Any, b: Any) -> Any:
    return plus(a, b, NIL)


def _minus(a: Any, b: Any) -> Any:
    return minus(a, b, NIL)


def _times(a: Any, b: Any) -> Any:
    if a is NIL or b is NIL:
        return NIL
    return a * b


def _inverse_of(m: int) -> arb:
    return arb(fmpq(1, m))


class LazySeries:
    """A power series whose coefficient ``m`` is ``rule(m)`` (computed once, in order).

    ``NIL`` stands for an exact zero coefficient."""

    __slots__ = ("rule", "coeffs", "ar")

    def __init__(self, ar: LazySeriesArithmetic, rule: Callable[[int], Any]) -> None:
        self.ar = ar
        self.rule = rule
        self.coeffs: list[Any] = []

    def __getitem__(self, m: int) -> Any:
        cs = self.coeffs
        while len(cs) <= m:
            cs.append(self.rule(len(cs)))
        return cs[m]

    # -- arithmetic --------------------------------------------------------------
    def __add__(self, o: Any) -> LazySeries:
        o = self.ar.lift(o)
        return LazySeries(self.ar, lambda m: _plus(self[m], o[m]))

    __radd__ = __add__

    def __sub__(self, o: Any) -> LazySeries:
        o = self.ar.lift(o)
        return LazySeries(self.ar, lambda m: _minus(self[m], o[m]))

    def __rsub__(self, o: Any) -> LazySeries:
        return self.ar.lift(o) - self

    def __neg__(self) -> LazySeries:
        return LazySeries(self.ar, lambda m: NIL if self[m] is NIL else -self[m])

    def __pos__(self) -> LazySeries:
        return self

    def __mul__(self, o: Any) -> LazySeries:
        if not isinstance(o, LazySeries):
            s = self.ar.scalar(o)
            return LazySeries(self.ar, lambda m: _times(self[m], s))

        def rule(m: int) -> Any:
            acc = NIL
            for i in range(m + 1):
                acc = _plus(acc, _times(self[i], o[m - i]))
            return acc

        return LazySeries(self.ar, rule)

    __rmul__ = __mul__

    def __truediv__(self, o: Any) -> LazySeries:
        if not isinstance(o, LazySeries):
            s = 1 / self.ar.scalar(o)
            return LazySeries(self.ar, lambda m: _times(self[m], s))
        inv0: list[Any] = []
        out: LazySeries

        def rule(m: int) -> Any:
            if not inv0:
                inv0.append(1 / o[0])
            acc = self[m]
            for i in range(1, m + 1):
                acc = _minus(acc, _times(o[i], out[m - i]))
            return _times(acc, inv0[0])

        out = LazySeries(self.ar, rule)
        return out

    def __rtruediv__(self, o: Any) -> LazySeries:
        return self.ar.lift(o) / self


class LazySeriesArithmetic(Arithmetic):
    """Lazy series over the coefficient arithmetic ``car`` (module docstring).

    Constants of a program (``arb``, ``int``, ``Fraction``) stay scalars. Case
    decisions are refused: the search evaluates one analytic piece's formula
    (:meth:`verifier.field.program.Piece.formula`), which has none.
    """

    def __init__(self, car: Arithmetic) -> None:
        super().__init__()
        self.car = car
        self.name = f"lazy-series[{car.name}]"
        #: ``(name, id(argument)) -> series``: the function series of one argument are
        #: shared, so ``sin``'s derivative ``cos`` and ``cos``'s ``-sin`` close a loop.
        self._functions: dict[tuple[str, int], tuple[LazySeries, LazySeries]] = {}

    def binding_key(self) -> None:
        # Its functions keep series of their own (``_functions``): never shared.
        return None

    def scalar(self, x: Any) -> Any:
        if isinstance(x, Fraction):
            return arb(fmpq(x.numerator, x.denominator))
        if isinstance(x, int) and not isinstance(x, bool):
            return arb(x)
        return x

    def lift(self, x: Any) -> LazySeries:
        if isinstance(x, LazySeries):
            return x
        c = self.scalar(x)
        return LazySeries(self, lambda m: c if m == 0 else NIL)

    def series(self, coeffs: Sequence[Any]) -> LazySeries:
        """The series with the given leading coefficients and zeros after them."""
        cs = list(coeffs)
        return LazySeries(self, lambda m: cs[m] if m < len(cs) else NIL)

    def rational(self, p: int, q: int) -> arb:
        return arb(fmpq(p, q))

    def pi(self) -> arb:
        return arb.pi()

    def from_ball(self, x: arb) -> arb:
        return x

    def working_prec(self) -> int:
        return self.car.working_prec()

    def powi(self, x: Any, n: int) -> Any:
        if not isinstance(x, LazySeries):
            return self.car.powi(x, n)
        if n == 0:
            return self.lift(1)
        out = x
        for _ in range(n - 1):
            out = out * x
        return out

    def sinc(self, x: Any) -> Any:
        return self.fn("sin")(x) / x

    def fn(self, name: str) -> Callable[[Any], Any]:
        from verifier.arith.jets import _DERIVATIVES

        if name not in _DERIVATIVES or name == "Abs":
            raise ArithmeticError(f"no power-series rule for {name}")
        scalar = self.car.fn(name)
        derivative = _DERIVATIVES[name]

        def f(a: Any) -> Any:
            if not isinstance(a, LazySeries):
                return scalar(a)
            key = (name, id(a))
            got = self._functions.get(key)
            if got is not None:
                return got[0]
            d: list[LazySeries] = []
            out: LazySeries

            def rule(m: int) -> Any:
                if m == 0:
                    return scalar(a[0])
                if not d:
                    d.append(self.lift(derivative(self, a, out)))
                acc = NIL
                for k in range(1, m + 1):
                    ak = a[k]
                    if ak is not NIL:
                        acc = _plus(acc, _times(ak * k, d[0][m - k]))
                return _times(acc, _inverse_of(m))

            out = LazySeries(self, rule)
            self._functions[key] = (out, a)  # keep ``a`` alive: its id is the key
            return out

        return f

    def __getattr__(self, name: str):
        # The derivative table calls ``B.f_<name>``.
        if name.startswith("f_"):
            return self.fn(name[2:])
        raise AttributeError(name)

    # Decisions: a formula without decisions never asks; anything else is refused.
    def ge(self, x, y):
        raise ArithmeticError("a lazy series takes no case decisions")

    def max(self, x, y):
        raise ArithmeticError("a lazy series takes no case decisions")

    def min(self, x, y):
        raise ArithmeticError("a lazy series takes no case decisions")

    def restrict(self, x, lo, hi, open_left=False, open_right=False):
        raise ArithmeticError("a lazy series takes no case decisions")

    def union(self, values):
        raise ArithmeticError("a lazy series takes no case decisions")


def solution_coefficients(formula: Callable[[Arithmetic, Sequence], list], car: Arithmetic,
                          x0: Sequence[Any], order: int) -> list[list[Any]]:
    """``y[i][m]`` (``m <= order``): the Taylor coefficients in time of the solution of
    ``x' = F(x)``, ``x(0) = x0``, with ``formula(ar, ys)`` the field (one analytic
    piece) and ``x0`` values of the coefficient arithmetic ``car``. ``NIL`` entries are
    exact zeros."""
    S = LazySeriesArithmetic(car)
    n = len(x0)
    state: list[LazySeries] = []
    out: list[Any] = []

    def component(i: int) -> LazySeries:
        def rule(m: int) -> Any:
            if m == 0:
                return x0[i]
            f = out[i][m - 1]
            return NIL if f is NIL else _times(f, _inverse_of(m))

        return LazySeries(S, rule)

    state = [component(i) for i in range(n)]
    out.extend(S.lift(v) for v in formula(S, state))
    return [[state[i][m] for m in range(order + 1)] for i in range(n)]
