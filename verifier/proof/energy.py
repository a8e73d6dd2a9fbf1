"""The energy tail: bounds on ``[t_r, T]`` after the enclosure was lost at ``t_r``.

**Lemma (energy inequality).** In the coordinates of the normalized flows
(``flow="normalized"``: ``(phi, v, c)``; ``"normalized-weights"``: ``(b, v, c)``) the
flow is the Euclidean gradient flow ``x' = -grad L(x)`` of the risk ``L >= 0``, and
``L`` is ``C^1`` (its gradient is the Lipschitz field). Hence
``d/dt L(x(t)) = -|x'(t)|^2`` and, by Cauchy-Schwarz, for ``t >= t_r``

    |x(t) - x(t_r)| <= int_{t_r}^t |x'| <= sqrt((t - t_r) int_{t_r}^t |x'|^2)
                    =  sqrt((t - t_r) (L(x(t_r)) - L(x(t)))) <= sqrt((t - t_r) L(x(t_r))).

So if every solution from the initial set is in the box ``X`` at ``t_r`` and
``L <= L_sup`` on ``X``, then on ``[t_r, T]`` every coordinate stays within
``rho = sqrt((T - t_r) L_sup)`` of ``X``: the box ``X + [-rho, rho]`` contains the
trajectory on ``[t_r, T]`` (a bound, not an enclosure: no tube goes on from it).

``L_sup`` is an upper bound of the risk over the box in ball arithmetic (the closed
forms of :mod:`verifier.field`); the certificate stores it as an exact decimal and
the checker re-proves ``L <= L_sup`` on its own reconstruction of ``X``. The standard
flow is excluded: its risk is not ``C^1`` where a neuron's ``(w_j, b_j) = 0``.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from flint import arb

from verifier.arith.balls import BallArithmetic
from verifier.arith.numbers import ball

#: Flows whose state coordinates make the flow a Euclidean gradient flow of a C^1 risk.
ENERGY_FLOWS = ("normalized", "normalized-weights")


def risk_upper(field, box: Sequence[arb]) -> arb:
    """An exact upper bound of the risk ``L`` over ``box`` (``inf`` if unbounded)."""
    value = field.risk(BallArithmetic(), list(box))
    if not value.is_finite():
        return arb("inf")
    return value.upper()


def radius(length: Fraction, risk_sup: Fraction) -> arb:
    """An exact upper bound of ``sqrt(length * risk_sup)``."""
    return ball(Fraction(length) * Fraction(risk_sup)).sqrt().upper()


def tail_box(box: Sequence[arb], rho: arb) -> list[arb]:
    """``box + [-rho, rho]`` in every coordinate: it contains the trajectory on
    ``[t_r, T]`` (module docstring)."""
    return [x + arb(0, rho) for x in box]
