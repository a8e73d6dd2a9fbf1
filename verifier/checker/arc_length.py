"""Independent re-verification of the *arc-length* (Polyak–Łojasiewicz) trapping argument.

Setting and notation as in :mod:`verifier.checker.trapping`: the flow ``y' = -grad L(y)``,
a terminal box ``X_T`` that contains the state at time ``T``. The argument is stated and
proven in ``docs/infinite-horizon.md`` (section "Arc length"); in short:

*Data* (the section ``{"kind": "arc-length", ...}``): frozen (dead) neurons ``F``, fully
active neurons ``A`` (at least one), dying neurons ``D`` (possibly none; each with the
constants of :mod:`verifier.checker.dying` and ``C_e``), a box ``U`` (every coordinate)
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
5. the dying neurons satisfy the hypotheses of :mod:`verifier.checker.dying` (geometry,
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
(:mod:`verifier.checker.dying`), and along the rest ``y_R' = -(g + e)``;
``V = l(z) - l*`` satisfies ``d/dt sqrt V <= -(sqrt(mu) / 2) |g| + sqrt(Lambda) |e|``,
so the arc length of ``y_R`` after ``T`` is at most ``length < gap``: no rest coordinate
reaches the boundary either. So the solution stays in ``U`` for all ``t >= T``.

This module imports nothing from :mod:`verifier.certificates` or :mod:`verifier.integrate`.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from flint import arb

from verifier.arith.balls import BallArithmetic
from verifier.arith.precision import check_prec, precision
from verifier.checker.dying import (
    DYING_KEYS,
    Dying,
    PointFunctions,
    active_length,
    active_strip,
    dying_numbers,
    geometry,
    parse_dying_entry,
    prove_rates,
)
from verifier.checker.dying import FLOWS as DYING_FLOWS
from verifier.checker.trapping import (
    DEAD_DEPTH,
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
    parse_index_list,
    regular_standard,
    sup_at_most,
    terminal_ends,
)
from verifier.field import flows

KEYS = {"kind", "frozen", "active", "dying", "box", "lstar", "mu", "Lambda", "level",
        "length", "bounds"}

#: Default number of cells for the branch and bound of ``lambda_min`` over ``U``.
PL_CELLS = 20_000


# ----------------------------------------------------------------------------------------
# the affine fit


def affine_fit_data(problem: Any) -> tuple[arb, arb, arb, arb, arb, arb, arb]:
    """``(M11, M12, M22, Q1, Q0, int f^2 p, l*)`` as balls (current precision)."""
    ar = BallArithmetic()
    mom = problem.moments
    lo, hi = ar.const(mom.cuts[0]), ar.const(mom.cuts[-1])
    top, bot = mom.at(ar, hi), mom.at(ar, lo)
    P0, P1, P2, Q0, Q1 = (u - d for u, d in zip(top, bot))
    Iff, _ = mom.constants(ar)
    det = P2 * P0 - ar.powi(P1, 2)
    if not det > 0:
        raise TrapCheckError("cannot prove that the Gram matrix of (x, 1) is positive definite")
    lstar = Iff - (P0 * ar.powi(Q1, 2) - 2 * P1 * Q0 * Q1 + P2 * ar.powi(Q0, 2)) / det
    return P2, P1, P0, Q1, Q0, Iff, lstar


def affine_fit(problem: Any) -> tuple[arb, arb, arb, arb]:
    """``(M11, M12, M22, l*)``: the Gram matrix ``M = [[P2, P1], [P1, P0]]`` of ``(x, 1)``
    under the density and the least-squares error ``l*`` of the best affine fit, as balls
    (from the closed-form moments; current precision)."""
    d = affine_fit_data(problem)
    return d[0], d[1], d[2], d[6]


# ----------------------------------------------------------------------------------------
# fully active


def _nonneg(w: arb, b: arb, x: arb) -> bool:
    return (w * x + b).lower() >= 0


def fully_active(problem: Any, flow: str, signs: Sequence[int], j: int,
                 box: Sequence[tuple[Fraction, Fraction]]) -> bool:
    """Certainly ``w_j a + b_j >= 0`` and ``w_j b + b_j >= 0`` at every point of ``box``.

    Must run inside a precision scope.
    """
    H = problem.width
    a, e = (ball_of(t) if isinstance(t, Fraction) else t for t in _domain_ends(problem))
    if flow == "normalized-weights":
        s = arb(signs[j])
        lo = ball_of(box[j][0]).lower()  # affine and increasing in b_j: the lower end
        return _nonneg(s, lo, a) and _nonneg(s, lo, e)
    if flow == "standard":  # affine in (w, b): the four corners
        ws = (ball_of(box[j][0]), ball_of(box[j][1]))
        b0 = ball_of(box[H + j][0]).lower()
        return all(_nonneg(w, b0, x) for w in ws for x in (a, e))
    lo, hi = ball_of(box[j][0]).lower(), ball_of(box[j][1]).upper()
    if not (hi - lo < arb.pi()):
        return False
    stack = [(lo, hi, 0)]
    while stack:
        lo_, hi_, d = stack.pop()
        phi = lo_ if lo_ == hi_ else arb.union(lo_, hi_)
        cw, sw = phi.cos(), phi.sin()
        if _nonneg(cw, sw, a) and _nonneg(cw, sw, e):
            continue
        m = _midpoint(lo_, hi_)
        if d >= DEAD_DEPTH or not (lo_ < m < hi_):
            return False
        stack += [(lo_, m, d + 1), (m, hi_, d + 1)]
    return True


# ----------------------------------------------------------------------------------------
# the PL constant


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
             Lambda: Fraction | None = None) -> str | None:
    """Prove ``lambda_min(J J^T M) >= quarter_mu`` (and, when ``Lambda`` is given,
    ``tr(J J^T M) <= Lambda``) on ``box`` by bisection (None: proven).

    Only the coordinates ``J`` depends on are subdivided (the angle or bias, the weights
    and ``v_j`` of the active neurons). Must run inside a precision scope.
    """
    H = problem.width
    idx = [i for j in active for i in neuron_coordinates(flow, H, j)]
    target = ball_of(quarter_mu)
    top = None if Lambda is None else ball_of(Lambda)
    base = [ball_of(lo) if lo == hi else arb.union(ball_of(lo).lower(), ball_of(hi).upper())
            for lo, hi in box]
    stack = [{i: (ball_of(box[i][0]).lower(), ball_of(box[i][1]).upper()) for i in idx}]
    cells = 0
    while stack:
        cell = stack.pop()
        cells += 1
        if cells > max_cells:
            return "cell budget exhausted before a proof of the PL constant"
        y = list(base)
        for i, (lo, hi) in cell.items():
            y[i] = lo if lo == hi else arb.union(lo, hi)
        lam, trace, _ = pl_bounds(flow, signs, H, active, y, M)
        if lam >= target and (top is None or trace <= top):
            continue
        # bisect the widest coordinate
        i = max(cell, key=lambda k: float((cell[k][1] - cell[k][0]).upper()))
        lo, hi = cell[i]
        m = _midpoint(lo, hi)
        if not (lo < m < hi):
            return "cannot prove the PL constant on a cell that cannot be bisected"
        left, right = dict(cell), dict(cell)
        left[i], right[i] = (lo, m), (m, hi)
        stack += [right, left]
    return None


def pl_estimate(problem: Any, flow: str, signs: Sequence[int], active: Sequence[int],
                box: Sequence[tuple[Fraction, Fraction]], M: tuple[arb, arb, arb],
                splits: int | None = None) -> tuple[arb, arb]:
    """``(smallest lower bound of lambda_min(J J^T M), largest upper bound of
    tr(J J^T M))`` over a uniform grid of ``splits`` parts per moving coordinate
    (rigorous bounds on ``box``; for proposing)."""
    import itertools

    H = problem.width
    idx = [i for j in active for i in neuron_coordinates(flow, H, j)]
    if splits is None:
        splits = 4 if len(idx) <= 4 else 2
    base = [ball_of(lo) if lo == hi else arb.union(ball_of(lo).lower(), ball_of(hi).upper())
            for lo, hi in box]
    parts = {}
    for i in idx:
        lo, hi = ball_of(box[i][0]).lower(), ball_of(box[i][1]).upper()
        ends = [lo + (hi - lo) * k / splits for k in range(splits + 1)]
        ends = [lo] + [e.mid() for e in ends[1:-1]] + [hi]
        parts[i] = [arb.union(ends[k], ends[k + 1]) for k in range(splits)]
    best, worst = None, arb(0)
    for combo in itertools.product(*(parts[i] for i in idx)):
        y = list(base)
        for i, t in zip(idx, combo):
            y[i] = t
        lam, trace, _ = pl_bounds(flow, signs, H, active, y, M)
        best = lam if best is None or lam < best else best
        worst = trace if trace > worst else worst
    return (best if best is not None else arb(0)), worst


# ----------------------------------------------------------------------------------------
# dying neurons in the network: the perturbation of the affine flow


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
    a, e = (ball_of(t) if isinstance(t, Fraction) else t for t in _domain_ends(problem))
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
                       max_cells: int = PL_CELLS) -> str | None:
    """Prove :func:`perturbation_bounds` ``<= C_e[j]`` on ``box`` (bisection over
    ``moving``; None: proven). Must run inside a precision scope."""
    fp = PointFunctions(problem)
    caps = [ball_of(c) for c in C_e]
    stack = [[(ball_of(lo).lower(), ball_of(hi).upper()) for lo, hi in box]]
    cells = 0
    while stack:
        B = stack.pop()
        cells += 1
        if cells > max_cells:
            return "cell budget exhausted before a proof of C_e"
        res = perturbation_bounds(problem, flow, signs, active, dying, _to_balls(B), fp)
        if all(r is None or r <= cap for r, cap in zip(res, caps)):
            continue
        i = max((i for i in moving if B[i][0] != B[i][1]),
                key=lambda i: float((B[i][1] - B[i][0]).upper()), default=None)
        m = None if i is None else _midpoint(*B[i])
        if i is None or not (B[i][0] < m < B[i][1]):
            return "cannot prove C_e on a cell that cannot be bisected"
        left, right = list(B), list(B)
        left[i], right[i] = (B[i][0], m), (m, B[i][1])
        stack += [right, left]
    return None


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


# ----------------------------------------------------------------------------------------
# the check


def parse_arc_length(spec: Any, H: int, dim: int) -> dict:
    """Validate the structure of an arc-length section; numbers become Fractions."""
    frozen = parse_header(spec, KEYS, "arc-length", H)
    active = parse_index_list(spec["active"], H, "active")
    raw = spec["dying"]
    if not isinstance(raw, list):
        raise TrapCheckError("dying: expected a list")
    dying, C_e = [], []
    for n, d in enumerate(raw):
        check_keys(d, DYING_KEYS | {"C_e"})
        entry = parse_dying_entry(d, H, n)
        dying.append(entry)
        C_e.append(parse_exact(d["C_e"], f"dying[{n}].C_e"))
    dyn = [d.neuron for d in dying]
    if len(set(dyn)) != len(dyn):
        raise TrapCheckError("dying: a neuron is listed twice")
    if set(frozen) & set(active) or set(dyn) & (set(frozen) | set(active)):
        raise TrapCheckError("a neuron can be only one of frozen, active, dying")
    if len(frozen) + len(active) + len(dyn) != H:
        raise TrapCheckError("every neuron must be frozen, active or dying")
    out = {"frozen": frozen, "active": active, "dying": dying, "C_e": C_e,
           "box": parse_box(spec["box"], dim)}
    for key in ("lstar", "mu", "Lambda", "level", "length"):
        out[key] = parse_exact(spec[key], key)
    out["bv"], out["bc"] = parse_bounds(spec["bounds"], H)
    return out


def check_arc_length(problem: Any, flow: str, signs: Any, terminal: Sequence[arb],
                     spec: Any, prec: int, max_cells: int) -> str | None:
    """Verify an ``arc-length`` section (module docstring); None when verified, else a
    one-line reason. Raises :class:`TrapCheckError` on malformed input."""
    flows.check_flow(flow)
    check_prec(prec)
    H = problem.width
    dim = flows.dim(flow, H)
    s = flows.check_signs(signs, H, flow)
    terminal = _check_terminal(terminal, dim)
    sp_ = parse_arc_length(spec, H, dim)
    frozen, active, dying, K = sp_["frozen"], sp_["active"], sp_["dying"], sp_["box"]
    lstar, mu, Lam = sp_["lstar"], sp_["mu"], sp_["Lambda"]
    level, length = sp_["level"], sp_["length"]
    if dying and flow not in DYING_FLOWS:
        return f"dying neurons are supported for the flows {', '.join(DYING_FLOWS)}"
    frozen_idx = sorted(i for j in frozen for i in neuron_coordinates(flow, H, j))
    dying_idx = {i for d in dying for i in neuron_coordinates(flow, H, d.neuron)}
    moving = [i for i in range(dim) if i not in frozen_idx]
    rest = [i for i in moving if i not in dying_idx]
    names = flows.coordinate_names(flow, H)
    ends = terminal_ends(terminal)
    # exact relations between the claimed numbers
    if not (mu > 0 and Lam >= 0 and length >= 0 and level >= lstar):
        return "need mu > 0, Lambda >= 0, length >= 0 and level >= lstar"
    why = dying_numbers(dying, K, ends, flow, H)
    if why is not None:
        return why
    if any(c < 0 for c in sp_["C_e"]):
        return "C_e must be non-negative"
    with precision(prec):
        E = sum((ball_of(c) * ball_of(d.eps) ** 2 / (2 * ball_of(d.k))
                 for c, d in zip(sp_["C_e"], dying)), arb(0))
        need = E + 2 / ball_of(mu).sqrt() * (ball_of(level - lstar).sqrt()
                                              + ball_of(Lam).sqrt() * E)
        if not need <= ball_of(length):
            return ("length is below E + (2 / sqrt(mu)) (sqrt(level - lstar) + sqrt(Lambda) "
                    "E)")
        for j in frozen:
            if not neuron_dead(problem, flow, s, j, terminal):
                return f"neuron {j + 1} is not certainly dead over the terminal box"
        why = containment(K, terminal, frozen_idx, names)
        if why is not None:
            return why
        if flow == "standard":
            why = regular_standard(K, H)
            if why is not None:
                return why
        why = bounds_cover(sp_["bv"], sp_["bc"], K, flow, H)
        if why is not None:
            return why
        gap = min(min(ends[i][0] - K[i][0], K[i][1] - ends[i][1]) for i in rest)
        if not length < gap:
            return (f"the arc length bound {float(length):.6g} is not below the distance "
                    f"{float(gap):.6g} from X_T to the boundary of the box")
        for j in active:
            if not fully_active(problem, flow, s, j, K):
                return f"neuron {j + 1} is not certainly fully active on the box"
        for d in dying:
            why = geometry(problem, flow, s, d, K[d.neuron])
            if why is not None:
                return why
            eps_t = active_length(problem, flow, s, d, terminal[d.neuron])
            if not eps_t.upper() <= ball_of(d.eps).lower():
                return f"dying neuron {d.neuron + 1}: eps is below the active length on X_T"
        fit = affine_fit_data(problem)
        if not fit[-1].lower() >= ball_of(lstar).upper():
            return "lstar is not certainly below the least-squares error of the affine fit"
        cells = min(PL_CELLS, max_cells)
        why = prove_pl(problem, flow, s, active, K, mu / 4, fit[:3], cells, Lam)
        if why is not None:
            return f"cannot prove |grad L|^2 >= mu (L - l*) and Lambda on the box: {why}"
        if dying:
            why = prove_rates(problem, flow, s, dying, K, moving, cells)
            if why is not None:
                return f"cannot prove the decay rate and C_v on the box: {why}"
            why = prove_perturbation(problem, flow, s, active, dying, sp_["C_e"], K, moving,
                                     cells)
            if why is not None:
                return f"cannot prove the perturbation bound on the box: {why}"
            top = affine_risk_sup(problem, flow, s, active, terminal, fit[:3] + fit[3:6])
            if not top <= ball_of(level).lower():
                return "cannot prove sup l(z(X_T)) <= level"
        else:
            why = sup_at_most(RiskField(problem, flow, s), terminal, level,
                              _Budget(max_cells))
            if why is not None:
                return why
    return None


__all__ = ["KEYS", "affine_fit", "affine_fit_data", "affine_risk_sup", "check_arc_length",
           "fully_active", "parse_arc_length", "perturbation_bounds", "pl_bounds",
           "pl_estimate", "pl_lower", "prove_perturbation", "prove_pl"]
