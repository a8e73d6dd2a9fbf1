"""The arguments of :func:`verifier.integrate.integrate`, checked and read exactly.

Nothing here proves anything: it turns what a caller gives (strings, numbers, balls,
pairs for a box) into the exact horizon and the initial balls, and refuses bad values
with a one-line ``ValueError`` before any step is tried.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from flint import arb

from verifier.arith.numbers import parse_horizon
from verifier.arith.precision import check_prec, precision
from verifier.expr.values import parse_initial
from verifier.field import flows
from verifier.integrate._controller import default_order
from verifier.integrate._frames import max_width
from verifier.integrate._sets import SET_TYPES

#: ``set_type="auto"``: initial boxes at least this wide get a quadratic part. The
#: doubleton's second-order wrapping error (``~ |D^2 F| width^2`` per unit time) is
#: negligible below it, and second-order steps cost about twice as much.
QUADRATIC_WIDTH = 1e-5
#: Default time order of Taylor-model steps (their remainder is controlled per unit
#: time, and high time orders multiply the cost of the timed products).
TM_ORDER = 10


@dataclass(frozen=True)
class Inputs:
    """The checked arguments of one integration."""

    flow: str
    signs: Sequence[int] | None
    prec: int
    order: int
    set_type: str
    #: Degree of Taylor-model sets in the initial coordinates.
    degree: int
    width_limit: float
    max_steps: int
    horizon: Fraction
    names: list[str]
    initial: list[arb]


def read_inputs(problem, initial: Any, horizon: Any, flow: str, signs: Sequence[int] | None,
                prec: int, order: int | None, set_type: str, width_limit: float,
                max_steps: int, degree: int = 4) -> Inputs:
    """Check the arguments of :func:`verifier.integrate.integrate` (its docstring) and read
    the horizon and the initial set exactly (the initial balls at ``prec`` bits)."""
    flows.check_flow(flow)
    check_prec(prec)
    if order is None:
        order = TM_ORDER if set_type == "taylor-model" else default_order(prec)
    if isinstance(order, bool) or not isinstance(order, int) or not 2 <= order <= 200:
        raise ValueError(f"order must be an integer between 2 and 200, got {order!r}")
    if set_type != "auto" and set_type not in SET_TYPES:
        raise ValueError(f"set_type must be auto or one of {', '.join(SET_TYPES)}, "
                         f"got {set_type!r}")
    if not width_limit > 0:
        raise ValueError(f"width_limit must be positive, got {width_limit!r}")
    T = parse_horizon(horizon)
    names = problem.coordinate_names(flow)
    with precision(prec):
        x0 = parse_initial(initial, names)
    if isinstance(degree, bool) or not isinstance(degree, int) or not 1 <= degree <= 12:
        raise ValueError(f"degree must be an integer between 1 and 12, got {degree!r}")
    if set_type == "taylor-model" and max_width(x0) == 0:
        raise ValueError("a Taylor-model set is for a box of initial values (some "
                         "coordinate of positive width); a point takes set_type doubleton")
    if set_type == "auto":
        set_type = "quadratic" if max_width(x0) >= QUADRATIC_WIDTH else "doubleton"
    return Inputs(flow, signs, prec, order, set_type, degree, float(width_limit),
                  int(max_steps), T, names, x0)
