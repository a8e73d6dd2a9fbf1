"""Taylor coefficients of the solutions and of their first and second derivatives with
respect to the initial value, enclosed over a box of initial values.

**The solution.** ``y_k(z)``, the k-th Taylor coefficient at ``t = 0`` of the solution of
``x' = F(x)`` through ``z``, by the recursion ``y_{k+1} = F(y)_k / (k + 1)`` in
power-series arithmetic, several orders per evaluation of ``F`` (:func:`solution`). Over a
box the coefficients enclose those of every solution from the box (ball arithmetic), and
the series arithmetic refuses (:class:`verifier.arith.series.NotOnePiece`) unless the box
lies inside one analytic piece of ``F``.

**The variational equations.** ``V = d x(t) / d x(0)``: ``V' = DF(x) V``, ``V(0) = I``, with
``DF(x(t))`` along the solution's series from one evaluation of the derivative of ``F``
on power series, then a linear recursion on ball matrices (:func:`variational`); the
second derivatives ``W_i = d^2 x_i / d x(0)^2`` from the second variational equation
(:func:`second_variational`). These are what the step theorems of
:mod:`verifier.proof.taylor` evaluate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

from flint import arb, arb_mat, arb_series

from verifier.arith.jets import Jet, JetArithmetic
from verifier.arith.precision import series_cap
from verifier.arith.series import SeriesArithmetic
from verifier.field.derivatives import NotDifferentiable
from verifier.field.program import Piece
from verifier.proof.linalg import column, identity

ZERO = arb(0)


def _coef(x, k: int) -> arb:
    """Coefficient ``k`` of a series, or of a constant (zero beyond ``k = 0``)."""
    if isinstance(x, arb_series):
        return x[k]
    if k == 0:
        return x if isinstance(x, arb) else arb(x)
    return ZERO


#: Orders of ``DF`` along the solution used by :func:`solution` to get several
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


def solution(field: Callable, x0: Sequence[arb], order: int, r: int = BLOCK
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
    return solution(field, x0, order)[0]


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
            fi, outer = jet_parts(fi, n)
        v, der = jet_parts(fi, n)
        vals.append(v)
        firsts.extend(der)
        if second:
            for j in range(n):
                seconds.extend(jet_parts(outer[j], n)[1])
    if not second:
        return vals + firsts
    # (the derivatives of the values, i.e. the first derivatives again, are not read)
    return vals + firsts + [None] * (n * n) + seconds


def variational(A: Sequence[arb_mat], q: int) -> list[arb_mat]:
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


def second_variational(A: Sequence[arb_mat], B: Sequence[Sequence[arb_mat]],
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


def as_lists(V: Sequence[arb_mat]) -> list[list[list[arb]]]:
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
    matrices, :func:`variational`).
    """
    q = order if jet_order is None else min(jet_order, order)
    vals, _, A = solution(field, x0, order, q)
    return vals, as_lists(variational(A, q))


def jet_parts(x, depth: int) -> tuple:
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
    twice gives the second variational equation (:func:`second_variational`), whose
    coefficients ``D^2 F(x(t))`` come from jets of jets of power series."""
    vals, formula, _ = solution(field, x0, q)
    return hessian_along(vals, formula, q)


def hessian_along(vals: Sequence[Sequence[arb]], formula: Callable, q: int):
    if q == 0:
        n = len(vals)
        return [[[[ZERO] for _ in range(n)] for _ in range(n)] for _ in range(n)]
    _, A, B = _along(formula, vals, q, second=True)
    return second_variational(A, B, variational(A, q), q)


def horner(cs: Sequence[arb], h: arb) -> arb:
    acc = cs[-1]
    for c in reversed(cs[:-1]):
        acc = acc * h + c
    return acc
