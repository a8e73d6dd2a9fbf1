"""The *arc-length* (Polyak–Łojasiewicz) trapping argument, proven for a given section.

Setting and notation as in :mod:`verifier.proof.trapping.sublevel`: the flow ``y' = -grad L(y)``,
a terminal box ``X_T`` that contains the state at time ``T``. The argument is stated and
proven in ``docs/infinite-horizon.md`` (section "Arc length"); in short:

*Data* (the section ``{"kind": "arc-length", ...}``): frozen (dead) neurons ``F``, fully
active neurons ``A`` (at least one), dying neurons ``D`` (possibly none; each with the
constants of :mod:`verifier.proof.trapping.dying` and ``C_e``), a box ``U`` (every coordinate)
and exact numbers ``lstar``, ``mu``, ``Lambda``, ``level``, ``length``. The *rest* ``R``
is the coordinates of ``A`` and ``c``.

*Verified here* (ball arithmetic, exact rational comparisons):

1. every neuron of ``F`` is dead over ``X_T``; ``X_T`` lies in ``U`` (strictly, in the
   non-frozen coordinates); for the standard flow no ``(w_j, b_j)`` rectangle of ``U``
   contains ``(0, 0)``;
2. every neuron of ``A`` is *fully active* on ``U``: ``w_j a + b_j >= 0`` and
   ``w_j b + b_j >= 0`` at every point of ``U``. Then on ``U`` the network is
   ``N(x) = s x + beta + sum_D v_j sigma_j^+(x)`` with
   ``z = (s, beta) = (sum_A v_j w_j, c + sum_A v_j b_j)``, and
   ``L(y) = l(z) + D(y)``, ``l(z) = l* + (z - z*)^T M (z - z*)`` (``M`` the Gram matrix
   of ``(x, 1)`` under ``p``, ``(z*, l*)`` the least-squares affine fit of ``f``);
3. ``lstar <= l*`` (from the problem's closed-form moments in ball arithmetic);
4. ``mu <= 4 lambda_min(J J^T M)`` and ``tr(J J^T M) <= Lambda`` at every point of ``U``,
   ``J = dz/dy_R``. By branch and bound over the coordinates ``J`` depends on; per cell
   ``lambda_min >= 2 D / (T + sqrt(T^2 - 4 D))`` with ``D`` a lower bound of
   ``det(J J^T) det M`` (Cauchy–Binet: a sum of squared 2x2 minors) and ``T`` an upper
   bound of ``tr(J J^T M)``. With ``g = J^T grad l(z) = 2 J^T M (z - z*)``:
   ``mu (l - l*) <= |g|^2 <= 4 Lambda (l - l*)`` on ``U``;
5. the dying neurons satisfy the hypotheses of :mod:`verifier.proof.trapping.dying` (geometry,
   ``eps``, ``h >= k``, ``C_v``, ``drift``) on ``U``, and ``C_e`` bounds
   ``sqrt(tr(J J^T)) |v_j w_j| sup_{A_j} sqrt(1 + x^2) p`` on ``U``, so that the
   perturbation ``e = grad_R D = J^T grad_z D`` has ``|e| <= sum_D C_e eps_j^2``;
6. ``level >= sup l(z(X_T))`` (without dying neurons ``L = l(z)`` on ``U`` and this is
   ``sup L(X_T)``, by branch and bound; with them, a mean-value enclosure);
7. ``length >= E + (2 / sqrt(mu)) (sqrt(level - lstar) + sqrt(Lambda) E)``,
   ``E = sum_D C_e eps^2 / (2 k)`` (ball arithmetic; without dying neurons ``E = 0``);
8. ``length < gap``, the smallest distance, over the rest coordinates, from the terminal
   interval to the ends of ``U``'s interval (exact);
9. the claimed bounds dominate ``U``'s ``v`` and ``c`` extents.

*Conclusion.* Up to a first exit time from ``U`` the dying neurons stay inside ``U``
(:mod:`verifier.proof.trapping.dying`), and along the rest ``y_R' = -(g + e)``;
``V = l(z) - l*`` satisfies ``d/dt sqrt V <= -(sqrt(mu) / 2) |g| + sqrt(Lambda) |e|``,
so the arc length of ``y_R`` after ``T`` is at most ``length < gap``: no rest coordinate
reaches the boundary either. So the solution stays in ``U`` for all ``t >= T``.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from flint import arb

from verifier.arith.balls import BallArithmetic
from verifier.arith.numbers import ball, parse_constant
from verifier.field import flows
from verifier.field.pointwise import PointFunctions
from verifier.proof.trapping.cells import Budget, prove_on_cells, to_balls
from verifier.proof.trapping.dying import (
    DYING_KEYS,
    Dying,
    active_strip,
    dying_numbers,
    parse_dying_entry,
    prove_rates,
    require_dying_neurons,
)
from verifier.proof.trapping.dying import FLOWS as DYING_FLOWS
from verifier.proof.trapping.neurons import domain_balls, fully_active, neuron_coordinates
from verifier.proof.trapping.spec import (
    Setting,
    check_keys,
    parse_bounds,
    parse_box,
    parse_header,
    parse_index_list,
    parse_numbers,
    require_bounds_cover,
    require_contained,
    require_gap,
    require_regular,
    require_sup_at_most,
)
from verifier.proof.verdict import Rejected, Verdict, require

KIND = "arc-length"
KEYS = {"kind", "frozen", "active", "dying", "box", "lstar", "mu", "Lambda", "level",
        "length", "bounds"}

#: Default number of cells for the branch and bound of ``lambda_min`` over ``U``.
PL_CELLS = 20_000


def _base(box: Sequence[tuple[Fraction, Fraction]]) -> list[arb]:
    """One ball per coordinate of an exact box (the exact ball of a point)."""
    return [ball(lo) if lo == hi else arb.union(ball(lo).lower(), ball(hi).upper())
            for lo, hi in box]


def moment_sums(problem: Any) -> tuple[arb, arb, arb, arb, arb, arb]:
    """``(P0, P1, P2, Q0, Q1, int f^2 p)``: ``P_k = int x^k p`` and ``Q_k = int x^k f p``
    over the domain, as balls from the closed-form moments (current precision)."""
    ar = BallArithmetic()
    mom = problem.moments
    lo, hi = ar.const(mom.cuts[0]), ar.const(mom.cuts[-1])
    top, bot = mom.at(ar, hi), mom.at(ar, lo)
    P0, P1, P2, Q0, Q1 = (u - d for u, d in zip(top, bot))
    Iff, _ = mom.constants(ar)
    return P0, P1, P2, Q0, Q1, Iff


def affine_fit_data(problem: Any) -> tuple[arb, arb, arb, arb, arb, arb, arb]:
    """``(M11, M12, M22, Q1, Q0, int f^2 p, l*)`` as balls (current precision)."""
    ar = BallArithmetic()
    P0, P1, P2, Q0, Q1, Iff = moment_sums(problem)
    det = P2 * P0 - ar.powi(P1, 2)
    if not det > 0:
        raise Rejected("cannot prove that the Gram matrix of (x, 1) is positive definite")
    lstar = Iff - (P0 * ar.powi(Q1, 2) - 2 * P1 * Q0 * Q1 + P2 * ar.powi(Q0, 2)) / det
    return P2, P1, P0, Q1, Q0, Iff, lstar


def affine_fit(problem: Any) -> tuple[arb, arb, arb, arb]:
    """``(M11, M12, M22, l*)``: the Gram matrix ``M = [[P2, P1], [P1, P0]]`` of ``(x, 1)``
    under the density and the least-squares error ``l*`` of the best affine fit, as balls
    (from the closed-form moments; current precision)."""
    d = affine_fit_data(problem)
    return d[0], d[1], d[2], d[6]


def pl_columns(flow: str, signs: Sequence[int], H: int, active: Sequence[int],
               y: Sequence[arb]) -> list[tuple[arb, arb]]:
    """The columns ``dz/dy_i = (ds/dy_i, dbeta/dy_i)`` for the moving coordinates."""
    ar = BallArithmetic()
    w, b, v, _ = flows.parameters(ar, flow, list(y), H, tuple(signs))
    zero, one = arb(0), arb(1)
    cols: list[tuple[arb, arb]] = []
    for j in active:
        if flow == "normalized":
            cols += [(-v[j] * b[j], v[j] * w[j]), (w[j], b[j])]
        elif flow == "normalized-weights":
            cols += [(zero, v[j]), (w[j], b[j])]
        else:
            cols += [(v[j], zero), (zero, v[j]), (w[j], b[j])]
    cols.append((zero, one))
    return cols


def pl_bounds(flow: str, signs: Sequence[int], H: int, active: Sequence[int],
              y: Sequence[arb], M: tuple[arb, arb, arb]) -> tuple[arb, arb, arb]:
    """Over the box ``y`` (balls): ``(lower bound of lambda_min(J J^T M), upper bound of
    tr(J J^T M), upper bound of tr(J J^T))`` as exact balls.

    ``J J^T M`` is similar to ``M^{1/2} J J^T M^{1/2}`` (symmetric, positive
    semidefinite), so its eigenvalues are real and ``lambda_min = f(T, D) = 2 D / (T +
    sqrt(T^2 - 4 D))`` with ``T`` its trace and ``D`` its determinant; ``f`` increases in
    ``D`` and decreases in ``T``, so ``f(T_hi, D_lo)`` bounds it below. ``D = det(J J^T)
    det M`` with ``det(J J^T)`` the sum of the squared 2x2 minors of ``J`` (Cauchy–Binet).
    The trace bounds ``lambda_max`` (the eigenvalues are non-negative). The first entry is
    0 when nothing can be said.
    """
    ar = BallArithmetic()
    M11, M12, M22 = M
    cols = pl_columns(flow, signs, H, active, y)
    A11 = sum((ar.powi(c[0], 2) for c in cols), arb(0))
    A22 = sum((ar.powi(c[1], 2) for c in cols), arb(0))
    A12 = sum((c[0] * c[1] for c in cols), arb(0))
    detA = arb(0)
    for p in range(len(cols)):
        for q in range(p + 1, len(cols)):
            detA = detA + ar.powi(cols[p][0] * cols[q][1] - cols[p][1] * cols[q][0], 2)
    detM = M11 * M22 - ar.powi(M12, 2)
    D = (detA * detM).lower()
    T = (A11 * M11 + 2 * A12 * M12 + A22 * M22).upper()
    JJ = (A11 + A22).upper()
    if not (D.is_finite() and T.is_finite() and D > 0):
        return arb(0), T, JJ
    disc = (T * T - 4 * D).upper()
    disc = disc if disc > 0 else arb(0)
    return (2 * D / (T + disc.sqrt())).lower(), T, JJ


def pl_lower(flow: str, signs: Sequence[int], H: int, active: Sequence[int],
             y: Sequence[arb], M: tuple[arb, arb, arb]) -> arb:
    """A lower bound (exact ball) of ``lambda_min(J J^T M)`` over the box ``y`` (balls);
    see :func:`pl_bounds`."""
    return pl_bounds(flow, signs, H, active, y, M)[0]


def prove_pl(problem: Any, flow: str, signs: Sequence[int], active: Sequence[int],
             box: Sequence[tuple[Fraction, Fraction]], quarter_mu: Fraction,
             M: tuple[arb, arb, arb], max_cells: int = PL_CELLS,
             Lambda: Fraction | None = None) -> Verdict:
    """Prove ``lambda_min(J J^T M) >= quarter_mu`` (and, when ``Lambda`` is given,
    ``tr(J J^T M) <= Lambda``) on ``box`` by bisection.

    Only the coordinates ``J`` depends on are subdivided (the angle or bias, the weights
    and ``v_j`` of the active neurons). Must run inside a precision scope.
    """
    H = problem.width
    idx = [i for j in active for i in neuron_coordinates(flow, H, j)]
    target = ball(quarter_mu)
    top = None if Lambda is None else ball(Lambda)

    def holds(y: list[arb]) -> bool:
        lam, trace, _ = pl_bounds(flow, signs, H, active, y, M)
        return bool(lam >= target and (top is None or trace <= top))

    return prove_on_cells(_base(box), {i: (ball(box[i][0]).lower(), ball(box[i][1]).upper())
                                       for i in idx}, holds, max_cells, "the PL constant")


def perturbation_bounds(problem: Any, flow: str, signs: Sequence[int], active: Sequence[int],
                        dying: Sequence[Dying], y: Sequence[arb], fp: PointFunctions
                        ) -> list[arb | None]:
    """Per dying neuron ``j``, over the box ``y``: an upper bound of
    ``sqrt(tr(J J^T)) |v_j w_j| sup_{x in A_j} sqrt(1 + x^2) p(x)`` (None when no point of
    ``y`` has the neuron active). With ``D = L - l(z)``, ``grad_z D = 2 int (x, 1)
    sum_j v_j sigma_j^+ p`` and ``0 <= sigma_j^+ <= |w_j| eps_j`` on ``A_j`` (an interval
    of length ``eps_j``), so ``|J^T grad_z D| <= sum_j (this bound) eps_j^2``."""
    ar = BallArithmetic()
    H = problem.width
    a, e = domain_balls(problem)
    w, _, v, _ = flows.parameters(ar, flow, list(y), H, tuple(signs))
    jj = pl_bounds(flow, signs, H, active, y, (arb(1), arb(0), arb(1)))[2]
    out: list[arb | None] = []
    for d in dying:
        j = d.neuron
        xs = active_strip(flow, signs, d, y[j], a, e)
        if xs is None:
            out.append(None)
            continue
        weight = (1 + ar.powi(xs, 2)).sqrt() * fp.p(ar, xs)
        out.append((jj.sqrt() * abs(v[j] * w[j]) * weight).abs_upper())
    return out


def prove_perturbation(problem: Any, flow: str, signs: Sequence[int], active: Sequence[int],
                       dying: Sequence[Dying], C_e: Sequence[Fraction],
                       box: Sequence[tuple[Fraction, Fraction]], moving: Sequence[int],
                       max_cells: int = PL_CELLS) -> Verdict:
    """Prove :func:`perturbation_bounds` ``<= C_e[j]`` on ``box`` (bisection over
    ``moving``). Must run inside a precision scope."""
    fp = PointFunctions(problem)
    caps = [ball(c) for c in C_e]
    start = [(ball(lo).lower(), ball(hi).upper()) for lo, hi in box]

    def holds(y: list[arb]) -> bool:
        res = perturbation_bounds(problem, flow, signs, active, dying, y, fp)
        return all(r is None or r <= cap for r, cap in zip(res, caps))

    return prove_on_cells(to_balls(start), {i: start[i] for i in moving}, holds, max_cells,
                          "C_e")


def affine_risk_sup(problem: Any, flow: str, signs: Sequence[int], active: Sequence[int],
                    terminal: Sequence[arb], lstar_data: tuple) -> arb:
    """An upper bound of ``l(z(y))`` over the terminal box (mean-value form at its
    midpoint; ``grad_y (l o z) = J^T (2 M z - 2 q)``)."""
    H = problem.width
    M11, M12, M22, Q1, Q0, Iff = lstar_data
    ar = BallArithmetic()

    def lz(y):
        w, b, v, c = flows.parameters(ar, flow, list(y), H, tuple(signs))
        s_ = sum((v[j] * w[j] for j in active), arb(0))
        beta = c + sum((v[j] * b[j] for j in active), arb(0))
        val = (M11 * ar.powi(s_, 2) + 2 * M12 * s_ * beta + M22 * ar.powi(beta, 2)
               - 2 * Q1 * s_ - 2 * Q0 * beta + Iff)
        gz = (2 * (M11 * s_ + M12 * beta - Q1), 2 * (M12 * s_ + M22 * beta - Q0))
        return val, gz

    mid = [t.mid() for t in terminal]
    val, _ = lz(mid)
    _, gz = lz(terminal)
    cols = pl_columns(flow, signs, H, active, terminal)
    H_ = problem.width
    idx = [i for j in active for i in neuron_coordinates(flow, H_, j)] + [len(terminal) - 1]
    out = val
    for i, col in zip(idx, cols):
        out = out + (col[0] * gz[0] + col[1] * gz[1]) * (terminal[i] - mid[i])
    return out.upper()


def parse(spec: Any, S: Setting) -> dict:
    """Validate the structure of an arc-length section; numbers become Fractions."""
    H = S.H
    frozen = parse_header(spec, KEYS, KIND, H)
    active = parse_index_list(spec["active"], H, "active")
    raw = spec["dying"]
    if not isinstance(raw, list):
        raise Rejected("dying: expected a list")
    dying, C_e = [], []
    for n, d in enumerate(raw):
        check_keys(d, DYING_KEYS | {"C_e"})
        dying.append(parse_dying_entry(d, H, n))
        C_e.append(parse_constant(d["C_e"], f"dying[{n}].C_e"))
    dyn = [d.neuron for d in dying]
    if len(set(dyn)) != len(dyn):
        raise Rejected("dying: a neuron is listed twice")
    if set(frozen) & set(active) or set(dyn) & (set(frozen) | set(active)):
        raise Rejected("a neuron can be only one of frozen, active, dying")
    if len(frozen) + len(active) + len(dyn) != H:
        raise Rejected("every neuron must be frozen, active or dying")
    out = {"frozen": frozen, "active": active, "dying": dying, "C_e": C_e,
           "box": parse_box(spec["box"], S.dim),
           **parse_numbers(spec, ("lstar", "mu", "Lambda", "level", "length"))}
    out["bv"], out["bc"] = parse_bounds(spec["bounds"], H)
    return out


def check(S: Setting, sp: dict) -> None:
    """Prove an ``arc-length`` section, as :func:`parse` read it (module docstring); raises
    :class:`~verifier.proof.verdict.Rejected` naming the first item that fails."""
    frozen, active, dying, K = sp["frozen"], sp["active"], sp["dying"], sp["box"]
    lstar, mu, Lam = sp["lstar"], sp["mu"], sp["Lambda"]
    level, length = sp["level"], sp["length"]
    require(not dying or S.flow in DYING_FLOWS,
            f"dying neurons are supported for the flows {', '.join(DYING_FLOWS)}")
    frozen_idx = S.coordinates(frozen)
    moving = [i for i in range(S.dim) if i not in frozen_idx]
    dying_idx = S.coordinates([d.neuron for d in dying])
    rest = [i for i in moving if i not in dying_idx]
    # exact relations between the claimed numbers
    require(mu > 0 and Lam >= 0 and length >= 0 and level >= lstar,
            "need mu > 0, Lambda >= 0, length >= 0 and level >= lstar")
    dying_numbers(dying, K, S.terminal_ends(), S.flow, S.H)
    require(all(c >= 0 for c in sp["C_e"]), "C_e must be non-negative")
    E = sum((ball(c) * ball(d.eps) ** 2 / (2 * ball(d.k)) for c, d in zip(sp["C_e"], dying)),
            arb(0))
    need = E + 2 / ball(mu).sqrt() * (ball(level - lstar).sqrt() + ball(Lam).sqrt() * E)
    require(need <= ball(length),
            "length is below E + (2 / sqrt(mu)) (sqrt(level - lstar) + sqrt(Lambda) E)")
    S.require_dead(frozen)
    require_contained(S, K, frozen_idx)
    require_regular(S, K)
    require_bounds_cover(S, sp["bv"], sp["bc"], K)
    require_gap(S, K, rest, length)
    for j in active:
        require(fully_active(S.problem, S.flow, S.signs, j, K),
                f"neuron {j + 1} is not certainly fully active on the box")
    require_dying_neurons(S, dying, K)
    fit = affine_fit_data(S.problem)
    require(fit[-1].lower() >= ball(lstar).upper(),
            "lstar is not certainly below the least-squares error of the affine fit")
    cells = min(PL_CELLS, S.max_cells)
    prove_pl(S.problem, S.flow, S.signs, active, K, mu / 4, fit[:3], cells, Lam).require(
        "cannot prove |grad L|^2 >= mu (L - l*) and Lambda on the box: ")
    if not dying:
        require_sup_at_most(S, level, Budget(S.max_cells))
        return
    prove_rates(S.problem, S.flow, S.signs, dying, K, moving, cells).require(
        "cannot prove the decay rate and C_v on the box: ")
    prove_perturbation(S.problem, S.flow, S.signs, active, dying, sp["C_e"], K, moving,
                       cells).require("cannot prove the perturbation bound on the box: ")
    top = affine_risk_sup(S.problem, S.flow, S.signs, active, S.terminal, fit[:3] + fit[3:6])
    require(top <= ball(level).lower(), "cannot prove sup l(z(X_T)) <= level")
