"""Re-proving a tube step by step from its recorded witnesses.

A certificate's tube is a chain of sets ``X_0, X_1, ..., X_N`` (Lohner
doubletons ``X = {xhat + C r0 + B r : r0 in R0, r in R}``, ``R0`` the initial box
centred at 0) with, for each step ``[t_k, t_{k+1}]``, a claimed a priori box and
the witnesses of its inclusions. The checker proves, for every ``k``:

* **a priori**: every solution from ``X_k`` stays on ``[0, h]`` in a box that is
  contained in the claimed a priori box, by re-verifying the witness inclusion
  (the high-order Taylor test for a box ``G`` inside one analytic piece, or the
  Picard test ``X + [0, h] F(E) in int E`` valid across switching surfaces, or
  the Taylor test once per side of a dying neuron's surface,
  :mod:`verifier.proof.split`);
* **image**: ``x(h) in image + A (x(0) - xhat)`` for every ``x(0)`` in ``X_k``,
  with ``image`` and the ball matrix ``A`` computed here from the step theorems
  (Taylor with Lagrange remainder and mean value form; or the second-order
  Clarke form with the flow-Jacobian box ``W``);
* **the next set contains the image**: ``xhat' = mid(image)`` exactly and
  ``B'^-1 (A B) r + B'^-1 ((A C - C') r0 + image - xhat')`` is contained in
  ``R'``, with ``B'^-1`` a rigorous ball inverse (for a split step over both sides,
  once per side with that side's ``image_s`` and ``A_s``). Then ``X_{k+1}`` contains the image
  of ``X_k``, whatever ``C'`` and ``B'`` are.

A tube of Taylor-model sets (format ``ngf-certificate/3``) stores per step the Picard
witness ``(P, J)``, the next frame ``(c', Q, sigma)`` and the next set's right models;
:func:`check_taylor_model_step` re-proves the step with
:func:`verifier.proof.tm.step.taylor_model_step` and checks that the stored set contains
the recomputed one.

By induction every solution from the initial box is in ``X_k`` at ``t_k`` and in
the a priori box on ``[t_k, t_{k+1}]``.

What is shared with the integrator: the vector field (the problem's closed forms
in ball, jet and power-series arithmetic) and the *formulas* of the step theorems
(:mod:`verifier.proof`: :func:`~verifier.proof.taylor.taylor_check` and friends), which take the
witnesses as input and search nothing. Nothing from the integrator's control
(step sizes, orders, crossings, retries) is used: a step is accepted here only
because its inclusions hold. Steps are independent given their start set, so
they may be checked in any order or in parallel.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from flint import arb, arb_mat, fmpq

from verifier.arith.series import NotOnePiece
from verifier.arith.taylor_model import TaylorModel
from verifier.arith.timed_model import TimedModel
from verifier.proof.picard import picard_check, second_order_enclosure
from verifier.proof.sets import Doubleton, linear_residual, quadratic_residual
from verifier.proof.split import SIDES, sides_of, split_check
from verifier.proof.step import ContradictionError, StepData
from verifier.proof.taylor import (
    expand,
    flow_jacobian_check,
    point_expansion,
    point_second_order,
    taylor_check,
)
from verifier.proof.tm.sets import TaylorSet
from verifier.proof.tm.step import contains_set, start_set, taylor_model_step
from verifier.proof.verdict import Rejected

Vector = list[arb]


@dataclass(frozen=True)
class Step:
    """One decoded step record."""

    t0: Fraction
    t1: Fraction
    kind: str
    order: int
    jet_order: int
    apriori: Vector
    witness: dict
    xhat: Vector | None = None
    C: arb_mat | None = None
    B: arb_mat | None = None
    r: Vector | None = None
    S: tuple | None = None
    #: A Taylor-model step's witness and stored set (else ``None``).
    tm: TaylorModelRecord | None = None


@dataclass(frozen=True)
class TaylorModelRecord:
    """A decoded Taylor-model step: the witness ``(degree, orders, P, J, Q, sigma)`` and
    the stored next set's centre ``c`` and right models ``p``."""

    degree: int
    orders: tuple[int, ...]
    P: list[TimedModel]
    J: Vector
    Q: arb_mat
    sigma: Vector
    c: Vector
    p: list[TaylorModel]

    def stored_set(self) -> TaylorSet:
        """The set stored at the step's end, ``(c, Q diag(sigma), p)``."""
        return start_set(self.c, self.Q, self.sigma, self.p)


