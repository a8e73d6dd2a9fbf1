"""Double-precision floats: the fast, non-rigorous path (exploration, plots)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from scipy import special

from verifier.arith.base import Arithmetic


def _ei(x: float) -> float:
    return float(special.expi(x))


class FloatArithmetic(Arithmetic):
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

    def max(self, x: float, y: float) -> float:
        return x if x >= y else y

    def min(self, x: float, y: float) -> float:
        return x if x <= y else y

    def restrict(self, x, lo, hi, open_left=False, open_right=False):
        if (open_left or x >= lo) and (open_right or x <= hi):
            return x
        return None

    def union(self, values: Sequence[float]) -> float:
        return values[0]

    f_sin = staticmethod(math.sin)
    f_cos = staticmethod(math.cos)
    f_tan = staticmethod(math.tan)
    f_exp = staticmethod(math.exp)
    f_log = staticmethod(math.log)
    f_sqrt = staticmethod(math.sqrt)
    f_atan = staticmethod(math.atan)
    f_asin = staticmethod(math.asin)
    f_acos = staticmethod(math.acos)
    f_sinh = staticmethod(math.sinh)
    f_cosh = staticmethod(math.cosh)
    f_tanh = staticmethod(math.tanh)
    f_asinh = staticmethod(math.asinh)
    f_erf = staticmethod(math.erf)
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
