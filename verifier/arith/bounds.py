"""Rigorous bounds of a univariate function's range by branch and bound.

``upper_bound(f, lo, hi)`` returns an exact number ``U`` with ``f(x) <= U``
for every ``x`` in ``[lo, hi]``: the maximum of the balls ``f(cell)`` over a
subdivision of the interval (any subdivision gives a valid bound; refinement
only tightens it). ``f`` must map balls to enclosures (a compiled expression in
:class:`BallArithmetic`).
"""

from __future__ import annotations

from collections.abc import Callable

from flint import arb

from verifier.arith.balls import ball_from_bounds


class BoundError(ArithmeticError):
    """No finite bound could be established within the cell budget."""


def upper_bound(
    f: Callable[[arb], arb],
    lo: arb,
    hi: arb,
    *,
    start_cells: int = 16,
    max_cells: int = 4096,
    rel_tol: float = 1e-6,
) -> tuple[arb, arb]:
    """``(U, L)``: ``U`` a rigorous upper bound of ``f`` on ``[lo, hi]`` and ``L``
    a value ``f`` certainly reaches (a lower bound of its maximum)."""
    lo, hi = lo.lower(), hi.upper()
    width = hi - lo
    cells = [(lo + width * i / start_cells, lo + width * (i + 1) / start_cells) for i in
             range(start_cells)]
    cells = [(c.lower() if i else lo, d.upper() if i < start_cells - 1 else hi)
             for i, (c, d) in enumerate(cells)]
    total = len(cells)
    while True:
        uppers = []
        best_low = None
        for c, d in cells:
            v = f(ball_from_bounds(c, d))
            u = v.upper() if v.is_finite() else arb.pos_inf()
            uppers.append(u)
            m = f((c + d) / 2)
            if m.is_finite():
                ml = m.lower()
                best_low = ml if best_low is None or ml > best_low else best_low
        U = uppers[0]
        for u in uppers[1:]:
            U = u if u > U else U
        if best_low is not None and U.is_finite():
            gap = U - best_low
            if gap <= arb(rel_tol) * (1 + abs(U)):
                return U.upper(), best_low
        # Refine the cells that may still hold the maximum.
        threshold = best_low if best_low is not None else arb.neg_inf()
        new = []
        for (c, d), u in zip(cells, uppers):
            if u > threshold or not u.is_finite():
                m = ((c + d) / 2).lower()
                new += [(c, m), (m, d)]
        if not new or total + len(new) > max_cells:
            if not U.is_finite():
                raise BoundError("the function is not bounded on the interval at this resolution")
            return U.upper(), best_low if best_low is not None else U.upper()
        total += len(new)
        cells = new if len(new) == len(cells) * 2 else new + [
            cd for cd, u in zip(cells, uppers) if not (u > threshold or not u.is_finite())
        ]


def lower_bound(f: Callable[[arb], arb], lo: arb, hi: arb, **kw) -> tuple[arb, arb]:
    """``(Lb, v)``: ``f >= Lb`` on ``[lo, hi]``, and ``v`` a value ``f`` reaches (an upper
    bound of its minimum)."""
    U, L = upper_bound(lambda t: -f(t), lo, hi, **kw)
    return -U, -L
