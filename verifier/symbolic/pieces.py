"""Split a function of ``x`` on ``[a, b]`` into analytic pieces (SymPy only).

``Abs``, ``Min``, ``Max``, ``sign``, ``Heaviside`` and ``Piecewise`` are the
only sources of non-analyticity the expression language has. Each is
rewritten as ``Piecewise``; the points of ``(a, b)`` where one of their
conditions can change truth value are found exactly (``solveset``), and on each
cell between consecutive points every condition is constant, so the function
equals one analytic expression there (chosen at the cell's midpoint). That
expression is also the function's value at the cell's closed ends by
continuity, which :func:`check_continuous` verifies where required.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp


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


def _as_piecewise(expr: sp.Expr) -> sp.Expr:
    return expr.rewrite(sp.Piecewise) if expr.has(
        sp.Abs, sp.Min, sp.Max, sp.sign, sp.Heaviside
    ) else expr


def _zeros(h: sp.Expr, x: sp.Symbol, a: sp.Expr, b: sp.Expr, what: str, cond) -> list[sp.Expr]:
    h = sp.simplify(h)
    if not h.has(x):
        return []
    sol = sp.solveset(h, x, sp.Interval.open(a, b))
    if isinstance(sol, sp.FiniteSet):
        return [s for s in sol if s.is_real]
    if sol == sp.S.EmptySet:
        return []
    raise PieceError(f"{what}: cannot locate where the condition '{cond}' changes on [{a}, {b}]")


def _holds(cond, x: sp.Symbol, at: sp.Expr, what: str) -> bool:
    val = cond.subs(x, at) if not isinstance(cond, bool) else cond
    if val in (True, sp.true):
        return True
    if val in (False, sp.false):
        return False
    raise PieceError(f"{what}: cannot decide the condition '{cond}' at x = {at}")


def resolve(expr: sp.Expr, x: sp.Symbol, at: sp.Expr, what: str = "function") -> sp.Expr:
    """``expr`` with every ``Piecewise`` replaced by its branch active at ``x = at``."""
    if isinstance(expr, sp.Piecewise):
        for e, c in expr.args:
            if _holds(c, x, at, what):
                return resolve(e, x, at, what)
        raise PieceError(f"{what} is undefined at x = {at} (no Piecewise branch applies)")
    if not expr.args or not expr.has(sp.Piecewise):
        return expr
    return expr.func(*[resolve(a, x, at, what) for a in expr.args])


def _sorted_unique(points: list[sp.Expr]) -> list[sp.Expr]:
    out: list[sp.Expr] = []
    for p in sorted(points, key=lambda q: sp.N(q, 50)):
        if out and abs(sp.N(p - out[-1], 60)) < sp.Float("1e-40"):
            if sp.simplify(p - out[-1]) == 0:
                continue
            raise PieceError(f"cannot separate the breakpoints {out[-1]} and {p}")
        out.append(p)
    return out


def split(expr: sp.Expr, x: sp.Symbol, a: sp.Expr, b: sp.Expr, what: str = "function") -> Pieces:
    """Decompose ``expr`` on ``[a, b]`` into analytic pieces."""
    pw = _as_piecewise(sp.sympify(expr))
    if pw.has(sp.Abs, sp.Min, sp.Max, sp.sign, sp.Heaviside):
        raise PieceError(f"{what}: cannot rewrite {expr} piecewise")
    points: list[sp.Expr] = []
    for node in pw.atoms(sp.Piecewise):
        for _, cond in node.args:
            if cond in (True, sp.true, False, sp.false):
                continue
            for rel in cond.atoms(sp.core.relational.Relational):
                points += _zeros(rel.lhs - rel.rhs, x, a, b, what, rel)
    cuts = [a, *_sorted_unique(points), b]
    exprs = []
    for lo, hi in zip(cuts, cuts[1:]):
        exprs.append(resolve(pw, x, (lo + hi) / 2, what))
    return Pieces(tuple(cuts), tuple(exprs))


def check_continuous(pieces: Pieces, original: sp.Expr, x: sp.Symbol, what: str) -> None:
    """Raise unless the function is continuous at every breakpoint."""
    pw = _as_piecewise(sp.sympify(original))
    for i, xi in enumerate(pieces.breakpoints):
        left = pieces.exprs[i].subs(x, xi)
        right = pieces.exprs[i + 1].subs(x, xi)
        at = resolve(pw, x, xi, what).subs(x, xi)
        for other in (right, at):
            d = sp.simplify(left - other)
            if d == 0:
                continue
            eq = d.equals(0)
            if eq is True:
                continue
            if eq is False:
                raise PieceError(f"{what} is discontinuous at x = {xi}")
            raise PieceError(f"{what}: cannot decide whether it is continuous at x = {xi}")


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
    except (NotImplementedError, ValueError, TypeError) as exc:
        raise PieceError(f"cannot decide where {e} is defined on [{lo}, {hi}]") from exc
    if dom == cell:
        return None
    missing = cell - dom
    try:
        return missing.inf
    except (AttributeError, NotImplementedError):
        return lo
