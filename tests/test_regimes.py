"""Regime covers (verifier/regimes, docs/regions.md): each lemma against an independent
float reference, the whole cover against simulated trajectories, and tampering."""

from __future__ import annotations

import copy
import json
import math
from fractions import Fraction as F

import numpy as np
import pytest
from flint import arb
from scipy.integrate import quad

from verifier import Problem, simulate
from verifier.arith.precision import precision
from verifier.checker.regimes import check_region
from verifier.field.pointwise import PointFunctions
from verifier.proof.regimes.cover import CoverError
from verifier.proof.regimes.geometry import Cell, Neuron
from verifier.proof.regimes.lyapunov import check_cell
from verifier.proof.regimes.static import gram_bounds
from verifier.proof.regimes.statistics import ActivePieceStatistics
from verifier.regimes import prove_region

PI_BOX = (F(-31416, 10000), F(31416, 10000))
R_NORMALIZED = [PI_BOX, (F(-1), F(1)), (F(-1), F(1))]


# -- an independent float model of one neuron (scipy quadrature on the formulas) ---------
class FloatNeuron:
    def __init__(self, f, p=lambda x: 1.0, a=0.0, b=1.0):
        self.f, self.p, self.a, self.b = f, p, a, b
        self.mass = quad(p, a, b)[0]

    def active(self, w, bb):
        if w > 0:
            return max(-bb / w, self.a), self.b
        if w < 0:
            return self.a, min(-bb / w, self.b)
        return (self.a, self.b) if bb > 0 else (self.a, self.a)

    def integral(self, g, lo, hi):
        return quad(lambda x: g(x) * self.p(x) / self.mass, lo, hi, limit=200)[0]

    def lyapunov_terms(self, phi):
        """(G', D, N) of Lemma 2 for the normalized flow at angle phi (plain quadrature)."""
        w, bb = math.cos(phi), math.sin(phi)
        lo, hi = self.active(w, bb)
        if hi - lo <= 1e-12:
            return 0.0, 0.0, 0.0
        sig = lambda x: w * x + bb  # noqa: E731
        sig_phi = lambda x: -bb * x + w  # noqa: E731
        g = 2 * self.integral(sig, lo, hi) / self.integral(sig_phi, lo, hi)
        k = lambda x: -2 * sig(x) + g * sig_phi(x)  # noqa: E731
        D = -self.integral(lambda x: k(x) * sig(x), lo, hi)
        N = self.integral(lambda x: k(x) * self.f(x), lo, hi)
        return g, D, N


@pytest.mark.parametrize("target,density,f,p", [
    ("x**2", None, lambda x: x * x, lambda x: 1.0),
    ("sin(3*x)", None, lambda x: math.sin(3 * x), lambda x: 1.0),
    ("x**2", "3*x**2", lambda x: x * x, lambda x: 3 * x * x),
])
def test_lyapunov_threshold_dominates_quadrature(target, density, f, p):
    """On cells of both partially active arcs, the proven threshold is at least the exact
    |N|/D computed by quadrature at sample angles, and |G'| at most the proven slope."""
    P = Problem(target, density=density)
    ref = FloatNeuron(f, p)
    with precision(64):
        nu = Neuron.of(P, "normalized")
        st = ActivePieceStatistics(P)
        fp = PointFunctions(P)
        for side, (lo, hi) in ((1, (-0.78, -0.02)), (-1, (2.37, 3.12))):
            for k in range(12):
                a = F(lo + (hi - lo) * k / 12).limit_denominator(10 ** 5)
                b = F(lo + (hi - lo) * (k + 1) / 12).limit_denominator(10 ** 5)
                lc = check_cell(nu, st, fp.slope, Cell(a, b), side)
                for phi in np.linspace(float(a), float(b), 4):
                    g, D, N = ref.lyapunov_terms(phi)
                    if D > 1e-13:
                        assert abs(N) / D <= float(lc.threshold.mid()) * (1 + 1e-9)
                    assert abs(g) <= float(lc.slope.mid()) * (1 + 1e-9) + 1e-12


