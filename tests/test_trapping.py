"""Infinite-horizon trapping arguments: the search (verifier.certificates.trapping) and the
proof the checker runs (verifier.proof.trapping).

Terminal boxes are made up here (balls around float points); in a certificate they come
from the validated integrator.
"""

from __future__ import annotations

import copy
import math
from fractions import Fraction

import numpy as np
import pytest
from flint import arb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from verifier import Problem
from verifier.arith.numbers import NumberError, decimal_text, parse_constant, round_decimal
from verifier.arith.precision import precision
from verifier.certificates.trapping import TrapResult, find_trapping
from verifier.proof.trapping import check_trapping, verify_trapping
from verifier.proof.trapping.neurons import neuron_dead
from verifier.proof.verdict import Rejected
from verifier.simulate import simulate

# --------------------------------------------------------------------------------------
# fixtures


@pytest.fixture(scope="module")
def p1() -> Problem:
    return Problem("x**2", (0, 1), None, 1)


@pytest.fixture(scope="module")
def p2() -> Problem:
    return Problem("x**2", (0, 1), None, 2)


def _minimizer(problem, y0, flow="normalized", signs=None) -> np.ndarray:
    res = minimize(lambda y: problem.risk(y, flow=flow, signs=signs), y0,
                   jac=lambda y: problem.gradient(y, flow=flow, signs=signs),
                   method="BFGS", options={"gtol": 1e-14})
    return res.x


def _box(ys, r) -> list[arb]:
    rs = r if isinstance(r, list | tuple) else [r] * len(ys)
    return [arb(float(y), float(ri)) if ri else arb(float(y)) for y, ri in zip(ys, rs)]


@pytest.fixture(scope="module")
def local_h1(p1):
    """H = 1, x**2: terminal box around the strict local minimum (kink at 1/3)."""
    ys = _minimizer(p1, [-0.32, 1.4, 0.04])
    term = _box(ys, 1e-6)
    res = find_trapping(p1, "normalized", None, term)
    return term, res


def _inside(y, spec) -> bool:
    for t, iv in zip(y, spec["box"]):
        if iv is not None and not float(iv[0]) <= t <= float(iv[1]):
            return False
    return True


# --------------------------------------------------------------------------------------
# exact numbers


@pytest.mark.parametrize("text,value", [
    ("0.5", Fraction(1, 2)), ("-1.25e-3", Fraction(-1, 800)), ("3/7", Fraction(3, 7)),
    ("1E2", Fraction(100)), ("-2.5/3", Fraction(-5, 6)),
])
def test_section_numbers_accepted(text, value):
    assert parse_constant(text, "x") == value


@pytest.mark.parametrize("text", [
    "nan", "NaN", "inf", "-Infinity", "1e999999", "1e1001", "0x10", "1_000", "", "  ",
    "1/0", "__import__('os')", "1+1", "2**3", "1e100", "9" * 500, 0.5, 3, None, True, [1],
    # files hold the printers' form only (what people type, such as +2 or .5, is not it)
    "+2", ".5", " 1", "1.",
])
def test_section_numbers_refused(text):
    with pytest.raises(NumberError):
        parse_constant(text, "x")


@pytest.mark.parametrize("q", [Fraction(1, 8), Fraction(-3, 1000), Fraction(123456),
                               Fraction(0), Fraction(1, 1024), Fraction(-7, 2)])
def test_decimal_text_roundtrip(q):
    assert Fraction(decimal_text(q)) == q


def test_round_decimal_direction():
    x = Fraction(1, 3)
    lo, hi = round_decimal(x, -4, up=False), round_decimal(x, -4, up=True)
    assert lo < x < hi and hi - lo == Fraction(1, 10**4)
    assert round_decimal(Fraction(-1, 3), -2, up=False) == Fraction(-34, 100)


# --------------------------------------------------------------------------------------
# (a) a strict local minimum


def test_local_minimum_h1(p1, local_h1):
    term, res = local_h1
    assert isinstance(res, TrapResult)
    assert res.ok, res.reason
    assert res.configuration == ["interior"]
    assert verify_trapping(p1, "normalized", None, term, res.spec, 53).ok
    spec = res.spec
    assert spec["kind"] == "sublevel" and spec["frozen"] == [] and spec["periodic"] == []
    # the bounds dominate the terminal values and are exact decimals
    assert Fraction(res.bounds["v"][0]) >= Fraction(abs(float(term[1].mid())))
    assert Fraction(res.bounds["c"]) >= Fraction(abs(float(term[2].mid())))
    assert res.bounds == spec["bounds"]


