"""Independent re-verification of an infinite-horizon *trapping argument*.

Setting. The flow is the gradient flow ``y' = -grad L(y)`` of the risk ``L`` in the
coordinates of one of the three flows (docs/design.md, section 1). ``L`` is C^1 with a locally
Lipschitz gradient wherever every neuron has ``(w_j, b_j) != 0`` (always, for the two
normalized flows), so solutions are unique there and ``t -> L(y(t))`` is non-increasing.
A validated integration gives a box ``X_T`` (one ``arb`` ball per coordinate) that
contains the state at time ``T``. A trapping section ``spec`` claims that the solution
stays in an explicit bounded box for all ``t >= T``. Two arguments are checked:

1. **Frozen (dead) neurons** (``spec["frozen"]``). Neuron ``j`` is *dead* at a state if
   its active set ``{x in [a, b] : w_j x + b_j > 0}`` is empty, i.e. (the pre-activation
   being affine in ``x``) ``w_j a + b_j <= 0`` and ``w_j b + b_j <= 0``. This is checked
   for every point of ``X_T``'s ``(w_j, b_j)`` coordinates (``phi_j`` for the normalized
   flow, ``b_j`` for normalized-weights, ``(w_j, b_j)`` for the standard flow) in ball
   arithmetic (exact rational arithmetic where the data are rational). At a dead neuron
   every velocity of neuron ``j`` vanishes (its gradient entries carry the integral of
   ``sigma_j^+`` or of ``1[sigma_j > 0]`` over an empty set) and the other components do
   not depend on it. Deadness depends on neuron ``j``'s own ``(w_j, b_j)`` only, so the
   curve that keeps neuron ``j``'s coordinates constant and lets the others follow the
   reduced flow solves the full system; by uniqueness it *is* the solution. Neuron ``j``
   stays dead and its coordinates stay in their terminal intervals forever.

2. **Sublevel trapping** (``spec["box"]``, ``spec["level"]``). ``K`` is a box; frozen
   coordinates range over their ``K``-interval (which must contain their terminal
   interval) and have no faces; for the normalized flow a neuron listed in
   ``spec["periodic"]`` has ``phi_j`` unrestricted (``L`` is ``2 pi``-periodic in
   ``phi_j``: its faces are absent and the other faces range ``phi_j`` over
   ``[0, 2 pi]``). Verified: ``X_T`` lies in the interior of ``K`` in every other
   coordinate; ``sup L(X_T) <= level``; ``L > level`` on every face of ``K``. Then the
   solution never reaches the boundary of ``K`` (at a first exit time it would sit on a
   face with ``L > level >= L(y(T)) >= L(y(t))``, a contradiction), so it stays in ``K``
   (and exists) for all ``t >= T``. Hence ``|v_j(t)| <= max(|lo|, |hi|)`` of ``K``'s
   ``v_j`` interval and likewise for ``c``; ``spec["bounds"]`` must dominate these.
   For the standard flow every neuron's ``(w_j, b_j)`` rectangle of ``K`` must avoid the
   origin (where the field is not even continuous).

Bounds on a box ``B`` (all in ball arithmetic, valid because ``L`` is C^1 with a
Lipschitz gradient on every box the checker accepts):

* the natural ball enclosure of ``L`` over ``B``;
* the mean-value form ``L(m) + sum_i G_i(B) (B_i - m_i)`` with the ball gradient
  ``G(B)`` (it encloses the gradient at every point of ``B``);
* a second-order Taylor form ``L(m) - |R^{-1} g(m)|^2 / 2 - (remainder)`` (see
  :func:`_second_order_lower`), with the ball Hessian ``H(B)`` (which encloses the Clarke
  generalized Jacobian of the gradient) and ``R R^T`` an exactly positive semidefinite
  model of it: near a strict minimum this is accurate to third order, so faces of
  small boxes around ill-conditioned minima need few cells;
* monotonicity: where ``G_i(B)`` has a certain sign the minimum (maximum) over ``B``
  lies on one end of coordinate ``i``, and that coordinate is collapsed.

A deterministic depth-first branch and bound bisects the coordinate with the largest
``|G_i| * width_i`` and stops with a failure reason when its cell budget is exhausted,
or when it meets a point with ``L`` certainly on the wrong side of the level.

This module is independent of the search (:mod:`verifier.certificates`) and of the
integrator: it uses only the problem's closed-form risk, gradient and (through jets)
Hessian in ball arithmetic.
Spec strings are parsed by a regular expression and :class:`fractions.Fraction`, never
evaluated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp
from flint import arb, fmpq

from verifier.arith.balls import BallArithmetic
from verifier.arith.jets import Jet, JetArithmetic
from verifier.arith.precision import check_prec, precision
from verifier.field import flows
from verifier.field.kernel import evaluate

#: Default total number of branch-and-bound cells (terminal sup + all faces).
DEFAULT_MAX_CELLS = 100_000
#: Exact numbers in a spec: at most this many characters ...
MAX_NUMBER_CHARS = 400
#: ... a decimal exponent of at most this magnitude ...
MAX_DECIMAL_EXPONENT = 1000
#: ... and a magnitude below 10**MAX_MAGNITUDE.
MAX_MAGNITUDE = 100
#: Bisection depth for the deadness check of one neuron.
DEAD_DEPTH = 12

SPEC_KEYS = {"kind", "frozen", "periodic", "box", "level", "bounds"}

_DECIMAL = re.compile(r"([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d{1,7}))?\Z")
_RATIO = re.compile(r"([+-]?\d+)/(\d+)\Z")


class TrapCheckError(ValueError):
    """One-line reason why a trapping section is rejected."""


# ----------------------------------------------------------------------------------------
# exact numbers


def parse_exact(text: Any, what: str) -> Fraction:
    """An exact decimal (``"-1.25e-3"``) or fraction (``"3/7"``) string as a Fraction.

    Anything else (non-strings, ``nan``, ``inf``, exponents beyond
    :data:`MAX_DECIMAL_EXPONENT`, magnitudes ``>= 10**MAX_MAGNITUDE``) raises
    :class:`TrapCheckError`.
    """
    if isinstance(text, bool) or not isinstance(text, str):
        raise TrapCheckError(f"{what}: expected an exact decimal string, got {_show(text)}")
    s = text.strip()
    if not s or len(s) > MAX_NUMBER_CHARS:
        raise TrapCheckError(f"{what}: not an exact decimal string of at most "
                             f"{MAX_NUMBER_CHARS} characters")
    m = _DECIMAL.match(s)
    if m:
        exp = int(m.group(3) or 0)
        if abs(exp) > MAX_DECIMAL_EXPONENT:
            raise TrapCheckError(f"{what}: exponent {exp} out of range")
        value = Fraction(s)
    else:
        m = _RATIO.match(s)
        if not m:
            raise TrapCheckError(f"{what}: {_show(text)} is not an exact decimal or fraction")
        den = int(m.group(2))
        if den == 0:
            raise TrapCheckError(f"{what}: zero denominator")
        value = Fraction(int(m.group(1)), den)
    if abs(value) >= Fraction(10) ** MAX_MAGNITUDE:
        raise TrapCheckError(f"{what}: magnitude {_show(text)} is absurd "
                             f"(must be below 1e{MAX_MAGNITUDE})")
    return value


def _show(x: Any) -> str:
    s = repr(x)
    return s if len(s) <= 40 else s[:37] + "..."


def exact_fraction(x: arb) -> Fraction:
    """The value of an exact (radius 0), finite ball as a Fraction."""
    if not x.is_finite() or x.rad() != 0:
        raise TrapCheckError(f"not an exact finite number: {x}")
    m, e = x.man_exp()
    m, e = int(m), int(e)
    return Fraction(m * 2**e) if e >= 0 else Fraction(m, 2 ** (-e))


def _ball(q: Fraction) -> arb:
    """A ball containing the rational ``q`` (exact when ``q`` is dyadic)."""
    return arb(fmpq(q.numerator, q.denominator))


def _ends(q_lo: Fraction, q_hi: Fraction) -> tuple[arb, arb]:
    """Exact ends ``lo <= q_lo``, ``hi >= q_hi`` (at the working precision)."""
    return _ball(q_lo).lower(), _ball(q_hi).upper()


# ----------------------------------------------------------------------------------------
# boxes: lists of (lo, hi) pairs of exact balls


Box = list[tuple[arb, arb]]


def _to_balls(box: Box) -> list[arb]:
    return [lo if lo == hi else arb.union(lo, hi) for lo, hi in box]


def _midpoint(lo: arb, hi: arb) -> arb:
    if lo == hi:
        return lo
    return ((lo + hi) / 2).mid()


class RiskField:
    """Risk, gradient and Hessian of one problem/flow in ball arithmetic.

    All enclosures hold at every point of the box ``y`` (a list of balls); the Hessian
    encloses the Clarke generalized Jacobian of the (Lipschitz, piecewise C^1)
    gradient, so second-order Taylor forms with it are valid. Methods must run inside
    a precision scope.
    """

    def __init__(self, problem: Any, flow: str, signs: tuple[int, ...]) -> None:
        self.moments = problem.moments
        self.flow = flow
        self.H = problem.width
        self.signs = signs
        self.ar = BallArithmetic()

    def risk(self, y: Sequence[arb]) -> arb:
        w, b, v, c = flows.parameters(self.ar, self.flow, y, self.H, self.signs)
        return evaluate(self.ar, self.moments, w, b, v, c, want_risk=True).risk

    def risk_grad(self, y: Sequence[arb]) -> tuple[arb, list[arb]]:
        w, b, v, c = flows.parameters(self.ar, self.flow, y, self.H, self.signs)
        res = evaluate(self.ar, self.moments, w, b, v, c, want_risk=True)
        return res.risk, flows.gradient(self.flow, w, b, v, res)

    def hessian(self, y: Sequence[arb], idx: Sequence[int]) -> list[list[arb]]:
        """``H[i][n] = d grad_i / d y_{idx[n]}`` over the box (rows: all coordinates)."""
        J = JetArithmetic(self.ar, len(idx))
        pos = {i: n for n, i in enumerate(idx)}
        vals = [J.variable(pos[i], t) if i in pos else t for i, t in enumerate(y)]
        w, b, v, c = flows.parameters(J, self.flow, vals, self.H, self.signs)
        res = evaluate(J, self.moments, w, b, v, c, want_risk=False)
        g = flows.gradient(self.flow, w, b, v, res)
        zero = arb(0)
        return [list(t.der) if isinstance(t, Jet) else [zero] * len(idx) for t in g]


def _second_order_lower(F: RiskField, B: Box, mid: list[arb], rm: arb, gm: list[arb],
                        fixed: frozenset[int]) -> arb | None:
    """Lower bound of ``L`` on ``B`` from the second-order Taylor form at ``mid``.

    ``L(m + d) = L(m) + g(m).d + d^T Mbar d / 2`` with ``Mbar`` in the ball Hessian
    ``H(B)`` (Clarke mean value theorem for the Lipschitz gradient). With ``M = R R^T``
    (``R`` a float Cholesky factor of the midpoint Hessian on the non-fixed coordinates
    ``I``, exact dyadic entries, so ``M`` is positive semidefinite by construction) and
    ``u = R^{-1} g_I(m)``: ``g_I.d_I + d_I^T M d_I / 2 >= -|u|^2 / 2``, and the rest is
    bounded by magnitudes: ``sum_{i,k} |H(B) - M|_{ik} |d_i| |d_k| / 2 + sum_{k
    fixed} |g_k(m)| |d_k|``. None when not applicable (no PD model).
    """
    W = [i for i, (lo, hi) in enumerate(B) if lo != hi]
    I_ = [i for i in W if i not in fixed]
    if not I_:
        return None
    Hb = F.hessian(_to_balls(B), W)
    col = {i: n for n, i in enumerate(W)}
    if not all(Hb[i][col[k]].is_finite() for i in W for k in W):
        return None
    Mc = np.array([[float(Hb[i][col[k]].mid()) for k in I_] for i in I_])
    Mc = (Mc + Mc.T) / 2
    scale = float(np.max(np.abs(np.diag(Mc)))) if Mc.size else 0.0
    try:
        R = np.linalg.cholesky(Mc + (1e-12 * scale + 1e-300) * np.eye(len(I_)))
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(R)):
        return None
    n = len(I_)
    Rb = [[arb(float(R[i, k])) for k in range(n)] for i in range(n)]
    M = [[sum((Rb[i][l] * Rb[k][l] for l in range(min(i, k) + 1)), arb(0)) for k in range(n)]
         for i in range(n)]
    u: list[arb] = []
    for i in range(n):
        acc = gm[I_[i]]
        for l in range(i):
            acc = acc - Rb[i][l] * u[l]
        u.append(acc / Rb[i][i])
    q = sum((t * t for t in u), arb(0))
    h = {}
    for i in W:
        up, down = (B[i][1] - mid[i]).abs_upper(), (mid[i] - B[i][0]).abs_upper()
        h[i] = up if up >= down else down
    pos = {i: n_ for n_, i in enumerate(I_)}
    rem = arb(0)
    for i in W:
        for k in W:
            e = Hb[i][col[k]]
            if i in pos and k in pos:
                e = e - M[pos[i]][pos[k]]
            rem = rem + e.abs_upper() * h[i] * h[k]
    lin = arb(0)
    for k in W:
        if k not in pos:
            lin = lin + gm[k].abs_upper() * h[k]
    return rm - q / 2 - rem / 2 - lin


@dataclass
class CellBound:
    """Bounds of ``L`` on one cell. ``bound``: lower (sense +1) / upper (sense -1) bound
    as an exact ball; ``mono``: the box collapsed by monotonicity, or None; ``mid``,
    ``value``: the midpoint and a ball containing ``L`` there; ``grad``: ball gradient
    over the cell."""

    bound: arb
    mono: Box | None
    mid: list[arb]
    value: arb
    grad: list[arb]


def cell_bound(F: RiskField, B: Box, sense: int, level: arb | None = None,
               fixed: frozenset[int] = frozenset()) -> CellBound:
    """Natural, mean-value and (for lower bounds, when still needed) second-order bounds.

    ``sense=+1``: a lower bound of ``min_B L``; ``-1``: an upper bound of ``max_B L``.
    ``mono`` is the sub-box (one end of every coordinate whose ball gradient has a
    certain sign) that contains the minimizer (maximizer). The second-order form is only
    tried when ``level`` is given and the cheaper bounds do not beat it.
    """
    balls = _to_balls(B)
    r, g = F.risk_grad(balls)
    mono = list(B)
    collapsed = False
    for i, (lo, hi) in enumerate(B):
        if lo != hi and (g[i] > 0 or g[i] < 0):
            low_end = (g[i] > 0) == (sense > 0)
            mono[i] = (lo, lo) if low_end else (hi, hi)
            collapsed = True
    mid = [_midpoint(lo, hi) for lo, hi in B]
    rm, gm = F.risk_grad(mid)
    mv = rm
    for gi, yi, mi in zip(g, balls, mid):
        if yi is not mi:
            mv = mv + gi * (yi - mi)
    if sense > 0:
        bound = r.lower()
        if mv.is_finite() and mv.lower() > bound:
            bound = mv.lower()
        if level is not None and not bound > level and not collapsed:
            so = _second_order_lower(F, B, mid, rm, gm, fixed)
            if so is not None and so.is_finite() and so.lower() > bound:
                bound = so.lower()
    else:
        bound = r.upper()
        if mv.is_finite() and mv.upper() < bound:
            bound = mv.upper()
    return CellBound(bound, mono if collapsed else None, mid, rm, g)


def split_cell(B: Box, g: list[arb], fixed: frozenset[int] = frozenset()) -> list[Box] | None:
    """Bisect the coordinate with the largest ``|G_i| * width_i`` (None: impossible)."""
    best, score = -1, arb(-1)
    for i, (lo, hi) in enumerate(B):
        if lo == hi or i in fixed:
            continue
        sc = g[i].abs_upper() * (hi - lo) if g[i].is_finite() else hi - lo
        if best < 0 or sc.upper() > score.upper():
            best, score = i, sc
    if best < 0:
        return None
    lo, hi = B[best]
    m = _midpoint(lo, hi)
    if not (lo < m < hi):
        return None
    left, right = list(B), list(B)
    left[best] = (lo, m)
    right[best] = (m, hi)
    return [left, right]


class _Budget:
    def __init__(self, cells: int) -> None:
        self.left = cells
        self.used = 0

    def take(self) -> bool:
        if self.left <= 0:
            return False
        self.left -= 1
        self.used += 1
        return True


def _bound(field: RiskField, box: Box, level: arb, sense: int, budget: _Budget,
           fixed: frozenset[int] = frozenset()) -> str | None:
    """Prove ``L > level`` (``sense = +1``) or ``L <= level`` (``sense = -1``) on ``box``.

    Deterministic depth-first branch and bound; returns None when proven, else a reason.
    """
    stack: list[Box] = [list(box)]
    while stack:
        B = stack.pop()
        if not budget.take():
            return "cell budget exhausted before a proof"
        cb = cell_bound(field, B, sense, level, fixed)
        v = cb.value
        if (v <= level) if sense > 0 else (v > level):
            where = ", ".join(f"{float(t.mid()):.6g}" for t in cb.mid)
            rel = "<=" if sense > 0 else ">"
            return f"L {rel} level at the point ({where})"
        if (cb.bound > level) if sense > 0 else (cb.bound <= level):
            continue
        if cb.mono is not None:
            stack.append(cb.mono)
            continue
        kids = split_cell(B, cb.grad, fixed)
        if kids is None:
            return "cannot decide on a cell that cannot be bisected (increase the precision)"
        stack.append(kids[1])
        stack.append(kids[0])
    return None


# ----------------------------------------------------------------------------------------
# deadness


def _domain_ends(problem: Any) -> tuple[Any, Any]:
    """Domain ends as Fractions when rational, else as balls (current precision)."""
    out = []
    for e in problem.domain:
        if isinstance(e, sp.Rational):
            out.append(Fraction(int(e.p), int(e.q)))
        else:
            out.append(BallArithmetic().const(e))
    return out[0], out[1]


def _nonpositive(w: Any, b: Any, x: Any) -> bool:
    """Certainly ``w x + b <= 0`` (exact when all are Fractions)."""
    if all(isinstance(t, Fraction) for t in (w, b, x)):
        return w * x + b <= 0
    conv = [_ball(t) if isinstance(t, Fraction) else t for t in (w, b, x)]
    return (conv[0] * conv[2] + conv[1]).upper() <= 0


def neuron_dead(problem: Any, flow: str, signs: tuple[int, ...], j: int,
                terminal: Sequence[arb]) -> bool:
    """Certainly dead (``w_j x + b_j <= 0`` on ``[a, b]``) at every point of ``terminal``.

    Must run inside a precision scope.
    """
    H = problem.width
    a, e = _domain_ends(problem)
    if flow == "normalized-weights":
        s = Fraction(signs[j])
        bj = terminal[j]
        top = exact_fraction(bj.upper())  # max over the box: affine, increasing in b
        return _nonpositive(s, top, a) and _nonpositive(s, top, e)
    if flow == "standard":
        W, Bb = terminal[j], terminal[H + j]
        ws = (exact_fraction(W.lower()), exact_fraction(W.upper()))
        bs = exact_fraction(Bb.upper())  # increasing in b; affine in w: check both ends
        return all(_nonpositive(w, bs, x) for w in ws for x in (a, e))
    # normalized: subdivide phi, evaluate cos(phi) x + sin(phi) in balls
    lo, hi = terminal[j].lower(), terminal[j].upper()
    if not (hi - lo < 2 * arb.pi()):
        return False
    aa = _ball(a) if isinstance(a, Fraction) else a
    ee = _ball(e) if isinstance(e, Fraction) else e
    stack = [(lo, hi, 0)]
    while stack:
        l, h, d = stack.pop()
        phi = l if l == h else arb.union(l, h)
        cw, sw = phi.cos(), phi.sin()
        if (cw * aa + sw).upper() <= 0 and (cw * ee + sw).upper() <= 0:
            continue
        m = _midpoint(l, h)
        if d >= DEAD_DEPTH or not (l < m < h):
            return False
        stack += [(l, m, d + 1), (m, h, d + 1)]
    return True


def neuron_coordinates(flow: str, H: int, j: int) -> list[int]:
    """State indices of neuron ``j`` (all of them freeze when it is dead)."""
    if flow == "standard":
        return [j, H + j, 2 * H + j]
    return [j, H + j]


def v_index(flow: str, H: int, j: int) -> int:
    return (2 * H if flow == "standard" else H) + j


# ----------------------------------------------------------------------------------------
# the spec


def _int_list(v: Any, H: int, what: str) -> list[int]:
    if not isinstance(v, list):
        raise TrapCheckError(f"{what}: expected a list of neuron indices")
    out = []
    for t in v:
        if isinstance(t, bool) or not isinstance(t, int) or not 0 <= t < H:
            raise TrapCheckError(f"{what}: {_show(t)} is not a neuron index in [0, {H})")
        out.append(t)
    if len(set(out)) != len(out):
        raise TrapCheckError(f"{what}: repeated neuron index")
    return sorted(out)


def parse_spec(spec: Any, flow: str, H: int, dim: int) -> dict:
    """Validate the structure of a trapping section; numbers become Fractions."""
    if not isinstance(spec, dict):
        raise TrapCheckError("trapping section must be an object")
    extra = set(spec) - SPEC_KEYS
    missing = SPEC_KEYS - set(spec)
    if extra:
        raise TrapCheckError(f"trapping section: unknown key(s) {sorted(extra)}")
    if missing:
        raise TrapCheckError(f"trapping section: missing key(s) {sorted(missing)}")
    if spec["kind"] != "sublevel":
        raise TrapCheckError(f"trapping kind must be one of {', '.join(KINDS)}, got "
                             f"{_show(spec['kind'])}")
    frozen = _int_list(spec["frozen"], H, "frozen")
    periodic = _int_list(spec["periodic"], H, "periodic")
    if periodic and flow != "normalized":
        raise TrapCheckError("periodic angles exist only for the normalized flow")
    if set(frozen) & set(periodic):
        raise TrapCheckError("a neuron cannot be both frozen and periodic")
    box = spec["box"]
    if not isinstance(box, list) or len(box) != dim:
        raise TrapCheckError(f"box: expected {dim} intervals")
    parsed: list[tuple[Fraction, Fraction] | None] = []
    for i, iv in enumerate(box):
        if i in periodic:
            if iv is not None:
                raise TrapCheckError(f"box[{i}]: a periodic angle's interval must be null")
            parsed.append(None)
            continue
        if not isinstance(iv, list) or len(iv) != 2:
            raise TrapCheckError(f"box[{i}]: expected [lo, hi]")
        lo = parse_exact(iv[0], f"box[{i}] lo")
        hi = parse_exact(iv[1], f"box[{i}] hi")
        if lo > hi:
            raise TrapCheckError(f"box[{i}]: empty interval")
        parsed.append((lo, hi))
    level = parse_exact(spec["level"], "level")
    bounds = spec["bounds"]
    if not isinstance(bounds, dict) or set(bounds) != {"v", "c"}:
        raise TrapCheckError("bounds: expected an object with exactly the keys v, c")
    if not isinstance(bounds["v"], list) or len(bounds["v"]) != H:
        raise TrapCheckError(f"bounds.v: expected {H} numbers")
    bv = [parse_exact(t, f"bounds.v[{j}]") for j, t in enumerate(bounds["v"])]
    bc = parse_exact(bounds["c"], "bounds.c")
    return {"frozen": frozen, "periodic": periodic, "box": parsed, "level": level,
            "bv": bv, "bc": bc}


def _check_terminal(terminal: Any, dim: int) -> list[arb]:
    if not isinstance(terminal, list | tuple) or len(terminal) != dim:
        raise TrapCheckError(f"terminal enclosure must be a list of {dim} balls")
    out = []
    for i, t in enumerate(terminal):
        if not isinstance(t, arb) or not t.is_finite():
            raise TrapCheckError(f"terminal enclosure entry {i} is not a finite ball")
        out.append(t)
    return out


# ----------------------------------------------------------------------------------------
# the checks


def _extent(iv: tuple[Fraction, Fraction]) -> Fraction:
    return max(abs(iv[0]), abs(iv[1]))


def _faces(K: list[tuple[Fraction, Fraction] | None], free: list[int]
           ) -> list[tuple[int, int]]:
    return [(i, side) for i in free if K[i] is not None for side in (0, 1)]


def face_box(K: list[tuple[Fraction, Fraction] | None], i: int, side: int) -> Box:
    """The face ``y_i = K_i[side]`` of ``K`` (periodic angles over ``[0, 2 pi]``)."""
    box: Box = []
    for k, iv in enumerate(K):
        if iv is None:
            box.append((arb(0), (2 * arb.pi()).upper()))
        elif k == i:
            q = iv[side]
            box.append(_ends(q, q))
        else:
            box.append(_ends(*iv))
    return box


# ----------------------------------------------------------------------------------------
# helpers shared by the other kinds (verifier.checker.arc_length, verifier.checker.dying)


def check_keys(spec: Any, keys: set[str]) -> None:
    """``spec`` is an object with exactly ``keys``."""
    if not isinstance(spec, dict):
        raise TrapCheckError("trapping section must be an object")
    extra = set(spec) - keys
    missing = keys - set(spec)
    if extra:
        raise TrapCheckError(f"trapping section: unknown key(s) {sorted(extra)}")
    if missing:
        raise TrapCheckError(f"trapping section: missing key(s) {sorted(missing)}")


def parse_header(spec: Any, keys: set[str], kind: str, H: int) -> list[int]:
    """The prologue of every trapping argument's section: exactly ``keys``, the
    ``kind``, and the ``frozen`` neurons (returned)."""
    check_keys(spec, keys)
    if spec["kind"] != kind:
        raise TrapCheckError(f"trapping kind must be '{kind}'")
    return parse_index_list(spec["frozen"], H, "frozen")


def parse_index_list(v: Any, H: int, what: str) -> list[int]:
    """Sorted distinct neuron indices in ``[0, H)``."""
    return _int_list(v, H, what)


def parse_box(box: Any, dim: int) -> list[tuple[Fraction, Fraction]]:
    """A box with an exact ``[lo, hi]`` interval for every coordinate."""
    if not isinstance(box, list) or len(box) != dim:
        raise TrapCheckError(f"box: expected {dim} intervals")
    out = []
    for i, iv in enumerate(box):
        if not isinstance(iv, list) or len(iv) != 2:
            raise TrapCheckError(f"box[{i}]: expected [lo, hi]")
        lo = parse_exact(iv[0], f"box[{i}] lo")
        hi = parse_exact(iv[1], f"box[{i}] hi")
        if lo > hi:
            raise TrapCheckError(f"box[{i}]: empty interval")
        out.append((lo, hi))
    return out


def parse_bounds(bounds: Any, H: int) -> tuple[list[Fraction], Fraction]:
    """``{"v": [H numbers], "c": number}`` as Fractions."""
    if not isinstance(bounds, dict) or set(bounds) != {"v", "c"}:
        raise TrapCheckError("bounds: expected an object with exactly the keys v, c")
    if not isinstance(bounds["v"], list) or len(bounds["v"]) != H:
        raise TrapCheckError(f"bounds.v: expected {H} numbers")
    bv = [parse_exact(t, f"bounds.v[{j}]") for j, t in enumerate(bounds["v"])]
    return bv, parse_exact(bounds["c"], "bounds.c")


def terminal_ends(terminal: Sequence[arb]) -> list[tuple[Fraction, Fraction]]:
    """The exact ends of the terminal balls."""
    return [(exact_fraction(t.lower()), exact_fraction(t.upper())) for t in terminal]


def containment(K: Sequence[tuple[Fraction, Fraction] | None], terminal: Sequence[arb],
                frozen_idx: Sequence[int], names: Sequence[str]) -> str | None:
    """``X_T`` inside ``K``: frozen coordinates' intervals contain their terminal
    interval, every other coordinate's terminal interval lies in the open interval."""
    for i, (t_lo, t_hi) in enumerate(terminal_ends(terminal)):
        iv = K[i]
        if iv is None:
            continue
        if i in frozen_idx:
            if not (iv[0] <= t_lo and t_hi <= iv[1]):
                return f"box for frozen {names[i]} does not contain its terminal interval"
        elif not (iv[0] < t_lo and t_hi < iv[1]):
            return f"terminal {names[i]} is not strictly inside the box"
    return None


