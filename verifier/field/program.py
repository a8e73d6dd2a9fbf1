"""Straight-line programs of the analytic pieces of the vector field.

The generic kernel (:mod:`verifier.field.kernel`) is written once against the
arithmetic interface and decides its cases (a neuron's orientation, a kink inside or
outside ``[a, b]``, the order of two kinks, the cell of a breakpoint) on every call,
and most of its operations act on constants (the moments at the domain ends, the
cell integrals). Inside one analytic piece the decisions are always the same.

**Tracing.** The field is evaluated once on *traced* values: each carries its value
in the arithmetic of the call and a register of a program, which records in
execution order

* every operation on a value that depends on the state (``+ - * /``, negation,
  ``ar.fn(name)``, ``ar.powi``, ``ar.union``, ``ar.anywhere``);
* every decision the kernel asks of the arithmetic (``ge``, ``sign``,
  ``decided_sign``, ``max``, ``min``, ``restrict``), with its operands and its
  outcome: a truth value, a sign, which operand was returned, or "the case was not
  decided" (an exception, or a united value).

Operations on constants only are carried out while tracing and their results become
registers of the program (so the moments at the ends of the domain are computed
once per piece, arithmetic family and precision). The composite case logic
(``clamp``, ``tagged_max``, ``active_interval``, ``piecewise``) is the base class's,
which every arithmetic traced here uses unchanged, and is traced through the
primitives above.

**Replay.** For a state in an arithmetic of the same family (:func:`family`) at the
same precision, a program performs the recorded operations and re-asks every
recorded decision of the arithmetic of the call, in order, on the replayed values.
If every outcome is the recorded one, the kernel run on this state would take the
same path and perform the same operations on the same values: the result *is* the
kernel's, bit for bit (only operations whose results the kernel discards are left
out). Otherwise another traced program is tried, or the state is traced. A trace
that ends in an undecided case (a ball across a switching surface, where the kernel
unites the cases, or a series refusing to expand) is kept as a *dead end*: a state
that reproduces its decisions up to that case goes to the generic kernel directly.
So which programs happen to be cached never changes a result.

**Analytic pieces.** In power-series arithmetic every decision is strict on the
constant terms (:class:`~verifier.arith.series.SeriesArithmetic`): when the decisions
of a program hold for series whose constant terms are the box ``x0``, the field
equals the program's formula on a neighbourhood of ``x0``. :meth:`Program.match`
returns that formula without its decisions, for the later orders of a Taylor
recursion and for jets of power series along the solution (same constant terms).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
from flint import arb, arb_series, ctx

from verifier.arith.balls import BallArithmetic
from verifier.arith.base import Arithmetic
from verifier.arith.batch import BatchArithmetic
from verifier.arith.floats import FloatArithmetic
from verifier.arith.jets import Jet, JetArithmetic
from verifier.arith.mp import MpmathArithmetic
from verifier.arith.series import SeriesArithmetic
from verifier.field.derivatives import differentiate
from verifier.field.straight_line import Code, fold_negations, fuse_sin_cos, needed, simplify

#: Most programs (pieces and dead ends) kept per family and precision; beyond, the
#: generic kernel evaluates the states that no kept program matches.
MAX_PIECES = 64

#: Arithmetics whose case logic is the base class's (their own methods are the
#: primitives traced here); jets over them qualify too.
_TRACEABLE = (BallArithmetic, SeriesArithmetic, FloatArithmetic, MpmathArithmetic)


def family(ar: Arithmetic) -> tuple | None:
    """The key under which programs traced in ``ar`` are replayed, or ``None`` when
    ``ar`` is not traced (its case logic is its own: batches, SymPy choices, or a
    subclass such as the Clarke enumeration's forced choices)."""
    t = type(ar)
    if t is JetArithmetic:
        base = family(ar.base)
        return None if base is None else ("jet", ar.n, base)
    if t in _TRACEABLE:
        return (t.__name__, ar.working_prec())
    return None


class _Untraceable(Exception):
    """The kernel did something a straight-line program does not replay."""


#: Outcome of a decision that a program does not continue past (an exception, or a
#: value the kernel made by uniting cases).
UNDECIDED = "undecided"


def _classify(method: str, out: Any, vals: Sequence) -> Any:
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


class _Traced:
    """A value under tracing: its register and its value in the arithmetic of the call."""

    __slots__ = ("tape", "reg", "val")

    def __init__(self, tape: _Tape, reg: int, val: Any) -> None:
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
        raise _Untraceable("a traced value was compared or converted directly")

    __bool__ = __lt__ = __le__ = __gt__ = __ge__ = __pow__ = __rpow__ = __float__ = _refuse


class _Tape:
    """The registers, operations and decisions of one trace."""

    def __init__(self, inner: Arithmetic) -> None:
        self.inner = inner
        self.vals: list[Any] = []
        self.live: list[bool] = []  # whether the register depends on the state
        #: ("op", spec, out, a, b) with b = -1 for unary operations, or
        #: ("guard", method, args, extra, outcome).
        self.code: list[tuple] = []

    def new(self, val: Any, live: bool) -> _Traced:
        self.vals.append(val)
        self.live.append(live)
        return _Traced(self, len(self.vals) - 1, val)

    def lift(self, x: Any) -> _Traced:
        if isinstance(x, _Traced) and x.tape is self:
            return x
        if type(x) in (int, Fraction):  # literals of the kernel's formulas (``2 * v``)
            return self.new(x, False)
        raise _Untraceable(f"an operand of type {type(x).__name__} is not traced")

    def binary(self, spec: Any, a: Any, b: Any, fn: Callable | None = None) -> _Traced:
        a, b = self.lift(a), self.lift(b)
        val = (fn or spec)(a.val, b.val)
        if not (self.live[a.reg] or self.live[b.reg]):
            return self.new(val, False)
        out = self.new(val, True)
        self.code.append(("op", spec, out.reg, a.reg, b.reg))
        return out

    def unary(self, spec: tuple, a: Any, fn: Callable) -> _Traced:
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
        outcome = _classify(method, out, vals)
        if live or outcome == UNDECIDED:
            self.code.append(("guard", method, tuple(t.reg for t in ts), extra, outcome))
        if outcome == UNDECIDED:
            raise _Untraceable(f"{method} is not decided")
        if method in ("max", "min"):
            return ts[outcome]
        if method == "restrict":
            return None if outcome is None else ts[0]
        return out


class _Tracer(Arithmetic):
    """The arithmetic of a trace: values are :class:`_Traced`, everything is asked of
    the arithmetic of the call; the composite case logic is inherited from the base."""

    symbolic = False

    def __init__(self, tape: _Tape) -> None:
        super().__init__()
        self.tape = tape
        self.inner = tape.inner
        self.name = f"trace[{tape.inner.name}]"

    def _const(self, val: Any) -> _Traced:
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
            raise _Untraceable("a union of more than two cases")
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


def _bind(spec: Any, ar: Arithmetic) -> Callable:
    """The operation ``spec`` of a program as a function in the arithmetic ``ar``."""
    if not isinstance(spec, tuple):
        return spec
    kind = spec[0]
    if kind == "neg":
        return operator.neg
    if kind == "fn":
        return ar.fn(spec[1])
    if kind == "powi":
        n, powi = spec[1], ar.powi
        return lambda x: powi(x, n)
    if kind == "union":
        union = ar.union
        return lambda a, b: union([a, b])
    if kind == "anywhere":
        return ar.anywhere
    if kind == "sincos":  # power series only (:func:`_bound_code`)
        length = ar.length

        def sincos(x):
            if ctx.cap < length:
                raise RuntimeError("series evaluated outside a series_cap scope")
            return x.sin_cos()

        return sincos
    if kind == "item":
        return operator.itemgetter(spec[1])
    raise AssertionError(spec)


def _common_subexpressions(code: list[tuple], outputs: Sequence[int] | None
                           ) -> tuple[list[tuple], list[int] | None]:
    """The code with repeated operations (same operation on the same registers) done
    once: the kernel recomputes some products; their values are the same."""
    alias: dict[int, int] = {}
    seen: dict[tuple, int] = {}
    out: list[tuple] = []
    for entry in code:
        if entry[0] == "guard":
            out.append(entry[:2] + (tuple(alias.get(r, r) for r in entry[2]),) + entry[3:])
            continue
        _, spec, o, a, b = entry
        a, b = alias.get(a, a), alias.get(b, b) if b >= 0 else b
        key = (spec, a, b)
        if key in seen:
            alias[o] = seen[key]
            continue
        seen[key] = o
        out.append(("op", spec, o, a, b))
    return out, None if outputs is None else [alias.get(r, r) for r in outputs]


class Piece:
    """A traced program: the decisions of one path of the kernel and its operations.

    ``segments[s] = (ops, guard)``: operations ``(spec, out, a, b)`` then one decision
    ``(method, args, extra, outcome)`` (``None`` after the last segment). A *dead end*
    (``outputs is None``) ends with the decision the kernel could not take.
    """

    def __init__(self, tape: _Tape, inputs: Sequence[int], outputs: Sequence[int] | None,
                 ) -> None:
        code, outputs = _common_subexpressions(tape.code, outputs)
        self.consts = [None if live else v for v, live in zip(tape.vals, tape.live)]
        self.inputs = list(inputs)
        self.outputs = None if outputs is None else list(outputs)
        ops = [entry[1:] for entry in code if entry[0] == "op"]
        # Keep what the outputs and the decisions read (the kernel discards the rest).
        read = [r for entry in code if entry[0] == "guard" for r in entry[2]]
        kept = {op[1] for op in needed(Code(ops, self.consts, self.inputs,
                                            list(outputs or ()) + read)).ops}
        self.segments: list[tuple[list[tuple], tuple | None]] = []
        segment: list[tuple] = []
        for entry in code:
            if entry[0] == "guard":
                self.segments.append((segment, entry[1:]))
                segment = []
            elif entry[2] in kept:
                segment.append(entry[1:])
        self.segments.append((segment, None))
        #: The operations the outputs need (no decisions), for :meth:`formula`.
        self.code: Code | None = None
        if outputs is not None:
            self.code = simplify(fold_negations(needed(Code(ops, self.consts, self.inputs,
                                                            list(outputs)))))
        self._derived: dict[int, Code] = {}
        self._bound: dict[tuple, Any] = {}

    @property
    def dead_end(self) -> bool:
        return self.outputs is None

    def n_ops(self) -> int:
        return sum(len(ops) for ops, _ in self.segments)

    def _segments(self, ar: Arithmetic) -> list:
        key = ("segments", _binding_key(ar))
        got = self._bound.get(key)
        if got is None:
            got = self._bound[key] = [([(_bind(s, ar), o, a, b) for s, o, a, b in ops], guard)
                                      for ops, guard in self.segments]
        return got

    def replay(self, ar: Arithmetic, ys: Sequence) -> tuple[str, Any]:
        """``("ok", outputs)``, ``("miss", None)`` (a decision differs) or
        ``("generic", None)`` (a dead end was reproduced)."""
        regs = list(self.consts)
        for r, y in zip(self.inputs, ys):
            regs[r] = y
        for ops, guard in self._segments(ar):
            for f, o, a, b in ops:
                regs[o] = f(regs[a]) if b < 0 else f(regs[a], regs[b])
            if guard is None:
                break
            method, args, extra, outcome = guard
            vals = [regs[i] for i in args]
            try:
                got = (UNDECIDED if method == "untraced"
                       else _classify(method, getattr(ar, method)(*vals, *extra), vals))
            except ArithmeticError:
                got = UNDECIDED
            if not (got is outcome or (got is not None and outcome is not None
                                       and got == outcome)):
                return "miss", None
        if self.outputs is None:
            return "generic", None
        return "ok", [regs[i] for i in self.outputs]

    def derived(self, order: int) -> Code:
        """The code of the formula and its derivatives to ``order`` (0, 1 or 2) with
        respect to the state (:func:`~verifier.field.derivatives.differentiate`; raises
        :class:`~verifier.field.derivatives.NotDifferentiable`)."""
        got = self._derived.get(order)
        if got is None:
            got = self.code if order == 0 else differentiate(self.derived(order - 1))
            self._derived[order] = got
        return got

    def formula(self, ar: Arithmetic, ys: Sequence, order: int = 0) -> list:
        """The outputs by this piece's operations alone (no decisions): the piece's
        analytic formula, valid where its decisions hold (module docstring); with
        ``order``, followed by its derivatives (:meth:`derived`; ``None`` for those
        identically zero)."""
        key = (order, _binding_key(ar))
        got = self._bound.get(key)
        if got is None:
            got = self._bound[key] = _bound_code(self.derived(order), ar)
        ops, consts, inputs, outputs = got
        regs = list(consts)
        for r, y in zip(inputs, ys):
            regs[r] = y
        for f, o, a, b in ops:
            regs[o] = f(regs[a]) if b < 0 else f(regs[a], regs[b])
        return [None if i is None else regs[i] for i in outputs]


def _bound_code(code: Code, ar: Arithmetic) -> tuple[list, list, list, list]:
    """``code`` bound to the functions of ``ar``."""
    consts = code.consts
    if type(ar) is SeriesArithmetic:
        # python-flint converts a scalar operand of a series operation to a series
        # first; converting the constants once gives the same results.
        code = fuse_sin_cos(code)
        consts = [arb_series([c], prec=ar.length) if isinstance(c, arb | int) else c
                  for c in code.consts]
    return ([(_bind(s, ar), o, a, b) for s, o, a, b in code.ops], consts, code.inputs,
            code.outputs)


def _binding_key(ar: Arithmetic) -> tuple:
    """Arithmetics with equal keys have the same functions (a series' its length)."""
    t = type(ar)
    if t is JetArithmetic:
        return (t, ar.n, _binding_key(ar.base))
    return (t, getattr(ar, "length", None), ar.working_prec())


class _Mixed(ArithmeticError):
    """The states of a batch do not all take the same decision."""


class _UniformBatch(BatchArithmetic):
    """Batches deciding as :class:`FloatArithmetic` decides for each state, when all
    states decide alike (else :class:`_Mixed`): a float piece then holds for all."""

    @staticmethod
    def _all(r) -> bool:
        r = np.asarray(r)
        if r.all():
            return True
        if not r.any():
            return False
        raise _Mixed("the states of the batch decide differently")

    def ge(self, x, y):
        return self._all(x >= y)

    def sign(self, x):
        if self._all(x > 0):
            return 1
        if self._all(x < 0):
            return -1
        if self._all(x == 0):
            return 0
        raise _Mixed("the states of the batch have different signs")

    def decided_sign(self, x):
        return self.sign(x)

    def max(self, x, y):
        return x if self._all(x >= y) else y

    def min(self, x, y):
        return x if self._all(x <= y) else y

    def restrict(self, x, lo, hi, open_left=False, open_right=False):
        inside = np.logical_and(True if open_left else x >= lo, True if open_right else x <= hi)
        return x if self._all(inside) else None

    def union(self, values):
        return values[0]

    def anywhere(self, lo, hi):
        raise _Mixed("no float represents an unknown point")


_FLOATS = FloatArithmetic()


class Program:
    """The traced pieces of one function ``fn(ar, y) -> list`` (the field of one flow),
    per family of arithmetic and precision."""

    def __init__(self, fn: Callable[[Arithmetic, Sequence], list]) -> None:
        self.fn = fn
        self.pieces: dict[tuple, list[Piece]] = {}

    def trace(self, ar: Arithmetic, ys: Sequence) -> tuple[Piece | None, list | None]:
        """Trace ``fn`` at ``ys``: ``(piece, outputs)``; ``(dead end, None)`` when a case
        is undecided; ``(None, None)`` when the kernel did something untraceable.
        Exceptions of the arithmetic propagate (the kernel raises them too)."""
        tape = _Tape(ar)
        tracer = _Tracer(tape)
        inputs = [tape.new(y, True) for y in ys]
        try:
            out = self.fn(tracer, inputs)
        except _Untraceable:
            # A dead end: states that take the same decisions go to the kernel directly.
            if not (tape.code and tape.code[-1][0] == "guard" and tape.code[-1][4] == UNDECIDED):
                tape.code.append(("guard", "untraced", (), (), UNDECIDED))
            return Piece(tape, [t.reg for t in inputs], None), None
        except ArithmeticError:
            if tape.code and tape.code[-1][0] == "guard" and tape.code[-1][4] == UNDECIDED:
                self._keep(family(ar), Piece(tape, [t.reg for t in inputs], None))
            raise
        try:
            regs = [tape.lift(o).reg for o in out]
        except _Untraceable:
            return None, None
        return Piece(tape, [t.reg for t in inputs], regs), [tape.vals[r] for r in regs]

    def _keep(self, key: tuple | None, piece: Piece) -> None:
        if key is None:
            return
        pieces = self.pieces.setdefault(key, [])
        if len(pieces) < MAX_PIECES:
            pieces.insert(0, piece)

    def find(self, ar: Arithmetic, ys: Sequence) -> tuple[Piece | None, list | None]:
        """``(piece, outputs)`` of the piece containing ``ys`` (traced if new), or
        ``(None, None)``: evaluate with the generic kernel."""
        if type(ar) is BatchArithmetic:
            return self._find_batch(ar, ys)
        key = family(ar)
        if key is None:
            return None, None
        pieces = self.pieces.get(key)
        if pieces:
            for i, piece in enumerate(pieces):
                status, out = piece.replay(ar, ys)
                if status == "miss":
                    continue
                if i:  # most recently used first
                    pieces.insert(0, pieces.pop(i))
                if status == "generic":
                    return None, None
                return piece, out
            if len(pieces) >= MAX_PIECES:
                return None, None
        piece, out = self.trace(ar, ys)
        if piece is not None:
            self._keep(key, piece)
        if piece is None or piece.dead_end:
            return None, None
        return piece, out

    def _find_batch(self, ar: BatchArithmetic, ys: Sequence) -> tuple[Piece | None, list | None]:
        """A batch whose every state takes the decisions of one float piece: that
        piece's operations on the arrays (:class:`_UniformBatch`)."""
        arrays = np.broadcast_arrays(*[np.asarray(y, dtype=float) for y in ys])
        if not arrays or arrays[0].size == 0:
            return None, None
        piece, _ = self.find(_FLOATS, [float(a.flat[0]) for a in arrays])
        if piece is None:
            return None, None
        status, out = piece.replay(_UniformBatch(), ys)
        return (piece, out) if status == "ok" else (None, None)

    def __call__(self, ar: Arithmetic, ys: Sequence) -> list:
        piece, out = self.find(ar, ys)
        if piece is None:
            return self.fn(ar, ys)
        return out
