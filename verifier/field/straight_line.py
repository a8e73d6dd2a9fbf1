"""Straight-line code and its exact rewrites.

A :class:`Code` computes outputs from inputs by operations ``(spec, out, a, b)`` on
registers: ``spec`` is a binary Python operator, or a tuple naming an operation bound
to an arithmetic when the code is run (``("neg",)``, ``("fn", name)``,
``("powi", n)``, ``("union",)``, ``("anywhere",)``, ``("sincos",)``,
``("item", i)``; :mod:`verifier.field.program`). The rewrites here change no value
(or only by rounding, where noted), in any arithmetic: they drop what no output
reads, move negations into exact constants, drop exact units, compute ``sin`` and
``cos`` of one argument together, and renumber the registers densely.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass


@dataclass
class Code:
    """Operations ``(spec, out, a, b)`` (``b = -1``: unary) on registers; ``consts[r]``
    the value of a constant register (``None`` for computed ones); ``outputs[i]`` a
    register or ``None`` (identically zero)."""

    ops: list[tuple]
    consts: list
    inputs: list[int]
    outputs: list[int | None]


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


def _unit(value, one: bool) -> bool:
    """Whether a constant is exactly 1 (``one``) or exactly 0."""
    if value is None or isinstance(value, bool):
        return False
    target = 1 if one else 0
    exact = getattr(value, "is_exact", None)
    try:
        return bool(value == target) and (exact is None or bool(exact()))
    except (TypeError, ValueError):
        return False


def simplify(code: Code) -> Code:
    """``code`` without multiplications by an exact 1 and additions of an exact 0
    (``x * 1 = x``, ``x + 0 = x - 0 = x`` exactly in every arithmetic here: ``x`` is
    already rounded), without what no output reads, and renumbered densely."""
    consts = code.consts
    alias: dict[int, int] = {}
    ops = []
    for spec, o, a, b in code.ops:
        a, b = alias.get(a, a), alias.get(b, b) if b >= 0 else b
        if spec is operator.mul and (_unit(consts[a], True) or _unit(consts[b], True)):
            alias[o] = b if _unit(consts[a], True) else a
            continue
        if spec in (operator.add, operator.sub) and _unit(consts[b], False):
            alias[o] = a
            continue
        if spec is operator.add and _unit(consts[a], False):
            alias[o] = b
            continue
        ops.append((spec, o, a, b))
    outputs = [None if r is None else alias.get(r, r) for r in code.outputs]
    return compact(needed(Code(ops, consts, code.inputs, outputs)))


def compact(code: Code) -> Code:
    """``code`` with its registers renumbered: inputs, the constants read, then the
    operations' results (a shorter register file to copy for every evaluation)."""
    order = list(code.inputs)
    seen = set(order)
    for _, _, a, b in code.ops:
        for r in (a, b):
            if r >= 0 and r not in seen and code.consts[r] is not None:
                seen.add(r)
                order.append(r)
    for r in code.outputs:
        if r is not None and r not in seen and code.consts[r] is not None:
            seen.add(r)
            order.append(r)
    for _, o, _, _ in code.ops:
        if o not in seen:
            seen.add(o)
            order.append(o)
    new = {r: i for i, r in enumerate(order)}
    ops = [(s, new[o], new[a], new[b] if b >= 0 else b) for s, o, a, b in code.ops]
    consts = [code.consts[r] for r in order]
    return Code(ops, consts, [new[r] for r in code.inputs],
                [None if r is None else new[r] for r in code.outputs])
