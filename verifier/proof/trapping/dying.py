"""The *dying-neuron* trapping argument, proven for a given section.

Setting and notation as in :mod:`verifier.proof.trapping.sublevel` (flows ``normalized`` and
``normalized-weights``). A neuron ``j`` is *dying at the end* ``e`` of ``[a, b]`` when its
kink ``kappa_j = -b_j / w_j`` lies in ``[a, b]`` close to ``e`` and its active set is the
short piece between the kink and ``e``: ``(kappa_j, b]`` (``e = b``, ``w_j > 0``) or
``[a, kappa_j)`` (``e = a``, ``w_j < 0``). Its *active length* is ``eps_j = b - kappa_j``
resp. ``kappa_j - a`` (``<= 0``: the neuron is dead). The argument is stated and proven in
``docs/infinite-horizon.md`` (section "Dying neurons"); in short:

*Data* (``{"kind": "dying", ...}``): frozen (dead) neurons, dying neurons each with
``end``, ``eps``, ``k``, ``C_v``, ``drift``, a box ``U`` (every coordinate) and a
``level``. The other coordinates (``c`` and every other neuron's) are the *rest*.

*Verified here*:

1. frozen neurons are dead over ``X_T``; ``X_T`` lies in ``U`` (strictly in the
   non-frozen coordinates);
2. for every dying neuron ``j``, over ``U``'s interval of its first coordinate
   ``theta_j`` (``phi_j`` or ``b_j``): ``w_j`` has the sign of its end (``> 0`` for
   ``b``, ``< 0`` for ``a``), the kink stays on the far side of the other end
   (``kappa_j > a`` resp. ``< b``), and at the end of the interval where the kink is
   furthest towards ``e`` the neuron is dead (``kappa_j >= b`` resp. ``<= a``): the
   angle/bias ``theta_e`` at which the kink sits exactly on ``e`` lies in ``U``;
3. ``eps >= sup max(eps_j, 0)`` over ``X_T``;
4. by branch and bound over ``U``: at every point of ``U`` where neuron ``j`` is active,
   ``h_j >= k > 0`` and ``|w_j| |(N - f) p| <= C_v`` on its active set, where
   ``h_j = 2 v_j m (d eps_j / d theta_j)`` and ``m`` ranges over the values of
   ``(d sigma_j / d theta_j)(x) (N(x) - f(x)) p(x)`` for ``x`` in the active set; since
   ``dL/d theta_j = 2 v_j int_{A_j} (d sigma_j / d theta_j) (N - f) p dx = 2 v_j eps_j m``
   for some such ``m`` (mean value theorem for integrals over an interval of length
   ``eps_j``), the flow gives ``eps_j' = -h_j eps_j``, hence ``eps_j' <= -k eps_j``;
   and ``|v_j'| = |2 int_{A_j} sigma_j (N - f) p| <= C_v eps_j^2`` because
   ``0 <= sigma_j <= |w_j| eps_j`` on ``A_j``;
5. ``drift * 2 k >= C_v eps^2`` (exact), and ``U``'s ``v_j`` interval contains
   ``[v_lo - drift, v_hi + drift]`` strictly (``[v_lo, v_hi]`` the terminal interval);
6. ``sup L(X_T) <= level``, and on every face of ``U`` in a rest coordinate ``i``, at
   every point, either the flow points strictly inward (``dL/dy_i > 0`` on the upper
   face, ``< 0`` on the lower one) or ``L > level`` (branch and bound, per cell);
7. the claimed bounds dominate ``U``'s ``v`` and ``c`` extents.

*Conclusion.* Up to a first exit time from ``U``: a dying neuron's ``eps_j`` decreases
(``eps_j(t) <= eps e^{-k (t - T)}``) but stays positive, so ``theta_j`` moves monotonically
towards ``theta_e`` without reaching it, and ``v_j`` moves by at most
``int C_v eps_j^2 <= C_v eps^2 / (2 k) <= drift`` (a neuron dead at ``T`` does not move at
all); a rest coordinate cannot reach a face (inward field, or ``L`` above its initial
value). So no coordinate reaches the boundary of ``U``: the solution stays in ``U`` for
all ``t >= T``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from flint import arb

from verifier.arith.balls import BallArithmetic
from verifier.arith.numbers import ball, parse_constant
from verifier.field import flows
from verifier.field.pointwise import PointFunctions
from verifier.proof.trapping.cells import (
    Box,
    Budget,
    RiskField,
    cell_bound,
    prove_on_cells,
    split_cell,
    to_balls,
)
from verifier.proof.trapping.neurons import domain_balls, v_index
from verifier.proof.trapping.spec import (
    Setting,
    check_keys,
    face_box,
    parse_bounds,
    parse_box,
    parse_header,
    parse_neuron,
    require_bounds_cover,
    require_contained,
    require_sup_at_most,
)
from verifier.proof.verdict import PROVEN, NotProven, Rejected, Verdict, require

KIND = "dying"
KEYS = {"kind", "frozen", "dying", "box", "level", "bounds"}
DYING_KEYS = {"neuron", "end", "eps", "k", "C_v", "drift"}
FLOWS = ("normalized", "normalized-weights")

#: Default number of cells for the branch and bound of ``h_j`` and ``C_v`` over ``U``.
RATE_CELLS = 20_000


@dataclass
class Dying:
    """One dying neuron of a spec (numbers as Fractions)."""

    neuron: int
    end: str  # "a" or "b"
    eps: Fraction
    k: Fraction
    C_v: Fraction
    drift: Fraction


def kink(flow: str, signs: Sequence[int], j: int, theta: arb) -> tuple[arb, arb]:
    """``(w_j, kappa_j)`` over a ball of the neuron's first coordinate."""
    if flow == "normalized":
        w = theta.cos()
        return w, -theta.sin() / w
    w = arb(signs[j])
    return w, -theta / w


