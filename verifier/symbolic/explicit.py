"""Explicit ``Piecewise`` risk and gradient over the switching regions.

The generic kernel (:mod:`verifier.field.kernel`) is run in
:class:`verifier.arith.symbolic.ChoiceArithmetic` along every sequence of
case choices (sign of ``w_j``, kink against ``a``, ``b``, breakpoints of
``f``/``p`` and other kinks). Each sequence is a switching region given by its
conditions, and on it the risk and the gradient are single analytic
expressions. Regions whose conditions no sampled state satisfies are dropped:
they are empty, or of measure zero (``w_j = 0`` exactly, equal kinks), where
the neighbouring formulas agree by continuity. Meant for small widths
(H <= 2): the number of regions grows quickly.

A region's conditions are stated without redundancy (:func:`simplify_conditions`):
the kernel compares a kink with ``a``, with ``b`` and with every breakpoint, so the
raw list says e.g. ``-b/w >= 0`` and ``-b/w >= 1``; only the binding bound of each
expression is kept. The simplification is exact (SymPy decides every comparison of
constants), so the simplified conjunction describes the same set.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from verifier.arith.compile import compile_expr
from verifier.arith.floats import FloatArithmetic
from verifier.arith.symbolic import enumerate_branches
from verifier.field import flows
from verifier.field.kernel import evaluate

MAX_EXPLICIT_WIDTH = 2


@dataclass
class Region:
    """A switching region: the conjunction of ``conditions`` (relations, simplified by
    :func:`simplify_conditions`), on which the risk is ``risk`` and its gradient in the
    flow's state coordinates is ``gradient``."""

    conditions: list[sp.Basic]
    risk: sp.Expr
    gradient: list[sp.Expr]


#: ``k op e`` is ``e REVERSED[op] k``.
_REVERSED = {sp.GreaterThan: sp.LessThan, sp.StrictGreaterThan: sp.StrictLessThan,
             sp.LessThan: sp.GreaterThan, sp.StrictLessThan: sp.StrictGreaterThan}
_LOWER = {sp.GreaterThan: False, sp.StrictGreaterThan: True}  # op -> strict
_UPPER = {sp.LessThan: False, sp.StrictLessThan: True}


def _decided(rel: sp.Basic) -> bool | None:
    """The truth value of a comparison of two constants, or ``None`` if SymPy cannot
    decide it exactly."""
    return True if rel is sp.true else False if rel is sp.false else None


def _tighter(new: tuple[sp.Expr, bool], old: tuple[sp.Expr, bool], lower: bool) -> bool | None:
    """Whether the bound ``new = (k, strict)`` implies ``old`` (``lower``: ``e > k`` or
    ``e >= k``; else ``e < k`` or ``e <= k``); ``None`` when undecided."""
    (k, strict), (k0, strict0) = new, old
    if _decided(sp.Eq(k, k0)):
        return strict or not strict0
    return _decided(sp.Gt(k, k0) if lower else sp.Lt(k, k0))


