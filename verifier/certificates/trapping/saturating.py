"""Search for the *saturating-neuron* trapping argument.

A single live neuron whose kink tends to an end of ``[a, b]`` from the long side (the
neuron is becoming fully active) approaches the end of the curve of best affine fits
from outside the fully active region. A Polyak–Łojasiewicz inequality in the coordinates
``(slope, intercept, kink)`` bounds the arc length after ``T``
(``docs/infinite-horizon.md``, :mod:`verifier.proof.trapping.saturating`). The search takes
``U = X_T +/- g`` with ``g`` a few times the arc length bound at ``X_T``, proposes ``mu``
from the checker's rigorous cell bounds on a grid, rounds every number to an exact decimal
in the safe direction, and returns the section only when
:func:`verifier.proof.trapping.verify_trapping` accepts it.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

from flint import arb

from verifier.arith.numbers import (
    ball,
    decimal_text,
    exact_value,
    round_decimal,
    round_significant,
)
from verifier.certificates.trapping.search import Search
from verifier.field.pointwise import PointFunctions
from verifier.proof.trapping.arc_length import affine_fit
from verifier.proof.trapping.neurons import domain_balls
from verifier.proof.trapping.saturating import cell_mu, geometry, lambda_min_2x2

KIND = "saturating"
STRATEGIES = ("auto", "saturating")

#: A single live neuron is tried as saturating when its inactive piece on ``X_T`` is at
#: most this fraction of ``b - a``.
SATURATING_MAX = 0.15


#: Margins tried, as multiples of the arc length bound at ``X_T``.
MARGINS = (3.0, 1.5, 8.0)


def saturating_candidate(S: Search) -> tuple[int, str] | None:
    """``(j, end)`` when neuron ``j`` is the only live one and saturates at ``end``."""
    if S.flow != "normalized":
        return None
    live = [j for j in range(S.H) if j not in S.frozen]
    if len(live) != 1:
        return None
    j = live[0]
    a, e = domain_balls(S.problem)
    phi = S.terminal[j]
    w = phi.cos()
    kappa = -phi.sin() / w
    if w < 0:
        end, eps = "b", e - kappa
    elif w > 0:
        end, eps = "a", kappa - a
    else:
        return None
    if not geometry(S.flow, end, phi, S.problem).ok:
        return None
    if not (eps.upper() > 0 and float(eps.upper()) <= SATURATING_MAX * float((e - a).mid())):
        return None
    return j, end


def _box(S: Search, g: Fraction) -> list[tuple[Fraction, Fraction]]:
    step = math.floor(math.log10(float(g))) - 3
    K = []
    for i in range(S.dim):
        if i in S.frozen_idx:
            K.append(S.frozen_interval(i))
        else:
            K.append((round_decimal(S.t_lo[i] - g, step, up=False),
                      round_decimal(S.t_hi[i] + g, step, up=True)))
    return K


def _grid_mu(S: Search, j: int, end: str, K, lam_M: arb, fp: PointFunctions) -> arb:
    """The smallest rigorous cell bound over a grid of ``U`` (8 x 2 x 2 cells)."""
    H = S.H
    idx = {j: 8, H + j: 2, 2 * H: 2}
    base = [ball(lo) if lo == hi else arb.union(ball(lo).lower(), ball(hi).upper())
            for lo, hi in K]
    parts = {}
    for i, n in idx.items():
        lo, hi = ball(K[i][0]).lower(), ball(K[i][1]).upper()
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


def search(S: Search, j: int, end: str) -> dict | str:
    """An accepted ``saturating`` section for the search state ``S``, or a reason."""
    M11, M12, M22, lstar_ball = affine_fit(S.problem)
    lstar = round_significant(exact_value(lstar_ball.lower()), 20, up=False)
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
        lo, hi = ball(K[j][0]).lower(), ball(K[j][1]).upper()
        why = geometry(S.flow, end, arb.union(lo, hi), S.problem)
        if not why.ok:
            reason = f"the box of margin {float(g):.3g}: {why.reason}"
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
            "kind": KIND,
            "frozen": sorted(S.frozen),
            "saturating": {"neuron": j, "end": end},
            "box": S.box_text(K),
            **{key: decimal_text(q) for key, q in (("lstar", lstar), ("mu", mu),
                                                   ("level", level), ("length", length))},
            "bounds": S.bounds(K),
        }
        verdict = S.verify(spec)
        if verdict.ok:
            return spec
        reason = f"checker rejected the candidate: {verdict.reason}"
        if S.retry(verdict):
            level = S.level
    return reason


def attempt(S: Search, strategy: str) -> dict | list[str]:
    """The accepted section, or the reasons why none was found (the only live neuron must
    be saturating; nothing is tried with a fully active neuron)."""
    if S.full:
        return []
    cand = saturating_candidate(S)
    if cand is not None:
        res = search(S, *cand)
        return res if isinstance(res, dict) else [f"saturating: {res}"]
    if strategy == KIND:
        return ["saturating: the only live neuron is not saturating"]
    return []
