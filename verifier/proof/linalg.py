"""Ball vectors and matrices (lists of ``arb`` and ``flint.arb_mat``).

Every product, sum and inverse is an enclosure at the working precision of the
enclosing :func:`verifier.arith.precision.precision` scope.
"""

from __future__ import annotations

from collections.abc import Sequence

from flint import arb, arb_mat

from verifier.arith.balls import ball_from_bounds

Vector = list[arb]


def zero_to(h: arb) -> arb:
    """A ball enclosing ``[0, h]`` for ``h >= 0``."""
    return ball_from_bounds(arb(0), h.upper())


def all_finite(xs: Sequence[arb]) -> bool:
    return all(x.is_finite() for x in xs)


def identity(n: int) -> arb_mat:
    return arb_mat([[1 if i == j else 0 for j in range(n)] for i in range(n)])


def column(xs: Sequence[arb]) -> arb_mat:
    return arb_mat([[x] for x in xs])


def as_list(col: arb_mat) -> Vector:
    return [col[i, 0] for i in range(col.nrows())]


def matvec(M: arb_mat, xs: Sequence[arb]) -> Vector:
    return as_list(M * column(xs))


def mid_mat(M: arb_mat) -> arb_mat:
    """The exact midpoint matrix."""
    n, m = M.nrows(), M.ncols()
    return arb_mat([[M[i, j].mid() for j in range(m)] for i in range(n)])


def is_finite_mat(M: arb_mat) -> bool:
    return all(M[i, j].is_finite() for i in range(M.nrows()) for j in range(M.ncols()))


def rigorous_inverse(B: arb_mat) -> arb_mat | None:
    """A ball matrix enclosing ``B^{-1}``; ``None`` when arb cannot prove invertibility."""
    try:
        Binv = B.inv()
    except ZeroDivisionError:
        return None
    return Binv if is_finite_mat(Binv) else None
