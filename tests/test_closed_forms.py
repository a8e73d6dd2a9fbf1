"""Acceptance tests: closed-form risk and generalized gradient vs an independent
high-precision quadrature reference (``tests/reference.py``).

Checked for every target of the acceptance matrix (``x**2``, ``Abs(x - 1/3)``,
``sin(3*x)``, a three-piece continuous piecewise-linear ``Piecewise``,
``exp(x)/(1+x)``, ``sqrt(1 + x**4)``), densities uniform and ``2*x`` on
``[0, 1]``, the domain ``(-1, 2)``, widths ``H in {1, 2, 3, 5}`` and all three
flows, at random states (``|v|, |c| <= 3``) and at the special configurations
(kink exactly at ``a``, at ``b``, at a target breakpoint, two equal kinks,
``cos(phi) = 0`` / ``w = 0``, dead neurons):

* ``p.risk`` / ``p.gradient`` on the float path and on the mpmath path agree
  with the reference to ``1e-12`` absolute;
* central finite differences of the risk agree with the gradient away from the
  switching surfaces.

The default run uses a quick matrix in which every target, density, domain,
flow and width appears; ``--runslow`` runs the full matrix with >= 300 points
per (problem, flow, H).
"""

from __future__ import annotations

import functools
import math
import zlib

import mpmath
import numpy as np
import pytest
import sympy
from reference import (
    CASES,
    FLOWS,
    HS,
    Case,
    Reference,
    random_state,
    smooth_state,
    special_states,
)

TOL = 1e-12          # acceptance tolerance (absolute)
MP_PREC = 100        # bits for the implementation's mpmath path
SLOW_POINTS = 300    # points per (problem, flow, H) in the slow sweep

CASE_NAMES = list(CASES)


def _seed(*parts) -> int:
    return zlib.crc32(repr(parts).encode())


@functools.cache
def problem(name: str, H: int = 1):
    from verifier import Problem

    return Problem(**CASES[name].problem_kwargs(), width=H)


def _fmt(y) -> str:
    return "[" + ", ".join(repr(float(t)) for t in y) + "]"


class Checker:
    """Compares the implementation with the reference and collects failures."""

    def __init__(self, case: Case, flow: str, H: int):
        self.case = case
        self.flow = flow
        self.prob = problem(case.name, H)
        self.failures: list[str] = []
        self.max_err = {"float": 0.0, f"mpmath{MP_PREC}": 0.0, "mpmath53": 0.0}
        self.n = 0

    def _where(self, label, y, signs):
        s = f"case={self.case.name} flow={self.flow} label={label!r} y={_fmt(y)}"
        return s + (f" signs={signs}" if signs is not None else "")

    def check(self, label, y, signs, mp_default_prec=False):
        self.n += 1
        ref = self.case.reference
        L_ref, g_ref = ref.risk_gradient_mp(y, self.flow, signs)
        kw = dict(flow=self.flow, signs=signs)
        where = self._where(label, y, signs)
        paths = [("float", {}), (f"mpmath{MP_PREC}", dict(arithmetic="mpmath", prec=MP_PREC))]
        if mp_default_prec:
            paths.append(("mpmath53", dict(arithmetic="mpmath")))
        for path, extra in paths:
            try:
                L = self.prob.risk(list(y), **kw, **extra)
                g = self.prob.gradient(list(y), **kw, **extra)
            except Exception as exc:  # report, do not stop at the first one
                self.failures.append(f"{where} [{path}{extra}] raised {exc!r}")
                continue
            if path == "float":
                if not isinstance(g, np.ndarray):
                    self.failures.append(f"{where} [float] gradient is {type(g)}, not ndarray")
                    g = np.asarray(g, dtype=float)
            if len(g) != len(g_ref):
                self.failures.append(f"{where} [{path}] gradient has length {len(g)},"
                                     f" expected {len(g_ref)}")
                continue
            with mpmath.workdps(40):
                errs = [abs(mpmath.mpf(L) - L_ref)] + [abs(mpmath.mpf(gi) - gr)
                                                       for gi, gr in zip(g, g_ref, strict=True)]
                err = float(max(errs))
            if not math.isfinite(err) or err > TOL:
                k = max(range(len(errs)), key=lambda i: errs[i])
                what = "risk" if k == 0 else f"gradient[{k - 1}]"
                got = L if k == 0 else g[k - 1]
                want = L_ref if k == 0 else g_ref[k - 1]
                self.failures.append(
                    f"{where} [{path}{extra}] {what}: got {mpmath.nstr(mpmath.mpf(got), 17)},"
                    f" reference {mpmath.nstr(want, 17)}, |err| = {err:.3g}")
            self.max_err[path] = max(self.max_err[path], err if math.isfinite(err) else np.inf)

    def finish(self):
        errs = ", ".join(f"{k} {v:.2e}" for k, v in self.max_err.items())
        print(f"\n{self.case.name} {self.flow}: {self.n} points, max |err|: {errs}")
        if self.failures:
            head = "\n".join(self.failures[:25])
            more = len(self.failures) - 25
            pytest.fail(f"{len(self.failures)} disagreement(s) with the reference:\n{head}"
                        + (f"\n... and {more} more" if more > 0 else ""), pytrace=False)


