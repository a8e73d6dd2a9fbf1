"""Exact ball encoding and outward-rounded decimals."""

from __future__ import annotations

from fractions import Fraction

import pytest
from flint import arb
from hypothesis import given
from hypothesis import strategies as st

from verifier.arith import precision
from verifier.arith.exact import EncodingError, decimal_bounds, decode_ball, encode_ball


def _exact(x: arb) -> Fraction:
    m, e = x.man_exp()
    return Fraction(int(m)) * Fraction(2) ** int(e)


@given(st.floats(-1e30, 1e30), st.floats(0, 1e10), st.sampled_from([53, 128, 300]))
def test_round_trip_contains(mid, rad, prec):
    with precision(prec):
        x = arb(mid) / 7 + arb(0, rad)
        d = decode_ball(encode_ball(x))
    assert d.contains(x)
    assert d.mid() == x.mid()
    assert d.rad() <= x.rad() * (1 + arb(2) ** -28)


@given(st.floats(-1e30, 1e30, allow_subnormal=False), st.floats(0, 1e5), st.integers(5, 30))
def test_decimal_bounds_are_outward(mid, rad, digits):
    x = arb(mid) / 3 + arb(0, rad)
    lo, hi = decimal_bounds(x, digits)
    assert Fraction(lo) <= _exact(x.lower())
    assert Fraction(hi) >= _exact(x.upper())


@pytest.mark.parametrize(
    "bad",
    [
        None, 1.5, "x", {"mid": [1, 0], "rad": ["0", 0]}, {"mid": ["1", 0]},
        {"mid": ["1", 0], "rad": ["0", 0], "extra": 1}, {"mid": ["1e5", 0], "rad": ["0", 0]},
        {"mid": ["1", 10**9], "rad": ["0", 0]}, {"mid": ["1", 0], "rad": ["-1", 0]},
        {"mid": ["9" * 30000, 0], "rad": ["0", 0]}, {"mid": ["1", True], "rad": ["0", 0]},
        {"mid": ["1", 0.5], "rad": ["0", 0]}, {"mid": ["NaN", 0], "rad": ["0", 0]},
    ],
)
def test_hostile_encodings_rejected(bad):
    with pytest.raises(EncodingError) as exc:
        decode_ball(bad)
    assert "\n" not in str(exc.value)


def test_non_finite_refused():
    with pytest.raises(EncodingError):
        encode_ball(arb.nan())
    with pytest.raises(EncodingError):
        decimal_bounds(arb(0, float("inf")))