def test_lyapunov_function_decreases_along_the_flow():
    """Q = v^2 - G(phi) does not increase where |v| is above the proven threshold: the
    derivative -2 v dL/dv + G' dL/dphi from the problem's float gradient and a quadrature
    G' is <= 0 at random states of the partially active arcs."""
    P = Problem("x**2")
    ref = FloatNeuron(lambda x: x * x)
    rng = np.random.default_rng(7)
    with precision(64):
        nu = Neuron.of(P, "normalized")
        st = ActivePieceStatistics(P)
        fp = PointFunctions(P)
        checked = 0
        for side, (lo, hi) in ((1, (-0.78, -0.02)), (-1, (2.37, 3.12))):
            for _ in range(40):
                phi = float(rng.uniform(lo, hi))
                cell = Cell(F(phi).limit_denominator(10 ** 4) - F(1, 10 ** 3),
                            F(phi).limit_denominator(10 ** 4) + F(1, 10 ** 3))
                th = float(check_cell(nu, st, fp.slope, cell, side).threshold.mid())
                v = float(rng.choice([-1, 1]) * rng.uniform(th, 5 * th))
                c = float(rng.uniform(-3, 3))
                gphi, gv, _ = P.gradient([phi, v, c])
                dq = -2 * v * gv + ref.lyapunov_terms(phi)[0] * gphi
                assert dq <= 1e-9 * max(1.0, v * v), (phi, v, c, dq)
                checked += 1
        assert checked == 80


def test_gram_bound_contains_the_sublevel_set():
    """For angles of a cell, the extreme |v| and |c| of the ellipse {L <= level} (computed
    by least squares in floats) are below the proven Gram bounds."""
    P = Problem("x**2")
    ref = FloatNeuron(lambda x: x * x)
    level = 2.0
    with precision(64):
        nu = Neuron.of(P, "normalized")
        for lo in (-0.5, 0.1, 0.7, 2.0, 2.6):
            cell = Cell(F(lo).limit_denominator(100), F(lo + 0.01).limit_denominator(1000))
            U, C = gram_bounds(P, nu, cell, arb(level))
            for phi in np.linspace(float(cell.lo), float(cell.hi), 3):
                w, b = math.cos(phi), math.sin(phi)
                a0, a1 = ref.active(w, b)
                def sig(x, w=w, b=b):
                    return w * x + b
                m1 = ref.integral(sig, a0, a1)
                m2 = ref.integral(lambda x, s=sig: s(x) ** 2, a0, a1)
                q1 = ref.integral(lambda x, s=sig: s(x) * x * x, a0, a1)
                F0, Iff = 1 / 3, 1 / 5
                M = np.array([[m2, m1], [m1, 1.0]])
                z = np.linalg.solve(M, [q1, F0])
                lmin = Iff - z @ [q1, F0]
                Minv = np.linalg.inv(M)
                assert abs(z[0]) + math.sqrt((level - lmin) * Minv[0, 0]) <= float(U.mid())
                assert abs(z[1]) + math.sqrt((level - lmin) * Minv[1, 1]) <= float(C.mid())


@pytest.fixture(scope="module")
def x2_region():
    P = Problem("x**2")
    return P, prove_region(P, R_NORMALIZED)


def test_region_bounds_hold_on_simulated_trajectories(x2_region):
    """Independent reference: trajectories (DOP853, floats) from random points of R stay
    within the proven bounds up to T = 200."""
    P, pr = x2_region
    V, C = float(pr.bounds["v"][0]), float(pr.bounds["c"])
    rng = np.random.default_rng(3)
    for _ in range(12):
        y0 = [rng.uniform(-math.pi, math.pi), rng.uniform(-1, 1), rng.uniform(-1, 1)]
        tr = simulate(P, y0, horizon=200)
        ys = np.asarray(tr.y)
        ys = ys if ys.shape[-1] == 3 else ys.T
        assert np.max(np.abs(ys[:, 1])) <= V and np.max(np.abs(ys[:, 2])) <= C


