"""Search for the *dying-neuron* trapping argument.

A neuron whose kink sits close to an end ``e`` of ``[a, b]``, active only on the short
piece between the kink and ``e``, and pushed towards ``e`` by the flow, loses its active
length exponentially: ``eps' <= -k eps`` on a box ``U`` (``docs/infinite-horizon.md``,
:mod:`verifier.checker.dying`). The search builds ``U``:

* the dying neuron's angle (bias) from just beyond the value ``theta_e`` where its kink
  sits on ``e`` (there the neuron is dead) to just beyond ``X_T`` on the other side;
* its ``v_j`` with room for the drift ``C_v eps^2 / (2 k)``;
* the rest (``c`` and the other live neurons) as a box around the minimizer of ``L`` in
  those coordinates, grown face by face until every face is either crossed inward by the
  flow or lies above the level ``sup L(X_T)``;

proposes ``k``, ``C_v`` from rigorous cell bounds (the checker's), rounds everything to
exact decimals in the safe direction, and returns the section only when
:func:`verifier.checker.trapping.verify_trapping` accepts it.
"""

from __future__ import annotations

import math
import time
from fractions import Fraction
from typing import Any

import numpy as np
from flint import arb

from verifier.certificates.trapping import (
    _float_minimize,
    _hessian,
    decimal_string,
    round_decimal,
    round_significant,
)
from verifier.checker.dying import (
    Dying,
    _dkappa_sign,
    _kink,
    active_length,
    face_inward_or_above,
    rate_estimate,
)
from verifier.checker.trapping import (
    _Budget,
    _domain_ends,
    face_box,
    neuron_coordinates,
    v_index,
    verify_trapping,
)

#: A neuron is tried as dying when its active length on ``X_T`` is at most this
#: fraction of ``b - a``.
DYING_MAX = 0.25
#: Rounds of "check the rest faces, push the failing ones outward".
ROUNDS = 8
#: Cells per rest face and round.
FACE_CELLS = 5_000
PUSH = 3.0


def _ends(problem: Any) -> tuple[float, float]:
    a, e = _domain_ends(problem)
    return float(a) if isinstance(a, Fraction) else float(a.mid()), \
        float(e) if isinstance(e, Fraction) else float(e.mid())


def dying_candidates(S: Any) -> list[tuple[int, str]]:
    """Live neurons whose sign of ``w_j`` is certain on ``X_T``, whose kink is (or may be)
    in ``[a, b]`` near an end with the short piece active, and whose active length there is
    at most :data:`DYING_MAX` of the domain."""
    if S.flow not in ("normalized", "normalized-weights"):
        return []
    a, e = _ends(S.problem)
    out = []
    for j in range(S.H):
        if j in S.frozen:
            continue
        w, kappa = _kink(S.flow, S.s, j, S.terminal[j])
        if w > 0:
            end = "b"
            if not kappa.lower() > a:
                continue
        elif w < 0:
            end = "a"
            if not kappa.upper() < e:
                continue
        else:
            continue
        d = Dying(j, end, Fraction(0), Fraction(0), Fraction(0), Fraction(0))
        eps = active_length(S.problem, S.flow, S.s, d, S.terminal[j])
        if float(eps.upper()) <= DYING_MAX * (e - a):
            out.append((j, end))
    return out


def _theta_e(S: Any, j: int, end: str) -> float:
    """The angle (bias) nearest to ``X_T`` at which neuron ``j``'s kink sits on ``end``."""
    a, e = _ends(S.problem)
    x = e if end == "b" else a
    t = float(S.terminal[j].mid())
    if S.flow == "normalized-weights":
        return -S.s[j] * x
    sw = 1.0 if end == "b" else -1.0
    base = math.atan2(-sw * x, sw)
    return base + 2 * math.pi * round((t - base) / (2 * math.pi))


def _grid(x: float) -> int:
    return math.floor(math.log10(abs(x))) - 2 if x > 0 else -30