def check_taylor_model_step(field: Callable, X: TaylorSet, step: Step, where: str
                            ) -> TaylorSet:
    """The stored set after a Taylor-model step once the step is re-proven from ``X``
    (:func:`verifier.proof.tm.step.taylor_model_step`) and the stored set contains the
    recomputed one; raises :class:`Rejected`."""
    w = step.tm
    if not isinstance(X, TaylorSet) or w.degree != X.space.degree:
        raise Rejected(f"{where}: a Taylor-model step starts from a Taylor-model set of "
                       "its degree")
    try:
        out = taylor_model_step(field, X, _exact_h(step), w.P, w.J, w.c, w.Q, w.sigma)
    except Rejected as e:
        raise Rejected(f"{where}: {e}") from None
    if not all(x.is_finite() for x in out.apriori):
        raise Rejected(f"{where}: the a priori box is not finite")
    if not _contains_all(step.apriori, out.apriori):
        raise Rejected(f"{where}: the claimed a priori box does not contain the proven one")
    try:
        stored = w.stored_set()
    except Rejected as e:
        raise Rejected(f"{where}: {e}") from None
    why = contains_set(stored, out.next)
    if why is not None:
        raise Rejected(f"{where}: the set at t1 does not contain the image ({why})")
    return stored


def _exact_h(step: Step) -> arb:
    h = step.t1 - step.t0
    return arb(fmpq(h.numerator, h.denominator))


def _is_exact(x: arb) -> bool:
    return x.rad() == 0


def _contains_all(outer: Sequence[arb], inner: Sequence[arb]) -> bool:
    return all(o.contains(i) for o, i in zip(outer, inner))


def image_and_jacobian(field: Callable, X: Doubleton, step: Step, where: str
                       ) -> tuple[Vector, arb_mat, Vector, tuple, tuple | None]:
    """``(image, A, apriori, parts, D)`` of the step from ``X``, proven from the
    witnesses (``parts``: the ``(image_s, A_s)`` of a split step over both sides, else
    empty). A Taylor step from a set with a quadratic part is a second-order step: ``A``
    is the Jacobian at ``xhat`` and ``D`` the Hessian enclosure over the hull, else
    ``D`` is ``None`` (the mean-value form)."""
    h = _exact_h(step)
    hull = X.hull()
    xhat = list(X.xhat)
    w = step.witness
    try:
        if step.kind == "split":
            j = w["neuron"]
            sides = tuple(s for s in SIDES if s in w)
            try:
                fields = [field.side(j, s) for s in sides]
            except ValueError as e:
                raise Rejected(f"{where}: {e}") from None
            if len(sides) == 1 and sides_of(field, j, hull) != sides:
                raise Rejected(f"{where}: the set is not proven to lie on the {sides[0]} "
                               f"side of neuron {j + 1}'s dying surface")
            exs = [expand(Fs, xhat, hull, step.order, step.jet_order) for Fs in fields]
            data = split_check(field, j, sides, exs, h, [w[s]["guess"] for s in sides])
            if data is None:
                raise Rejected(f"{where}: a side's Taylor a priori inclusion does not hold")
            return data.image, data.jacobian, data.apriori, data.parts, None
        if step.kind == "taylor":
            ex = expand(field, xhat, hull, step.order, step.jet_order, X.S is not None)
            if ex.jet_order != step.jet_order:
                raise Rejected(f"{where}: jet order {step.jet_order} not valid for order "
                               f"{step.order}")
            data = taylor_check(field, ex, h, w["guess"])
            if not isinstance(data, StepData):
                raise Rejected(f"{where}: the Taylor a priori inclusion does not hold")
            return data.image, data.jacobian, data.apriori, (), data.hessian
        E = picard_check(field, hull, h, w["picard"])
        if E is None:
            raise Rejected(f"{where}: the Picard inclusion X + [0,h] F(E) in int E fails")
        E, JE = second_order_enclosure(field, hull, h, E)
        pt = w["point"]
        if pt["kind"] == "taylor":
            data = taylor_check(field, point_expansion(field, xhat, pt["order"]), h,
                                pt["guess"])
            if not isinstance(data, StepData):
                raise Rejected(f"{where}: the reference point's Taylor a priori inclusion "
                               "does not hold")
            image = data.image
        else:
            Ep = picard_check(field, xhat, h, pt["picard"])
            if Ep is None:
                raise Rejected(f"{where}: the reference point's Picard inclusion fails")
            image, _ = point_second_order(field, xhat, h, Ep)
        A = flow_jacobian_check(JE, h, w["W"])
        if A is None:
            raise Rejected(f"{where}: the flow-Jacobian inclusion I + [0,h] J W in int W "
                           "fails")
        return list(image), A, E, (), None
    except NotOnePiece:
        raise Rejected(f"{where}: the Taylor step's box is not inside one analytic piece "
                       "of the vector field") from None
    except ContradictionError as e:
        raise Rejected(f"{where}: {e}") from None


