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
arithmetic, several orders per evaluation of ``F``: :func:`_solution`), Taylor's
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
(:func:`_variational`). (The
tail's width is ``O(width([X]) h^(q+1))``: negligible, and it halves the cost of
the jets.) The a priori box ``E`` itself is verified by the high-order
enclosure test of :func:`taylor_step`.

**Second-order Taylor step** (an :class:`Expansion` with ``hess``, for sets with a
quadratic part). Instead of the mean value theorem, Taylor's theorem to second order
with Lagrange remainder, per coordinate along the segment from ``xhat`` to ``x0``
(inside the convex hull ``[X]``): ``T_q(x0) in T_q(xhat) + DT_q(xhat) d + d^T
D^2 T_q,i([X]) d / 2``, ``d = x0 - xhat``. So ``jacobian = DT_q(xhat)`` (variational
coefficients at the point) and ``hessian[i] = D^2 T_q,i([X])`` (coefficients of the
second variational equation over the hull, :func:`_second_variational`); the image
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
from functools import cache

from flint import arb, arb_mat, arb_series

from verifier.arith.balls import BallArithmetic
from verifier.arith.exact import canonical_matrix, canonical_vector
from verifier.arith.jets import Jet, JetArithmetic
from verifier.arith.precision import series_cap
from verifier.arith.series import SeriesArithmetic
from verifier.field.derivatives import NotDifferentiable
from verifier.field.program import Piece
from verifier.integrate._enclosure import clarke_jacobian, inflate, strictly_inside
from verifier.integrate._linalg import Vector, column, identity, matvec, zero_to
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
        return x[k]
    if k == 0:
        return x if isinstance(x, arb) else arb(x)
    return ZERO


#: Orders of ``DF`` along the solution used by :func:`_solution` to get several
#: coefficients from one evaluation of the field (when no other order is needed).
BLOCK = 5


@cache
def _series(length: int) -> SeriesArithmetic:
    return SeriesArithmetic(length)


@cache
def _jets(length: int, n: int, second: bool = False) -> JetArithmetic:
    J = JetArithmetic(_series(length), n)
    return JetArithmetic(J, n) if second else J


def _values(formula: Callable | Piece, ar, ys: Sequence) -> list:
    """The field's formula at ``ys``: a traced piece's operations, or the field."""
    return formula.formula(ar, ys) if isinstance(formula, Piece) else formula(ar, ys)


def _solution(field: Callable, x0: Sequence[arb], order: int, r: int = BLOCK
              ) -> tuple[list[list[arb]], Callable | Piece, list[arb_mat]]:
    """``(coeffs, formula, A)``: the Taylor coefficients ``y_0..y_order`` of
    :func:`taylor_coefficients`, the formula of the field on series whose constant terms
    are the box ``x0`` (its traced piece, or the field itself; :func:`_values`), and
    the coefficients ``A_0..A_{r-1}`` of ``DF(x(t))`` along the solutions.

    **Decisions once.** The first evaluation (order 0) takes the field's decisions as
    the kernel takes them in power-series arithmetic, strictly on the constant terms:
    the field is then one analytic formula, its traced piece
    (:meth:`verifier.field.vector_field.VectorField.piece`), on a neighbourhood of
    ``x0``, and every later evaluation is of that formula alone. (A field without
    pieces, any callable, is evaluated as it is.)

    **Recursion.** ``y_{k+1} = F(y)_k / (k + 1)`` for ``k < r``, one evaluation per
    order; ``A`` from one evaluation in jets of series of length ``r``. Then blocks:
    for ``y`` known to degree ``m >= r``, with ``delta = sum_{i>m} y_i t^i``,

        F(y) = F(y_<=m) + DF(y_<=m) delta + O(delta^2),

    and ``delta^2``, ``(DF(y) - DF(y_<=m)) delta`` have valuation ``>= 2m + 2``. So
    for ``m <= j <= m + r`` (``<= 2m + 1``), one evaluation of ``F(y_<=m)`` to length
    ``m + r + 1`` gives

        (j + 1) y_{j+1} = F(y_<=m)_j + sum_{i=m+1}^{j} A_{j-i} y_i,

    exact at every point of the box; in ball arithmetic an enclosure for all of it.
    """
    n = len(x0)
    r = max(0, min(r, order))
    coeffs: list[list[arb]] = [[x] for x in x0]
    formula = field
    S = _series(order + 1)
    with series_cap(order + 1):
        m = 0
        while m < order and (m < r - 1 or m == 0 or r == 0):  # one evaluation per order
            ys = [arb_series(c, prec=m + 1) for c in coeffs]
            if m == 0 and hasattr(field, "piece"):
                f, piece = field.piece(S, ys)
                if piece is not None:
                    formula = piece
            else:
                f = _values(formula, S, ys)
            for i in range(n):
                coeffs[i].append(_coef(f[i], m) / (m + 1))
            m += 1
        if r == 0:
            return coeffs, formula, []
        vals, A, _ = _along(formula, coeffs, r)
        if m == r - 1:
            for i in range(n):
                coeffs[i].append(_coef(vals[i], m) / (m + 1))
            m += 1
        while m < order:
            L = min(m + r, order - 1) + 1
            ys = [arb_series(c, prec=L) for c in coeffs]
            f = [fi if isinstance(fi, arb_series) else arb_series([_coef(fi, 0)], prec=L)
                 for fi in _values(formula, S, ys)]
            cols: dict[int, arb_mat] = {}
            for j in range(m, L):
                acc = column([fi[j] for fi in f])
                for i in range(m + 1, j + 1):
                    acc += A[j - i] * cols[i]
                cols[j + 1] = y = acc / (j + 1)
                for i in range(n):
                    coeffs[i].append(y[i, 0])
            m = L
    return coeffs, formula, A


