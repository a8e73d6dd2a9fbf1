"""The *saturating-neuron* trapping argument, proven for a given section.

Setting and notation as in :mod:`verifier.proof.trapping.sublevel` (normalized flow). A live
neuron ``j`` is *saturating at the end* ``e`` of ``[a, b]`` when its kink
``kappa = -tan phi_j`` is close to ``e`` and it is active on the rest of ``[a, b]``:
``w_j < 0`` and active on ``[a, kappa)`` (``e = b``), or ``w_j > 0`` and active on
``(kappa, b]`` (``e = a``). Its *inactive piece* ``I`` (between the kink and ``e``) has
length ``eps = b - kappa`` resp. ``kappa - a``; ``eps <= 0`` means the neuron is fully
active. As ``eps -> 0`` the network tends to an affine function. The argument is stated
and proven in ``docs/infinite-horizon.md`` (section "Saturating neurons"); in short:

*Data* (``{"kind": "saturating", ...}``): frozen (dead) neurons, the saturating neuron
(the only live one) with its end, a box ``U`` and exact numbers ``lstar``, ``mu``,
``level``, ``length``.

*Verified here*:

1. frozen neurons are dead on ``X_T``; ``X_T`` lies in ``U`` (strictly in the moving
   coordinates ``phi_j, v_j, c``);
2. on ``U``: ``w_j`` has the sign of the end (``< 0`` for ``b``, ``> 0`` for ``a``) and the
   kink stays beyond the other end (``kappa > a`` resp. ``< b``); so on ``U`` (frozen
   neurons dead) ``N = s x + beta + n`` with ``(s, beta) = (v w, c + v sin phi)`` and
   ``n = -s (x - kappa) 1_I``, and ``L = F(u)``, ``u = (s, beta, kappa)``,
   ``F = l(s, beta) + D``, ``D = -s int_I (x - kappa) (r_aff + r) p``, ``r_aff = s x +
   beta - f``, ``r = r_aff + n = N - f``;
3. ``lstar <= l*`` (the least-squares error of the best affine fit);
4. by branch and bound over ``U``: on every cell, ``mu <= lambda_J * mu_u`` where
   ``lambda_J = det(J_u J_u^T) / E_2(J_u J_u^T)`` bounds ``lambda_min(J_u J_u^T)`` below
   (``J_u = du/dy``, ``det J_u = -1/w``, ``E_2`` the sum of the principal 2x2 minors,
   each a sum of squared minors of ``J_u``), and ``mu_u = 2 lambda_min(M)`` on cells where
   the neuron is fully active, else ``mu_u = min(2 lambda_min(M), (c0^2 - c2^2 eps^2) /
   c1)`` with, over ``x`` in ``X = [kappa_lo, b]`` (resp. ``[a, kappa_hi]``):
   ``r p`` of one sign and ``c0 <= 2 |s| |r p|`` (so ``|dD/dkappa| = 2 |s| |int_I r p| >=
   c0 eps``), ``-sgn s (r_aff + r) p >= 0`` (so ``D >= 0``) and ``c1 >= |s (r_aff + r) p|
   / 2`` (``D <= c1 eps^2``), ``c2^2 >= sup|(r_aff + s kappa) p|^2 + s^2 sup p^2`` (``|grad_z
   D| <= c2 eps^2``), ``sgn = +1`` for ``e = b`` and ``-1`` for ``e = a``. Then
   ``|grad_u F|^2 >= mu_u (L - l*)`` and ``|grad_y L|^2 >= mu (L - l*)`` on ``U``;
5. ``sup L(X_T) <= level``, ``length^2 mu >= 4 (level - lstar)`` and ``length < gap`` (the
   distance from ``X_T`` to the boundary of ``U`` in the moving coordinates);
6. the claimed bounds dominate ``U``'s ``v`` and ``c`` extents.

*Conclusion.* ``L - l* >= 0`` and ``|grad L|^2 >= mu (L - l*)`` on ``U``: the arc length
after ``T`` is at most ``(2 / sqrt(mu)) sqrt(level - lstar) <= length < gap``, so the
solution never reaches the boundary of ``U``.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from flint import arb

from verifier.arith.balls import BallArithmetic
from verifier.arith.numbers import ball
from verifier.field.pointwise import PointFunctions
from verifier.proof.trapping.arc_length import affine_fit
from verifier.proof.trapping.cells import Budget, prove_on_cells, to_balls
from verifier.proof.trapping.neurons import domain_balls
from verifier.proof.trapping.spec import (
    Setting,
    check_keys,
    parse_bounds,
    parse_box,
    parse_header,
    parse_neuron,
    parse_numbers,
    require_bounds_cover,
    require_contained,
    require_gap,
    require_sup_at_most,
)
from verifier.proof.verdict import PROVEN, NotProven, Rejected, Verdict, require

KIND = "saturating"
KEYS = {"kind", "frozen", "saturating", "box", "lstar", "mu", "level", "length", "bounds"}

#: Default number of cells for the branch and bound of the PL constant over ``U``.
PL_CELLS = 20_000


def _sq(x: arb) -> arb:
    return BallArithmetic().powi(x, 2)


def lambda_min_2x2(M11: arb, M12: arb, M22: arb) -> arb:
    """A lower bound (exact ball) of the smallest eigenvalue of a symmetric 2x2 matrix
    with positive determinant: ``2 D / (T + sqrt(T^2 - 4 D))`` at ``D`` low, ``T`` high."""
    D = (M11 * M22 - _sq(M12)).lower()
    T = (M11 + M22).upper()
    if not D > 0:
        return arb(0)
    disc = (T * T - 4 * D).upper()
    disc = disc if disc > 0 else arb(0)
    return (2 * D / (T + disc.sqrt())).lower()


def geometry(flow: str, end: str, phi: arb, problem: Any) -> Verdict:
    """Item 2 over a ball of ``phi_j``."""
    a, e = domain_balls(problem)
    w = phi.cos()
    kappa = -phi.sin() / w
    if end == "b":
        if not w < 0:
            return NotProven("w is not certainly negative on the box")
        if not kappa.lower() > a.upper():
            return NotProven("the kink is not certainly right of a on the box")
    else:
        if not w > 0:
            return NotProven("w is not certainly positive on the box")
        if not kappa.upper() < e.lower():
            return NotProven("the kink is not certainly left of b on the box")
    return PROVEN


def cell_mu(problem: Any, j: int, end: str, y: Sequence[arb], lam_M: arb,
            fp: PointFunctions) -> arb:
    """A lower bound (exact ball) of ``lambda_J * mu_u`` over the cell ``y`` (item 4);
    0 when nothing can be said."""
    H = problem.width
    a, e = domain_balls(problem)
    phi, v, c = y[j], y[H + j], y[2 * H]
    w, sb = phi.cos(), phi.sin()
    rows = [(-v * sb, w, arb(0)), (v * w, sb, arb(1)), (-1 / _sq(w), arb(0), arb(0))]
    E2 = arb(0)
    for p_ in range(3):
        for q in range(p_ + 1, 3):
            for i in range(3):
                for k in range(i + 1, 3):
                    E2 = E2 + _sq(rows[p_][i] * rows[q][k] - rows[p_][k] * rows[q][i])
    lam_J = ((1 / _sq(w)).lower() / E2.upper()).lower()
    if not lam_J > 0:
        return arb(0)
    two_lam = 2 * lam_M
    kappa = -sb / w
    eps = (e - kappa) if end == "b" else (kappa - a)
    if eps.upper() <= 0:  # fully active on the whole cell
        return (lam_J * two_lam).lower()
    eps_max = eps.upper()
    xs = arb.union(kappa.lower(), e.upper()) if end == "b" else arb.union(a.lower(),
                                                                         kappa.upper())
    ar = BallArithmetic()
    s = v * w
    beta = c + v * sb
    fx, px = fp.f(ar, xs), fp.p(ar, xs)
    r_aff = s * xs + beta - fx
    r = c - fx  # on the inactive piece the neuron contributes nothing
    rp = r * px
    if not (rp > 0 or rp < 0):
        return arb(0)
    sgn = 1 if end == "b" else -1
    q = -sgn * s * (r_aff + r) * px
    if not q.lower() >= 0:
        return arb(0)
    c0 = (2 * abs(s).lower() * rp.abs_lower()).lower()
    c1 = (q.upper() / 2).upper()
    c2sq = (_sq((r_aff + s * kappa) * px).upper() + _sq(abs(s).upper() * px.abs_upper())
            ).upper()
    num = (_sq(c0) - c2sq * _sq(eps_max)).lower()
    if not num > 0:
        return arb(0)
    mu_u = two_lam if c1 == 0 else min(two_lam, (num / c1).lower())
    return (lam_J * mu_u).lower()


def prove_pl(problem: Any, j: int, end: str, box: Sequence[tuple[Fraction, Fraction]],
             mu: Fraction, lam_M: arb, moving: Sequence[int],
             max_cells: int = PL_CELLS) -> Verdict:
    """Item 4 by bisection of the widest moving coordinate."""
    fp = PointFunctions(problem)
    target = ball(mu)
    start = [(ball(lo).lower(), ball(hi).upper()) for lo, hi in box]
    return prove_on_cells(to_balls(start), {i: start[i] for i in moving},
                          lambda y: bool(cell_mu(problem, j, end, y, lam_M, fp) >= target),
                          max_cells, "the PL constant")


def parse(spec: Any, S: Setting) -> dict:
    """Validate the structure of a saturating section; numbers become Fractions."""
    H = S.H
    frozen = parse_header(spec, KEYS, KIND, H)
    sat = spec["saturating"]
    check_keys(sat, {"neuron", "end"})
    j = parse_neuron(sat["neuron"], H, "saturating.neuron")
    if sat["end"] not in ("a", "b"):
        raise Rejected("saturating.end must be 'a' or 'b'")
    if j in frozen or len(frozen) != H - 1:
        raise Rejected("the saturating neuron must be the only one not frozen")
    out = {"frozen": frozen, "neuron": j, "end": sat["end"], "box": parse_box(spec["box"], S.dim),
           **parse_numbers(spec, ("lstar", "mu", "level", "length"))}
    out["bv"], out["bc"] = parse_bounds(spec["bounds"], H)
    return out


def check(S: Setting, sp: dict) -> None:
    """Prove a ``saturating`` section, as :func:`parse` read it (module docstring); raises
    :class:`~verifier.proof.verdict.Rejected` naming the first item that fails."""
    require(S.flow == "normalized",
            "the saturating-neuron argument is implemented for the normalized flow")
    frozen, j, end, K = sp["frozen"], sp["neuron"], sp["end"], sp["box"]
    lstar, mu, level, length = sp["lstar"], sp["mu"], sp["level"], sp["length"]
    frozen_idx = S.coordinates(frozen)
    moving = [i for i in range(S.dim) if i not in frozen_idx]
    require(mu > 0 and length >= 0 and level >= lstar,
            "need mu > 0, length >= 0 and level >= lstar")
    require(length * length * mu >= 4 * (level - lstar),
            "length is below (2 / sqrt(mu)) sqrt(level - lstar)")
    S.require_dead(frozen)
    require_contained(S, K, frozen_idx)
    require_bounds_cover(S, sp["bv"], sp["bc"], K)
    require_gap(S, K, moving, length)
    lo, hi = ball(K[j][0]).lower(), ball(K[j][1]).upper()
    geometry(S.flow, end, lo if lo == hi else arb.union(lo, hi), S.problem).require(
        f"saturating neuron {j + 1}: ")
    M11, M12, M22, lstar_true = affine_fit(S.problem)
    require(lstar_true.lower() >= ball(lstar).upper(),
            "lstar is not certainly below the least-squares error of the affine fit")
    lam_M = lambda_min_2x2(M11, M12, M22)
    prove_pl(S.problem, j, end, K, mu, lam_M, moving, min(PL_CELLS, S.max_cells)).require(
        "cannot prove |grad L|^2 >= mu (L - l*) on the box: ")
    require_sup_at_most(S, level, Budget(S.max_cells))
