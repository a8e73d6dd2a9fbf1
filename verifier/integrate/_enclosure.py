"""A priori boxes searched by Picard iteration (the lemma: :mod:`verifier.proof.picard`).

Floats only *propose* the inflation; every candidate box ``E`` is proven by the lemma
(``X + [0, h] F(E)`` in the interior of ``E``) on the ball a certificate reader decodes
from it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flint import arb

from verifier.arith.balls import BallArithmetic, ball_from_bounds
from verifier.arith.exact import canonical_vector
from verifier.proof.linalg import Vector, zero_to
from verifier.proof.picard import strictly_inside

#: Picard iterations tried before the step is declared too long.
MAX_ITERATIONS = 12


def inflate(xs: Sequence[arb], factor: float | arb, floor: arb) -> Vector:
    """Each ball with its radius times ``factor`` plus a relative floor."""
    out = []
    f = arb(factor)
    for x in xs:
        r = x.rad() * f + floor * (1 + abs(x.mid()))
        out.append(ball_from_bounds((x - r).lower(), (x + r).upper()))
    return out


def picard_enclosure(
    field: Callable, X: Sequence[arb], h: arb, eps: arb,
) -> Vector | None:
    """A box containing every solution from ``X`` on ``[0, h]``, or ``None``.

    ``field(ar, y)`` is the vector field; ``eps`` an absolute/relative
    inflation floor (of the order of the working precision). The returned box
    is ``X + [0, h] F(E)`` for a verified ``E`` (see the module docstring).
    """
    found = picard_witness(field, X, h, eps)
    return None if found is None else found[0]


def picard_witness(
    field: Callable, X: Sequence[arb], h: arb, eps: arb,
) -> tuple[Vector, Vector] | None:
    """``(box, E)``: as :func:`picard_enclosure`, with the verified box ``E`` (the
    witness a checker re-verifies with :func:`picard_check`)."""
    B = BallArithmetic()
    H = zero_to(h)
    FX = field(B, list(X))
    E = [x + H * f for x, f in zip(X, FX)]
    for _ in range(MAX_ITERATIONS):
        trial = inflate(E, 1.2, eps)
        # Verified on the ball a certificate reader decodes from the stored witness.
        FE = field(B, canonical_vector(trial))
        new = [x + H * f for x, f in zip(X, FE)]
        if not all(v.is_finite() for v in new):
            return None
        if strictly_inside(new, canonical_vector(trial)):
            return new, trial
        E = new
    return None
