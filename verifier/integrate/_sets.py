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
ball algebra. :class:`QuadraticSet` adds a quadratic part in ``r0`` (exact
coefficient matrices ``S_i``) and takes second-order steps
(:func:`quadratic_residual`): the doubleton's wrapping error is second order in the
initial box's width, and on wide boxes it feeds back into the hull over which the
next Jacobian is bounded until the set is lost; the quadratic set's is third order.
:class:`BoxSet` is the naive interval set (``R0`` and ``B`` absent, no wrapping
control), kept for comparison and tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from flint import arb, arb_mat

from verifier.arith.balls import BallArithmetic
from verifier.arith.exact import canonical_vector
from verifier.integrate._linalg import (
    Vector,
    from_numpy,
    identity,
    matvec,
    mid_mat,
    qr_basis,
    rigorous_inverse,
    to_numpy,
)
from verifier.integrate._taylor import StepData


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


@dataclass(frozen=True)
class DoubletonSet:
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
        n = len(box)
        xhat = [x.mid() for x in box]
        r0 = [x - m for x, m in zip(box, xhat)]
        zero = [arb(0)] * n
        return cls(xhat, identity(n), r0, identity(n), zero)

    @property
    def dim(self) -> int:
        return len(self.xhat)

    def hull(self) -> Vector:
        """A box containing the set."""
        a = matvec(self.C, self.r0)
        b = matvec(self.B, self.r)
        return [x + u + v for x, u, v in zip(self.xhat, a, b)]

    def centre(self) -> Vector:
        return list(self.xhat)

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
            APC = Ap * self.C
            rest = [u + y - x for u, y, x in zip(matvec(APC - C, self.r0), image, xhat)]
            rp = [p + q for p, q in zip(matvec(Binv * (Ap * self.B), self.r),
                                        matvec(Binv, rest))]
            r = rp if not r else [arb.union(a, b) for a, b in zip(r, rp)]
        return DoubletonSet(xhat, C, list(self.r0), Bn, canonical_vector(r), r)


def quadratic_form(M: arb_mat, r0: Sequence[arb]) -> arb:
    """An enclosure of ``{r^T M r : r in r0}`` (a box; ``M`` a ball matrix): squares by
    their exact range, each off-diagonal pair once."""
    n = len(r0)
    sq = [BallArithmetic().powi(x, 2) for x in r0]
    acc = arb(0)
    for j in range(n):
        acc += M[j, j] * sq[j]
        for m in range(j + 1, n):
            acc += (M[j, m] + M[m, j]) * (r0[j] * r0[m])
    return acc


def bilinear(D: arb_mat, u: Sequence[arb], e: Sequence[arb]) -> arb:
    """An enclosure of ``{a^T D b : a in u, b in e}`` for boxes ``u``, ``e``."""
    n = len(u)
    return sum((D[j, m] * (u[j] * e[m]) for j in range(n) for m in range(n)), arb(0))


def quadratic_coefficients(X, A: arb_mat, D: Sequence[arb_mat] | None) -> list[arb_mat]:
    """The ball matrices ``M_i = sum_m A_im S_m + 1/2 C^T D_i C`` of the image's part
    quadratic in ``r0`` (:func:`quadratic_residual`; ``D = None``: no Hessian term)."""
    n = len(X.xhat)
    out = []
    for i in range(n):
        M = sum((X.S[m] * A[i, m] for m in range(n)), arb_mat(n, n))
        if D is not None:
            M += (X.C.transpose() * D[i] * X.C) * arb(0.5)
        out.append(M)
    return out


def quadratic_residual(X, image: Sequence[arb], A: arb_mat,
                       D: Sequence[arb_mat] | None, xhat: Sequence[arb], C: arb_mat,
                       S: Sequence[arb_mat], Binv: arb_mat) -> Vector:
    """The box that the error coordinates ``r'`` of the set ``xhat' + C' r0 + q'(r0) +
    B' r'`` must contain so that it contains ``{image + A d + 1/2 d^T D d}`` for every
    ``d = x0 - X.xhat``, ``x0`` in ``X`` (``D = None``: the mean-value form ``image + A
    d``). With ``d = u + e``, ``u = C r0``, ``e = q(r0) + B r``, that set is

        image + (A C) r0 + [sum_m A_im S_m + 1/2 C^T D_i C]_(quadratic in r0) + A B r
              + 1/2 (D[u, e] + D[e, u] + D[e, e]),

    so ``r' = B'^-1 (A B) r + B'^-1 (image - xhat' + (A C - C') r0 + r0^T M_i r0 +
    cross)`` with ``M_i = sum_m A_im S_m + 1/2 C^T D_i C - S'_i``, the quadratic forms
    and the cross terms enclosed over the boxes ``R0``, ``C R0`` and ``q(R0) + B R``.
    Every operation is ball arithmetic; ``C'``, ``S'``, ``B'`` are arbitrary exact."""
    n = len(X.xhat)
    R0 = X.r0
    lin = matvec(A * X.C - C, R0)
    quad = [quadratic_form(M - Si, R0) for M, Si in zip(quadratic_coefficients(X, A, D), S)]
    cross = [arb(0)] * n
    if D is not None:
        u = matvec(X.C, R0)
        e = [quadratic_form(Si, R0) + b for Si, b in zip(X.S, matvec(X.B, X.r))]
        cross = [(bilinear(D[i], u, e) + bilinear(D[i], e, u) + bilinear(D[i], e, e)) / 2
                 for i in range(n)]
    rest = [y - x + a + b + c for y, x, a, b, c in zip(image, xhat, lin, quad, cross)]
    return [p + q for p, q in zip(matvec(Binv * (A * X.B), X.r), matvec(Binv, rest))]


@dataclass(frozen=True)
class QuadraticSet:
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

    @property
    def dim(self) -> int:
        return len(self.xhat)

    def quadratic_hull(self) -> Vector:
        return [quadratic_form(S, self.r0) for S in self.S]

    def hull(self) -> Vector:
        a = matvec(self.C, self.r0)
        b = matvec(self.B, self.r)
        return [x + u + q + v for x, u, q, v in zip(self.xhat, a, self.quadratic_hull(), b)]

    def centre(self) -> Vector:
        return list(self.xhat)

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
