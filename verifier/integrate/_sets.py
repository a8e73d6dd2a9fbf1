"""Set representations (CAPD's ``dynset``): the set owns wrapping control.

:class:`DoubletonSet` is the Lohner doubleton with QR wrapping control
(CAPD's ``C0Rect2Set``)::

    X = { xhat + C r0 + B r :  r0 in R0,  r in R },

``xhat`` an exact point, ``C`` and ``B`` exact matrices, ``R0`` the (fixed)
initial box centred at 0 and ``R`` a box of accumulated errors. Given step
data (``x(h) in image + A (x(0) - xhat)`` for all ``x(0)`` in ``X``, see
:mod:`verifier.integrate._taylor`), the new set is

    xhat' = mid(image),   C' = mid(A C),   B' = Q (QR of mid(A B), columns sorted
    by their extent),   r' = (B'^-1 A B) r + B'^-1 ((A C - C') r0 + image - xhat'),

where ``B'^-1`` is a rigorous ball inverse (for a step of several parts, ``r'`` is
the union of this box over the parts). Then ``xhat' + C' r0 + B' r'``
contains ``image + A (C r0 + B r)`` for every ``r0``, ``r``: the image of
``X``. Floats only choose ``C'`` and ``B'``; every identity used is exact
ball algebra (:mod:`verifier.proof.sets`, shared with the checker).
:class:`QuadraticSet` adds a quadratic part in ``r0`` (exact coefficient matrices
``S_i``) and takes second-order steps
(:func:`~verifier.proof.sets.quadratic_residual`): the doubleton's wrapping error is
second order in the initial box's width, and on wide boxes it feeds back into the hull
over which the next Jacobian is bounded until the set is lost; the quadratic set's is
third order.
:class:`BoxSet` is the naive interval set (``R0`` and ``B`` absent, no wrapping
control), kept for comparison and tests. :class:`TaylorModelSet` is a preconditioned
Taylor-model set of degree ``d`` in the initial coordinates (docs/taylor-models.md),
moved by Picard steps whose proofs are :mod:`verifier.proof.tm`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from flint import arb, arb_mat

from verifier.arith.exact import canonical_vector
from verifier.integrate._frames import from_numpy, qr_basis, to_numpy
from verifier.proof.linalg import Vector, identity, matvec, mid_mat, rigorous_inverse
from verifier.proof.sets import (
    Doubleton,
    linear_residual,
    quadratic_coefficients,
    quadratic_residual,
    set_hull,
)
from verifier.proof.step import StepData, StepKind
from verifier.proof.tm.sets import TaylorSet


def next_frame(AB: arb_mat, r: Sequence[arb], split: bool) -> tuple[arb_mat, arb_mat]:
    """``(B', B'^-1)``: the next error frame (exact ``B'``, rigorous ball inverse).

    Lohner's choice: ``Q`` of the QR decomposition of ``mid(A B)``, columns sorted by
    their extent. For a split step the identity: its parts move differently (one side
    of a dying surface contracts the neuron's coordinates, the other freezes them);
    near the surface both act almost diagonally in the state coordinates, whereas any
    frame rotated by their average wraps one of them a little at every step."""
    n = AB.nrows()
    if split:
        return identity(n), identity(n)
    weights = np.array([float(x.rad()) for x in r]) + 1e-300
    Bn = from_numpy(qr_basis(to_numpy(AB), weights))
    Binv = rigorous_inverse(Bn)
    if Binv is None:  # keep the previous orientation if Q cannot be inverted
        return identity(n), identity(n)
    return Bn, Binv


class _Lohner:
    """What the Lohner sets share: their dimension, hull and reference point."""

    xhat: Vector

    @property
    def dim(self) -> int:
        return len(self.xhat)

    def hull(self) -> Vector:
        """A box containing the set."""
        return set_hull(self)

    def centre(self) -> Vector:
        return list(self.xhat)


@dataclass(frozen=True)
class DoubletonSet(_Lohner):
    """``xhat + C r0 + B r`` (module docstring)."""

    xhat: Vector
    C: arb_mat
    r0: Vector
    B: arb_mat
    r: Vector
    #: The error box as computed, before :func:`canonical_vector`; a certificate stores
    #: this one (its decoding is ``r``, the box the integration continues with).
    r_stored: Vector | None = None

    @classmethod
    def from_box(cls, box: Sequence[arb]) -> DoubletonSet:
        """The set equal to the box (entries may be exact points)."""
        d = Doubleton.from_box(box)
        return cls(d.xhat, d.C, d.r0, d.B, d.r)

    def move(self, step: StepData) -> DoubletonSet:
        """The set enclosing the images of all points after the step."""
        A = step.jacobian
        xhat = [y.mid() for y in step.image]
        AC = A * self.C
        C = mid_mat(AC)
        AB = A * self.B
        Bn, Binv = next_frame(AB, self.r, bool(step.parts))
        r: Vector = []
        for image, Ap in (step.parts or ((step.image, A),)):
            rp = linear_residual(self, image, Ap, xhat, C, Binv)
            r = rp if not r else [arb.union(a, b) for a, b in zip(r, rp)]
        return DoubletonSet(xhat, C, list(self.r0), Bn, canonical_vector(r), r)


@dataclass(frozen=True)
class QuadraticSet(_Lohner):
    """``{xhat + C r0 + q(r0) + B r : r0 in R0, r in R}``, ``q(r0)_i = r0^T S_i r0``:
    the Lohner doubleton with a quadratic part in the initial coordinates (a
    second-order Taylor model of the flow of the initial box with a box remainder).

    For wide initial boxes the doubleton's wrapping error is second order in the
    box's width (the Jacobian's width over the hull times the width), and it feeds
    back into the hull; here it is third order. Steps with second-order data
    (``StepData.hessian``) move it by :func:`quadratic_residual`; other steps by the
    mean-value form, which carries ``q`` through the Jacobian.
    """

    xhat: Vector
    C: arb_mat
    r0: Vector
    B: arb_mat
    r: Vector
    S: tuple
    r_stored: Vector | None = None

    @classmethod
    def from_box(cls, box: Sequence[arb]) -> QuadraticSet:
        d = DoubletonSet.from_box(box)
        n = d.dim
        return cls(d.xhat, d.C, d.r0, d.B, d.r, tuple(arb_mat(n, n) for _ in range(n)))

    def move(self, step: StepData) -> QuadraticSet:
        A = step.jacobian
        xhat = [y.mid() for y in step.image]
        C = mid_mat(A * self.C)
        # (a split step's parts have no Hessian: step.hessian is None for them)
        S = [mid_mat(M) for M in quadratic_coefficients(self, A, step.hessian)]
        Bn, Binv = next_frame(A * self.B, self.r, bool(step.parts))
        r: Vector = []
        for image, Ap in (step.parts or ((step.image, A),)):
            rp = quadratic_residual(self, image, Ap, step.hessian, xhat, C, S, Binv)
            r = rp if not r else [arb.union(a, b) for a, b in zip(r, rp)]
        return QuadraticSet(xhat, C, list(self.r0), Bn, canonical_vector(r), tuple(S), r)


@dataclass(frozen=True)
class BoxSet:
    """An interval box moved by the mean-value form, without wrapping control."""

    box: Vector

    @classmethod
    def from_box(cls, box: Sequence[arb]) -> BoxSet:
        return cls(list(box))

    @property
    def dim(self) -> int:
        return len(self.box)

    def hull(self) -> Vector:
        return list(self.box)

    def centre(self) -> Vector:
        return [x.mid() for x in self.box]

    def move(self, step: StepData) -> BoxSet:
        c = self.centre()
        out: Vector = []
        for image, A in (step.parts or ((step.image, step.jacobian),)):
            d = matvec(A, [x - m for x, m in zip(self.box, c)])
            part = [y + e for y, e in zip(image, d)]
            out = part if not out else [arb.union(a, b) for a, b in zip(out, part)]
        return BoxSet(out)


SET_TYPES = {"doubleton": DoubletonSet, "quadratic": QuadraticSet, "box": BoxSet}


@dataclass(frozen=True)
class TaylorModelStepData:
    """What an accepted Taylor-model step proves and how a checker re-proves it
    (:func:`verifier.proof.tm.step.taylor_model_step`): every solution from the set stays
    in ``apriori`` on ``[0, h]`` and lies in ``next`` at ``h``."""

    h: arb
    apriori: Vector
    next: TaylorSet
    #: ``{"degree", "orders", "P", "J", "Q", "sigma"}``; the next set's centre is ``c'``.
    witness: dict
    #: Largest radius of the Picard remainder ``J'`` (for control).
    remainder: float
    kind: StepKind = StepKind.TAYLOR_MODEL
    order: int = 0
    jet_order: int = 0


@dataclass(frozen=True)
class TaylorModelSet:
    """A preconditioned Taylor-model set ``{c + C z : z in p(r) + I}`` of degree ``d`` in
    the initial coordinates (:class:`verifier.proof.tm.sets.TaylorSet`): its wrapping
    error is of order ``d + 1`` in the initial box's width. It moves by Picard steps
    (:class:`TaylorModelStepData`) only."""

    tm: TaylorSet

    @classmethod
    def from_box(cls, box: Sequence[arb], degree: int = 4) -> TaylorModelSet:
        return cls(TaylorSet.from_box(box, degree))

    @property
    def dim(self) -> int:
        return self.tm.dim

    @property
    def degree(self) -> int:
        return self.tm.space.degree

    @cached_property
    def _hull(self) -> Vector:
        return self.tm.hull()

    def hull(self) -> Vector:
        return list(self._hull)

    def centre(self) -> Vector:
        return self.tm.centre()

    def move(self, step: TaylorModelStepData) -> TaylorModelSet:
        return TaylorModelSet(step.next)


SET_TYPES["taylor-model"] = TaylorModelSet