def dkappa_sign(flow: str, signs: Sequence[int], j: int) -> int:
    """The sign of ``d kappa_j / d theta_j`` (constant where ``w_j != 0``)."""
    return -1 if flow == "normalized" else -signs[j]


def geometry(problem: Any, flow: str, signs: Sequence[int], d: Dying,
             interval: tuple[Fraction, Fraction]) -> Verdict:
    """Item 2 of the module docstring for one dying neuron."""
    a, e = domain_balls(problem)
    lo, hi = ball(interval[0]).lower(), ball(interval[1]).upper()
    theta = lo if lo == hi else arb.union(lo, hi)
    w, kappa = kink(flow, signs, d.neuron, theta)
    j1 = d.neuron + 1
    if d.end == "b":
        if not w > 0:
            return NotProven(f"dying neuron {j1}: w_{j1} is not certainly positive on the box")
        if not kappa.lower() > a.upper():
            return NotProven(f"dying neuron {j1}: the kink is not certainly right of a on the "
                             "box")
    else:
        if not w < 0:
            return NotProven(f"dying neuron {j1}: w_{j1} is not certainly negative on the box")
        if not kappa.upper() < e.lower():
            return NotProven(f"dying neuron {j1}: the kink is not certainly left of b on the box")
    # the end of the interval where the kink is furthest towards e: dead there
    towards_e_increasing = (d.end == "b") == (dkappa_sign(flow, signs, d.neuron) > 0)
    dead_end = hi if towards_e_increasing else lo
    _, kd = kink(flow, signs, d.neuron, dead_end)
    dead = kd.lower() >= e.upper() if d.end == "b" else kd.upper() <= a.lower()
    if not dead:
        return NotProven(f"dying neuron {j1}: the box does not reach the angle where the kink "
                         f"sits on the end {d.end}")
    return PROVEN


def active_length(problem: Any, flow: str, signs: Sequence[int], d: Dying,
                  theta: arb) -> arb:
    """``eps_j`` over a ball of ``theta_j``."""
    a, e = domain_balls(problem)
    _, kappa = kink(flow, signs, d.neuron, theta)
    return e - kappa if d.end == "b" else kappa - a


def active_strip(flow: str, signs: Sequence[int], d: Dying, yj: arb, a: arb, e: arb
                 ) -> arb | None:
    """A ball containing the dying neuron ``d``'s active set over the coordinate ball
    ``yj``: ``[kappa, e]`` when it dies at ``b = e``, ``[a, kappa]`` at ``a`` (``kappa``
    its kink over ``yj``); ``None`` when no point of ``yj`` has it active."""
    _, kappa = kink(flow, signs, d.neuron, yj)
    if d.end == "b":
        if kappa.lower() >= e.upper():
            return None
        return arb.union(kappa.lower(), e.upper())
    if kappa.upper() <= a.lower():
        return None
    return arb.union(a.lower(), kappa.upper())