def test_local_minimum_from_simulation(p1):
    traj = simulate(p1, [0.0, 0.5, 0.0], 300.0)
    end = traj.y[-1]
    term = _box(end, 1e-4)
    res = find_trapping(p1, "normalized", None, term, budget_seconds=20)
    assert res.ok, res.reason
    assert verify_trapping(p1, "normalized", None, term, res.spec, 53).ok
    # sanity (floats, not a proof): trajectories from the box corners stay in K
    for signs in ([-1, -1, -1], [1, 1, 1], [1, -1, 1]):
        y0 = [float(t.mid()) + s * float(t.rad()) for t, s in zip(term, signs)]
        tr = simulate(p1, y0, 200.0)
        assert all(_inside(y, res.spec) for y in tr.y)


def test_local_minimum_other_flows(p1):
    ys = _minimizer(p1, [-0.3, 1.4, 0.03], "normalized-weights", [1])
    term = _box(ys, 1e-7)
    res = find_trapping(p1, "normalized-weights", [1], term)
    assert res.ok, res.reason
    assert verify_trapping(p1, "normalized-weights", [1], term, res.spec, 53).ok
    # higher precision works the same way
    assert verify_trapping(p1, "normalized-weights", [1], term, res.spec, 128).ok


# --------------------------------------------------------------------------------------
# (b) dead neurons


def test_dead_neuron_boundary_case(p1):
    """w = -1, b = 0 on [0, 1]: w*0 + b = 0 is not > 0, so the neuron is dead."""
    term = [arb(0), arb("0.7"), arb(1) / 3]
    with precision(53):
        assert neuron_dead(p1, "normalized-weights", (-1,), 0, term)
    res = find_trapping(p1, "normalized-weights", [-1], term)
    assert res.ok, res.reason
    assert res.configuration == ["dead"] and res.spec["frozen"] == [0]
    assert verify_trapping(p1, "normalized-weights", [-1], term, res.spec, 53).ok
    # the same state in the standard flow
    term_s = [arb(-1), arb(0), arb("0.7"), arb(1) / 3]
    res_s = find_trapping(p1, "standard", None, term_s)
    assert res_s.ok, res_s.reason
    assert verify_trapping(p1, "standard", None, term_s, res_s.spec, 53).ok
    # b slightly positive somewhere in the box: active near x = 0, not dead
    term_b = [arb(0, 1e-9), arb("0.7"), arb(1) / 3]
    with precision(53):
        assert not neuron_dead(p1, "normalized-weights", (-1,), 0, term_b)


def test_dead_neuron_normalized(p1):
    term = _box([math.pi + 0.01, 0.7, 1 / 3], 1e-6)
    res = find_trapping(p1, "normalized", None, term)
    assert res.ok, res.reason
    assert res.configuration == ["dead"] and res.spec["frozen"] == [0]
    assert Fraction(res.bounds["v"][0]) >= Fraction("0.700001")
    assert verify_trapping(p1, "normalized", None, term, res.spec, 53).ok
    # a ball around pi contains angles slightly below pi (active near x = 0)
    with precision(53):
        assert not neuron_dead(p1, "normalized", (1,), 0, [arb.pi(), arb(0.7), arb(0.3)])
        assert not neuron_dead(p1, "normalized", (1,), 0,
                               [arb(math.pi, 1e-9), arb(0.7), arb(0.3)])


# --------------------------------------------------------------------------------------
# (c) refusals: never a claim


def test_refusal_affine_curve(p1):
    """Fully active neuron, kink outside [0, 1]: the best affine fits form an unbounded
    curve of minimizers at this level, no *sublevel* box can trap it (the arc-length
    argument of tests/test_forever.py does)."""
    term = _box([0.08026012, 1.00322951, -0.24709957], 1e-6)
    for strategy in ("local", "periodic"):
        res = find_trapping(p1, "normalized", None, term, budget_seconds=2,
                            strategy=strategy)
        assert not res.ok and res.spec is None and res.bounds == {}
        assert res.reason and "\n" not in res.reason
        assert res.configuration == ["fully-active"]
    res = find_trapping(p1, "normalized", None, term, budget_seconds=4)
    assert res.ok and res.spec["kind"] == "arc-length"


