"""Split steps searched: the dying neuron, its sides and the step size (floats propose).

The theorem (dead stays dead, live stays live; one Taylor step per side) and its check
are :mod:`verifier.proof.split`. Here the integrator finds the neuron whose dying
surface the set straddles, expands each side field over the hull, and proposes step
sizes until every side's a priori inclusion holds and the remainders are small.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

from flint import arb, fmpq

from verifier.arith.balls import BallArithmetic
from verifier.arith.series import NotOnePiece
from verifier.field import flows
from verifier.integrate._controller import dyadic, propose_step
from verifier.integrate._taylor import taylor_step
from verifier.proof.split import combine, sides_of
from verifier.proof.step import StepData
from verifier.proof.taylor import Expansion, expand


def nearest_dying(field, xhat: Sequence[arb]) -> list[int]:
    """The neurons ordered by how close ``xhat`` is to their dying surface: the
    distance ``|w_j e + b_j|`` of the preactivation to 0 at the nearer end ``e`` of the
    domain (floats choose the order; a neuron far from its surface splits trivially
    and its side steps would meet the nearer neuron's surface instead)."""
    ar = BallArithmetic()
    w, b, _, _ = flows.parameters(ar, field.flow, list(xhat), field.width, field.signs)
    ends = [float(field.moments.cuts[i]) for i in (0, -1)]
    dist = [min(abs(float(w[j].mid()) * e + float(b[j].mid())) for e in ends)
            for j in range(field.width)]
    return sorted(range(field.width), key=lambda j: dist[j])


def split_expansions(field, j: int, sides: Sequence[str], xhat: Sequence[arb],
                     hull: Sequence[arb], order: int, jet_order: int
                     ) -> list[Expansion] | None:
    """The expansions of the given side fields of neuron ``j`` over the hull, or
    ``None`` when one of them is not analytic there (the set straddles something else)."""
    try:
        return [expand(field.side(j, s), xhat, hull, order, jet_order) for s in sides]
    except (NotOnePiece, ValueError):
        return None


def find_split(field, xhat: Sequence[arb], hull: Sequence[arb], order: int, jet_order: int
               ) -> tuple[int, tuple[str, ...], list[Expansion]] | None:
    """The first neuron ``j`` whose side fields are analytic over the hull, with the
    sides the hull meets and their expansions; ``None`` if there is none (normalized
    flows only)."""
    if getattr(field, "flow", "standard") == "standard":
        return None
    for j in nearest_dying(field, xhat):
        sides = sides_of(field, j, hull)
        exs = split_expansions(field, j, sides, xhat, hull, order, jet_order)
        if exs is not None:
            return j, sides, exs
    return None


def split_step(field, j: int, sides: Sequence[str], exs: Sequence[Expansion], h: arb,
               floor: arb) -> StepData | None:
    """The side steps for the step ``h`` (searching their a priori boxes), combined;
    ``None`` when an a priori inclusion fails (too long a step). Raises
    ``NotOnePiece`` when an a priori box leaves the side field's analytic domain.
    (Each side is proven on the ball a reader decodes from its stored witness, as
    :func:`taylor_step` does, so :func:`split_check` on the decoded witnesses
    reproduces the result.)"""
    parts = []
    for side, ex in zip(sides, exs):
        data = taylor_step(field.side(j, side), ex, h, floor)
        if data is None:
            return None
        parts.append(data)
    return combine(parts, j, sides, [p.witness["guess"] for p in parts])


def split_attempt(field, xhat: Sequence[arb], hull: Sequence[arb], order: int, jet_order: int,
                  remaining, tol: float, floor: arb, h_hint: float | None,
                  max_attempts: int = 16, accept: float = 3.0,
                  shorten: Callable[[Expansion, float], float] | None = None):
    """Propose and prove a split step (floats propose, balls prove).

    Returns ``(StepData, h)`` with ``h`` an exact rational step (at most
    ``remaining``), or ``None`` when the set does not split into analytic sides or
    no step is validated. The step size starts from the Taylor coefficients of the
    first side at ``xhat`` (at most ``h_hint``, the caller's proposal, and at most what
    ``shorten(ex, h)`` allows for each side's expansion: the caller's wrapping control)
    and shrinks on failure; a step is accepted when every remainder is below
    ``accept * tol``.
    """
    found = find_split(field, xhat, hull, order, jet_order)
    if found is None:
        return None
    j, sides, exs = found
    h = propose_step(exs[0].centre, order, tol)
    if h_hint is not None:
        h = min(h, h_hint)
    if shorten is not None:
        for ex in exs:
            h = shorten(ex, h)
    h = min(h, float(remaining))
    for _ in range(max_attempts):
        hq = min(Fraction(dyadic(h)), Fraction(remaining))
        if hq <= 0:
            return None
        harb = arb(fmpq(hq.numerator, hq.denominator))
        try:
            data = split_step(field, j, sides, exs, harb, floor)
        except NotOnePiece:
            data = None
        if data is None:
            h = 0.5 * float(hq)
            continue
        if data.remainder > accept * tol:  # shrink as the remainder ~ h^(p+1) asks
            h = float(hq) * min(0.9, 0.9 * (tol / data.remainder) ** (1.0 / (order + 1)))
            continue
        return data, hq
    return None
