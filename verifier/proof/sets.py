"""The sets of a tube and the inclusions that move them: every identity is ball algebra.

A set is ``X = {xhat + C r0 + q(r0) + B r : r0 in R0, r in R}`` (:class:`Doubleton`):
``xhat`` an exact point, ``C``, ``B`` exact matrices, ``R0`` the initial box centred at 0,
``R`` a box of accumulated errors and, for a set with a quadratic part,
``q(r0)_i = r0^T S_i r0`` with exact ``S_i`` (Lohner's doubleton; CAPD's ``C0Rect2Set``).
Given a step (``x(h) in image + A (x(0) - xhat)`` for every ``x(0)`` in ``X``,
:mod:`verifier.proof.step`) and any exact ``xhat'``, ``C'``, ``B'`` (and ``S'``), the set
``xhat' + C' r0 + q'(r0) + B' r'`` contains the image of ``X`` as soon as ``r'``
contains :func:`linear_residual` (no quadratic part) or :func:`quadratic_residual`,
computed with a rigorous ball inverse of ``B'``. The integrator chooses ``xhat'``, ``C'``,
``B'`` (:mod:`verifier.integrate._sets`), the checker reads them from a file; both
compute the residual with these functions, so the checker reproduces the integrator's
balls bit for bit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flint import arb, arb_mat

from verifier.arith.balls import BallArithmetic
from verifier.proof.linalg import Vector, identity, matvec


@dataclass(frozen=True)
class Doubleton:
    """``{xhat + C r0 + q(r0) + B r : r0 in R0, r in R}`` with exact ``xhat``, ``C``,
    ``B`` and, for a set with a quadratic part, ``q(r0)_i = r0^T S_i r0`` with exact
    ``S_i`` (``S = None``: no quadratic part)."""

    xhat: Vector
    C: arb_mat
    r0: Vector
    B: arb_mat
    r: Vector
    S: tuple | None = None

    @classmethod
    def from_box(cls, box: Sequence[arb]) -> Doubleton:
        """The set equal to the box (entries may be exact points)."""
        n = len(box)
        xhat = [x.mid() for x in box]
        return cls(xhat, identity(n), [x - m for x, m in zip(box, xhat)], identity(n),
                   [arb(0)] * n)

    def hull(self) -> Vector:
        return set_hull(self)


def set_hull(X) -> Vector:
    """A box containing the set ``X`` (anything with ``xhat``, ``C``, ``r0``, ``B``,
    ``r`` and possibly ``S``)."""
    a = matvec(X.C, X.r0)
    b = matvec(X.B, X.r)
    if getattr(X, "S", None) is None:
        return [x + u + v for x, u, v in zip(X.xhat, a, b)]
    q = [quadratic_form(S, X.r0) for S in X.S]
    return [x + u + s + v for x, u, s, v in zip(X.xhat, a, q, b)]


def linear_residual(X, image: Sequence[arb], A: arb_mat, xhat: Sequence[arb], C: arb_mat,
                    Binv: arb_mat) -> Vector:
    """The box that ``r'`` must contain so that ``xhat' + C' r0 + B' r'`` contains
    ``{image + A (x0 - X.xhat) : x0 in X}`` (``X`` without a quadratic part):
    ``r' = B'^-1 (A B) r + B'^-1 ((A C - C') r0 + image - xhat')``, since
    ``image + A (C r0 + B r) = xhat' + C' r0 + B' [that]`` for every ``r0``, ``r``."""
    rest = [u + y - x for u, y, x in zip(matvec(A * X.C - C, X.r0), image, xhat)]
    return [p + q for p, q in zip(matvec(Binv * (A * X.B), X.r), matvec(Binv, rest))]


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
