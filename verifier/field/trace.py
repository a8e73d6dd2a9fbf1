"""Tracing the generic kernel: its operations on the state and its decisions.

The kernel (:mod:`verifier.field.kernel`) is run on :class:`Traced` values, each
carrying its value in the arithmetic of the call and a register of a :class:`Tape`.
The tape records, in execution order, every operation on a value that depends on the
state (``+ - * /``, negation, ``ar.fn(name)``, ``ar.powi``, ``ar.union``,
``ar.anywhere``) and every decision the kernel asks of the arithmetic (``ge``,
``sign``, ``decided_sign``, ``max``, ``min``, ``restrict``) with its operands and
outcome (:func:`classify`). Operations on constants only are carried out at once:
their results are constant registers. The arithmetic of a trace (:class:`Tracer`)
asks everything of the arithmetic of the call and inherits the composite case logic
(``clamp``, ``tagged_max``, ``active_interval``, ``piecewise``) from the base class,
which the arithmetics traced here use unchanged; so the tape follows the kernel's path
in that arithmetic exactly. :mod:`verifier.field.program` replays tapes.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

from verifier.arith.base import Arithmetic
from verifier.arith.jets import Jet


class Untraceable(Exception):
    """The kernel did something a straight-line program does not replay."""


#: Outcome of a decision that a program does not continue past (an exception, or a
#: value the kernel made by uniting cases).
UNDECIDED = "undecided"


def classify(method: str, out: Any, vals: Sequence) -> Any:
    """The outcome of a decision: what the kernel's control flow depends on."""
    if method in ("max", "min"):
        if out is vals[0]:
            return 0
        if out is vals[1]:
            return 1
        return UNDECIDED
    if method == "restrict":
        x = vals[0]
        if out is None:
            return None
        if out is x or (isinstance(out, Jet) and isinstance(x, Jet)
                        and out.val is x.val and out.der is x.der):
            return "same"
        return UNDECIDED
    if out is None or isinstance(out, bool | int):
        return out
    try:  # numpy / mpmath booleans
        return bool(out)
    except (TypeError, ValueError):
        return UNDECIDED


class Traced:
    """A value under tracing: its register and its value in the arithmetic of the call."""

    __slots__ = ("tape", "reg", "val")

    def __init__(self, tape: Tape, reg: int, val: Any) -> None:
        self.tape = tape
        self.reg = reg
        self.val = val

    def __add__(self, o): return self.tape.binary(operator.add, self, o)
    def __radd__(self, o): return self.tape.binary(operator.add, o, self)
    def __sub__(self, o): return self.tape.binary(operator.sub, self, o)
    def __rsub__(self, o): return self.tape.binary(operator.sub, o, self)
    def __mul__(self, o): return self.tape.binary(operator.mul, self, o)
    def __rmul__(self, o): return self.tape.binary(operator.mul, o, self)
    def __truediv__(self, o): return self.tape.binary(operator.truediv, self, o)
    def __rtruediv__(self, o): return self.tape.binary(operator.truediv, o, self)

    def __neg__(self):
        return self.tape.unary(("neg",), self, operator.neg)

    def _refuse(self, *args):
        raise Untraceable("a traced value was compared or converted directly")

    __bool__ = __lt__ = __le__ = __gt__ = __ge__ = __pow__ = __rpow__ = __float__ = _refuse