def bounds_cover(bv: Sequence[Fraction], bc: Fraction,
                 K: Sequence[tuple[Fraction, Fraction]], flow: str, H: int) -> str | None:
    """The claimed bounds dominate ``K``'s ``v`` and ``c`` extents."""
    for j in range(H):
        if bv[j] < _extent(K[v_index(flow, H, j)]):
            return f"bound for |v_{j + 1}| is below the box extent"
    if bc < _extent(K[len(K) - 1]):
        return "bound for |c| is below the box extent"
    return None


def regular_standard(K: Sequence[tuple[Fraction, Fraction]], H: int) -> str | None:
    """Standard flow: no neuron's ``(w_j, b_j)`` rectangle of ``K`` contains ``(0, 0)``."""
    for j in range(H):
        wi, bi = K[j], K[H + j]
        if not (wi[0] > 0 or wi[1] < 0 or bi[0] > 0 or bi[1] < 0):
            return (f"box contains (w_{j + 1}, b_{j + 1}) = (0, 0), where the standard flow "
                    "is not regular")
    return None


def sup_at_most(field: RiskField, terminal: Sequence[arb], level: Fraction,
                budget: _Budget) -> str | None:
    """Prove ``L <= level`` on the terminal box (None when proven)."""
    tbox = [(t.lower(), t.upper()) for t in terminal]
    why = _bound(field, tbox, _ball(level), -1, budget)
    return None if why is None else f"cannot prove sup L(X_T) <= level: {why}"


