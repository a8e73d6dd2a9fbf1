"""Taylor models: polynomials in normalised coordinates with a ball remainder.

A **space** (:class:`Space`, made by :func:`space`) fixes ``n`` coordinates
``r_1..r_n``, each ranging over ``[-1, 1]`` (the *domain* ``D = [-1, 1]^n``; an initial
box is its image under ``x = centre + radius * r``), and keeps the monomials of total
degree at most ``degree``. On ``D``, ``|r^m| <= 1``, and ``r^m`` ranges over ``[0, 1]``
when every exponent is even.

A **Taylor model** ``T = (c, I)`` (:class:`TaylorModel`) has a ball ``c_m`` per kept
monomial and a ball ``I``. It *encloses* a function ``f`` on ``D`` when

    f(r)  in  sum_m c_m r^m + I      for every r in D,

the right-hand side evaluated in ball arithmetic at the point ``r`` (so the real
coefficients that make it an equality may depend on ``r``). Every operation here maps
models enclosing ``f``, ``g`` to a model enclosing ``f + g``, ``f g``, ``exp(f)``, ...:

* a product keeps the monomials of degree ``<= degree`` of the product of the
  polynomial parts and bounds the others by ``|c_m| |r^m| <= |c_m|`` (grouped by
  degree: ``sum_{k+l>degree} N_k(f) N_l(g)``, ``N_k`` the sum of the ``|c_m|`` of degree
  ``k``); the cross terms ``P_f I_g + P_g I_f + I_f I_g`` use the range bound
  :meth:`TaylorModel.poly_bound` (each monomial by its exact range);
* a function ``phi`` analytic on the range of ``f = c_0 + u`` is composed by Taylor's
  theorem at the constant coefficient: ``phi(f) = sum_{k<=d} phi^(k)(c_0)/k! u^k +
  phi^(d+1)(xi)/(d+1)! u^(d+1)`` with ``xi`` in the range of ``f`` and ``d`` the degree
  (``u`` has no constant term, so ``u^(d+1)`` keeps no monomial); the derivatives come
  from Arb's power series at the ball ``c_0`` and, for the last one, at the ball
  enclosing the range (:class:`verifier.arith.series.SeriesArithmetic`). A range on
  which ``phi`` is not analytic (``log`` of a range containing 0) gives a non-finite
  remainder, as ball arithmetic gives a non-finite ball.

Models of functions of the initial coordinates *and time* are
:mod:`verifier.arith.timed_model`. :class:`TaylorModelArithmetic` is the
:class:`~verifier.arith.base.Arithmetic` of either kind, so the field's straight-line
programs and the generic kernel evaluate in it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from fractions import Fraction
from functools import cache
from typing import Any

from flint import arb, arb_series, ctx, fmpq

from verifier.arith.balls import BallArithmetic, ball_from_bounds
from verifier.arith.base import FUNCTIONS
from verifier.arith.precision import series_cap

#: The exact zero of an absent coefficient (compared by identity: ``c is ZERO``).
ZERO = arb(0)
#: Kinds of range of a monomial on the domain: the constant, ``[0, 1]`` (every
#: exponent even; also any power of time) and ``[-1, 1]``.
CONST, POS, SYM = 0, 1, 2


def times_range(v: arb, kind: int) -> arb:
    """A ball containing ``v t`` for every ``t`` in the range of the given kind."""
    if kind == CONST:
        return v
    if kind == POS:
        return arb.union(ZERO, v)
    return arb(0, v.abs_upper())


def _range_kind(m: Sequence[int]) -> int:
    if not any(m):
        return CONST
    if all(a % 2 == 0 for a in m):
        return POS
    return SYM


def symmetric(u: arb) -> arb:
    """The ball ``[-u, u]`` for an upper bound ``u >= 0`` (exact ends)."""
    return ball_from_bounds(-u, u)


class Space:
    """The monomials in ``n`` coordinates of total degree ``<= degree``, and the tables
    to multiply them. Index 0 is the constant, then by degree."""

    def __init__(self, n: int, degree: int) -> None:
        if n < 1 or degree < 1:
            raise ValueError("a space needs at least one variable and degree >= 1")
        self.n = n
        self.degree = degree
        self.monomials: list[tuple[int, ...]] = []
        for k in range(degree + 1):
            self.monomials.extend(sorted((a for a in itertools.product(range(k + 1), repeat=n)
                                          if sum(a) == k), reverse=True))
        self.size = len(self.monomials)
        #: Entries of a model's coefficient list (one per monomial).
        self.entries = self.size
        self.index = {m: i for i, m in enumerate(self.monomials)}
        #: ``deg[i]``: the degree of monomial ``i``.
        self.deg = [sum(m) for m in self.monomials]
        #: ``rows[i]``: the pairs ``(j, k)`` with ``m_i m_j = m_k`` of degree ``<= degree``.
        self.rows: list[list[tuple[int, int]]] = []
        for mi, di in zip(self.monomials, self.deg):
            self.rows.append([(j, self.index[tuple(a + b for a, b in zip(mi, mj))])
                              for j, (mj, dj) in enumerate(zip(self.monomials, self.deg))
                              if di + dj <= degree])
        #: The kind of range of each monomial on the domain (:func:`times_range`).
        self.ranges: list[int] = [_range_kind(m) for m in self.monomials]
        #: Index of the monomial ``r_i``.
        self.variables = [self.index[tuple(1 if v == i else 0 for v in range(n))]
                          for i in range(n)]

    def __repr__(self) -> str:
        return f"space(n={self.n}, degree={self.degree})"

    def constant(self, value: Any) -> TaylorModel:
        return TaylorModel.constant(self, value)


@cache
def space(n: int, degree: int) -> Space:
    """The :class:`Space` of ``n`` coordinates to total ``degree`` (built once per pair)."""
    return Space(n, degree)


def scalar(x: Any) -> arb:
    """An ``arb`` from a scalar operand (``arb``, ``int``, ``Fraction``, or a float at its
    exact binary value, as ``arb`` itself takes floats)."""
    if isinstance(x, arb):
        return x
    if isinstance(x, bool):
        raise TypeError("not a number")
    if isinstance(x, int | float):
        return arb(x)
    if isinstance(x, Fraction):
        return arb(fmpq(x.numerator, x.denominator))
    raise TypeError(f"cannot combine a Taylor model with {type(x).__name__}")


def given(x: Any) -> arb:
    """A number given to a constructor (:func:`scalar`)."""
    return scalar(x)


def norm_sum(values: Sequence[arb]) -> arb:
    """A ball whose upper end bounds ``sum |v|``."""
    acc = ZERO
    for v in values:
        acc = acc + v.abs_upper()
    return acc


def dropped_products(na: Sequence[arb], nb: Sequence[arb], degree: int) -> arb:
    """``[-u, u]`` with ``u >= sum_{k + l > degree} na[k] nb[l]`` (norms by degree): a
    bound of the monomials a product drops, each ``<= 1`` in absolute value."""
    high = ZERO
    for k, x in enumerate(na):
        if x is ZERO:
            continue
        s = ZERO
        for y in nb[max(0, degree + 1 - k):]:
            if y is not ZERO:
                s = s + y
        if s is not ZERO:
            high = high + x * s
    return ZERO if high is ZERO else symmetric(high.upper())


#: Balls wider than this (relative to ``1 + |mid|``) are split before their series are
#: evaluated: Arb's series of a function at a wide ball (and the identities behind
#: ``sinh``, ``tanh``, ``asinh``) lose accuracy geometrically with the order.
WIDE_SERIES = 1 / 16
#: Most pieces a wide ball is split into.
MAX_PIECES = 64


def series_coefficients(name: str, c: arb, length: int) -> list[arb]:
    """``phi^(k)(c)/k!`` for ``k < length``, enclosed for every point of the ball ``c``
    (``name`` a function of :data:`~verifier.arith.base.FUNCTIONS`, or ``"inv"``). A
    wide ball is split into pieces whose enclosures are united."""
    if c.is_finite():
        width = float(c.rad())
        limit = WIDE_SERIES * (1 + abs(float(c.mid())))
        if width > limit:
            # A radius beyond the float range (a finite ball all the same) takes the
            # most pieces.
            ratio = width / limit
            pieces = MAX_PIECES if not ratio < MAX_PIECES else int(ratio) + 1
            lo, hi = c.lower(), c.upper()
            step = (hi - lo) / pieces
            out: list[arb] | None = None
            for k in range(pieces):
                a = lo + step * k
                b = hi if k == pieces - 1 else lo + step * (k + 1)
                part = _series_at(name, ball_from_bounds(a.lower(), b.upper()), length)
                out = part if out is None else [arb.union(x, y) for x, y in zip(out, part)]
            return out
    return _series_at(name, c, length)


def _series_at(name: str, c: arb, length: int) -> list[arb]:
    from verifier.arith.series import SeriesArithmetic

    with series_cap(length):
        s = arb_series([c, 1], prec=length)
        if name == "asinh":
            # The identity asinh = log(x + sqrt(1 + x^2)) of the series arithmetic loses
            # accuracy on balls; integrate asinh' = (1 + x^2)^(-1/2) instead.
            d = (1 + s * s).rsqrt()
            return [BallArithmetic().f_asinh(c)] + [d[k - 1] / k for k in range(1, length)]
        try:
            out = 1 / s if name == "inv" else SeriesArithmetic(length).fn(name)(s)
        except (ValueError, ZeroDivisionError):  # a pole in the ball: no enclosure
            return [arb.nan()] * length
        return [out[k] for k in range(length)]


def point_value(monomials: Sequence[tuple[int, ...]], values: Sequence[Any],
                xs: Sequence[arb], rem: arb, absent: Any = ZERO) -> arb:
    """``sum_m values[m] xs^m + rem`` in ball arithmetic (``absent`` entries skipped)."""
    pw = BallArithmetic().powi
    acc = rem
    for m, v in zip(monomials, values):
        if v is absent:
            continue
        term = v
        for x, a in zip(xs, m):
            if a:
                term = term * pw(x, a)
        acc += term
    return acc


def plus(a: Any, b: Any, zero: Any = ZERO) -> Any:
    """``a + b`` where ``zero`` (compared by identity) stands for an exact zero."""
    if a is zero:
        return b
    if b is zero:
        return a
    return a + b


def minus(a: Any, b: Any, zero: Any = ZERO) -> Any:
    """``a - b`` where ``zero`` (compared by identity) stands for an exact zero."""
    if b is zero:
        return a
    if a is zero:
        return -b
    return a - b


class Model:
    """The arithmetic shared by both kinds of models: coefficient lists over a space
    (``ABSENT`` for an absent coefficient) and a ball remainder. Subclasses give the
    product (``_product``), the composition with a function (``compose``) and the
    coefficient of a constant (``_constant``)."""

    __slots__ = ("space", "c", "rem", "_powers", "_poly_bound", "_norms")
    #: The absent coefficient (compared by identity).
    ABSENT: Any = ZERO

    def __init__(self, sp: Any, c: list, rem: arb = ZERO) -> None:
        self.space = sp
        self.c = c
        self.rem = rem
        self._powers: list | None = None
        self._poly_bound: arb | None = None
        self._norms: list[arb] | None = None

    @classmethod
    def constant(cls, sp: Any, value: Any) -> Model:
        c = [cls.ABSENT] * sp.entries
        c[0] = cls._constant(given(value))
        return cls(sp, c)

    def _new(self, c: list, rem: arb) -> Model:
        return type(self)(self.space, c, rem)

    @staticmethod
    def _constant(v: arb) -> Any:
        return v

    def _product(self, o: Model) -> Model:
        raise NotImplementedError

    def bound(self) -> arb:
        raise NotImplementedError

    def compose(self, name: str) -> Model:
        raise NotImplementedError

    def widened(self, extra: arb) -> Model:
        """This model with ``extra`` added to its remainder."""
        return self._new(self.c, self.rem + extra)

    def polynomial(self) -> Model:
        """The polynomial part alone (remainder 0)."""
        return self._new(self.c, ZERO)

    def _same(self, o: Model) -> None:
        if o.space is not self.space:
            raise ValueError(f"models over different spaces: {self.space}, {o.space}")

    def __add__(self, o: Any) -> Model:
        z = self.ABSENT
        if isinstance(o, Model):
            self._same(o)
            return self._new([plus(x, y, z) for x, y in zip(self.c, o.c)],
                             plus(self.rem, o.rem))
        c = list(self.c)
        c[0] = plus(c[0], self._constant(scalar(o)), z)
        return self._new(c, self.rem)

    __radd__ = __add__

    def __neg__(self) -> Model:
        z = self.ABSENT
        return self._new([v if v is z else -v for v in self.c], -self.rem)

    def __pos__(self) -> Model:
        return self

    def __sub__(self, o: Any) -> Model:
        z = self.ABSENT
        if isinstance(o, Model):
            self._same(o)
            return self._new([minus(x, y, z) for x, y in zip(self.c, o.c)],
                             minus(self.rem, o.rem))
        c = list(self.c)
        c[0] = minus(c[0], self._constant(scalar(o)), z)
        return self._new(c, self.rem)

    def __rsub__(self, o: Any) -> Model:
        return (-self) + o

    def scale(self, s: arb) -> Model:
        z = self.ABSENT
        return self._new([v if v is z else v * s for v in self.c],
                         self.rem if self.rem is ZERO else self.rem * s)

    def __mul__(self, o: Any) -> Model:
        if isinstance(o, Model):
            self._same(o)
            return self._product(o)
        return self.scale(scalar(o))

    __rmul__ = __mul__

    def __truediv__(self, o: Any) -> Model:
        if isinstance(o, Model):
            return self * o.compose("inv")
        return self.scale(1 / scalar(o))

    def __rtruediv__(self, o: Any) -> Model:
        return self.compose("inv").scale(scalar(o))

    def __pow__(self, n: int) -> Model:
        return power(self, n)

    def deviation(self) -> Model:
        """``u``: the model without its first coefficient (the constant; for timed
        models the part constant in ``r``), remainder kept."""
        c = list(self.c)
        c[0] = self.ABSENT
        return self._new(c, self.rem)

    def powers(self) -> list[Model]:
        """``[u, u^2, ..., u^d]`` for ``u`` the :meth:`deviation`, ``d`` the degree of the
        space (computed once per model)."""
        if self._powers is None:
            u = self.deviation()
            out = [u]
            for _ in range(self.space.degree - 1):
                out.append(out[-1]._product(u))
            self._powers = out
        return self._powers


class TaylorModel(Model):
    """``sum_m c[m] r^m + rem`` over a :class:`Space` (module docstring).

    ``c`` is a dense list of balls (``ZERO`` for an absent monomial). Models are
    immutable: operations return new ones.
    """

    __slots__ = ()

    # -- construction ------------------------------------------------------
    @classmethod
    def variable(cls, sp: Space, i: int, centre: Any = 0, scale: Any = 1) -> TaylorModel:
        """``centre + scale * r_i``."""
        c = [ZERO] * sp.size
        c[0] = given(centre)
        c[sp.variables[i]] = given(scale)
        return cls(sp, c)

    @classmethod
    def from_terms(cls, sp: Space, terms: dict[tuple[int, ...], Any],
                   rem: Any = ZERO) -> TaylorModel:
        """The model with these monomial coefficients; monomials of a higher degree are
        bounded into the remainder."""
        c = [ZERO] * sp.size
        extra = given(rem)
        for m, v in terms.items():
            i = sp.index.get(tuple(m))
            if i is None:
                extra += times_range(given(v), _range_kind(m))
            else:
                c[i] = c[i] + given(v)
        return cls(sp, c, extra)

    # -- reading -------------------------------------------------------------
    def __repr__(self) -> str:
        terms = [f"{v.str(5, radius=False)}*{m}" for m, v in self.terms().items()]
        return f"TaylorModel({' + '.join(terms) or '0'} + {self.rem.str(3)})"

    def terms(self) -> dict[tuple[int, ...], arb]:
        """The non-zero coefficients by monomial."""
        return {m: v for m, v in zip(self.space.monomials, self.c)
                if v is not ZERO and not v.is_zero()}

    def poly_bound(self) -> arb:
        """A ball containing the polynomial part on the whole domain (each monomial by
        its exact range)."""
        if self._poly_bound is None:
            rng = self.space.ranges
            acc = self.c[0]
            for i in range(1, len(self.c)):
                v = self.c[i]
                if v is not ZERO:
                    acc += times_range(v, rng[i])
            self._poly_bound = acc
        return self._poly_bound

    def bound(self) -> arb:
        """A ball containing every value of every enclosed function on the domain."""
        return self.poly_bound() + self.rem

    def derivative(self, i: int) -> TaylorModel:
        """The polynomial ``d/dr_i`` of the polynomial part (degree one less; remainder 0)."""
        sp = self.space
        c = [ZERO] * sp.size
        for m, v in zip(sp.monomials, self.c):
            if v is ZERO or not m[i]:
                continue
            lower = m[:i] + (m[i] - 1,) + m[i + 1:]
            c[sp.index[lower]] = v * m[i]
        return TaylorModel(sp, c)

    def on_face(self, fixed: dict[int, int]) -> TaylorModel:
        """The polynomial part with ``r_i = fixed[i]`` (each ``+1`` or ``-1``)."""
        sp = self.space
        c = [ZERO] * sp.size
        for m, v in zip(sp.monomials, self.c):
            if v is ZERO:
                continue
            sign = 1
            face = list(m)
            for i, s in fixed.items():
                if m[i]:
                    sign *= s ** m[i]
                    face[i] = 0
            k = sp.index[tuple(face)]
            term = v if sign == 1 else -v
            c[k] = term if c[k] is ZERO else c[k] + term
        return TaylorModel(sp, c)

    def range(self) -> arb:
        """A tighter ball than :meth:`bound`: where a partial derivative of the polynomial
        part has one sign on the whole domain, the polynomial is monotone in that
        coordinate, so its maximum (minimum) is on the face where that coordinate is at
        the end given by the sign (the other end); each end is bounded on its face."""
        signs = {}
        for i in range(self.space.n):
            d = self.derivative(i).poly_bound()
            if d > 0:
                signs[i] = 1
            elif d < 0:
                signs[i] = -1
        if not signs:
            return self.bound()
        hi = self.on_face(signs).poly_bound().upper()
        lo = self.on_face({i: -s for i, s in signs.items()}).poly_bound().lower()
        return (ball_from_bounds(lo, hi) + self.rem).intersection(self.bound())

    def __call__(self, r: Sequence[Any]) -> arb:
        """The model at the point (or ball vector) ``r``: ``sum_m c_m r^m + rem``."""
        xs = [given(v) for v in r]
        if len(xs) != self.space.n:
            raise ValueError(f"expected {self.space.n} coordinates, got {len(xs)}")
        return point_value(self.space.monomials, self.c, xs, self.rem)

    def is_finite(self) -> bool:
        return self.rem.is_finite() and all(v.is_finite() for v in self.c)

    # -- exactness -----------------------------------------------------------
    def exact(self) -> TaylorModel:
        """The same enclosure with exact (midpoint) coefficients: their radii move into
        the remainder, each times its monomial's range."""
        c = []
        rem = self.rem
        for v, kind in zip(self.c, self.space.ranges):
            if v is ZERO or v.rad() == 0:
                c.append(v)
                continue
            c.append(v.mid())
            rem += times_range(arb(0, v.rad()), kind)
        return TaylorModel(self.space, c, rem)

    def to_space(self, target: Space) -> TaylorModel:
        """This model over ``target`` (same coordinates): monomials beyond its degree
        are bounded into the remainder."""
        if target.n != self.space.n:
            raise ValueError(f"cannot move a model of {self.space} to {target}")
        if target is self.space:
            return self
        c = [ZERO] * target.size
        rem = self.rem
        for m, v, kind in zip(self.space.monomials, self.c, self.space.ranges):
            if v is ZERO:
                continue
            i = target.index.get(m)
            if i is None:
                rem += times_range(v, kind)
            else:
                c[i] = v
        return TaylorModel(target, c, rem)

    def _product(self, o: TaylorModel) -> TaylorModel:
        return _multiply(self, o)

    # -- composition ----------------------------------------------------------
    def compose(self, name: str) -> TaylorModel:
        """``phi(f)`` for the function ``name`` (a :data:`~verifier.arith.base.FUNCTIONS`
        entry other than ``Abs``, or ``"inv"`` for ``1/f``), by Taylor's theorem at the
        constant coefficient with a Lagrange remainder over the range (module
        docstring)."""
        c0 = self.c[0]
        d = self.space.degree
        u_range = self.deviation().bound()
        if all(v is ZERO or v.is_zero() for v in self.c[1:]):
            return TaylorModel.constant(self.space,
                                        series_coefficients(name, c0 + u_range, 1)[0])
        at_c = series_coefficients(name, c0, d + 1)
        last = series_coefficients(name, c0 + u_range, d + 2)[d + 1]
        lagrange = last * BallArithmetic().powi(u_range, d + 1)
        return combination(self.space, at_c[0], list(zip(at_c[1:], self.powers())), lagrange)