def _run(case_name, flow, H, n_total, n_random_min, repeats, seed_parts):
    """All special configurations (``repeats`` times, other neurons redrawn),
    then random states until ``n_total`` points (at least ``n_random_min``)."""
    case = CASES[case_name]
    rng = np.random.default_rng(_seed(*seed_parts))
    chk = Checker(case, flow, H)
    pts = special_states(case, flow, H, rng, repeats=repeats)
    for i, (label, y, signs) in enumerate(pts):
        chk.check(label, y, signs, mp_default_prec=(i < 2))
    n_random = max(n_random_min, n_total - chk.n)
    for k in range(n_random):
        y, signs = random_state(case, flow, H, rng)
        chk.check(f"random #{k}", y, signs, mp_default_prec=(k < 1))
    chk.finish()


# --------------------------------------------------------------- quick matrix
def _quick_params():
    params = []
    for i, name in enumerate(CASE_NAMES):
        for k, flow in enumerate(FLOWS):
            H = HS[(i + k) % len(HS)]
            params.append(pytest.param(name, flow, H, id=f"{name}-{flow}-H{H}"))
    return params


def test_quick_matrix_covers_everything():
    seen = {"target": set(), "density": set(), "domain": set(), "flow": set(), "H": set(),
            "flowH": set()}
    for p in _quick_params():
        name, flow, H = p.values
        case = CASES[name]
        seen["target"].add(case.target)
        seen["density"].add(case.density)
        seen["domain"].add(case.domain)
        seen["flow"].add(flow)
        seen["H"].add(H)
        seen["flowH"].add((flow, H))
    assert len(seen["target"]) == 6
    assert seen["density"] == {None, "2*x"}
    assert len(seen["domain"]) == 2
    assert seen["flow"] == set(FLOWS)
    assert seen["H"] == set(HS)
    assert len(seen["flowH"]) == len(FLOWS) * len(HS)


@pytest.mark.parametrize("name,flow,H", _quick_params())
def test_closed_form_matches_reference_quick(name, flow, H):
    _run(name, flow, H, n_total=0, n_random_min=3, repeats=1,
         seed_parts=("quick", name, flow, H))


@pytest.mark.slow
@pytest.mark.parametrize("H", HS)
@pytest.mark.parametrize("flow", FLOWS)
@pytest.mark.parametrize("name", CASE_NAMES)
def test_closed_form_matches_reference_full(name, flow, H):
    _run(name, flow, H, n_total=SLOW_POINTS, n_random_min=50, repeats=3,
         seed_parts=("full", name, flow, H))


