"""Search for a *sublevel* trapping box (:mod:`verifier.proof.trapping.sublevel`).

Floats choose the box: a local minimizer ``y*`` of ``L`` near ``X_T`` and its Hessian give
an ellipsoid ``{L <= level}`` whose half-widths are the first radii (``"local"``); for the
normalized flow a second candidate leaves every live angle unrestricted and boxes ``(v,
c)`` around 0 (``"periodic"``). Each round samples every face (floats), then proves the
faces rigorously by best-first branch and bound (:func:`..search.branch_and_bound`); the
failing faces are pushed outward geometrically, and a candidate with every face above
the level goes to the checker.
"""

from __future__ import annotations

import math
import time
from fractions import Fraction

import numpy as np

from verifier.arith.numbers import decimal_exponent, decimal_text, round_decimal
from verifier.certificates.trapping.search import Outcome, Search, branch_and_bound, float_minimize
from verifier.proof.trapping.spec import face_box

KIND = "sublevel"
STRATEGIES = ("auto", "local", "periodic")
#: Rounds of "check faces rigorously, push the failing ones outward".
MAX_ROUNDS = 10
#: Cells per face and round in the search's branch and bound.
FACE_CELLS = 20_000
#: Factor by which a failing face is moved away from the centre.
PUSH = 2.0
#: Random samples per face for the float pre-check.
FACE_SAMPLES = 400


def make_box(S: Search, center, lo_d, hi_d, periodic) -> list:
    """K from float distances below/above ``center`` (rounded outward to decimals)."""
    K: list = []
    for i in range(S.dim):
        if i in S.frozen_idx:
            K.append(S.frozen_interval(i))
            continue
        if S.flow == "normalized" and i < S.H and i in periodic:
            K.append(None)
            continue
        step = decimal_exponent(min(lo_d[i], hi_d[i])) - 3  # grid: 1e-3 of the smaller radius
        lo = min(Fraction(center[i] - lo_d[i]), S.t_lo[i] - Fraction(lo_d[i]) / 1000)
        hi = max(Fraction(center[i] + hi_d[i]), S.t_hi[i] + Fraction(hi_d[i]) / 1000)
        qlo = round_decimal(lo, step, up=False)  # < t_lo exactly: X_T in the interior
        qhi = round_decimal(hi, step, up=True)
        K.append((qlo, qhi))
    return K


def section(S: Search, K, periodic) -> dict:
    return {"kind": KIND, "frozen": sorted(S.frozen), "periodic": sorted(periodic),
            "box": S.box_text(K), "level": decimal_text(S.level), "bounds": S.bounds(K)}


def float_face_min(S: Search, K, i, side) -> float:
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
    Y = lows + (highs - lows) * S.rng.random((FACE_SAMPLES, S.dim))
    Y[0] = np.clip(S.center, lows, highs)
    vals = np.asarray(S.problem.risk(Y, flow=S.flow, signs=S.signs), dtype=float)
    order = np.argsort(vals)
    bmin = float(vals[order[0]])
    free = [k for k in range(S.dim) if highs[k] > lows[k]]
    if free:
        for idx in {int(order[0]), 0}:
            try:
                _, fv = float_minimize(S.problem, S.flow, S.signs, Y[idx], free,
                                       bounds=[(lows[k], highs[k]) for k in free])
            except Exception:  # guidance only
                continue
            bmin = min(bmin, fv)
    return bmin


def rigorous_face(S: Search, K, i, side) -> Outcome:
    return branch_and_bound(S.F, face_box(K, i, side), S.level_ball, FACE_CELLS, S.deadline,
                            frozenset([i]))


def grow(S: Search, center: np.ndarray, radius: np.ndarray, periodic: set[int],
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
        K = make_box(S, center, lo_d, hi_d, periodic)
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
            fmin = float_face_min(S, K, i, side)
            if not fmin > S.lf:
                failing.append((i, side, f"float minimum {fmin:.6g} <= level {S.lf:.6g}"))
        if not failing:
            for i, side in faces:
                if time.monotonic() > S.deadline:
                    return f"time budget exhausted ({reason})"
                out = rigorous_face(S, K, i, side)
                if out.status != "proven":
                    what = ("L <= level at a point" if out.status == "witness"
                            else "branch and bound budget exhausted")
                    failing.append((i, side, what))
        if not failing:
            spec = section(S, K, periodic)
            verdict = S.verify(spec)
            if verdict.ok:
                return spec
            reason = f"checker rejected the candidate: {verdict.reason}"
            if not S.retry(verdict):  # else: more room for the checker's own partition
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


def attempt(S: Search, strategy: str) -> dict | list[str]:
    """The accepted section, or the reasons why none was found."""
    if strategy == "auto" and S.full:
        # the level set of L through X_T contains the curve that moves a fully active
        # neuron's angle with its affine contribution fixed; inside the fully active
        # region it reaches cos phi_j = 0, where v_j is unbounded
        return ["sublevel: not tried (with a fully active neuron the level sets "
                "of L are unbounded)"]
    # float guidance: a local minimizer near X_T and its Hessian
    ystar, Lstar = S.minimizer(S.free, 1e6)
    S.center = ystar
    # rounding noise of one point evaluation: the face gap must dominate it
    noise = float(S.F.risk([t.mid() for t in S.terminal]).rad()) + 2.0 ** -S.prec * abs(S.Lpt)
    delta = max(S.lf - Lstar, 1e4 * noise, 1e-300)
    radius = S.hessian_radius(ystar, S.free, delta)
    if radius is None:
        width = np.array([float(t.rad()) * 2 for t in S.terminal])
        fallback = np.maximum(10 * width, 1e-3 * (1 + np.abs(ystar)))
        radius = np.zeros(S.dim)
        radius[S.free] = fallback[S.free]
    for i in S.free:  # cover X_T with a margin
        off = max(abs(float(S.t_lo[i]) - ystar[i]), abs(float(S.t_hi[i]) - ystar[i]))
        radius[i] = max(radius[i], 1.5 * off, 1e-12 * (1 + abs(ystar[i])))

    candidates = []
    if strategy in ("auto", "local"):
        candidates.append(("local box around the nearby minimizer", ystar, radius, set()))
    if S.flow == "normalized" and strategy in ("auto", "periodic"):
        # a box in (v, c) only, every non-frozen angle unrestricted (L is 2 pi-periodic)
        per = {j for j in range(S.H) if j not in S.frozen}
        center = ystar.copy()
        r2 = radius.copy()
        for i in S.free:
            if i >= S.H:
                center[i] = 0.0
                ext = max(abs(float(S.t_lo[i])), abs(float(S.t_hi[i])))
                r2[i] = 2.0 * ext + 1.0
        candidates.append(("box in (v, c) with unrestricted angles", center, r2, per))
    reasons = []
    deadline = S.deadline
    for n, (label, center, rad, periodic) in enumerate(candidates):
        share = (deadline - time.monotonic()) / (len(candidates) - n)
        res = grow(S, center, rad, set(periodic), MAX_ROUNDS, time.monotonic() + share)
        if isinstance(res, dict):
            return res
        reasons.append(f"sublevel, {label}: {res}")
    return reasons
