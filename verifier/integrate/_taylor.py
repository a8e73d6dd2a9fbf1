"""One-step data: Taylor coefficients, remainders and Jacobians (CAPD's ``dynsys``).

A solver here only *produces* step data; the set representation
(:mod:`verifier.integrate._sets`) applies it and the time map
(:mod:`verifier.integrate._timemap`) decides which step to take.

Both solvers return :class:`StepData` with the following contract. For the
current set ``X`` (hull ``[X]``, reference point ``xhat`` in ``[X]``) and the
step ``h``, every solution ``x(t)`` of ``x' = F(x)`` with ``x(0)`` in ``X``
satisfies

    x(h)  in  image + jacobian * (x(0) - xhat),

where ``image`` is a ball vector and ``jacobian`` a ball matrix (the product is
understood for every matrix in the ball matrix). ``apriori`` is a box that
contains ``x(t)`` for all ``t`` in ``[0, h]``.

**Taylor step of order p** (:func:`taylor_step`; ``F`` analytic on a
neighbourhood of the a priori box ``E``, i.e. ``E`` inside one analytic piece).
With ``y_k(z)`` the k-th Taylor coefficient of the solution through ``z``
(computed by the recursion ``y_{k+1} = F(y)_k / (k + 1)`` in power-series
arithmetic), Taylor's theorem with Lagrange remainder gives, per coordinate,

    x(h) = T(x(0)) + y_{p+1}(x(xi)) h^{p+1},   T(z) = sum_{k<=p} y_k(z) h^k,

with ``x(xi)`` in ``E``. Split ``T = T_q + sum_{q<k<=p} y_k h^k`` (``q`` the
Jacobian order, about ``p / 2``): the mean value theorem gives ``T_q(x0) in
T_q(xhat) + DT_q([X]) (x0 - xhat)`` and the tail lies in ``sum_{q<k<=p}
y_k([X]) h^k``. So ``image = T_q(xhat) + sum_{q<k<=p} y_k([X]) h^k + y_{p+1}(E)
h^{p+1}`` and ``jacobian = DT_q([X]) = sum_{k<=q} V_k([X]) h^k`` where ``V_k``
are the Taylor coefficients of the variational equation ``V' = DF(x) V,
V(0) = I``, obtained from the same recursion in jets of power series. (The
tail's width is ``O(width([X]) h^(q+1))``: negligible, and it halves the cost of
the jets.) The a priori box ``E`` itself is verified by the high-order
enclosure test of :func:`taylor_step`.

**Second-order Taylor step** (an :class:`Expansion` with ``hess``, for sets with a
quadratic part). Instead of the mean value theorem, Taylor's theorem to second order
with Lagrange remainder, per coordinate along the segment from ``xhat`` to ``x0``
(inside the convex hull ``[X]``): ``T_q(x0) in T_q(xhat) + DT_q(xhat) d + d^T
D^2 T_q,i([X]) d / 2``, ``d = x0 - xhat``. So ``jacobian = DT_q(xhat)`` (variational
coefficients at the point) and ``hessian[i] = D^2 T_q,i([X])`` (coefficients of the
second variational equation over the hull, :func:`hessian_coefficients`); the image
and the tail are as above. The error that the set must absorb is then
``O(width([X])^3)`` instead of ``O(width([X])^2)``.

**Low-order step** (:func:`low_order_step`; ``F`` only Lipschitz and piecewise
C^1, as across switching surfaces). The set is split into its reference point
and the deviations from it. The point's solution ``xhat(t)`` is enclosed at full
order when its own (thin) a priori box lies in one piece, otherwise by the
second-order form: ``x`` is C^1 with ``x'`` absolutely continuous and, by
Clarke's chain rule, ``x''(s)`` lies for almost every ``s`` in ``dF(x(s))
F(x(s))`` (``dF`` the Clarke generalized Jacobian), hence

    x(h) = x0 + h F(x0) + int_0^h (h - s) x''(s) ds
         in  x0 + h F(x0) + (h^2 / 2) * J(E) F(E),

where ``J(.)`` is the ball Jacobian from jet arithmetic over balls (the hull of
the pieces' Jacobians, a convex box containing the Clarke Jacobian). The
deviations are mapped by an enclosure of the mean-value Jacobian of the flow
(:func:`flow_jacobian`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from dataclasses import field as dc_field

from flint import arb, arb_mat, arb_series

from verifier.arith.balls import BallArithmetic
from verifier.arith.exact import canonical_matrix, canonical_vector
from verifier.arith.jets import Jet, JetArithmetic
from verifier.arith.precision import series_cap
from verifier.arith.series import SeriesArithmetic
from verifier.integrate._enclosure import clarke_jacobian, inflate, strictly_inside
from verifier.integrate._linalg import Vector, identity, matvec, zero_to
from verifier.integrate._status import StepKind

ZERO = arb(0)


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


def _coef(x, k: int) -> arb:
    """Coefficient ``k`` of a series, or of a constant (zero beyond ``k = 0``)."""
    if isinstance(x, arb_series):
        c = x.coeffs()
        return c[k] if k < len(c) else ZERO
    if k == 0:
        return x if isinstance(x, arb) else arb(x)
    return ZERO


def taylor_coefficients(field: Callable, x0: Sequence[arb], order: int) -> list[list[arb]]:
    """``[y_0, ..., y_order]`` per coordinate: Taylor coefficients at ``t = 0`` of
    every solution of ``x' = F(x)`` with ``x(0)`` in the box ``x0``.

    Coefficient ``k`` encloses ``x^(k)(0) / k!`` for every such solution. Raises
    :class:`verifier.arith.series.NotOnePiece` unless the box lies inside one
    analytic piece of ``F``.
    """
    n = len(x0)
    S = SeriesArithmetic(order + 1)
    coeffs: list[list[arb]] = [[x] for x in x0]
    with series_cap(order + 1):
        for k in range(order):
            ys = [arb_series(c, prec=k + 1) for c in coeffs]
            f = field(S, ys)
            for i in range(n):
                coeffs[i].append(_coef(f[i], k) / (k + 1))
    return coeffs


def variational_coefficients(
    field: Callable, x0: Sequence[arb], order: int, jet_order: int | None = None,
) -> tuple[list[list[arb]], list[list[list[arb]]]]:
    """Taylor coefficients of the solution and of ``V = d x(t) / d x(0)`` over the box ``x0``.

    Returns ``(vals, ders)``: ``vals[i][k]`` (``k <= order``) as in
    :func:`taylor_coefficients` and ``ders[i][j][k]`` (``k <= jet_order``, default
    ``order``) enclosing the k-th coefficient of ``V_ij`` for every initial value in
    ``x0`` (``V(0) = I``; jets of power series, i.e. the variational equation
    ``V' = DF(x) V`` expanded alongside). Beyond ``jet_order`` the recursion continues
    without derivatives.
    """
    n = len(x0)
    q = order if jet_order is None else min(jet_order, order)
    S = SeriesArithmetic(order + 1)
    J = JetArithmetic(S, n)
    vals: list[list[arb]] = [[x] for x in x0]
    ders: list[list[list[arb]]] = [[[arb(1 if i == j else 0)] for j in range(n)]
                                   for i in range(n)]
    with series_cap(order + 1):
        for k in range(order):
            if k >= q:
                f = field(S, [arb_series(c, prec=k + 1) for c in vals])
                for i in range(n):
                    vals[i].append(_coef(f[i], k) / (k + 1))
                continue
            ys = [Jet(arb_series(vals[i], prec=k + 1),
                      tuple(arb_series(ders[i][j], prec=k + 1) for j in range(n)))
                  for i in range(n)]
            f = field(J, ys)
            for i in range(n):
                fi = f[i]
                if isinstance(fi, Jet):
                    vals[i].append(_coef(fi.val, k) / (k + 1))
                    for j in range(n):
                        ders[i][j].append(_coef(fi.der[j], k) / (k + 1))
                else:
                    vals[i].append(_coef(fi, k) / (k + 1))
                    for j in range(n):
                        ders[i][j].append(ZERO)
    return vals, ders


def _parts(x, depth: int) -> tuple:
    """``(value, derivatives)`` of a jet, or of a constant (zero derivatives)."""
    if isinstance(x, Jet):
        return x.val, x.der
    return x, (ZERO,) * depth


def hessian_coefficients(field: Callable, x0: Sequence[arb], q: int
                         ) -> list[list[list[list[arb]]]]:
    """``hess[i][j][l][k]`` (``k <= q``): the k-th Taylor coefficient of the second
    derivative ``d^2 x_i(t) / d x_j(0) d x_l(0)``, enclosed for every initial value in the
    box ``x0``.

    The solution's coefficients ``y_k`` are analytic functions of ``x(0)`` while the box
    lies in one analytic piece (else ``NotOnePiece``), and the recursion
    ``y_{k+1} = F(y)_k / (k + 1)`` differentiates term by term; it is run in jets of
    jets of power series (second-order forward mode), so each entry encloses the
    exact second derivative of ``y_k`` over the box.
    """
    n = len(x0)
    S = SeriesArithmetic(q + 1)
    J1 = JetArithmetic(S, n)
    J2 = JetArithmetic(J1, n)
    one, zero = arb(1), arb(0)
    vals: list[list[arb]] = [[x] for x in x0]
    d1 = [[[one if i == j else zero] for j in range(n)] for i in range(n)]
    d2 = [[[[zero] for _ in range(n)] for _ in range(n)] for _ in range(n)]
    with series_cap(q + 1):
        for k in range(q):
            def ser(cs: list[arb], k: int = k) -> arb_series:
                return arb_series(cs, prec=k + 1)
            ys = [Jet(Jet(ser(vals[i]), tuple(ser(d1[i][l]) for l in range(n))),
                      tuple(Jet(ser(d1[i][j]), tuple(ser(d2[i][j][l]) for l in range(n)))
                            for j in range(n)))
                  for i in range(n)]
            f = field(J2, ys)
            for i in range(n):
                outer_val, outer_der = _parts(f[i], n)
                v, _ = _parts(outer_val, n)
                vals[i].append(_coef(v, k) / (k + 1))
                for j in range(n):
                    dj, dlj = _parts(outer_der[j], n)
                    d1[i][j].append(_coef(dj, k) / (k + 1))
                    for l in range(n):
                        d2[i][j][l].append(_coef(dlj[l], k) / (k + 1))
    return d2


def horner(cs: Sequence[arb], h: arb) -> arb:
    acc = cs[-1]
    for c in reversed(cs[:-1]):
        acc = acc * h + c
    return acc


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
    centre = taylor_coefficients(field, xhat, order)
    if not second_order:
        vals, ders = variational_coefficients(field, hull, order, q)
        return Expansion(order, q, centre, vals, ders)
    vals, _ = variational_coefficients(field, hull, order, 0)
    _, ders = variational_coefficients(field, xhat, q, q)
    return Expansion(order, q, centre, vals, ders, hessian_coefficients(field, hull, q))


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


def taylor_check(field: Callable, ex: Expansion, h: arb,
                 guess: Sequence[arb]) -> StepData | Vector | None:
    """The Taylor step for the witness box ``guess`` (:func:`taylor_step`).

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


def flow_jacobian_check(JE: arb_mat, h: arb, W: arb_mat) -> arb_mat | None:
    """``I + h J(E) + (h^2/2) J(E) J(E) W`` when ``I + [0, h] J(E) W`` lies in the
    interior of ``W`` (:func:`flow_jacobian`), else ``None``."""
    n = JE.nrows()
    I_ = identity(n)
    new = I_ + (JE * W) * zero_to(h)
    inner = [new[i, j] for i in range(n) for j in range(n)]
    outer = [W[i, j] for i in range(n) for j in range(n)]
    if not strictly_inside(inner, outer):
        return None
    return I_ + JE * h + (JE * (JE * W)) * (h * h / 2)


def low_order_step(field: Callable, point: tuple[Vector, float, dict], jacobian: arb_mat,
                   h: arb, apriori: Sequence[arb], order: int, witness: dict) -> StepData:
    """Step data from an image of the reference point (full order where the point's
    own a priori box lies in one piece, :func:`point_taylor`, else
    :func:`point_low_order`) and a :func:`flow_jacobian` over the set's a priori box."""
    image, remainder, point_witness = point
    return StepData(h=h, image=list(image), jacobian=jacobian, apriori=list(apriori),
                    kind=StepKind.LOW_ORDER, order=order, remainder=remainder,
                    witness={**witness, "point": point_witness})
