"""The parser: untrusted text -> exact SymPy expressions, from Python's syntax tree.

The text is parsed with :func:`ast.parse` (``mode="eval"``) and the tree is walked node
by node, building SymPy objects through the checks of :mod:`verifier.expr.validate`;
every node type that is not explicitly allowed raises
:class:`~verifier.expr.language.ExpressionError` (the language: :mod:`verifier.expr`).
"""

from __future__ import annotations

import ast
import math
import numbers
import re
import time
import warnings
from collections import defaultdict
from collections.abc import Mapping
from fractions import Fraction
from typing import Final, NoReturn

import sympy

from verifier.expr.language import (
    CONDITION_FUNCTIONS,
    CONSTANTS,
    EXPR_COND_PAIR,
    FUNCTION_NAMES,
    GROWING,
    GROWING_TYPES,
    MAX_CONSTANT_DIGITS,
    MAX_DEPTH,
    MAX_LITERAL_DIGITS,
    MAX_LITERAL_EXPONENT,
    MAX_NODES,
    MAX_PARSE_SECONDS,
    MAX_RADICAND_DIGITS,
    MAX_TEXT_LENGTH,
    MINMAX,
    ONE_ARG,
    WHITESPACE,
    ExpressionError,
    X,
    exact_rational_of_float,
    quote,
    radicand_digits,
    short,
)
from verifier.expr.validate import Checker, from_sympy

_FLOAT_RE: Final = re.compile(r"(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\Z")
#: Every character the language uses, plus the ones whose rejection the parser
#: explains better (quotes, brackets, ':', ';').
_ALLOWED_CHARACTERS: Final = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    " \t\n\r+-*/^().,<>=!&|~_%@[]{}:;'\""
)


_OPERATOR_TEXT: Final[dict[type, str]] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Pow: "**",
    ast.Mod: "%",
    ast.FloorDiv: "//",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.And: "and",
    ast.Or: "or",
    ast.Not: "not",
    ast.Invert: "~",
    ast.UAdd: "+",
    ast.USub: "-",
}
_COMPARISONS: Final[dict[type, type[sympy.Basic]]] = {
    ast.Lt: sympy.Lt,
    ast.LtE: sympy.Le,
    ast.Gt: sympy.Gt,
    ast.GtE: sympy.Ge,
    ast.Eq: sympy.Eq,
    ast.NotEq: sympy.Ne,
}
#: operator families whose left-nested chains are flattened (depth counts once)
_FAMILY: Final[dict[type, int]] = {
    ast.Add: 1,
    ast.Sub: 1,
    ast.Mult: 2,
    ast.Div: 2,
    ast.BitAnd: 3,
    ast.BitOr: 4,
}
_SKIP_IN_COUNT: Final = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)
_NODE_NAMES: Final[dict[type, str]] = {
    ast.Subscript: "subscript '[...]'",
    ast.Slice: "slice",
    ast.Lambda: "lambda",
    ast.ListComp: "list comprehension",
    ast.SetComp: "set comprehension",
    ast.DictComp: "dict comprehension",
    ast.GeneratorExp: "generator expression",
    ast.List: "list display '[...]'",
    ast.Set: "set display '{...}'",
    ast.Dict: "dict display '{...}'",
    ast.Tuple: "tuple",
    ast.JoinedStr: "f-string",
    ast.FormattedValue: "f-string",
    ast.NamedExpr: "assignment expression ':='",
    ast.IfExp: "conditional expression 'a if c else b' (use Piecewise)",
    ast.Starred: "starred expression '*...'",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield from",
}


def _family(node: ast.AST) -> int | None:
    if isinstance(node, ast.BinOp):
        return _FAMILY.get(type(node.op))
    return None


