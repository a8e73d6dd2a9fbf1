"""Search for the *dying-neuron* trapping argument.

A neuron whose kink sits close to an end ``e`` of ``[a, b]``, active only on the short
piece between the kink and ``e``, and pushed towards ``e`` by the flow, loses its active
length exponentially: ``eps' <= -k eps`` on a box ``U`` (``docs/infinite-horizon.md``,
:mod:`verifier.proof.trapping.dying`). The search builds ``U``:

* the dying neuron's angle (bias) from just beyond the value ``theta_e`` where its kink
  sits on ``e`` (there the neuron is dead) to just beyond ``X_T`` on the other side;
* its ``v_j`` with room for the drift ``C_v eps^2 / (2 k)``;
* the rest (``c`` and the other live neurons) as a box around the minimizer of ``L`` in
  those coordinates, grown face by face until every face is either crossed inward by the
  flow or lies above the level ``sup L(X_T)``;

proposes ``k``, ``C_v`` from rigorous cell bounds (the checker's), rounds everything to
exact decimals in the safe direction, and returns the section only when
:func:`verifier.proof.trapping.verify_trapping` accepts it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from verifier.arith.numbers import (
    ball,
    decimal_text,
    exact_value,
    round_decimal,
    round_significant,
)
from verifier.certificates.trapping.search import Search
from verifier.field.pointwise import PointFunctions
from verifier.proof.trapping.cells import Budget, to_balls
from verifier.proof.trapping.dying import (
    Dying,
    active_length,
    dkappa_sign,
    face_inward_or_above,
    kink,
    rate_bounds,
)
from verifier.proof.trapping.neurons import domain_ends, neuron_coordinates, v_index
from verifier.proof.trapping.spec import face_box

KIND = "dying"
STRATEGIES = ("auto", "dying")

#: A neuron is tried as dying when its active length on ``X_T`` is at most this
#: fraction of ``b - a``.
DYING_MAX = 0.25


#: Rounds of "check the rest faces, push the failing ones outward".
ROUNDS = 8


#: Cells per rest face and round.
FACE_CELLS = 5_000


PUSH = 3.0


def _ends(problem: Any) -> tuple[float, float]:
    a, e = domain_ends(problem)
    return float(a) if isinstance(a, Fraction) else float(a.mid()), \
        float(e) if isinstance(e, Fraction) else float(e.mid())


def dying_candidates(S: Search) -> list[tuple[int, str]]:
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
        w, kappa = kink(S.flow, S.s, j, S.terminal[j])
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


def theta_e(S: Search, j: int, end: str) -> float:
    """The angle (bias) nearest to ``X_T`` at which neuron ``j``'s kink sits on ``end``."""
    a, e = _ends(S.problem)
    x = e if end == "b" else a
    t = float(S.terminal[j].mid())
    if S.flow == "normalized-weights":
        return -S.s[j] * x
    sw = 1.0 if end == "b" else -1.0
    base = math.atan2(-sw * x, sw)
    return base + 2 * math.pi * round((t - base) / (2 * math.pi))


def grid(x: float) -> int:
    return math.floor(math.log10(abs(x))) - 2 if x > 0 else -30


def theta_interval(S: Search, j: int, end: str) -> tuple[Fraction, Fraction]:
    """From just beyond ``theta_e`` (dead side) to just beyond ``X_T`` (active side)."""
    te = theta_e(S, j, end)
    lo, hi = S.t_lo[j], S.t_hi[j]
    dist = max(abs(float(lo) - te), abs(float(hi) - te))
    eta = max(1e-3 * dist, 1e-12 * (1 + abs(te)))
    towards_hi = (end == "b") == (dkappa_sign(S.flow, S.s, j) > 0)
    if towards_hi:  # the kink reaches e as theta increases: dead end above
        top = max(Fraction(te), hi) + Fraction(eta)
        bot = lo - Fraction(eta)
    else:
        bot = min(Fraction(te), lo) - Fraction(eta)
        top = hi + Fraction(eta)
    step = grid(eta)
    return round_decimal(bot, step, up=False), round_decimal(top, step, up=True)




def propose_eps(S: Search, d: Dying) -> None:
    """``eps``: the active length on ``X_T``, exact and rounded up."""
    eps_b = active_length(S.problem, S.flow, S.s, d, S.terminal[d.neuron]).upper()
    d.eps = round_significant(max(Fraction(0), exact_value(eps_b)), 6, up=True)


def propose_rates(d: Dying, km: float, cm: float) -> str | None:
    """``k``, ``C_v`` and the drift from rigorous cell bounds (``km`` a lower bound of the
    rate, ``cm`` an upper bound of ``C_v`` on the box), rounded in the safe direction; a
    reason when no positive rate is proven."""
    if not km > 0:
        return (f"neuron {d.neuron + 1}: cannot prove that the flow pushes its kink "
                f"towards {d.end} (rate lower bound {km:.3g} on the box)")
    d.k = round_significant(Fraction(0.98 * km), 6, up=False)
    d.C_v = round_significant(Fraction(1.02 * cm + 1e-300), 6, up=True)
    drift = d.C_v * d.eps * d.eps / (2 * d.k)
    d.drift = round_significant(drift, 6, up=True) if drift > 0 else Fraction(0)
    return None


def v_interval(S: Search, i: int, margin: Fraction) -> tuple[Fraction, Fraction]:
    """A dying neuron's ``v_j`` interval: its terminal interval widened by ``margin`` (at
    least its width), rounded outward."""
    width = S.t_hi[i] - S.t_lo[i]
    m = max(margin, width, Fraction(1, 10**12) * (1 + abs(S.t_hi[i])))
    step = grid(float(m))
    return (round_decimal(S.t_lo[i] - m, step, up=False),
            round_decimal(S.t_hi[i] + m, step, up=True))


