"""Split a function of ``x`` on ``[a, b]`` into analytic pieces, with proof.

**Meaning of a Piecewise.** ``Piecewise((e_1, c_1), ..., (e_k, c_k))`` at ``x`` is
``e_i(x)`` for the first ``i`` whose condition holds at ``x``; the conditions before it
must be false there, not undefined. A comparison is *defined* at ``x`` when both its
sides are finite real numbers there; ``&``, ``|`` and ``~`` follow Kleene's three-valued
logic (an And with a false part is false, an Or with a true part is true, whatever the
other parts; SymPy merges consecutive branches with the same expression into one whose
condition is the Or of theirs). Where no condition holds, or the first condition that
is not false is undefined, the function is undefined. ``Abs``, ``Min``, ``Max``,
``sign`` and ``Heaviside`` mean the ``Piecewise`` forms of :func:`as_piecewise`.

**Where a comparison can change truth value.** For a comparison ``l R r`` (``R`` one of
``< <= > >= == !=``) and ``h = l - r``: at a zero of ``h``, or where ``l`` or ``r`` is
undefined or not continuous. For the whitelisted functions the latter are zeros of
*guards*: the base of a negative power, the argument of ``log``, of ``sqrt`` and of other
fractional powers, ``u - 1`` and ``u + 1`` for ``asin(u)`` and ``acos(u)``, and ``cos(u)``
for ``tan(u)`` (every other function is defined and analytic on all of R). SymPy's
``solveset`` *proposes* these points as exact numbers; nothing relies on it having found
all of them.

**Proof on the cells.** Between consecutive proposals, every comparison that has to be
evaluated is *proven* in ball arithmetic to be defined and of constant truth value on
the whole open cell (:func:`sign_on`): its guards have the required sign there and
``h`` has one sign. A zero or singularity that ``solveset`` missed makes the proof fail,
and then the function is refused with one line; so is a condition that is undefined
where it must be evaluated. The branch proven active on the cell replaces the
Piecewise and the cell is split further by the next one (a Piecewise whose conditions
contain no other Piecewise is resolved first).

A sign near an end ``e`` of a cell, where ``h`` may vanish or have a pole, is proven
in the local variable ``t`` of ``x = e + t`` (or ``e - t``), ``0 < t <= delta``, after
exact substitution (so that cancellations at ``e`` are exact):

* *regular*: the ball of ``h`` over ``t in [0, delta]`` excludes 0;
* *zero of order m*: ``h`` and its first ``m - 1`` derivatives in ``t`` vanish at
  ``t = 0`` (SymPy simplifies the constants to 0) and the ball of the ``m``-th
  derivative over ``[0, delta]`` excludes 0; by Taylor's theorem with Lagrange
  remainder ``h(t) = h^(m)(xi) t^m / m!`` has that derivative's sign on ``(0, delta]``;
* *pole*: ``h`` is not finite at ``e``; then ``g = 1/h`` as a reduced rational
  expression (``tan`` written as ``sin/cos``; SymPy's ``together``/``cancel``) has a
  regular sign or a zero of finite order at ``t = 0``, and ``h`` has the sign of ``g``.

**The cut points.** With ``pointwise=True`` (the target) the function must also be
defined at every cut and at ``a`` and ``b``, where the conditions are decided exactly
(a ball that excludes 0, or a constant that SymPy simplifies to 0), and continuous
there: its value equals the limits of the adjacent pieces. A density is only needed
almost everywhere (``pointwise=False``).

What is trusted besides ball arithmetic: SymPy's simplification of a constant to 0
(exact zeros at cut points, and the equality of a value with a piece's limit) and,
next to a pole, the rational-function identity ``h = 1 / g``. Adjacent cells with the
same expression are merged.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Final

import sympy as sp
from flint import arb, fmpq

from verifier.arith.balls import BallArithmetic
from verifier.arith.compile import UnsupportedExpression, compile_expr
from verifier.arith.precision import precision

#: Precision of every ball in the proofs (bits).
PROOF_PREC: Final = 128
#: Most cells of one function on ``[a, b]``.
MAX_CELLS: Final = 64
#: Most boxes of one sign proof's bisection.
MAX_BOXES: Final = 2000
#: Highest order of a zero at a cell's end.
MAX_ZERO_ORDER: Final = 8
#: Most distinct comparisons in the conditions of one function (with Abs, Min, Max, sign
#: and Heaviside written out): each costs a few SymPy equation solves.
MAX_COMPARISONS: Final = 40
#: Safety net: splitting one function is abandoned after this long.
MAX_SPLIT_SECONDS: Final = 30.0

_REWRITTEN: Final = (sp.Abs, sp.Min, sp.Max, sp.sign, sp.Heaviside)
_T: Final = sp.Dummy("t", real=True)
_UNDEFINED: Final = (sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I)


class PieceError(ValueError):
    """One-line description of why a function cannot be split or is invalid."""


@dataclass(frozen=True)
class Pieces:
    """``expr`` on ``[cuts[i], cuts[i+1]]`` equals the analytic ``exprs[i]``."""

    cuts: tuple[sp.Expr, ...]
    exprs: tuple[sp.Expr, ...]

    @property
    def breakpoints(self) -> tuple[sp.Expr, ...]:
        return self.cuts[1:-1]

    def cells(self):
        return [(self.cuts[i], self.cuts[i + 1], e) for i, e in enumerate(self.exprs)]


def split(expr: sp.Expr, x: sp.Symbol, a: sp.Expr, b: sp.Expr, what: str = "function", *,
          pointwise: bool = False) -> Pieces:
    """Decompose ``expr`` on ``[a, b]`` into analytic pieces (module docstring).

    ``pointwise``: also require ``expr`` defined at every point of ``[a, b]`` and
    continuous at the cuts and ends. Raises :class:`PieceError` (one line)."""
    try:
        return _Splitter(x, what).run(sp.sympify(expr), a, b, pointwise)
    except PieceError:
        raise
    except RecursionError:
        raise PieceError(f"{what} is too deeply nested to split") from None
    except Exception as exc:  # SymPy and python-flint may raise anything on odd input
        detail = str(exc).splitlines()[0][:80] if str(exc) else ""
        raise PieceError(f"{what}: cannot be split into analytic pieces "
                         f"({type(exc).__name__}: {detail})") from None


# ----------------------------------------------------------------------------------------
# expressions


def as_piecewise(expr: sp.Expr) -> sp.Expr:
    """``expr`` with ``Abs``, ``Min``, ``Max``, ``sign`` and ``Heaviside`` written as
    Piecewise by fixed rules (SymPy's own rewrites depend on what its assumptions can
    tell about the argument):

    * ``Abs(u) = Piecewise((u, u >= 0), (-u, True))``;
    * ``sign(u) = Piecewise((1, u > 0), (-1, u < 0), (0, True))``;
    * ``Heaviside(u, h0) = Piecewise((0, u < 0), (h0, Eq(u, 0)), (1, True))``
      (``h0 = 1/2`` by default, as in SymPy);
    * ``Max(a_1, ..., a_n)``: ``a_i`` where ``a_i >= a_j`` for every ``j > i``, the first
      such ``i`` (if ``a_1`` is not the largest, the largest is among the others), and
      likewise ``Min`` with ``<=``.
    """
    if not expr.has(*_REWRITTEN):
        return expr
    memo: dict[sp.Basic, sp.Basic] = {}

    def walk(e: sp.Basic) -> sp.Basic:
        if not e.args or not e.has(*_REWRITTEN):
            return e
        if e in memo:
            return memo[e]
        args = [walk(a) for a in e.args]
        if isinstance(e, sp.Abs):
            (u,) = args
            out = sp.Piecewise((u, u >= 0), (-u, True))
        elif isinstance(e, sp.sign):
            (u,) = args
            out = sp.Piecewise((1, u > 0), (-1, u < 0), (0, True))
        elif isinstance(e, sp.Heaviside):
            u, h0 = (args[0], args[1]) if len(args) > 1 else (args[0], sp.S.Half)
            out = sp.Piecewise((0, u < 0), (h0, sp.Eq(u, 0)), (1, True))
        elif isinstance(e, (sp.Max, sp.Min)):
            rel = sp.Ge if isinstance(e, sp.Max) else sp.Le
            pairs = [(a, sp.And(*[rel(a, b) for b in args[i + 1:]]))
                     for i, a in enumerate(args[:-1])]
            out = sp.Piecewise(*pairs, (args[-1], True))
        else:
            out = e.func(*args)
        memo[e] = out
        return out

    return walk(expr)


def _trig_quotients(e: sp.Expr) -> sp.Expr:
    """``tan``, ``cot``, ``sec``, ``csc`` (and the hyperbolic ones) as quotients of
    ``sin``/``cos`` (``sinh``/``cosh``): the forms whose poles are zeros of a divisor."""
    if not e.has(sp.tan, sp.cot, sp.sec, sp.csc, sp.tanh, sp.coth, sp.sech, sp.csch):
        return e
    return e.replace(sp.tan, lambda u: sp.sin(u) / sp.cos(u)).replace(
        sp.cot, lambda u: sp.cos(u) / sp.sin(u)).replace(
        sp.sec, lambda u: 1 / sp.cos(u)).replace(sp.csc, lambda u: 1 / sp.sin(u)).replace(
        sp.tanh, lambda u: sp.sinh(u) / sp.cosh(u)).replace(
        sp.coth, lambda u: sp.cosh(u) / sp.sinh(u)).replace(
        sp.sech, lambda u: 1 / sp.cosh(u)).replace(sp.csch, lambda u: 1 / sp.sinh(u))


def guards(e: sp.Expr) -> list[tuple[sp.Expr, str]]:
    """``(w, kind)`` per place where ``e`` can be undefined: ``e`` is defined at ``x``
    iff every ``w(x)`` is ``nonzero``, ``positive`` or in ``[-1, 1]`` (``unit``), as
    ``kind`` says (``positive`` stands for ``>= 0`` too: on an open cell it is proven
    strictly, a zero being a cut)."""
    out: list[tuple[sp.Expr, str]] = []
    for node in sp.preorder_traversal(e):
        if isinstance(node, sp.Pow):
            base, q = node.args
            if not base.free_symbols:
                continue
            if q.is_Integer:
                if q < 0:
                    out.append((base, "nonzero"))
            else:
                out.append((base, "positive"))
        elif isinstance(node, sp.log):
            out.append((node.args[0], "positive"))
        elif isinstance(node, (sp.asin, sp.acos)):
            out.append((node.args[0], "unit"))
        elif isinstance(node, sp.tan):
            out.append((sp.cos(node.args[0]), "nonzero"))
        elif isinstance(node, (sp.cot, sp.csc)):
            out.append((sp.sin(node.args[0]), "nonzero"))
        elif isinstance(node, sp.sec):
            out.append((sp.cos(node.args[0]), "nonzero"))
        elif isinstance(node, (sp.coth, sp.csch)):
            out.append((sp.sinh(node.args[0]), "nonzero"))
    return [(w, k) for w, k in dict.fromkeys(out) if w.free_symbols]


def _innermost(e: sp.Expr) -> sp.Piecewise | None:
    """A Piecewise of ``e`` whose conditions contain no Piecewise (None if ``e`` has none)."""
    for node in sp.preorder_traversal(e):
        if isinstance(node, sp.Piecewise) and not any(
                c.has(sp.Piecewise) for _, c in node.args):
            return node
    return None


def _comparisons(cond) -> list[sp.core.relational.Relational]:
    if cond in (sp.true, sp.false) or isinstance(cond, bool):
        return []
    return sorted(cond.atoms(sp.core.relational.Relational), key=sp.default_sort_key)


# ----------------------------------------------------------------------------------------
# the splitter


class _GuardedBalls(BallArithmetic):
    """Balls for an expression whose guards are proven on the set it is evaluated over.

    A ball for a set ``S`` of points may contain points outside ``S`` (an exact end such
    as ``t = 0`` is not representable as a ball's lower end: the radius rounds up), so a
    ``sqrt`` argument that is ``>= 0`` on ``S`` may get a ball reaching below 0. With the
    guards proven on ``S`` (the argument is ``>= 0``, ``asin``/``acos`` arguments are in
    ``[-1, 1]``) the part of the ball outside the function's domain holds no value of a
    point of ``S`` and is cut off."""

    def f_sqrt(self, x):
        if isinstance(x, arb) and x.is_finite() and x.upper() >= 0 and not x.lower() >= 0:
            return arb.union(arb(0), x.upper().sqrt())
        return super().f_sqrt(x)

    def f_asin(self, x):
        ends = _unit_ends(x)
        return super().f_asin(x) if ends is None else arb.union(*(e.asin() for e in ends))

    def f_acos(self, x):
        ends = _unit_ends(x)
        return super().f_acos(x) if ends is None else arb.union(*(e.acos() for e in ends))


def _unit_ends(x) -> tuple[arb, arb] | None:
    """The exact ends of ``x`` cut to ``[-1, 1]`` when ``x`` reaches beyond (else None)."""
    if not (isinstance(x, arb) and x.is_finite()) or (x.lower() >= -1 and x.upper() <= 1):
        return None
    lo = x.lower() if x.lower() >= -1 else arb(-1)
    hi = x.upper() if x.upper() <= 1 else arb(1)
    return (lo, hi) if lo <= hi else None


class _Splitter:
    def __init__(self, x: sp.Symbol, what: str) -> None:
        self.x = x
        self.what = what
        self.B = BallArithmetic()
        self.G = _GuardedBalls()
        self.deadline = time.monotonic() + MAX_SPLIT_SECONDS
        self._compiled: dict[sp.Expr, object] = {}
        self._signs: dict[tuple, int | None] = {}
        self._zero: dict[sp.Expr, bool | None] = {}
        self._balls: dict[sp.Expr, arb] = {}
        self.cells = 0

    # -- errors and budget ---------------------------------------------------------------
    def fail(self, problem: str) -> PieceError:
        text = f"{self.what}: {problem}"
        return PieceError(" ".join(text.split()))

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise self.fail(f"splitting into analytic pieces takes more than "
                            f"{MAX_SPLIT_SECONDS:g} s")

    # -- the driver ----------------------------------------------------------------------
    def run(self, expr: sp.Expr, a: sp.Expr, b: sp.Expr, pointwise: bool) -> Pieces:
        with precision(PROOF_PREC):
            pw = as_piecewise(expr)
            if pw.has(*_REWRITTEN):
                raise self.fail(f"cannot rewrite {_short(expr)} piecewise")
            count = len(pw.atoms(sp.core.relational.Relational))
            if count > MAX_COMPARISONS:
                raise self.fail(f"has {count} distinct comparisons in its conditions (limit "
                                f"{MAX_COMPARISONS}, Abs, Min, Max, sign and Heaviside "
                                "included)")
            cells = self.refine(pw, a, b)
            if pointwise:
                self.check_points(pw, cells, a, b)
        merged: list[tuple[sp.Expr, sp.Expr, sp.Expr]] = []
        for lo, hi, e in cells:
            if merged and merged[-1][2] == e:
                merged[-1] = (merged[-1][0], hi, e)
            else:
                merged.append((lo, hi, e))
        cuts = tuple([merged[0][0]] + [hi for _, hi, _ in merged])
        return Pieces(cuts, tuple(e for _, _, e in merged))

    def refine(self, e: sp.Expr, lo: sp.Expr, hi: sp.Expr) -> list[tuple]:
        """Cells of ``[lo, hi]`` with the analytic expression ``e`` equals on each."""
        self.tick()
        P = _innermost(e)
        if P is None:
            self.cells += 1
            if self.cells > MAX_CELLS:
                raise self.fail(f"more than {MAX_CELLS} analytic pieces")
            return [(lo, hi, e)]
        points: list[sp.Expr] = []
        for rel in {r for _, c in P.args for r in _comparisons(c)}:
            h = rel.lhs - rel.rhs
            for w in [h] + [g for side in (rel.lhs, rel.rhs) for g, k in _guard_zeros(side)]:
                points += self.proposals(w, lo, hi, rel)
        cuts = [lo, *self.ordered(points, lo, hi), hi]
        out: list[tuple] = []
        for c, d in zip(cuts, cuts[1:]):
            branch = self.branch(P, c, d)
            out += self.refine(e.xreplace({P: branch}), c, d)
        return out

    def branch(self, P: sp.Piecewise, c: sp.Expr, d: sp.Expr) -> sp.Expr:
        """The expression of the branch of ``P`` that holds on all of ``(c, d)``."""
        for expr_i, cond in P.args:
            truth = self.truth(cond, c, d)
            if truth is True:
                return expr_i
            if truth is None:
                raise self.fail(f"cannot prove that the condition {_short(cond)} is defined "
                                f"and of constant truth value on ({_short(c)}, {_short(d)})")
        raise self.fail(f"is undefined on ({_short(c)}, {_short(d)}): no Piecewise "
                        "condition holds there")

    # -- proposals of cut points -----------------------------------------------------------
    def proposals(self, w: sp.Expr, lo: sp.Expr, hi: sp.Expr, rel) -> list[sp.Expr]:
        if not w.has(self.x):
            return []
        self.tick()
        sol = sp.solveset(w, self.x, sp.Interval.open(lo, hi))
        if not isinstance(sol, sp.FiniteSet) and sol != sp.S.EmptySet:
            sol = sp.solveset(sp.simplify(w), self.x, sp.Interval.open(lo, hi))
        if sol == sp.S.EmptySet:
            return []
        if not isinstance(sol, sp.FiniteSet):
            raise self.fail(f"cannot locate where the condition {_short(rel)} changes on "
                            f"[{_short(lo)}, {_short(hi)}]")
        return [s for s in sol if s.is_extended_real is not False]

    def ordered(self, points: list[sp.Expr], lo: sp.Expr, hi: sp.Expr) -> list[sp.Expr]:
        """The distinct points strictly inside ``(lo, hi)``, sorted (ball comparisons; equal
        points are recognised exactly)."""
        out: list[tuple[arb, sp.Expr]] = []
        ends = [self.ball(lo), self.ball(hi)]
        for p in points:
            bp = self.ball(p)
            if not bp.is_finite():
                raise self.fail(f"cannot enclose the breakpoint {_short(p)} in a ball")
            if not (bp > ends[0] and bp < ends[1]):
                if self.same(p, lo) or self.same(p, hi):
                    continue
                raise self.fail(f"cannot place the breakpoint {_short(p)} in "
                                f"({_short(lo)}, {_short(hi)})")
            if any(bq.overlaps(bp) and self.same(p, q) for bq, q in out):
                continue
            if any(bq.overlaps(bp) for bq, _ in out):
                raise self.fail(f"cannot separate the breakpoints near {_short(p)}")
            out.append((bp, p))
        out.sort(key=lambda item: item[0].mid())
        return [p for _, p in out]

    def same(self, p: sp.Expr, q: sp.Expr) -> bool:
        return self.is_zero(p - q) is True

    # -- truth of a condition on an open cell ---------------------------------------------
    def truth(self, cond, c: sp.Expr, d: sp.Expr) -> bool | None:
        if cond in (sp.true, True):
            return True
        if cond in (sp.false, False):
            return False
        if isinstance(cond, (sp.And, sp.Or)):
            return _kleene(cond, [self.truth(a, c, d) for a in cond.args])
        if isinstance(cond, sp.Not):
            t = self.truth(cond.args[0], c, d)
            return None if t is None else not t
        if isinstance(cond, sp.ITE):
            t = self.truth(cond.args[0], c, d)
            return None if t is None else self.truth(cond.args[1 if t else 2], c, d)
        if isinstance(cond, sp.core.relational.Relational):
            if not all(self.defined_on(side, c, d) for side in (cond.lhs, cond.rhs)):
                return None
            s = self.sign_on(cond.lhs - cond.rhs, c, d)
            return None if s is None else _relation(type(cond), s)
        return None

    def defined_on(self, e: sp.Expr, c: sp.Expr, d: sp.Expr) -> bool:
        """``e`` is defined at every point of the open cell (its guards hold there)."""
        for w, kind in guards(e):
            if kind == "unit":
                if not (self.sign_on(1 - w, c, d) == 1 and self.sign_on(1 + w, c, d) == 1):
                    return False
                continue
            s = self.sign_on(w, c, d)
            if s is None or (kind == "positive" and s != 1):
                return False
        return True

    def sign_on(self, u: sp.Expr, c: sp.Expr, d: sp.Expr) -> int | None:
        """``+1``/``-1`` if ``u`` is proven defined and of that sign at every point of the
        open interval ``(c, d)``; None when no proof was found."""
        key = (u, c, d)
        if key not in self._signs:
            self._signs[key] = self._sign_on(u, c, d)
        return self._signs[key]

    def _sign_on(self, u: sp.Expr, c: sp.Expr, d: sp.Expr) -> int | None:
        self.tick()
        if not u.has(self.x):
            v = self.ball(u)
            if v.is_finite() and (v > 0 or v < 0):
                return 1 if v > 0 else -1
            return None
        if not self.defined_on(u, c, d):
            return None
        C, D = self.ball(c), self.ball(d)
        width = D - C
        if not (width.is_finite() and width > 0):
            return None
        # delta <= width / 8: the ends' neighbourhoods lie inside the cell
        k = max(3, math.ceil(3 - math.log2(float(width.lower()))))
        for _ in range(12):
            delta = fmpq(1, 2**k)
            left = self.end_sign(u, c, +1, delta)
            right = self.end_sign(u, d, -1, delta) if left is not None else None
            if left is not None and right is not None:
                if left != right:
                    return None
                middle = self.middle_sign(u, C + arb(delta), D - arb(delta))
                return left if middle == left else None
            k += 3
        return None

    def end_sign(self, u: sp.Expr, e: sp.Expr, direction: int, delta: fmpq) -> int | None:
        """The sign of ``u(e + direction t)`` for every ``t`` in ``(0, delta]`` (module
        docstring: regular, zero of finite order, pole), or None."""
        v = _trig_quotients(u.subs(self.x, e + direction * _T))
        span = arb.union(arb(0), arb(delta))
        s = self.local_sign(v, span, guarded=True)
        if s is not None:
            return s
        at0 = v.subs(_T, 0)
        if at0.has(*_UNDEFINED) or not self.ball(at0).is_finite():
            g = sp.cancel(sp.together(1 / v))
            if g.has(*_UNDEFINED):
                return None
            return self.local_sign(g, span, guarded=False)
        return None

    def local_sign(self, v: sp.Expr, span: arb, guarded: bool) -> int | None:
        """Sign of ``v(t)`` on ``(0, sup span]``: regular, or a zero of finite order at 0.
        ``guarded``: ``v``'s guards are proven there (:class:`_GuardedBalls`)."""
        s = _sign_of(self.eval(v, span, guarded))
        if s is not None:
            return s
        if self.is_zero(v.subs(_T, 0)) is not True:
            return None
        dv = v
        for _ in range(MAX_ZERO_ORDER):
            dv = sp.diff(dv, _T)
            s = _sign_of(self.eval(dv, span, guarded))
            if s is not None:
                return s
            if self.is_zero(dv.subs(_T, 0)) is not True:
                return None
        return None

    def middle_sign(self, u: sp.Expr, lo: arb, hi: arb) -> int | None:
        """The common sign of ``u`` on ``[lo, hi]`` (the hull of the two balls) by
        bisection, or None."""
        if not lo.lower() < hi.upper():
            return None
        stack = [(lo.lower(), hi.upper())]
        sign = 0
        boxes = 0
        while stack:
            p, q = stack.pop()
            boxes += 1
            if boxes > MAX_BOXES:
                return None
            s = _sign_of(self.eval(u, arb.union(p, q), guarded=True))
            if s is None:
                m = ((p + q) / 2).mid()
                if not (p < m < q):
                    return None
                stack += [(m, q), (p, m)]
                continue
            if sign and s != sign:
                return None
            sign = s
        return sign

    # -- values at the cut points -----------------------------------------------------------
    def check_points(self, pw: sp.Expr, cells: list[tuple], a: sp.Expr, b: sp.Expr) -> None:
        """``pw`` is defined at ``a``, ``b`` and every cut and equals the limits there of the
        adjacent cells' expressions."""
        for i in range(len(cells) + 1):
            x0 = cells[i][0] if i < len(cells) else b
            value = self.value_at(pw, x0)
            sides = [cells[j][2] for j in (i - 1, i) if 0 <= j < len(cells)]
            for e in sides:
                limit = e.subs(self.x, x0)
                if limit.has(*_UNDEFINED) or not self.ball(limit).is_finite():
                    raise self.fail(f"is undefined or unbounded next to x = {_short(x0)}")
                same = self.is_zero(limit - value)
                if same is False:
                    raise self.fail(f"is discontinuous at x = {_short(x0)}")
                if same is None:
                    raise self.fail(f"cannot decide whether it is continuous at "
                                    f"x = {_short(x0)}")

    def value_at(self, e: sp.Expr, x0: sp.Expr) -> sp.Expr:
        """The value of ``e`` at the exact point ``x0`` (Piecewise decided exactly)."""
        while True:
            self.tick()
            P = _innermost(e)
            if P is None:
                break
            for expr_i, cond in P.args:
                truth = self.truth_at(cond, x0)
                if truth is None:
                    raise self.fail(f"is undefined at x = {_short(x0)}: the condition "
                                    f"{_short(cond)} cannot be decided there")
                if truth:
                    e = e.xreplace({P: expr_i})
                    break
            else:
                raise self.fail(f"is undefined at x = {_short(x0)}: no Piecewise condition "
                                "holds there")
        value = e.subs(self.x, x0)
        if value.has(*_UNDEFINED) or not self.ball(value).is_finite():
            raise self.fail(f"is undefined at x = {_short(x0)}")
        return value

    def truth_at(self, cond, x0: sp.Expr) -> bool | None:
        if cond in (sp.true, True):
            return True
        if cond in (sp.false, False):
            return False
        if isinstance(cond, (sp.And, sp.Or)):
            return _kleene(cond, [self.truth_at(a, x0) for a in cond.args])
        if isinstance(cond, sp.Not):
            t = self.truth_at(cond.args[0], x0)
            return None if t is None else not t
        if isinstance(cond, sp.ITE):
            t = self.truth_at(cond.args[0], x0)
            return None if t is None else self.truth_at(cond.args[1 if t else 2], x0)
        if isinstance(cond, sp.core.relational.Relational):
            sides = [cond.lhs.subs(self.x, x0), cond.rhs.subs(self.x, x0)]
            if any(s.has(*_UNDEFINED) or not self.ball(s).is_finite() for s in sides):
                return None
            z = self.is_zero(sides[0] - sides[1])
            if z is True:
                return _relation(type(cond), 0)
            s = _sign_of(self.ball(sides[0] - sides[1]))
            return None if s is None else _relation(type(cond), s)
        return None

    # -- numbers ------------------------------------------------------------------------------
    def ball(self, const: sp.Expr) -> arb:
        """A ball enclosing a real constant (not finite if it cannot be evaluated)."""
        try:
            return self._balls[const]
        except KeyError:
            pass
        try:
            v = self.B.const(const) if const.is_real is not False else arb.nan()
        except (UnsupportedExpression, ValueError, TypeError, ZeroDivisionError):
            v = arb.nan()
        self._balls[const] = v
        return v

    def eval(self, e: sp.Expr, box: arb, guarded: bool) -> arb:
        """A ball enclosing ``e`` over ``box`` (``e`` in ``x`` or in ``t``; not finite when
        it cannot be evaluated there). ``guarded``: ``e``'s guards are proven on the
        points of ``box`` that matter (:class:`_GuardedBalls`)."""
        f = self._compiled.get(e)
        if f is None:
            sym = self.x if e.has(self.x) else _T
            try:
                f = compile_expr(e, (sym,))
            except UnsupportedExpression:
                f = False
            self._compiled[e] = f
        if f is False:
            return arb.nan()
        try:
            return f(self.G if guarded else self.B, box)
        except (ZeroDivisionError, ValueError, ArithmeticError):
            return arb.nan()

    def is_zero(self, const: sp.Expr) -> bool | None:
        """True if SymPy simplifies the constant to 0, False if its ball excludes 0."""
        if const in self._zero:
            return self._zero[const]
        v = self.ball(const)
        if v.is_finite() and (v > 0 or v < 0):
            out: bool | None = False
        elif const.has(*_UNDEFINED):
            out = None
        else:
            out = True if (const == 0 or sp.simplify(const) == 0) else None
        self._zero[const] = out
        return out


def _guard_zeros(e: sp.Expr) -> list[tuple[sp.Expr, str]]:
    out = []
    for w, kind in guards(e):
        if kind == "unit":
            out += [(w - 1, kind), (w + 1, kind)]
        else:
            out.append((w, kind))
    return out


def _kleene(cond, parts: list[bool | None]) -> bool | None:
    """``And``/``Or`` in Kleene's three-valued logic (None: undefined or not proven): an
    ``And`` with a false part is false, an ``Or`` with a true part is true."""
    if isinstance(cond, sp.And):
        return False if False in parts else (None if None in parts else True)
    return True if True in parts else (None if None in parts else False)


def _relation(kind: type, s: int) -> bool:
    """Truth of ``h R 0`` for ``h`` of sign ``s`` (``-1``, ``0``, ``+1``)."""
    return {
        sp.StrictLessThan: s < 0, sp.LessThan: s <= 0, sp.StrictGreaterThan: s > 0,
        sp.GreaterThan: s >= 0, sp.Equality: s == 0, sp.Unequality: s != 0,
    }[kind]


def _sign_of(v: arb) -> int | None:
    if not v.is_finite():
        return None
    if v > 0:
        return 1
    if v < 0:
        return -1
    return None


def _short(e: object, limit: int = 60) -> str:
    try:
        text = sp.sstr(e) if not isinstance(e, str) else e
    except Exception:  # printing must never fail an error message
        text = type(e).__name__
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def first_bad_point(e: sp.Expr, x: sp.Symbol, lo: sp.Expr, hi: sp.Expr) -> sp.Expr | None:
    """A point of ``[lo, hi]`` where ``e`` is not a finite real continuous function
    (``None`` if it is continuous on all of ``[lo, hi]``)."""
    from sympy.calculus.util import continuous_domain

    cell = sp.Interval(lo, hi)
    for end in (lo, hi):
        val = e.subs(x, end)
        if not (val.is_finite and val.is_real) and val.is_real is not None or val.has(
            sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I
        ):
            return end
    try:
        dom = continuous_domain(e, x, cell)
    except Exception as exc:  # SymPy may raise anything on odd input
        raise PieceError(f"cannot decide where {_short(e)} is defined on "
                         f"[{_short(lo)}, {_short(hi)}]") from exc
    if dom == cell:
        return None
    missing = cell - dom
    try:
        return missing.inf
    except (AttributeError, NotImplementedError):
        return lo