def _theta_interval(S: Any, j: int, end: str) -> tuple[Fraction, Fraction]:
    """From just beyond ``theta_e`` (dead side) to just beyond ``X_T`` (active side)."""
    te = _theta_e(S, j, end)
    lo, hi = S.t_lo[j], S.t_hi[j]
    dist = max(abs(float(lo) - te), abs(float(hi) - te))
    eta = max(1e-3 * dist, 1e-12 * (1 + abs(te)))
    towards_hi = (end == "b") == (_dkappa_sign(S.flow, S.s, j) > 0)
    if towards_hi:  # the kink reaches e as theta increases: dead end above
        top = max(Fraction(te), hi) + Fraction(eta)
        bot = lo - Fraction(eta)
    else:
        bot = min(Fraction(te), lo) - Fraction(eta)
        top = hi + Fraction(eta)
    step = _grid(eta)
    return round_decimal(bot, step, up=False), round_decimal(top, step, up=True)


def search_dying(S: Any, cands: list[tuple[int, str]], deadline: float) -> dict | str:
    """An accepted ``dying`` section for the search state ``S`` and the candidate dying
    neurons ``cands`` (``(j, end)``), or a one-line reason."""
    H, flow, dim = S.H, S.flow, S.dim
    dying = [Dying(j, end, Fraction(0), Fraction(0), Fraction(0), Fraction(0))
             for j, end in cands]
    dying_idx = {i for d in dying for i in neuron_coordinates(flow, H, d.neuron)}
    rest = [i for i in S.free if i not in dying_idx]
    theta = {d.neuron: _theta_interval(S, d.neuron, d.end) for d in dying}
    # eps on X_T (exact, rounded up)
    for d in dying:
        eps_b = active_length(S.problem, flow, S.s, d, S.terminal[d.neuron]).upper()
        d.eps = round_significant(max(Fraction(0), _exact(eps_b)), 6, up=True)
    # the rest: a box around the minimizer of L in the rest coordinates
    mid = S.mid.copy()
    try:
        ystar, Lstar = _float_minimize(S.problem, flow, S.signs, mid, rest)
    except Exception:  # guidance only
        ystar, Lstar = mid.copy(), S.Lpt
    if not np.all(np.isfinite(ystar)) or np.max(np.abs(ystar - mid)) > 1e3:
        ystar, Lstar = mid.copy(), S.Lpt
    noise = 2.0 ** -S.prec * max(abs(S.Lpt), 1e-300)
    delta = max(S.lf - Lstar, 1e4 * noise, 1e-300)
    A = _hessian(S.problem, flow, S.signs, ystar, rest)
    radius = np.zeros(dim)
    try:
        ev = np.linalg.eigvalsh(A) if A is not None else None
        pd = ev is not None and bool(ev[0] > 1e-12 * max(1.0, ev[-1]))
    except np.linalg.LinAlgError:
        pd = False
    if pd:
        Ainv = np.linalg.inv(A)
        for n, i in enumerate(rest):
            radius[i] = 2.0 * math.sqrt(max(2 * delta * Ainv[n, n], 0.0))
    for i in rest:
        off = max(abs(float(S.t_lo[i]) - ystar[i]), abs(float(S.t_hi[i]) - ystar[i]))
        radius[i] = max(radius[i], 1.5 * off, 1e-12 * (1 + abs(ystar[i])),
                        4 * float(S.t_hi[i] - S.t_lo[i]))
    lo_d, hi_d = radius.copy(), radius.copy()
    vmargin = {d.neuron: Fraction(0) for d in dying}
    reason = "no candidate box"
    for _ in range(ROUNDS):
        if time.monotonic() > deadline:
            return f"time budget exhausted ({reason})"
        K = _build_box(S, theta, vmargin, ystar, lo_d, hi_d, rest, dying)
        # rates over U
        est = rate_estimate(S.problem, flow, S.s, dying, K)
        if any(not km > 0 for km, _ in est):
            est = rate_estimate(S.problem, flow, S.s, dying, K, splits=64)
        grow_v = False
        for d, (km, cm) in zip(dying, est):
            if not km > 0:
                return (f"neuron {d.neuron + 1}: cannot prove that the flow pushes its kink "
                        f"towards {d.end} (rate lower bound {km:.3g} on the box)")
            d.k = round_significant(Fraction(0.98 * km), 6, up=False)
            d.C_v = round_significant(Fraction(1.02 * cm + 1e-300), 6, up=True)
            drift = d.C_v * d.eps * d.eps / (2 * d.k)
            d.drift = round_significant(drift, 6, up=True) if drift > 0 else Fraction(0)
            vi = v_index(flow, H, d.neuron)
            if not (K[vi][0] < S.t_lo[vi] - d.drift and S.t_hi[vi] + d.drift < K[vi][1]):
                vmargin[d.neuron] = 2 * d.drift + Fraction(1, 10**12)
                grow_v = True
        if grow_v:
            continue
        # rest faces: inward or above the level
        failing = []
        budget = _Budget(FACE_CELLS * max(1, 2 * len(rest)))
        for i in rest:
            for side in (0, 1):
                if time.monotonic() > deadline:
                    return f"time budget exhausted ({reason})"
                why = face_inward_or_above(S.F, face_box(K, i, side), i, side,
                                           S.level_ball, budget, deadline)
                if why is not None:
                    failing.append((i, side, why))
        if failing:
            i, side, why = failing[0]
            reason = f"face {S.names[i]} = {'lo' if side == 0 else 'hi'}: {why}"
            for i, side, _ in failing:
                if side == 0:
                    lo_d[i] *= PUSH
                else:
                    hi_d[i] *= PUSH
            continue
        spec = _spec(S, K, dying)
        why = verify_trapping(S.problem, flow, S.signs, S.terminal, spec, S.prec)
        if why is None:
            return spec
        reason = f"checker rejected the candidate: {why}"
        if why.startswith("cannot prove sup L(X_T)"):
            S.set_level(S.slack * 10)
        else:
            lo_d *= PUSH
            hi_d *= PUSH
    return f"gave up after {ROUNDS} rounds ({reason})"