# --------------------------------------------------------------- finite differences
def _fd_check(case_name, flow, H, n_points, seed_parts):
    case = CASES[case_name]
    prob = problem(case_name, H)
    rng = np.random.default_rng(_seed(*seed_parts))
    failures = []
    for _ in range(n_points):
        y, signs = smooth_state(case, flow, H, rng)
        g = np.asarray(prob.gradient(list(y), flow=flow, signs=signs), dtype=float)
        # (1) float risk, h = 1e-6
        h = 1e-6
        for i in range(len(y)):
            yp = list(y)
            ym = list(y)
            yp[i] += h
            ym[i] -= h
            fd = (prob.risk(yp, flow=flow, signs=signs) - prob.risk(ym, flow=flow, signs=signs)) \
                / (yp[i] - ym[i])
            scale = 1 + abs(prob.risk(list(y), flow=flow, signs=signs))
            if not abs(fd - g[i]) <= 1e-6 * scale:
                failures.append(f"[float FD] case={case_name} flow={flow} y={_fmt(y)}"
                                f" signs={signs} i={i}: FD {fd!r} vs gradient {g[i]!r}")
        # (2) mpmath risk at MP_PREC bits, h = 2^-40
        with mpmath.workprec(MP_PREC + 20):
            h = mpmath.mpf(2) ** -40
            for i in range(len(y)):
                yp = [mpmath.mpf(t) for t in y]
                ym = list(yp)
                yp[i] += h
                ym[i] -= h
                rp = prob.risk(yp, flow=flow, signs=signs, arithmetic="mpmath", prec=MP_PREC)
                rm = prob.risk(ym, flow=flow, signs=signs, arithmetic="mpmath", prec=MP_PREC)
                fd = (mpmath.mpf(rp) - mpmath.mpf(rm)) / (2 * h)
                if not abs(fd - g[i]) <= 1e-9:
                    failures.append(f"[mpmath FD] case={case_name} flow={flow} y={_fmt(y)}"
                                    f" signs={signs} i={i}: FD {mpmath.nstr(fd, 17)} vs"
                                    f" gradient {g[i]!r}")
    if failures:
        pytest.fail(f"{len(failures)} FD disagreement(s):\n" + "\n".join(failures[:20]),
                    pytrace=False)


def _fd_params(slow=False):
    params = []
    i = 0
    for flow in FLOWS:
        for H in HS:
            names = CASE_NAMES if slow else [CASE_NAMES[(5 * i) % len(CASE_NAMES)]]
            for name in names:
                params.append(pytest.param(name, flow, H, id=f"{name}-{flow}-H{H}"))
            i += 1
    return params


@pytest.mark.parametrize("name,flow,H", _fd_params())
def test_finite_differences_quick(name, flow, H):
    _fd_check(name, flow, H, n_points=1, seed_parts=("fd", name, flow, H))


@pytest.mark.slow
@pytest.mark.parametrize("name,flow,H", _fd_params(slow=True))
def test_finite_differences_full(name, flow, H):
    _fd_check(name, flow, H, n_points=5, seed_parts=("fd-full", name, flow, H))


# --------------------------------------------------------------- contract details
def test_api_contract_types():
    prob = problem("sq-unif")
    assert prob.width == 1
    assert float(prob.a) == 0.0 and float(prob.b) == 1.0
    assert prob.dim("normalized") == 3
    assert prob.dim("normalized-weights") == 3
    assert prob.dim("standard") == 4
    y = [0.3, -1.2, 0.4]
    L = prob.risk(y)
    g = prob.gradient(y)
    assert isinstance(L, float)
    assert isinstance(g, np.ndarray) and g.shape == (3,)
    Lm = prob.risk(y, arithmetic="mpmath", prec=80)
    gm = prob.gradient(y, arithmetic="mpmath", prec=80)
    assert isinstance(Lm, mpmath.mpf)
    assert len(gm) == 3 and all(isinstance(t, mpmath.mpf) for t in gm)
    p3 = problem("sq-unif", 2)
    assert p3.width == 2 and p3.dim("normalized") == 5 and p3.dim("standard") == 7
    # density is normalized internally: 2*x and 7*x are the same problem
    p2 = type(prob)(target="x**2", domain=(0, 1), density="7*x", width=1)
    p1 = problem("sq-2x", 1)
    assert abs(p1.risk(y) - p2.risk(y)) <= 1e-14
    dens = sympy.integrate(p2.density_expr, (p2.density_expr.free_symbols.pop(), 0, 1))
    assert sympy.simplify(dens - 1) == 0
    xs = prob.target_expr.free_symbols
    assert len(xs) == 1 and sympy.simplify(prob.target_expr - xs.pop() ** 2) == 0
    # exact domain ends, also from strings
    assert tuple(prob.domain) == (0, 1)
    pw = problem("sq-wide", 1)
    assert tuple(pw.domain) == (-1, 2) and (pw.a, pw.b) == (-1.0, 2.0)
    p13 = type(prob)(target="x", domain=("1/3", "1"), width=1)
    assert p13.domain[0] == sympy.Rational(1, 3)
    ref13 = Reference("x", ("1/3", "1"))
    assert abs(p13.risk([0.4, 0.5, -0.2]) - ref13.risk([0.4, 0.5, -0.2])) <= TOL


