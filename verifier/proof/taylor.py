"""The step theorems: Taylor steps (first and second order) and low-order steps, proven
for given witnesses.

Every function here takes the witnesses of a step (the a priori box ``G`` of a Taylor
step, the Picard box and the flow-Jacobian box ``W`` of a low-order step) and either
proves the step or says that the inclusion fails; nothing is searched. The integrator
searches the witnesses (:mod:`verifier.integrate`), the checker re-proves them from a
file (:mod:`verifier.checker.replay`). The theorems return
:class:`~verifier.proof.step.StepData` with the following contract. For the
current set ``X`` (hull ``[X]``, reference point ``xhat`` in ``[X]``) and the
step ``h``, every solution ``x(t)`` of ``x' = F(x)`` with ``x(0)`` in ``X``
satisfies

    x(h)  in  image + jacobian * (x(0) - xhat),

where ``image`` is a ball vector and ``jacobian`` a ball matrix (the product is
understood for every matrix in the ball matrix). ``apriori`` is a box that
contains ``x(t)`` for all ``t`` in ``[0, h]``.

**Taylor step of order p** (:func:`taylor_check`; ``F`` analytic on a
neighbourhood of the a priori box ``E``, i.e. ``E`` inside one analytic piece).
With ``y_k(z)`` the k-th Taylor coefficient of the solution through ``z``
(computed by the recursion ``y_{k+1} = F(y)_k / (k + 1)`` in power-series
arithmetic, several orders per evaluation of ``F``:
:func:`~verifier.proof.coefficients.solution`), Taylor's
theorem with Lagrange remainder gives, per coordinate,

    x(h) = T(x(0)) + y_{p+1}(x(xi)) h^{p+1},   T(z) = sum_{k<=p} y_k(z) h^k,

with ``x(xi)`` in ``E``. Split ``T = T_q + sum_{q<k<=p} y_k h^k`` (``q`` the
Jacobian order, about ``p / 2``): the mean value theorem gives ``T_q(x0) in
T_q(xhat) + DT_q([X]) (x0 - xhat)`` and the tail lies in ``sum_{q<k<=p}
y_k([X]) h^k``. So ``image = T_q(xhat) + sum_{q<k<=p} y_k([X]) h^k + y_{p+1}(E)
h^{p+1}`` and ``jacobian = DT_q([X]) = sum_{k<=q} V_k([X]) h^k`` where ``V_k``
are the Taylor coefficients of the variational equation ``V' = DF(x) V,
V(0) = I``: ``DF(x(t))`` along the solution's series from one evaluation of the
derivative of ``F`` on power series, then a linear recursion on ball matrices
(:func:`~verifier.proof.coefficients.variational`). (The
tail's width is ``O(width([X]) h^(q+1))``: negligible, and it halves the cost of
the jets.) The a priori box ``E`` itself is verified by the high-order
enclosure test of :func:`taylor_check`.

**Second-order Taylor step** (an :class:`Expansion` with ``hess``, for sets with a
quadratic part). Instead of the mean value theorem, Taylor's theorem to second order
with Lagrange remainder, per coordinate along the segment from ``xhat`` to ``x0``
(inside the convex hull ``[X]``): ``T_q(x0) in T_q(xhat) + DT_q(xhat) d + d^T
D^2 T_q,i([X]) d / 2``, ``d = x0 - xhat``. So ``jacobian = DT_q(xhat)`` (variational
coefficients at the point) and ``hessian[i] = D^2 T_q,i([X])`` (coefficients of the
second variational equation over the hull,
:func:`~verifier.proof.coefficients.second_variational`); the image
and the tail are as above. The error that the set must absorb is then
``O(width([X])^3)`` instead of ``O(width([X])^2)``.

**Low-order step** (:func:`point_second_order`, :func:`flow_jacobian_check`; ``F``
only Lipschitz and piecewise C^1, as across switching surfaces). The set is split into
its reference point and the deviations from it. The point's solution ``xhat(t)`` is enclosed at full
order when its own (thin) a priori box lies in one piece, otherwise by the
second-order form: ``x`` is C^1 with ``x'`` absolutely continuous and, by
Clarke's chain rule, ``x''(s)`` lies for almost every ``s`` in ``dF(x(s))
F(x(s))`` (``dF`` the Clarke generalized Jacobian), hence

    x(h) = x0 + h F(x0) + int_0^h (h - s) x''(s) ds
         in  x0 + h F(x0) + (h^2 / 2) * J(E) F(E),

where ``J(.)`` is the ball Jacobian from jet arithmetic over balls (the hull of
the pieces' Jacobians, a convex box containing the Clarke Jacobian). The
deviations are mapped by an enclosure of the mean-value Jacobian of the flow
(:func:`flow_jacobian_check`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flint import arb, arb_mat

from verifier.arith.balls import BallArithmetic
from verifier.proof.coefficients import (
    ZERO,
    as_lists,
    hessian_along,
    horner,
    solution,
    taylor_coefficients,
    variational,
)
from verifier.proof.linalg import Vector, identity, matvec, zero_to
from verifier.proof.picard import clarke_jacobian, strictly_inside
from verifier.proof.step import StepData, StepKind


@dataclass(frozen=True)
class Expansion:
    """Taylor data of the current set that does not depend on the step size.

    ``centre[i][k]`` encloses ``y_k`` at the reference point ``xhat`` and
    ``vals[i][k]`` for every initial value in the hull ``[X]`` (``k <= order``);
    ``ders[i][j][k]`` encloses the coefficients of the variational matrix ``V`` over
    ``[X]`` for ``k <= jet_order``. A *second-order* expansion (for sets with a
    quadratic part, :class:`verifier.integrate._sets.QuadraticSet`) has instead
    ``ders`` at the point ``xhat`` and ``hess[i][j][l][k]``, the coefficients of the
    second derivatives over ``[X]`` (:func:`hessian_coefficients`).
    """

    order: int
    jet_order: int
    centre: list[list[arb]]
    vals: list[list[arb]]
    ders: list[list[list[arb]]]
    hess: list | None = None


def expand(field: Callable, xhat: Sequence[arb], hull: Sequence[arb], order: int,
           jet_order: int | None = None, second_order: bool = False) -> Expansion:
    """The :class:`Expansion` of order ``order`` (Jacobian to ``jet_order``, default
    about ``order / 2``); raises :class:`verifier.arith.series.NotOnePiece` unless
    ``hull`` lies in one analytic piece."""
    q = max(2, (order + 1) // 2) if jet_order is None else min(jet_order, order)
    if not second_order:
        centre = solution(field, xhat, order)[0]
        vals, _, A = solution(field, hull, order, q)
        return Expansion(order, q, centre, vals, as_lists(variational(A, q)))
    centre, _, A = solution(field, xhat, order, q)
    vals, on_hull, _ = solution(field, hull, order)
    return Expansion(order, q, centre, vals, as_lists(variational(A, q)),
                     hessian_along(vals, on_hull, q))


def taylor_check(field: Callable, ex: Expansion, h: arb,
                 guess: Sequence[arb]) -> StepData | Vector | None:
    """The Taylor step for the witness box ``guess``.

    **A priori box.** With ``E0 = sum_{k<=p} y_k([X]) [0, h]^k`` and the box ``G =
    guess``, if ``E = E0 + [0, h]^(p+1) y_{p+1}(G)`` lies in the interior of ``G`` and
    ``G`` lies in one analytic piece, then every solution from ``[X]`` stays in ``E`` on
    ``[0, h]``: at a first exit time ``t*`` from ``G`` the Taylor formula with Lagrange
    remainder (valid while the solution is in ``G``) would put ``x(t*)`` inside ``E``, in
    the interior of ``G``. The remainder at ``h`` is then ``y_{p+1}(G) h^(p+1)``
    (module docstring).

    Returns the :class:`StepData` when ``E`` lies in the interior of ``guess``; else
    the candidate ``E`` (a hint for the next guess), or ``None`` when ``E`` is not
    finite. Raises ``NotOnePiece`` when ``guess`` straddles a switching surface.
    """
    p = ex.order
    n = len(ex.centre)
    H = zero_to(h)
    Hp = H ** (p + 1)
    E0 = [horner(ex.vals[i], H) for i in range(n)]
    R = [c[p + 1] for c in taylor_coefficients(field, list(guess), p + 1)]
    cand = [e + Hp * r for e, r in zip(E0, R)]
    if not all(c.is_finite() for c in cand):
        return None
    if not strictly_inside(cand, guess):
        return cand
    hp = h ** (p + 1)
    rem = [r * hp for r in R]
    q = ex.jet_order
    # T_p(x) = T_q(x) + sum_{q<k<=p} y_k(x) h^k; the first part by the mean value
    # theorem around xhat, the second bounded over the hull.
    image = []
    tails = []
    for i in range(n):
        head = horner(ex.centre[i][: q + 1], h)
        tail = horner([ZERO] * (q + 1) + ex.vals[i][q + 1: p + 1], h) if q < p else ZERO
        tails.append(float(tail.rad()))
        image.append(head + tail + rem[i])
    jac = arb_mat([[horner(ex.ders[i][j][: q + 1], h) for j in range(n)] for i in range(n)])
    hessian = None
    if ex.hess is not None:
        hessian = tuple(arb_mat([[horner(ex.hess[i][j][m][: q + 1], h) for m in range(n)]
                                 for j in range(n)]) for i in range(n))
    return StepData(h=h, image=image, jacobian=jac, apriori=cand, kind=StepKind.TAYLOR,
                    order=p, remainder=max(float(r.rad()) for r in rem), tail=max(tails),
                    jet_order=q, witness={"guess": list(guess)}, hessian=hessian)


def point_expansion(field: Callable, xhat: Sequence[arb], order: int) -> Expansion:
    """The :class:`Expansion` of a single point (hull = the point, no Jacobian)."""
    n = len(xhat)
    centre = taylor_coefficients(field, list(xhat), order)
    ders = [[[arb(1 if i == j else 0)] for j in range(n)] for i in range(n)]
    return Expansion(order, 0, centre, centre, ders)


def point_second_order(field: Callable, xhat: Sequence[arb], h: arb,
                       E: Sequence[arb]) -> tuple[Vector, float]:
    """``(image, remainder)``: ``xhat + h F(xhat) + (h^2/2) J(E) F(E)`` for an a priori
    box ``E`` of the point's solution on ``[0, h]``."""
    Fx = field(BallArithmetic(), list(xhat))
    FE, JE = clarke_jacobian(field, E)
    half_h2 = h * h / 2
    rem = [s * half_h2 for s in matvec(JE, FE)]
    image = [x + h * f + r for x, f, r in zip(xhat, Fx, rem)]
    return image, max(float(r.rad()) for r in rem)