def _degree_norms(x: TaylorModel) -> list[arb]:
    """``sum |c_m|`` by degree (upper bounds, as balls; computed once per model)."""
    if x._norms is None:
        sp = x.space
        norms = [ZERO] * (sp.degree + 1)
        deg = sp.deg
        for i, v in enumerate(x.c):
            if v is not ZERO:
                k = deg[i]
                norms[k] = norms[k] + v.abs_upper()
        x._norms = norms
    return x._norms


def _multiply(a: TaylorModel, b: TaylorModel) -> TaylorModel:
    """The product model (module docstring)."""
    sp = a.space
    A, B = a.c, b.c
    # The sparser operand drives the outer loop.
    if sum(v is not ZERO for v in A) > sum(v is not ZERO for v in B):
        A, B, a, b = B, A, b, a
    acc = [ZERO] * sp.size
    rows = sp.rows
    for i, x in enumerate(A):
        if x is ZERO:
            continue
        for j, k in rows[i]:
            y = B[j]
            if y is not ZERO:
                acc[k] = acc[k] + x * y
    rem = dropped_products(_degree_norms(a), _degree_norms(b), sp.degree)
    if b.rem is not ZERO:
        rem = rem + a.poly_bound() * b.rem
    if a.rem is not ZERO:
        rem = rem + b.poly_bound() * a.rem
        if b.rem is not ZERO:
            rem = rem + a.rem * b.rem
    return TaylorModel(sp, acc, rem)


