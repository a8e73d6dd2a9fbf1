"""The state of one trapping search and what every kind of search uses.

:class:`Search` holds the terminal box ``X_T`` with its exact ends, the frozen (dead)
neurons, the descriptive configuration of the others, and the *level*: a rigorous upper
bound of ``sup L(X_T)`` rounded up to a decimal, with room for the checker's own
partition of ``X_T``. Floats guide (a local minimizer of ``L`` near ``X_T``, its Hessian,
sampled minima); rigorous best-first branch and bound on the checker's cell bounds
(:mod:`verifier.proof.trapping.cells`) tells which candidates still fail; the final word
on every candidate section is :func:`verifier.proof.trapping.verify_trapping`
(:meth:`Search.verify`). Nothing here is part of a proof.
"""

from __future__ import annotations

import heapq
import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
from flint import arb

from verifier.arith.balls import BallArithmetic
from verifier.arith.numbers import decimal_text, exact_value, round_significant
from verifier.field import flows
from verifier.proof.trapping import verify_trapping
from verifier.proof.trapping.cells import Box, RiskField, cell_bound, split_cell
from verifier.proof.trapping.neurons import neuron_coordinates, neuron_dead, v_index
from verifier.proof.verdict import Verdict

#: A neuron whose kink is this close (relative to ``b - a``) to an end is "dying" when
#: only the short piece next to that end is active, "saturating" when the rest is.
DYING_FRACTION = 5e-2


@dataclass
class TrapResult:
    """Outcome of :func:`verifier.certificates.trapping.find_trapping`.

    ``ok``: the checker accepted ``spec``. ``spec``: the JSON-able trapping section
    (``kind``, ``frozen``, ``periodic``, ``box``, ``level``, ``bounds``) when ok, else
    None (a failure never carries a claim). ``reason``: one line, why it
    failed (empty when ok). ``configuration``: per neuron ``dead``, ``dying``,
    ``saturating``, ``fully-active``, ``interior`` or ``undecided`` (descriptive; ``dead``
    and ``fully-active`` are rigorous statements about ``X_T``). ``bounds``:
    ``{"v": [...], "c": ...}``, exact decimal strings bounding ``|v_j(t)|``, ``|c(t)|``
    for all ``t >= T`` (when ok).
    """

    ok: bool
    spec: dict | None
    reason: str
    configuration: list[str]
    bounds: dict = field(default_factory=dict)
    seconds: float = 0.0


class Fail(Exception):
    """The search cannot proceed (one line); it claims nothing."""


# ----------------------------------------------------------------------------------------
# rigorous bounds (best-first; the checker runs its own depth-first search)


@dataclass
class Outcome:
    status: str  # "proven", "witness" (a point at or below the level), "budget"
    bound: float  # when not proven: a float lower bound of the minimum seen so far
    witness: list[float] | None = None
    cells: int = 0


def branch_and_bound(F: RiskField, box: Box, level: arb, max_cells: int, deadline: float,
                     fixed: frozenset[int] = frozenset()) -> Outcome:
    """Best-first proof of ``L > level`` on a box (lowest lower bound first).

    Stops as soon as every cell is above the level ("proven"), a point certainly at or
    below the level is met ("witness"), or the cell/time budget is exhausted
    ("budget"). Uses the checker's cell bounds. Must run inside a precision scope.
    """
    tie = itertools.count()
    heap: list = [(-math.inf, next(tie), list(box))]
    cells = 0
    stuck = math.inf
    while heap:
        if cells >= max_cells or time.monotonic() > deadline:
            return Outcome("budget", min(heap[0][0], stuck), None, cells)
        _, _, B = heapq.heappop(heap)
        cells += 1
        cb = cell_bound(F, B, +1, level, fixed)
        if cb.value <= level:
            return Outcome("witness", float(cb.value.mid()),
                           [float(t.mid()) for t in cb.mid], cells)
        if cb.bound > level:
            continue
        fb = float(cb.bound)
        if cb.mono is not None:
            heapq.heappush(heap, (fb, next(tie), cb.mono))
            continue
        kids = split_cell(B, cb.grad, fixed)
        if kids is None:
            stuck = min(stuck, fb)
            continue
        for kid in kids:
            heapq.heappush(heap, (fb, next(tie), kid))
    if math.isfinite(stuck):
        return Outcome("budget", stuck, None, cells)
    return Outcome("proven", math.nan, None, cells)


