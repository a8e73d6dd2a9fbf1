"""Sets with a quadratic part (second-order Taylor steps) for wide initial boxes.

* The set algebra: a map that is exactly quadratic, ``x -> a + A x + x^T D x / 2``,
  moves the set to one that contains the images of sampled points, and its wrapping
  error is of third order in the width (none for a quadratic map on a point box).
* The Hessian coefficients of the flow agree with finite differences of the
  variational coefficients.
* ``set_type="auto"`` picks the quadratic set for wide boxes; it contains sampled
  reference solutions and is tighter than the doubleton.
* Certificates of such tubes store the quadratic coefficients ``S``; the checker
  verifies them and rejects tampered or mixed sets.
"""

from __future__ import annotations

import copy
import itertools
from fractions import Fraction

import numpy as np
import pytest
from flint import arb, arb_mat

from verifier import Problem, integrate
from verifier.certificates.certify import certify
from verifier.checker.check import check_certificate
from verifier.integrate._sets import DoubletonSet, QuadraticSet
from verifier.proof.coefficients import hessian_coefficients, variational_coefficients
from verifier.proof.step import StepData, StepKind
from verifier.simulate import simulate


def _quadratic_step(a, A, D) -> StepData:
    n = len(a)
    return StepData(h=arb(1), image=[arb(x) for x in a], jacobian=arb_mat(A.tolist()),
                    apriori=[arb(0, 10)] * n, kind=StepKind.TAYLOR, order=2, remainder=0.0,
                    hessian=tuple(arb_mat(Di.tolist()) for Di in D))


def _contains(box, y, slack=0.0) -> bool:
    return all(float(b.lower()) - slack <= v <= float(b.upper()) + slack
               for b, v in zip(box, y))


def test_quadratic_map_moves_the_set_exactly():
    """Three steps of a quadratic map (about the moving reference point): the quadratic
    set contains every sampled image and is much tighter than the doubleton, whose
    mean-value form is only first order."""
    rng = np.random.default_rng(3)
    n = 3
    A = np.eye(n) + 0.3 * rng.standard_normal((n, n))
    D = rng.standard_normal((n, n, n))
    D = (D + D.transpose(0, 2, 1)) / 2
    centre = np.array([0.2, -0.1, 0.4])
    r = 0.02
    box = [arb(c, r) for c in centre]
    Q, P = QuadraticSet.from_box(box), DoubletonSet.from_box(box)
    pts = centre + r * rng.uniform(-1, 1, (400, n))
    pts = np.vstack([pts, centre + r * np.array(list(itertools.product([-1, 1], repeat=n)))])
    for _ in range(3):
        c = np.array([float(x) for x in Q.xhat])
        dq = pts - c
        a = c + 0.1
        pts = a + dq @ A.T + 0.5 * np.einsum("ijk,pj,pk->pi", D, dq, dq)
        Q = Q.move(_quadratic_step(a, A, D))
        # the doubleton gets the mean-value Jacobian over its hull
        hull = P.hull()
        c2 = np.array([float(x) for x in P.xhat])
        dev = [arb(0, float(h.rad()) + abs(float(h.mid()) - m)) for h, m in zip(hull, c2)]
        J = arb_mat(A.tolist()) + arb_mat([[sum((arb(D[i, j, k]) * dev[k] for k in range(n)),
                                                arb(0)) for j in range(n)] for i in range(n)])
        a2 = c2 + 0.1
        P = P.move(StepData(h=arb(1), image=[arb(x) for x in a2], jacobian=J,
                            apriori=[arb(0, 10)] * n, kind=StepKind.TAYLOR, order=2,
                            remainder=0.0))
    hq = Q.hull()
    for y in pts:
        assert _contains(hq, y, 1e-12)
    spread = pts.max(axis=0) - pts.min(axis=0)
    wq = np.array([2 * float(x.rad()) for x in hq])
    wp = np.array([2 * float(x.rad()) for x in P.hull()])
    # measured: 1.19 and 0.56 (the doubleton's ratio is 4.6)
    assert (wq / spread).max() < 1.4
    assert (wq / wp).max() < 0.7