def _chain(node: ast.BinOp) -> list[tuple[type, ast.expr]]:
    """Operands of the left-nested chain rooted at ``node`` with their operators.

    ``a - b + c`` gives ``[(Add, a), (Sub, b), (Add, c)]`` (the first operator
    is nominal).
    """
    family = _family(node)
    items: list[tuple[type, ast.expr]] = []
    cur: ast.expr = node
    while isinstance(cur, ast.BinOp) and _family(cur) == family:
        items.append((type(cur.op), cur.right))
        cur = cur.left
    items.append((type(node.op) if family in (3, 4) else _first_op(family), cur))
    items.reverse()
    return items


def _first_op(family: int | None) -> type:
    return ast.Mult if family == 2 else ast.Add


class _Parser:
    def __init__(self, text: str, label: str, variables: Mapping[str, sympy.Symbol]) -> None:
        self.original = text
        self.label = label
        self.variables = dict(variables)
        self.checker = Checker(self.variables.values(), limits=True, fail=self.fail)
        self.source = b""
        self.deadline = math.inf

    # -- errors ------------------------------------------------------------
    def fail(self, problem: str, hint: str | None = None) -> NoReturn:
        message = f"{problem} in {self.label} {quote(self.original)}"
        if hint:
            message += f" ({hint})"
        raise ExpressionError(WHITESPACE.sub(" ", message))

    def segment(self, node: ast.AST) -> str:
        try:
            raw = self.source[node.col_offset : node.end_col_offset]  # type: ignore[attr-defined]
            return raw.decode("utf-8", "replace")
        except (AttributeError, TypeError):
            return type(node).__name__

    # -- entry -------------------------------------------------------------
    def parse(self) -> sympy.Expr:
        text = self.original
        if len(text) > MAX_TEXT_LENGTH:
            self.fail(f"text of {len(text)} characters is too long (limit {MAX_TEXT_LENGTH})")
        self._check_characters(text)
        # one logical line; '^' means '**' (mathematical precedence)
        text = WHITESPACE.sub(" ", text).strip().replace("^", "**")
        if not text:
            self.fail("empty text")
        try:
            with warnings.catch_warnings():  # e.g. "invalid decimal literal"
                warnings.simplefilter("ignore")
                tree = ast.parse(text, mode="eval")
        except SyntaxError as exc:
            detail = WHITESPACE.sub(" ", str(exc.msg or "invalid syntax"))
            where = f" at column {exc.offset}" if exc.offset else ""
            self.fail(f"syntax error{where}: {short(detail, 100)}")
        except (MemoryError, RecursionError):
            self.fail("text is too deeply nested to parse")
        except ValueError as exc:  # e.g. null bytes
            self.fail(f"invalid text: {short(str(exc), 80)}")
        self.source = text.encode("utf-8")
        self._check_shape(tree)
        self.deadline = time.monotonic() + MAX_PARSE_SECONDS
        try:
            return self.canonical(self.value(tree.body))
        except ExpressionError:
            raise
        except RecursionError:
            self.fail("expression is too deeply nested")
        except Exception as exc:  # SymPy may raise anything
            self.fail(f"could not build the expression ({type(exc).__name__}: {short(str(exc))})")

    def _check_characters(self, text: str) -> None:
        """Refuse any character outside :data:`_ALLOWED_CHARACTERS` (module docstring)."""
        for column, ch in enumerate(text, start=1):
            if ch in _ALLOWED_CHARACTERS:
                continue
            if ch == "#":
                self.fail(f"'#' at column {column} is not allowed (no comments)")
            if ch == "\\":
                self.fail(f"backslash at column {column} is not allowed")
            if ch == "\x00":
                self.fail(f"null bytes are not allowed (column {column})")
            self.fail(f"character U+{ord(ch):04X} at column {column} is not allowed "
                      "(expressions are plain ASCII)")

    def canonical(self, result: sympy.Expr) -> sympy.Expr:
        """Rebuild ``result`` bottom-up until stable.

        SymPy's automatic evaluation is not always idempotent (e.g. it can leave
        ``3**(1/3)*sqrt(3)*3**(5/6)`` uncombined); rebuilding with the same
        checked operations gives the form that reading :func:`to_text` back
        reproduces.
        """
        for _ in range(3):
            rebuilt = self._rebuild(result, {})
            if rebuilt == result:
                break
            result = rebuilt
        return result

    def _rebuild(self, node: sympy.Basic, memo: dict[sympy.Basic, sympy.Basic]) -> sympy.Basic:
        if not node.args:
            return node
        done = memo.get(node)
        if done is not None:
            return done
        args = [self._rebuild(a, memo) for a in node.args]
        kind = type(node)
        result: sympy.Basic
        if kind is sympy.Add:
            result = self.finish(sympy.Add(*args))
        elif kind is sympy.Mul:
            self._check_radical_product(args)
            result = self.finish(sympy.Mul(*args))
        elif kind is sympy.Pow:
            result = self.power(args[0], args[1])
        elif kind is sympy.Min or kind is sympy.Max:
            result = self._minmax(kind, args)
        elif kind in GROWING_TYPES:
            if self.checker.is_constant(args[0]):
                self.checker.check_growing_argument(kind.__name__, args[0])
            result = self.finish(kind(*args))
        elif issubclass(kind, sympy.Expr) and kind is not EXPR_COND_PAIR:
            result = self.finish(kind(*args))
        else:  # conditions and (expression, condition) pairs
            result = kind(*args)
        memo[node] = result
        return result

    def _check_shape(self, tree: ast.Expression) -> None:
        """Node count and nesting depth, iteratively (the tree may be deep)."""
        count = 0
        stack: list[tuple[ast.AST, int]] = [(tree.body, 1)]
        while stack:
            node, depth = stack.pop()
            if isinstance(node, _SKIP_IN_COUNT):
                continue
            count += 1
            if count > MAX_NODES:
                self.fail(f"expression has more than {MAX_NODES} nodes")
            if depth > MAX_DEPTH:
                self.fail(f"expression is nested more than {MAX_DEPTH} levels deep")
            family = _family(node)
            for child in ast.iter_child_nodes(node):
                same_chain = (
                    family is not None
                    and child is getattr(node, "left", None)
                    and _family(child) == family
                )
                stack.append((child, depth if same_chain else depth + 1))

    # -- values ------------------------------------------------------------
    def value(self, node: ast.expr) -> sympy.Expr:
        if isinstance(node, ast.Constant):
            return self._constant(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.BinOp):
            return self._binop(node)
        if isinstance(node, ast.UnaryOp):
            return self._unary(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, (ast.Compare, ast.BoolOp)):
            op = node.ops[0] if isinstance(node, ast.Compare) else node.op
            self.fail(
                f"{'comparison' if isinstance(node, ast.Compare) else 'boolean operator'} "
                f"'{_OPERATOR_TEXT.get(type(op), '?')}' is only allowed in a Piecewise condition"
            )
        if isinstance(node, ast.Attribute):
            self.fail(f"attribute access '.{short(node.attr, 30)}' is not allowed")
        self.fail(f"{_NODE_NAMES.get(type(node), type(node).__name__)} is not allowed")

    def finish(self, value: sympy.Basic) -> sympy.Expr:
        if time.monotonic() > self.deadline:
            self.fail(f"expression is too expensive to evaluate (over {MAX_PARSE_SECONDS:g} s)")
        if not isinstance(value, sympy.Expr):
            self.fail(f"{quote(value)} is not an expression")
        return self.checker.finish(value)  # type: ignore[return-value]

    def _constant(self, node: ast.Constant) -> sympy.Expr:
        value = node.value
        if isinstance(value, bool):
            self.fail(f"boolean {value} is only allowed as a Piecewise condition")
        if isinstance(value, int):
            if value.bit_length() > 4 * MAX_LITERAL_DIGITS or len(str(value)) > MAX_LITERAL_DIGITS:
                self.fail(f"integer literal is too long (limit {MAX_LITERAL_DIGITS} digits)")
            return sympy.Integer(value)
        if isinstance(value, float):
            return self._decimal(node)
        kinds = {
            complex: "complex literal",
            str: "string literal",
            bytes: "bytes literal",
            type(None): "None",
            type(...): "Ellipsis",
        }
        kind = kinds.get(type(value), f"constant {type(value).__name__}")
        self.fail(f"{kind} {quote(self.segment(node), 30)} is not allowed")

    def _decimal(self, node: ast.Constant) -> sympy.Expr:
        text = self.segment(node).replace("_", "")
        match = _FLOAT_RE.match(text)
        if match is None:
            self.fail(f"cannot read decimal literal {quote(text, 30)}")
        whole, frac, expo = match.group(1), match.group(2) or "", match.group(3)
        if len(whole) + len(frac) > MAX_LITERAL_DIGITS:
            self.fail(f"decimal literal is too long (limit {MAX_LITERAL_DIGITS} digits)")
        exponent = 0
        if expo is not None:
            magnitude = expo.lstrip("+-").lstrip("0")
            if len(magnitude) > 6 or int(magnitude or "0") > MAX_LITERAL_EXPONENT:
                self.fail(
                    f"exponent of decimal literal {quote(text, 30)} is too large "
                    f"(|exponent| <= {MAX_LITERAL_EXPONENT})"
                )
            exponent = int(expo)
        mantissa = int(whole + frac or "0")
        scale = exponent - len(frac)
        if scale >= 0:
            return sympy.Integer(mantissa * 10**scale)
        return sympy.Rational(mantissa, 10**-scale)

    def _name(self, node: ast.Name) -> sympy.Expr:
        name = node.id
        if name in self.variables:
            return self.variables[name]
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name in FUNCTION_NAMES or name in CONDITION_FUNCTIONS:
            self.fail(f"function {name!r} must be called with arguments, e.g. {name}(x)")
        allowed = ", ".join([*self.variables, *CONSTANTS])
        self.fail(f"unknown name {quote(name, 40)}", f"allowed: {allowed}")

    def _unary(self, node: ast.UnaryOp) -> sympy.Expr:
        if isinstance(node.op, ast.USub):
            return self.finish(-self.value(node.operand))
        if isinstance(node.op, ast.UAdd):
            return self.value(node.operand)
        self.fail(f"'{_OPERATOR_TEXT[type(node.op)]}' is only allowed in a Piecewise condition")

    def _binop(self, node: ast.BinOp) -> sympy.Expr:
        op = type(node.op)
        if op in (ast.Add, ast.Sub):
            terms = []
            for kind, operand in _chain(node):
                term = self.value(operand)
                terms.append(-term if kind is ast.Sub else term)
            return self.finish(sympy.Add(*terms))
        if op in (ast.Mult, ast.Div):
            # "-a*b" is -(a*b), as printed by to_text; Python would read
            # (-a)*b, and SymPy distributes -a over a sum a.
            items = _chain(node)
            first_kind, first = items[0]
            negate = False
            while isinstance(first, ast.UnaryOp) and isinstance(first.op, (ast.USub, ast.UAdd)):
                negate ^= isinstance(first.op, ast.USub)
                first = first.operand
            items[0] = (first_kind, first)
            factors: list[sympy.Expr] = [sympy.S.NegativeOne] if negate else []
            for kind, operand in items:
                factor = self.value(operand)
                if kind is ast.Div:
                    if factor.is_zero:
                        self.fail(f"division by zero ({quote(self.segment(operand), 30)} is 0)")
                    factor = self.power(factor, sympy.S.NegativeOne)
                factors.append(factor)
            self._check_radical_product(factors)
            return self.finish(sympy.Mul(*factors))
        if op is ast.Pow:
            return self.power(self.value(node.left), self.value(node.right))
        symbol = _OPERATOR_TEXT.get(op, op.__name__)
        if op in (ast.BitAnd, ast.BitOr):
            self.fail(
                f"'{symbol}' is only allowed between Piecewise conditions",
                "parenthesize comparisons, e.g. (x > 0) & (x < 1)",
            )
        hint = "use '/'" if op is ast.FloorDiv else None
        self.fail(f"operator '{symbol}' is not allowed", hint)

    def power(self, base: sympy.Expr, expo: sympy.Expr) -> sympy.Expr:
        """``base**expo``, after checking that it cannot blow up."""
        checker = self.checker
        if checker.is_constant(expo):
            checker.check_exponent(expo)
            if expo.is_Rational:
                if base.is_Rational:
                    whole = abs(int(expo.p)) // int(expo.q)
                    size = whole * math.log10(max(abs(int(base.p)), int(base.q), 1))
                    if size > MAX_CONSTANT_DIGITS + 1:
                        self.fail(
                            f"power {quote(base, 20)}**{quote(expo, 20)} would have about "
                            f"{int(size)} digits (limit {MAX_CONSTANT_DIGITS})"
                        )
                if not expo.is_Integer:
                    coeff, rest = base.as_coeff_Mul()
                    for factor in (coeff, *sympy.Mul.make_args(rest)):
                        if factor.is_Rational:
                            checker.check_radicand(factor)
        return self.finish(sympy.Pow(base, expo))

    def _check_radical_product(self, factors: list[sympy.Expr]) -> None:
        """Reject products whose numeric radicals SymPy would merge into a huge root."""
        exponents: dict[sympy.Rational, sympy.Rational] = defaultdict(lambda: sympy.S.Zero)
        for factor in factors:
            for item in sympy.Mul.make_args(factor):
                if (
                    item.is_Pow
                    and item.base.is_Rational
                    and item.exp.is_Rational
                    and not item.exp.is_Integer
                ):
                    exponents[abs(item.base)] += abs(item.exp)
        sizes: dict[sympy.Rational, int] = defaultdict(int)
        for base, expo in exponents.items():
            sizes[expo] += radicand_digits(base)
        if sizes and max(sizes.values()) > MAX_RADICAND_DIGITS:
            self.fail(
                f"product of numeric roots would need a base of {max(sizes.values())} digits "
                f"(limit {MAX_RADICAND_DIGITS} digits)"
            )

    # -- calls -------------------------------------------------------------
    def _call_name(self, node: ast.Call) -> str:
        func = node.func
        if isinstance(func, ast.Attribute):
            self.fail(f"attribute access '.{short(func.attr, 30)}' is not allowed")
        if not isinstance(func, ast.Name):
            shown = quote(self.segment(func), 30)
            self.fail(f"calling {shown} is not allowed (only named functions)")
        name = func.id
        if node.keywords:
            arg = node.keywords[0].arg
            shown = f"'{short(arg, 30)}='" if arg else "'**'"
            self.fail(f"keyword argument {shown} in call to {quote(name, 30)} is not allowed")
        if any(isinstance(a, ast.Starred) for a in node.args):
            self.fail(f"starred argument '*...' in call to {quote(name, 30)} is not allowed")
        return name

    def _arity(self, name: str, node: ast.Call, low: int, high: int | None) -> None:
        n = len(node.args)
        if n < low or (high is not None and n > high):
            if high is None:
                expected = f"at least {low}"
            elif low == high:
                expected = str(low)
            else:
                expected = f"{low} to {high}"
            plural = "" if expected == "1" else "s"
            self.fail(f"{name}() takes {expected} argument{plural}, got {n}")

    def _call(self, node: ast.Call) -> sympy.Expr:
        name = self._call_name(node)
        if name in ONE_ARG:
            self._arity(name, node, 1, 1)
            return self.finish(ONE_ARG[name](self.value(node.args[0])))
        if name in GROWING:
            self._arity(name, node, 1, 1)
            arg = self.value(node.args[0])
            if self.checker.is_constant(arg):
                self.checker.check_growing_argument(name, arg)
            return self.finish(GROWING[name](arg))
        if name == "sqrt":
            self._arity(name, node, 1, 1)
            return self.power(self.value(node.args[0]), sympy.S.Half)
        if name == "Heaviside":
            self._arity(name, node, 1, 2)
            args = [self.value(a) for a in node.args]
            if len(args) == 2 and not self.checker.is_constant(args[1]):
                self.fail("the second argument of Heaviside (its value at 0) must be a constant")
            return self.finish(sympy.Heaviside(*args))
        if name in MINMAX:
            self._arity(name, node, 2, None)
            return self._minmax(MINMAX[name], [self.value(a) for a in node.args])
        if name == "Piecewise":
            return self._piecewise(node)
        if name in CONDITION_FUNCTIONS:
            self.fail(f"{name}() is only allowed in a Piecewise condition")
        if name in self.variables or name in CONSTANTS:
            self.fail(f"{name!r} is not a function")
        self.fail(
            f"unknown function {quote(name, 40)}",
            f"allowed: {', '.join(FUNCTION_NAMES)}",
        )

    def _minmax(self, cls: type[sympy.Expr], args: list[sympy.Expr]) -> sympy.Expr:
        flat: list[sympy.Expr] = []
        for arg in args:
            flat.extend(arg.args if type(arg) is cls else (arg,))
        constants = [a for a in flat if self.checker.is_constant(a)]
        others = [a for a in flat if not self.checker.is_constant(a)]
        merged: list[sympy.Expr] = []
        if constants:
            acc = constants[0]
            for c in constants[1:]:
                acc = cls(acc, c)  # numeric comparison, pairwise
            merged = list(acc.args) if type(acc) is cls else [acc]
        if not others:
            return self.finish(cls(*merged))
        # SymPy's symbolic simplification of Min/Max can take minutes: don't.
        return self.finish(cls(*others, *merged, evaluate=False))

    def _piecewise(self, node: ast.Call) -> sympy.Expr:
        if not node.args:
            self.fail("Piecewise() needs at least one (expression, condition) pair")
        pairs: list[tuple[sympy.Expr, sympy.Basic]] = []
        last = len(node.args) - 1
        for i, arg in enumerate(node.args):
            if not (isinstance(arg, ast.Tuple) and len(arg.elts) == 2):
                self.fail(
                    f"Piecewise argument {i + 1} must be a pair (expression, condition), "
                    f"got {quote(self.segment(arg), 30)}"
                )
            expr_node, cond_node = arg.elts
            if isinstance(cond_node, ast.Constant) and cond_node.value is True and i != last:
                self.fail("only the last Piecewise condition may be True")
            pairs.append((self.value(expr_node), self.condition(cond_node)))
        return self.finish(sympy.Piecewise(*pairs))

    # -- conditions --------------------------------------------------------
    def condition(self, node: ast.expr) -> sympy.Basic:
        if isinstance(node, ast.Constant) and isinstance(node.value, bool):
            return sympy.true if node.value else sympy.false
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.BoolOp):
            parts = [self.condition(v) for v in node.values]
            return sympy.And(*parts) if isinstance(node.op, ast.And) else sympy.Or(*parts)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.Invert)):
            return sympy.Not(self.condition(node.operand))
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.BitAnd, ast.BitOr)):
            parts = [self.condition(operand) for _, operand in _chain(node)]
            return sympy.And(*parts) if isinstance(node.op, ast.BitAnd) else sympy.Or(*parts)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            if name in CONDITION_FUNCTIONS:
                self._call_name(node)
                self._arity(name, node, 2, 2)
                lhs, rhs = (self.value(a) for a in node.args)
                return CONDITION_FUNCTIONS[name](lhs, rhs)
        self.fail(
            f"Piecewise condition must be a comparison such as x < 1 or True, "
            f"got {quote(self.segment(node), 30)}"
        )

    def _compare(self, node: ast.Compare) -> sympy.Basic:
        operands = [self.value(node.left)]
        parts = []
        for op, right in zip(node.ops, node.comparators, strict=True):
            relation = _COMPARISONS.get(type(op))
            if relation is None:
                self.fail(f"operator '{_OPERATOR_TEXT.get(type(op), '?')}' is not allowed")
            operands.append(self.value(right))
            parts.append(relation(operands[-2], operands[-1]))
        return parts[0] if len(parts) == 1 else sympy.And(*parts)