def test_refusal_huge_box(p1):
    term = _box([0.0, 0.0, 0.0], 10.0)
    res = find_trapping(p1, "normalized", None, term, budget_seconds=3)
    assert not res.ok and res.spec is None and res.reason


def test_refusal_bad_input(p1):
    assert not find_trapping(p1, "bogus", None, [arb(0)] * 3).ok
    assert not find_trapping(p1, "normalized", None, [arb(0)] * 2).ok
    assert not find_trapping(p1, "normalized", None, [arb(0), arb(0), arb("nan")]).ok
    assert not find_trapping(p1, "normalized", None, [arb(0)] * 3, strategy="x").ok


# --------------------------------------------------------------------------------------
# (d) tampering


def _set(path, value):
    def mutate(spec, term):
        node = spec
        for k in path[:-1]:
            node = node[k]
        node[path[-1]] = value
    return mutate


def _delete(key):
    def mutate(spec, term):
        del spec[key]
    return mutate


def _shrink_box(spec, term):  # X_T no longer inside
    spec["box"][0] = [spec["box"][0][0], spec["box"][0][0]]


def _faces_at_terminal(spec, term):  # c faces just outside X_T: L there is about sup L(X_T)
    lo, hi = float(term[2].lower()), float(term[2].upper())
    spec["box"][2] = [repr(lo - 1e-12), repr(hi + 1e-12)]
    spec["bounds"]["c"] = "1"


#: mutation -> a word the one-line reason must contain
TAMPER = {
    "box-not-containing": (_shrink_box, "inside"),
    "level-below-sup": (_set(["level"], "0.00109"), "sup L"),
    "level-above-faces": (_set(["level"], "0.5"), "face"),
    "claim-frozen": (_set(["frozen"], [0]), "dead"),
    "bound-v-too-small": (_set(["bounds", "v", 0], "1.4"), "v_1"),
    "bound-c-too-small": (_set(["bounds", "c"], "0.037"), "|c|"),
    "nan-level": (_set(["level"], "nan"), "level"),
    "inf-bound": (_set(["bounds", "c"], "Infinity"), "bounds.c"),
    "huge-exponent": (_set(["box", 1, 1], "1e999999"), "exponent"),
    "garbage": (_set(["box", 1, 0], "1.3; import os"), "box[1]"),
    "float-not-string": (_set(["level"], 0.5), "string"),
    "missing-key": (_delete("bounds"), "missing"),
    "extra-key": (_set(["note"], "trust me"), "unknown"),
    "wrong-kind": (_set(["kind"], "frozen-only"), "kind"),
    "periodic-not-null": (_set(["periodic"], [0]), "periodic"),
    "frozen-out-of-range": (_set(["frozen"], [3]), "frozen"),
    "frozen-bool": (_set(["frozen"], [True]), "frozen"),
    "frozen-repeated": (_set(["frozen"], [0, 0]), "repeated"),
    "box-wrong-length": (_set(["box"], [["0", "1"]]), "box"),
    "box-empty-interval": (_set(["box", 1], ["2", "1"]), "empty"),
    "bounds-not-object": (_set(["bounds"], ["1", "2"]), "bounds"),
    "faces-near-terminal": (_faces_at_terminal, "face c"),
}


@pytest.mark.parametrize("name", sorted(TAMPER))
def test_tampering_rejected(p1, local_h1, name):
    term, res = local_h1
    assert res.ok, res.reason
    spec = copy.deepcopy(res.spec)
    mutate, word = TAMPER[name]
    mutate(spec, term)
    why = verify_trapping(p1, "normalized", None, term, spec, 53, max_cells=2000).reason
    assert why and "\n" not in why, name
    assert word in why, why


