"""Witnesses for the step theorems of :mod:`verifier.proof.taylor`: searched here.

Floats propose the a priori box ``G`` of a Taylor step (inflations of the Taylor
enclosure of the hull) and the flow-Jacobian box ``W`` of a low-order step; each
candidate is proven by the theorem itself (:func:`~verifier.proof.taylor.taylor_check`,
:func:`~verifier.proof.taylor.flow_jacobian_check`) on the ball a certificate reader
decodes from it (:func:`verifier.arith.exact.canonical_vector`), so that the checker,
given the stored witness, reproduces the step bit for bit. The set representation
(:mod:`verifier.integrate._sets`) applies the step; the controller
(:mod:`verifier.integrate._control`) decides which step to take.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from flint import arb, arb_mat

from verifier.arith.exact import canonical_matrix, canonical_vector
from verifier.integrate._enclosure import inflate
from verifier.proof.coefficients import horner
from verifier.proof.linalg import Vector, identity, zero_to
from verifier.proof.picard import clarke_jacobian
from verifier.proof.step import StepData, StepKind
from verifier.proof.taylor import (
    Expansion,
    flow_jacobian_check,
    point_expansion,
    point_second_order,
    taylor_check,
)


def taylor_step(field: Callable, ex: Expansion, h: arb, floor: arb) -> StepData | None:
    """Order-``p`` Taylor step with a high-order a priori enclosure.

    **A priori box.** With ``E0 = sum_{k<=p} y_k([X]) [0, h]^k`` and a box ``G``
    (``E0`` slightly inflated), if ``E = E0 + [0, h]^(p+1) y_{p+1}(G)`` lies in the
    interior of ``G`` and ``G`` lies in one analytic piece, then every solution from
    ``[X]`` stays in ``E`` on ``[0, h]``: at a first exit time ``t*`` from ``G`` the
    Taylor formula with Lagrange remainder (valid while the solution is in ``G``)
    would put ``x(t*)`` inside ``E``, in the interior of ``G``. The remainder at ``h``
    is then ``y_{p+1}(G) h^(p+1)`` (module docstring).

    This function searches ``G`` (a few inflations); :func:`taylor_check` proves the
    step for a given ``G`` (the witness, ``StepData.witness["guess"]``, that a checker
    re-verifies). Returns ``None`` when no ``G`` is found (the step is too long);
    raises :class:`verifier.arith.series.NotOnePiece` when ``G`` straddles a
    switching surface.
    """
    n = len(ex.centre)
    H = zero_to(h)
    E0 = [horner(ex.vals[i], H) for i in range(n)]
    guess = inflate(E0, arb(1.1), floor)
    for _ in range(3):
        # The check runs on the ball a certificate reader decodes (canonical_vector);
        # the witness keeps the original, whose encoding decodes to that ball.
        data = taylor_check(field, ex, h, canonical_vector(guess))
        if isinstance(data, StepData):
            return replace(data, witness={"guess": guess})
        if data is None:
            return None
        guess = inflate([arb.union(a, b) for a, b in zip(guess, data)], arb(1.5), floor)
    return None


def point_taylor(field: Callable, xhat: Sequence[arb], h: arb, order: int,
                 floor: arb) -> tuple[Vector, float, dict] | None:
    """``(image, remainder, witness)``: a full-order enclosure of the solution from the
    single point ``xhat`` at time ``h`` (as :func:`taylor_step` for a hull equal to the
    point; ``witness = {"kind": "taylor", "order": p, "guess": G}``). ``None`` when the
    a priori inclusion fails; raises ``NotOnePiece`` when the point's a priori box
    straddles a switching surface."""
    data = taylor_step(field, point_expansion(field, xhat, order), h, floor)
    if data is None:
        return None
    return data.image, data.remainder, {"kind": "taylor", "order": order,
                                        "guess": data.witness["guess"]}


def point_low_order(field: Callable, xhat: Sequence[arb], h: arb,
                    eps: arb) -> tuple[Vector, float, dict] | None:
    """``(image, remainder, witness)`` for the solution from the point ``xhat`` at time
    ``h``: ``xhat + h F(xhat) + (h^2/2) J(E) F(E)`` (valid across switching surfaces,
    module docstring), ``E`` a Picard box of the point whose witness is
    ``{"kind": "second-order", "picard": box}``. ``None`` if no ``E`` is found."""
    from verifier.integrate._enclosure import picard_witness

    found = picard_witness(field, xhat, h, eps)
    if found is None:
        return None
    image, rem = point_second_order(field, xhat, h, found[0])
    return image, rem, {"kind": "second-order", "picard": found[1]}


def flow_jacobian(field: Callable, E: Sequence[arb], h: arb, floor: arb,
                  JE: arb_mat | None = None) -> tuple[arb_mat, arb_mat] | None:
    """``(Phi, W)``: a ball matrix ``Phi`` containing every "mean-value Jacobian" of the
    time-``h`` map over a set whose solutions stay in the box ``E`` (valid across
    switching surfaces), and the witness ``W`` of :func:`flow_jacobian_check`.

    For two solutions in ``E`` the difference ``d = x - x~`` satisfies ``d' = M(t) d``
    with ``M(t)`` in the convex box ``J(E)`` (Clarke's mean value theorem, with a
    measurable selection by Filippov's lemma), so ``d(h) = Phi(h) d(0)`` where
    ``Phi' = M Phi``, ``Phi(0) = I``. If ``I + [0, h] J(E) W`` lies in the interior of
    ``W``, then ``Phi(s)`` is in ``W`` on ``[0, h]`` (first exit argument), and

        Phi(h) in I + h J(E) + (h^2 / 2) J(E) J(E) W.

    Returns ``None`` when no ``W`` is verified. ``JE`` may be passed when already
    known (a ball Jacobian over a box containing ``E``).
    """
    n = len(E)
    if JE is None:
        _, JE = clarke_jacobian(field, E)
    if not all(JE[i, j].is_finite() for i in range(n) for j in range(n)):
        return None
    I_ = identity(n)
    H = zero_to(h)
    W = I_ + JE * H
    for _ in range(6):
        W = arb_mat([[inflate([W[i, j]], arb(1.2), floor)[0] for j in range(n)]
                     for i in range(n)])
        Phi = flow_jacobian_check(JE, h, canonical_matrix(W))
        if Phi is not None:
            return Phi, W
        new = I_ + (JE * W) * H
        W = arb_mat([[arb.union(W[i, j], new[i, j]) for j in range(n)] for i in range(n)])
    return None


def low_order_step(field: Callable, point: tuple[Vector, float, dict], jacobian: arb_mat,
                   h: arb, apriori: Sequence[arb], order: int, witness: dict) -> StepData:
    """Step data from an image of the reference point (full order where the point's
    own a priori box lies in one piece, :func:`point_taylor`, else
    :func:`point_low_order`) and a :func:`flow_jacobian` over the set's a priori box."""
    image, remainder, point_witness = point
    return StepData(h=h, image=list(image), jacobian=jacobian, apriori=list(apriori),
                    kind=StepKind.LOW_ORDER, order=order, remainder=remainder,
                    witness={**witness, "point": point_witness})
