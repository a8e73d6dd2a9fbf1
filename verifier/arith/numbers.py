"""Exact numbers: one parser, one set of limits, one printer family, one error class.

Horizons, initial values, region ends, the times and bounds of a certificate and the
constants of a trapping or region argument are exact rationals written as decimal or
fraction text (``"20"``, ``"-0.25"``, ``"1e-3"``, ``"3/7"``). Everything in the package
that reads or writes such a number goes through this module.

**Reading** (:func:`parse_rational`). The text is matched against a pattern *before* any
arithmetic (at most :data:`MAX_CHARS` characters, a decimal exponent of at most
:data:`MAX_EXPONENT` in magnitude), so ``"1e999999999"`` costs nothing and ``"nan"``,
``"inf"``, ``"0x10"`` or ``"1_000"`` are refused. Two grammars, one a subset of the other:

* what people type (the API and the command line): ``[+-]digits[.digits][e[+-]digits][/digits]``
  with ``.5`` and ``5.`` allowed; and what people hold (:func:`exact_number`): ``int``,
  :class:`~fractions.Fraction`, any rational of the ``numbers`` tower (NumPy integers,
  SymPy ``Rational``), a finite float or NumPy float **by its exact binary value**
  (``0.1`` is ``3602879701896397/36028797018963968``; give ``"0.1"`` for one tenth), a
  0-d NumPy array by its element, an exact ``arb`` or ``fmpq``;
* what files hold (``strict=True``; the checker and every reader of a file): a string of
  the form :data:`FILE_TEXT` only, ``-digits[.digits][e[+-]digits][/digits]``: exactly the
  forms the printers below write.

Quantities with a range of their own: :func:`parse_horizon` (``0 < T <=``
:data:`MAX_HORIZON`), :func:`parse_coordinate` (``|x| <=`` :data:`MAX_COORDINATE`, an
initial value or a region end) and :func:`parse_constant` (``|x| <`` :data:`MAX_CONSTANT`,
a number of a trapping or region argument).

**Writing.** :func:`fraction_text` (``"p/q"``, the form of a certificate's times),
:func:`decimal_text` (a plain decimal when the denominator is ``2^a 5^b``, else ``"p/q"``;
sweeps and trapping boxes), :func:`round_text` (outward rounding to significant digits,
the bounds of a certificate), and the directed roundings :func:`round_decimal`,
:func:`round_significant` with which searches propose short decimals.

**Balls.** :func:`ball` and :func:`hull` enclose rationals in ``flint.arb`` balls (exactly
when dyadic); :func:`exact_value` is the rational value of an exact ball.

Every failure is a :class:`NumberError` (a ``ValueError``) with one line.
"""

from __future__ import annotations

import math
import numbers
import re
from fractions import Fraction
from typing import Any

from flint import arb, fmpq

#: Longest number text.
MAX_CHARS = 400
#: Largest decimal exponent ``|e|`` in ``...e<e>``.
MAX_EXPONENT = 1000
#: Largest horizon.
MAX_HORIZON = 10**6
#: Largest magnitude of an initial value or region end.
MAX_COORDINATE = 10**12
#: The constants of a trapping or region argument are below this in magnitude.
MAX_CONSTANT = 10**100

#: The form in which files store exact numbers (and every reader of a file reads them).
FILE_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?(/[0-9]+)?\Z")
_TEXT = re.compile(
    r"([-+]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE]([-+]?[0-9]+))?(?:/([0-9]+))?\Z")


class NumberError(ValueError):
    """Text that is not an acceptable exact number (one line)."""


def show(value: Any, limit: int = 40) -> str:
    """``value`` quoted on one line, at most ``limit`` characters (for messages)."""
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


# -- reading ---------------------------------------------------------------------------
def is_rational_text(text: Any) -> bool:
    """Whether ``text`` is written as a decimal or fraction (whatever its size)."""
    return isinstance(text, str) and _TEXT.match(text.strip()) is not None


def exact_number(value: Any, what: str = "number") -> Fraction:
    """The exact rational value of a number object people hold (module docstring): ints,
    fractions and other rationals as they are, floats (also NumPy's, of any width) by their
    exact binary value, 0-d arrays by their element, ``arb`` only when exact (radius 0).
    Text is :func:`parse_rational`'s; ``bool`` and anything else is refused."""
    if getattr(value, "shape", None) == () and hasattr(value, "item"):
        value = value.item() if not hasattr(value, "as_integer_ratio") else value
    if isinstance(value, bool):
        raise NumberError(f"{what}: not a number: {show(value)}")
    if isinstance(value, numbers.Rational):
        return Fraction(int(value.numerator), int(value.denominator))
    if isinstance(value, fmpq):
        return Fraction(int(value.p), int(value.q))
    if isinstance(value, arb):
        if not (value.is_finite() and value.rad() == 0):
            raise NumberError(f"{what}: the ball {show(value)} is not an exact number")
        if abs(int(value.mid().man_exp()[1])) > 4 * MAX_EXPONENT:
            raise NumberError(f"{what}: the exponent of {show(value)} is beyond the limits")
        return exact_value(value)
    if isinstance(value, numbers.Real) and hasattr(value, "as_integer_ratio"):
        try:
            p, q = value.as_integer_ratio()
        except (OverflowError, ValueError):
            raise NumberError(f"{what} is not finite: {show(value)}") from None
        return Fraction(int(p), int(q))
    raise NumberError(f"{what}: not a number: {show(value)}")


