"""Independent re-verification of the *saturating-neuron* trapping argument.

Setting and notation as in :mod:`verifier.checker.trapping` (normalized flow). A live
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

This module imports nothing from :mod:`verifier.certificates` or :mod:`verifier.integrate`.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from flint import arb

from verifier.arith.balls import BallArithmetic
from verifier.arith.precision import check_prec, precision
from verifier.checker.arc_length import affine_fit
from verifier.checker.dying import PointFunctions
from verifier.checker.trapping import (
    RiskField,
    TrapCheckError,
    _Budget,
    _check_terminal,
    _domain_ends,
    _midpoint,
    _to_balls,
    ball_of,
    bounds_cover,
    check_keys,
    containment,
    neuron_coordinates,
    neuron_dead,
    parse_bounds,
    parse_box,
    parse_exact,
    parse_header,
    sup_at_most,
    terminal_ends,
)
from verifier.field import flows

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


def geometry(flow: str, end: str, phi: arb, problem: Any) -> str | None:
    """Item 2 over a ball of ``phi_j`` (None: verified)."""
    a, e = (ball_of(t) if isinstance(t, Fraction) else t for t in _domain_ends(problem))
    w = phi.cos()
    kappa = -phi.sin() / w
    if end == "b":
        if not w < 0:
            return "w is not certainly negative on the box"
        if not kappa.lower() > a.upper():
            return "the kink is not certainly right of a on the box"
    else:
        if not w > 0:
            return "w is not certainly positive on the box"
        if not kappa.upper() < e.lower():
            return "the kink is not certainly left of b on the box"
    return None


def cell_mu(problem: Any, j: int, end: str, y: Sequence[arb], lam_M: arb,
            fp: PointFunctions) -> arb:
    """A lower bound (exact ball) of ``lambda_J * mu_u`` over the cell ``y`` (item 4);
    0 when nothing can be said."""
    H = problem.width
    a, e = (ball_of(t) if isinstance(t, Fraction) else t for t in _domain_ends(problem))
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
             max_cells: int = PL_CELLS) -> str | None:
    """Item 4 by bisection of the widest moving coordinate (None: proven)."""
    fp = PointFunctions(problem)
    target = ball_of(mu)
    stack = [[(ball_of(lo).lower(), ball_of(hi).upper()) for lo, hi in box]]
    cells = 0
    while stack:
        B = stack.pop()
        cells += 1
        if cells > max_cells:
            return "cell budget exhausted before a proof of the PL constant"
        if cell_mu(problem, j, end, _to_balls(B), lam_M, fp) >= target:
            continue
        i = max((i for i in moving if B[i][0] != B[i][1]),
                key=lambda i: float((B[i][1] - B[i][0]).upper()), default=None)
        m = None if i is None else _midpoint(*B[i])
        if i is None or not (B[i][0] < m < B[i][1]):
            return "cannot prove the PL constant on a cell that cannot be bisected"
        left, right = list(B), list(B)
        left[i], right[i] = (B[i][0], m), (m, B[i][1])
        stack += [right, left]
    return None


def parse_saturating(spec: Any, H: int, dim: int) -> dict:
    """Validate the structure of a saturating section; numbers become Fractions."""
    frozen = parse_header(spec, KEYS, "saturating", H)
    sat = spec["saturating"]
    check_keys(sat, {"neuron", "end"})
    j = sat["neuron"]
    if isinstance(j, bool) or not isinstance(j, int) or not 0 <= j < H:
        raise TrapCheckError(f"saturating.neuron: not a neuron index in [0, {H})")
    if sat["end"] not in ("a", "b"):
        raise TrapCheckError("saturating.end must be 'a' or 'b'")
    if j in frozen or len(frozen) != H - 1:
        raise TrapCheckError("the saturating neuron must be the only one not frozen")
    out = {"frozen": frozen, "neuron": j, "end": sat["end"],
           "box": parse_box(spec["box"], dim)}
    for key in ("lstar", "mu", "level", "length"):
        out[key] = parse_exact(spec[key], key)
    out["bv"], out["bc"] = parse_bounds(spec["bounds"], H)
    return out


def check_saturating(problem: Any, flow: str, signs: Any, terminal: Sequence[arb],
                     spec: Any, prec: int, max_cells: int) -> str | None:
    """Verify a ``saturating`` section (module docstring); None when verified, else a
    one-line reason. Raises :class:`TrapCheckError` on malformed input."""
    flows.check_flow(flow)
    check_prec(prec)
    if flow != "normalized":
        return "the saturating-neuron argument is implemented for the normalized flow"
    H = problem.width
    dim = flows.dim(flow, H)
    s = flows.check_signs(signs, H, flow)
    terminal = _check_terminal(terminal, dim)
    sp_ = parse_saturating(spec, H, dim)
    frozen, j, end, K = sp_["frozen"], sp_["neuron"], sp_["end"], sp_["box"]
    lstar, mu, level, length = sp_["lstar"], sp_["mu"], sp_["level"], sp_["length"]
    frozen_idx = sorted(i for f in frozen for i in neuron_coordinates(flow, H, f))
    moving = [i for i in range(dim) if i not in frozen_idx]
    names = flows.coordinate_names(flow, H)
    if not (mu > 0 and length >= 0 and level >= lstar):
        return "need mu > 0, length >= 0 and level >= lstar"
    if not length * length * mu >= 4 * (level - lstar):
        return "length is below (2 / sqrt(mu)) sqrt(level - lstar)"
    with precision(prec):
        for f in frozen:
            if not neuron_dead(problem, flow, s, f, terminal):
                return f"neuron {f + 1} is not certainly dead over the terminal box"
        why = containment(K, terminal, frozen_idx, names)
        if why is not None:
            return why
        why = bounds_cover(sp_["bv"], sp_["bc"], K, flow, H)
        if why is not None:
            return why
        ends = terminal_ends(terminal)
        gap = min(min(ends[i][0] - K[i][0], K[i][1] - ends[i][1]) for i in moving)
        if not length < gap:
            return (f"the arc length bound {float(length):.6g} is not below the distance "
                    f"{float(gap):.6g} from X_T to the boundary of the box")
        lo, hi = ball_of(K[j][0]).lower(), ball_of(K[j][1]).upper()
        why = geometry(flow, end, lo if lo == hi else arb.union(lo, hi), problem)
        if why is not None:
            return f"saturating neuron {j + 1}: {why}"
        M11, M12, M22, lstar_true = affine_fit(problem)
        if not lstar_true.lower() >= ball_of(lstar).upper():
            return "lstar is not certainly below the least-squares error of the affine fit"
        lam_M = lambda_min_2x2(M11, M12, M22)
        why = prove_pl(problem, j, end, K, mu, lam_M, moving, min(PL_CELLS, max_cells))
        if why is not None:
            return f"cannot prove |grad L|^2 >= mu (L - l*) on the box: {why}"
        why = sup_at_most(RiskField(problem, flow, s), terminal, level, _Budget(max_cells))
        if why is not None:
            return why
    return None


__all__ = ["KEYS", "cell_mu", "check_saturating", "geometry", "lambda_min_2x2",
           "parse_saturating", "prove_pl"]
