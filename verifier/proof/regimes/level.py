"""The level of a box: an exact upper bound of the risk over a box of initial values.

Every trajectory from the box stays in ``{L <= level}`` for all time: the risk does not
increase along a gradient flow (``d/dt L = -|grad L|^2``; ``L`` is C^1 with a locally
Lipschitz gradient for the normalized flows, and for the standard flow away from
``(w, b) = (0, 0)``). The bound is proven by the depth-first branch and bound of the
trapping arguments (:mod:`verifier.proof.trapping.cells`: natural, mean-value and
monotonicity bounds of ``L`` on cells).
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

from verifier.arith.exact import decimal_bounds
from verifier.arith.numbers import ball, hull
from verifier.arith.precision import precision
from verifier.field import flows
from verifier.proof.trapping.cells import Budget, RiskField, prove_bound
from verifier.proof.verdict import Verdict

#: Branch-and-bound cells for the level of one box.
LEVEL_CELLS = 20_000


def prove_level(problem: Any, flow: str, signs: Any, box: list[tuple[Fraction, Fraction]],
                level: Fraction, prec: int = 64, cells: int = LEVEL_CELLS) -> Verdict:
    """The verdict on ``L <= level`` on the whole box."""
    s = flows.check_signs(signs, problem.width, flow)
    with precision(prec):
        field = RiskField(problem, flow, s)
        B = [(ball(lo).lower(), ball(hi).upper()) for lo, hi in box]
        return prove_bound(field, B, ball(level), -1, Budget(cells))


def propose_level(problem: Any, flow: str, signs: Any,
                  box: list[tuple[Fraction, Fraction]], grid: int = 6,
                  prec: int = 64) -> Fraction:
    """An upper bound of ``L`` over the box: the largest ball enclosure of ``L`` over the
    cells of a ``grid``-per-axis subdivision, rounded up to a short decimal (proven again
    by :func:`prove_level` from the file)."""
    s = flows.check_signs(signs, problem.width, flow)
    with precision(prec):
        field = RiskField(problem, flow, s)
        axes = []
        for lo, hi in box:
            n = grid if hi > lo else 1
            edges = [lo + (hi - lo) * Fraction(k, n) for k in range(n + 1)]
            axes.append([hull(edges[k], edges[k + 1]) for k in range(n)])
        top = None
        for cell in itertools.product(*axes):
            u = field.risk(list(cell)).upper()
            if not u.is_finite():
                raise ArithmeticError("the risk is not bounded on the box")
            top = u if top is None or u > top else top
        return Fraction(decimal_bounds(top, 6)[1])