def unpack_array(value: Any) -> Any:
    """A NumPy array of at least one dimension as (nested) lists of its scalars, so that a
    point is a list of numbers and the ``(lo, hi)`` rows of a box are pairs; anything else
    as it is (a 0-d array is a number: :func:`exact_number`)."""
    if getattr(value, "ndim", 0) >= 1 and hasattr(value, "tolist"):
        return list(value) if value.ndim == 1 else [unpack_array(row) for row in value]
    return value


def parse_rational(value: Any, what: str = "number", *, strict: bool = False) -> Fraction:
    """An exact rational from decimal or fraction text (module docstring); with
    ``strict`` only a string in the file form :data:`FILE_TEXT`, else also a number object
    (:func:`exact_number`: a float is its exact binary value)."""
    if strict:
        if not isinstance(value, str) or len(value) > MAX_CHARS or not FILE_TEXT.match(value):
            raise NumberError(f"{what}: not an exact decimal or fraction string "
                              f"(-12.5e-3, 3/7): {show(value)}")
    elif not isinstance(value, str):
        return exact_number(value, what)
    text = value.strip()
    if len(text) > MAX_CHARS:
        raise NumberError(f"{what}: a number of more than {MAX_CHARS} characters")
    m = _TEXT.match(text)
    if m is None:
        raise NumberError(f"{what}: not an exact decimal or fraction: {show(value)}")
    sign, mantissa, exponent, denominator = m.groups()
    if exponent is not None and abs(int(exponent)) > MAX_EXPONENT:
        raise NumberError(f"{what}: the exponent of {show(value)} is beyond "
                          f"+-{MAX_EXPONENT}")
    if denominator is not None and int(denominator) == 0:
        raise NumberError(f"{what}: division by zero in {show(value)}")
    q = Fraction(mantissa) * Fraction(10) ** int(exponent or 0)
    if denominator is not None:
        q /= int(denominator)
    return -q if sign == "-" else q


def coordinate_or_none(text: Any, what: str = "range end") -> Fraction | None:
    """The value of decimal or fraction text (:func:`parse_coordinate`), or None for any
    other text (a real constant such as ``"-pi"``, read by the expression parser)."""
    return parse_coordinate(text, what) if is_rational_text(text) else None


def parse_horizon(value: Any, *, strict: bool = False) -> Fraction:
    """The horizon ``T``: exact, ``0 < T <= MAX_HORIZON``."""
    T = parse_rational(value, "horizon", strict=strict)
    if not T > 0:
        raise NumberError(f"horizon must be positive, got {show(value)}")
    if T > MAX_HORIZON:
        raise NumberError(f"horizon must be at most {MAX_HORIZON}, got {show(value)}")
    return T


def parse_coordinate(value: Any, what: str = "coordinate", *, strict: bool = False
                     ) -> Fraction:
    """An initial value or region end: exact, ``|x| <= MAX_COORDINATE``."""
    q = parse_rational(value, what, strict=strict)
    if abs(q) > MAX_COORDINATE:
        raise NumberError(f"{what}: {show(value)} is beyond +-{MAX_COORDINATE}")
    return q


def parse_constant(value: Any, what: str = "number") -> Fraction:
    """A number of a trapping or region argument as a file states it (strict form),
    ``|x| < MAX_CONSTANT``."""
    q = parse_rational(value, what, strict=True)
    if abs(q) >= MAX_CONSTANT:
        raise NumberError(f"{what}: magnitude {show(value)} is absurd (must be below 1e100)")
    return q


# -- writing -----------------------------------------------------------------------------
def fraction_text(q: Fraction) -> str:
    """``"p/q"`` (or ``"p"``): the exact text of a rational in lowest terms."""
    return str(Fraction(q))


