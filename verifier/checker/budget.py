"""The checker's work budget: a certificate that would cost too much to re-prove is
refused before any proof is attempted, so that checking any file ends in bounded time.

The cost of re-proving one step is modelled in *work units* from the numbers the file
states before anything is computed: the Taylor order ``p`` and Jacobian order ``q`` of the
step (for a low-order step, the order of its reference point's Taylor witness, and
``q = 1``), the dimension ``n`` of the state, the number ``C`` of analytic cells of the
problem's moments and the precision,

    work = (p + 1)^1.5 (q + 1) n^2 C f  (times 2 for a split step over both sides, times 3
           for a set with a quadratic part)  +  n^3 f,        f = max(1, prec / 64).

The model is an upper estimate of how this implementation's cost grows in each of its
arguments (measured: a unit costs about 100 to 500 ns). A certificate is refused when
one step exceeds :data:`MAX_STEP_WORK` or all steps together exceed
:data:`MAX_TOTAL_WORK`. The trapping argument's branch and bound gets at most
:func:`trapping_cells` cells: the checker's default cell counts, fewer for large
problems so that ``cells x n^2 H C f`` stays below :data:`MAX_TRAPPING_WORK`.

Committed evidence (``proofs_data/``) stays far inside: its largest certificate needs
about 4e6 units in all (0.02 % of :data:`MAX_TOTAL_WORK`) and 1e5 units for its most
expensive step (0.01 % of :data:`MAX_STEP_WORK`), and its trapping arguments get their
full default cell counts. A certificate at the integrator's heaviest defaults
(order 60 at 256 bits, 12 coordinates) needs about 3e7 units per step.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

#: Most work units one step may need.
MAX_STEP_WORK = 10**9
#: Most work units all steps of one certificate may need together.
MAX_TOTAL_WORK = 2 * 10**10
#: Trapping arguments: cells x (per-cell work) at most this.
MAX_TRAPPING_WORK = 2 * 10**7
#: The trapping checks' default cell budget (verifier.checker.trapping).
DEFAULT_TRAPPING_CELLS = 100_000


class BudgetError(ValueError):
    """The certificate needs more work than the checker's limits allow (one line)."""


def precision_factor(prec: int) -> float:
    return max(1.0, prec / 64)


def step_work(order: int, jet_order: int, kind: str, n: int, cells: int, prec: int,
              quadratic: bool = False) -> float:
    """Work units of one step (module docstring)."""
    f = precision_factor(prec)
    work = (order + 1) ** 1.5 * (jet_order + 1) * n * n * cells * f
    if kind == "split":
        work *= 2
    if quadratic:
        work *= 3
    return work + n**3 * f


def check_steps(steps: Sequence[Any], n: int, cells: int, prec: int) -> float:
    """Total work of decoded steps (``order``, ``jet_order``, ``kind``, ``witness``, ``S``);
    raises :class:`BudgetError` when a limit is exceeded."""
    total = 0.0
    for k, st in enumerate(steps):
        if st.kind == "low-order":
            point = st.witness["point"]
            work = step_work(point.get("order", 2), 1, st.kind, n, cells, prec)
        else:
            work = step_work(st.order, st.jet_order, st.kind, n, cells, prec, st.S is not None)
        if work > MAX_STEP_WORK:
            raise BudgetError(f"step {k} needs about {work:.2g} work units, more than the "
                              f"checker's limit {MAX_STEP_WORK:.0e} (order {st.order}, "
                              f"dimension {n}, {cells} cells, {prec} bits)")
        total += work
        if total > MAX_TOTAL_WORK:
            raise BudgetError(f"the steps need more than {MAX_TOTAL_WORK:.0e} work units, "
                              f"the checker's limit (exceeded at step {k} of {len(steps)})")
    return total


def trapping_cells(n: int, width: int, cells: int, prec: int) -> int:
    """The cell budget of a trapping argument's branch and bound (module docstring)."""
    per_cell = n * n * width * cells * precision_factor(prec)
    return int(max(1, min(DEFAULT_TRAPPING_CELLS, MAX_TRAPPING_WORK // per_cell)))
