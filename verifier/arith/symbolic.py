"""SymPy expressions as an arithmetic whose case distinctions are *choices*.

Running the generic kernel in :class:`ChoiceArithmetic` follows one branch at
every case distinction (the sign of ``w_j``, a kink inside or outside
``[a, b]``, the order of two kinks, the cell of a breakpoint of ``f``/``p``)
and records the condition that selects it. Enumerating all choice sequences
(:func:`enumerate_branches`) gives every switching region with its analytic
formula: the explicit piecewise risk and gradient.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sympy as sp

from verifier.arith.base import Arithmetic

_FUNCS = {
    "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "exp": sp.exp, "log": sp.log,
    "sqrt": sp.sqrt, "atan": sp.atan, "asin": sp.asin, "acos": sp.acos, "sinh": sp.sinh,
    "cosh": sp.cosh, "tanh": sp.tanh, "asinh": sp.asinh, "erf": sp.erf, "erfi": sp.erfi,
    "Ei": sp.Ei, "Si": sp.Si, "Ci": sp.Ci, "Abs": sp.Abs,
}


class ChoiceArithmetic(Arithmetic):
    """Exact symbolic values; undecidable comparisons follow ``prefix`` then ``True``."""

    name = "sympy"
    symbolic = True

    def __init__(self, prefix: Sequence[bool] = ()) -> None:
        super().__init__()
        self.prefix = list(prefix)
        self.decisions: list[tuple[sp.Basic, bool]] = []  # (x >= y, chosen)

    def rational(self, p: int, q: int) -> sp.Expr:
        return sp.Rational(p, q)

    def pi(self) -> sp.Expr:
        return sp.pi

    def const(self, expr: sp.Expr) -> sp.Expr:
        return sp.sympify(expr)

    def k(self, slot: int) -> sp.Expr:
        from verifier.arith.compile import slot_expr

        return slot_expr(slot)

    def fn(self, name: str):
        return _FUNCS[name]

    def ge(self, x, y) -> bool:
        d = sp.sympify(x - y)
        if d.is_nonnegative:
            return True
        if d.is_negative:
            return False
        i = len(self.decisions)
        choice = self.prefix[i] if i < len(self.prefix) else True
        self.decisions.append((sp.Ge(x, y, evaluate=False), choice))
        return choice

    def max(self, x, y):
        return x if self.ge(x, y) else y

    def min(self, x, y):
        return y if self.ge(x, y) else x

    def active_interval(self, w, b, lo, hi):
        # w = 0 exactly has measure zero; the formulas extend to it by continuity.
        k = -b / w
        if self.ge(w, 0):
            return self.clamp(k, lo, hi), hi
        return lo, self.clamp(k, lo, hi)

    def restrict(self, x, lo, hi, open_left=False, open_right=False):
        if (open_left or self.ge(x, lo)) and (open_right or self.ge(hi, x)):
            return x
        return None

    def piecewise(self, x, cuts: Sequence, pieces):
        for i, piece in enumerate(pieces):
            if i == len(pieces) - 1 or self.ge(cuts[i + 1], x):
                return piece(self, x)
        raise AssertionError("unreachable")

    def union(self, values):
        return values[0]


def enumerate_branches(run: Callable[[ChoiceArithmetic], Any], limit: int = 4096):
    """Yield ``(conditions, result)`` of ``run`` for every sequence of choices.

    ``conditions`` is a list of SymPy relations (each ``x >= y`` or its
    negation ``x < y``) selecting the branch.
    """
    count = 0
    stack: list[list[bool]] = [[]]
    while stack:
        prefix = stack.pop()
        ar = ChoiceArithmetic(prefix)
        result = run(ar)
        made = ar.decisions
        for k in range(len(prefix), len(made)):
            stack.append([c for _, c in made[:k]] + [not made[k][1]])
        conds = [rel if chosen else sp.Lt(rel.lhs, rel.rhs, evaluate=False) for rel, chosen in made]
        count += 1
        if count > limit:
            raise ValueError(f"more than {limit} switching regions")
        yield conds, result