def sup_upper_bound(F: RiskField, box: Box, deadline: float, max_cells: int = 200) -> arb:
    """A rigorous upper bound of ``sup L`` over the box (an exact ball), refined by
    best-first bisection of the cell with the largest upper bound while it is not
    within ``2**-40`` (relative) of the largest point value seen."""
    tie = itertools.count()
    cb = cell_bound(F, box, -1)
    heap: list = [(-float(cb.bound), next(tie), box, cb)]
    best_pt = float(cb.value.mid())
    cells = 1
    while cells < max_cells and time.monotonic() < deadline:
        _, _, B, top_cb = heap[0]
        top = float(top_cb.bound)
        if top - best_pt <= 2.0**-40 * max(abs(top), 1e-300):
            break
        kids = [top_cb.mono] if top_cb.mono is not None else split_cell(B, top_cb.grad)
        if kids is None:
            break
        heapq.heappop(heap)
        for kid in kids:
            cells += 1
            kb = cell_bound(F, kid, -1)
            best_pt = max(best_pt, float(kb.value.mid()))
            heapq.heappush(heap, (-float(kb.bound), next(tie), kid, kb))
    out = heap[0][3].bound
    for h in heap:
        if h[3].bound > out:
            out = h[3].bound
    return out.upper()


# ----------------------------------------------------------------------------------------
# configuration (descriptive)


def classify(problem: Any, flow: str, signs: tuple[int, ...], terminal: Sequence[arb],
             dead: Sequence[bool]) -> list[str]:
    """Per neuron: ``dead`` (rigorous), ``fully-active`` (certainly active on all of
    ``[a, b]`` at every point of ``X_T``), ``dying`` (kink within
    :data:`DYING_FRACTION` of an end, only the short piece next to it active),
    ``saturating`` (kink within that distance of an end, active on the rest of ``[a, b]``:
    becoming fully active), ``interior`` (kink inside) or ``undecided``."""
    H = problem.width
    ar = BallArithmetic()
    a, e = (ar.const(t) for t in problem.domain)
    out = []
    w, b, _, _ = flows.parameters(ar, flow, list(terminal), H, signs)
    for j in range(H):
        if dead[j]:
            out.append("dead")
            continue
        sa, se = w[j] * a + b[j], w[j] * e + b[j]
        if sa > 0 and se > 0:
            out.append("fully-active")
            continue
        wf, bf = float(w[j].mid()), float(b[j].mid())
        af, ef = float(a.mid()), float(e.mid())
        xs = np.linspace(af, ef, 2001)
        frac = float(np.mean(wf * xs + bf > 0))
        if wf != 0:
            k = -bf / wf
            near = min(abs(k - af), abs(k - ef)) <= DYING_FRACTION * (ef - af)
            if near and frac <= DYING_FRACTION:
                out.append("dying")
                continue
            if near and frac >= 1 - DYING_FRACTION:
                out.append("saturating")
                continue
        if (sa > 0 and se < 0) or (sa < 0 and se > 0):
            out.append("interior")
        else:
            out.append("undecided")
    return out


# ----------------------------------------------------------------------------------------
# float guidance


def float_minimize(problem, flow, signs, y0, free, bounds=None):
    """A local minimizer of ``L`` over the coordinates ``free`` from ``y0`` (L-BFGS-B,
    floats) and its value."""
    from scipy.optimize import minimize

    y0 = np.array(y0, float)

    def fun(z):
        y = y0.copy()
        y[free] = z
        return float(problem.risk(y, flow=flow, signs=signs))

    def jac(z):
        y = y0.copy()
        y[free] = z
        return np.asarray(problem.gradient(y, flow=flow, signs=signs), float)[free]

    res = minimize(fun, y0[free], jac=jac, method="L-BFGS-B", bounds=bounds,
                   options={"maxiter": 500, "ftol": 1e-15, "gtol": 1e-13})
    y = y0.copy()
    y[free] = res.x
    return y, float(res.fun)


def hessian_radius(problem, flow, signs, y, coords, delta: float, dim: int) -> np.ndarray | None:
    """Per coordinate of ``coords``, ``2 sqrt(2 delta (A^-1)_ii)`` with ``A`` the float
    Hessian of ``L`` at ``y`` over ``coords`` (the half-widths of the ellipsoid
    ``{L <= L(y) + delta}`` of the quadratic model); None when ``A`` is not clearly
    positive definite."""
    try:
        Hs = problem.hessian([arb(float(t)) for t in y], flow=flow, signs=signs)
        A = np.array([[float(Hs[i][k].mid()) for k in coords] for i in coords])
    except Exception:  # guidance only
        return None
    if not np.all(np.isfinite(A)):
        return None
    A = (A + A.T) / 2
    try:
        ev = np.linalg.eigvalsh(A)
    except np.linalg.LinAlgError:
        return None
    if not bool(ev[0] > 1e-12 * max(1.0, ev[-1])):
        return None
    Ainv = np.linalg.inv(A)
    radius = np.zeros(dim)
    for n, i in enumerate(coords):
        radius[i] = 2.0 * math.sqrt(max(2 * delta * Ainv[n, n], 0.0))
    return radius


# ----------------------------------------------------------------------------------------
# the state


