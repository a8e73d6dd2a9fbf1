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
    conditions: list[sp.Basic]
    risk: sp.Expr
    gradient: list[sp.Expr]


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
        regions.append(Region(conds, sp.expand(risk), [sp.expand(g) for g in grad]))
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
