"""Independent high-precision reference for the risk and generalized gradient.

This module deliberately does NOT use anything from ``verifier``: the target
``f`` and the density ``p`` are built here from sympy expressions with
``sympy.lambdify(modules="mpmath")``, ``p`` is normalized here by
``mpmath.quad``, and every integral is computed by ``mpmath.quad`` (~30
digits) after splitting ``[a, b]`` at every kink ``-b_j / w_j`` and every
breakpoint of ``f`` and ``p`` (passed in by the caller), so that each
sub-integral has a smooth (analytic) integrand.

Definitions (docs/design.md, section 1), with ``relu'(0) = 0``::

    N(x)  = c + sum_j v_j max(w_j x + b_j, 0)
    L     = int (N - f)^2 p
    G_w_j = 2 v_j int 1[w_j x + b_j > 0] x (N - f) p
    G_b_j = 2 v_j int 1[w_j x + b_j > 0]   (N - f) p
    G_v_j = 2     int max(w_j x + b_j, 0)  (N - f) p
    G_c   = 2     int (N - f) p

State orders:

* ``normalized``:          ``(phi_1..phi_H, v_1..v_H, c)``, ``w = cos phi``,
  ``b = sin phi``, ``dL/dphi_j = -sin(phi_j) G_w_j + cos(phi_j) G_b_j``;
* ``normalized-weights``:  ``(b_1..b_H, v_1..v_H, c)``, ``w_j = signs[j]``,
  gradient ``(G_b, G_v, G_c)``;
* ``standard``:            ``(w_1..w_H, b_1..b_H, v_1..v_H, c)``, gradient
  ``(G_w, G_b, G_v, G_c)``.

Input floats are converted to ``mpf`` exactly, so the reference value is the
value at exactly the floating-point state that the implementation receives.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import mpmath
import numpy as np
import sympy

X = sympy.Symbol("x", real=True)

FLOWS = ("normalized", "normalized-weights", "standard")

# absolute error accepted from mpmath.quad's own error estimate on a piece
_QUAD_ERR = mpmath.mpf("1e-20")


def _sym(e) -> sympy.Expr:
    """Trusted test literal (string / number / sympy expr) -> sympy expr in X."""
    if isinstance(e, sympy.Basic):
        return e.subs({s: X for s in e.free_symbols if s.name == "x"})
    return sympy.sympify(e, locals={"x": X})


def _mp(v) -> mpmath.mpf:
    """Exact conversion of a float / int / rational literal to mpf (at the current
    precision for non-dyadic rationals and irrational constants)."""
    if isinstance(v, mpmath.mpf):
        return v
    if isinstance(v, (float, np.floating)):
        return mpmath.mpf(float(v))
    if isinstance(v, (int, np.integer)):
        return mpmath.mpf(int(v))
    r = _sym(v)
    if r.is_Rational:
        return mpmath.mpf(int(r.p)) / int(r.q)
    return mpmath.mpf(sympy.N(r, mpmath.mp.dps + 10))


class Reference:
    """High-precision reference for one problem ``(f, p, [a, b])``.

    Parameters
    ----------
    target, density:
        sympy expressions or trusted strings in ``x``; ``density=None`` means
        uniform.  The density is normalized to mass 1 here.
    domain:
        ``(a, b)``; ends may be ints, floats or strings like ``"1/3"``.
    breakpoints:
        every point in ``(a, b)`` where ``f`` or ``p`` is not analytic.
    dps:
        working decimal digits for mpmath.
    """

    def __init__(self, target, domain=(0, 1), density=None, breakpoints: Iterable = (),
                 dps: int = 30, method: str = "gauss-legendre"):
        self.dps = int(dps)
        self.method = method
        self.target_expr = _sym(target)
        self.density_raw = sympy.Integer(1) if density is None else _sym(density)
        self._domain_raw = tuple(domain)
        self._bp_raw = tuple(breakpoints)
        with mpmath.workdps(self.dps):
            self.a = _mp(domain[0])
            self.b = _mp(domain[1])
            if not self.a < self.b:
                raise ValueError("empty domain")
            self.breakpoints = sorted({_mp(t) for t in breakpoints if self.a < _mp(t) < self.b})
        self._f = sympy.lambdify(X, self.target_expr, modules="mpmath")
        self._p_raw = sympy.lambdify(X, self.density_raw, modules="mpmath")
        with mpmath.workdps(self.dps):
            mass = mpmath.quad(self._p_raw, [self.a, *self.breakpoints, self.b],
                               method=self.method)
            if not mass > 0:
                raise ValueError("density has non-positive mass")
            self.mass = mass

    # ------------------------------------------------------------------ basics
    def f(self, x):
        return mpmath.mpf(self._f(x))

    def p(self, x):
        return mpmath.mpf(self._p_raw(x)) / self.mass

    # ---------------------------------------------------------- state parsing
    @staticmethod
    def dim(H: int, flow: str) -> int:
        return {"normalized": 2 * H + 1, "normalized-weights": 2 * H + 1,
                "standard": 3 * H + 1}[flow]

    @staticmethod
    def width_of(y: Sequence, flow: str) -> int:
        n = len(y)
        if flow in ("normalized", "normalized-weights"):
            if n % 2 != 1:
                raise ValueError("bad state length")
            return (n - 1) // 2
        if flow == "standard":
            if n % 3 != 1:
                raise ValueError("bad state length")
            return (n - 1) // 3
        raise ValueError(f"unknown flow {flow!r}")

    def _theta(self, y, flow, signs):
        """(w, b, v, c, extra) as mpf lists; extra = phi (normalized) else None."""
        H = self.width_of(y, flow)
        yy = [_mp(t) for t in y]
        if flow == "normalized":
            phi = yy[:H]
            w = [mpmath.cos(t) for t in phi]
            b = [mpmath.sin(t) for t in phi]
            v = yy[H:2 * H]
            return w, b, v, yy[2 * H], phi
        if flow == "normalized-weights":
            s = [1] * H if signs is None else [int(t) for t in signs]
            if len(s) != H or any(t not in (-1, 1) for t in s):
                raise ValueError("signs must be H entries in {-1, +1}")
            w = [mpmath.mpf(t) for t in s]
            b = yy[:H]
            v = yy[H:2 * H]
            return w, b, v, yy[2 * H], None
        if flow == "standard":
            return yy[:H], yy[H:2 * H], yy[2 * H:3 * H], yy[3 * H], None
        raise ValueError(f"unknown flow {flow!r}")

    # ---------------------------------------------------------- integration
    def split_points(self, w, b) -> list:
        pts = {self.a, self.b, *self.breakpoints}
        for wj, bj in zip(w, b, strict=True):
            if wj != 0:
                k = -bj / wj
                if self.a < k < self.b:
                    pts.add(k)
        return sorted(pts)

    def _quad(self, fn, l, r):
        val, err = mpmath.quad(fn, [l, r], method=self.method, error=True)
        scale = max(mpmath.mpf(1), abs(val))
        if err > _QUAD_ERR * scale:
            # one retry with a higher degree before giving up
            val, err = mpmath.quad(fn, [l, r], method=self.method, error=True,
                                   maxdegree=10)
            if err > _QUAD_ERR * scale:
                raise ArithmeticError(f"reference quadrature did not converge on [{l}, {r}]:"
                                      f" err={err}")
        return val

    def standard_parts(self, w, b, v, c):
        """L, G_w, G_b, G_v, G_c (mpf) at the (w, b, v, c) given as mpf lists.

        On each smooth piece only three integrals are needed:
        ``I0 = int (N-f) p``, ``I1 = int x (N-f) p`` and ``IL = int (N-f)^2 p``;
        on a piece where neuron j is active, ``relu_j = w_j x + b_j``, hence
        ``int relu_j (N-f) p = w_j I1 + b_j I0``.  ``N`` itself is evaluated
        pointwise with ``max(., 0)`` (no use of the active set).
        """
        H = len(w)
        f, p = self.f, self.p
        zero = mpmath.mpf(0)

        def N(x):
            s = c
            for j in range(H):
                s += v[j] * max(w[j] * x + b[j], zero)
            return s

        def r0(x):
            return (N(x) - f(x)) * p(x)

        def r1(x):
            return x * (N(x) - f(x)) * p(x)

        def rl(x):
            d = N(x) - f(x)
            return d * d * p(x)

        pts = self.split_points(w, b)
        L = zero
        Gw = [zero] * H
        Gb = [zero] * H
        Gv = [zero] * H
        Gc = zero
        for l, r in zip(pts[:-1], pts[1:], strict=True):
            if not r > l:
                continue
            m = (l + r) / 2
            active = [w[j] * m + b[j] > 0 for j in range(H)]
            I0 = self._quad(r0, l, r)
            IL = self._quad(rl, l, r)
            L += IL
            Gc += 2 * I0
            if any(active):
                I1 = self._quad(r1, l, r)
                for j in range(H):
                    if active[j]:
                        Gw[j] += 2 * v[j] * I1
                        Gb[j] += 2 * v[j] * I0
                        Gv[j] += 2 * (w[j] * I1 + b[j] * I0)
        return L, Gw, Gb, Gv, Gc

    def standard_parts_direct(self, w, b, v, c):
        """Same as :meth:`standard_parts`, but every component is integrated
        separately from its own defining integrand (indicator / relu evaluated
        pointwise).  Slow; used to self-test the fast path."""
        H = len(w)
        f, p = self.f, self.p
        zero = mpmath.mpf(0)

        def N(x):
            return c + mpmath.fsum(v[j] * max(w[j] * x + b[j], zero) for j in range(H))

        def ind(j, x):
            return 1 if w[j] * x + b[j] > 0 else 0

        pts = self.split_points(w, b)

        def integ(fn):
            return mpmath.fsum(self._quad(fn, l, r)
                               for l, r in zip(pts[:-1], pts[1:], strict=True) if r > l)

        L = integ(lambda x: (N(x) - f(x)) ** 2 * p(x))
        Gw = [2 * v[j] * integ(lambda x, j=j: ind(j, x) * x * (N(x) - f(x)) * p(x))
              for j in range(H)]
        Gb = [2 * v[j] * integ(lambda x, j=j: ind(j, x) * (N(x) - f(x)) * p(x))
              for j in range(H)]
        Gv = [2 * integ(lambda x, j=j: max(w[j] * x + b[j], zero) * (N(x) - f(x)) * p(x))
              for j in range(H)]
        Gc = 2 * integ(lambda x: (N(x) - f(x)) * p(x))
        return L, Gw, Gb, Gv, Gc

    # ---------------------------------------------------------- public API
    def risk_gradient_mp(self, y, flow="normalized", signs=None, direct=False):
        """(L, [gradient entries]) as mpf, in the state order of ``flow``."""
        with mpmath.workdps(self.dps):
            w, b, v, c, phi = self._theta(y, flow, signs)
            parts = self.standard_parts_direct if direct else self.standard_parts
            L, Gw, Gb, Gv, Gc = parts(w, b, v, c)
            if flow == "normalized":
                g = [-mpmath.sin(t) * gw + mpmath.cos(t) * gb
                     for t, gw, gb in zip(phi, Gw, Gb, strict=True)]
                grad = g + Gv + [Gc]
            elif flow == "normalized-weights":
                grad = Gb + Gv + [Gc]
            else:
                grad = Gw + Gb + Gv + [Gc]
            return +L, [+t for t in grad]

    def risk_gradient(self, y, flow="normalized", signs=None, direct=False):
        """(L, gradient) as (float, np.ndarray of float)."""
        L, g = self.risk_gradient_mp(y, flow, signs, direct=direct)
        return float(L), np.array([float(t) for t in g])

    def risk_mp(self, y, flow="normalized", signs=None):
        with mpmath.workdps(self.dps):
            w, b, v, c, _ = self._theta(y, flow, signs)
            f, p = self.f, self.p
            zero = mpmath.mpf(0)

            def rl(x):
                d = c - f(x)
                for j in range(len(w)):
                    d += v[j] * max(w[j] * x + b[j], zero)
                return d * d * p(x)

            pts = self.split_points(w, b)
            return +mpmath.fsum(self._quad(rl, l, r)
                                for l, r in zip(pts[:-1], pts[1:], strict=True) if r > l)

    def risk(self, y, flow="normalized", signs=None) -> float:
        return float(self.risk_mp(y, flow, signs))

    def gradient(self, y, flow="normalized", signs=None) -> np.ndarray:
        return self.risk_gradient(y, flow, signs)[1]

    # ---------------------------------------------------------- geometry helpers
    def kinks(self, y, flow="normalized", signs=None) -> list:
        """Kink locations (mpf, or None when w_j == 0) of every neuron."""
        with mpmath.workdps(self.dps):
            w, b, *_ = self._theta(y, flow, signs)
            return [None if wj == 0 else -bj / wj for wj, bj in zip(w, b, strict=True)]

    def switch_distance(self, y, flow="normalized", signs=None) -> float:
        """Distance of the state from the switching surfaces, measured in kink
        position: min over kinks inside [a-1, b+1] of the distance to a, b, the
        breakpoints and the other kinks (inf if there is no such kink)."""
        with mpmath.workdps(self.dps):
            ks = [k for k in self.kinks(y, flow, signs) if k is not None]
            fixed = [self.a, self.b, *self.breakpoints]
            best = mpmath.inf
            for i, k in enumerate(ks):
                if not (self.a - 1 <= k <= self.b + 1):
                    continue
                for t in fixed:
                    best = min(best, abs(k - t))
                for j, k2 in enumerate(ks):
                    if j != i and (self.a <= k <= self.b or self.a <= k2 <= self.b):
                        best = min(best, abs(k - k2))
            return float(best)


# ============================================================================
# Test-case catalogue and state generators (shared by the acceptance tests).
# Nothing here depends on ``verifier`` either.
# ============================================================================

PWL = "Piecewise((1 - x, x < 1/4), (3*x, x < 2/3), (x/2 + 5/3, True))"

TARGETS = {
    "sq": ("x**2", ()),
    "abs": ("Abs(x - 1/3)", ("1/3",)),
    "sin": ("sin(3*x)", ()),
    "pwl": (PWL, ("1/4", "2/3")),
    "exprat": ("exp(x)/(1+x)", ()),
    "sqrt": ("sqrt(1 + x**4)", ()),
}


class Case:
    """One problem of the acceptance matrix: target, domain, density."""

    def __init__(self, name, target, domain, density, breakpoints):
        self.name = name
        self.target = target
        self.domain = tuple(domain)
        self.density = density
        self.breakpoints = tuple(breakpoints)
        self.a_q = sympy.Rational(sympy.sympify(domain[0]))
        self.b_q = sympy.Rational(sympy.sympify(domain[1]))
        self.bp_q = tuple(sympy.Rational(sympy.sympify(t)) for t in breakpoints)
        self._ref = None

    def __repr__(self):
        return f"Case({self.name})"

    @property
    def reference(self) -> Reference:
        if self._ref is None:
            self._ref = Reference(self.target, self.domain, self.density, self.breakpoints)
        return self._ref

    def problem_kwargs(self) -> dict:
        return dict(target=self.target, domain=self.domain, density=self.density)


def _build_cases() -> dict:
    cases = {}
    for tname, (expr, bps) in TARGETS.items():
        for dname, dens in (("unif", None), ("2x", "2*x")):
            name = f"{tname}-{dname}"
            cases[name] = Case(name, expr, (0, 1), dens, bps)
        if tname != "exprat":  # exp(x)/(1+x) has a pole at x = -1
            name = f"{tname}-wide"
            cases[name] = Case(name, expr, ("-1", "2"), None, bps)
    return cases


CASES = _build_cases()
HS = (1, 2, 3, 5)


# ---------------------------------------------------------------- neuron specs
# A neuron is specified flow-independently as ("wb", w, b) with exact floats,
# as ("wzero", b) (w = 0 exactly; phi = +-pi/2 in the normalized flow), as
# ("phi", angle) (normalized flow; standard flow gets (cos, sin)), or ("rand",).
# Converted per flow by :func:`neuron_coords`.

def kink_spec(kappa, side: int):
    """Neuron with kink exactly at the rational kappa (w = side*q, b = -side*p),
    active for side*(x - kappa) > 0."""
    q = sympy.Rational(kappa)
    return ("wb", float(side * q.q), float(-side * q.p))


def neuron_coords(spec, flow, case: Case, rng):
    """Per-flow coordinates of one neuron: returns (first, sign) where first is
    phi / b / (w, b); None if the spec is not representable in that flow."""
    a, b = float(case.a_q), float(case.b_q)
    kind = spec[0]
    if kind == "rand":
        if flow == "normalized":
            return float(rng.uniform(-np.pi, np.pi)), 1
        if flow == "normalized-weights":
            s = int(rng.choice([-1, 1]))
            kappa = float(rng.uniform(a - 0.5, b + 0.5))
            return -s * kappa, s
        return (float(rng.uniform(-1.5, 1.5)), float(rng.uniform(-1.5, 1.5))), 1
    if kind == "wzero":
        bb = float(spec[1])
        if flow == "normalized":
            if bb == 0:
                return None
            return (np.pi / 2 if bb > 0 else -np.pi / 2), 1
        if flow == "normalized-weights":
            return None
        return (0.0, bb), 1
    if kind == "phi":  # an angle, possibly outside (-pi, pi]
        if flow == "normalized":
            return float(spec[1]), 1
        if flow == "standard":
            return (math.cos(spec[1]), math.sin(spec[1])), 1
        return None
    if kind == "wb":
        w, bb = float(spec[1]), float(spec[2])
        if flow == "normalized":
            return float(np.arctan2(bb, w)), 1
        if flow == "normalized-weights":
            if w == 0:
                return None
            return bb / abs(w), (1 if w > 0 else -1)
        return (w, bb), 1
    raise ValueError(spec)


def assemble(flow, case: Case, specs, v, c, rng):
    """State y (list of floats) and signs (list or None) for the given neuron
    specs; None if some spec is not representable in ``flow``."""
    coords = []
    for s in specs:
        t = neuron_coords(s, flow, case, rng)
        if t is None:
            return None
        coords.append(t)
    v = [float(t) for t in v]
    c = float(c)
    if flow == "normalized":
        return [t[0] for t in coords] + v + [c], None
    if flow == "normalized-weights":
        signs = [t[1] for t in coords]
        return [t[0] for t in coords] + v + [c], signs
    return ([t[0][0] for t in coords] + [t[0][1] for t in coords] + v + [c]), None


def special_specs(case: Case, H: int):
    """(label, neuron-0/1 specs) of the special configurations for width H."""
    a, b = case.a_q, case.b_q
    out = [
        ("kink@a active", [kink_spec(a, +1)]),
        ("kink@a dead", [kink_spec(a, -1)]),
        ("kink@b dead", [kink_spec(b, +1)]),
        ("kink@b active", [kink_spec(b, -1)]),
        ("w=0 b>0 (phi=pi/2)", [("wzero", 1.0)]),
        ("w=0 b<0 (phi=-pi/2)", [("wzero", -1.0)]),
        ("w=0 b=0.37", [("wzero", 0.37)]),
        ("w=0 b=0", [("wzero", 0.0)]),
        ("dead right", [kink_spec(b + sympy.Rational(1, 2), +1)]),
        ("dead left", [kink_spec(a - sympy.Rational(1, 2), -1)]),
        ("all active", [kink_spec(a - sympy.Rational(1, 2), +1)]),
        ("phi wrapped +4pi", [("phi", 0.7 + 4 * math.pi)]),
        ("phi wrapped -6pi", [("phi", -2.2 - 6 * math.pi)]),
    ]
    for t in case.bp_q:
        out.append((f"kink@breakpoint {t} +", [kink_spec(t, +1)]))
        out.append((f"kink@breakpoint {t} -", [kink_spec(t, -1)]))
    if H >= 2:
        mid = a + (b - a) * sympy.Rational(3, 7)
        out += [
            ("double kink interior ++", [kink_spec(mid, +1), kink_spec(mid, +1)]),
            ("double kink interior +-", [kink_spec(mid, +1), kink_spec(mid, -1)]),
            ("double kink @a", [kink_spec(a, +1), kink_spec(a, +1)]),
            ("double kink @b", [kink_spec(b, -1), kink_spec(b, +1)]),
            ("double w=0", [("wzero", 1.0), ("wzero", -1.0)]),
        ]
        if case.bp_q:
            t = case.bp_q[0]
            out.append(("double kink @breakpoint", [kink_spec(t, +1), kink_spec(t, -1)]))
    # every neuron dead
    dead = [kink_spec(b + sympy.Rational(1, 2), +1), kink_spec(a, -1),
            kink_spec(b, +1), kink_spec(a - sympy.Rational(1, 3), -1)]
    out.append(("all dead", [dead[j % len(dead)] for j in range(H)]))
    return out


def special_states(case: Case, flow: str, H: int, rng, repeats: int = 1):
    """List of (label, y, signs) for all special configurations representable in
    ``flow`` (other neurons random, |v|, |c| <= 3)."""
    res = []
    for _ in range(repeats):
        for label, specs in special_specs(case, H):
            specs = list(specs)[:H] + [("rand",)] * max(0, H - len(specs))
            v = rng.uniform(-3, 3, H)
            c = rng.uniform(-3, 3)
            if label.startswith("all"):
                v[0], c = 3.0, -3.0
            st = assemble(flow, case, specs, v, c, rng)
            if st is not None:
                res.append((label, *st))
    return res


def random_state(case: Case, flow: str, H: int, rng):
    v = rng.uniform(-3, 3, H)
    c = rng.uniform(-3, 3)
    st = assemble(flow, case, [("rand",)] * H, v, c, rng)
    assert st is not None
    y, signs = st
    if signs is not None and all(s == 1 for s in signs) and rng.random() < 0.5:
        signs = None  # exercise the default
    return y, signs


def smooth_state(case: Case, flow: str, H: int, rng, min_dist=1e-3, min_w=0.1, tries=1000):
    """Random state whose kinks inside [a-1, b+1] are farther than ``min_dist``
    from a, b, the breakpoints and each other and have |w| >= min_w."""
    ref = case.reference
    for _ in range(tries):
        y, signs = random_state(case, flow, H, rng)
        if ref.switch_distance(y, flow, signs) <= min_dist:
            continue
        with mpmath.workdps(ref.dps):
            w, _, _, _, _ = ref._theta(y, flow, signs)
        ks = ref.kinks(y, flow, signs)
        if any(k is not None and ref.a - 1 <= k <= ref.b + 1 and abs(wj) < min_w
               for k, wj in zip(ks, w, strict=True)):
            continue
        return y, signs
    raise RuntimeError("could not draw a smooth state")
