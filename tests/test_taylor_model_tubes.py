"""Taylor-model sets in the integrator, in certificates and in the checker.

A tube of ``set_type="taylor-model"`` encloses the solutions (corner and sampled starts,
a float reference), crosses and straddles a switching surface with the generic kernel in
Taylor-model arithmetic, and its certificate (format ``ngf-certificate/3``) is re-proven
from the file alone; the tampering of each stored field is in ``tests/test_mutations.py``.
"""

from __future__ import annotations

import copy
import functools
import itertools

import numpy as np
import pytest

from verifier import Problem, simulate
from verifier.certificates.certify import certify
from verifier.checker import budget
from verifier.checker.check import FORMAT_TAYLOR_MODEL, check_certificate
from verifier.integrate import StepKind, integrate

CENTRE = [0.6, 0.5, 0.2]


@functools.cache
def problem() -> Problem:
    return Problem("x**2", width=1)


def box(centre, r):
    return [(f"{c - r:.6f}", f"{c + r:.6f}") for c in centre]


def corners_inside(tube, centre, r, slack=1e-9) -> None:
    T = float(tube.t_reached)
    for s in itertools.product((-1.0, 0.0, 1.0), repeat=len(centre)):
        start = [c + r * v for c, v in zip(centre, s)]
        end = simulate(problem(), start, T, rtol=1e-12, atol=1e-14).final
        assert all(b.lower() - slack <= e <= b.upper() + slack
                   for b, e in zip(tube.final, end)), s


@functools.cache
def tm_certificate() -> dict:
    cert = certify(problem(), [list(b) for b in box(CENTRE, 0.02)], "1/4",
                   set_type="taylor-model", degree=3, order=8, forever=False)
    return cert.data


def test_a_wide_box_is_carried_without_wrapping():
    r = 0.05
    tube = integrate(problem(), box(CENTRE, r), 2, set_type="taylor-model")
    assert tube.ok and tube.set_kind == "taylor-model"
    assert all(s.kind is StepKind.TAYLOR_MODEL for s in tube.steps)
    corners_inside(tube, CENTRE, r)
    ends = np.array([simulate(problem(), [c + r * v for c, v in zip(CENTRE, s)], 2.0,
                              rtol=1e-12, atol=1e-14).final
                     for s in itertools.product((-1.0, 1.0), repeat=3)])
    spread = (ends.max(axis=0) - ends.min(axis=0)).max()
    assert tube.max_width() / spread < 1.05


def test_a_box_across_a_switching_surface():
    """phi = 0 puts the kink at the domain end a = 0: no piece holds on the box, and
    the Picard steps evaluate the generic kernel in Taylor-model arithmetic."""
    centre, r = [0.0, 0.5, 0.2], 0.01
    tube = integrate(problem(), box(centre, r), "1/2", set_type="taylor-model", degree=3,
                     order=8)
    assert tube.ok
    corners_inside(tube, centre, r)


def test_exact_coordinates_and_bad_input():
    tube = integrate(problem(), [("0.59", "0.61"), "0.5", "0.2"], "1/2",
                     set_type="taylor-model", degree=3, order=8)
    assert tube.ok
    corners_inside(tube, CENTRE, 0.0)
    with pytest.raises(ValueError, match="box of initial values"):
        integrate(problem(), CENTRE, 1, set_type="taylor-model")
    with pytest.raises(ValueError, match="degree"):
        integrate(problem(), box(CENTRE, 0.01), 1, set_type="taylor-model", degree=0)


def test_the_certificate_is_reproven_from_the_file():
    doc = tm_certificate()
    assert doc["format"] == FORMAT_TAYLOR_MODEL
    assert doc["steps"] and all(s["kind"] == "taylor-model" for s in doc["steps"])
    res = check_certificate(copy.deepcopy(doc), workers=1)
    assert res.ok, res.message
    # Checked in two processes (chunks start from the sets stored before them).
    assert check_certificate(copy.deepcopy(doc), workers=2).ok


def test_the_budget_counts_degree_and_monomials():
    doc = tm_certificate()
    n = len(doc["initial"])
    work = budget.check_steps(doc["steps"], n, 2, 53)
    assert 0 < work < 1e-3 * budget.MAX_TOTAL_WORK
    big = copy.deepcopy(doc)
    big["steps"][0]["witness"]["degree"] = 12
    big["steps"][0]["witness"]["orders"] = [200] * 13
    res = check_certificate(big, workers=1)
    assert not res.ok and "\n" not in res.message
    # 13 coordinates (H = 6) at degree 12: C(38, 12) pairs of monomials per product.
    with pytest.raises(budget.BudgetError, match="work units"):
        budget.check_steps(big["steps"][:1], 13, 2, 53)
    with pytest.raises(budget.BudgetError, match="degree"):
        budget.check_steps([{**big["steps"][0], "witness": {"degree": 40, "orders": [1]}}],
                           3, 2, 53)
    assert budget.taylor_model_work(10, 4, 5, 2, 53) > budget.taylor_model_work(10, 4, 3, 2, 53)
    assert budget.taylor_model_work(10, 5, 3, 2, 53) > budget.taylor_model_work(10, 4, 3, 2, 53)