def taylor_coefficients(field: Callable, x0: Sequence[arb], order: int) -> list[list[arb]]:
    """``[y_0, ..., y_order]`` per coordinate: Taylor coefficients at ``t = 0`` of
    every solution of ``x' = F(x)`` with ``x(0)`` in the box ``x0``.

    Coefficient ``k`` encloses ``x^(k)(0) / k!`` for every such solution. Raises
    :class:`verifier.arith.series.NotOnePiece` unless the box lies inside one
    analytic piece of ``F``.
    """
    return _solution(field, x0, order)[0]


def _along(formula: Callable | Piece, coeffs: Sequence[Sequence[arb]], q: int,
           second: bool = False) -> tuple[list, list[arb_mat], list[list[arb_mat]]]:
    """``(F, A, B)`` along the solutions whose coefficients ``coeffs`` enclose (for
    every initial value of their box): the series ``F(x(t))`` to length ``q``, the
    coefficients ``A_k`` (``k < q``) of ``DF(x(t))`` and, with ``second``, those of the
    Hessians, ``B[k][i][j, l] = D^2 F_i(x(t))_{jl, k}``.

    One evaluation on power series of length ``q``: the forward-mode derivative of a
    traced piece (:meth:`~verifier.field.program.Piece.derived`), else jets (jets of
    jets) seeded with the identity. The chain rule is exact in both, and the first
    ``q`` coefficients of ``x(t)`` determine those of ``F(x(t))`` and its derivatives."""
    n = len(coeffs)
    with series_cap(q):
        xs = [arb_series(list(coeffs[i][:q]), prec=q) for i in range(n)]
        try:
            if not isinstance(formula, Piece):
                raise NotDifferentiable("no program")
            out = formula.formula(_series(q), xs, 2 if second else 1)
        except NotDifferentiable:
            out = _jet_derivatives(formula, xs, q, second)
    A = [arb_mat(n, n) for _ in range(q)]
    B = [[arb_mat(n, n) for _ in range(n)] for _ in range(q)] if second else []
    first = n
    for i in range(n):
        for j in range(n):
            d = out[first + i * n + j]
            if d is not None:
                for k in range(q):
                    A[k][i, j] = _coef(d, k)
            if second:
                for m in range(n):
                    dd = out[first + n * n + (first + i * n + j) * n + m]
                    if dd is not None:
                        for k in range(q):
                            B[k][i][j, m] = _coef(dd, k)
    return out[:n], A, B


def _jet_derivatives(formula: Callable | Piece, xs: Sequence[arb_series], q: int,
                     second: bool) -> list:
    """The outputs of :func:`_along` in the layout of
    :func:`~verifier.field.derivatives.differentiate` (values, first derivatives, and
    with ``second`` the derivatives of both), from jets of power series."""
    n = len(xs)
    J = _jets(q, n, second)
    one, zero = arb(1), arb(0)
    inner = J.base if second else J
    ys = [inner.variable(i, xs[i]) for i in range(n)]
    if second:
        zeros = (zero,) * n
        ys = [Jet(ys[i], tuple(Jet(one if i == j else zero, zeros) for j in range(n)))
              for i in range(n)]
    res = _values(formula, J, ys)
    vals, firsts, seconds = [], [], []
    for i in range(n):
        fi = res[i]
        if second:  # the outer derivative of the value is the inner one's: read it there
            fi, outer = _parts(fi, n)
        v, der = _parts(fi, n)
        vals.append(v)
        firsts.extend(der)
        if second:
            for j in range(n):
                seconds.extend(_parts(outer[j], n)[1])
    if not second:
        return vals + firsts
    # (the derivatives of the values, i.e. the first derivatives again, are not read)
    return vals + firsts + [None] * (n * n) + seconds


