"""Forward-mode derivatives of straight-line programs.

A :class:`Code` computes outputs from inputs by operations ``(spec, out, a, b)`` on
registers (:mod:`verifier.field.program`). :func:`differentiate` returns the code that
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
from dataclasses import dataclass
from typing import Any


class NotDifferentiable(ValueError):
    """The code has an operation without a derivative rule here."""


@dataclass
class Code:
    """Operations ``(spec, out, a, b)`` (``b = -1``: unary) on registers; ``consts[r]``
    the value of a constant register (``None`` for computed ones); ``outputs[i]`` a
    register or ``None`` (identically zero)."""

    ops: list[tuple]
    consts: list
    inputs: list[int]
    outputs: list[int | None]


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
    return needed(Code(B.ops, B.consts, list(code.inputs), outputs))


def needed(code: Code) -> Code:
    """``code`` without the operations no output reads."""
    need = {r for r in code.outputs if r is not None}
    kept = []
    for op in reversed(code.ops):
        if op[1] in need:
            need.add(op[2])
            if op[3] >= 0:
                need.add(op[3])
            kept.append(op)
    kept.reverse()
    return Code(kept, code.consts, code.inputs, code.outputs)


def fold_negations(code: Code) -> Code:
    """``code`` with each negation of a product moved into a constant factor of it
    (``-(c x) = (-c) x``, also through nested products), where the product is read
    only by the negation: negating an exact constant is exact."""
    ops = list(code.ops)
    consts = list(code.consts)
    uses: dict[int, int] = {}
    for _, _, a, b in ops:
        uses[a] = uses.get(a, 0) + 1
        if b >= 0:
            uses[b] = uses.get(b, 0) + 1
    for r in code.outputs:
        if r is not None:
            uses[r] = uses.get(r, 0) + 1
    at = {o: i for i, (_, o, _, _) in enumerate(ops)}

    def negate(r: int) -> bool:
        i = at.get(r)
        if i is None or ops[i][0] is not operator.mul:
            return False
        _, o, a, b = ops[i]
        for x, y in ((a, b), (b, a)):
            if consts[x] is not None:
                consts.append(-consts[x])
                ops[i] = (operator.mul, o, len(consts) - 1, y)
                return True
        return any(uses.get(x) == 1 and negate(x) for x in (a, b))

    alias: dict[int, int] = {}
    for i, (spec, o, a, _) in enumerate(ops):
        if isinstance(spec, tuple) and spec[0] == "neg" and uses.get(a) == 1 and negate(a):
            alias[o] = a
            ops[i] = None
    out = [(s, o, alias.get(a, a), alias.get(b, b) if b >= 0 else b)
           for s, o, a, b in (op for op in ops if op is not None)]
    return Code(out, consts, code.inputs, [alias.get(r, r) if r is not None else None
                                           for r in code.outputs])


def fuse_sin_cos(code: Code) -> Code:
    """``code`` with ``sin`` and ``cos`` of the same register computed by one
    ``("sincos",)`` operation (a pair, read by ``("item", 0 | 1)``)."""
    fns: dict[tuple[str, int], int] = {}
    for spec, o, a, _ in code.ops:
        if isinstance(spec, tuple) and spec[0] == "fn" and spec[1] in ("sin", "cos"):
            fns[(spec[1], a)] = o
    pairs = {a for (name, a) in fns if name == "sin" and ("cos", a) in fns}
    if not pairs:
        return code
    consts = list(code.consts)
    done: dict[int, int] = {}
    ops: list[tuple] = []
    for spec, o, a, b in code.ops:
        if isinstance(spec, tuple) and spec[0] == "fn" and spec[1] in ("sin", "cos") \
                and a in pairs:
            if a not in done:
                consts.append(None)
                done[a] = len(consts) - 1
                ops.append((("sincos",), done[a], a, -1))
            ops.append((("item", 0 if spec[1] == "sin" else 1), o, done[a], -1))
            continue
        ops.append((spec, o, a, b))
    return Code(ops, consts, code.inputs, code.outputs)
