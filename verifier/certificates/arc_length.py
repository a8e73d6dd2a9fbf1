"""Search for the *arc-length* (Polyak–Łojasiewicz) trapping argument.

For a terminal box ``X_T`` on which every live neuron is fully active (kink outside or on
the ends of ``[a, b]``) or dying, the risk factors through the affine fit ``z = (slope,
intercept)`` of the fully active part, up to the dying neurons' contribution, and
``|J^T grad l(z)|^2 >= mu (l(z) - l*)`` on a neighbourhood ``U``; the arc length of the
solution after ``T`` is then bounded (``docs/infinite-horizon.md``,
:mod:`verifier.checker.arc_length`). The search chooses ``U = X_T +/- g`` (one margin
``g`` for every coordinate of the fully active neurons and ``c``, at most the margin that
keeps the neurons fully active; the dying neurons' coordinates as in
:mod:`verifier.certificates.dying`), proposes ``mu``, ``Lambda``, ``k``, ``C_v``, ``C_e``
from rigorous cell bounds, rounds every number to an exact decimal in the safe direction,
and returns the section only when :func:`verifier.checker.trapping.verify_trapping`
accepts it.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from flint import arb

from verifier.certificates.trapping import (
    decimal_string,
    round_decimal,
    round_significant,
)
from verifier.checker.arc_length import (
    affine_fit_data,
    affine_risk_sup,
    fully_active,
    perturbation_bounds,
    pl_estimate,
    pl_lower,
)
from verifier.checker.dying import Dying, PointFunctions, active_length, rate_estimate
from verifier.checker.trapping import (
    _to_balls,
    ball_of,
    exact_fraction,
    v_index,
    verify_trapping,
)

#: Margins tried, as multiples of the arc length bound at ``X_T`` (capped by the
#: fully-active margin).
MARGINS = (4.0, 1.6, 30.0)


def _exact(x: arb) -> Fraction:
    m, e = x.man_exp()
    return Fraction(int(m)) * Fraction(2) ** int(e)


def _box(S: Any, g: Fraction, fixed: dict | None = None) -> list[tuple[Fraction, Fraction]]:
    """``X_T +/- g`` in the moving coordinates (outward decimals), frozen coordinates
    at their terminal interval (outward decimals), ``fixed`` coordinates as given."""
    K = []
    step = math.floor(math.log10(float(g))) - 3 if g > 0 else -20
    for i in range(S.dim):
        if fixed and i in fixed:
            K.append(fixed[i])
        elif i in S.frozen_idx:
            K.append((round_significant(S.t_lo[i], 20, up=False),
                      round_significant(S.t_hi[i], 20, up=True)))
        else:
            K.append((round_decimal(S.t_lo[i] - g, step, up=False),
                      round_decimal(S.t_hi[i] + g, step, up=True)))
    return K


def _fully_active_margin(S: Any, active: list[int]) -> Fraction:
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


def _dying_setup(S: Any, cands: list[tuple[int, str]]):
    """The dying neurons' theta intervals and their active lengths on ``X_T``."""
    from verifier.certificates.dying import _theta_interval

    dying = [Dying(j, end, Fraction(0), Fraction(0), Fraction(0), Fraction(0))
             for j, end in cands]
    theta = {}
    for d in dying:
        theta[d.neuron] = _theta_interval(S, d.neuron, d.end)
        eps_b = active_length(S.problem, S.flow, S.s, d, S.terminal[d.neuron]).upper()
        d.eps = round_significant(max(Fraction(0), _exact(eps_b)), 6, up=True)
    return dying, theta


def _v_interval(S: Any, i: int, margin: Fraction) -> tuple[Fraction, Fraction]:
    width = S.t_hi[i] - S.t_lo[i]
    m = max(margin, width, Fraction(1, 10**12) * (1 + abs(S.t_hi[i])))
    step = math.floor(math.log10(float(m))) - 2
    return (round_decimal(S.t_lo[i] - m, step, up=False),
            round_decimal(S.t_hi[i] + m, step, up=True))