def decimal_text(q: Fraction) -> str:
    """The exact text of a rational: a plain decimal when the denominator is
    ``2^a 5^b`` (``"-3.1416"``, ``"0.0625"``), else ``"p/q"``."""
    q = Fraction(q)
    d = q.denominator
    a = b = 0
    while d % 2 == 0:
        d //= 2
        a += 1
    while d % 5 == 0:
        d //= 5
        b += 1
    if d != 1:
        return f"{q.numerator}/{q.denominator}"
    places = max(a, b)
    if places == 0:
        return str(q.numerator)
    n = q.numerator * 10**places // q.denominator  # exact
    sign = "-" if n < 0 else ""
    digits = str(abs(n)).rjust(places + 1, "0")
    head, tail = digits[:-places], digits[-places:].rstrip("0")
    return sign + head + ("." + tail if tail else "")


def exact_text(value: Any, what: str = "number") -> str:
    """The exact text of one initial value, as a certificate stores it: decimal or
    fraction text as given when it is in the file form ``-12.5e-3``, ``3/7`` (else
    :func:`decimal_text` of its value); a number object by its exact value
    (:func:`exact_number`: a float is its exact binary value, a terminating decimal)."""
    if not isinstance(value, str):
        return decimal_text(parse_coordinate(exact_number(value, what), what))
    text = value.strip()
    q = parse_coordinate(text, what)
    return text if FILE_TEXT.match(text) else decimal_text(q)


def time_text(q: Fraction, digits: int = 6) -> str:
    """A time for people to read: its exact decimal when that is short (``"20"``,
    ``"10.5"``), else a decimal of ``digits`` significant digits rounded **down**
    (``768427791642317777/72057594037927936`` is ``"10.664"``), so that a statement "the
    bounds hold for ``0 <= t <= time_text(t_r)``" stays true. Files keep the exact text."""
    exact = decimal_text(q)
    return exact if len(exact) <= 12 else round_text(Fraction(q), digits, up=False)


def round_text(q: Fraction, digits: int, up: bool) -> str:
    """A decimal string ``s`` with ``s <= q`` (``up=False``) or ``s >= q``, keeping
    ``digits`` significant digits (scientific notation beyond ``10^+-12``; still exact)."""
    if q == 0:
        return "0"
    k = len(str(abs(q.numerator) // q.denominator)) - 1 if abs(q) >= 1 else -len(
        str(q.denominator // abs(q.numerator))
    )
    shift = digits - 1 - k  # keep `digits` significant digits
    scaled = q * Fraction(10) ** shift
    n = math.ceil(scaled) if up else math.floor(scaled)
    sign = "-" if n < 0 else ""
    text = str(abs(n))
    exp10 = len(text) - 1 - shift
    if abs(exp10) > 12:
        mant = text.rstrip("0") or "0"
        frac = mant[1:]
        return f"{sign}{mant[0]}{'.' + frac if frac else ''}e{exp10}"
    if shift <= 0:
        return sign + text + "0" * (-shift)
    if len(text) <= shift:
        text = "0" * (shift - len(text) + 1) + text
    head, tail = text[:-shift], text[-shift:].rstrip("0")
    return sign + head + ("." + tail if tail else "")


def round_decimal(x: Fraction | float, step_exp: int, up: bool) -> Fraction:
    """``x`` rounded down/up to a multiple of ``10**step_exp`` (an exact decimal)."""
    q = Fraction(x)
    step = Fraction(10) ** step_exp
    k = q / step
    n = math.ceil(k) if up else math.floor(k)
    return n * step


def decimal_exponent(x: float) -> int:
    """``floor(log10(x))`` for a positive finite float, else 0 (floats propose)."""
    return math.floor(math.log10(x)) if x > 0 and math.isfinite(x) else 0


def round_significant(x: Fraction, digits: int, up: bool) -> Fraction:
    """``x`` rounded outward (up or down) to about ``digits`` significant decimal digits
    (the exponent is a float's: the rounding direction is exact, the digit count may be
    one off)."""
    if x == 0:
        return Fraction(0)
    return round_decimal(x, decimal_exponent(abs(float(x))) - digits + 1, up)


# -- balls ---------------------------------------------------------------------------------
def ball(q: Fraction | int) -> arb:
    """A ball containing the rational ``q`` (exact when ``q`` is dyadic; current
    precision)."""
    q = Fraction(q)
    return arb(fmpq(q.numerator, q.denominator))


def hull(lo: Fraction, hi: Fraction) -> arb:
    """A ball containing ``[lo, hi]`` (exact ends rounded outward)."""
    a, b = ball(lo).lower(), ball(hi).upper()
    return a if a == b else arb.union(a, b)


def exact_value(x: arb) -> Fraction:
    """The rational value of an exact (radius 0), finite ball."""
    if not x.is_finite() or x.rad() != 0:
        raise NumberError(f"not an exact finite number: {x}")
    m, e = x.man_exp()
    return Fraction(int(m)) * Fraction(2) ** int(e)