class Tape:
    """The registers, operations and decisions of one trace."""

    def __init__(self, inner: Arithmetic) -> None:
        self.inner = inner
        self.vals: list[Any] = []
        self.live: list[bool] = []  # whether the register depends on the state
        #: ("op", spec, out, a, b) with b = -1 for unary operations, or
        #: ("guard", method, args, extra, outcome).
        self.code: list[tuple] = []

    def new(self, val: Any, live: bool) -> Traced:
        self.vals.append(val)
        self.live.append(live)
        return Traced(self, len(self.vals) - 1, val)

    def lift(self, x: Any) -> Traced:
        if isinstance(x, Traced) and x.tape is self:
            return x
        if type(x) in (int, Fraction):  # literals of the kernel's formulas (``2 * v``)
            return self.new(x, False)
        raise Untraceable(f"an operand of type {type(x).__name__} is not traced")

    def binary(self, spec: Any, a: Any, b: Any, fn: Callable | None = None) -> Traced:
        a, b = self.lift(a), self.lift(b)
        val = (fn or spec)(a.val, b.val)
        if not (self.live[a.reg] or self.live[b.reg]):
            return self.new(val, False)
        out = self.new(val, True)
        self.code.append(("op", spec, out.reg, a.reg, b.reg))
        return out

    def unary(self, spec: tuple, a: Any, fn: Callable) -> Traced:
        a = self.lift(a)
        val = fn(a.val)
        if not self.live[a.reg]:
            return self.new(val, False)
        out = self.new(val, True)
        self.code.append(("op", spec, out.reg, a.reg, -1))
        return out

    def decide(self, method: str, args: Sequence[Any], extra: tuple = ()) -> Any:
        """Ask the arithmetic of the call; record the decision unless it is on constants."""
        ts = [self.lift(a) for a in args]
        vals = [t.val for t in ts]
        live = any(self.live[t.reg] for t in ts)
        try:
            out = getattr(self.inner, method)(*vals, *extra)
        except ArithmeticError:
            if live:
                self.code.append(("guard", method, tuple(t.reg for t in ts), extra, UNDECIDED))
            raise
        outcome = classify(method, out, vals)
        if live or outcome == UNDECIDED:
            self.code.append(("guard", method, tuple(t.reg for t in ts), extra, outcome))
        if outcome == UNDECIDED:
            raise Untraceable(f"{method} is not decided")
        if method in ("max", "min"):
            return ts[outcome]
        if method == "restrict":
            return None if outcome is None else ts[0]
        return out


class Tracer(Arithmetic):
    """The arithmetic of a trace: values are :class:`Traced`, everything is asked of
    the arithmetic of the call; the composite case logic is inherited from the base."""

    symbolic = False

    def __init__(self, tape: Tape) -> None:
        super().__init__()
        self.tape = tape
        self.inner = tape.inner
        self.name = f"trace[{tape.inner.name}]"

    def _const(self, val: Any) -> Traced:
        return self.tape.new(val, False)

    def rational(self, p: int, q: int): return self._const(self.inner.rational(p, q))
    def pi(self): return self._const(self.inner.pi())
    def const(self, expr): return self._const(self.inner.const(expr))
    def k(self, slot: int): return self._const(self.inner.k(slot))
    def from_ball(self, x): return self._const(self.inner.from_ball(x))
    def working_prec(self) -> int: return self.inner.working_prec()

    def powi(self, x, n: int):
        inner = self.inner
        return self.tape.unary(("powi", n), x, lambda v: inner.powi(v, n))

    def fn(self, name: str):
        g = self.inner.fn(name)
        return lambda x: self.tape.unary(("fn", name), x, g)

    def union(self, values):
        if len(values) != 2:
            raise Untraceable("a union of more than two cases")
        inner = self.inner
        return self.tape.binary(("union",), values[0], values[1],
                                lambda a, b: inner.union([a, b]))

    def anywhere(self, lo, hi):
        return self.tape.binary(("anywhere",), lo, hi, self.inner.anywhere)

    def ge(self, x, y): return self.tape.decide("ge", (x, y))
    def sign(self, x): return self.tape.decide("sign", (x,))
    def decided_sign(self, x): return self.tape.decide("decided_sign", (x,))
    def max(self, x, y): return self.tape.decide("max", (x, y))
    def min(self, x, y): return self.tape.decide("min", (x, y))

    def restrict(self, x, lo, hi, open_left=False, open_right=False):
        return self.tape.decide("restrict", (x, lo, hi), (open_left, open_right))
