"""Closed-form antiderivatives (SymPy), verified by differentiation.

:func:`antiderivative` returns ``A`` with ``A' = g`` on a cell, or ``None``.
It tries, in order, a rule for ``exp(alpha x + beta) * R(x)`` with ``R``
rational over linear factors (``exp(x)/(1+x)`` -> ``exp(-1) Ei(1 + x)``, which
SymPy's own integrator misses), then SymPy's ``integrate``. A candidate is
accepted only if ``diff(A) - g`` simplifies to zero and every function in it
can be evaluated rigorously (:func:`verifier.arith.compile.supported`).
"""

from __future__ import annotations

import sympy as sp

from verifier.arith.compile import supported


def _verified(A: sp.Expr, g: sp.Expr, x: sp.Symbol) -> bool:
    if A is None or A.has(sp.Integral) or not supported(A):
        return False
    d = sp.simplify(sp.diff(A, x) - g)
    if d == 0:
        return True
    return d.equals(0) is True


def _exp_linear(e: sp.Expr, x: sp.Symbol) -> tuple[sp.Expr, sp.Expr] | None:
    """``(alpha, beta)`` if ``e = exp(alpha x + beta)`` with constant alpha != 0."""
    if not isinstance(e, sp.exp):
        return None
    arg = sp.expand(e.args[0])
    poly = sp.Poly(arg, x) if arg.is_polynomial(x) else None
    if poly is None or poly.degree() != 1:
        return None
    alpha, beta = poly.all_coeffs()
    return alpha, beta


def _exp_rational(g: sp.Expr, x: sp.Symbol) -> sp.Expr | None:
    total = sp.Integer(0)
    for term in sp.Add.make_args(sp.expand(sp.powsimp(g))):
        factors = sp.Mul.make_args(term)
        exps = [f for f in factors if isinstance(f, sp.exp)]
        rest = sp.Mul(*[f for f in factors if not isinstance(f, sp.exp)])
        if len(exps) != 1:
            if not term.has(x) or (not exps and rest.is_polynomial(x)):
                total += sp.integrate(term, x)
                continue
            return None
        lin = _exp_linear(sp.exp(sp.expand(exps[0].args[0])), x)
        if lin is None or not rest.is_rational_function(x):
            return None
        alpha, beta = lin
        for part in sp.Add.make_args(sp.apart(sp.together(rest), x)):
            num, den = sp.fraction(sp.factor(part))
            if not den.has(x):
                total += sp.integrate(part * sp.exp(alpha * x + beta), x)
                continue
            if num.has(x):
                return None
            base, m = (den.base, int(den.exp)) if den.is_Pow else (den, 1)
            coeff = sp.Integer(1)
            if base.is_Mul:
                c, base = base.as_independent(x)
                coeff = c**m
            pb = sp.Poly(base, x)
            if pb.degree() != 1:
                return None
            lead, const = pb.all_coeffs()
            r = -const / lead
            scale = num / (coeff * lead**m)
            total += scale * _int_exp_over_power(alpha, beta, r, m, x)
    return total


def _int_exp_over_power(alpha, beta, r, m: int, x: sp.Symbol) -> sp.Expr:
    """An antiderivative of ``exp(alpha x + beta) / (x - r)**m``, m >= 1."""
    if m == 1:
        return sp.exp(alpha * r + beta) * sp.Ei(alpha * (x - r))
    return (
        -sp.exp(alpha * x + beta) * (x - r) ** (1 - m) / (m - 1)
        + alpha / (m - 1) * _int_exp_over_power(alpha, beta, r, m - 1, x)
    )


def antiderivative(g: sp.Expr, x: sp.Symbol) -> sp.Expr | None:
    """A verified closed-form antiderivative of ``g`` in ``x``, or ``None``."""
    g = sp.sympify(g)
    if g == 0:
        return sp.Integer(0)
    candidates = []
    if g.has(sp.exp):
        candidates.append(lambda: _exp_rational(g, x))
    candidates.append(lambda: sp.integrate(sp.expand(g), x))
    candidates.append(lambda: sp.integrate(g, x))
    for make in candidates:
        try:
            A = make()
        except (NotImplementedError, ValueError, TypeError, sp.PolynomialError):
            continue
        if A is not None and _verified(A, g, x):
            return A
    return None