def rate_bounds(problem: Any, flow: str, signs: Sequence[int], dying: Sequence[Dying],
                y: Sequence[arb], fp: PointFunctions) -> list[tuple[arb, arb] | None]:
    """Per dying neuron, over the box ``y`` (balls): ``(lower bound of h_j, upper bound of
    |w_j| |(N - f) p|)`` on its active set, or None when no point of ``y`` has the neuron
    active. Must run inside a precision scope."""
    ar = BallArithmetic()
    H = problem.width
    a, e = domain_balls(problem)
    w, b, v, c = flows.parameters(ar, flow, list(y), H, tuple(signs))
    zero = arb(0)
    out: list[tuple[arb, arb] | None] = []
    for d in dying:
        j = d.neuron
        xs = active_strip(flow, signs, d, y[j], a, e)
        if xs is None:
            out.append(None)
            continue
        net = c
        for i in range(H):
            net = net + v[i] * ar.max(w[i] * xs + b[i], zero)
        rp = (net - fp.f(ar, xs)) * fp.p(ar, xs)
        if flow == "normalized":
            dsig = w[j] - b[j] * xs
            deps = 1 / ar.powi(w[j], 2)  # d eps / d phi = -/+ d kappa / d phi = +/- sec^2
        else:
            dsig = arb(1)
            deps = arb(signs[j])  # d kappa / d b_j = -s_j
        if d.end == "a":
            deps = -deps
        h = 2 * v[j] * dsig * rp * deps
        cv = abs(w[j]) * rp.abs_upper()
        out.append((h.lower(), cv.abs_upper()))
    return out


def prove_rates(problem: Any, flow: str, signs: Sequence[int], dying: Sequence[Dying],
                box: Sequence[tuple[Fraction, Fraction]], moving: Sequence[int],
                max_cells: int = RATE_CELLS) -> Verdict:
    """Item 4: ``h_j >= k_j`` and ``|w_j| |(N - f) p| <= C_v`` for every dying neuron at
    every point of ``box`` where it is active (bisection over the coordinates
    ``moving``). Must run inside a precision scope."""
    fp = PointFunctions(problem)
    ks = [ball(d.k) for d in dying]
    cvs = [ball(d.C_v) for d in dying]
    start = [(ball(lo).lower(), ball(hi).upper()) for lo, hi in box]

    def holds(y: list[arb]) -> bool:
        res = rate_bounds(problem, flow, signs, dying, y, fp)
        return all(r is None or (r[0] >= k and r[1] <= cv) for r, k, cv in zip(res, ks, cvs))

    return prove_on_cells(to_balls(start), {i: start[i] for i in moving}, holds, max_cells,
                          "the rates")


def face_inward_or_above(field: RiskField, box: Box, i: int, side: int, level: arb,
                         budget: Budget, deadline: float | None = None) -> Verdict:
    """Prove, at every point of the face ``box`` (coordinate ``i`` fixed at its ``side``
    end), ``dL/dy_i > 0`` (upper face) / ``< 0`` (lower face) or ``L > level``.

    Depth-first branch and bound. ``deadline`` (a
    ``time.monotonic()`` value; the search's, the checker passes none) stops it early."""
    import time

    fixed = frozenset([i])
    stack: list[Box] = [list(box)]
    while stack:
        B = stack.pop()
        if not budget.take():
            return NotProven("cell budget exhausted before a proof")
        if deadline is not None and time.monotonic() > deadline:
            return NotProven("time budget exhausted before a proof")
        _, g = field.risk_grad(to_balls(B))
        gi = g[i]
        if (gi > 0) if side == 1 else (gi < 0):
            continue
        cb = cell_bound(field, B, +1, level, fixed)
        if cb.bound > level:
            continue
        if cb.value <= level:
            _, gm = field.risk_grad(cb.mid)
            if (gm[i] <= 0) if side == 1 else (gm[i] >= 0):
                where = ", ".join(f"{float(t.mid()):.6g}" for t in cb.mid)
                return NotProven(f"L <= level and the field points outward at ({where})")
        kids = split_cell(B, cb.grad, fixed)
        if kids is None:
            return NotProven("cannot decide on a cell that cannot be bisected")
        stack.append(kids[1])
        stack.append(kids[0])
    return PROVEN


def parse_dying_entry(d: dict, H: int, n: int) -> Dying:
    """One entry of a ``dying`` list (keys already checked by the caller)."""
    j = parse_neuron(d["neuron"], H, f"dying[{n}].neuron")
    if d["end"] not in ("a", "b"):
        raise Rejected(f"dying[{n}].end must be 'a' or 'b'")
    return Dying(j, d["end"], *(parse_constant(d[key], f"dying[{n}].{key}")
                                for key in ("eps", "k", "C_v", "drift")))