# --------------------------------------------------------------------------
# public API


def _label(what: str, suffix: str) -> str:
    what = short(str(what), 40)
    if not suffix or what.endswith(suffix):
        return what
    return f"{what} {suffix}"


def _check_variables(variables: Mapping[str, sympy.Symbol] | None) -> dict[str, sympy.Symbol]:
    if variables is None:
        return {"x": X}
    result: dict[str, sympy.Symbol] = {}
    for name, sym in dict(variables).items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ExpressionError(f"invalid variable name {quote(repr(name), 30)}")
        if name in CONSTANTS or name in FUNCTION_NAMES or name in CONDITION_FUNCTIONS:
            raise ExpressionError(f"variable name {name!r} clashes with a constant or function")
        if name in ("True", "False", "None"):
            raise ExpressionError(f"variable name {name!r} is reserved")
        if not isinstance(sym, sympy.Symbol):
            raise ExpressionError(f"variable {name!r} must be a SymPy Symbol")
        result[name] = sym
    return result


def _parse(text: object, label: str, variables: dict[str, sympy.Symbol]) -> sympy.Expr:
    if isinstance(text, str):
        return _Parser(text, label, variables).parse()
    if isinstance(text, bool):
        raise ExpressionError(f"{label} must not be a boolean (got {text})")
    if isinstance(text, numbers.Integral):
        return sympy.Integer(int(text))
    if isinstance(text, float):
        if not math.isfinite(text):
            raise ExpressionError(f"value is not finite in {label} {text!r}")
        return exact_rational_of_float(text)
    if isinstance(text, Fraction):
        return sympy.Rational(text.numerator, text.denominator)
    if isinstance(text, sympy.Basic):
        return from_sympy(text, label, variables)
    raise ExpressionError(
        f"{label} must be a string or a SymPy expression, got {type(text).__name__}"
    )