def combination(sp: Space, const: arb, terms: Sequence[tuple[arb, TaylorModel]],
                extra: arb) -> TaylorModel:
    """``const + sum s_k T_k + extra`` (balls ``s_k``, models ``T_k`` over ``sp``)."""
    c = [ZERO] * sp.size
    c[0] = const
    rem = extra
    for s, t in terms:
        for i, v in enumerate(t.c):
            if v is not ZERO:
                c[i] = c[i] + s * v
        if t.rem is not ZERO:
            rem = rem + s * t.rem
    return TaylorModel(sp, c, rem)


def power(x: Any, n: int) -> Any:
    """``x ** n`` for a model ``x`` and an integer ``n >= 0``, by repeated squaring."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"power needs an integer n >= 0, got {n!r}")
    result = None
    base = x
    while True:
        if n & 1:
            result = base if result is None else result * base
        n >>= 1
        if not n:
            break
        base = base * base
    return result if result is not None else x.space.constant(1)


class TaylorModelArithmetic(BallArithmetic):
    """Models over one space (a :class:`Space` or a
    :class:`~verifier.arith.timed_model.TimedSpace`) and ``arb`` constants, as an
    arithmetic.

    Constants stay balls, evaluated as :class:`~verifier.arith.balls.BallArithmetic`
    evaluates them. Comparisons are those of balls, taken on the range of the
    difference; where undecided, the cases are united (:meth:`union`: a model whose
    remainder covers every case, valid for continuous quantities as for balls);
    restricted values become constant models of the intersected range.
    """

    def __init__(self, sp: Any) -> None:
        super().__init__()
        self.space = sp
        self.name = f"taylor-model[{sp!r}]"

    def binding_key(self) -> tuple:
        # The functions of models depend on the space (constants, degree).
        return (type(self), self.space, self.working_prec())

    def constant_key(self) -> tuple:
        # Functions of constants are the ball arithmetic's.
        return ("arb", ctx.prec)

    def lift(self, x: Any) -> Model:
        return x if isinstance(x, Model) else self.space.constant(x)

    @staticmethod
    def range(x: Any) -> arb:
        """A ball containing every value of ``x`` on the domain."""
        return x.bound() if isinstance(x, Model) else scalar(x)

    def ge(self, x, y):
        if isinstance(x, Model) or isinstance(y, Model):
            return super().ge(self.range(x - y), ZERO)
        return super().ge(x, y)

    def max(self, x, y):
        return self._pick(x, y, True)

    def min(self, x, y):
        return self._pick(x, y, False)

    def _pick(self, x, y, larger: bool):
        """``max`` (``larger``) or ``min``: the decided one, else the union of both."""
        d = self.ge(x, y)
        if d is None:
            return self.union([x, y])
        return x if d is larger else y

    def union(self, values: Sequence[Any]):
        """A model enclosing each of ``values`` at every point: the first one with its
        remainder widened by the ranges of the others' differences to its polynomial."""
        if not any(isinstance(v, Model) for v in values):
            return super().union(list(values))
        first = self.lift(values[0])
        base = first.polynomial()
        rem = first.rem
        for v in values[1:]:
            rem = arb.union(rem, (self.lift(v) - base).bound())
        return base.widened(rem)

    def restrict(self, x, lo, hi, open_left=False, open_right=False):
        lo_r, hi_r = self.range(lo), self.range(hi)
        if not isinstance(x, Model):
            return super().restrict(x, lo_r, hi_r, open_left, open_right)
        r = x.bound()
        if r.lower() >= lo_r.upper() and r.upper() <= hi_r.lower():
            return x
        inner = super().restrict(r, lo_r, hi_r, open_left, open_right)
        return None if inner is None else self.space.constant(inner)

    def anywhere(self, lo, hi):
        return self.space.constant(arb.union(self.range(lo), self.range(hi)))

    def powi(self, x, n: int):
        if isinstance(x, Model):
            return power(x, n)
        return super().powi(x, n)

    def fn(self, name: str):
        if name == "Abs":
            return self._abs
        ball = getattr(super(), "f_" + name)

        def f(x):
            if isinstance(x, Model):
                return x.compose(name)
            return ball(x)

        return f

    def _abs(self, x):
        if not isinstance(x, Model):
            return abs(x)
        s = self.decided_sign(x)
        if s == 1:
            return x
        if s == -1:
            return -x
        return self.space.constant(abs(x.bound()))

    def sinc(self, x):
        if isinstance(x, Model):
            return self.fn("sin")(x) / x
        return super().sinc(x)

    def abs_derivative(self, x):
        if isinstance(x, Model):
            s = self.decided_sign(x)
            return arb(s) if s in (1, -1) else arb(0, 1)
        return super().abs_derivative(x)


def _function_method(name: str):
    def method(self: TaylorModelArithmetic, x: Any) -> Any:
        return self.fn(name)(x)

    method.__name__ = "f_" + name
    return method


# ``f_<name>`` as methods too: jets over this arithmetic call them directly.
for _name in FUNCTIONS:
    setattr(TaylorModelArithmetic, "f_" + _name, _function_method(_name))
