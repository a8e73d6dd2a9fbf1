"""Numbers and constants as balls: initial values as people give them.

A value is an ``arb`` (taken as it is), an ``int``, a ``Fraction``, any rational of the
``numbers`` tower (NumPy integers, SymPy ``Rational``), a float or NumPy float (its exact
binary value: ``0.1`` is not one tenth, ``"0.1"`` is), a 0-d NumPy array (its element),
exact decimal or fraction text (read by :mod:`verifier.arith.numbers`, a tight ball at
the working precision) or a real constant such as ``"pi/2"`` or a SymPy constant (read by
the whitelist parser, :func:`verifier.expr.parse_number`, and enclosed in ball
arithmetic). A point may be a 1-d NumPy array and a box an ``(n, 2)`` array of
``(lo, hi)`` rows. Everything runs at the precision of the enclosing scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy
from flint import arb

from verifier.arith.balls import BallArithmetic, as_ball
from verifier.arith.numbers import (
    NumberError,
    ball,
    exact_number,
    is_rational_text,
    parse_coordinate,
    parse_rational,
    show,
    unpack_array,
)
from verifier.expr.parser import parse_number


def constant_ball(value: Any, what: str = "number", coordinate: bool = True) -> arb:
    """A ball containing one value (module docstring); with ``coordinate`` (an initial
    value or a region end) an exact number must lie within
    :data:`verifier.arith.numbers.MAX_COORDINATE`."""
    if isinstance(value, str) and is_rational_text(value):
        return ball(parse_coordinate(value, what) if coordinate else parse_rational(value, what))
    if isinstance(value, str) or (isinstance(value, sympy.Basic)
                                  and not isinstance(value, sympy.Rational)):
        return BallArithmetic().const(parse_number(value, what=what))
    value = unpack_array(value)
    if isinstance(value, arb | tuple | list):
        return as_ball(value)  # a ball, or a (lo, hi) pair of numbers (its hull)
    q = exact_number(value, what)
    return ball(parse_coordinate(q, what) if coordinate else q)


def parse_initial(initial: Any, names: Sequence[str]) -> list[arb]:
    """Balls for a point (numbers, exact decimal strings, constants, balls) or a box (a
    ``(lo, hi)`` pair per coordinate), in the state order ``names``."""
    if isinstance(initial, str):
        initial = initial.split(",")
    initial = unpack_array(initial)
    try:
        entries = list(initial)
    except TypeError:
        raise NumberError(f"initial value must be a sequence, got {show(initial)}") from None
    if len(entries) != len(names):
        raise NumberError(f"initial value needs {len(names)} coordinates ({', '.join(names)}), "
                          f"got {len(entries)}")
    out = []
    for name, e in zip(names, entries):
        what = f"initial {name}"
        e = unpack_array(e)
        if isinstance(e, tuple | list) and len(e) == 2:
            lo, hi = constant_ball(e[0], what), constant_ball(e[1], what)
            if not lo.lower() <= hi.upper():
                raise NumberError(f"{what}: empty interval [{e[0]}, {e[1]}]")
            b = arb.union(lo.lower(), hi.upper())
        else:
            b = constant_ball(e, what)
        if not b.is_finite():
            raise NumberError(f"{what} is not finite: {show(e)}")
        out.append(b)
    return out