def test_checker_reproves_and_rejects_tampering(x2_region):
    P, pr = x2_region
    spec = json.loads(json.dumps(pr.spec))
    why, bounds = check_region(P, "normalized", None, R_NORMALIZED, spec)
    assert why is None and bounds == pr.bounds
    kinds = [p["kind"] for p in spec["pieces"]]

    def tampered(edit):
        s = copy.deepcopy(spec)
        edit(s)
        return check_region(P, "normalized", None, R_NORMALIZED, s)[0]

    def scale(path, factor):
        def edit(s):
            d = s
            for k in path[:-1]:
                d = d[k]
            d[path[-1]] = str(F(d[path[-1]]) * factor)
        return edit

    i_lyap, i_aff = kinds.index("lyapunov"), kinds.index("affine")
    i_gram = kinds.index("gram")
    rejections = {
        "bound v": scale(("bounds", "v"), F(9, 10)),
        "bound c": scale(("bounds", "c"), F(9, 10)),
        "level": scale(("level",), F(1, 2)),
        "threshold": scale(("pieces", i_lyap, "threshold"), F(1, 2)),
        "osc": scale(("pieces", i_lyap, "osc"), F(1, 2)),
        "entry": scale(("pieces", i_lyap, "entry"), F(1, 2)),
        "lyapunov u": scale(("pieces", i_lyap, "u"), F(9, 10)),
        "mu": scale(("pieces", i_aff, "mu"), F(2)),
        "length": scale(("pieces", i_aff, "length"), F(1, 2)),
        "gram u": scale(("pieces", i_gram, "u"), F(1, 2)),
        "gram c": scale(("pieces", i_gram, "c"), F(1, 2)),
        "dead c": scale(("pieces", 0, "c"), F(1, 2)),
        "missing piece": lambda s: s["pieces"].pop(i_gram),
        "missing cell": lambda s: s["pieces"][i_lyap]["cells"].pop(0),
        "short turn": lambda s: s["pieces"][-1]["cells"].pop(),
        "wrong side": lambda s: s["pieces"][i_lyap].update(side=-s["pieces"][i_lyap]["side"]),
        "gram as affine": lambda s: s["pieces"][i_gram].update(
            kind="affine", threshold="1", mu="0.1", length="100", entry="100", u="1000"),
        "extra key": lambda s: s.update(note="trust me"),
        "dynamic piece at the wrap": lambda s: s.update(
            pieces=s["pieces"][i_lyap:] + s["pieces"][:i_lyap]),
        "float number": lambda s: s.update(level=7.7),
    }
    for name, edit in rejections.items():
        assert tampered(edit) is not None, name
    # a larger box than the one proven: the level no longer holds
    bigger = [(F(-4), F(4)), (F(-2), F(2)), (F(-1), F(1))]
    assert check_region(P, "normalized", None, bigger, spec)[0] is not None


def test_weakening_is_accepted(x2_region):
    P, pr = x2_region
    s = json.loads(json.dumps(pr.spec))
    s["bounds"]["v"] = str(F(s["bounds"]["v"]) * 2)
    s["pieces"][0]["c"] = str(F(s["pieces"][0]["c"]) + 1)
    s["bounds"]["c"] = str(F(s["bounds"]["c"]) + 1)
    assert check_region(P, "normalized", None, R_NORMALIZED, s)[0] is None


@pytest.mark.parametrize("flow,signs,box,keys", [
    ("normalized-weights", [1], [(F(-1), F(1))] * 3, {"v", "c", "b"}),
    ("normalized-weights", [-1], [(F(-1), F(1))] * 3, {"v", "c", "b"}),
    ("standard", None, [(F(1, 4), F(1)), (F(-1), F(1)), (F(-1, 5), F(1, 5)), (F(-1), F(1))],
     {"v", "c", "rho"}),
])
def test_other_flows_close_and_verify(flow, signs, box, keys):
    P = Problem("x**2")
    pr = prove_region(P, box, flow=flow, signs=signs)
    assert set(pr.bounds) == keys
    why, _ = check_region(P, flow, signs, box, json.loads(json.dumps(pr.spec)))
    assert why is None