class Search:
    """One search from a terminal box (module docstring). Must be created and used inside
    a precision scope."""

    def __init__(self, problem: Any, flow: str, s: tuple[int, ...], terminal: list[arb],
                 prec: int, deadline: float) -> None:
        self.problem, self.flow, self.s = problem, flow, s
        #: The signs as the float evaluations and the checker take them.
        self.signs = s if flow == "normalized-weights" else None
        self.H = problem.width
        self.dim = flows.dim(flow, self.H)
        self.terminal = terminal
        self.prec = prec
        self.deadline = deadline
        self.names = flows.coordinate_names(flow, self.H)
        self.F = RiskField(problem, flow, self.signs)
        self.t_lo = [exact_value(t.lower()) for t in terminal]
        self.t_hi = [exact_value(t.upper()) for t in terminal]
        self.mid = np.array([float(t.mid()) for t in terminal])
        self.rng = np.random.default_rng(12345)
        dead = [neuron_dead(problem, flow, s, j, terminal) for j in range(self.H)]
        self.configuration = classify(problem, flow, s, terminal, dead)
        self.frozen = [j for j in range(self.H) if dead[j]]
        self.frozen_idx = {i for j in self.frozen for i in neuron_coordinates(flow, self.H, j)}
        self.free = [i for i in range(self.dim) if i not in self.frozen_idx]
        self.live = [j for j in range(self.H) if not dead[j]]
        self.full = [j for j in self.live if self.configuration[j] == "fully-active"]
        #: Candidate dying neurons ``(j, end)`` (:func:`.dying.dying_candidates`).
        self.dying: list[tuple[int, str]] = []

    def start(self) -> None:
        """The first level: a rigorous upper bound of ``sup L(X_T)``, rounded up to a
        decimal (raises :class:`Fail` when the risk is not bounded there)."""
        U = sup_upper_bound(self.F, [(t.lower(), t.upper()) for t in self.terminal],
                            self.deadline)
        if not U.is_finite():
            raise Fail("no finite upper bound of L on the terminal box")
        self.Uq = exact_value(U)
        self.Lq = exact_value(self.F.risk([t.mid() for t in self.terminal]).mid())
        self.Lpt = float(self.Lq)
        self.set_level(Fraction(1, 10))

    def set_level(self, slack: Fraction) -> None:
        """``level = sup bound + slack * (sup bound - value at the midpoint)``, rounded up
        to a decimal (room for the checker's own partition of ``X_T``)."""
        self.slack = slack
        # exact: at high precision the float value at the midpoint is too coarse
        gap = max(self.Uq - self.Lq, abs(self.Uq) * Fraction(1, 2 ** self.prec),
                  Fraction(1, 10**300))
        digits = max(17, math.ceil(self.prec * math.log10(2)) + 3)
        self.level = round_significant(self.Uq + gap * slack, digits, up=True)
        self.level_ball = arb(self.level.numerator) / arb(self.level.denominator)
        self.lf = float(self.level)

    def minimizer(self, coords: Sequence[int], limit: float) -> tuple[np.ndarray, float]:
        """A local minimizer of ``L`` over ``coords`` from the midpoint of ``X_T`` (the
        midpoint itself when the minimization fails or moves more than ``limit``)."""
        try:
            ystar, Lstar = float_minimize(self.problem, self.flow, self.signs, self.mid,
                                          coords)
        except Exception:  # guidance only
            return self.mid.copy(), self.Lpt
        if not np.all(np.isfinite(ystar)) or np.max(np.abs(ystar - self.mid)) > limit:
            return self.mid.copy(), self.Lpt
        return ystar, Lstar

    def hessian_radius(self, y: np.ndarray, coords: Sequence[int], delta: float
                       ) -> np.ndarray | None:
        return hessian_radius(self.problem, self.flow, self.signs, y, coords, delta,
                              self.dim)

    # -- sections -----------------------------------------------------------------------
    def frozen_interval(self, i: int) -> tuple[Fraction, Fraction]:
        """A frozen coordinate's terminal interval, rounded outward to 20 digits."""
        return (round_significant(self.t_lo[i], 20, up=False),
                round_significant(self.t_hi[i], 20, up=True))

    def bounds(self, K: Sequence[tuple[Fraction, Fraction] | None]) -> dict:
        """The section's ``bounds``: ``K``'s ``v`` and ``c`` extents as exact decimals."""
        def extent(iv):
            return decimal_text(max(abs(iv[0]), abs(iv[1])))

        return {"v": [extent(K[v_index(self.flow, self.H, j)]) for j in range(self.H)],
                "c": extent(K[-1])}

    @staticmethod
    def box_text(K: Sequence[tuple[Fraction, Fraction] | None]) -> list:
        return [None if iv is None else [decimal_text(iv[0]), decimal_text(iv[1])]
                for iv in K]

    def verify(self, spec: dict) -> Verdict:
        """The checker's verdict on a candidate section."""
        return verify_trapping(self.problem, self.flow, self.signs, self.terminal, spec,
                               self.prec)

    def retry(self, verdict: Verdict) -> bool:
        """After the checker rejected a candidate: when it could not prove ``sup L(X_T)
        <= level`` (its own partition of ``X_T`` is coarser), raise the level and return
        True."""
        if verdict.reason.startswith("cannot prove sup L(X_T)"):
            self.set_level(self.slack * 10)
            return True
        return False
