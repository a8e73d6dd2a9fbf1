"""Straight-line programs of the analytic pieces of the vector field.

The generic kernel (:mod:`verifier.field.kernel`) is written once against the
arithmetic interface and decides its cases (a neuron's orientation, a kink inside or
outside ``[a, b]``, the order of two kinks, the cell of a breakpoint) on every call,
and most of its operations act on constants (the moments at the domain ends, the
cell integrals). Inside one analytic piece the decisions are always the same.

**Tracing.** The field is evaluated once on traced values (:mod:`verifier.field.trace`):
the tape holds, in execution order, its operations on values that depend on the
state and every decision it asked of the arithmetic, with the outcome. Operations on
constants only are done while tracing (so the moments at the ends of the domain are
computed once per piece, arithmetic family and precision).

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
equals the program's formula on a neighbourhood of ``x0``. :meth:`Piece.formula`
is that formula without its decisions (and with its derivatives,
:mod:`verifier.field.derivatives`), for the later orders of a Taylor recursion and
along the solution (same constant terms). Its operations are bound to an arithmetic
by :func:`bind_operation` and cached per
:meth:`~verifier.arith.base.Arithmetic.binding_key` (for Taylor models: per space).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from flint import arb, arb_series, ctx

from verifier.arith.balls import BallArithmetic
from verifier.arith.base import Arithmetic
from verifier.arith.batch import BatchArithmetic
from verifier.arith.floats import FloatArithmetic
from verifier.arith.jets import JetArithmetic
from verifier.arith.mp import MpmathArithmetic
from verifier.arith.series import SeriesArithmetic
from verifier.field.derivatives import differentiate
from verifier.field.straight_line import Code, fold_negations, fuse_sin_cos, needed, simplify
from verifier.field.trace import UNDECIDED, Tape, Tracer, Untraceable, classify

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


def bind_operation(spec: Any, ar: Arithmetic) -> Callable:
    """The operation ``spec`` of a program as a function in the arithmetic ``ar`` (the one
    definition of what each recorded operation means)."""
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

    def __init__(self, tape: Tape, inputs: Sequence[int], outputs: Sequence[int] | None,
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
        bkey = ar.binding_key()
        key = ("segments", bkey)
        got = self._bound.get(key) if bkey is not None else None
        if got is None:
            got = [([(bind_operation(s, ar), o, a, b) for s, o, a, b in ops], guard)
                   for ops, guard in self.segments]
            if bkey is not None:
                self._bound[key] = got
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
                       else classify(method, getattr(ar, method)(*vals, *extra), vals))
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
        bkey = ar.binding_key()
        key = (order, bkey)
        got = self._bound.get(key) if bkey is not None else None
        if got is None:
            got = _bound_code(self.derived(order), ar)
            if bkey is not None:
                self._bound[key] = got
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
    return ([(bind_operation(s, ar), o, a, b) for s, o, a, b in code.ops], consts, code.inputs,
            code.outputs)


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
        tape = Tape(ar)
        tracer = Tracer(tape)
        inputs = [tape.new(y, True) for y in ys]
        try:
            out = self.fn(tracer, inputs)
        except Untraceable:
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
        except Untraceable:
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