def test_refusals():
    P = Problem("x**2")
    with pytest.raises(CoverError, match="reach"):
        prove_region(P, [(F(1, 4), F(1)), (F(-1), F(1)), (F(-1), F(1)), (F(-1), F(1))],
                     flow="standard")
    with pytest.raises(CoverError, match="alive"):
        prove_region(Problem("x**2", width=2), [(F(0), F(1))] * 5)


# -- width two: dead neurons reduce the problem -----------------------------------------
DEAD_ARC = (F(-2), F(-1))  # phi where cos(phi) x + sin(phi) <= 0 on [0, 1]


def test_dead_reduction_width_two():
    """Neuron 2 dead on the box: neuron 1 and c follow the width-1 flow; the reduction
    is verified, its bounds dominate simulated trajectories, and tampering is rejected."""
    P = Problem("x**2", width=2)
    box = [PI_BOX, DEAD_ARC, (F(-1), F(1)), (F(-1), F(1)), (F(-1), F(1))]
    pr = prove_region(P, box)
    assert pr.spec["dead"] == [1] and pr.bounds["v"][1] == 1
    spec = json.loads(json.dumps(pr.spec))
    why, bounds = check_region(P, "normalized", None, box, spec)
    assert why is None and bounds["v"] == pr.bounds["v"]
    rng = np.random.default_rng(5)
    for _ in range(6):
        y0 = [rng.uniform(-3.14, 3.14), rng.uniform(-2, -1), *rng.uniform(-1, 1, 3)]
        ys = np.asarray(simulate(P, y0, horizon=100).y)
        ys = ys if ys.shape[-1] == 5 else ys.T
        assert np.allclose(ys[:, 1], y0[1]) and np.allclose(ys[:, 3], y0[3])
        assert np.max(np.abs(ys[:, 2])) <= float(bounds["v"][0])
        assert np.max(np.abs(ys[:, 4])) <= float(bounds["c"])
    for edit in (lambda s: s["bounds"]["v"].__setitem__(1, "0.5"),
                 lambda s: s.update(dead=[0]),
                 lambda s: s.update(dead=[]),
                 lambda s: s["cover"]["bounds"].update(v="1"),
                 lambda s: s["bounds"].update(c="1")):
        t = copy.deepcopy(spec)
        edit(t)
        assert check_region(P, "normalized", None, box, t)[0] is not None
    # the box where neuron 2 is not certainly dead is refused by the checker
    live = [PI_BOX, (F(-2), F(0)), (F(-1), F(1)), (F(-1), F(1)), (F(-1), F(1))]
    assert check_region(P, "normalized", None, live, spec)[0] is not None


def test_all_dead():
    P = Problem("x**2", width=2)
    box = [DEAD_ARC, DEAD_ARC, (F(-1), F(1)), (F(-1), F(1)), (F(-3), F(2))]
    pr = prove_region(P, box)
    assert pr.spec["cover"] is None and pr.bounds["c"] >= 3
    assert check_region(P, "normalized", None, box, json.loads(json.dumps(pr.spec)))[0] is None


def test_standard_dead_box_at_the_origin_is_not_reduced():
    """(w, b) = (0, 0) is where the standard flow is not regular: a box containing it is
    not closed by freezing the neuron, even though sigma <= 0 on the whole box."""
    P = Problem("x**2")
    box = [(F(-1, 2), F(0)), (F(-1), F(0)), (F(-1), F(1)), (F(-1), F(1))]
    with pytest.raises(CoverError):
        prove_region(P, box, flow="standard")
    away = [(F(-1, 2), F(-1, 4)), (F(-1), F(-1, 2)), (F(-1), F(1)), (F(-1), F(1))]
    pr = prove_region(P, away, flow="standard")
    assert pr.spec["kind"] == "dead-reduction"
    forged = json.loads(json.dumps(pr.spec))
    assert check_region(P, "standard", None, box, forged)[0] is not None
