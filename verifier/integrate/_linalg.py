"""Ball vectors and matrices (lists of ``arb`` and ``flint.arb_mat``).

Floats propose (midpoints, QR bases), balls prove: every product, sum and
inverse here is an enclosure at the working precision of the enclosing
:func:`verifier.arith.precision` scope.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from flint import arb, arb_mat

from verifier.arith.balls import ball_from_bounds

Vector = list[arb]


def mid(x: arb) -> arb:
    """The exact midpoint of a ball (radius 0)."""
    return x.mid()


def mid_vec(xs: Sequence[arb]) -> Vector:
    return [x.mid() for x in xs]


def centered(xs: Sequence[arb], centre: Sequence[arb]) -> Vector:
    return [x - c for x, c in zip(xs, centre)]


def hull(a: arb, b: arb) -> arb:
    return arb.union(a, b)


def interval(lo: arb, hi: arb) -> arb:
    """The ball enclosing ``[lo, hi]`` for exact ends."""
    return ball_from_bounds(lo, hi)


def zero_to(h: arb) -> arb:
    """A ball enclosing ``[0, h]`` for ``h >= 0``."""
    return ball_from_bounds(arb(0), h.upper())


def widths(xs: Sequence[arb]) -> list[float]:
    """Float widths ``2 rad`` (rounded up; for reports and control only)."""
    return [float(2 * x.rad()) for x in xs]


def max_width(xs: Sequence[arb]) -> float:
    return max(widths(xs)) if xs else 0.0


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


def to_numpy(M: arb_mat) -> np.ndarray:
    """Float midpoints (for proposals only)."""
    n, m = M.nrows(), M.ncols()
    return np.array([[float(M[i, j].mid()) for j in range(m)] for i in range(n)], dtype=float)


def from_numpy(A: np.ndarray) -> arb_mat:
    """An exact ball matrix with the float entries of ``A``."""
    return arb_mat([[float(v) for v in row] for row in A])


def is_finite_mat(M: arb_mat) -> bool:
    return all(M[i, j].is_finite() for i in range(M.nrows()) for j in range(M.ncols()))


def qr_basis(M: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Orthonormal basis for Lohner's QR wrapping control (floats; a proposal).

    Columns of ``M`` are sorted by decreasing ``|M e_j| * weights[j]`` (their
    contribution to the set's extent) before the QR factorization, so that the
    first basis vector follows the most elongated direction. Returns ``Q``.
    """
    lengths = np.linalg.norm(M, axis=0) * np.asarray(weights, dtype=float)
    order = np.argsort(-lengths, kind="stable")
    Q, R = np.linalg.qr(M[:, order])
    # Make the diagonal of R positive (Q then depends continuously on M).
    signs = np.sign(np.diag(R))
    signs[signs == 0] = 1.0
    return Q * signs


def rigorous_inverse(B: arb_mat) -> arb_mat | None:
    """A ball matrix enclosing ``B^{-1}``; ``None`` when arb cannot prove invertibility."""
    try:
        Binv = B.inv()
    except ZeroDivisionError:
        return None
    return Binv if is_finite_mat(Binv) else None
