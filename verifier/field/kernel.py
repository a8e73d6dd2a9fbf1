"""Risk and generalized gradient of a shallow ReLU network, in any arithmetic.

For parameters ``(w_j, b_j, v_j, c)``, ``sigma_j(x) = w_j x + b_j``, active sets
``A_j = {x in [a, b] : sigma_j(x) > 0} = [l_j, r_j]`` and the moments ``P_k``,
``Q_k`` of :mod:`verifier.field.moments` (``P_k[I]`` = integral over ``I``):

    L   = int f^2 p - 2 c int f p + c^2
          + 2 sum_j v_j (c S_j - T_j) + sum_{i,j} v_i v_j S_ij,
    S_j = w_j P_1[A_j] + b_j P_0[A_j]                  (= int_{A_j} sigma_j p)
    T_j = w_j Q_1[A_j] + b_j Q_0[A_j]                  (= int_{A_j} sigma_j f p)
    S_ij = (w_i w_j P_2 + (w_i b_j + b_i w_j) P_1 + b_i b_j P_0)[A_i cap A_j].

With ``X_j = int_{A_j} x (N - f) p`` and ``Y_j = int_{A_j} (N - f) p``:

    X_j = c P_1[A_j] + sum_i v_i (w_i P_2 + b_i P_1)[A_i cap A_j] - Q_1[A_j]
    Y_j = c P_0[A_j] + sum_i v_i (w_i P_1 + b_i P_0)[A_i cap A_j] - Q_0[A_j]
    G_w_j = 2 v_j X_j,  G_b_j = 2 v_j Y_j,  G_v_j = 2 (w_j X_j + b_j Y_j),
    G_c = 2 (c + sum_j v_j S_j - int f p).

These are the generalized gradient with ``relu'(0) = 0`` (docs/design.md, section 1):
the boundary terms from moving ends vanish because ``sigma_j`` is zero at its
own kink. ``A_i cap A_j = [max(l_i, l_j), max(max(l_i, l_j), min(r_i, r_j))]``.
The case logic (kink inside or outside, order of kinks) is the arithmetic's:
decided for points, united over the possible cases for balls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from verifier.arith.series import NotOnePiece
from verifier.field.moments import Moments


@dataclass
class KernelResult:
    risk: Any
    X: list  # per neuron, int_{A_j} x (N - f) p   (0 for dead neurons)
    Y: list  # per neuron, int_{A_j} (N - f) p
    S: list  # per neuron, int_{A_j} sigma_j p
    Gc: Any


def _dying_ends(ar, mom: Moments, w, b, lo, hi, side: str):
    """Active-interval ends of a neuron on one side of its "dying" surface.

    The dying surface of a neuron facing right (``w > 0``, active on ``[k, b]``, ``k``
    the kink) is ``k = b``; of one facing left (``w < 0``, active on ``[a, k]``) it is
    ``k = a``: there the neuron's active set has measure zero, so it is dead. Side
    ``"dead"``: no active interval (the field of the network without the neuron).
    Side ``"live"``: the ends with the kink *not* clamped at the dying end, and the
    moments continued analytically beyond it (:meth:`Moments.at_extended`): the
    analytic continuation of the live side's formula across the surface.
    """
    if side == "dead":
        return None
    sw = ar.sign(w)
    if sw not in (1, -1):
        raise NotOnePiece("the neuron's orientation is undecided")
    k = -b / w
    if sw == 1:
        left_x = ar.max(k, lo)
        left = (left_x, mom.at_extended(ar, left_x, "hi"))
        return left, (hi, mom.at_end(ar, -1))
    right_x = ar.min(k, hi)
    return (lo, mom.at_end(ar, 0)), (right_x, mom.at_extended(ar, right_x, "lo"))


def evaluate(ar, mom: Moments, w, b, v, c, want_risk: bool = True,
             sides: dict[int, str] | None = None) -> KernelResult:
    """Evaluate the closed forms at ``(w, b, v, c)`` (sequences of length H and a scalar).

    ``sides`` (``{j: "live" | "dead"}``) replaces neuron ``j``'s active interval by
    one side's formula across its dying surface (:func:`_dying_ends`)."""
    H = len(w)
    lo = ar.const(mom.cuts[0])
    hi = ar.const(mom.cuts[-1])
    zero = ar.rational(0, 1)

    def at(x) -> tuple:
        """The moments at an end of an active interval (at ``a`` or ``b``: cached)."""
        if x is lo:
            return mom.at_end(ar, 0)
        if x is hi:
            return mom.at_end(ar, -1)
        return mom.at(ar, x)

    ends = []
    #: Live-side neurons and their orientation (+1: dying at hi, -1: dying at lo).
    facing: dict[int, int] = {}
    for j in range(H):
        if sides and j in sides:
            ends.append(_dying_ends(ar, mom, w[j], b[j], lo, hi, sides[j]))
            if sides[j] == "live":
                facing[j] = ar.sign(w[j])
            continue
        iv = ar.active_interval(w[j], b[j], lo, hi)
        if iv is None:
            ends.append(None)
            continue
        left = (iv[0], at(iv[0]))
        right = ar.tagged_max(left, (iv[1], at(iv[1])))
        ends.append((left, right))

    def _continued(s: int, L: tuple, Ui: tuple) -> bool:
        """Whether ``[L, Ui]`` runs from live-side neuron ``s``'s dying end to its
        continued kink (or back). On the live side the kink is strictly inside the
        domain, so ``Ui > L`` there and the clamp ``max(L, Ui)`` is inactive: dropping
        it keeps the formula analytic across the surface, as the live side must be."""
        if s not in facing:
            return False
        if facing[s] == -1:  # active on [lo, k_s): the right end continues
            return Ui is ends[s][1] and L[0] is lo
        return L is ends[s][0] and Ui[0] is hi  # active on (k_s, hi]

    def over(j: int, i: int) -> tuple:
        """Moments over A_i cap A_j."""
        if i == j:
            L, U = ends[j]
        elif ends[i][0] is ends[i][1] or ends[j][0] is ends[j][1]:
            # A neuron whose active interval is decided to be a single point (its kink
            # clamped to an end) meets every other one in measure zero; comparing the
            # other's ends with that point could only be undecided, never useful.
            return (zero,) * len(ends[j][0][1])
        else:
            L = ar.tagged_max(ends[i][0], ends[j][0])
            Ui = ar.tagged_min(ends[i][1], ends[j][1])
            U = Ui if _continued(i, L, Ui) or _continued(j, L, Ui) else ar.tagged_max(L, Ui)
        if U is L:  # the same end: an empty interval, whose moments are exactly 0
            return (zero,) * len(L[1])
        return tuple(u - m for u, m in zip(U[1], L[1]))

    alive = [j for j in range(H) if ends[j] is not None]
    pair: dict[tuple[int, int], tuple] = {}
    for jj, j in enumerate(alive):
        for i in alive[jj:]:
            pair[(i, j)] = pair[(j, i)] = over(j, i)

    Iff, F0 = mom.constants(ar)
    X = [zero] * H
    Y = [zero] * H
    S = [zero] * H
    T = [zero] * H
    for j in alive:
        m = pair[(j, j)]
        S[j] = w[j] * m[1] + b[j] * m[0]
        T[j] = w[j] * m[4] + b[j] * m[3]
        xs = c * m[1] - m[4]
        ys = c * m[0] - m[3]
        for i in alive:
            q = pair[(i, j)]
            xs = xs + v[i] * (w[i] * q[2] + b[i] * q[1])
            ys = ys + v[i] * (w[i] * q[1] + b[i] * q[0])
        X[j] = xs
        Y[j] = ys
    Gc = c - F0
    for j in alive:
        Gc = Gc + v[j] * S[j]
    Gc = 2 * Gc
    risk = None
    if want_risk:
        risk = Iff - 2 * c * F0 + ar.powi(c, 2)
        for j in alive:
            risk = risk + 2 * v[j] * (c * S[j] - T[j])
            for i in alive:
                q = pair[(i, j)]
                Sij = w[i] * w[j] * q[2] + (w[i] * b[j] + b[i] * w[j]) * q[1] + b[i] * b[j] * q[0]
                risk = risk + v[i] * v[j] * Sij
    return KernelResult(risk, X, Y, S, Gc)