def check_step(field: Callable, X: Doubleton | TaylorSet, step: Step, where: str
               ) -> Doubleton | TaylorSet:
    """The set after ``step`` (as recorded) once every inclusion is proven; raises
    :class:`Rejected` naming the first one that fails."""
    if not step.t1 > step.t0:
        raise Rejected(f"{where}: t1 <= t0")
    if step.kind == "taylor-model":
        return check_taylor_model_step(field, X, step, where)
    if not isinstance(X, Doubleton):
        raise Rejected(f"{where}: a {step.kind} step starts from a Lohner set")
    n = len(X.xhat)
    image, A, apriori, parts, D = image_and_jacobian(field, X, step, where)
    if not all(x.is_finite() for x in image):
        raise Rejected(f"{where}: the image is not finite")
    if not _contains_all(step.apriori, apriori):
        raise Rejected(f"{where}: the claimed a priori box does not contain the proven one")
    if not all(_is_exact(x) for x in step.xhat):
        raise Rejected(f"{where}: the reference point is not exact")
    for i in range(n):
        if not (step.xhat[i].mid() == image[i].mid()):
            raise Rejected(f"{where}: reference point {i} is not the midpoint of the image")
    if not all(_is_exact(step.C[i, j]) and _is_exact(step.B[i, j])
               for i in range(n) for j in range(n)):
        raise Rejected(f"{where}: C or B is not exact")
    if (X.S is None) != (step.S is None):
        raise Rejected(f"{where}: the sets of one tube all have a quadratic part or none do")
    if step.S is not None and not all(_is_exact(S[i, j]) for S in step.S
                                      for i in range(n) for j in range(n)):
        raise Rejected(f"{where}: a quadratic coefficient S is not exact")
    try:
        Binv = step.B.inv()
    except ZeroDivisionError:
        raise Rejected(f"{where}: B is not provably invertible") from None
    for image_s, A_s in (parts or ((image, A),)):
        if step.S is None:
            need = linear_residual(X, image_s, A_s, step.xhat, step.C, Binv)
        else:
            need = quadratic_residual(X, image_s, A_s, D, step.xhat, step.C, step.S, Binv)
        for i in range(n):
            if not step.r[i].contains(need[i]):
                raise Rejected(f"{where}: the set at t1 does not contain the image "
                               f"(coordinate {i})")
    return Doubleton(list(step.xhat), step.C, list(X.r0), step.B, list(step.r), step.S)
