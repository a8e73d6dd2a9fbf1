"""Taylor models of functions of the initial coordinates and of time.

A :class:`TimedSpace` adds to a :class:`~verifier.arith.taylor_model.Space` (``n``
coordinates ``r`` in ``[-1, 1]``, total degree ``<= d``) a normalised time ``tau`` in
``[0, 1]``: the monomials ``r^a tau^j`` kept are those with ``|a| <= d`` and ``j <=
orders[|a|]`` (``orders`` non-increasing, so that a monomial's divisors are kept). A
:class:`TimedModel` stores, per monomial ``r^a`` of the space, a polynomial ``p_a(tau)``
with ball coefficients (``flint.arb_poly``: products in ``tau`` run in C), and a ball
remainder ``I``; it encloses ``f`` when

    f(r, tau)  in  sum_a p_a(tau) r^a + I     for all (r, tau) in [-1, 1]^n x [0, 1],

evaluated in ball arithmetic at the point, as for
:class:`~verifier.arith.taylor_model.TaylorModel`. On the domain ``0 <= tau^j <= 1``.

* **Products.** The ``tau``-polynomials of the kept pairs of monomials are multiplied
  exactly (balls); the part of degree ``> orders[|a|]`` of each result,
  ``tau^(o+1) q(tau)``, is bounded by the hull of 0 and ``q([0, 1])`` (times the range
  of ``r^a``) into the remainder; the pairs of degree ``> d`` in ``r`` by the norms
  ``max_[0,1] |p_a|`` grouped by degree (as in the untimed models); then the cross terms
  with the remainders.
* **Functions.** For ``f = y(tau) + u`` with ``y = c + v(tau)`` the part constant in
  ``r`` (``c`` a ball, ``v(0) = 0``) and ``u`` the rest (with the remainder), Taylor's
  theorem in ``u`` at ``y(tau)``:
  ``phi(f) = sum_{k<=d} g_k(tau) u^k + phi^(d+1)(xi)/(d+1)! u^(d+1)``, ``xi`` in the
  range of ``f``, with ``g_k(tau) = phi^(k)(y(tau))/k!`` enclosed by a model in ``tau``
  alone: ``sum_{j<=J} C(k+j, j) a_{k+j} v^j`` (``a_m = phi^(m)(c)/m!``, ``J =
  orders[k]``) plus the Lagrange term ``C(k+J+1, k) a_{k+J+1}(range y) v^(J+1)``. So
  the time dependence is carried by exact polynomial arithmetic and only ``d - 1``
  full products are needed (the powers of ``u``): no ball evaluation over a time
  interval, whose overestimation grows geometrically with the order.
* **Time.** :meth:`TimedModel.integrate_time` encloses ``int_0^tau f(r, s) ds`` (the
  polynomials integrated, the remainder ``I`` replaced by the hull of 0 and ``I``);
  :meth:`TimedModel.at_time` restricts to one time ``tau = s``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from math import comb
from typing import Any

from flint import arb, arb_poly

from verifier.arith.balls import BallArithmetic
from verifier.arith.taylor_model import (
    CONST,
    SYM,
    ZERO,
    Model,
    Space,
    TaylorModel,
    dropped_products,
    given,
    plus,
    point_value,
    series_coefficients,
    space,
    times_range,
)

#: The ball ``[0, 1]``, the range of ``tau``.
UNIT = arb.union(arb(0), arb(1))


class TimedSpace:
    """A :class:`~verifier.arith.taylor_model.Space` with a time variable and the
    ``tau``-orders per degree in ``r`` (module docstring)."""

    def __init__(self, sp: Space, orders: tuple[int, ...]) -> None:
        if len(orders) != sp.degree + 1 or any(o < 0 for o in orders) or any(
                a < b for a, b in zip(orders, orders[1:])):
            raise ValueError("orders must be degree + 1 non-increasing integers >= 0")
        self.space = sp
        self.orders = tuple(orders)
        self.n = sp.n
        self.degree = sp.degree
        #: ``order_of[i]``: the largest power of ``tau`` kept with monomial ``i``.
        self.order_of = [self.orders[k] for k in sp.deg]
        #: Entries of a model's coefficient list (one polynomial per monomial ``r^a``).
        self.entries = sp.size

    def __repr__(self) -> str:
        return f"timed_space(n={self.n}, degree={self.degree}, orders={self.orders})"

    @property
    def size(self) -> int:
        """Number of monomials ``r^a tau^j`` kept."""
        return sum(o + 1 for o in self.order_of)

    def constant(self, value: Any) -> TimedModel:
        return TimedModel.constant(self, value)


@cache
def timed_space(n: int, degree: int, orders: tuple[int, ...]) -> TimedSpace:
    """The :class:`TimedSpace` over ``space(n, degree)`` (built once per arguments)."""
    return TimedSpace(space(n, degree), tuple(orders))


def _length(p: arb_poly) -> int:
    return p.length()


def _split_high(p: arb_poly, o: int) -> tuple[arb_poly, arb]:
    """``(p mod tau^(o+1), B)`` with ``B`` containing the rest ``tau^(o+1) q(tau)`` for
    every ``tau`` in ``[0, 1]``."""
    q = p.right_shift(o + 1)
    return p.truncate(o + 1), arb.union(ZERO, q(UNIT))


class TimedModel(Model):
    """``sum_a p_a(tau) r^a + rem`` over a :class:`TimedSpace` (module docstring).

    ``c[i]`` is the ``arb_poly`` of monomial ``i`` of the space, or ``None`` (zero)."""

    ABSENT = None

    @staticmethod
    def _constant(v: arb) -> arb_poly:
        return arb_poly([v])

    __slots__ = ()

    # -- construction ------------------------------------------------------
    @classmethod
    def variable(cls, ts: TimedSpace, i: int, centre: Any = 0, scale: Any = 1) -> TimedModel:
        """``centre + scale * r_i``."""
        out = cls.constant(ts, centre)
        out.c[ts.space.variables[i]] = arb_poly([given(scale)])
        return out

    @classmethod
    def time(cls, ts: TimedSpace, scale: Any = 1) -> TimedModel:
        """``scale * tau`` (needs ``orders[0] >= 1``)."""
        if ts.orders[0] < 1:
            raise ValueError("this space keeps no power of time")
        c: list[arb_poly | None] = [None] * ts.space.size
        c[0] = arb_poly([0, given(scale)])
        return cls(ts, c)

    @classmethod
    def from_model(cls, ts: TimedSpace, x: TaylorModel) -> TimedModel:
        """The untimed model ``x`` as a model constant in time."""
        x = x.to_space(ts.space)
        return cls(ts, [None if v is ZERO else arb_poly([v]) for v in x.c], x.rem)

    # -- reading -------------------------------------------------------------
    def __repr__(self) -> str:
        terms = [f"({p})*{m}" for m, p in zip(self.space.space.monomials, self.c)
                 if p is not None]
        return f"TimedModel({' + '.join(terms) or '0'} + {self.rem.str(3)})"

    def terms(self) -> dict[tuple[int, ...], arb]:
        """Non-zero coefficients by monomial ``(a_1, ..., a_n, j)``."""
        out = {}
        for m, p in zip(self.space.space.monomials, self.c):
            if p is None:
                continue
            for j, v in enumerate(p.coeffs()):
                if not v.is_zero():
                    out[m + (j,)] = v
        return out

    def poly_bound(self) -> arb:
        """A ball containing the polynomial part on the domain (``p_a([0, 1])`` times the
        range of ``r^a``)."""
        if self._poly_bound is None:
            kinds = self.space.space.ranges
            acc = ZERO
            for p, kind in zip(self.c, kinds):
                if p is not None:
                    acc = acc + times_range(p(UNIT), kind)
            self._poly_bound = acc
        return self._poly_bound

    def bound(self) -> arb:
        return self.poly_bound() + self.rem

    def __call__(self, r: Sequence[Any], tau: Any) -> arb:
        """The model at the point ``(r, tau)``."""
        xs = [given(v) for v in r]
        t = given(tau)
        return point_value(self.space.space.monomials,
                           [None if p is None else p(t) for p in self.c], xs, self.rem, None)

    def is_finite(self) -> bool:
        return self.rem.is_finite() and all(
            p is None or all(v.is_finite() for v in p.coeffs()) for p in self.c)

    # -- exactness -----------------------------------------------------------
    def exact(self) -> TimedModel:
        """The same enclosure with exact (midpoint) coefficients, their radii in the
        remainder."""
        c: list[arb_poly | None] = []
        rem = self.rem
        for p, kind in zip(self.c, self.space.space.ranges):
            if p is None:
                c.append(None)
                continue
            cs = p.coeffs()
            rad = ZERO
            for v in cs:
                if v.rad() != 0:
                    rad = rad + v.rad()
            if rad is ZERO:
                c.append(p)
                continue
            c.append(arb_poly([v.mid() for v in cs]))
            rem = rem + times_range(arb(0, rad), SYM if kind == CONST else kind)
        return TimedModel(self.space, c, rem)

    def _product(self, o: TimedModel) -> TimedModel:
        return _multiply(self, o)

    # -- composition ----------------------------------------------------------
    def compose(self, name: str) -> TimedModel:
        """``phi(f)`` (``name`` as for
        :meth:`~verifier.arith.taylor_model.TaylorModel.compose`) by the expansion of the
        module docstring."""
        ts = self.space
        d = ts.degree
        orders = ts.orders
        y = self.c[0] if self.c[0] is not None else arb_poly([0])
        cs = y.coeffs() or [ZERO]
        c = cs[0]
        v = arb_poly([ZERO] + cs[1:]) if len(cs) > 1 else None
        v_range = v(UNIT) if v is not None else ZERO
        u = self.deviation()
        u_zero = self.rem is ZERO and all(p is None for p in u.c)
        top = (0 if u_zero else d) + orders[0] + 2
        at_c = series_coefficients(name, c, top)
        over = series_coefficients(name, c + v_range, top)
        g = [self._time_part(k, at_c, over, v, v_range) for k in range(1 if u_zero else d + 1)]
        if u_zero:
            return g[0]
        u_range = u.bound()
        last = series_coefficients(name, c + v_range + u_range, d + 2)[d + 1]
        out = g[0].widened(last * BallArithmetic().powi(u_range, d + 1))
        for k in range(1, d + 1):
            out = out + _multiply(g[k], self.powers()[k - 1])
        return out

    def _time_part(self, k: int, at_c: list[arb], over: list[arb], v: arb_poly | None,
                   v_range: arb) -> TimedModel:
        """The model of ``g_k(tau) = phi^(k)(c + v(tau))/k!`` (constant in ``r``)."""
        ts = self.space
        J = ts.orders[k]
        poly = arb_poly([at_c[k]])
        power_v = arb_poly([1])
        for j in range(1, J + 1 if v is not None else 1):
            power_v = power_v * v
            poly = poly + power_v * (comb(k + j, j) * at_c[k + j])
        rem = ZERO
        if v is not None:
            poly, high = _split_high(poly, J)
            rem = high + comb(k + J + 1, k) * over[k + J + 1] * BallArithmetic().powi(
                v_range, J + 1)
        c: list[arb_poly | None] = [None] * ts.space.size
        c[0] = poly
        return TimedModel(ts, c, rem)

    # -- time ------------------------------------------------------------------
    def integrate_time(self) -> TimedModel:
        """A model of ``int_0^tau f(r, s) ds``: each polynomial integrated (the power
        beyond the order bounded into the remainder), the remainder ``I`` replaced by
        the hull of 0 and ``I`` (``tau`` in ``[0, 1]``)."""
        ts = self.space
        kinds = ts.space.ranges
        c: list[arb_poly | None] = []
        rem = self.rem if self.rem is ZERO else arb.union(ZERO, self.rem)
        for p, o, kind in zip(self.c, ts.order_of, kinds):
            if p is None:
                c.append(None)
                continue
            q = p.integral()
            if _length(q) > o + 1:
                q, high = _split_high(q, o)
                rem = rem + times_range(high, kind)
            c.append(q)
        return TimedModel(ts, c, rem)

    def at_time(self, s: Any) -> TaylorModel:
        """The untimed model of ``f(r, s)`` for the time ``s`` (a ball in ``[0, 1]``)."""
        t = given(s)
        sp = self.space.space
        return TaylorModel(sp, [ZERO if p is None else p(t) for p in self.c], self.rem)

    def time_hull(self) -> TaylorModel:
        """An untimed model enclosing ``f(r, tau)`` for every ``tau`` in ``[0, 1]``."""
        return self.at_time(UNIT)


def _norms(x: TimedModel) -> list[arb]:
    """``sum max_[0,1] |p_a|`` by degree of ``r^a`` (upper bounds, as balls; once per
    model)."""
    if x._norms is None:
        ts = x.space
        norms = [ZERO] * (ts.degree + 1)
        deg = ts.space.deg
        for i, p in enumerate(x.c):
            if p is not None:
                norms[deg[i]] = norms[deg[i]] + p(UNIT).abs_upper()
        x._norms = norms
    return x._norms


def _multiply(a: TimedModel, b: TimedModel) -> TimedModel:
    """The product model (module docstring)."""
    ts = a.space
    sp = ts.space
    A, B = a.c, b.c
    if sum(p is not None for p in A) > sum(p is not None for p in B):
        A, B, a, b = B, A, b, a
    acc: list[arb_poly | None] = [None] * sp.size
    rows = sp.rows
    for i, x in enumerate(A):
        if x is None:
            continue
        for j, k in rows[i]:
            y = B[j]
            if y is not None:
                p = x * y
                acc[k] = plus(acc[k], p, None)
    rem = dropped_products(_norms(a), _norms(b), ts.degree)
    kinds = sp.ranges
    for k, p in enumerate(acc):
        if p is not None and _length(p) > ts.order_of[k] + 1:
            acc[k], high = _split_high(p, ts.order_of[k])
            rem = rem + times_range(high, kinds[k])
    if b.rem is not ZERO:
        rem = rem + a.poly_bound() * b.rem
    if a.rem is not ZERO:
        rem = rem + b.poly_bound() * a.rem
        if b.rem is not ZERO:
            rem = rem + a.rem * b.rem
    return TimedModel(ts, acc, rem)