def dying_numbers(dying: Sequence[Dying], K: Sequence[tuple[Fraction, Fraction]],
                  ends: Sequence[tuple[Fraction, Fraction]], flow: str, H: int
                  ) -> None:
    """Item 5 (exact): signs of the constants, ``2 k drift >= C_v eps^2`` and room for the
    drift in ``U``'s ``v_j`` interval (``ends``: the terminal intervals)."""
    for d in dying:
        j1 = d.neuron + 1
        require(d.k > 0 and d.eps >= 0 and d.C_v >= 0 and d.drift >= 0,
                f"dying neuron {j1}: need k > 0 and eps, C_v, drift >= 0")
        require(d.drift * 2 * d.k >= d.C_v * d.eps * d.eps,
                f"dying neuron {j1}: drift is below C_v eps^2 / (2 k)")
        vi = v_index(flow, H, d.neuron)
        require(K[vi][0] < ends[vi][0] - d.drift and ends[vi][1] + d.drift < K[vi][1],
                f"dying neuron {j1}: the box does not contain v_{j1} +/- drift")


def parse(spec: Any, S: Setting) -> dict:
    """Validate the structure of a dying section; numbers become Fractions."""
    frozen = parse_header(spec, KEYS, KIND, S.H)
    raw = spec["dying"]
    if not isinstance(raw, list) or not raw:
        raise Rejected("dying: expected a non-empty list of dying neurons")
    dying: list[Dying] = []
    for n, d in enumerate(raw):
        check_keys(d, DYING_KEYS)
        dying.append(parse_dying_entry(d, S.H, n))
    idx = [d.neuron for d in dying]
    if len(set(idx)) != len(idx) or set(idx) & set(frozen):
        raise Rejected("dying: a neuron is listed twice or is also frozen")
    bv, bc = parse_bounds(spec["bounds"], S.H)
    return {"frozen": frozen, "dying": dying, "box": parse_box(spec["box"], S.dim),
            "level": parse_constant(spec["level"], "level"), "bv": bv, "bc": bc}


def require_dying_neurons(S: Setting, dying: Sequence[Dying],
                          K: Sequence[tuple[Fraction, Fraction]]) -> None:
    """Items 2 and 3 for every dying neuron: its geometry on ``U`` and ``eps`` above its
    active length on ``X_T``."""
    for d in dying:
        geometry(S.problem, S.flow, S.signs, d, K[d.neuron]).require()
        eps_t = active_length(S.problem, S.flow, S.signs, d, S.terminal[d.neuron])
        require(eps_t.upper() <= ball(d.eps).lower(),
                f"dying neuron {d.neuron + 1}: eps is below the active length on X_T")


def check(S: Setting, sp: dict) -> None:
    """Prove a ``dying`` section, as :func:`parse` read it (module docstring); raises
    :class:`~verifier.proof.verdict.Rejected` naming the first item that fails."""
    require(S.flow in FLOWS, "the dying-neuron argument is implemented for the flows "
                             f"{', '.join(FLOWS)}")
    frozen, dying, K, level = sp["frozen"], sp["dying"], sp["box"], sp["level"]
    frozen_idx = S.coordinates(frozen)
    moving = [i for i in range(S.dim) if i not in frozen_idx]
    dying_idx = S.coordinates([d.neuron for d in dying])
    rest = [i for i in moving if i not in dying_idx]
    dying_numbers(dying, K, S.terminal_ends(), S.flow, S.H)
    S.require_dead(frozen)
    require_contained(S, K, frozen_idx)
    require_bounds_cover(S, sp["bv"], sp["bc"], K)
    require_dying_neurons(S, dying, K)
    budget = Budget(S.max_cells)
    prove_rates(S.problem, S.flow, S.signs, dying, K, moving,
                min(RATE_CELLS, S.max_cells)).require(
        "cannot prove the decay rate and C_v on the box: ")
    require_sup_at_most(S, level, budget)
    field, lev = S.field(), ball(level)
    for i in rest:
        for side in (0, 1):
            face_inward_or_above(field, face_box(K, i, side), i, side, lev, budget).require(
                f"face {S.names[i]} = {'lo' if side == 0 else 'hi'}: neither inward nor "
                "above the level: ")
