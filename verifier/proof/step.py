"""What one step proves: the contract shared by the integrator and the checker.

For the current set ``X`` (hull ``[X]``, reference point ``xhat`` in ``[X]``) and a step
``h``, every solution ``x(t)`` of ``x' = F(x)`` with ``x(0)`` in ``X`` satisfies

    x(h)  in  image + jacobian * (x(0) - xhat)

(``image`` a ball vector, ``jacobian`` a ball matrix; the product is understood for every
matrix in the ball matrix), and ``x(t)`` lies in ``apriori`` for all ``t`` in ``[0, h]``.
A second-order step adds ``1/2 (x(0) - xhat)^T hessian (x(0) - xhat)``; a step of several
parts (a split step over both sides of a surface) holds for each part. The theorems that
produce :class:`StepData` from witnesses are :mod:`verifier.proof.taylor`,
:mod:`verifier.proof.picard` and :mod:`verifier.proof.split`.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from enum import Enum

from flint import arb, arb_mat

from verifier.proof.linalg import Vector


class StepKind(Enum):
    """How the enclosure at the end of a step was obtained."""

    #: Taylor expansion of order ``p`` (the whole step inside one analytic piece),
    #: Lagrange remainder over the a priori box.
    TAYLOR = "taylor"
    #: Second-order mean-value step valid for a Lipschitz, piecewise C^1 field
    #: (the step may cross or straddle switching surfaces).
    LOW_ORDER = "low-order"
    #: Two Taylor steps, one per side of a dying neuron's surface that the set
    #: straddles, united (:mod:`verifier.integrate._split`).
    SPLIT = "split"
    #: A Picard step of a Taylor-model set (:mod:`verifier.proof.tm.step`), by the
    #: piece's formula or, across a switching surface, the generic kernel in
    #: Taylor-model arithmetic.
    TAYLOR_MODEL = "taylor-model"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class StepData:
    """What one step proves (see the module docstring for the contract)."""

    h: arb
    image: Vector
    jacobian: arb_mat
    apriori: Vector
    kind: StepKind
    order: int
    #: Largest radius of the remainder term (the step's local error), for control.
    remainder: float
    #: Largest radius of the tail ``sum_{q<k<=p} y_k([X]) h^k`` bounded over the hull
    #: (a Taylor step's second local error, ``O(width([X]) h^(q+1))``), for control.
    tail: float = 0.0
    #: Jacobian order ``q`` of a Taylor step.
    jet_order: int = 0
    #: What a checker needs to re-prove the step without searching: Taylor steps
    #: ``{"guess": G}``; low-order steps ``{"picard": E1, "W": W, "point": {...}}``.
    witness: dict = dc_field(default_factory=dict)
    #: A step that unites several proven enclosures (a split step over both sides of a
    #: surface): each ``(image_s, A_s)`` encloses the images of its part of the set, and
    #: ``image``/``jacobian`` are their entrywise unions. Sets wrap each part separately
    #: and unite the results, which keeps the correlation a united ``A`` would lose.
    parts: tuple = ()
    #: Second-order steps (sets with a quadratic part): ``jacobian`` is then taken at
    #: ``xhat`` only and ``hessian[i]`` encloses ``D^2 T_q,i`` over the hull, so that
    #: ``x(h) in image + jacobian (x0 - xhat) + 1/2 (x0 - xhat)^T hessian (x0 - xhat)``.
    hessian: tuple | None = None


class ContradictionError(RuntimeError):
    """Two valid enclosures of the same set are disjoint: a bug, never ignored."""