def flow_jacobian_check(JE: arb_mat, h: arb, W: arb_mat) -> arb_mat | None:
    """``I + h J(E) + (h^2/2) J(E) J(E) W`` when ``I + [0, h] J(E) W`` lies in the
    interior of ``W``, else ``None``.

    For two solutions in ``E`` the difference ``d = x - x~`` satisfies ``d' = M(t) d``
    with ``M(t)`` in the convex box ``J(E)`` (Clarke's mean value theorem, with a
    measurable selection by Filippov's lemma), so ``d(h) = Phi(h) d(0)`` where
    ``Phi' = M Phi``, ``Phi(0) = I``. If ``I + [0, h] J(E) W`` lies in the interior of
    ``W``, then ``Phi(s)`` is in ``W`` on ``[0, h]`` (first exit argument), and
    ``Phi(h) in I + h J(E) + (h^2 / 2) J(E) J(E) W``: a ball matrix containing every
    mean-value Jacobian of the time-``h`` map over a set whose solutions stay in ``E``
    (valid across switching surfaces)."""
    n = JE.nrows()
    I_ = identity(n)
    new = I_ + (JE * W) * zero_to(h)
    inner = [new[i, j] for i in range(n) for j in range(n)]
    outer = [W[i, j] for i in range(n) for j in range(n)]
    if not strictly_inside(inner, outer):
        return None
    return I_ + JE * h + (JE * (JE * W)) * (h * h / 2)
