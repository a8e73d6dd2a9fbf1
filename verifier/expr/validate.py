"""Validation of SymPy trees against the whitelist of the language (:mod:`verifier.expr`).

:class:`Checker` walks a tree post-order: only whitelisted classes, finite values, real
constants, and (for parsed text) the resource limits on numbers and exponents.
:func:`from_sympy` checks a SymPy object passed instead of text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NoReturn

import sympy

from verifier.expr.language import (
    BOOLEAN_TYPES,
    FUNCTION_TYPES,
    GROWING_TYPES,
    MAX_CONSTANT_DIGITS,
    MAX_EXP_ARGUMENT,
    MAX_POWER_EXPONENT,
    MAX_RADICAND_DIGITS,
    NON_FINITE,
    RECIPROCALS,
    STRUCTURE_TYPES,
    WHITESPACE,
    ExpressionError,
    quote,
    radicand_digits,
    rational_digits,
)


class NeedsRewrite(Exception):
    """Internal: the tree contains a reciprocal function to be rewritten."""


def rewrite_reciprocals(expr: sympy.Basic) -> sympy.Basic:
    return expr.replace(
        lambda e: type(e) in RECIPROCALS,
        lambda e: 1 / RECIPROCALS[type(e)](*e.args),
    )


class Checker:
    """Validates SymPy trees (post-order, memoised) against the whitelist.

    With ``limits`` the resource limits on numbers and exponents apply too
    (text input); without, only the structural checks (SymPy input).
    """

    def __init__(
        self,
        symbols: Iterable[sympy.Symbol],
        limits: bool,
        fail: Callable[[str], NoReturn],
    ) -> None:
        self.symbols = frozenset(symbols)
        self.limits = limits
        self.fail = fail
        self._constant: dict[sympy.Basic, bool] = {}  # validated node -> is constant

    def is_constant(self, expr: sympy.Basic) -> bool:
        known = self._constant.get(expr)
        return known if known is not None else not expr.free_symbols

    def finish(self, expr: sympy.Basic) -> sympy.Basic:
        """Rewrite reciprocal functions, then validate ``expr``; return it."""
        for _ in range(4):
            try:
                self.check(expr)
            except NeedsRewrite:
                expr = rewrite_reciprocals(expr)
                continue
            return expr
        self.fail(f"could not rewrite {quote(expr)} into whitelisted functions")

    def check(self, root: sympy.Basic) -> None:
        memo = self._constant
        stack: list[tuple[sympy.Basic, bool]] = [(root, False)]
        while stack:
            node, children_done = stack.pop()
            if node in memo:
                continue
            if not children_done:
                stack.append((node, True))
                stack.extend((arg, False) for arg in node.args if arg not in memo)
                continue
            constant = self._check_node(node)
            memo[node] = constant

    # one node, all of whose arguments are already validated
    def _check_node(self, node: sympy.Basic) -> bool:
        if node.is_Rational:
            if self.limits and rational_digits(node) > MAX_CONSTANT_DIGITS:
                self.fail(
                    f"number with {rational_digits(node)} digits is too large "
                    f"(limit {MAX_CONSTANT_DIGITS} digits)"
                )
            return True
        if isinstance(node, sympy.Symbol):
            if node not in self.symbols:
                self._unknown_symbol(node)
            return False
        if node is sympy.pi or node is sympy.E:
            return True
        if any(node is bad for bad in NON_FINITE):
            self.fail(f"value is not finite ({node})")
        if node is sympy.I:
            self.fail("value is not real (contains the imaginary unit I)")
        if isinstance(node, sympy.Float):
            self.fail(f"inexact float {quote(node)}")
        kind = type(node)
        constant = all(self._constant.get(a, False) for a in node.args)
        if kind in STRUCTURE_TYPES or kind in BOOLEAN_TYPES:
            return constant
        if kind is sympy.Pow:
            self._check_pow(node, constant)
            return constant
        if kind in FUNCTION_TYPES:
            if kind in GROWING_TYPES and self.limits and constant:
                self.check_growing_argument(kind.__name__, node.args[0])
            if constant and node.is_extended_real is False:
                self.fail(f"constant {quote(node)} is not real")
            return constant
        if kind in RECIPROCALS:
            raise NeedsRewrite
        if isinstance(node, sympy.Function):
            self.fail(f"function {kind.__name__!r} is not allowed")
        self.fail(f"{kind.__name__} {quote(node)} is not allowed")

    def _unknown_symbol(self, sym: sympy.Symbol) -> NoReturn:
        allowed = ", ".join(sorted(s.name for s in self.symbols)) or "none"
        for s in self.symbols:
            if s.name == sym.name:
                self.fail(
                    f"symbol {sym.name!r} has other assumptions than the variable "
                    f"{s.name!r} (use verifier.expr.X / the given variables)"
                )
        self.fail(f"unknown symbol {quote(sym.name)} (allowed: {allowed})")

    def _check_pow(self, node: sympy.Basic, constant: bool) -> None:
        base, expo = node.args
        if self.limits and self._constant.get(expo, False):
            self.check_exponent(expo)
            if base.is_Rational and expo.is_Rational and not expo.is_Integer:
                self.check_radicand(base)
        if constant and (
            node.is_extended_real is False
            or (base.is_extended_negative and expo.is_integer is False)  # e.g. (-2)**pi
        ):
            self.fail(f"constant {quote(node)} is not real")

    # the limit checks, also used before building (by the parser)
    def magnitude_exceeds(self, value: sympy.Expr, bound: int, what: str) -> bool:
        """Whether the constant ``|value| > bound`` (rejects when undecidable)."""
        if value.is_Rational:
            return abs(value) > bound
        try:
            approx = value.evalf(20)
        except Exception as exc:  # any SymPy/mpmath failure
            self.fail(f"cannot evaluate {what} {quote(value)} ({type(exc).__name__})")
        if not (approx.is_Number and approx.is_finite):
            self.fail(f"cannot bound {what} {quote(value)}")
        return bool(abs(approx) > bound)

    def check_exponent(self, expo: sympy.Expr) -> None:
        if self.magnitude_exceeds(expo, MAX_POWER_EXPONENT, "exponent"):
            self.fail(f"exponent {quote(expo)} is too large (|exponent| <= {MAX_POWER_EXPONENT})")

    def check_radicand(self, base: sympy.Rational) -> None:
        size = radicand_digits(base)
        if size > MAX_RADICAND_DIGITS:
            self.fail(
                f"base of a numeric root has {size} digits (limit {MAX_RADICAND_DIGITS} digits)"
            )

    def check_growing_argument(self, name: str, arg: sympy.Expr) -> None:
        if self.magnitude_exceeds(arg, MAX_EXP_ARGUMENT, f"argument of {name}"):
            self.fail(
                f"constant argument {quote(arg)} of {name} is too large "
                f"(|argument| <= {MAX_EXP_ARGUMENT})"
            )


def _rename_variable(expr: sympy.Expr, variables: dict[str, sympy.Symbol],
                     fail: Callable[[str], NoReturn]) -> sympy.Expr:
    """With one variable, an expression in one other symbol -- ``Symbol('x')``,
    ``Symbol('t', real=True)`` -- is read in that variable (the symbol is replaced, nothing
    is evaluated). A symbol with further assumptions (``positive=True``, ``integer=True``)
    is refused: SymPy may have simplified the expression with them (``Abs(t)`` is ``t``
    for a positive ``t``), so the expression need not mean what it says on the domain."""
    if len(variables) != 1:
        return expr
    (var,) = variables.values()
    symbols = expr.free_symbols
    if len(symbols) != 1 or symbols == {var}:
        return expr
    (sym,) = symbols
    if not isinstance(sym, sympy.Symbol):
        return expr
    plain = (sympy.Symbol(sym.name).assumptions0, sympy.Symbol(sym.name, real=True).assumptions0)
    if sym.assumptions0 not in plain:
        given = getattr(sym, "_assumptions_orig", None) or sym.assumptions0
        extra = sorted(f"{k}={v}" for k, v in given.items()
                       if k != "commutative" and not (k == "real" and v))
        fail(f"symbol {sym.name!r} has assumptions ({', '.join(extra)}) "
             f"under which SymPy may have simplified the expression; use "
             f"Symbol({sym.name!r}) or Symbol({sym.name!r}, real=True)")
    return expr.xreplace({sym: var})


def from_sympy(expr: sympy.Basic, label: str, variables: dict[str, sympy.Symbol]) -> sympy.Expr:
    """Check a SymPy object passed instead of text (structure, whitelist, finiteness);
    SymPy ``Float`` atoms become their exact binary value. With one variable, an
    expression in any one symbol without assumptions beyond ``real`` is read in that
    variable (:func:`_rename_variable`)."""

    def fail(problem: str) -> NoReturn:
        raise ExpressionError(WHITESPACE.sub(" ", f"{problem} in {label} {quote(expr)}"))

    if not isinstance(expr, sympy.Expr):
        fail(f"expected an expression, got {type(expr).__name__}")
    floats = expr.atoms(sympy.Float)
    if floats:
        exact = {}
        for f in floats:
            if not f.is_finite:
                fail(f"value is not finite ({f})")
            exact[f] = sympy.Rational(f)
        expr = expr.xreplace(exact)
    for node in sympy.preorder_traversal(expr):  # report the outermost offender first
        kind = type(node)
        if not (
            kind in FUNCTION_TYPES
            or kind in STRUCTURE_TYPES
            or kind in BOOLEAN_TYPES
            or kind in RECIPROCALS
            or kind is sympy.Pow
            or not node.args  # atoms: checked below
        ):
            what = "function" if isinstance(node, sympy.Function) else "object"
            fail(f"{what} {kind.__name__!r} is not allowed")
    expr = _rename_variable(expr, variables, fail)
    checker = Checker(variables.values(), limits=False, fail=fail)
    try:
        return checker.finish(expr)  # type: ignore[return-value]
    except ExpressionError:
        raise
    except Exception as exc:
        fail(f"could not check the expression ({type(exc).__name__})")
