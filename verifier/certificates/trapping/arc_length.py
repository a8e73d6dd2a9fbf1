"""Search for the *arc-length* (Polyak–Łojasiewicz) trapping argument.

For a terminal box ``X_T`` on which every live neuron is fully active (kink outside or on
the ends of ``[a, b]``) or dying, the risk factors through the affine fit ``z = (slope,
intercept)`` of the fully active part, up to the dying neurons' contribution, and
``|J^T grad l(z)|^2 >= mu (l(z) - l*)`` on a neighbourhood ``U``; the arc length of the
solution after ``T`` is then bounded (``docs/infinite-horizon.md``,
:mod:`verifier.proof.trapping.arc_length`). The search chooses ``U = X_T +/- g`` (one margin
``g`` for every coordinate of the fully active neurons and ``c``, at most the margin that
keeps the neurons fully active; the dying neurons' coordinates as in
:mod:`verifier.certificates.trapping.dying`), proposes ``mu``, ``Lambda``, ``k``, ``C_v``, ``C_e``
from rigorous cell bounds, rounds every number to an exact decimal in the safe direction,
and returns the section only when :func:`verifier.proof.trapping.verify_trapping`
accepts it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from flint import arb

from verifier.arith.numbers import (
    ball,
    decimal_text,
    exact_value,
    round_decimal,
    round_significant,
)
from verifier.certificates.trapping.dying import (
    entry,
    propose_eps,
    propose_rates,
    rate_estimate,
    theta_interval,
    v_interval,
)
from verifier.certificates.trapping.search import Search
from verifier.field.pointwise import PointFunctions
from verifier.proof.trapping.arc_length import (
    affine_fit_data,
    affine_risk_sup,
    perturbation_bounds,
    pl_bounds,
    pl_lower,
)
from verifier.proof.trapping.cells import to_balls
from verifier.proof.trapping.dying import Dying
from verifier.proof.trapping.neurons import fully_active, neuron_coordinates, v_index

KIND = "arc-length"
STRATEGIES = ("auto", "arc-length")

#: Margins tried, as multiples of the arc length bound at ``X_T`` (capped by the
#: fully-active margin).
MARGINS = (4.0, 1.6, 30.0)


def _box(S: Search, g: Fraction, fixed: dict | None = None) -> list[tuple[Fraction, Fraction]]:
    """``X_T +/- g`` in the moving coordinates (outward decimals), frozen coordinates
    at their terminal interval (outward decimals), ``fixed`` coordinates as given."""
    K = []
    step = math.floor(math.log10(float(g))) - 3 if g > 0 else -20
    for i in range(S.dim):
        if fixed and i in fixed:
            K.append(fixed[i])
        elif i in S.frozen_idx:
            K.append(S.frozen_interval(i))
        else:
            K.append((round_decimal(S.t_lo[i] - g, step, up=False),
                      round_decimal(S.t_hi[i] + g, step, up=True)))
    return K


def _fully_active_margin(S: Search, active: list[int]) -> Fraction:
    """The largest margin ``g`` (by bisection, to 1%) with ``X_T +/- g`` fully active."""
    def ok(g: Fraction) -> bool:
        K = _box(S, g) if g > 0 else [(S.t_lo[i], S.t_hi[i]) for i in range(S.dim)]
        return all(fully_active(S.problem, S.flow, S.s, j, K) for j in active)

    if not ok(Fraction(0)):
        return Fraction(0)
    lo, hi = Fraction(0), Fraction(1, 1000)
    while ok(hi) and hi < 100:
        lo, hi = hi, hi * 4
    if ok(hi):
        return hi
    for _ in range(12):
        mid = (lo + hi) / 2
        if ok(mid):
            lo = mid
        else:
            hi = mid
        if hi - lo <= lo / 100:
            break
    return lo


def _dying_setup(S: Search, cands: list[tuple[int, str]]):
    """The dying neurons' theta intervals and their active lengths on ``X_T``."""
    dying = [Dying(j, end, Fraction(0), Fraction(0), Fraction(0), Fraction(0))
             for j, end in cands]
    theta = {}
    for d in dying:
        theta[d.neuron] = theta_interval(S, d.neuron, d.end)
        propose_eps(S, d)
    return dying, theta


