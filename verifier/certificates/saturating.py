"""Search for the *saturating-neuron* trapping argument.

A single live neuron whose kink tends to an end of ``[a, b]`` from the long side (the
neuron is becoming fully active) approaches the end of the curve of best affine fits
from outside the fully active region. A Polyak–Łojasiewicz inequality in the coordinates
``(slope, intercept, kink)`` bounds the arc length after ``T``
(``docs/infinite-horizon.md``, :mod:`verifier.checker.saturating`). The search takes
``U = X_T +/- g`` with ``g`` a few times the arc length bound at ``X_T``, proposes ``mu``
from the checker's rigorous cell bounds on a grid, rounds every number to an exact decimal
in the safe direction, and returns the section only when
:func:`verifier.checker.trapping.verify_trapping` accepts it.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Any

from flint import arb

from verifier.certificates.trapping import decimal_string, round_decimal, round_significant
from verifier.checker.arc_length import affine_fit
from verifier.checker.dying import PointFunctions
from verifier.checker.saturating import cell_mu, geometry, lambda_min_2x2
from verifier.checker.trapping import (
    _domain_ends,
    ball_of,
    exact_fraction,
    v_index,
    verify_trapping,
)

#: A single live neuron is tried as saturating when its inactive piece on ``X_T`` is at
#: most this fraction of ``b - a``.
SATURATING_MAX = 0.15
#: Margins tried, as multiples of the arc length bound at ``X_T``.
MARGINS = (3.0, 1.5, 8.0)


def saturating_candidate(S: Any) -> tuple[int, str] | None:
    """``(j, end)`` when neuron ``j`` is the only live one and saturates at ``end``."""
    if S.flow != "normalized":
        return None
    live = [j for j in range(S.H) if j not in S.frozen]
    if len(live) != 1:
        return None
    j = live[0]
    a, e = (ball_of(t) if isinstance(t, Fraction) else t for t in _domain_ends(S.problem))
    phi = S.terminal[j]
    w = phi.cos()
    kappa = -phi.sin() / w
    if w < 0:
        end, eps = "b", e - kappa
    elif w > 0:
        end, eps = "a", kappa - a
    else:
        return None
    if geometry(S.flow, end, phi, S.problem) is not None:
        return None
    if not (eps.upper() > 0 and float(eps.upper()) <= SATURATING_MAX * float((e - a).mid())):
        return None
    return j, end


def _box(S: Any, g: Fraction) -> list[tuple[Fraction, Fraction]]:
    step = math.floor(math.log10(float(g))) - 3
    K = []
    for i in range(S.dim):
        if i in S.frozen_idx:
            K.append((round_significant(S.t_lo[i], 20, up=False),
                      round_significant(S.t_hi[i], 20, up=True)))
        else:
            K.append((round_decimal(S.t_lo[i] - g, step, up=False),
                      round_decimal(S.t_hi[i] + g, step, up=True)))
    return K


def _grid_mu(S: Any, j: int, end: str, K, lam_M: arb, fp: PointFunctions) -> arb:
    """The smallest rigorous cell bound over a grid of ``U`` (8 x 2 x 2 cells)."""
    H = S.H
    idx = {j: 8, H + j: 2, 2 * H: 2}
    base = [ball_of(lo) if lo == hi else arb.union(ball_of(lo).lower(), ball_of(hi).upper())
            for lo, hi in K]
    parts = {}
    for i, n in idx.items():
        lo, hi = ball_of(K[i][0]).lower(), ball_of(K[i][1]).upper()
        ends = [lo] + [(lo + (hi - lo) * q / n).mid() for q in range(1, n)] + [hi]
        parts[i] = [arb.union(ends[q], ends[q + 1]) for q in range(n)]
    best = None
    for combo in itertools.product(*(parts[i] for i in idx)):
        y = list(base)
        for i, t in zip(idx, combo):
            y[i] = t
        m = cell_mu(S.problem, j, end, y, lam_M, fp)
        best = m if best is None or m < best else best
    return best if best is not None else arb(0)


def search_saturating(S: Any, j: int, end: str) -> dict | str:
    """An accepted ``saturating`` section for the search state ``S``, or a reason."""
    H = S.H
    M11, M12, M22, lstar_ball = affine_fit(S.problem)
    lstar = round_significant(exact_fraction(lstar_ball.lower()), 20, up=False)
    lam_M = lambda_min_2x2(M11, M12, M22)
    fp = PointFunctions(S.problem)
    level = S.level
    if level < lstar:
        return "level below l* (inconsistent bounds)"
    mu0 = float(cell_mu(S.problem, j, end, S.terminal, lam_M, fp))
    if not mu0 > 0:
        return ("the PL bound is not positive on X_T (the residual changes sign on the "
                "inactive piece, or the piece is too long)")
    ell0 = 2 * math.sqrt(float(level - lstar) / mu0) + 1e-300
    reason = "no margin tried"
    for mult in MARGINS:
        g = Fraction(mult * ell0)
        K = _box(S, g)
        lo, hi = ball_of(K[j][0]).lower(), ball_of(K[j][1]).upper()
        why = geometry(S.flow, end, arb.union(lo, hi), S.problem)
        if why is not None:
            reason = f"the box of margin {float(g):.3g}: {why}"
            continue
        m = float(_grid_mu(S, j, end, K, lam_M, fp))
        if not m > 0:
            reason = f"the PL bound is not positive on the box of margin {float(g):.3g}"
            continue
        mu = round_significant(Fraction(0.99 * m), 8, up=False)
        ell = 2 * math.sqrt(float(level - lstar) / float(mu))
        length = round_significant(Fraction(ell * 1.0001 + 1e-300), 8, up=True)
        while length * length * mu < 4 * (level - lstar):
            length = round_significant(length * Fraction(1001, 1000), 8, up=True)
        if not float(length) < float(g):
            reason = (f"the arc length bound {float(length):.3g} exceeds the margin "
                      f"{float(g):.3g} of the box")
            continue
        spec = {
            "kind": "saturating",
            "frozen": sorted(S.frozen),
            "saturating": {"neuron": j, "end": end},
            "box": [[decimal_string(a), decimal_string(b)] for a, b in K],
            "lstar": decimal_string(lstar),
            "mu": decimal_string(mu),
            "level": decimal_string(level),
            "length": decimal_string(length),
            "bounds": {"v": [decimal_string(max(abs(K[v_index(S.flow, H, i)][0]),
                                                 abs(K[v_index(S.flow, H, i)][1])))
                             for i in range(H)],
                       "c": decimal_string(max(abs(K[-1][0]), abs(K[-1][1])))},
        }
        why = verify_trapping(S.problem, S.flow, S.signs, S.terminal, spec, S.prec)
        if why is None:
            return spec
        reason = f"checker rejected the candidate: {why}"
        if why.startswith("cannot prove sup L(X_T)"):
            S.set_level(S.slack * 10)
            level = S.level
    return reason


__all__ = ["SATURATING_MAX", "saturating_candidate", "search_saturating"]
