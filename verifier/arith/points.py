"""Point arithmetics: numbers whose every comparison is decided (floats, mpmath).

A point arithmetic takes every case distinction at the rounded values, so it encloses
nothing; it is for exploration, plots and proposals (:mod:`verifier.arith.floats`,
:mod:`verifier.arith.mp`). The elementary functions of a point arithmetic are those of a
module with the same names (``math``, ``mpmath``): ``class FloatArithmetic(
PointArithmetic, functions=math)`` provides ``f_sin = math.sin`` and so on for the names
of :data:`ELEMENTARY` that its class body does not define itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from verifier.arith.base import Arithmetic

#: The functions a point arithmetic takes from its ``functions`` module by name.
ELEMENTARY = ("sin", "cos", "tan", "exp", "log", "sqrt", "atan", "asin", "acos", "sinh",
              "cosh", "tanh", "asinh", "erf")


class PointArithmetic(Arithmetic):
    """Every comparison decided on the (rounded) values."""

    def __init_subclass__(cls, functions: Any = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if functions is not None:
            for name in ELEMENTARY:
                if "f_" + name not in cls.__dict__:
                    setattr(cls, "f_" + name, staticmethod(getattr(functions, name)))

    def max(self, x, y):
        return x if x >= y else y

    def min(self, x, y):
        return x if x <= y else y

    def restrict(self, x, lo, hi, open_left=False, open_right=False):
        if (open_left or x >= lo) and (open_right or x <= hi):
            return x
        return None

    def union(self, values: Sequence) -> Any:
        return values[0]