def search(S: Search, cands: list[tuple[int, str]] | None = None) -> dict | str:
    """An accepted ``arc-length`` section for the search state ``S``, or a one-line
    reason. ``cands``: the live neurons that are dying (``(j, end)``); every
    other live neuron must be fully active on ``X_T``."""
    H, flow = S.H, S.flow
    cands = list(cands or [])
    dyn = {j for j, _ in cands}
    active = [j for j in range(H) if j not in S.frozen and j not in dyn]
    if not active:
        return "no fully active neuron"
    tK = [(S.t_lo[i], S.t_hi[i]) for i in range(S.dim)]
    for j in active:
        if not fully_active(S.problem, flow, S.s, j, tK):
            return f"neuron {j + 1} is neither fully active on X_T nor dying"
    fit = affine_fit_data(S.problem)
    M = fit[:3]
    lstar = round_significant(exact_value(fit[6].lower()), 20, up=False)
    dying, theta = _dying_setup(S, cands)
    if dying:
        top = affine_risk_sup(S.problem, flow, S.s, active, S.terminal, fit[:6])
        top_q = max(exact_value(top), lstar)
        room = abs(top_q) * Fraction(1, 2 ** (S.prec - 8))  # above the checker's rounding
        digits = max(17, math.ceil(S.prec * math.log10(2)) + 3)
        level = round_significant(top_q + room, digits, up=True)
    else:
        level = S.level
    if level < lstar:
        return "level below l* (inconsistent bounds)"
    lam0 = float(pl_lower(flow, S.s, H, active, S.terminal, M))
    if not lam0 > 0:
        return "J J^T M is not certainly nonsingular on X_T"
    ell0 = 2 * math.sqrt(float(level - lstar) / (4 * lam0))
    gmax = _fully_active_margin(S, active)
    if not float(gmax) > 1.01 * ell0:
        return (f"the arc length bound {ell0:.3g} exceeds the distance {float(gmax):.3g} "
                "from X_T to where a neuron stops being fully active")
    floor = max(ell0, 1e-300)
    fp = PointFunctions(S.problem)
    vmargin = {d.neuron: Fraction(0) for d in dying}
    tried = []
    reason = "no margin tried"
    for mult in MARGINS:
        g = max(min(0.95 * float(gmax), mult * floor), 1.05 * floor)
        if any(abs(g - t) <= 1e-3 * t for t in tried):
            continue
        tried.append(g)
        for _ in range(3):  # grow the dying neurons' v intervals until the drift fits
            fixed = dict(theta)
            for d in dying:
                vi = v_index(flow, H, d.neuron)
                fixed[vi] = v_interval(S, vi, vmargin[d.neuron])
            K = _box(S, Fraction(g), fixed)
            spec = _candidate(S, K, active, dying, M, lstar, level, fp)
            if isinstance(spec, str):
                reason = spec
                break
            grow = [d for d in dying if not _drift_fits(S, K, d)]
            if not grow:
                break
            for d in grow:
                vmargin[d.neuron] = 2 * d.drift + Fraction(1, 10**12)
        if isinstance(spec, str):
            continue
        verdict = S.verify(spec)
        if verdict.ok:
            return spec
        reason = f"checker rejected the candidate: {verdict.reason}"
        if not dying and S.retry(verdict):  # room for the checker's own partition of X_T
            level = S.level
    return reason


def _drift_fits(S: Search, K, d: Dying) -> bool:
    vi = v_index(S.flow, S.H, d.neuron)
    return K[vi][0] < S.t_lo[vi] - d.drift and S.t_hi[vi] + d.drift < K[vi][1]