def ball_of(q: Fraction) -> arb:
    """A ball containing ``q`` (exact when ``q`` is dyadic)."""
    return _ball(q)


def interval_ball(lo: Fraction, hi: Fraction) -> arb:
    """A ball containing ``[lo, hi]``."""
    a, b = _ends(lo, hi)
    return a if a == b else arb.union(a, b)


KINDS = ("sublevel", "arc-length", "dying", "saturating")


def check_trapping(problem: Any, flow: str, signs: Any, terminal: Sequence[arb],
                   spec: Any, prec: int, max_cells: int = DEFAULT_MAX_CELLS,
                   on_face: Callable[[int, int, str | None], None] | None = None
                   ) -> str | None:
    """:func:`verify_trapping` raising :class:`TrapCheckError` on malformed input.

    Dispatches on ``spec["kind"]``: ``sublevel`` (here), ``arc-length``
    (:mod:`verifier.checker.arc_length`), ``dying`` (:mod:`verifier.checker.dying`),
    ``saturating`` (:mod:`verifier.checker.saturating`).
    ``on_face(i, side, reason)`` (sublevel only), when given, is called for every face
    with its outcome, and the face checks continue after a failure (all failing faces
    are reported).
    """
    kind = spec.get("kind") if isinstance(spec, dict) else None
    if kind == "arc-length":
        from verifier.checker.arc_length import check_arc_length

        return check_arc_length(problem, flow, signs, terminal, spec, prec, max_cells)
    if kind == "dying":
        from verifier.checker.dying import check_dying

        return check_dying(problem, flow, signs, terminal, spec, prec, max_cells)
    if kind == "saturating":
        from verifier.checker.saturating import check_saturating

        return check_saturating(problem, flow, signs, terminal, spec, prec, max_cells)
    flows.check_flow(flow)
    check_prec(prec)
    H = problem.width
    dim = flows.dim(flow, H)
    s = flows.check_signs(signs, H, flow)
    terminal = _check_terminal(terminal, dim)
    sp_ = parse_spec(spec, flow, H, dim)
    frozen, K, level = sp_["frozen"], sp_["box"], sp_["level"]
    frozen_idx = sorted(i for j in frozen for i in neuron_coordinates(flow, H, j))
    periodic_idx = list(sp_["periodic"])
    free = [i for i in range(dim) if i not in frozen_idx and i not in periodic_idx]
    names = flows.coordinate_names(flow, H)
    with precision(prec):
        field = RiskField(problem, flow, s)
        # 1. frozen neurons are dead over the terminal box
        for j in frozen:
            if not neuron_dead(problem, flow, s, j, terminal):
                return f"neuron {j + 1} is not certainly dead over the terminal box"
        # 2. containment: X_T inside K (interior in free coordinates)
        for i in range(dim):
            iv = K[i]
            if iv is None:
                continue
            t_lo = exact_fraction(terminal[i].lower())
            t_hi = exact_fraction(terminal[i].upper())
            if i in frozen_idx:
                if not (iv[0] <= t_lo and t_hi <= iv[1]):
                    return f"box for frozen {names[i]} does not contain its terminal interval"
            elif not (iv[0] < t_lo and t_hi < iv[1]):
                return f"terminal {names[i]} is not strictly inside the box"
        if flow == "standard":
            for j in range(H):
                wi, bi = K[j], K[H + j]
                if not (wi[0] > 0 or wi[1] < 0 or bi[0] > 0 or bi[1] < 0):
                    return (f"box contains (w_{j + 1}, b_{j + 1}) = (0, 0), where the "
                            "standard flow is not regular")
        # 3. the claimed bounds dominate K
        for j in range(H):
            if sp_["bv"][j] < _extent(K[v_index(flow, H, j)]):
                return f"bound for |v_{j + 1}| is below the box extent"
        if sp_["bc"] < _extent(K[dim - 1]):
            return "bound for |c| is below the box extent"
        # 4. sup L(X_T) <= level
        lev = _ball(level)
        budget = _Budget(max_cells)
        tbox = [(t.lower(), t.upper()) for t in terminal]
        why = _bound(field, tbox, lev, -1, budget)
        if why is not None:
            return f"cannot prove sup L(X_T) <= level: {why}"
        # 5. L > level on every face
        first: str | None = None
        for i, side in _faces(K, free):
            why = _bound(field, face_box(K, i, side), lev, +1, budget, frozenset([i]))
            msg = None
            if why is not None:
                msg = (f"cannot prove L > level on the face {names[i]} = "
                       f"{'lo' if side == 0 else 'hi'}: {why}")
            if on_face is not None:
                on_face(i, side, msg)
            if msg is not None:
                if on_face is None:
                    return msg
                first = first or msg
        return first


