"""The field on a box: its analytic piece there, evaluated in any arithmetic instance.

**Piece on a box.** :func:`piece_on` asks the field's traced programs
(:mod:`verifier.field.program`) for a piece whose recorded decisions all hold for the
ball vector ``box`` in :class:`~verifier.arith.balls.BallArithmetic`. A decision
certain for a ball holds at each of its points, so the generic kernel run at any
point of ``box`` takes that piece's path: ``F`` *equals the piece's formula on the
box*. Any enclosure of the formula over functions with values in ``box`` then
encloses ``F``.

**Evaluation.** :func:`evaluate` runs the formula's straight-line code
(:meth:`verifier.field.program.Piece.formula`, its operations bound to the arithmetic
of the call and cached per :meth:`~verifier.arith.base.Arithmetic.binding_key`: per
space for Taylor models). Without a piece (no program, or a box across a switching
surface) the field itself is evaluated, the generic kernel deciding its cases in the
arithmetic of the call; that is an enclosure too, where the arithmetic encloses
undecided cases (balls, Taylor models).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flint import arb

from verifier.arith.balls import BallArithmetic
from verifier.arith.base import Arithmetic
from verifier.field.program import Piece


def piece_on(field: Any, box: Sequence[arb]) -> Piece | None:
    """The analytic piece of ``field`` whose formula equals it on the ball vector
    ``box`` (module docstring), or ``None``."""
    if not hasattr(field, "piece"):
        return None
    _, piece = field.piece(BallArithmetic(), list(box))
    return piece


def evaluate(field: Any, piece: Piece | None, ar: Arithmetic, ys: Sequence[Any]) -> list:
    """``F(ys)`` in ``ar``: the piece's formula when given, else the field."""
    if piece is None:
        return list(field(ar, list(ys)))
    zero = ar.rational(0, 1)
    return [zero if v is None else v for v in piece.formula(ar, ys)]


def formula_of(field: Any, piece: Piece | None) -> Callable[[Arithmetic, Sequence], list]:
    """``(ar, ys) -> F(ys)`` by :func:`evaluate`."""
    return lambda ar, ys: evaluate(field, piece, ar, ys)