def _candidate(S: Search, K, active, dying, M, lstar, level, fp) -> dict | str:
    """The section for the box ``K`` (constants proposed from rigorous cell bounds), or a
    reason."""
    flow = S.flow
    if not all(fully_active(S.problem, flow, S.s, j, K) for j in active):
        return "the box leaves the fully active region"
    lam, trace = pl_estimate(S.problem, flow, S.s, active, K, M)
    if not lam > 0:
        return "the PL constant is not positive on the box"
    mu = round_significant(exact_value(lam) * 4 * Fraction(995, 1000), 8, up=False)
    Lam = round_significant(exact_value(trace.upper()) * Fraction(1001, 1000), 8, up=True)
    C_e = []
    if dying:
        est = rate_estimate(S.problem, flow, S.s, dying, K)
        pert = perturbation_bounds(S.problem, flow, S.s, active, dying,
                                   to_balls([(ball(lo).lower(), ball(hi).upper())
                                             for lo, hi in K]), fp)
        for d, (km, cm), pe in zip(dying, est, pert):
            why = propose_rates(d, km, cm)
            if why is not None:
                return why
            pe_q = exact_value(pe) if pe is not None else Fraction(0)
            C_e.append(round_significant(pe_q * Fraction(101, 100) + Fraction(1, 10**30), 6,
                                         up=True))
    E = sum((float(c) * float(d.eps) ** 2 / (2 * float(d.k)) for c, d in zip(C_e, dying)),
            0.0)
    ell = E + 2 / math.sqrt(float(mu)) * (math.sqrt(float(level - lstar))
                                          + math.sqrt(float(Lam)) * E)
    length = round_significant(Fraction(ell * 1.0001 + 1e-300), 8, up=True)
    if not dying:
        while length * length * mu < 4 * (level - lstar):
            length = round_significant(length * Fraction(1001, 1000), 8, up=True)
    return {
        "kind": KIND,
        "frozen": sorted(S.frozen),
        "active": active,
        "dying": [{**entry(d), "C_e": decimal_text(c)} for d, c in zip(dying, C_e)],
        "box": S.box_text(K),
        **{key: decimal_text(q) for key, q in (("lstar", lstar), ("mu", mu), ("Lambda", Lam),
                                               ("level", level), ("length", length))},
        "bounds": S.bounds(K),
    }


def pl_estimate(problem: Any, flow: str, signs: Sequence[int], active: Sequence[int],
                box: Sequence[tuple[Fraction, Fraction]], M: tuple[arb, arb, arb],
                splits: int | None = None) -> tuple[arb, arb]:
    """``(smallest lower bound of lambda_min(J J^T M), largest upper bound of
    tr(J J^T M))`` over a uniform grid of ``splits`` parts per moving coordinate
    (rigorous bounds on ``box``; for proposing)."""
    H = problem.width
    idx = [i for j in active for i in neuron_coordinates(flow, H, j)]
    if splits is None:
        splits = 4 if len(idx) <= 4 else 2
    base = [ball(lo) if lo == hi else arb.union(ball(lo).lower(), ball(hi).upper())
            for lo, hi in box]
    parts = {}
    for i in idx:
        lo, hi = ball(box[i][0]).lower(), ball(box[i][1]).upper()
        ends = [lo + (hi - lo) * k / splits for k in range(splits + 1)]
        ends = [lo] + [e.mid() for e in ends[1:-1]] + [hi]
        parts[i] = [arb.union(ends[k], ends[k + 1]) for k in range(splits)]
    best, worst = None, arb(0)
    for combo in itertools.product(*(parts[i] for i in idx)):
        y = list(base)
        for i, t in zip(idx, combo):
            y[i] = t
        lam, trace, _ = pl_bounds(flow, signs, H, active, y, M)
        best = lam if best is None or lam < best else best
        worst = trace if trace > worst else worst
    return (best if best is not None else arb(0)), worst


def attempt(S: Search, strategy: str) -> dict | list[str]:
    """The accepted section, or the reasons why none was found: every live neuron must be
    fully active on ``X_T`` (at least one) or dying."""
    dyn = {j for j, _ in S.dying}
    if S.full and all(j in S.full or j in dyn for j in S.live):
        res = search(S, [c for c in S.dying if c[0] not in S.full])
        return res if isinstance(res, dict) else [f"arc-length: {res}"]
    if strategy == KIND:
        return ["arc-length: some live neuron is neither fully active nor dying"]
    return []
