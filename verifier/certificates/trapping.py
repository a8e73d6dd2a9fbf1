"""Search for an infinite-horizon trapping argument after a validated integration.

Given a box ``X_T`` (one ``arb`` ball per state coordinate) that contains the state of
the gradient flow ``y' = -grad L(y)`` at time ``T``, :func:`find_trapping` looks for

1. **frozen neurons**: neurons dead (``w_j x + b_j <= 0`` on all of ``[a, b]``) at every
   point of ``X_T``; their coordinates are constant for all ``t >= T`` (their velocities
   vanish where they are dead, deadness depends only on their own coordinates, and the
   field is locally Lipschitz, so the solution is unique);
2. **a sublevel trap**: a box ``K`` with ``X_T`` in its interior (non-frozen coordinates)
   and ``sup L(X_T) <= level < min L`` over every face of ``K``. ``L`` does not increase
   along solutions, so the solution can never reach a face: it stays in ``K`` for all
   ``t >= T``, and ``K``'s ``v`` and ``c`` extents bound ``|v_j(t)|`` and ``|c(t)|``;
3. **arc length** (:mod:`verifier.certificates.arc_length`), when every live neuron is
   fully active (or dying, with at least one fully active): a Polyak–Łojasiewicz
   inequality on a box ``U`` bounds the arc length of the solution after ``T`` below the
   distance from ``X_T`` to the boundary of ``U``;
4. **dying neurons** (:mod:`verifier.certificates.dying`): kinks tending exponentially
   to an end of ``[a, b]``, the other coordinates kept in ``U`` by the inward field or
   ``L > level`` on their faces;
5. **a saturating neuron** (:mod:`verifier.certificates.saturating`): the only live
   neuron, its kink tending to an end from the long side; a Polyak–Łojasiewicz
   inequality in the coordinates (slope, intercept, kink) bounds the arc length.

The search tries 3, 4 and 5 first according to the terminal configuration, then 2. The
mathematics and the hypotheses are stated in :mod:`verifier.checker.trapping`,
``docs/trapping.md`` and ``docs/infinite-horizon.md``. The sublevel search is heuristic:
floats (a local minimizer ``y*`` of ``L`` near ``X_T``, its Hessian, sampled face
minima) choose the box, a rigorous best-first branch and bound in ball arithmetic (built
on the checker's cell bounds: natural, mean-value and second-order Taylor forms,
monotonicity) tells which faces still fail (they are pushed outward geometrically). For
every kind the final answer is the independent checker's
:func:`verifier.checker.trapping.verify_trapping` on the exact JSON section that is
returned: a found argument is exactly what the checker accepts.
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
from verifier.arith.precision import check_prec, precision
from verifier.checker.trapping import (
    Box,
    RiskField,
    cell_bound,
    exact_fraction,
    face_box,
    neuron_coordinates,
    neuron_dead,
    split_cell,
    v_index,
    verify_trapping,
)
from verifier.field import flows

#: Rounds of "check faces rigorously, push the failing ones outward".
MAX_ROUNDS = 10
#: Cells per face and round in the search's branch and bound.
FACE_CELLS = 20_000
#: Factor by which a failing face is moved away from the centre.
PUSH = 2.0
#: Random samples per face for the float pre-check.
FACE_SAMPLES = 400
#: A neuron whose kink is this close (relative to ``b - a``) to an end is "dying" when
#: only the short piece next to that end is active, "saturating" when the rest is.
DYING_FRACTION = 5e-2
#: ``strategy`` values of :func:`find_trapping`.
STRATEGIES = ("auto", "local", "periodic", "arc-length", "dying", "saturating")


@dataclass
class TrapResult:
    """Outcome of :func:`find_trapping`.

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


# ----------------------------------------------------------------------------------------
# exact decimals


def _pow10(k: int) -> Fraction:
    return Fraction(10) ** k


def decimal_string(q: Fraction) -> str:
    """The exact decimal text of a Fraction whose denominator divides a power of 10."""
    sign = "-" if q < 0 else ""
    q = abs(q)
    d, twos, fives = q.denominator, 0, 0
    while d % 2 == 0:
        d, twos = d // 2, twos + 1
    while d % 5 == 0:
        d, fives = d // 5, fives + 1
    if d != 1:
        raise ValueError(f"{q} is not a finite decimal")
    s = max(twos, fives)
    n = int(q * _pow10(s))
    if s == 0:
        return sign + str(n)
    digits = str(n).rjust(s + 1, "0")
    head, tail = digits[:-s], digits[-s:].rstrip("0")
    return sign + head + ("." + tail if tail else "")