def test_default_signs_are_plus_one():
    prob = problem("abs-unif", 2)
    y = [-0.2, 0.7, 1.5, -0.4, 0.3]
    a = prob.gradient(y, flow="normalized-weights")
    b = prob.gradient(y, flow="normalized-weights", signs=[1, 1])
    assert np.array_equal(a, b)
    ref = CASES["abs-unif"].reference.gradient(y, "normalized-weights")
    assert np.max(np.abs(a - ref)) <= TOL


# --------------------------------------------------------------- reference self-tests
def test_reference_hand_values():
    # f = x^2, uniform on [0,1], phi = 0 (w = 1, b = 0), v = 1, c = 0: N = x
    L, g = Reference("x**2").risk_gradient([0.0, 1.0, 0.0], "normalized")
    assert abs(L - 1 / 30) < 1e-15
    assert np.allclose(g, [1 / 3, 1 / 6, 1 / 3], rtol=0, atol=1e-15)
    # f = 0, N = relu(2x - 1): kink at 1/2
    L, g = Reference("0").risk_gradient([2.0, -1.0, 1.0, 0.0], "standard")
    assert abs(L - 1 / 6) < 1e-15
    assert np.allclose(g, [5 / 12, 1 / 2, 1 / 3, 1 / 2], rtol=0, atol=1e-15)
    # normalized-weights with w = -1, b = 1/2: relu(1/2 - x); f = 0, v = 2, c = 1
    # N = 1 + 2 relu(1/2 - x); L = int_0^1/2 (2 - 2x)^2 + int_1/2^1 1 = 7/6 + 1/2
    L, g = Reference("0").risk_gradient([0.5, 2.0, 1.0], "normalized-weights", signs=[-1])
    assert abs(L - (7 / 6 + 1 / 2)) < 1e-14
    # G_b = 2*2*int_0^1/2 (2 - 2x) = 4 * 3/4 = 3 ; G_v = 2 int_0^1/2 (1/2-x)(2-2x) = 5/12
    # G_c = 2 (int_0^1/2 (2-2x) + 1/2) = 2 (3/4 + 1/2) = 5/2
    assert np.allclose(g, [3, 5 / 12, 5 / 2], rtol=0, atol=1e-14)
    # density normalization: p = 7x is normalized to 2x
    R = Reference("1", density="7*x")
    L, g = R.risk_gradient([0.0, 0.0, 0.0], "normalized")  # N = 0: L = 1, G_c = -2
    assert abs(L - 1) < 1e-15 and abs(g[2] + 2) < 1e-15


def _local_expr(f, x, m):
    """The analytic branch of a (piecewise) expression f valid around x = m."""
    g = sympy.piecewise_fold(f.rewrite(sympy.Piecewise))
    if isinstance(g, sympy.Piecewise):
        for e, cnd in g.args:
            if bool(cnd.subs(x, m)):
                return e
        raise AssertionError("no branch")
    return g


