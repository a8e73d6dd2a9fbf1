"""Neurons over a box of states: coordinates, dead and fully active neurons.

Neuron ``j`` is *dead* at a state if its active set ``{x in [a, b] : w_j x + b_j > 0}``
is empty, i.e. (the pre-activation being affine in ``x``) ``w_j a + b_j <= 0`` and
``w_j b + b_j <= 0``; *fully active* if ``w_j a + b_j >= 0`` and ``w_j b + b_j >= 0``.
Both are decided for every point of a box of ``(w_j, b_j)`` coordinates (``phi_j`` for
the normalized flow, ``b_j`` for normalized-weights, ``(w_j, b_j)`` for the standard
flow) in ball arithmetic, exact rational arithmetic where the data are rational;
``False`` means "not proven". At a dead neuron every velocity of neuron ``j`` vanishes
and the other components do not depend on it, so a neuron dead at ``T`` stays dead with
constant coordinates (docs/trapping.md). Functions run inside a precision scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import sympy as sp
from flint import arb

from verifier.arith.balls import BallArithmetic
from verifier.arith.numbers import ball, exact_value
from verifier.proof.trapping.cells import midpoint

#: Bisection depth for the deadness (full activity) check of one neuron.
DEAD_DEPTH = 12


def neuron_coordinates(flow: str, H: int, j: int) -> list[int]:
    """State indices of neuron ``j`` (all of them freeze when it is dead)."""
    if flow == "standard":
        return [j, H + j, 2 * H + j]
    return [j, H + j]


def v_index(flow: str, H: int, j: int) -> int:
    """The state index of ``v_j``."""
    return (2 * H if flow == "standard" else H) + j


def domain_ends(problem: Any) -> tuple[Any, Any]:
    """Domain ends as Fractions when rational, else as balls (current precision)."""
    out = []
    for e in problem.domain:
        if isinstance(e, sp.Rational):
            out.append(Fraction(int(e.p), int(e.q)))
        else:
            out.append(BallArithmetic().const(e))
    return out[0], out[1]


def domain_balls(problem: Any) -> tuple[arb, arb]:
    """The domain ends as balls (exact when dyadic; current precision)."""
    a, e = domain_ends(problem)
    return (ball(a) if isinstance(a, Fraction) else a), (ball(e) if isinstance(e, Fraction) else e)


def _nonpositive(w: Any, b: Any, x: Any) -> bool:
    """Certainly ``w x + b <= 0`` (exact when all are Fractions)."""
    if all(isinstance(t, Fraction) for t in (w, b, x)):
        return w * x + b <= 0
    conv = [ball(t) if isinstance(t, Fraction) else t for t in (w, b, x)]
    return (conv[0] * conv[2] + conv[1]).upper() <= 0


def neuron_dead(problem: Any, flow: str, signs: tuple[int, ...], j: int,
                terminal: Sequence[arb]) -> bool:
    """Certainly dead (``w_j x + b_j <= 0`` on ``[a, b]``) at every point of ``terminal``.

    Must run inside a precision scope.
    """
    H = problem.width
    a, e = domain_ends(problem)
    if flow == "normalized-weights":
        s = Fraction(signs[j])
        bj = terminal[j]
        top = exact_value(bj.upper())  # max over the box: affine, increasing in b
        return _nonpositive(s, top, a) and _nonpositive(s, top, e)
    if flow == "standard":
        W, Bb = terminal[j], terminal[H + j]
        ws = (exact_value(W.lower()), exact_value(W.upper()))
        bs = exact_value(Bb.upper())  # increasing in b; affine in w: check both ends
        return all(_nonpositive(w, bs, x) for w in ws for x in (a, e))
    # normalized: subdivide phi, evaluate cos(phi) x + sin(phi) in balls
    lo, hi = terminal[j].lower(), terminal[j].upper()
    if not (hi - lo < 2 * arb.pi()):
        return False
    aa = ball(a) if isinstance(a, Fraction) else a
    ee = ball(e) if isinstance(e, Fraction) else e
    stack = [(lo, hi, 0)]
    while stack:
        l, h, d = stack.pop()
        phi = l if l == h else arb.union(l, h)
        cw, sw = phi.cos(), phi.sin()
        if (cw * aa + sw).upper() <= 0 and (cw * ee + sw).upper() <= 0:
            continue
        m = midpoint(l, h)
        if d >= DEAD_DEPTH or not (l < m < h):
            return False
        stack += [(l, m, d + 1), (m, h, d + 1)]
    return True


def _nonneg(w: arb, b: arb, x: arb) -> bool:
    return (w * x + b).lower() >= 0


def fully_active(problem: Any, flow: str, signs: Sequence[int], j: int,
                 box: Sequence[tuple[Fraction, Fraction]]) -> bool:
    """Certainly ``w_j a + b_j >= 0`` and ``w_j b + b_j >= 0`` at every point of ``box``.

    Must run inside a precision scope.
    """
    H = problem.width
    a, e = domain_balls(problem)
    if flow == "normalized-weights":
        s = arb(signs[j])
        lo = ball(box[j][0]).lower()  # affine and increasing in b_j: the lower end
        return _nonneg(s, lo, a) and _nonneg(s, lo, e)
    if flow == "standard":  # affine in (w, b): the four corners
        ws = (ball(box[j][0]), ball(box[j][1]))
        b0 = ball(box[H + j][0]).lower()
        return all(_nonneg(w, b0, x) for w in ws for x in (a, e))
    lo, hi = ball(box[j][0]).lower(), ball(box[j][1]).upper()
    if not (hi - lo < arb.pi()):
        return False
    stack = [(lo, hi, 0)]
    while stack:
        lo_, hi_, d = stack.pop()
        phi = lo_ if lo_ == hi_ else arb.union(lo_, hi_)
        cw, sw = phi.cos(), phi.sin()
        if _nonneg(cw, sw, a) and _nonneg(cw, sw, e):
            continue
        m = midpoint(lo_, hi_)
        if d >= DEAD_DEPTH or not (lo_ < m < hi_):
            return False
        stack += [(lo_, m, d + 1), (m, hi_, d + 1)]
    return True
