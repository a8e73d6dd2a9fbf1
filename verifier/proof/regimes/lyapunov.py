"""The Lyapunov function of a partially active neuron (``docs/regions.md``, Lemma 2).

Setting: one neuron (width 1) facing ``side`` on a cell of directions (its kink ``k`` in
``[a, b]`` or beyond the dying end ``e``, where it is dead), active piece ``A`` of length
``eps`` measured by the distance ``s`` to the kink; ``sigma = |w| s`` and
``d sigma / d theta = alpha - gamma s`` on ``A`` (:meth:`Neuron.slope_coefficients`).
Let ``s_bar`` be the mean of ``s`` under ``p`` on ``A`` and

    G'(theta) = 2 |w| s_bar / (alpha - gamma s_bar)   (= 2 int_A sigma p / int_A sigma_theta p),
    beta      = 2 |w| + G' gamma.

Then ``k = -2 sigma + G' sigma_theta = beta (s_bar - s)`` satisfies ``int_A k p = 0``, and along
the flow (``normalized``, ``normalized-weights``: ``Q = u^2 - G(theta)``; ``standard``:
``Q = log rho^2 - G(phi)``)

    Q' = -(2 / W) u (u D + N),   D = beta |w| int_A (s - s_bar)^2 p,   N = int_A k f p,

with ``W = 1`` (``W = rho^2`` for ``standard``). Since ``int_A k p = 0``,
``N = int_A k (f - f(k)) p`` and ``|f(x) - f(k)| <= Lip_A s``, so
``|N| <= beta Lip_A int |s - s_bar| s p`` and, if ``beta > 0``, ``Q' <= 0`` wherever

    |u| >= R := (Lip_A / |w|) rho,    rho = int |s - s_bar| s p / int (s - s_bar)^2 p

(:mod:`verifier.proof.regimes.statistics`). :func:`check_cell` proves, over one cell, that the
hypotheses hold (facing, ``alpha - gamma s_bar`` of one sign, ``beta > 0``) and returns
exact upper bounds of ``R`` and of ``|G'|``.
"""

from __future__ import annotations

from dataclasses import dataclass

from flint import arb

from verifier.proof.regimes.geometry import Cell, Neuron
from verifier.proof.regimes.statistics import ActivePieceStatistics


@dataclass(frozen=True)
class LyapunovCell:
    threshold: arb  # exact upper bound of R over the cell
    slope: arb  # exact upper bound of |G'| over the cell


class LyapunovError(ArithmeticError):
    """A hypothesis of the lemma is not proven on the cell (one line)."""


def check_cell(nu: Neuron, stats: ActivePieceStatistics, fp_slope, cell: Cell,
               side: int) -> LyapunovCell:
    """Prove the lemma's hypotheses on a finite cell and bound ``R`` and ``|G'|``.

    ``fp_slope(x)`` encloses ``f'`` over a ball of ``x``
    (:meth:`verifier.field.pointwise.PointFunctions.slope`)."""
    if not cell.finite:
        raise LyapunovError("a Lyapunov cell must be finite")
    if not nu.partial(cell, side):
        raise LyapunovError("the neuron is not certainly partially active facing "
                            f"{'right' if side == 1 else 'left'} on the cell")
    eps_lo, eps_hi = nu.active_length(cell, side)
    if not eps_hi > 0:  # dead on the whole cell: Q is constant there
        return LyapunovCell(arb(0), arb(0))
    e = nu.dying_end(side)
    st = stats.enclose(e, side, eps_lo, eps_hi, nu.x0, nu.x1)
    w, _ = nu.direction(cell)
    aw = abs(w)
    if not aw > 0:
        raise LyapunovError("|w| is not certainly positive")
    eps = eps_hi if eps_lo == eps_hi else arb.union(eps_lo, eps_hi)
    s_bar = eps * st.t_bar
    alpha, gamma = nu.slope_coefficients(cell, side)
    den = alpha - gamma * s_bar
    if not (den > 0 or den < 0):
        raise LyapunovError("int_A sigma_theta p is not certainly nonzero")
    g_prime = 2 * aw * s_bar / den
    beta = 2 * aw + g_prime * gamma
    if not beta > 0:
        raise LyapunovError("beta = 2 |w| + G' gamma is not certainly positive")
    reach = e - side * eps_hi
    xs = arb.union(e.lower() if e.lower() < reach.lower() else reach.lower(),
                   e.upper() if e.upper() > reach.upper() else reach.upper())
    lip = abs(fp_slope(xs))
    R = lip * st.rho / aw
    if not (R.is_finite() and g_prime.is_finite()):
        raise LyapunovError("the threshold or G' is not finite on the cell")
    return LyapunovCell(R.upper(), abs(g_prime).upper())
