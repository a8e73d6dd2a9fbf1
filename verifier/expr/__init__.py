"""Expressions: untrusted text -> exact SymPy expressions, and back to canonical text.

Targets, densities and domain ends arrive as text typed on the command line or
read from certificate files. This module turns such text into SymPy objects
*without* ever handing it to ``eval``, ``exec``, ``compile``, ``sympify`` or
``parse_expr``: the text is parsed with :func:`ast.parse` (``mode="eval"``) and
the syntax tree is walked node by node, building SymPy objects; every node type
that is not explicitly allowed below raises :class:`ExpressionError`.

Accepted language
-----------------
* **Names**: the variables (default only ``x``, bound to :data:`X`, a real
  symbol), ``pi``, and ``E`` / ``e`` (both Euler's number).
* **Numbers**: integer literals (exact ``Integer``) and decimal literals, which
  are read *exactly* from their source text (``0.1`` is ``1/10``, ``1e-3`` is
  ``1/1000``), never through a binary float.
* **Operators**: ``+ - * /``, unary ``+``/``-``, ``**`` and ``^`` (a synonym of
  ``**``, with the *mathematical* precedence: ``2*x^2+1`` is ``2*x**2 + 1``).
  A leading minus negates the whole product: ``-(x+1)*(x+2)`` is
  ``-((x+1)*(x+2))``, not ``(-x-1)*(x+2)``. Line breaks and tabs count as
  spaces.
* **Functions** (positional arguments only, arity checked): ``sin cos tan exp
  log`` (alias ``ln``) ``sqrt atan asin acos sinh cosh tanh erf Abs`` (alias
  ``abs``) ``sign`` and ``Heaviside`` (1 argument; ``Heaviside`` also takes
  SymPy's optional constant second argument, the value at 0), ``Min`` / ``Max``
  (aliases ``min`` / ``max``, at least 2 arguments) and ``Piecewise`` whose
  arguments are pairs ``(expression, condition)``; only the last condition may
  be the literal ``True``.
* **Conditions** (only inside ``Piecewise``): comparisons ``< <= > >= == !=``
  (chained ``0 < x < 1`` allowed; ``==``/``!=`` become ``Eq``/``Ne``, which may
  also be written as calls), combined with ``and``/``&``, ``or``/``|``,
  ``not``/``~``, and the literals ``True``/``False``.
* **Characters**: printable ASCII, spaces, tabs and line breaks only. ``#`` (a
  Python comment would silently drop the rest of the text), ``\\`` (a line
  continuation) and every other character -- including Unicode look-alikes such
  as the fullwidth ``ｘ``, which Python's own parser would normalise to ``x`` --
  are refused before anything is parsed.

Everything else -- attribute access, subscripts, strings, bytes, complex
literals, booleans outside conditions, lambdas, comprehensions, keyword or
starred arguments, unknown names such as ``__import__`` or ``os`` -- is
rejected, and so is any result that is not finite (``1/0``, ``log(0)``) or a
constant that is not real (``sqrt(-1)``, ``log(-2)``, ``asin(2)``).

Resource limits (the text is untrusted): at most 10 000 characters, 5 000
syntax nodes and nesting depth 60 (a chain ``a + b - c + ...`` or ``a*b/c``
counts as one level); integer literals of at most 400 digits, decimal literals
of at most 400 digits with exponent ``|e| <= 400``; a constant exponent must
satisfy ``|b| <= 1000`` and is checked *before* the power is built, so
``2**10**100`` or ``(x+1)**100000`` are rejected at once; exact rational
constants arising anywhere are limited to 1 000 digits, bases of numeric
radicals (``n**(p/q)``, which SymPy factorises) to 100 digits, and the constant
argument of ``exp``/``sinh``/``cosh`` to ``|a| <= 10 000`` (so that no tower
like ``exp(exp(exp(100)))`` ever reaches a numerical comparison). As a last
safety net a parse is abandoned after :data:`MAX_PARSE_SECONDS` (SymPy's
automatic evaluation costs milliseconds per node; only adversarial text gets
near it). Constants SymPy cannot simplify are not caught here:
``1/(log(8) - 3*log(2))`` parses as an expression (:func:`parse_number`
rejects it because finiteness cannot be decided).

SymPy objects may be passed instead of text: they are checked structurally
(free symbols among the variables, only the whitelisted function classes,
finite, no non-real constants) and SymPy ``Float`` atoms, like Python floats,
are replaced by their *exact* binary value. SymPy's automatic evaluation may
introduce ``cot``/``sec``/``csc``/``coth``/``sech``/``csch`` (e.g.
``tan(pi/2 - x)`` is ``cot(x)``); these are rewritten as reciprocals of the
whitelisted functions. ``Min``/``Max`` with non-constant arguments are built
unevaluated (flattened, duplicates and constant arguments merged): SymPy's
symbolic simplification of them can take minutes.

Parsed text is returned in a canonical form (rebuilt bottom-up until SymPy's
automatic evaluation is stable), so that :func:`to_text` prints it in a way
:func:`parse_expression` reads back to an *equal* expression; large integers
are printed in a nested ``(c*10**300 + d)`` form that respects the literal
limits.

The package: :mod:`~verifier.expr.language` (the error, the variable, the limits, the
whitelist), :mod:`~verifier.expr.parser` (text to SymPy), :mod:`~verifier.expr.validate`
(SymPy trees against the whitelist), :mod:`~verifier.expr.printer` (canonical text) and
:mod:`~verifier.expr.values` (numbers and constants as balls: initial values).
"""

from verifier.expr.language import (
    MAX_CONSTANT_DIGITS,
    MAX_DEPTH,
    MAX_EXP_ARGUMENT,
    MAX_LITERAL_DIGITS,
    MAX_LITERAL_EXPONENT,
    MAX_NODES,
    MAX_PARSE_SECONDS,
    MAX_POWER_EXPONENT,
    MAX_RADICAND_DIGITS,
    MAX_TEXT_LENGTH,
    ExpressionError,
    X,
)
from verifier.expr.parser import parse_expression, parse_number
from verifier.expr.printer import to_text

__all__ = [
    "ExpressionError",
    "X",
    "parse_expression",
    "parse_number",
    "to_text",
    "MAX_TEXT_LENGTH",
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_LITERAL_DIGITS",
    "MAX_LITERAL_EXPONENT",
    "MAX_POWER_EXPONENT",
    "MAX_CONSTANT_DIGITS",
    "MAX_RADICAND_DIGITS",
    "MAX_EXP_ARGUMENT",
    "MAX_PARSE_SECONDS",
]
