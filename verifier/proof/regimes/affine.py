"""The fully active regime: the risk factors through the best affine fit.

Where the neuron is active on all of ``[a, b]`` (``sigma >= 0`` there), the network is the
affine function ``z_1 x + z_2`` with ``z = (u w, u b + c)`` (``u w``, ``u b + c`` with the
unit direction for ``standard``, where ``u = rho v``), and

    L = l(z) = l* + (z - z*)^T M (z - z*),   M = [[P2, P1], [P1, P0]],  M z* = (Q1, Q0),

``P_k = int x^k p``, ``Q_k = int x^k f p``, ``l* = int f^2 p - (Q1, Q0) . z*`` (the normal
equations of the least-squares fit; ``P0 = 1``). Consequences used by the regime lemmas
(``docs/regions.md``, Lemma 3):

* **bounds on z**: ``l(z) <= level`` gives ``|z_i - z_i*| <= sqrt((level - l*) (M^-1)_ii)``;
* **Polyak-Lojasiewicz**: with ``J = dz/dy`` (``y`` the state), ``grad_y L = J^T grad l``
  and ``|grad l|^2 = 4 |M (z - z*)|^2 >= 4 lambda_min(M) (l - l*)``, so
  ``|grad_y L|^2 >= 4 lambda_min(M) lambda_min(J J^T) (L - l*)``. The last factor, by
  ``lambda_min >= det / trace`` of the 2 x 2 matrix ``J J^T``:

  - ``normalized`` (``y = (phi, v, c)``): ``det = v^2 (1 + sin^2 phi) + cos^2 phi >= v^2``,
    ``trace = v^2 + 2``, so ``lambda_min >= v^2 / (v^2 + 2) >= V0^2 / (V0^2 + 2)`` on ``|v| >= V0``;
  - ``standard`` (``y = (w, b, v, c)``): ``det = v^4 + v^2 (1 + w^2 + b^2) + w^2 >= v^2 (v^2 +
    rho^2 + 1)``, ``trace = 2 v^2 + rho^2 + 1``, so ``lambda_min >= v^2 / 2 >= V0^2 / 2``;
  - ``normalized-weights`` (``y = (b, v, c)``, ``w = s``): ``det = v^2 + 1``,
    ``trace = v^2 + b^2 + 2``, so ``lambda_min >= 1 / (b^2 + 2) >= 1 / (sqrt 2 + |b|)^2``.

Functions must run inside a precision scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flint import arb

from verifier.proof.trapping.arc_length import moment_sums


@dataclass(frozen=True)
class AffineFit:
    """Balls: the Gram matrix of ``(x, 1)``, the best fit ``z*`` and its error ``l*``."""

    P2: arb
    P1: arb
    P0: arb
    Q1: arb
    Q0: arb
    Iff: arb
    lstar: arb
    z1: arb  # z*_1 (slope)
    z2: arb  # z*_2 (offset)
    lam_min: arb  # exact lower bound of lambda_min(M), > 0

    @property
    def det(self) -> arb:
        return self.P2 * self.P0 - self.P1 * self.P1

    def z_bounds(self, level: arb) -> tuple[arb, arb]:
        """Exact upper bounds of ``|z_1|``, ``|z_2|`` on ``{l(z) <= level}``."""
        room = level - self.lstar
        room = room if room.lower() >= 0 else (arb(0) if not room.upper() > 0
                                               else arb.union(arb(0), room.upper()))
        Z1 = abs(self.z1) + (room * self.P0 / self.det).sqrt()
        Z2 = abs(self.z2) + (room * self.P2 / self.det).sqrt()
        return Z1.upper(), Z2.upper()


def affine_fit(problem: Any) -> AffineFit:
    """The least-squares fit by affine functions, from the closed-form moments."""
    P0, P1, P2, Q0, Q1, Iff = moment_sums(problem)
    det = P2 * P0 - P1 * P1
    if not det > 0:
        raise ArithmeticError("cannot prove that the Gram matrix of (x, 1) is positive definite")
    z1 = (P0 * Q1 - P1 * Q0) / det
    z2 = (P2 * Q0 - P1 * Q1) / det
    lstar = Iff - (Q1 * z1 + Q0 * z2)
    tr = P2 + P0
    # smallest eigenvalue of a symmetric positive definite 2 x 2 matrix
    lam = 2 * det / (tr + (tr * tr - 4 * det).sqrt())
    if not lam > 0:
        raise ArithmeticError("cannot bound lambda_min of the Gram matrix of (x, 1) below")
    return AffineFit(P2, P1, P0, Q1, Q0, Iff, lstar, z1, z2, lam.lower())


def jacobian_floor(flow: str, threshold: arb) -> arb:
    """An exact lower bound of ``lambda_min(J J^T)`` on ``|v| >= threshold`` (``normalized``,
    ``standard``; module docstring)."""
    t2 = threshold * threshold
    if flow == "normalized":
        return (t2 / (t2 + 2)).lower()
    if flow == "standard":
        return (t2 / 2).lower()
    raise ValueError(f"no Jacobian floor for the {flow} flow")
