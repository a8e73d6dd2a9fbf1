"""Exact numbers typed by people or read from files: one parser, one set of limits.

Horizons, initial values, region ends, leaf sizes and the numbers of a certificate are
exact rationals written as decimal or fraction text (``"20"``, ``"-0.25"``, ``"1e-3"``,
``"3/7"``). :func:`parse_rational` reads them without ever going through a binary float:
the text is matched against a pattern *before* any arithmetic (at most
:data:`MAX_CHARS` characters, a decimal exponent of at most :data:`MAX_EXPONENT` in
magnitude), so ``"1e999999999"`` costs nothing and ``"nan"``, ``"inf"``, ``"0x10"`` or
``"1_000"`` are refused. Python ``int`` and :class:`~fractions.Fraction` are taken as
they are; ``float`` is refused (give the decimal you mean; :func:`exact_text` accepts a
float for the API's convenience, by its shortest decimal ``repr``).

Quantities with a range of their own: :func:`parse_horizon` (``0 < T <=``
:data:`MAX_HORIZON`) and :func:`parse_coordinate` (``|x| <=`` :data:`MAX_COORDINATE`, an
initial value or a region end). :func:`parse_initial` builds the initial balls of an
integration. Every failure is a :class:`NumberError` (a ``ValueError``) with one line.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
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

#: The form in which files store exact numbers (and the checker reads them).
STRICT_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]{1,4})?(/[0-9]+)?\Z")
_RATIONAL_TEXT = re.compile(
    r"([-+]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE]([-+]?[0-9]+))?(?:/([0-9]+))?\Z")


class NumberError(ValueError):
    """Text that is not an acceptable exact number (one line)."""


def _show(value: Any, limit: int = 40) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def is_rational_text(text: Any) -> bool:
    """Whether ``text`` is written as a decimal or fraction (whatever its size)."""
    return isinstance(text, str) and _RATIONAL_TEXT.match(text.strip()) is not None


def parse_rational(value: Any, what: str = "number") -> Fraction:
    """An exact rational from an ``int``, a ``Fraction`` or decimal / fraction text."""
    if isinstance(value, bool) or isinstance(value, float):
        raise NumberError(f"{what}: give an exact decimal or fraction, not {_show(value)}")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, Fraction):
        return value
    if not isinstance(value, str):
        raise NumberError(f"{what}: not a number: {_show(value)}")
    text = value.strip()
    if len(text) > MAX_CHARS:
        raise NumberError(f"{what}: a number of more than {MAX_CHARS} characters")
    m = _RATIONAL_TEXT.match(text)
    if m is None:
        raise NumberError(f"{what}: not an exact decimal or fraction: {_show(value)}")
    sign, mantissa, exponent, denominator = m.groups()
    if exponent is not None and abs(int(exponent)) > MAX_EXPONENT:
        raise NumberError(f"{what}: the exponent of {_show(value)} is beyond "
                          f"+-{MAX_EXPONENT}")
    if denominator is not None and int(denominator) == 0:
        raise NumberError(f"{what}: division by zero in {_show(value)}")
    q = Fraction(mantissa) * Fraction(10) ** int(exponent or 0)
    if denominator is not None:
        q /= int(denominator)
    return -q if sign == "-" else q


def parse_horizon(value: Any) -> Fraction:
    """The horizon ``T``: exact, ``0 < T <= MAX_HORIZON``."""
    T = parse_rational(value, "horizon")
    if not T > 0:
        raise NumberError(f"horizon must be positive, got {_show(value)}")
    if T > MAX_HORIZON:
        raise NumberError(f"horizon must be at most {MAX_HORIZON}, got {_show(value)}")
    return T


def parse_coordinate(value: Any, what: str = "coordinate") -> Fraction:
    """An initial value or region end: exact, ``|x| <= MAX_COORDINATE``."""
    q = parse_rational(value, what)
    if abs(q) > MAX_COORDINATE:
        raise NumberError(f"{what}: {_show(value)} is beyond +-{MAX_COORDINATE}")
    return q


def rational_text(q: Fraction) -> str:
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
    fraction text as given when it is in the strict form ``-12.5e-3``, ``3/7`` (else
    :func:`rational_text` of its value); an ``int`` or ``Fraction`` printed exactly; a
    finite float by its shortest ``repr`` (the decimal a person typed); a NumPy scalar as
    its Python value."""
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NumberError(f"{what} is not finite: {value!r}")
        value = repr(value)
    if isinstance(value, Fraction):
        text = str(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise NumberError(f"{what}: give numbers or exact decimal strings, got {_show(value)}")
    q = parse_coordinate(text, what)
    return text if STRICT_TEXT.match(text) else rational_text(q)


def _number_ball(value: Any, what: str) -> arb:
    """A ball for one initial number: decimal and fraction text exactly (a tight ball at
    the working precision), floats at their exact binary value, constants such as ``pi``
    by the expression parser, balls as they are."""
    from verifier.arith.balls import as_ball

    if hasattr(value, "item") and not isinstance(value, arb):
        value = value.item()
    if isinstance(value, str) and is_rational_text(value):
        q = parse_coordinate(value, what)
        return arb(fmpq(q.numerator, q.denominator))
    if isinstance(value, float) and not math.isfinite(value):
        raise NumberError(f"{what} is not finite: {value!r}")
    if isinstance(value, int | Fraction) and not isinstance(value, bool):
        parse_coordinate(value, what)
    return as_ball(value)


def parse_initial(initial: Any, names: Sequence[str]) -> list[arb]:
    """Balls for a point (numbers, exact decimal strings, constants, balls) or a box (a
    ``(lo, hi)`` pair per coordinate), in the state order ``names``."""
    if isinstance(initial, str):
        initial = initial.split(",")
    try:
        entries = list(initial)
    except TypeError:
        raise NumberError(f"initial value must be a sequence, got {_show(initial)}") from None
    if len(entries) != len(names):
        raise NumberError(f"initial value needs {len(names)} coordinates ({', '.join(names)}), "
                          f"got {len(entries)}")
    out = []
    for name, e in zip(names, entries):
        what = f"initial {name}"
        if isinstance(e, tuple | list) and len(e) == 2:
            lo, hi = _number_ball(e[0], what), _number_ball(e[1], what)
            if not lo.lower() <= hi.upper():
                raise NumberError(f"{what}: empty interval [{e[0]}, {e[1]}]")
            b = arb.union(lo.lower(), hi.upper())
        else:
            b = _number_ball(e, what)
        if not b.is_finite():
            raise NumberError(f"{what} is not finite: {_show(e)}")
        out.append(b)
    return out