def search_arc_length(S: Any, cands: list[tuple[int, str]] | None = None) -> dict | str:
    """An accepted ``arc-length`` section for the search state ``S`` (a
    :class:`verifier.certificates.trapping._Search` with ``frozen``, ``level`` set), or
    a one-line reason. ``cands``: the live neurons that are dying (``(j, end)``); every
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
    lstar = round_significant(exact_fraction(fit[6].lower()), 20, up=False)
    dying, theta = _dying_setup(S, cands)
    if dying:
        top = affine_risk_sup(S.problem, flow, S.s, active, S.terminal, fit[:6])
        top_q = max(_exact(top), lstar)
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
                fixed[vi] = _v_interval(S, vi, vmargin[d.neuron])
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
        why = verify_trapping(S.problem, flow, S.signs, S.terminal, spec, S.prec)
        if why is None:
            return spec
        reason = f"checker rejected the candidate: {why}"
        if why.startswith("cannot prove sup L(X_T)") and not dying:
            S.set_level(S.slack * 10)  # room for the checker's own partition of X_T
            level = S.level
    return reason


def _drift_fits(S: Any, K, d: Dying) -> bool:
    vi = v_index(S.flow, S.H, d.neuron)
    return K[vi][0] < S.t_lo[vi] - d.drift and S.t_hi[vi] + d.drift < K[vi][1]


def _candidate(S: Any, K, active, dying, M, lstar, level, fp) -> dict | str:
    """The section for the box ``K`` (constants proposed from rigorous cell bounds), or a
    reason."""
    H, flow = S.H, S.flow
    if not all(fully_active(S.problem, flow, S.s, j, K) for j in active):
        return "the box leaves the fully active region"
    lam, trace = pl_estimate(S.problem, flow, S.s, active, K, M)
    if not lam > 0:
        return "the PL constant is not positive on the box"
    mu = round_significant(_exact(lam) * 4 * Fraction(995, 1000), 8, up=False)
    Lam = round_significant(_exact(trace.upper()) * Fraction(1001, 1000), 8, up=True)
    C_e = []
    if dying:
        est = rate_estimate(S.problem, flow, S.s, dying, K)
        pert = perturbation_bounds(S.problem, flow, S.s, active, dying,
                                   _to_balls([(ball_of(lo).lower(), ball_of(hi).upper())
                                              for lo, hi in K]), fp)
        for d, (km, cm), pe in zip(dying, est, pert):
            if not km > 0:
                return (f"neuron {d.neuron + 1}: cannot prove that the flow pushes its kink "
                        f"towards {d.end} (rate lower bound {km:.3g} on the box)")
            d.k = round_significant(Fraction(0.98 * km), 6, up=False)
            d.C_v = round_significant(Fraction(1.02 * cm + 1e-300), 6, up=True)
            drift = d.C_v * d.eps * d.eps / (2 * d.k)
            d.drift = round_significant(drift, 6, up=True) if drift > 0 else Fraction(0)
            pe_q = _exact(pe) if pe is not None else Fraction(0)
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
        "kind": "arc-length",
        "frozen": sorted(S.frozen),
        "active": active,
        "dying": [{"neuron": d.neuron, "end": d.end, "eps": decimal_string(d.eps),
                   "k": decimal_string(d.k), "C_v": decimal_string(d.C_v),
                   "drift": decimal_string(d.drift), "C_e": decimal_string(c)}
                  for d, c in zip(dying, C_e)],
        "box": [[decimal_string(lo), decimal_string(hi)] for lo, hi in K],
        "lstar": decimal_string(lstar),
        "mu": decimal_string(mu),
        "Lambda": decimal_string(Lam),
        "level": decimal_string(level),
        "length": decimal_string(length),
        "bounds": {"v": [decimal_string(max(abs(K[v_index(flow, H, j)][0]),
                                             abs(K[v_index(flow, H, j)][1])))
                         for j in range(H)],
                   "c": decimal_string(max(abs(K[-1][0]), abs(K[-1][1])))},
    }


__all__ = ["search_arc_length"]
