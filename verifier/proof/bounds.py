"""Explicit bounds ``R_v[j] >= sup |v_j(t)|`` and ``R_c >= sup |c(t)|`` from boxes.

Every solution from the initial box lies, on each step ``[t0, t1]``, in that
step's a priori box; so the largest ``|v_j|`` and ``|c|`` over the initial box and
all a priori boxes bound the trajectory on ``[0, t_reached]``. The bound is an
exact ball maximum, written as a decimal rounded up. Used by ``certify`` and,
independently recomputed, by the checker.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from flint import arb

from verifier.arith.exact import decimal_bounds
from verifier.field import flows


def bound_indices(flow: str, H: int) -> tuple[list[int], int]:
    """State indices of ``v_1..v_H`` and of ``c``."""
    names = flows.coordinate_names(flow, H)
    return [names.index(f"v_{j + 1}") for j in range(H)], names.index("c")


def abs_upper(x: arb) -> arb:
    """An exact upper bound of ``|x|`` over the ball."""
    if not x.is_finite():
        return arb("inf")
    return _max(abs(x.lower()), abs(x.upper()))


def box_maxima(boxes: Iterable[Sequence[arb]], flow: str, H: int) -> tuple[list[arb], arb]:
    """Exact upper bounds of ``|v_j|`` and ``|c|`` over the union of ``boxes``."""
    vi, ci = bound_indices(flow, H)
    Rv = [arb(0)] * H
    Rc = arb(0)
    for box in boxes:
        for j, i in enumerate(vi):
            Rv[j] = _max(Rv[j], abs_upper(box[i]))
        Rc = _max(Rc, abs_upper(box[ci]))
    return Rv, Rc


def _max(a: arb, b: arb) -> arb:
    if not (a.is_finite() and b.is_finite()):
        return arb("inf")
    return b if b > a else a


def upper_text(x: arb) -> str:
    """A decimal string ``>= x`` (``x`` exact and finite)."""
    return decimal_bounds(x)[1]