def entry(d: Dying) -> dict:
    """A dying neuron's entry of a section."""
    return {"neuron": d.neuron, "end": d.end, "eps": decimal_text(d.eps),
            "k": decimal_text(d.k), "C_v": decimal_text(d.C_v), "drift": decimal_text(d.drift)}


def rate_estimate(problem: Any, flow: str, signs: Sequence[int], dying: Sequence[Dying],
                  box: Sequence[tuple[Fraction, Fraction]], splits: int = 8
                  ) -> list[tuple[float, float]]:
    """Per dying neuron ``(min h_j lower bound, max C_v upper bound)`` over ``splits``
    slices of its ``theta_j`` interval (rigorous bounds over ``box``; for proposing)."""
    fp = PointFunctions(problem)
    start = [(ball(lo).lower(), ball(hi).upper()) for lo, hi in box]
    out = []
    for d in dying:
        lo, hi = start[d.neuron]
        ends = [lo] + [(lo + (hi - lo) * q / splits).mid() for q in range(1, splits)] + [hi]
        kmin, cmax = float("inf"), 0.0
        for q in range(splits):
            B = list(start)
            B[d.neuron] = (ends[q], ends[q + 1])
            r = rate_bounds(problem, flow, signs, [d], to_balls(B), fp)[0]
            if r is None:
                continue
            kmin = min(kmin, float(r[0]))
            cmax = max(cmax, float(r[1]))
        out.append((kmin, cmax))
    return out


def search(S: Search, cands: list[tuple[int, str]], deadline: float) -> dict | str:
    """An accepted ``dying`` section for the search state ``S`` and the candidate dying
    neurons ``cands`` (``(j, end)``), or a one-line reason."""
    H, flow, dim = S.H, S.flow, S.dim
    dying = [Dying(j, end, Fraction(0), Fraction(0), Fraction(0), Fraction(0))
             for j, end in cands]
    dying_idx = {i for d in dying for i in neuron_coordinates(flow, H, d.neuron)}
    rest = [i for i in S.free if i not in dying_idx]
    theta = {d.neuron: theta_interval(S, d.neuron, d.end) for d in dying}
    for d in dying:
        propose_eps(S, d)
    # the rest: a box around the minimizer of L in the rest coordinates
    ystar, Lstar = S.minimizer(rest, 1e3)
    noise = 2.0 ** -S.prec * max(abs(S.Lpt), 1e-300)
    delta = max(S.lf - Lstar, 1e4 * noise, 1e-300)
    radius = S.hessian_radius(ystar, rest, delta)
    if radius is None:
        radius = np.zeros(dim)
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
            why = propose_rates(d, km, cm)
            if why is not None:
                return why
            vi = v_index(flow, H, d.neuron)
            if not (K[vi][0] < S.t_lo[vi] - d.drift and S.t_hi[vi] + d.drift < K[vi][1]):
                vmargin[d.neuron] = 2 * d.drift + Fraction(1, 10**12)
                grow_v = True
        if grow_v:
            continue
        # rest faces: inward or above the level
        failing = []
        budget = Budget(FACE_CELLS * max(1, 2 * len(rest)))
        for i in rest:
            for side in (0, 1):
                if time.monotonic() > deadline:
                    return f"time budget exhausted ({reason})"
                verdict = face_inward_or_above(S.F, face_box(K, i, side), i, side,
                                               S.level_ball, budget, deadline)
                if not verdict.ok:
                    failing.append((i, side, verdict.reason))
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
        verdict = S.verify(spec)
        if verdict.ok:
            return spec
        reason = f"checker rejected the candidate: {verdict.reason}"
        if not S.retry(verdict):
            lo_d *= PUSH
            hi_d *= PUSH
    return f"gave up after {ROUNDS} rounds ({reason})"


def _build_box(S, theta, vmargin, center, lo_d, hi_d, rest, dying):
    K: list = []
    vs = {v_index(S.flow, S.H, d.neuron): d.neuron for d in dying}
    for i in range(S.dim):
        if i in S.frozen_idx:
            K.append(S.frozen_interval(i))
        elif i in theta:
            K.append(theta[i])
        elif i in vs:
            K.append(v_interval(S, i, vmargin[vs[i]]))
        else:
            step = grid(min(lo_d[i], hi_d[i]))
            lo = min(Fraction(center[i] - lo_d[i]), S.t_lo[i] - Fraction(lo_d[i]) / 1000)
            hi = max(Fraction(center[i] + hi_d[i]), S.t_hi[i] + Fraction(hi_d[i]) / 1000)
            K.append((round_decimal(lo, step, up=False), round_decimal(hi, step, up=True)))
    return K


def _spec(S, K, dying) -> dict:
    return {"kind": KIND, "frozen": sorted(S.frozen), "dying": [entry(d) for d in dying],
            "box": S.box_text(K), "level": decimal_text(S.level), "bounds": S.bounds(K)}


def attempt(S: Search, strategy: str) -> dict | list[str]:
    """The accepted section, or the reasons why none was found (``S.dying``: the
    candidates, :func:`dying_candidates`)."""
    if S.dying and not S.full:
        share = S.deadline if strategy == KIND else \
            time.monotonic() + 0.5 * max(S.deadline - time.monotonic(), 0.0)
        res = search(S, S.dying, share)
        return res if isinstance(res, dict) else [f"dying: {res}"]
    if strategy == KIND:
        return ["dying: no neuron with a short active piece at an end of [a, b]"
                if not S.dying else "dying: a live neuron is fully active"]
    return []
