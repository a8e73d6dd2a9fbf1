"""The explicit piecewise forms agree with the numerical kernel region by region."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from verifier import Problem
from verifier.arith.compile import compile_expr
from verifier.arith.floats import FloatArithmetic
from verifier.symbolic.explicit import explicit_regions

F = FloatArithmetic()


_OPS = {sp.GreaterThan: lambda d: d >= 0, sp.StrictGreaterThan: lambda d: d > 0,
        sp.LessThan: lambda d: d <= 0, sp.StrictLessThan: lambda d: d < 0}


def _holds(rel, ys, pt) -> bool:
    val = compile_expr(sp.sympify(rel.lhs - rel.rhs), ys)(F, *pt)
    return _OPS[type(rel)](val)


@pytest.mark.parametrize(
    ("target", "width", "flow", "n_regions_min"),
    [
        ("x**2", 1, "normalized", 5),
        ("Abs(x - 1/3)", 1, "standard", 7),
        ("x**2", 2, "normalized-weights", 6),
    ],
)
def test_regions_match_kernel(target, width, flow, n_regions_min):
    p = Problem(target, width=width)
    ys, regions = explicit_regions(p, flow)
    assert len(regions) >= n_regions_min
    compiled = [
        (r, compile_expr(r.risk, ys), [compile_expr(g, ys) for g in r.gradient]) for r in regions
    ]
    rng = np.random.default_rng(7)
    hits = 0
    for _ in range(60):
        pt = rng.uniform(-2, 2, size=len(ys))
        inside = [c for c in compiled if all(_holds(rel, ys, pt) for rel in c[0].conditions)]
        assert len(inside) == 1, "regions must partition the state space"
        _, risk, grad = inside[0]
        assert risk(F, *pt) == pytest.approx(p.risk(pt, flow=flow), abs=1e-12)
        g = np.array([gi(F, *pt) for gi in grad])
        np.testing.assert_allclose(g, p.gradient(pt, flow=flow), atol=1e-12)
        hits += 1
    assert hits == 60


def test_piecewise_forms_evaluate_like_the_kernel():
    from verifier.symbolic.explicit import explicit_forms

    p = Problem("x**2")
    ys, risk, grad = explicit_forms(p, "normalized")
    assert isinstance(risk, sp.Piecewise)
    for pt in ([0.6, 0.5, 0.2], [-2.0, 1.0, 0.3], [2.5, -0.7, 0.1]):
        sub = dict(zip(ys, [sp.Float(t) for t in pt]))
        assert float(risk.subs(sub)) == pytest.approx(p.risk(pt), abs=1e-12)
        g = [float(gi.subs(sub)) for gi in grad]
        np.testing.assert_allclose(g, p.gradient(pt), atol=1e-12)