def _sympy_exact(case: Case, w, b, v, c):
    """Exact (L, Gw, Gb, Gv, Gc) for a (piecewise) polynomial target by sympy
    integration on the pieces between kinks and breakpoints."""
    x = sympy.Symbol("x", real=True)
    f = sympy.sympify(case.target, locals={"x": x})
    p = sympy.sympify(case.density, locals={"x": x}) if case.density else sympy.Integer(1)
    a, bb = case.a_q, case.b_q
    p = p / sympy.integrate(p, (x, a, bb))
    R = [sympy.Rational(t) for t in (*w, *b, *v, c)]
    H = len(w)
    W, B, V, C = R[:H], R[H:2 * H], R[2 * H:3 * H], R[3 * H]
    pts = {a, bb, *case.bp_q}
    for j in range(H):
        if W[j] != 0 and a < -B[j] / W[j] < bb:
            pts.add(-B[j] / W[j])
    pts = sorted(pts)

    def integ(e, lo, hi):  # exact integral of a polynomial
        q = sympy.Poly(sympy.expand(e), x).integrate()
        return q.eval(hi) - q.eval(lo)

    L = 0
    Gw, Gb, Gv = [0] * H, [0] * H, [0] * H
    Gc = 0
    for lo, hi in zip(pts[:-1], pts[1:], strict=True):
        m = (lo + hi) / 2
        act = [W[j] * m + B[j] > 0 for j in range(H)]
        fl = _local_expr(f, x, m)
        N = C + sum(V[j] * (W[j] * x + B[j]) for j in range(H) if act[j])
        r = (N - fl) * p
        L += integ((N - fl) ** 2 * p, lo, hi)
        i0 = integ(r, lo, hi)
        i1 = integ(x * r, lo, hi)
        Gc += 2 * i0
        for j in range(H):
            if act[j]:
                Gw[j] += 2 * V[j] * i1
                Gb[j] += 2 * V[j] * i0
                Gv[j] += 2 * integ((W[j] * x + B[j]) * r, lo, hi)
    return L, Gw, Gb, Gv, Gc


@pytest.mark.parametrize("name", ["sq-2x", "abs-unif", "pwl-wide", "pwl-2x"])
def test_reference_against_exact_sympy(name):
    case = CASES[name]
    rng = np.random.default_rng(_seed("sympy", name))
    states = [("special", y) for _, y, _ in special_states(case, "standard", 3, rng)[::3]]
    states += [("random", random_state(case, "standard", 3, rng)[0]) for _ in range(2)]
    for _, y in states:
        H = 3
        ex = _sympy_exact(case, y[:H], y[H:2 * H], y[2 * H:3 * H], y[3 * H])
        exact = [ex[0], *ex[1], *ex[2], *ex[3], ex[4]]
        L, g = case.reference.risk_gradient_mp(y, "standard")
        with mpmath.workdps(40):
            for e, r in zip(exact, [L, *g], strict=True):
                assert abs(mpmath.mpf(sympy.N(e, 45)) - r) < mpmath.mpf("1e-24"), (name, y)


@pytest.mark.parametrize("flow", FLOWS)
def test_reference_direct_and_fd(flow):
    """The reference's fast path (3 integrals per piece) equals the per-component
    definition, and its gradient equals central differences of its risk."""
    case = CASES["abs-2x"]
    ref = case.reference
    rng = np.random.default_rng(_seed("direct", flow))
    pts = [(lab, y, s) for lab, y, s in special_states(case, flow, 2, rng)[::4]]
    for lab, y, s in pts:
        L1, g1 = ref.risk_gradient_mp(y, flow, s)
        L2, g2 = ref.risk_gradient_mp(y, flow, s, direct=True)
        with mpmath.workdps(ref.dps):
            assert abs(L1 - L2) < 1e-25, lab
            assert max(abs(u - t) for u, t in zip(g1, g2, strict=True)) < 1e-25, lab
    y, s = smooth_state(case, flow, 2, rng)
    _, g = ref.risk_gradient_mp(y, flow, s)
    with mpmath.workdps(ref.dps):
        h = mpmath.mpf("1e-10")
        for i in range(len(y)):
            yp = [mpmath.mpf(t) for t in y]
            ym = list(yp)
            yp[i] += h
            ym[i] -= h
            fd = (ref.risk_mp(yp, flow, s) - ref.risk_mp(ym, flow, s)) / (2 * h)
            assert abs(fd - g[i]) < 1e-17, (i, fd, g[i])