def test_checker_never_raises(p1, local_h1):
    term, res = local_h1
    for bad_term in ([], [arb(0)] * 3 + [arb(1)], [arb(0), arb(1), arb("inf")], "xyz", None):
        assert not verify_trapping(p1, "normalized", None, bad_term, res.spec, 53).ok
    assert not verify_trapping(p1, "bogus", None, term, res.spec, 53).ok
    assert not verify_trapping(p1, "normalized", None, term, res.spec, 3).ok
    assert not verify_trapping(p1, "normalized", None, term, "spec", 53).ok
    # periodic angles are only for the normalized flow
    spec = copy.deepcopy(res.spec)
    spec["periodic"] = [0]
    spec["box"][0] = None
    assert "periodic" in verify_trapping(p1, "normalized-weights", None, term, spec, 53).reason
    with pytest.raises(Rejected):
        check_trapping(p1, "normalized", None, term, {"kind": "sublevel"}, 53)


def test_periodic_spec(p1):
    """Hand-made: the angle unrestricted, L > level on the faces |v| = 3, |c| = 10
    (the best fit with |v| = 3 fixed is the affine fit, L = 1/180)."""
    ys = _minimizer(p1, [-0.32, 1.4, 0.04])
    term = _box(ys, 1e-3)
    spec = {"kind": "sublevel", "frozen": [], "periodic": [0],
            "box": [None, ["-3", "3"], ["-10", "10"]], "level": "0.00111",
            "bounds": {"v": ["3"], "c": "10"}}
    assert verify_trapping(p1, "normalized", None, term, spec, 53).ok
    bad = copy.deepcopy(spec)
    bad["level"] = "0.006"  # above 1/180: the faces |v| = 3 reach it
    assert not verify_trapping(p1, "normalized", None, term, bad, 53, max_cells=3000).ok


@pytest.mark.slow
def test_periodic_search(p1):
    ys = _minimizer(p1, [-0.32, 1.4, 0.04])
    term = _box(ys, 1e-3)
    res = find_trapping(p1, "normalized", None, term, strategy="periodic", budget_seconds=60)
    assert res.ok, res.reason
    assert res.spec["periodic"] == [0] and res.spec["box"][0] is None
    assert verify_trapping(p1, "normalized", None, term, res.spec, 53).ok


# --------------------------------------------------------------------------------------
# (e) two neurons


def test_h2_dead_and_minimum(p2):
    ys = [-0.32175055, 3.5, 1.40545674, 0.3, 0.03703704]
    term = _box(ys, 1e-6)
    res = find_trapping(p2, "normalized", None, term)
    assert res.ok, res.reason
    assert res.configuration == ["interior", "dead"]
    assert res.spec["frozen"] == [1]
    assert Fraction(res.bounds["v"][1]) >= Fraction("0.300001")
    assert verify_trapping(p2, "normalized", None, term, res.spec, 53).ok


def test_h2_strict_minimum(p2):
    ys = _minimizer(p2, [-0.2, -0.6, 0.8, 0.8, 0.0])  # kinks at 1/5 and 3/5
    term = _box(ys, 1e-7)
    res = find_trapping(p2, "normalized", None, term, budget_seconds=30)
    assert res.ok, res.reason
    assert res.configuration == ["interior", "interior"]
    assert verify_trapping(p2, "normalized", None, term, res.spec, 53).ok


# --------------------------------------------------------------------------------------
# the standard flow: L is not coercive in (w, b, v) (rescaling symmetry)


def test_standard_flow_near_minimum_refused(p1):
    ys = _minimizer(p1, [0.9, -0.3, 1.4, 0.03], "standard")
    term = _box(ys, 1e-7)
    res = find_trapping(p1, "standard", None, term, budget_seconds=4)
    assert not res.ok and res.spec is None and res.reason


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(w=st.floats(-1.5, 1.5), b=st.floats(-1.5, 1.5), v=st.floats(-2, 2),
       c=st.floats(-1, 1), r=st.sampled_from([0.0, 1e-6, 1e-3]))
def test_standard_flow_never_wrong(p1, w, b, v, c, r):
    """Whenever the checker accepts, float trajectories from the box corners stay in K."""
    term = _box([w, b, v, c], r)
    res = find_trapping(p1, "standard", None, term, budget_seconds=2)
    if not res.ok:
        assert res.spec is None and res.reason
        return
    assert verify_trapping(p1, "standard", None, term, res.spec, 53).ok
    for corner in ([-1, -1, -1, -1], [1, 1, 1, 1], [1, -1, 1, -1]):
        y0 = [float(t.mid()) + s * float(t.rad()) for t, s in zip(term, corner)]
        tr = simulate(p1, y0, 100.0, flow="standard")
        assert all(_inside(y, res.spec) for y in tr.y)