def simplify_conditions(conditions: list[sp.Basic]) -> list[sp.Basic]:
    """An exactly equivalent list of relations without redundant bounds.

    Every relation between an expression ``e`` and a constant is rewritten as ``e op k``;
    of the lower bounds of one ``e`` only the tightest is kept, likewise of the upper
    bounds (so ``e >= 0, e >= 1`` becomes ``e >= 1``, and ``0 < e, e < 1, e <= 1/3``
    becomes ``e > 0, e <= 1/3``). Relations between two non-constant sides, and bounds
    whose order SymPy cannot decide, are kept as they are. The result lists, per
    expression in order of first appearance, its lower bound before its upper bound.
    """
    bounds: dict[sp.Expr, list] = {}  # e -> [lower (k, strict) | None, upper | None]
    kept: list[sp.Basic] = []
    for rel in conditions:
        if not isinstance(rel, sp.Rel):
            kept.append(rel)
            continue
        op, lhs, rhs = type(rel), rel.lhs, rel.rhs
        if lhs.is_number and not rhs.is_number:
            op, lhs, rhs = _REVERSED.get(op, op), rhs, lhs
        if op not in _REVERSED or not rhs.is_number or lhs.is_number:
            if rel not in kept:
                kept.append(rel)
            continue
        lower = op in _LOWER
        new = (rhs, (_LOWER if lower else _UPPER)[op])
        slot = bounds.setdefault(lhs, [None, None])
        i = 0 if lower else 1
        if slot[i] is None:
            slot[i] = new
            continue
        better = _tighter(new, slot[i], lower)
        if better is None:  # undecided: keep both, exactly as given
            kept.append(op(lhs, rhs, evaluate=False))
        elif better:
            slot[i] = new
    out: list[sp.Basic] = []
    for e, (lo, hi) in bounds.items():
        if lo is not None:
            out.append((sp.Gt if lo[1] else sp.Ge)(e, lo[0], evaluate=False))
        if hi is not None:
            out.append((sp.Lt if hi[1] else sp.Le)(e, hi[0], evaluate=False))
    return out + kept


def state_symbols(flow: str, H: int) -> list[sp.Symbol]:
    return [sp.Symbol(n, real=True) for n in flows.coordinate_names(flow, H)]


def _sampler(flow: str, H: int, n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    d = flows.dim(flow, H)
    pts = rng.uniform(-3, 3, size=(n, d))
    if flow == "normalized":
        pts[:, :H] = rng.uniform(-np.pi, np.pi, size=(n, H))
    return pts


def _feasible(conds, ys, samples) -> bool:
    F = FloatArithmetic()
    checks = []
    for rel in conds:
        g = compile_expr(sp.sympify(rel.lhs - rel.rhs), ys)
        checks.append((g, isinstance(rel, sp.Ge)))
    for pt in samples:
        ok = True
        for g, ge in checks:
            try:
                val = g(F, *pt)
            except (ValueError, ZeroDivisionError, OverflowError):
                ok = False
                break
            if (val >= 0) != ge:
                ok = False
                break
        if ok:
            return True
    return False


def explicit_regions(problem, flow: str = "normalized", signs=None, samples: int = 4000,
                     progress: bool = False):
    """``(symbols, regions)``: the switching regions of positive measure.

    ``progress`` shows a bar on standard error (only when it is a terminal)."""
    H = problem.width
    if H > MAX_EXPLICIT_WIDTH:
        raise ValueError(
            f"explicit Piecewise forms are offered for width <= {MAX_EXPLICIT_WIDTH}, got {H}"
        )
    s = flows.check_signs(signs, H, flow)
    ys = state_symbols(flow, H)

    def run(ar):
        w, b, v, c = flows.parameters(ar, flow, ys, H, s)
        res = evaluate(ar, problem.moments, w, b, v, c, want_risk=True)
        return res.risk, flows.gradient(flow, w, b, v, res)

    pts = _sampler(flow, H, samples)
    regions = []
    branches = enumerate_branches(run)
    if progress:
        import sys

        from tqdm import tqdm

        branches = tqdm(branches, desc="switching regions", unit=" branch", leave=False,
                        disable=not sys.stderr.isatty())
    for conds, (risk, grad) in branches:
        if not _feasible(conds, ys, pts):
            continue
        regions.append(Region(simplify_conditions(conds), sp.expand(risk),
                              [sp.expand(g) for g in grad]))
    return ys, regions


def explicit_forms(problem, flow: str = "normalized", signs=None):
    """``(symbols, risk, gradient)`` as ``Piecewise`` expressions over the regions."""
    ys, regions = explicit_regions(problem, flow, signs)
    def pw(get):
        # evaluate=False: SymPy's condition canonicalization costs minutes at H = 2.
        return sp.Piecewise(*[(get(r), sp.And(*r.conditions)) for r in regions],
                            evaluate=False)
    risk = pw(lambda r: r.risk)
    grad = [pw(lambda r, i=i: r.gradient[i]) for i in range(len(ys))]
    return ys, risk, grad
