"""Double-precision floats: the fast, non-rigorous path (exploration, plots)."""

from __future__ import annotations

import math

from scipy import special

from verifier.arith.points import PointArithmetic


def _ei(x: float) -> float:
    return float(special.expi(x))


class FloatArithmetic(PointArithmetic, functions=math):
    """IEEE doubles; every comparison is decided."""

    name = "float"

    def rational(self, p: int, q: int) -> float:
        return p / q

    def pi(self) -> float:
        return math.pi

    def k(self, slot: int) -> float:
        try:
            return self._slots[slot]
        except (AttributeError, KeyError):
            return super().k(slot)

    def from_ball(self, x) -> float:
        return float(x.mid())

    def working_prec(self) -> int:
        return 53

    def constant_key(self) -> tuple:
        return (self.name,)

    def ge(self, x: float, y: float) -> bool:
        return x >= y

    def sign(self, x: float) -> int:
        return (x > 0) - (x < 0)

    f_Abs = staticmethod(abs)
    f_Ei = staticmethod(_ei)

    @staticmethod
    def f_erfi(x: float) -> float:
        return float(special.erfi(x))

    @staticmethod
    def f_Si(x: float) -> float:
        return float(special.sici(x)[0])

    @staticmethod
    def f_Ci(x: float) -> float:
        return float(special.sici(x)[1])

    @staticmethod
    def sinc(x: float) -> float:
        return math.sin(x) / x if x != 0 else 1.0

    @staticmethod
    def abs_derivative(x: float) -> float:
        return float((x > 0) - (x < 0))