def parse_expression(
    text: str | sympy.Expr | int | float,
    *,
    what: str = "expression",
    variables: dict[str, sympy.Symbol] | None = None,
) -> sympy.Expr:
    """Parse untrusted ``text`` (or check a SymPy expression) into a SymPy expression.

    ``what`` names the thing in error messages ("target", "density", ...);
    ``variables`` maps the allowed variable names to symbols (default
    ``{"x": X}``). Raises :class:`ExpressionError` (one-line message) on
    anything outside the language described in the module docstring.
    """
    label = _label(what, "expression")
    return _parse(text, label, _check_variables(variables))


def parse_number(text: str | int | float | sympy.Expr, *, what: str = "number") -> sympy.Expr:
    """Parse an exact real constant: ``"1/3"``, ``"0.25"``, ``"-pi/2"``, ``"sqrt(2)"``, 3.

    The result has no free symbols and is provably (to SymPy's assumption
    system) real and finite; anything else raises :class:`ExpressionError`.
    """
    label = _label(what, "")
    value = _parse(text, label, {})
    shown = quote(text if isinstance(text, str) else value)
    if value.free_symbols:
        names = ", ".join(sorted(s.name for s in value.free_symbols))
        raise ExpressionError(f"{label} {shown} must be a constant (contains {names})")
    try:
        real, finite = value.is_extended_real, value.is_finite
    except Exception as exc:
        raise ExpressionError(f"cannot evaluate {label} {shown} ({type(exc).__name__})") from None
    if real is False:
        raise ExpressionError(f"{label} {shown} is not real")
    if finite is False:
        raise ExpressionError(f"{label} {shown} is not finite")
    if real is None or finite is None:
        raise ExpressionError(f"cannot decide whether {label} {shown} is a finite real number")
    return value