def _exact(x: arb) -> Fraction:
    m, e = x.man_exp()
    return Fraction(int(m)) * Fraction(2) ** int(e)


def _build_box(S, theta, vmargin, center, lo_d, hi_d, rest, dying):
    K: list = []
    vs = {v_index(S.flow, S.H, d.neuron): d.neuron for d in dying}
    for i in range(S.dim):
        if i in S.frozen_idx:
            K.append((round_significant(S.t_lo[i], 20, up=False),
                      round_significant(S.t_hi[i], 20, up=True)))
        elif i in theta:
            K.append(theta[i])
        elif i in vs:
            width = S.t_hi[i] - S.t_lo[i]
            m = max(vmargin[vs[i]], width, Fraction(1, 10**12) * (1 + abs(S.t_hi[i])))
            step = _grid(float(m))
            K.append((round_decimal(S.t_lo[i] - m, step, up=False),
                      round_decimal(S.t_hi[i] + m, step, up=True)))
        else:
            step = _grid(min(lo_d[i], hi_d[i]))
            lo = min(Fraction(center[i] - lo_d[i]), S.t_lo[i] - Fraction(lo_d[i]) / 1000)
            hi = max(Fraction(center[i] + hi_d[i]), S.t_hi[i] + Fraction(hi_d[i]) / 1000)
            K.append((round_decimal(lo, step, up=False), round_decimal(hi, step, up=True)))
    return K


def _spec(S, K, dying) -> dict:
    H, flow = S.H, S.flow
    return {
        "kind": "dying",
        "frozen": sorted(S.frozen),
        "dying": [{"neuron": d.neuron, "end": d.end, "eps": decimal_string(d.eps),
                   "k": decimal_string(d.k), "C_v": decimal_string(d.C_v),
                   "drift": decimal_string(d.drift)} for d in dying],
        "box": [[decimal_string(lo), decimal_string(hi)] for lo, hi in K],
        "level": decimal_string(S.level),
        "bounds": {"v": [decimal_string(max(abs(K[v_index(flow, H, j)][0]),
                                             abs(K[v_index(flow, H, j)][1])))
                         for j in range(H)],
                   "c": decimal_string(max(abs(K[-1][0]), abs(K[-1][1])))},
    }


__all__ = ["DYING_MAX", "dying_candidates", "search_dying"]
