"""Exact, file-safe encodings of balls.

A ball ``[m +/- r]`` is stored as two dyadic numbers, ``m = M 2^E`` and
``r = R 2^F``, with the integers as decimal strings (JSON numbers would pass
through binary floats in many readers). :func:`decode_ball` returns a ball
that *contains* the encoded one (Arb's radius type may round the radius up by
one unit in its 30th bit; it never rounds it down), so a decoded enclosure is
still an enclosure. :func:`decimal_bounds` gives outward-rounded decimal
strings ``[lo, hi]`` for people and scripts (:func:`verifier.arith.numbers.round_text`).

Files are untrusted: the decoder checks types and sizes before any arithmetic
and raises :class:`EncodingError` (a :class:`~verifier.arith.numbers.NumberError`) with
one line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from flint import arb

from verifier.arith.numbers import NumberError, exact_value, round_text

MAX_MANTISSA_DIGITS = 25_000  # > 65536 bits, the largest precision offered
MAX_EXPONENT = 10**7

_INT = re.compile(rf"-?[0-9]{{1,{MAX_MANTISSA_DIGITS}}}\Z")


class EncodingError(NumberError):
    """A malformed or out-of-range encoded ball."""


def encode_dyadic(x: arb) -> list:
    """``[M, E]`` (``M`` a decimal string) for the exact number ``x = M 2^E``."""
    m, e = x.man_exp()
    return [str(int(m)), int(e)]


def encode_ball(x: arb) -> dict:
    """``{"mid": [M, E], "rad": [R, F]}`` (M, R decimal strings) for a finite ball."""
    if not x.is_finite():
        raise EncodingError(f"cannot encode a non-finite ball {x}")
    return {"mid": encode_dyadic(x.mid()), "rad": encode_dyadic(x.rad())}


def _parse_dyadic(v, what: str) -> arb:
    if not (isinstance(v, list) and len(v) == 2):
        raise EncodingError(f"{what}: expected [mantissa, exponent]")
    return parse_dyadic(v[0], v[1], what)


def parse_dyadic(man, exp, what: str) -> arb:
    """The exact number ``man 2^exp`` (``man`` a decimal integer string, ``|exp| <=``
    :data:`MAX_EXPONENT`); raises :class:`EncodingError` with one line."""
    if not isinstance(man, str) or not _INT.match(man):
        raise EncodingError(f"{what}: mantissa must be a decimal integer string")
    if isinstance(exp, bool) or not isinstance(exp, int) or abs(exp) > MAX_EXPONENT:
        raise EncodingError(f"{what}: exponent must be an integer with |e| <= {MAX_EXPONENT}")
    return arb((int(man), exp))


def decode_ball(d) -> arb:
    """The ball encoded by :func:`encode_ball` (possibly with a radius rounded up)."""
    if not isinstance(d, dict) or set(d) != {"mid", "rad"}:
        raise EncodingError("a ball must be an object with exactly the keys mid, rad")
    mid = _parse_dyadic(d["mid"], "mid")
    rad = _parse_dyadic(d["rad"], "rad")
    if rad < 0:
        raise EncodingError("negative radius")
    return arb(mid, rad)


def encode_vector(xs: Sequence[arb]) -> list[dict]:
    return [encode_ball(x) for x in xs]


def decode_vector(v, n: int | None = None, what: str = "vector") -> list[arb]:
    if not isinstance(v, list) or (n is not None and len(v) != n):
        want = "a list" if n is None else f"a list of {n} balls"
        raise EncodingError(f"{what}: expected {want}")
    return [decode_ball(d) for d in v]


def decimal_bounds(x: arb, digits: int = 17) -> list[str]:
    """``[lo, hi]`` as decimal strings with ``lo <= every point of x <= hi``."""
    if not x.is_finite():
        raise EncodingError(f"cannot write bounds of a non-finite ball {x}")
    return [round_text(exact_value(x.lower()), digits, up=False),
            round_text(exact_value(x.upper()), digits, up=True)]


def encode_matrix(M) -> list[list[dict]]:
    """Rows of encoded balls of a ``flint.arb_mat``."""
    return [[encode_ball(M[i, j]) for j in range(M.ncols())] for i in range(M.nrows())]


def decode_matrix(v, n: int, what: str = "matrix"):
    """The ``n x n`` ``flint.arb_mat`` encoded by :func:`encode_matrix`."""
    from flint import arb_mat

    if not isinstance(v, list) or len(v) != n:
        raise EncodingError(f"{what}: expected {n} rows")
    return arb_mat([decode_vector(row, n, what) for row in v])


def canonical(x: arb) -> arb:
    """The ball a reader of the file gets for ``x``: ``decode_ball(encode_ball(x))``.

    It contains ``x`` (Arb may round a decoded radius up). A writer that wants a
    reader to recompute *exactly* what it computed stores ``encode_ball(x)`` and
    itself continues with ``canonical(x)``: decoding is deterministic, so both sides
    then work with the same ball. Non-finite balls are returned unchanged (they are
    never stored: no step with a non-finite witness is accepted).
    """
    if not x.is_finite():
        return x
    return decode_ball(encode_ball(x))


def canonical_vector(xs: Sequence[arb]) -> list[arb]:
    return [canonical(x) for x in xs]


def canonical_matrix(M):
    from flint import arb_mat

    return arb_mat([[canonical(M[i, j]) for j in range(M.ncols())] for i in range(M.nrows())])