def _variational(A: Sequence[arb_mat], q: int) -> list[arb_mat]:
    """``V_0 = I, ..., V_q``: coefficients of ``V' = A(t) V``, ``V(0) = I`` (the first
    variational equation), by ``(k + 1) V_{k+1} = sum_{a<=k} A_a V_{k-a}``."""
    n = A[0].nrows() if A else 0
    V = [identity(n)]
    for k in range(q):
        acc = A[0] * V[k]
        for a in range(1, k + 1):
            acc += A[a] * V[k - a]
        V.append(acc / (k + 1))
    return V


def _second_variational(A: Sequence[arb_mat], B: Sequence[Sequence[arb_mat]],
                        V: Sequence[arb_mat], q: int) -> list[list[list[list[arb]]]]:
    """``hess[i][j][l][k]`` (``k <= q``): coefficients of ``W_i = d^2 x_i / d x0^2``,
    ``W_i' = sum_m A_im W_m + V^T B_i V``, ``W(0) = 0`` (the second variational
    equation, ``B_i = D^2 F_i(x(t))``).

    ``C_i = V^T B_i V`` is expanded as ``P_i = B_i V`` then ``V^T P_i``; the ``W_m`` are
    kept as the rows of one ``n x n^2`` matrix so that ``sum_m A_im W_m`` is a matrix
    product."""
    n = V[0].nrows()
    Vt = [v.transpose() for v in V]
    # P[i][e] = sum_{b+d=e} B_b,i V_d and C[i][c] = sum_{a+e=c} V_a^T P[i][e], for c < q.
    P = [[B[0][i] * V[e] for e in range(q)] for i in range(n)]
    for i in range(n):
        for e in range(q):
            for b in range(1, e + 1):
                P[i][e] += B[b][i] * V[e - b]
    W = [arb_mat(n, n * n)]
    for k in range(q):
        rhs = A[0] * W[k]
        for a in range(1, k + 1):
            rhs += A[a] * W[k - a]
        for i in range(n):
            C = Vt[0] * P[i][k]
            for a in range(1, k + 1):
                C += Vt[a] * P[i][k - a]
            for j in range(n):
                for m in range(n):
                    rhs[i, j * n + m] += C[j, m]
        W.append(rhs / (k + 1))
    return [[[[W[k][i, j * n + m] for k in range(q + 1)] for m in range(n)] for j in range(n)]
            for i in range(n)]


def _as_lists(V: Sequence[arb_mat]) -> list[list[list[arb]]]:
    """``ders[i][j][k]`` from the matrices ``V_k``."""
    n = V[0].nrows()
    return [[[v[i, j] for v in V] for j in range(n)] for i in range(n)]


def variational_coefficients(
    field: Callable, x0: Sequence[arb], order: int, jet_order: int | None = None,
) -> tuple[list[list[arb]], list[list[list[arb]]]]:
    """Taylor coefficients of the solution and of ``V = d x(t) / d x(0)`` over the box ``x0``.

    Returns ``(vals, ders)``: ``vals[i][k]`` (``k <= order``) as in
    :func:`taylor_coefficients` and ``ders[i][j][k]`` (``k <= jet_order``, default
    ``order``) enclosing the k-th coefficient of ``V_ij`` for every initial value in
    ``x0`` (``V(0) = I``, the variational equation ``V' = DF(x) V``: ``DF`` along the
    solution's series from jets of power series, then the linear recursion on ball
    matrices, :func:`_variational`).
    """
    q = order if jet_order is None else min(jet_order, order)
    vals, _, A = _solution(field, x0, order, q)
    return vals, _as_lists(_variational(A, q))


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
    lies in one analytic piece (else ``NotOnePiece``); differentiating ``x' = F(x)``
    twice gives the second variational equation (:func:`_second_variational`), whose
    coefficients ``D^2 F(x(t))`` come from jets of jets of power series."""
    vals, formula, _ = _solution(field, x0, q)
    return _hessian(vals, formula, q)


def _hessian(vals: Sequence[Sequence[arb]], formula: Callable, q: int):
    if q == 0:
        n = len(vals)
        return [[[[ZERO] for _ in range(n)] for _ in range(n)] for _ in range(n)]
    _, A, B = _along(formula, vals, q, second=True)
    return _second_variational(A, B, _variational(A, q), q)


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
    if not second_order:
        centre = _solution(field, xhat, order)[0]
        vals, _, A = _solution(field, hull, order, q)
        return Expansion(order, q, centre, vals, _as_lists(_variational(A, q)))
    centre, _, A = _solution(field, xhat, order, q)
    vals, on_hull, _ = _solution(field, hull, order)
    return Expansion(order, q, centre, vals, _as_lists(_variational(A, q)),
                     _hessian(vals, on_hull, q))


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
