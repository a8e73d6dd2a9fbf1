"""A priori enclosures (Picard-Lindeloef) in ball arithmetic.

**Claim.** Let ``F`` be locally Lipschitz, ``X`` a box of initial values,
``h >= 0`` and ``E`` a box. If

    X + [0, h] * F(E)  is contained in the interior of  E,

(``F(E)`` any ball enclosure of ``F`` over ``E``), then every solution with
``x(0)`` in ``X`` exists on ``[0, h]`` and stays in ``E``; moreover it stays in
the (tighter) box ``X + [0, h] * F(E)``.

*Proof.* If a solution left ``E`` there would be a first time ``t* <= h`` with
``x(t*)`` on the boundary of ``E`` and ``x(s)`` in ``E`` for ``s <= t*``; then
``x(t*) = x(0) + int_0^t* F(x(s)) ds`` lies in ``X + t* * hull F(E)``, inside
the interior of ``E``: a contradiction. Existence up to ``h`` follows since
``F`` is bounded on the compact ``E``. ∎

``F`` over a box is enclosed by :class:`verifier.arith.BallArithmetic`, which
unites the cases of undecided comparisons, so the claim holds across switching
surfaces (``F`` is continuous, piecewise analytic and Lipschitz). The strict
inclusion is decided on exact endpoints (:func:`strictly_inside`).

:func:`picard_check` proves the claim for a given box ``E`` (a witness);
:func:`second_order_enclosure` tightens it with the Clarke Jacobian
(:func:`clarke_jacobian`), which also bounds the Jacobian of the flow across surfaces.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flint import arb, arb_mat

from verifier.arith.balls import BallArithmetic
from verifier.arith.jets import Jet, JetArithmetic
from verifier.proof.linalg import Vector, matvec, zero_to
from verifier.proof.step import ContradictionError


def strictly_inside(inner: Sequence[arb], outer: Sequence[arb]) -> bool:
    """``inner`` lies in the interior of ``outer`` (decided on exact ends)."""
    for a, b in zip(inner, outer):
        if not (a.is_finite() and b.is_finite()):
            return False
        if not (a.lower() > b.lower() and a.upper() < b.upper()):
            return False
    return True


def picard_check(field: Callable, X: Sequence[arb], h: arb, E: Sequence[arb]) -> Vector | None:
    """``X + [0, h] F(E)`` when it lies in the interior of ``E`` (then it is an a priori
    box for ``[0, h]``, module docstring), else ``None``."""
    H = zero_to(h)
    FE = field(BallArithmetic(), list(E))
    new = [x + H * f for x, f in zip(X, FE)]
    if not all(v.is_finite() for v in new) or not strictly_inside(new, E):
        return None
    return new


def second_order_enclosure(field: Callable, X: Sequence[arb], h: arb,
                           E: Sequence[arb]) -> tuple[Vector, arb_mat]:
    """A tighter a priori box, given a valid one ``E`` for ``[0, h]``, and ``J(E)``.

    For ``t`` in ``[0, h]`` and ``x(0)`` in ``X``, ``x(t) = x(0) + t F(x(0)) + int_0^t
    (t - s) x''(s) ds`` with ``x''(s)`` in ``J(E) F(E)`` for almost every ``s`` (Clarke
    chain rule; ``J`` the ball Jacobian, a hull of the Clarke Jacobian, so this holds
    across switching surfaces). Hence ``x(t)`` lies in ``X + [0, h] F(X) + [0, h^2/2]
    J(E) F(E)``; the result is that box intersected with ``E`` (returned with the ball
    Jacobian ``J(E)`` of :func:`clarke_jacobian`, valid on the tighter box too).
    """
    B = BallArithmetic()
    H = zero_to(h)
    H2 = zero_to(h * h / 2)
    FX = field(B, list(X))
    FE, JE = clarke_jacobian(field, E)
    second = matvec(JE, FE)
    out = []
    for i, (x, f, s, e) in enumerate(zip(X, FX, second, E)):
        box = x + H * f + H2 * s
        if not box.overlaps(e):
            raise ContradictionError(
                f"two a priori enclosures are disjoint in coordinate {i}: {box} vs {e}")
        out.append(box.intersection(e))
    return out, JE


#: Most analytic pieces enumerated by :func:`clarke_jacobian` before it falls back
#: to uniting the cases comparison by comparison.
MAX_PIECES = 16


class _Undecided(Exception):
    """A comparison without a forced choice: the enumeration must branch."""


class _PieceJets(JetArithmetic):
    """Jets over balls whose undecided comparisons follow a list of forced choices."""

    def __init__(self, n: int, choices: list[bool]) -> None:
        super().__init__(BallArithmetic(), n)
        self.choices = choices
        self.used = 0

    def ge(self, x, y):
        d = super().ge(x, y)
        if d is not None:
            return d
        if self.used < len(self.choices):
            c = self.choices[self.used]
            self.used += 1
            return c
        raise _Undecided


def _unpack(out: Sequence, n: int) -> tuple[Vector, list[list[arb]]]:
    vals = [o.val if isinstance(o, Jet) else o for o in out]
    rows = [[(o.der[j] if isinstance(o, Jet) else arb(0)) for j in range(n)] for o in out]
    return vals, rows


def clarke_jacobian(field: Callable, box: Sequence[arb]) -> tuple[Vector, arb_mat]:
    """``(F(box), J(box))``: ball enclosures of ``F`` and of the convex hull of the
    Jacobians of the analytic pieces that meet ``box`` (hence of the Clarke
    generalized Jacobian at every point of ``box``).

    The pieces are enumerated by branching on every comparison that the balls
    cannot decide (both outcomes are explored; each leaf evaluates one piece's
    formula, consistently, over the whole box). Every point of the box follows the
    comparisons of one leaf, so the union of the leaves encloses ``F`` and ``DF``
    there; Clarke Jacobians on the surfaces are convex hulls of limits of these.
    With more than :data:`MAX_PIECES` leaves the cases are united comparison by
    comparison instead (also valid, but correlations between the terms are lost).
    """
    n = len(box)
    stack: list[list[bool]] = [[]]
    leaves: list[tuple[Vector, list[list[arb]]]] = []
    while stack:
        choices = stack.pop()
        J = _PieceJets(n, choices)
        try:
            out = field(J, [J.variable(i, x) for i, x in enumerate(box)])
        except _Undecided:
            if len(leaves) + len(stack) + 2 > MAX_PIECES:
                leaves = []
                break
            stack.append(choices + [False])
            stack.append(choices + [True])
            continue
        leaves.append(_unpack(out, n))
    if not leaves:
        J = JetArithmetic(BallArithmetic(), n)
        vals, rows = _unpack(field(J, [J.variable(i, x) for i, x in enumerate(box)]), n)
        return vals, arb_mat(rows)
    vals, rows = leaves[0]
    for v2, r2 in leaves[1:]:
        vals = [arb.union(a, b) for a, b in zip(vals, v2)]
        rows = [[arb.union(a, b) for a, b in zip(ra, rb)] for ra, rb in zip(rows, r2)]
    return vals, arb_mat(rows)
