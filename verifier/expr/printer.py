"""Printing: the canonical text of an expression, which the parser reads back to it."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Final

import sympy
from sympy.printing.str import StrPrinter

from verifier.expr.language import MAX_LITERAL_DIGITS, ExpressionError, exact_rational_of_float

_CHUNK: Final = 300


def _int_text(n: int) -> str:
    """Decimal text of ``n``; beyond the literal limit a nested Horner form."""
    if n.bit_length() <= 4 * MAX_LITERAL_DIGITS and len(str(abs(n))) <= MAX_LITERAL_DIGITS:
        return str(n)
    sign, n = ("-", -n) if n < 0 else ("", n)
    chunks: list[int] = []
    base = 10**_CHUNK
    while n:
        n, low = divmod(n, base)
        chunks.append(low)
    chunks.reverse()
    text = str(chunks[0])
    for low in chunks[1:]:
        text = f"({text})*10**{_CHUNK}" + (f" + {low}" if low else "")
    return f"{sign}({text})"


class _TextPrinter(StrPrinter):
    """``StrPrinter`` whose numbers stay within the parser's literal limits."""

    def _print_Integer(self, expr: sympy.Integer) -> str:
        return _int_text(int(expr.p))

    def _print_Rational(self, expr: sympy.Rational) -> str:
        if expr.q == 1:
            return _int_text(int(expr.p))
        return f"{_int_text(int(expr.p))}/{_int_text(int(expr.q))}"

    def _print_Mul(self, expr: sympy.Mul) -> str:
        # StrPrinter merges a fractional coefficient into the denominator:
        # Mul(1/3, 1/(x + pi)) would print as 1/(3*(x + pi)), which reads back
        # as 1/(3*x + 3*pi). Keep the coefficient apart in that case.
        coeff, rest = expr.as_coeff_Mul()
        if (
            coeff.is_Rational
            and coeff.q != 1
            and any(
                f.is_Pow and f.exp.is_Rational and f.exp.is_negative
                for f in sympy.Mul.make_args(rest)
            )
        ):
            sign = "-" if coeff < 0 else ""
            return f"{sign}({self._print(abs(coeff))})*{self._print(rest)}"
        return super()._print_Mul(expr)

    def _print_Float(self, expr: sympy.Float) -> str:  # exact binary value
        if not expr.is_finite:
            return super()._print_Float(expr)
        return self._print_Rational(sympy.Rational(expr))


def to_text(expr: sympy.Expr | int | float) -> str:
    """Canonical text of ``expr`` that :func:`parse_expression` reads back to ``expr``.

    The round trip ``parse_expression(to_text(e)) == e`` holds for every ``e``
    that :func:`parse_expression` returned for *text* (SymPy objects passed in
    are checked, not canonicalised), provided the symbols are named like their
    variables and the printed text stays within the parser's limits (SymPy
    may print an evaluated expression longer than the text it came from).
    Floats are printed as their exact binary value.
    """
    if isinstance(expr, bool) or not isinstance(expr, (sympy.Basic, int, float, Fraction)):
        raise ExpressionError(f"cannot print {type(expr).__name__} as an expression")
    if isinstance(expr, float):
        if not math.isfinite(expr):
            raise ExpressionError(f"value is not finite ({expr!r})")
        expr = exact_rational_of_float(expr)
    elif isinstance(expr, Fraction):
        expr = sympy.Rational(expr.numerator, expr.denominator)
    elif isinstance(expr, int):
        expr = sympy.Integer(expr)
    return _TextPrinter().doprint(expr)
