"""The expression language: its error, its variable, its limits and its whitelist.

Shared by the parser (:mod:`verifier.expr.parser`), the validator
(:mod:`verifier.expr.validate`) and the printer (:mod:`verifier.expr.printer`); the
language itself is described in :mod:`verifier.expr`.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Final

import sympy
from sympy.logic.boolalg import BooleanFalse, BooleanTrue


class ExpressionError(ValueError):
    """Text or object that is not an acceptable expression; the message is one line."""


#: THE variable of every target and density.
X: Final[sympy.Symbol] = sympy.Symbol("x", real=True)

MAX_TEXT_LENGTH: Final = 10_000
MAX_DEPTH: Final = 60
MAX_NODES: Final = 5_000
MAX_LITERAL_DIGITS: Final = 400
MAX_LITERAL_EXPONENT: Final = 400
MAX_POWER_EXPONENT: Final = 1000
MAX_CONSTANT_DIGITS: Final = 1000
MAX_RADICAND_DIGITS: Final = 100
MAX_EXP_ARGUMENT: Final = 10_000
#: Safety net: a parse taking longer than this (SymPy's automatic evaluation
#: can cost milliseconds per node) is abandoned. Ordinary input takes well
#: under a second; this only stops adversarial text.
MAX_PARSE_SECONDS: Final = 20.0

SNIPPET_LENGTH: Final = 60
CONSTANTS: Final[dict[str, sympy.Expr]] = {"pi": sympy.pi, "E": sympy.E, "e": sympy.E}
WHITESPACE: Final = re.compile(r"\s+")


# -- small helpers -----------------------------------------------------------
def short(obj: object, limit: int = SNIPPET_LENGTH) -> str:
    """One-line, truncated text of ``obj`` (never raises)."""
    try:
        text = obj if isinstance(obj, str) else sympy.sstr(obj)
    except Exception:  # e.g. int -> str digit limit of huge integers
        text = f"<{type(obj).__name__}>"
    text = WHITESPACE.sub(" ", text).strip()
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def quote(obj: object, limit: int = SNIPPET_LENGTH) -> str:
    return repr(short(obj, limit))


def digit_count(n: int) -> int:
    """Number of decimal digits of ``|n|`` (cheap upper estimate when huge)."""
    n = abs(n)
    bits = n.bit_length()
    if bits > 4 * MAX_CONSTANT_DIGITS:  # certainly too big; avoid str()
        return int(bits * 0.30103) + 1
    return len(str(n))


def rational_digits(r: sympy.Rational) -> int:
    return max(digit_count(int(r.p)), digit_count(int(r.q)))


def radicand_digits(r: sympy.Rational) -> int:
    """Digits of numerator plus denominator (an integer counts its digits only)."""
    return digit_count(int(r.p)) + (digit_count(int(r.q)) if r.q != 1 else 0)


def exact_rational_of_float(value: float) -> sympy.Rational:
    frac = Fraction(value)
    return sympy.Rational(frac.numerator, frac.denominator)


# -- the whitelist of SymPy classes ---------------------------------------------
ONE_ARG: Final[dict[str, type[sympy.Function]]] = {
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "log": sympy.log,
    "ln": sympy.log,
    "atan": sympy.atan,
    "asin": sympy.asin,
    "acos": sympy.acos,
    "tanh": sympy.tanh,
    "erf": sympy.erf,
    "Abs": sympy.Abs,
    "abs": sympy.Abs,
    "sign": sympy.sign,
}
GROWING: Final[dict[str, type[sympy.Function]]] = {
    "exp": sympy.exp,
    "sinh": sympy.sinh,
    "cosh": sympy.cosh,
}
MINMAX: Final[dict[str, type[sympy.Expr]]] = {
    "Min": sympy.Min,
    "min": sympy.Min,
    "Max": sympy.Max,
    "max": sympy.Max,
}
FUNCTION_NAMES: Final[tuple[str, ...]] = (
    *ONE_ARG,
    *GROWING,
    "sqrt",
    "Heaviside",
    *MINMAX,
    "Piecewise",
)
CONDITION_FUNCTIONS: Final[dict[str, type[sympy.Basic]]] = {"Eq": sympy.Eq, "Ne": sympy.Ne}

FUNCTION_TYPES: Final[frozenset[type]] = frozenset(
    {*ONE_ARG.values(), *GROWING.values(), *MINMAX.values(), sympy.Heaviside, sympy.Piecewise}
)
GROWING_TYPES: Final[frozenset[type]] = frozenset(GROWING.values())
EXPR_COND_PAIR: Final = sympy.functions.elementary.piecewise.ExprCondPair
STRUCTURE_TYPES: Final[frozenset[type]] = frozenset({sympy.Add, sympy.Mul, EXPR_COND_PAIR})
BOOLEAN_TYPES: Final[frozenset[type]] = frozenset(
    {
        sympy.StrictLessThan,
        sympy.LessThan,
        sympy.StrictGreaterThan,
        sympy.GreaterThan,
        sympy.Equality,
        sympy.Unequality,
        sympy.And,
        sympy.Or,
        sympy.Not,
        BooleanTrue,
        BooleanFalse,
    }
)
#: Reciprocal functions SymPy's automatic evaluation may produce.
RECIPROCALS: Final[dict[type, type[sympy.Function]]] = {
    sympy.cot: sympy.tan,
    sympy.sec: sympy.cos,
    sympy.csc: sympy.sin,
    sympy.coth: sympy.tanh,
    sympy.sech: sympy.cosh,
    sympy.csch: sympy.sinh,
}
NON_FINITE: Final = (
    sympy.S.Infinity,
    sympy.S.NegativeInfinity,
    sympy.S.ComplexInfinity,
    sympy.S.NaN,
)