def verify_trapping(problem: Any, flow: str, signs: Any, terminal: list[arb], spec: dict,
                    prec: int, max_cells: int = DEFAULT_MAX_CELLS) -> str | None:
    """Re-verify a trapping section; None when verified, else a one-line reason.

    Proven when None is returned (see the module docstring for the argument): for every
    solution of the flow whose state at time ``T`` lies in ``terminal``, the state stays
    in the box ``spec["box"]`` for all ``t >= T`` (frozen neurons at their terminal
    coordinates, periodic angles unrestricted), so ``|v_j(t)| <= spec["bounds"]["v"][j]``
    and ``|c(t)| <= spec["bounds"]["c"]``. Never raises: malformed input and internal
    failures are reasons. At most :func:`verifier.checker.budget.trapping_cells` cells
    are used, whatever ``max_cells`` asks for (bounded work on large problems).
    """
    from verifier.checker.budget import trapping_cells

    try:
        cap = trapping_cells(len(terminal), problem.width, len(problem.moments.cells), prec)
        return check_trapping(problem, flow, signs, terminal, spec, prec, min(max_cells, cap))
    except (TrapCheckError, ValueError, TypeError, ArithmeticError) as exc:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return text
    except Exception as exc:  # a checker rejects what it cannot process
        return f"checker error: {type(exc).__name__}: {str(exc)[:100]}"


__all__ = ["DEFAULT_MAX_CELLS", "TrapCheckError", "check_trapping", "exact_fraction",
           "face_box", "neuron_dead", "parse_exact", "parse_spec", "verify_trapping"]