def round_decimal(x: Fraction | float, step_exp: int, up: bool) -> Fraction:
    """``x`` rounded down/up to a multiple of ``10**step_exp`` (an exact decimal)."""
    q = Fraction(x)
    step = _pow10(step_exp)
    k = q / step
    n = math.ceil(k) if up else math.floor(k)
    return n * step


def _exp10(x: float) -> int:
    return math.floor(math.log10(x)) if x > 0 and math.isfinite(x) else 0


def round_significant(x: Fraction, digits: int, up: bool) -> Fraction:
    """``x`` rounded outward (up or down) to ``digits`` significant decimal digits."""
    if x == 0:
        return Fraction(0)
    return round_decimal(x, _exp10(abs(float(x))) - digits + 1, up)


# ----------------------------------------------------------------------------------------
# rigorous face bounds (best-first; the checker runs its own depth-first search)


@dataclass
class _Outcome:
    status: str  # "proven", "witness" (a point at or below the level), "budget"
    bound: float  # when not proven: a float lower bound of the minimum seen so far
    witness: list[float] | None = None
    cells: int = 0


def branch_and_bound(F: RiskField, box: Box, level: arb, max_cells: int, deadline: float,
                     fixed: frozenset[int] = frozenset()) -> _Outcome:
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
            return _Outcome("budget", min(heap[0][0], stuck), None, cells)
        _, _, B = heapq.heappop(heap)
        cells += 1
        cb = cell_bound(F, B, +1, level, fixed)
        if cb.value <= level:
            return _Outcome("witness", float(cb.value.mid()),
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
        return _Outcome("budget", stuck, None, cells)
    return _Outcome("proven", math.nan, None, cells)


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
# the search


class _Fail(Exception):
    pass


def _float_risk(problem: Any, flow: str, signs: Any, Y: np.ndarray) -> np.ndarray:
    return np.asarray(problem.risk(Y, flow=flow, signs=signs), dtype=float)


def _float_minimize(problem, flow, signs, y0, free, bounds=None):
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


def _hessian(problem, flow, signs, y, free) -> np.ndarray | None:
    try:
        Hs = problem.hessian([arb(float(t)) for t in y], flow=flow, signs=signs)
        A = np.array([[float(Hs[i][k].mid()) for k in free] for i in free])
    except Exception:  # guidance only
        return None
    if not np.all(np.isfinite(A)):
        return None
    return (A + A.T) / 2


class _Search:
    def __init__(self, problem, flow, signs, terminal, prec, deadline):
        self.problem, self.flow, self.signs = problem, flow, signs
        self.H = problem.width
        self.dim = flows.dim(flow, self.H)
        self.terminal = terminal
        self.prec = prec
        self.deadline = deadline
        self.names = flows.coordinate_names(flow, self.H)
        self.F = RiskField(problem, flow, signs)
        self.t_lo = [exact_fraction(t.lower()) for t in terminal]
        self.t_hi = [exact_fraction(t.upper()) for t in terminal]
        self.mid = np.array([float(t.mid()) for t in terminal])
        self.rng = np.random.default_rng(12345)

    # -- K as Fractions ---------------------------------------------------------------
    def make_box(self, center, lo_d, hi_d, frozen_idx, periodic):
        """K from float distances below/above ``center`` (rounded outward to decimals)."""
        K: list = []
        for i in range(self.dim):
            if i in frozen_idx:
                K.append((round_significant(self.t_lo[i], 20, up=False),
                          round_significant(self.t_hi[i], 20, up=True)))
                continue
            if self.flow == "normalized" and i < self.H and i in periodic:
                K.append(None)
                continue
            step = _exp10(min(lo_d[i], hi_d[i])) - 3  # grid: 1e-3 of the smaller radius
            lo = min(Fraction(center[i] - lo_d[i]), self.t_lo[i] - Fraction(lo_d[i]) / 1000)
            hi = max(Fraction(center[i] + hi_d[i]), self.t_hi[i] + Fraction(hi_d[i]) / 1000)
            qlo = round_decimal(lo, step, up=False)  # < t_lo exactly: X_T in the interior
            qhi = round_decimal(hi, step, up=True)
            K.append((qlo, qhi))
        return K

    def spec(self, K, frozen, periodic, level: Fraction) -> dict:
        H = self.H
        box = [None if iv is None else [decimal_string(iv[0]), decimal_string(iv[1])]
               for iv in K]
        bv = [decimal_string(max(abs(K[v_index(self.flow, H, j)][0]),
                                 abs(K[v_index(self.flow, H, j)][1]))) for j in range(H)]
        bc = decimal_string(max(abs(K[-1][0]), abs(K[-1][1])))
        return {"kind": "sublevel", "frozen": sorted(frozen), "periodic": sorted(periodic),
                "box": box, "level": decimal_string(level), "bounds": {"v": bv, "c": bc}}

    # -- float pre-check of one face -----------------------------------------------------
    def float_face_min(self, K, i, side) -> float:
        """Sampled and locally polished (L-BFGS-B) minimum of L on a face (floats)."""
        lows, highs = [], []
        for k, iv in enumerate(K):
            if iv is None:
                lows.append(0.0)
                highs.append(2 * math.pi)
            elif k == i:
                lows.append(float(iv[side]))
                highs.append(float(iv[side]))
            else:
                lows.append(float(iv[0]))
                highs.append(float(iv[1]))
        lows, highs = np.array(lows), np.array(highs)
        Y = lows + (highs - lows) * self.rng.random((FACE_SAMPLES, self.dim))
        Y[0] = np.clip(self.center, lows, highs)
        vals = _float_risk(self.problem, self.flow, self.signs, Y)
        order = np.argsort(vals)
        bmin = float(vals[order[0]])
        free = [k for k in range(self.dim) if highs[k] > lows[k]]
        if free:
            for idx in {int(order[0]), 0}:
                try:
                    _, fv = _float_minimize(self.problem, self.flow, self.signs, Y[idx], free,
                                            bounds=[(lows[k], highs[k]) for k in free])
                except Exception:  # guidance only
                    continue
                bmin = min(bmin, fv)
        return bmin

    def rigorous_face(self, K, i, side) -> _Outcome:
        box = face_box(K, i, side)
        return branch_and_bound(self.F, box, self.level_ball, FACE_CELLS, self.deadline,
                                frozenset([i]))

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


def find_trapping(problem: Any, flow: str, signs: Any, terminal: list[arb], prec: int = 53,
                  budget_seconds: float = 20.0, strategy: str = "auto") -> TrapResult:
    """Search a trapping argument for ``t >= T`` (module docstring).

    ``terminal``: balls, one per state coordinate, containing the state at time ``T``.
    ``strategy``: ``"local"`` (a sublevel box around the local minimizer of ``L`` near
    ``X_T``, grown face by face), ``"periodic"`` (normalized flow: every live angle
    unrestricted, a sublevel box in ``(v, c)`` around 0), ``"arc-length"``, ``"dying"``,
    ``"saturating"`` or ``"auto"`` (arc-length, dying or saturating according to the
    terminal configuration, then local, then periodic).
    Returns a :class:`TrapResult`; ``ok`` is True only when
    :func:`verifier.checker.trapping.verify_trapping` accepts the returned ``spec``.
    Never raises on bad input or failure: ``ok=False`` with a one-line ``reason``.
    """
    t0 = time.monotonic()
    deadline = t0 + float(budget_seconds)
    config: list[str] = []
    try:
        flows.check_flow(flow)
        check_prec(prec)
        s = flows.check_signs(signs, problem.width, flow)
        dim = flows.dim(flow, problem.width)
        if not isinstance(terminal, list | tuple) or len(terminal) != dim:
            raise _Fail(f"terminal enclosure must be a list of {dim} balls")
        if not all(isinstance(t, arb) and t.is_finite() for t in terminal):
            raise _Fail("terminal enclosure has a non-finite entry")
        if strategy not in STRATEGIES:
            raise _Fail(f"unknown strategy {strategy!r} ({', '.join(STRATEGIES)})")
        if strategy == "periodic" and flow != "normalized":
            raise _Fail("the periodic strategy needs the normalized flow")
        with precision(prec):
            return _find(problem, flow, s, list(terminal), prec, deadline, t0, config,
                         strategy)
    except _Fail as exc:
        return TrapResult(False, None, str(exc), config, seconds=time.monotonic() - t0)
    except (ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return TrapResult(False, None, msg, config, seconds=time.monotonic() - t0)
    except Exception as exc:  # a search that cannot proceed claims nothing
        msg = f"search error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        return TrapResult(False, None, msg, config, seconds=time.monotonic() - t0)


def _find(problem, flow, s, terminal, prec, deadline, t0, config, strategy) -> TrapResult:
    H = problem.width
    signs_arg = s if flow == "normalized-weights" else None
    S = _Search(problem, flow, signs_arg, terminal, prec, deadline)
    dead = [neuron_dead(problem, flow, s, j, terminal) for j in range(H)]
    config.extend(classify(problem, flow, s, terminal, dead))
    frozen = [j for j in range(H) if dead[j]]
    frozen_idx = {i for j in frozen for i in neuron_coordinates(flow, H, j)}
    free = [i for i in range(S.dim) if i not in frozen_idx]
    S.frozen, S.frozen_idx, S.free = frozen, frozen_idx, free

    # the level: a rigorous upper bound of sup L(X_T), rounded up to a decimal
    tbox = [(t.lower(), t.upper()) for t in terminal]
    U = sup_upper_bound(S.F, tbox, deadline)
    if not U.is_finite():
        raise _Fail("no finite upper bound of L on the terminal box")
    S.Uq = exact_fraction(U)
    S.Lq = exact_fraction(S.F.risk([t.mid() for t in terminal]).mid())
    S.Lpt = float(S.Lq)
    S.set_level(Fraction(1, 10))
    S.s = s

    # the arguments for degenerate configurations (docs/infinite-horizon.md)
    from verifier.certificates.arc_length import search_arc_length
    from verifier.certificates.dying import dying_candidates, search_dying

    reasons = []
    live = [j for j in range(H) if not dead[j]]
    cands = dying_candidates(S)
    dyn = {j for j, _ in cands}
    full = [j for j in live if config[j] == "fully-active"]
    affine = bool(full) and all(j in full or j in dyn for j in live)
    if strategy in ("auto", "arc-length"):
        if affine:
            res = search_arc_length(S, [c for c in cands if c[0] not in full])
            if isinstance(res, dict):
                return TrapResult(True, res, "", config, dict(res["bounds"]),
                                  seconds=time.monotonic() - t0)
            reasons.append(f"arc-length: {res}")
        elif strategy == "arc-length":
            reasons.append("arc-length: some live neuron is neither fully active nor dying")
    if strategy in ("auto", "dying"):
        if cands and not full:
            share = deadline if strategy == "dying" else \
                time.monotonic() + 0.5 * max(deadline - time.monotonic(), 0.0)
            res = search_dying(S, cands, share)
            if isinstance(res, dict):
                return TrapResult(True, res, "", config, dict(res["bounds"]),
                                  seconds=time.monotonic() - t0)
            reasons.append(f"dying: {res}")
        elif strategy == "dying":
            reasons.append("dying: no neuron with a short active piece at an end of [a, b]"
                           if not cands else "dying: a live neuron is fully active")
    if strategy in ("auto", "saturating") and not full:
        from verifier.certificates.saturating import saturating_candidate, search_saturating

        cand = saturating_candidate(S)
        if cand is not None:
            res = search_saturating(S, *cand)
            if isinstance(res, dict):
                return TrapResult(True, res, "", config, dict(res["bounds"]),
                                  seconds=time.monotonic() - t0)
            reasons.append(f"saturating: {res}")
        elif strategy == "saturating":
            reasons.append("saturating: the only live neuron is not saturating")
    if strategy == "auto" and full:
        # the level set of L through X_T contains the curve that moves a fully active
        # neuron's angle with its affine contribution fixed; inside the fully active
        # region it reaches cos phi_j = 0, where v_j is unbounded
        reasons.append("sublevel: not tried (with a fully active neuron the level sets "
                       "of L are unbounded)")
    if strategy in ("arc-length", "dying", "saturating") or (strategy == "auto" and full):
        return TrapResult(False, None, "; ".join(reasons), config,
                          seconds=time.monotonic() - t0)

    # float guidance: a local minimizer near X_T and its Hessian
    try:
        ystar, Lstar = _float_minimize(problem, flow, signs_arg, S.mid, free)
    except Exception:  # guidance only
        ystar, Lstar = S.mid.copy(), S.Lpt
    if not np.all(np.isfinite(ystar)) or np.max(np.abs(ystar - S.mid)) > 1e6:
        ystar, Lstar = S.mid.copy(), S.Lpt
    S.center = ystar
    # rounding noise of one point evaluation: the face gap must dominate it
    noise = float(S.F.risk([t.mid() for t in terminal]).rad()) + 2.0 ** -prec * abs(S.Lpt)
    delta = max(S.lf - Lstar, 1e4 * noise, 1e-300)
    width = np.array([float(t.rad()) * 2 for t in terminal])
    A = _hessian(problem, flow, signs_arg, ystar, free)
    radius = np.zeros(S.dim)
    pd = False
    if A is not None:
        try:
            ev = np.linalg.eigvalsh(A)
            pd = bool(ev[0] > 1e-12 * max(1.0, ev[-1]))
        except np.linalg.LinAlgError:
            pd = False
    if pd:
        Ainv = np.linalg.inv(A)
        for n, i in enumerate(free):
            radius[i] = 2.0 * math.sqrt(max(2 * delta * Ainv[n, n], 0.0))
    else:
        fallback = np.maximum(10 * width, 1e-3 * (1 + np.abs(ystar)))
        radius[free] = fallback[free]
    for i in free:  # cover X_T with a margin
        off = max(abs(float(S.t_lo[i]) - ystar[i]), abs(float(S.t_hi[i]) - ystar[i]))
        radius[i] = max(radius[i], 1.5 * off, 1e-12 * (1 + abs(ystar[i])))

    strategies = []
    if strategy in ("auto", "local"):
        strategies.append(("local box around the nearby minimizer", ystar, radius, set()))
    if flow == "normalized" and strategy in ("auto", "periodic"):
        # a box in (v, c) only, every non-frozen angle unrestricted (L is 2 pi-periodic)
        per = {j for j in range(H) if j not in frozen}
        center = ystar.copy()
        r2 = radius.copy()
        for i in free:
            if i >= H:
                center[i] = 0.0
                ext = max(abs(float(S.t_lo[i])), abs(float(S.t_hi[i])))
                r2[i] = 2.0 * ext + 1.0
        strategies.append(("box in (v, c) with unrestricted angles", center, r2, per))
    rounds = MAX_ROUNDS
    for n, (label, center, rad, periodic) in enumerate(strategies):
        share = (deadline - time.monotonic()) / (len(strategies) - n)
        res = _rounds(S, center, rad, set(periodic), rounds, time.monotonic() + share)
        if isinstance(res, dict):
            return TrapResult(True, res, "", config, dict(res["bounds"]),
                              seconds=time.monotonic() - t0)
        reasons.append(f"sublevel, {label}: {res}")
    return TrapResult(False, None, "; ".join(reasons), config, seconds=time.monotonic() - t0)


def _rounds(S: _Search, center: np.ndarray, radius: np.ndarray, periodic: set[int],
            rounds: int, deadline: float) -> dict | str:
    """Grow one candidate box; the accepted spec, or a one-line reason."""
    flow, H = S.flow, S.H
    S.deadline = min(deadline, S.deadline)
    S.center = center
    lo_d, hi_d = radius.copy(), radius.copy()
    reason = "no candidate box"
    for _ in range(rounds):
        if time.monotonic() > S.deadline:
            return f"time budget exhausted ({reason})"
        K = S.make_box(center, lo_d, hi_d, S.frozen_idx, periodic)
        if flow == "standard":
            for j in range(H):
                wi, bi = K[j], K[H + j]
                if not (wi[0] > 0 or wi[1] < 0 or bi[0] > 0 or bi[1] < 0):
                    return (f"the box would contain (w_{j + 1}, b_{j + 1}) = (0, 0), "
                            "where the standard flow is not regular")
        faces = [(i, side) for i in S.free if K[i] is not None for side in (0, 1)]
        # float pre-check: push faces whose sampled minimum is not above the level
        failing = []
        for i, side in faces:
            fmin = S.float_face_min(K, i, side)
            if not fmin > S.lf:
                failing.append((i, side, f"float minimum {fmin:.6g} <= level {S.lf:.6g}"))
        if not failing:
            for i, side in faces:
                if time.monotonic() > S.deadline:
                    return f"time budget exhausted ({reason})"
                out = S.rigorous_face(K, i, side)
                if out.status != "proven":
                    what = ("L <= level at a point" if out.status == "witness"
                            else "branch and bound budget exhausted")
                    failing.append((i, side, what))
        if not failing:
            spec = S.spec(K, S.frozen, periodic, S.level)
            why = verify_trapping(S.problem, flow, S.signs, S.terminal, spec, S.prec)
            if why is None:
                return spec
            reason = f"checker rejected the candidate: {why}"
            if why.startswith("cannot prove sup L(X_T)"):
                S.set_level(S.slack * 10)  # more room for the checker's own partition
            else:
                lo_d *= PUSH
                hi_d *= PUSH
            continue
        i, side, what = failing[0]
        reason = (f"face {S.names[i]} = {'lo' if side == 0 else 'hi'} not above the level "
                  f"({what})")
        for i, side, _ in failing:
            if side == 0:
                lo_d[i] *= PUSH
            else:
                hi_d[i] *= PUSH
            if flow == "normalized" and i < H and lo_d[i] + hi_d[i] >= 2 * math.pi:
                periodic.add(i)
    return f"gave up after {rounds} rounds ({reason})"
