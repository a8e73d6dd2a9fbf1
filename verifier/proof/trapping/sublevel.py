"""The *sublevel* trapping argument (and frozen dead neurons), proven for a given section.

Setting. The flow is the gradient flow ``y' = -grad L(y)`` of the risk ``L`` in the
coordinates of one of the three flows (docs/design.md, section 1). ``L`` is C^1 with a locally
Lipschitz gradient wherever every neuron has ``(w_j, b_j) != 0`` (always, for the two
normalized flows), so solutions are unique there and ``t -> L(y(t))`` is non-increasing.
A validated integration gives a box ``X_T`` (one ``arb`` ball per coordinate) that
contains the state at time ``T``. A trapping section ``spec`` claims that the solution
stays in an explicit bounded box for all ``t >= T``. Two arguments are combined:

1. **Frozen (dead) neurons** (``spec["frozen"]``). Neuron ``j`` is *dead* at a state if
   its active set ``{x in [a, b] : w_j x + b_j > 0}`` is empty, i.e. (the pre-activation
   being affine in ``x``) ``w_j a + b_j <= 0`` and ``w_j b + b_j <= 0``. This is checked
   for every point of ``X_T``'s ``(w_j, b_j)`` coordinates (``phi_j`` for the normalized
   flow, ``b_j`` for normalized-weights, ``(w_j, b_j)`` for the standard flow) in ball
   arithmetic (exact rational arithmetic where the data are rational). At a dead neuron
   every velocity of neuron ``j`` vanishes (its gradient entries carry the integral of
   ``sigma_j^+`` or of ``1[sigma_j > 0]`` over an empty set) and the other components do
   not depend on it. Deadness depends on neuron ``j``'s own ``(w_j, b_j)`` only, so the
   curve that keeps neuron ``j``'s coordinates constant and lets the others follow the
   reduced flow solves the full system; by uniqueness it *is* the solution. Neuron ``j``
   stays dead and its coordinates stay in their terminal intervals forever.

2. **Sublevel trapping** (``spec["box"]``, ``spec["level"]``). ``K`` is a box; frozen
   coordinates range over their ``K``-interval (which must contain their terminal
   interval) and have no faces; for the normalized flow a neuron listed in
   ``spec["periodic"]`` has ``phi_j`` unrestricted (``L`` is ``2 pi``-periodic in
   ``phi_j``: its faces are absent and the other faces range ``phi_j`` over
   ``[0, 2 pi]``). Verified: ``X_T`` lies in the interior of ``K`` in every other
   coordinate; ``sup L(X_T) <= level``; ``L > level`` on every face of ``K``. Then the
   solution never reaches the boundary of ``K`` (at a first exit time it would sit on a
   face with ``L > level >= L(y(T)) >= L(y(t))``, a contradiction), so it stays in ``K``
   (and exists) for all ``t >= T``. Hence ``|v_j(t)| <= max(|lo|, |hi|)`` of ``K``'s
   ``v_j`` interval and likewise for ``c``; ``spec["bounds"]`` must dominate these.
   For the standard flow every neuron's ``(w_j, b_j)`` rectangle of ``K`` must avoid the
   origin (where the field is not even continuous).

The bounds of ``L`` on boxes and the branch and bound are those of
:mod:`verifier.proof.trapping.cells`; spec strings are parsed exactly, never evaluated.
"""

from __future__ import annotations

from typing import Any

from verifier.arith.numbers import ball, parse_constant
from verifier.proof.trapping.cells import Budget, prove_bound
from verifier.proof.trapping.spec import (
    Setting,
    face_box,
    parse_bounds,
    parse_box,
    parse_header,
    parse_index_list,
    require_bounds_cover,
    require_contained,
    require_regular,
    require_sup_at_most,
)
from verifier.proof.verdict import Rejected

KIND = "sublevel"
KEYS = {"kind", "frozen", "periodic", "box", "level", "bounds"}


def parse(spec: Any, S: Setting) -> dict:
    """Validate the structure of a sublevel section; numbers become Fractions."""
    frozen = parse_header(spec, KEYS, KIND, S.H)
    periodic = parse_index_list(spec["periodic"], S.H, "periodic")
    if periodic and S.flow != "normalized":
        raise Rejected("periodic angles exist only for the normalized flow")
    if set(frozen) & set(periodic):
        raise Rejected("a neuron cannot be both frozen and periodic")
    box = parse_box(spec["box"], S.dim, periodic)
    level = parse_constant(spec["level"], "level")
    bv, bc = parse_bounds(spec["bounds"], S.H)
    return {"frozen": frozen, "periodic": periodic, "box": box, "level": level, "bv": bv,
            "bc": bc}


def check(S: Setting, sp: dict) -> None:
    """Prove a sublevel section, as :func:`parse` read it (module docstring); raises
    :class:`~verifier.proof.verdict.Rejected` naming the first item that fails."""
    frozen, K, level = sp["frozen"], sp["box"], sp["level"]
    frozen_idx = S.coordinates(frozen)
    free = [i for i in range(S.dim) if i not in frozen_idx and i not in sp["periodic"]]
    # 1. frozen neurons are dead over the terminal box
    S.require_dead(frozen)
    # 2. containment: X_T inside K (interior in free coordinates); K regular
    require_contained(S, K, frozen_idx)
    require_regular(S, K)
    # 3. the claimed bounds dominate K
    require_bounds_cover(S, sp["bv"], sp["bc"], K)
    # 4. sup L(X_T) <= level
    budget = Budget(S.max_cells)
    require_sup_at_most(S, level, budget)
    # 5. L > level on every face
    field, lev = S.field(), ball(level)
    for i in free:
        if K[i] is None:
            continue
        for side in (0, 1):
            prove_bound(field, face_box(K, i, side), lev, +1, budget, frozenset([i])).require(
                f"cannot prove L > level on the face {S.names[i]} = "
                f"{'lo' if side == 0 else 'hi'}: ")