def test_quadratic_part_of_a_point_is_zero():
    Q = QuadraticSet.from_box([arb("0.1"), arb("0.2")])
    A = np.array([[1.0, 0.5], [0.0, 1.0]])
    D = np.ones((2, 2, 2))
    Q = Q.move(_quadratic_step([0.3, 0.4], A, D))
    assert all(float(x.rad()) < 1e-15 for x in Q.hull())


@pytest.mark.parametrize("target,H,y0", [("x**2", 2, [0.6, 1.0, 0.5, 0.3, 0.2]),
                                          ("sin(3*x)", 1, [0.9, -0.2, 0.8])])
def test_hessian_coefficients_match_finite_differences(target, H, y0):
    p = Problem(target, width=H)
    F = p.vector_field()
    n, q, eps = len(y0), 4, 1e-6
    d2 = hessian_coefficients(F, [arb(v) for v in y0], q)

    def ders(y):
        _, d = variational_coefficients(F, [arb(v) for v in y], q, q)
        return np.array([[[float(d[i][j][k].mid()) for k in range(q + 1)] for j in range(n)]
                         for i in range(n)])

    for m in range(n):
        yp, ym = list(y0), list(y0)
        yp[m] += eps
        ym[m] -= eps
        fd = (ders(yp) - ders(ym)) / (2 * eps)
        an = np.array([[[float(d2[i][j][m][k].mid()) for k in range(q + 1)]
                        for j in range(n)] for i in range(n)])
        assert np.abs(fd - an).max() <= 1e-6 * max(1.0, np.abs(an).max())
        # an enclosure over a point is thin
        assert max(float(d2[i][j][m][k].rad()) for i in range(n) for j in range(n)
                   for k in range(q + 1)) < 1e-8


def _box(y0, r):
    return [(v - r, v + r) for v in y0]


def test_auto_uses_the_quadratic_set_for_wide_boxes():
    p = Problem("x**2", width=1)
    y0, r, T = [0.6, 0.5, 0.2], 1e-3, 5
    quad = integrate(p, _box(y0, r), T, order=8)
    assert isinstance(quad.initial_set, QuadraticSet) and quad.ok
    point = integrate(p, y0, 1, order=8)
    assert isinstance(point.initial_set, DoubletonSet)
    dbl = integrate(p, _box(y0, r), T, order=8, set_type="doubleton")
    corners = [simulate(p, list(s), T, rtol=1e-12, atol=1e-14).final
               for s in itertools.product(*[[v - r, v + r] for v in y0])]
    for f in corners:
        assert _contains(quad.final, f, 1e-10)
    spread = np.ptp(np.array(corners), axis=0)
    ratio_q = max(quad.final_widths()) / spread.max()
    ratio_d = max(dbl.final_widths()) / spread.max()
    assert ratio_q < 1.05 and ratio_q < ratio_d


def _certificate():
    p = Problem("x**2", width=1)
    r = 0.02
    init = [(str(Fraction(v) - r), str(Fraction(v) + r)) for v in ("0.6", "0.5", "0.2")]
    return certify(p, init, 2, forever=False).data


@pytest.fixture(scope="module")
def quad_cert():
    return _certificate()


def test_quadratic_certificate_verifies(quad_cert):
    assert all("S" in s["set"] for s in quad_cert["steps"])
    res = check_certificate(quad_cert)
    assert res.ok, res.message


def test_quadratic_certificate_tampering_is_rejected(quad_cert):
    steps = quad_cert["steps"]
    k = len(steps) // 2
    # a quadratic coefficient made much larger is not covered by the error box
    bad = copy.deepcopy(quad_cert)
    one = {"mid": ["1", 0], "rad": ["0", 0]}
    bad["steps"][k]["set"]["S"][0] = [[one] * 3 for _ in range(3)]
    res = check_certificate(bad)
    assert not res.ok, "a tampered S was accepted"
    # a tube whose sets have a quadratic part at some steps only
    mixed = copy.deepcopy(quad_cert)
    del mixed["steps"][k]["set"]["S"]
    res = check_certificate(mixed)
    assert not res.ok and "quadratic" in res.message
