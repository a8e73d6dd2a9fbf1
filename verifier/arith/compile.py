"""Compile a SymPy expression into a closure evaluated in any arithmetic.

The expression tree (built by the whitelist parser or by SymPy's integrator,
never from raw text) is turned into nested Python closures, once; evaluation
then walks no SymPy objects. Nothing is passed to ``eval``/``exec``.

``compile_expr(expr, (x,))(ar, value)`` evaluates ``expr`` at ``x = value`` in
the arithmetic ``ar``: constants become ``ar.const`` (exact rationals are
enclosed/rounded by the arithmetic), functions ``ar.fn(name)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sympy as sp

Compiled = Callable[..., Any]

_SYMPY_FUNCTIONS: dict[type, str] = {
    sp.sin: "sin", sp.cos: "cos", sp.tan: "tan", sp.exp: "exp", sp.log: "log",
    sp.atan: "atan", sp.asin: "asin", sp.acos: "acos", sp.sinh: "sinh",
    sp.cosh: "cosh", sp.tanh: "tanh", sp.asinh: "asinh", sp.erf: "erf",
    sp.erfi: "erfi", sp.Ei: "Ei", sp.Si: "Si", sp.Ci: "Ci", sp.Abs: "Abs",
}
#: The function names compiled closures call (each arithmetic provides them:
#: :data:`verifier.arith.base.FUNCTIONS`, a test checks the inclusion).
COMPILED_FUNCTIONS = frozenset(_SYMPY_FUNCTIONS.values())


# Registry of constant subexpressions: closures refer to a constant by its slot
# number, and each arithmetic caches the slot's value (hashing SymPy trees on
# every evaluation would dominate the cost of the float path).
_SLOTS: dict[sp.Expr, int] = {}
_SLOT_EXPRS: list[sp.Expr] = []


def constant_slot(expr: sp.Expr) -> int:
    """The slot number of a constant expression (registered on first use)."""
    expr = sp.sympify(expr)
    try:
        return _SLOTS[expr]
    except KeyError:
        _SLOTS[expr] = len(_SLOT_EXPRS)
        _SLOT_EXPRS.append(expr)
        return _SLOTS[expr]


def slot_expr(i: int) -> sp.Expr:
    return _SLOT_EXPRS[i]


class UnsupportedExpression(ValueError):
    """The expression uses something no arithmetic here can evaluate rigorously."""


def supported(expr: sp.Expr) -> bool:
    """True when :func:`compile_expr` can compile ``expr``."""
    try:
        _check(expr)
    except UnsupportedExpression:
        return False
    return True


def _check(e: sp.Basic) -> None:
    if e.is_Symbol or e.is_Rational or e in (sp.pi, sp.E):
        return
    if isinstance(e, sp.Float):
        raise UnsupportedExpression("inexact float constant")
    if e.is_Add or e.is_Mul:
        for a in e.args:
            _check(a)
        return
    if e.is_Pow:
        _check(e.base)
        _check(e.exp)
        return
    if type(e) in _SYMPY_FUNCTIONS:
        for a in e.args:
            _check(a)
        return
    if isinstance(e, sp.exp_polar):
        raise UnsupportedExpression("exp_polar")
    raise UnsupportedExpression(f"{type(e).__name__} is not supported")


def compile_constant(expr: sp.Expr) -> Callable[[Any], Any]:
    """Closure ``ar -> value`` of a constant expression (no constant folding)."""
    f = _build(sp.sympify(expr), (), fold=False)
    return lambda ar: f(ar, ())


def compile_expr(expr: sp.Expr, symbols: Sequence[sp.Symbol]) -> Compiled:
    """Closure ``(ar, *values) -> value`` of ``expr`` in the given symbols."""
    _check(expr)
    f = _build(expr, tuple(symbols), fold=True)
    return lambda ar, *vals: f(ar, vals)


def _build(e: sp.Basic, syms: tuple[sp.Symbol, ...], fold: bool) -> Callable[[Any, tuple], Any]:
    if e.is_Symbol:
        if e not in syms:
            raise UnsupportedExpression(f"free symbol {e}")
        i = syms.index(e)
        return lambda ar, v: v[i]
    if fold and not e.free_symbols:
        k = constant_slot(e)
        return lambda ar, v: ar.k(k)
    if e.is_Integer:
        n = int(e)
        return lambda ar, v: ar.rational(n, 1)
    if e.is_Rational:
        p, q = int(e.p), int(e.q)
        return lambda ar, v: ar.rational(p, q)
    if e == sp.pi:
        return lambda ar, v: ar.pi()
    if e == sp.E:
        return lambda ar, v: ar.fn("exp")(ar.rational(1, 1))
    if (e.is_Add or e.is_Mul) and len(e.args) == 2:
        p, q = (_build(a, syms, fold) for a in e.args)
        if e.is_Add:
            return lambda ar, v: p(ar, v) + q(ar, v)
        return lambda ar, v: p(ar, v) * q(ar, v)
    if e.is_Add:
        parts = [_build(a, syms, fold) for a in e.args]

        def add(ar, v):
            s = parts[0](ar, v)
            for p in parts[1:]:
                s = s + p(ar, v)
            return s

        return add
    if e.is_Mul:
        parts = [_build(a, syms, fold) for a in e.args]

        def mul(ar, v):
            s = parts[0](ar, v)
            for p in parts[1:]:
                s = s * p(ar, v)
            return s

        return mul
    if e.is_Pow:
        base = _build(e.base, syms, fold)
        ex = e.exp
        if ex.is_Integer:
            n = int(ex)
            if n >= 0:
                return lambda ar, v: ar.powi(base(ar, v), n)
            return lambda ar, v: 1 / ar.powi(base(ar, v), -n)
        if ex.is_Rational and ex.q == 2:
            n = int(ex.p)
            if n == 1:
                return lambda ar, v: ar.fn("sqrt")(base(ar, v))
            if n > 0:
                return lambda ar, v: ar.powi(ar.fn("sqrt")(base(ar, v)), n)
            return lambda ar, v: 1 / ar.powi(ar.fn("sqrt")(base(ar, v)), -n)
        expo = _build(ex, syms, fold)
        return lambda ar, v: ar.fn("exp")(expo(ar, v) * ar.fn("log")(base(ar, v)))
    name = _SYMPY_FUNCTIONS.get(type(e))
    if name is not None:
        arg = _build(e.args[0], syms, fold)
        return lambda ar, v: ar.fn(name)(arg(ar, v))
    raise UnsupportedExpression(f"{type(e).__name__} is not supported")
