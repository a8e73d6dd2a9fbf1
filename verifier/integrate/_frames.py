"""Floats propose: float views of ball matrices, QR frames, widths for control.

Nothing here is part of a proof. :func:`qr_basis` proposes Lohner's frame ``B'`` (an
exact matrix once rounded to floats); :func:`verifier.proof.linalg.rigorous_inverse`
encloses its inverse in ball arithmetic, which is what the residual of
:mod:`verifier.proof.sets` needs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from flint import arb, arb_mat


def widths(xs: Sequence[arb]) -> list[float]:
    """Float widths ``2 rad`` (rounded up; for reports and control only)."""
    return [float(2 * x.rad()) for x in xs]


def max_width(xs: Sequence[arb]) -> float:
    return max(widths(xs)) if xs else 0.0


def to_numpy(M: arb_mat) -> np.ndarray:
    """Float midpoints (for proposals only)."""
    n, m = M.nrows(), M.ncols()
    return np.array([[float(M[i, j].mid()) for j in range(m)] for i in range(n)], dtype=float)


def from_numpy(A: np.ndarray) -> arb_mat:
    """An exact ball matrix with the float entries of ``A``."""
    return arb_mat([[float(v) for v in row] for row in A])


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
