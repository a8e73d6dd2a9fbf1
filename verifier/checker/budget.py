"""The checker's work budget: a certificate that would cost too much to re-prove is
refused before any proof is attempted, so that checking any file ends in bounded time.

The cost of re-proving one step is modelled in *work units* from the numbers the file
states before anything is computed: the Taylor order ``p`` and Jacobian order ``q`` of the
step (for a low-order step, the order of its reference point's Taylor witness, and
``q = 1``), the dimension ``n`` of the state, the number ``C`` of analytic cells of the
problem's moments and the precision,

    work = (p + 1)^1.5 (q + 1) n^2 C f  (times 2 for a split step over both sides, times 3
           for a set with a quadratic part)  +  n^3 f,        f = max(1, prec / 64).

A Taylor-model step (time order ``p``, degree ``d``: ``M = C(n + d, d)`` monomials and
``K = C(2n + d, d)`` pairs of monomials kept per product of models) needs

    work = (K (p + 1)^1.5 n^2 C + M K + n M^2) f

(the field in timed models, the composition with the right models).

The model is an upper estimate of how this implementation's cost grows in each of its
arguments (measured: a unit costs about 100 to 500 ns). A certificate is refused when
it has more than :data:`MAX_STEPS` steps, an order beyond :data:`MAX_ORDER`, one step
exceeds :data:`MAX_STEP_WORK` or all steps together exceed :data:`MAX_TOTAL_WORK`; all
from the numbers the file states, before a single ball is decoded. The trapping
argument's branch and bound gets at most
:func:`~verifier.proof.trapping.trapping_cells` cells: the default cell counts, fewer for
large problems so that ``cells x n^2 H C f`` stays below :data:`MAX_TRAPPING_WORK` (the
search uses the same limit, so it never proposes what the checker would not finish).

Committed evidence (``proofs_data/``) stays far inside: its largest certificate needs
about 7e6 units in all (0.03 % of :data:`MAX_TOTAL_WORK`), its most expensive step 8e4
units (0.008 % of :data:`MAX_STEP_WORK`), and its trapping arguments get their full
default cell counts. A step at the integrator's heaviest defaults (order 60 at 256 bits,
13 coordinates) needs about 2e7 units; one step of order 200 with 64 neurons (129
coordinates) about 1e10, and is refused. At the limits a check takes at most about an
hour and a half (:data:`MAX_TOTAL_WORK` units of at most 250 ns), whatever the file.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from verifier.proof.trapping import DEFAULT_MAX_CELLS, MAX_TRAPPING_WORK, trapping_cells

#: Largest degree of a Taylor-model set in the initial coordinates.
MAX_DEGREE = 12
#: Most steps of one certificate.
MAX_STEPS = 100_000
#: Largest Taylor or Jacobian order of a step.
MAX_ORDER = 200
#: Most work units one step may need.
MAX_STEP_WORK = 10**9
#: Most work units all steps of one certificate may need together.
MAX_TOTAL_WORK = 2 * 10**10
#: The trapping checks' default cell budget (:mod:`verifier.proof.trapping`).
DEFAULT_TRAPPING_CELLS = DEFAULT_MAX_CELLS


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


def taylor_model_work(order: int, degree: int, n: int, cells: int, prec: int) -> float:
    """Work units of one Taylor-model step (module docstring): ``K`` pairs of monomials
    kept per product of models, ``M`` monomials."""
    f = precision_factor(prec)
    M = math.comb(n + degree, degree)
    K = math.comb(2 * n + degree, degree)
    return (K * (order + 1) ** 1.5 * n * n * cells + M * K + n * M * M) * f


def _tm_shape(w: Any, k: int) -> tuple[int, int]:
    """``(degree, largest time order)`` of a Taylor-model witness, as the file states."""
    if not isinstance(w, dict):
        raise BudgetError(f"step {k}: a Taylor-model witness must be an object")
    d, orders = w.get("degree"), w.get("orders")
    if isinstance(d, bool) or not isinstance(d, int) or not 1 <= d <= MAX_DEGREE:
        raise BudgetError(f"step {k}: the degree must be an integer in [1, {MAX_DEGREE}]")
    if not isinstance(orders, list) or not orders or len(orders) > MAX_DEGREE + 1:
        raise BudgetError(f"step {k}: orders must be a list of at most {MAX_DEGREE + 1} "
                          "integers")
    return d, max(_order(o, k) for o in orders)


def check_steps(steps: Sequence[Any], n: int, cells: int, prec: int) -> float:
    """Total work of the steps as the file states them (the dicts, before anything is
    decoded); raises :class:`BudgetError` when a limit is exceeded or a step's orders
    are not integers in range."""
    if len(steps) > MAX_STEPS:
        raise BudgetError(f"{len(steps)} steps, more than the checker's limit {MAX_STEPS}")
    total = 0.0
    for k, st in enumerate(steps):
        kind = st.get("kind")
        order, jet_order = _order(st.get("order"), k), _order(st.get("jet_order"), k)
        if kind == "taylor-model":
            degree, top = _tm_shape(st.get("witness"), k)
            work = taylor_model_work(top, degree, n, cells, prec)
            order = top
        elif kind == "low-order":
            point = (st.get("witness") or {}).get("point") or {}
            work = step_work(_order(point.get("order", 2), k), 1, kind, n, cells, prec)
        else:
            quadratic = isinstance(st.get("set"), dict) and "S" in st["set"]
            work = step_work(order, jet_order, str(kind), n, cells, prec, quadratic)
        if work > MAX_STEP_WORK:
            raise BudgetError(f"step {k} needs about {work:.2g} work units, more than the "
                              f"checker's limit {MAX_STEP_WORK:.0e} (order {order}, "
                              f"dimension {n}, {cells} cells, {prec} bits)")
        total += work
        if total > MAX_TOTAL_WORK:
            raise BudgetError(f"the steps need more than {MAX_TOTAL_WORK:.0e} work units, "
                              f"the checker's limit (exceeded at step {k} of {len(steps)})")
    return total


def _order(v: Any, k: int) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= MAX_ORDER:
        raise BudgetError(f"step {k}: an order must be an integer in [0, {MAX_ORDER}]")
    return v


__all__ = ["DEFAULT_TRAPPING_CELLS", "MAX_STEPS", "MAX_STEP_WORK", "MAX_TOTAL_WORK",
           "MAX_TRAPPING_WORK", "BudgetError", "check_steps", "step_work", "trapping_cells"]
