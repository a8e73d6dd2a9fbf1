"""Reference Taylor recursions: one evaluation of the field per order, in jets.

These are the integrator's recursions as they were before the straight-line programs
and the blocked recursion (:func:`verifier.proof.coefficients.solution`); tests call
them with the generic kernel (``VectorField.kernel``), so they share nothing with the
new code but the arithmetics. Every coefficient is enclosed for every initial value
of the box ``x0``:

* ``y_{k+1} = F(y)_k / (k + 1)`` with ``F`` evaluated on the series ``y_0..y_k``;
* ``V = d x / d x0`` from the same recursion in jets of power series seeded with
  ``V`` itself (forward mode through ``F``);
* ``d^2 x / d x0^2`` from jets of jets of power series.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flint import arb, arb_series

from verifier.arith.jets import Jet, JetArithmetic
from verifier.arith.precision import series_cap
from verifier.arith.series import SeriesArithmetic

ZERO = arb(0)


def _coef(x, k: int) -> arb:
    if isinstance(x, arb_series):
        c = x.coeffs()
        return c[k] if k < len(c) else ZERO
    if k == 0:
        return x if isinstance(x, arb) else arb(x)
    return ZERO


def _parts(x, depth: int) -> tuple:
    if isinstance(x, Jet):
        return x.val, x.der
    return x, (ZERO,) * depth


def taylor_coefficients(field: Callable, x0: Sequence[arb], order: int) -> list[list[arb]]:
    n = len(x0)
    S = SeriesArithmetic(order + 1)
    coeffs: list[list[arb]] = [[x] for x in x0]
    with series_cap(order + 1):
        for k in range(order):
            f = field(S, [arb_series(c, prec=k + 1) for c in coeffs])
            for i in range(n):
                coeffs[i].append(_coef(f[i], k) / (k + 1))
    return coeffs


def variational_coefficients(field: Callable, x0: Sequence[arb], order: int, q: int
                             ) -> tuple[list[list[arb]], list[list[list[arb]]]]:
    n = len(x0)
    S = SeriesArithmetic(order + 1)
    J = JetArithmetic(S, n)
    vals: list[list[arb]] = [[x] for x in x0]
    ders = [[[arb(1 if i == j else 0)] for j in range(n)] for i in range(n)]
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
                v, d = _parts(f[i], n)
                vals[i].append(_coef(v, k) / (k + 1))
                for j in range(n):
                    ders[i][j].append(_coef(d[j], k) / (k + 1))
    return vals, ders


def hessian_coefficients(field: Callable, x0: Sequence[arb], q: int
                         ) -> list[list[list[list[arb]]]]:
    n = len(x0)
    S = SeriesArithmetic(q + 1)
    J2 = JetArithmetic(JetArithmetic(S, n), n)
    one, zero = arb(1), arb(0)
    vals: list[list[arb]] = [[x] for x in x0]
    d1 = [[[one if i == j else zero] for j in range(n)] for i in range(n)]
    d2 = [[[[zero] for _ in range(n)] for _ in range(n)] for _ in range(n)]
    with series_cap(q + 1):
        for k in range(q):
            def ser(cs: list[arb], k: int = k) -> arb_series:
                return arb_series(cs, prec=k + 1)
            ys = [Jet(Jet(ser(vals[i]), tuple(ser(d1[i][m]) for m in range(n))),
                      tuple(Jet(ser(d1[i][j]), tuple(ser(d2[i][j][m]) for m in range(n)))
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
                    for m in range(n):
                        d2[i][j][m].append(_coef(dlj[m], k) / (k + 1))
    return d2
