"""Bounds of the risk on boxes, and the branch and bound that proves ``L > level`` or
``L <= level`` on a box: shared by every trapping argument and by the level of a region.

``L`` is C^1 with a Lipschitz gradient on every box a trapping or region argument
accepts (docs/trapping.md), and everything here is ball arithmetic. Bounds on a box
``B``:

* the natural ball enclosure of ``L`` over ``B``;
* the mean-value form ``L(m) + sum_i G_i(B) (B_i - m_i)`` with the ball gradient
  ``G(B)`` (it encloses the gradient at every point of ``B``);
* a second-order Taylor form ``L(m) - |R^{-1} g(m)|^2 / 2 - (remainder)`` (see
  :func:`second_order_lower`), with the ball Hessian ``H(B)`` (which encloses the Clarke
  generalized Jacobian of the gradient) and ``R R^T`` an exactly positive semidefinite
  model of it: near a strict minimum this is accurate to third order, so faces of
  small boxes around ill-conditioned minima need few cells;
* monotonicity: where ``G_i(B)`` has a certain sign the minimum (maximum) over ``B``
  lies on one end of coordinate ``i``, and that coordinate is collapsed.

:func:`prove_bound` is a deterministic depth-first branch and bound that bisects the
coordinate with the largest ``|G_i| * width_i`` and stops with a reason when its cell
:class:`Budget` is exhausted, or when it meets a point with ``L`` certainly on the wrong
side of the level. :func:`prove_on_cells` bisects a box until a per-cell test holds (the
constants of the arc-length, dying and saturating arguments).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from flint import arb

from verifier.arith.balls import BallArithmetic
from verifier.arith.jets import Jet, JetArithmetic
from verifier.field import flows
from verifier.field.kernel import evaluate
from verifier.proof.verdict import PROVEN, NotProven, Verdict

#: Boxes: lists of (lo, hi) pairs of exact balls.
Box = list[tuple[arb, arb]]


def to_balls(box: Box) -> list[arb]:
    """One ball per coordinate of a box (the exact end when ``lo == hi``)."""
    return [lo if lo == hi else arb.union(lo, hi) for lo, hi in box]


def midpoint(lo: arb, hi: arb) -> arb:
    """The exact midpoint of ``[lo, hi]`` (``lo`` when the interval is a point)."""
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


def second_order_lower(F: RiskField, B: Box, mid: list[arb], rm: arb, gm: list[arb],
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
    Hb = F.hessian(to_balls(B), W)
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
    balls = to_balls(B)
    r, g = F.risk_grad(balls)
    mono = list(B)
    collapsed = False
    for i, (lo, hi) in enumerate(B):
        if lo != hi and (g[i] > 0 or g[i] < 0):
            low_end = (g[i] > 0) == (sense > 0)
            mono[i] = (lo, lo) if low_end else (hi, hi)
            collapsed = True
    mid = [midpoint(lo, hi) for lo, hi in B]
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
            so = second_order_lower(F, B, mid, rm, gm, fixed)
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
    m = midpoint(lo, hi)
    if not (lo < m < hi):
        return None
    left, right = list(B), list(B)
    left[best] = (lo, m)
    right[best] = (m, hi)
    return [left, right]


class Budget:
    """A number of branch-and-bound cells, shared by the proofs of one argument."""

    def __init__(self, cells: int) -> None:
        self.left = cells
        self.used = 0

    def take(self) -> bool:
        if self.left <= 0:
            return False
        self.left -= 1
        self.used += 1
        return True


def prove_bound(field: RiskField, box: Box, level: arb, sense: int, budget: Budget,
                fixed: frozenset[int] = frozenset()) -> Verdict:
    """Prove ``L > level`` (``sense = +1``) or ``L <= level`` (``sense = -1``) on ``box``
    (deterministic depth-first branch and bound, module docstring)."""
    stack: list[Box] = [list(box)]
    while stack:
        B = stack.pop()
        if not budget.take():
            return NotProven("cell budget exhausted before a proof")
        cb = cell_bound(field, B, sense, level, fixed)
        v = cb.value
        if (v <= level) if sense > 0 else (v > level):
            where = ", ".join(f"{float(t.mid()):.6g}" for t in cb.mid)
            rel = "<=" if sense > 0 else ">"
            return NotProven(f"L {rel} level at the point ({where})")
        if (cb.bound > level) if sense > 0 else (cb.bound <= level):
            continue
        if cb.mono is not None:
            stack.append(cb.mono)
            continue
        kids = split_cell(B, cb.grad, fixed)
        if kids is None:
            return NotProven("cannot decide on a cell that cannot be bisected (increase the "
                             "precision)")
        stack.append(kids[1])
        stack.append(kids[0])
    return PROVEN


def prove_on_cells(base: Sequence[arb], cell: dict[int, tuple[arb, arb]],
                   holds: Callable[[list[arb]], bool], max_cells: int, what: str) -> Verdict:
    """Prove that ``holds(y)`` on every cell of a bisection of a box: ``y`` is ``base``
    with each coordinate ``i`` of ``cell`` replaced by its interval (exact ends), and a
    cell where ``holds`` fails is bisected at the exact midpoint of its widest such
    coordinate (depth first, at most ``max_cells`` cells). ``what`` names the statement in
    the reason."""
    stack = [dict(cell)]
    cells = 0
    while stack:
        c = stack.pop()
        cells += 1
        if cells > max_cells:
            return NotProven(f"cell budget exhausted before a proof of {what}")
        y = list(base)
        for i, (lo, hi) in c.items():
            y[i] = lo if lo == hi else arb.union(lo, hi)
        if holds(y):
            continue
        i = max((k for k in c if c[k][0] != c[k][1]),
                key=lambda k: float((c[k][1] - c[k][0]).upper()), default=None)
        m = None if i is None else midpoint(*c[i])
        if i is None or not (c[i][0] < m < c[i][1]):
            return NotProven(f"cannot prove {what} on a cell that cannot be bisected")
        left, right = dict(c), dict(c)
        left[i], right[i] = (c[i][0], m), (m, c[i][1])
        stack += [right, left]
    return PROVEN
