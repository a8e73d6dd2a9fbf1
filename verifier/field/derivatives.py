"""Forward-mode derivatives of straight-line programs.

A :class:`~verifier.field.straight_line.Code` computes outputs from inputs by
operations on registers. :func:`differentiate` returns the code that
computes, besides the outputs, their partial derivatives with respect to every input:
the chain rule applied operation by operation (forward mode), which is exact
arithmetic on the derivatives, so that evaluated in any arithmetic the derivative
outputs are what jets (:class:`verifier.arith.jets.Jet`) would give, up to rounding.
Derivatives that are identically zero are not computed (``None``), and operations
repeated by the rules are done once. Differentiating the derivative code again gives
second derivatives.

Only the analytic operations differentiate: a union of cases or an unknown point
(``union``, ``anywhere``), ``Si`` (``sinc``) and ``Abs`` raise :class:`NotDifferentiable`
and the caller uses jets instead.
"""

from __future__ import annotations

import operator
from typing import Any

from verifier.field.straight_line import Code, simplify


class NotDifferentiable(ValueError):
    """The code has an operation without a derivative rule here."""


#: The derivative of a unary function ``fn(name)`` in terms of its argument ``v`` and
#: value ``f``: a list of operations on the names "v", "f", integer literals and the
#: results of earlier entries ("t0", "t1", ...); the last entry is the derivative.
_RULES: dict[str, list[tuple]] = {
    "sin": [(("fn", "cos"), "v", None)],
    "cos": [(("fn", "sin"), "v", None), (("neg",), "t0", None)],
    "exp": [("copy", "f", None)],
    "log": [(operator.truediv, 1, "v")],
    "sqrt": [(operator.mul, 2, "f"), (operator.truediv, 1, "t0")],
    "tan": [(("powi", 2), "f", None), (operator.add, 1, "t0")],
    "tanh": [(("powi", 2), "f", None), (operator.sub, 1, "t0")],
    "sinh": [(("fn", "cosh"), "v", None)],
    "cosh": [(("fn", "sinh"), "v", None)],
    "atan": [(("powi", 2), "v", None), (operator.add, 1, "t0"), (operator.truediv, 1, "t1")],
    "asin": [(("powi", 2), "v", None), (operator.sub, 1, "t0"), (("fn", "sqrt"), "t1", None),
             (operator.truediv, 1, "t2")],
    "acos": [(("powi", 2), "v", None), (operator.sub, 1, "t0"), (("fn", "sqrt"), "t1", None),
             (operator.truediv, -1, "t2")],
    "asinh": [(("powi", 2), "v", None), (operator.add, 1, "t0"), (("fn", "sqrt"), "t1", None),
              (operator.truediv, 1, "t2")],
    "Ei": [(("fn", "exp"), "v", None), (operator.truediv, "t0", "v")],
    "Ci": [(("fn", "cos"), "v", None), (operator.truediv, "t0", "v")],
}


class _Builder:
    """Appends operations to a copy of a code, each distinct operation once."""

    def __init__(self, code: Code) -> None:
        self.ops = list(code.ops)
        self.consts = list(code.consts)
        self.seen = {(s, a, b): o for s, o, a, b in code.ops}
        self.literals: dict[Any, int] = {}

    def literal(self, value: Any) -> int:
        key = (type(value), value)
        r = self.literals.get(key)
        if r is None:
            r = self.literals[key] = len(self.consts)
            self.consts.append(value)
        return r

    def op(self, spec: Any, a: int, b: int = -1) -> int:
        """The register of ``spec`` on the registers ``a``, ``b`` (``-1``: unary)."""
        key = (spec, a, b)
        r = self.seen.get(key)
        if r is None:
            r = self.seen[key] = len(self.consts)
            self.consts.append(None)
            self.ops.append((spec, r, a, b))
        return r

    # Derivatives: None (zero), True (exactly one) or a register.
    def add(self, x, y):
        if x is None:
            return y
        if y is None:
            return x
        return self.op(operator.add, self.value(x), self.value(y))

    def sub(self, x, y):
        if y is None:
            return x
        if x is None:
            return self.op(("neg",), self.value(y))
        return self.op(operator.sub, self.value(x), self.value(y))

    def times(self, r: int, d):
        """``r * d`` for a register ``r`` and a derivative ``d``."""
        if d is None:
            return None
        if d is True:
            return r
        return self.op(operator.mul, r, d)

    def value(self, d) -> int:
        return self.literal(1) if d is True else d


def _fprime(B: _Builder, name: str, v: int, f: int) -> int:
    rule = _RULES.get(name)
    if rule is None:
        raise NotDifferentiable(f"no derivative rule for {name}")
    names: dict[str, int] = {"v": v, "f": f}

    def reg(x: str | int | None) -> int:
        if x is None:
            return -1
        return names[x] if isinstance(x, str) else B.literal(x)

    last = f
    for k, (spec, a, b) in enumerate(rule):
        last = reg(a) if spec == "copy" else B.op(spec, reg(a), reg(b))
        names[f"t{k}"] = last
    return last


def differentiate(code: Code) -> Code:
    """The code computing the outputs of ``code`` followed by ``d outputs[i] / d
    inputs[j]`` for every ``i`` then ``j`` (``None`` where identically zero)."""
    B = _Builder(code)
    n = len(code.inputs)
    der: dict[int, list] = {r: [True if j == i else None for j in range(n)]
                            for i, r in enumerate(code.inputs)}
    zero = [None] * n
    for spec, o, a, b in code.ops:
        da = der.get(a, zero)
        db = der.get(b, zero) if b >= 0 else zero
        if da is zero and db is zero:
            continue
        if spec is operator.add:
            d = [B.add(x, y) for x, y in zip(da, db)]
        elif spec is operator.sub:
            d = [B.sub(x, y) for x, y in zip(da, db)]
        elif spec is operator.mul:
            d = [B.add(B.times(a, y), B.times(b, x)) for x, y in zip(da, db)]
        elif spec is operator.truediv:  # (a/b)' = (a' - (a/b) b') / b
            d = []
            for x, y in zip(da, db):
                num = B.sub(x, B.times(o, y))
                d.append(None if num is None else B.op(operator.truediv, B.value(num), b))
        elif isinstance(spec, tuple) and spec[0] == "neg":
            d = [None if x is None else B.op(("neg",), B.value(x)) for x in da]
        elif isinstance(spec, tuple) and spec[0] == "powi":
            m = spec[1]
            if m == 0:
                continue
            p = a if m == 2 else (B.op(("powi", m - 1), a) if m > 2 else None)
            c = B.literal(1) if p is None else B.op(operator.mul, B.literal(m), p)
            d = [B.times(c, x) for x in da]
        elif isinstance(spec, tuple) and spec[0] == "fn":
            fp = _fprime(B, spec[1], a, o)
            d = [B.times(fp, x) for x in da]
        else:
            raise NotDifferentiable(f"no derivative rule for {spec!r}")
        der[o] = d
    outputs = list(code.outputs)
    for r in code.outputs:
        for d in (zero if r is None else der.get(r, zero)):
            outputs.append(None if d is None else B.value(d))
    return simplify(Code(B.ops, B.consts, list(code.inputs), outputs))
