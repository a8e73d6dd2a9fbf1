"""The arithmetic interface shared by every evaluation of the closed forms.

The risk, its gradient and its Hessian are written once, in
:mod:`verifier.field.kernel`, against this interface. Each arithmetic decides
what a number is (a float, an mpmath number, an Arb ball, a ball jet, a SymPy
expression) and, crucially, what a *case distinction* means:

* point arithmetics (float, mpmath) decide every comparison;
* ball arithmetics answer comparisons three-valued (``True`` = certainly,
  ``False`` = certainly not, ``None`` = unknown) and, where unknown, enclose
  the union of all cases that are possible over the ball;
* the symbolic arithmetic turns a case distinction into ``Piecewise``.

Elementary functions are looked up by name (``ar.fn("sin")``); the names are
those of :data:`FUNCTIONS`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sympy as sp

from verifier.arith.compile import compile_constant, slot_expr

Value = Any

#: Names of the elementary and special functions every arithmetic provides.
FUNCTIONS: tuple[str, ...] = (
    "sin", "cos", "tan", "exp", "log", "sqrt", "atan", "asin", "acos",
    "sinh", "cosh", "tanh", "asinh", "erf", "erfi", "Ei", "Si", "Ci", "Abs",
)


class Arithmetic:
    """Base class: a number system in which the closed forms are evaluated.

    Subclasses implement the constants, the functions, ``ge`` (three-valued
    ``x >= y``), ``max``/``min``, ``restrict`` (intersection with an interval,
    ``None`` when empty) and ``union``. Case logic built from these primitives
    lives here, once.
    """

    name = "abstract"

    def __init__(self) -> None:
        self._consts: dict[sp.Expr, Value] = {}

    # -- numbers -----------------------------------------------------------
    def rational(self, p: int, q: int) -> Value:
        raise NotImplementedError

    def pi(self) -> Value:
        raise NotImplementedError

    def const(self, expr: sp.Expr) -> Value:
        """The exact real constant ``expr`` (a SymPy number), enclosed or rounded."""
        try:
            return self._consts[expr]
        except KeyError:
            val = compile_constant(expr)(self)
            self._consts[expr] = val
            return val

    def from_ball(self, x) -> Value:
        """A ball constant (a precomputed enclosure) in this arithmetic."""
        raise NotImplementedError

    def working_prec(self) -> int:
        """Bits at which precomputed ball constants must be made for this arithmetic."""
        raise NotImplementedError

    def binding_key(self) -> tuple | None:
        """Arithmetics with equal keys have the same functions, so an operation bound to
        one of them (:func:`verifier.field.program.bind_operation`) serves the others:
        the type, the series length if any, the precision. Arithmetics whose functions
        depend on more of the instance extend the key (the space of a Taylor-model
        arithmetic); ``None``: bindings are not shared (functions with state of their
        own, such as lazy series)."""
        return (type(self), getattr(self, "length", None), self.working_prec())

    def constant_key(self) -> tuple | None:
        """Arithmetics with equal keys compute equal values from equal constants (the
        moments at the ends of the domain are cached under it); ``None``: never cached."""
        return None

    def k(self, slot: int) -> Value:
        """The constant registered as ``slot`` (:func:`~verifier.arith.compile.constant_slot`)."""
        cache = self._slot_cache()
        try:
            return cache[slot]
        except KeyError:
            val = cache[slot] = self.const(slot_expr(slot))
            return val

    def _slot_cache(self) -> dict[int, Value]:
        """Where slot values are kept; precision-dependent arithmetics key it by precision."""
        try:
            return self._slots
        except AttributeError:
            self._slots: dict[int, Value] = {}
            return self._slots

    def powi(self, x: Value, n: int) -> Value:
        """``x ** n`` for an integer ``n >= 0``."""
        return x**n

    def fn(self, name: str) -> Callable[[Value], Value]:
        return getattr(self, "f_" + name)

    # -- comparisons and case logic ---------------------------------------
    def ge(self, x: Value, y: Value) -> bool | None:
        """``x >= y``: True (certainly), False (certainly not), None (unknown)."""
        raise NotImplementedError

    def sign(self, x: Value) -> int | None:
        """+1 if certainly > 0, -1 if certainly < 0, 0 if certainly = 0, else None."""
        zero = self.rational(0, 1)
        pos = self.ge(x, zero)
        neg = self.ge(zero, x)
        if pos is True and neg is True:
            return 0
        if neg is False:
            return 1
        if pos is False:
            return -1
        return None

    def decided_sign(self, x: Value) -> int | None:
        """:meth:`sign`, but ``None`` (never an exception) when it is undecided."""
        return self.sign(x)

    def max(self, x: Value, y: Value) -> Value:
        raise NotImplementedError

    def min(self, x: Value, y: Value) -> Value:
        raise NotImplementedError

    def clamp(self, x: Value, lo: Value, hi: Value) -> Value:
        return self.min(self.max(x, lo), hi)

    def restrict(
        self, x: Value, lo: Value, hi: Value, open_left: bool = False, open_right: bool = False
    ) -> Value | None:
        """``x`` intersected with ``[lo, hi]`` (``None`` when certainly empty).

        ``open_left``/``open_right`` let a point arithmetic accept a point
        rounded just outside the outermost pieces; balls always intersect.
        """
        raise NotImplementedError

    def union(self, values: Sequence[Value]) -> Value:
        """A value enclosing every one of ``values`` (point arithmetics: the first)."""
        raise NotImplementedError

    def anywhere(self, lo: Value, hi: Value) -> Value:
        """Some unknown point of ``[lo, hi]`` (only ball arithmetics can say this)."""
        raise ValueError(f"the {self.name} arithmetic cannot represent an unknown point")

    # -- composite case logic (written once for every arithmetic) ----------
    def tagged_max(self, p: tuple[Value, tuple], q: tuple[Value, tuple]) -> tuple[Value, tuple]:
        """``(max(x1, x2), M(max(x1, x2)))`` from ``(x1, M(x1))`` and ``(x2, M(x2))``.

        Where the order is unknown, M(max) lies in the union of both (it is one
        of them at every point), so the union is a valid enclosure.
        """
        d = self.ge(p[0], q[0])
        if d is True:
            return p
        if d is False:
            return q
        return self.max(p[0], q[0]), tuple(self.union([a, b]) for a, b in zip(p[1], q[1]))

    def tagged_min(self, p: tuple[Value, tuple], q: tuple[Value, tuple]) -> tuple[Value, tuple]:
        d = self.ge(p[0], q[0])
        if d is True:
            return q
        if d is False:
            return p
        return self.min(p[0], q[0]), tuple(self.union([a, b]) for a, b in zip(p[1], q[1]))

    def active_interval(
        self, w: Value, b: Value, lo: Value, hi: Value
    ) -> tuple[Value, Value] | None:
        """The set ``{x in [lo, hi] : w x + b > 0}`` as ``(l, r)``; ``None`` if empty.

        With ``k = -b/w`` the kink: for ``w > 0`` it is ``[clamp(k), hi]``, for
        ``w < 0`` it is ``[lo, clamp(k)]``; both are continuous in ``(w, b)``,
        including through death at ``lo``/``hi``. Where the sign of ``w`` is
        unknown (a ball around ``w = 0``) the neuron is either certainly dead,
        certainly active on all of ``[lo, hi]``, or its ends are enclosed by
        :meth:`anywhere` (valid, but with no derivative information).
        """
        # Orientation only matters when the kink may lie in [lo, hi]: a neuron active
        # (or dead) on all of it is analytic across w = 0, its kink passing infinity.
        sw = self.decided_sign(w)
        if sw == 1:
            return self.clamp(-b / w, lo, hi), hi
        if sw == -1:
            return lo, self.clamp(-b / w, lo, hi)
        s_lo = self.sign(w * lo + b)
        s_hi = self.sign(w * hi + b)
        if s_lo in (-1, 0) and s_hi in (-1, 0):
            return None
        if s_lo == 1 and s_hi == 1:
            return lo, hi
        return self.anywhere(lo, hi), self.anywhere(lo, hi)

    def piecewise(
        self, x: Value, cuts: Sequence[Value], pieces: Sequence[Callable[[Arithmetic, Value], Any]]
    ) -> Any:
        """Evaluate a function given on ``[cuts[i], cuts[i+1]]`` by ``pieces[i]``.

        The function must be continuous (antiderivatives are). Pieces whose
        interval may contain ``x`` are evaluated on ``x`` restricted to it and
        their values united; a result is a value or a tuple of values.
        """
        if len(pieces) == 1:  # one analytic formula: no restriction needed
            return pieces[0](self, x)
        results = []
        last = len(pieces) - 1
        for i, piece in enumerate(pieces):
            lo = cuts[i]
            hi = cuts[i + 1]
            xi = self.restrict(x, lo, hi, open_left=(i == 0), open_right=(i == last))
            if xi is not None:
                results.append(piece(self, xi))
        if not results:
            raise ArithmeticError(f"point {x} lies outside [{cuts[0]}, {cuts[-1]}]")
        if len(results) == 1:
            return results[0]
        if isinstance(results[0], tuple):
            return tuple(self.union(list(col)) for col in zip(*results))
        return self.union(results)
