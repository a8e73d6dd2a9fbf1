"""Working precision as a scope, never as global state.

``with precision(bits):`` sets the precision of python-flint (``arb``) and of
mpmath for the duration of the block and restores both afterwards, also when
the block raises.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import mpmath
from flint import ctx

MIN_PREC = 16
MAX_PREC = 65536


def check_prec(prec: int) -> int:
    """Validate a precision in bits; raise a one-line ValueError otherwise."""
    if isinstance(prec, bool) or not isinstance(prec, int):
        raise ValueError(f"precision must be an integer number of bits, got {prec!r}")
    if not MIN_PREC <= prec <= MAX_PREC:
        raise ValueError(f"precision must be between {MIN_PREC} and {MAX_PREC} bits, got {prec}")
    return prec


@contextmanager
def precision(bits: int) -> Iterator[int]:
    """Scope in which arb and mpmath work with ``bits`` bits of precision."""
    check_prec(bits)
    old_flint = ctx.prec
    old_mp = mpmath.mp.prec
    ctx.prec = bits
    mpmath.mp.prec = bits
    try:
        yield bits
    finally:
        ctx.prec = old_flint
        mpmath.mp.prec = old_mp


@contextmanager
def series_cap(length: int) -> Iterator[int]:
    """Scope in which python-flint keeps power series to at least ``length`` terms.

    ``arb_series`` functions truncate their results to ``ctx.cap`` terms; a
    coefficient beyond the cap would read as an exact zero, so every series
    evaluation must run inside this scope.
    """
    old = ctx.cap
    ctx.cap = max(old, length)
    try:
        yield ctx.cap
    finally:
        ctx.cap = old
