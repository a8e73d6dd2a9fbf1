"""Arithmetic primitives: an enclosure F is correct iff f(x) lies in F(X) for x in X."""

from __future__ import annotations

import math

import pytest
from flint import arb, arb_series
from hypothesis import given, settings
from hypothesis import strategies as st

from verifier.arith import BallArithmetic, FloatArithmetic, JetArithmetic, as_ball, precision
from verifier.arith.bounds import lower_bound, upper_bound
from verifier.arith.precision import series_cap
from verifier.arith.series import NotOnePiece, SeriesArithmetic

B = BallArithmetic()
FL = FloatArithmetic()
reals = st.floats(-5, 5, allow_nan=False)
rads = st.floats(0, 2)


def ball(m, r):
    return as_ball((m - r, m + r))


@given(reals, rads, reals, rads, st.floats(0, 1), st.floats(0, 1))
def test_max_min_enclose(m1, r1, m2, r2, s, t):
    X, Y = ball(m1, r1), ball(m2, r2)
    x = m1 - r1 + 2 * r1 * s
    y = m2 - r2 + 2 * r2 * t
    assert B.max(X, Y).contains(max(x, y))
    assert B.min(X, Y).contains(min(x, y))
    assert B.clamp(X, arb(0), arb(1)).contains(min(max(x, 0.0), 1.0))


@given(reals, rads, reals, reals, st.floats(0, 1))
def test_restrict(m, r, lo, hi, s):
    lo, hi = min(lo, hi), max(lo, hi)
    X = ball(m, r)
    x = m - r + 2 * r * s
    R = B.restrict(X, as_ball(lo), as_ball(hi))
    if lo <= x <= hi:
        assert R is not None and R.contains(x)
    if R is not None:
        # Arb radii carry 30 bits: a ball built from exact ends may overshoot them by
        # about 2^-30 of its radius, never more.
        slack = 2.0**-28 * (1 + r + abs(lo) + abs(hi))
        assert R.lower() >= lo - slack and R.upper() <= hi + slack


def test_every_arithmetic_provides_the_compiled_functions():
    from verifier.arith.base import FUNCTIONS
    from verifier.arith.compile import COMPILED_FUNCTIONS

    assert COMPILED_FUNCTIONS <= set(FUNCTIONS)
    for ar in (BallArithmetic(), FloatArithmetic()):
        assert all(callable(ar.fn(name)) for name in FUNCTIONS)


def test_ge_is_three_valued():
    assert B.ge(arb(2), arb(1)) is True
    assert B.ge(arb(1), arb(2)) is False
    assert B.ge(ball(1, 0.5), arb(1)) is None
    assert B.ge(arb.nan(), arb(0)) is None
    assert B.sign(ball(0, 1)) is None and B.sign(arb(0)) == 0 and B.sign(arb(-3)) == -1


def test_nan_propagates_through_max():
    # max(NaN, y) must not collapse to y: NaN means "no information".
    assert not B.max(arb.nan(), arb(1)).is_finite()


def test_active_interval_cases():
    lo, hi = arb(0), arb(1)
    # w > 0, kink at 0.25: active on [0.25, 1]
    l, r = B.active_interval(arb(1), arb(-0.25), lo, hi)
    assert l.contains(0.25) and r == hi
    # dead: w = 0, b < 0 exactly
    assert B.active_interval(arb(0), arb(-1), lo, hi) is None
    # w straddling 0 with b > 0: active everywhere
    assert B.active_interval(ball(0, 1e-3), arb(1), lo, hi) == (lo, hi)
    # w straddling 0 with b < 0: certainly dead
    assert B.active_interval(ball(0, 1e-3), arb(-1), lo, hi) is None


def test_jet_derivatives():
    J = JetArithmetic(B, 2)
    x = J.variable(0, arb(0.7))
    y = J.variable(1, arb(-0.3))
    f = J.fn("exp")(x * y) / (1 + x * x) + J.fn("Ei")(x)
    dx = math.exp(-0.21) * (-0.3) / 1.49 - math.exp(-0.21) * 1.4 / 1.49**2 + math.exp(0.7) / 0.7
    dy = math.exp(-0.21) * 0.7 / 1.49
    assert f.der[0].contains(arb(dx).mid()) or abs(float(f.der[0].mid()) - dx) < 1e-12
    assert abs(float(f.der[1].mid()) - dy) < 1e-14


def test_series_needs_cap_and_decided_cases():
    S = SeriesArithmetic(14)
    s = S.variable(arb(0.5))
    with pytest.raises(RuntimeError):
        S.fn("sqrt")(1 + s**4)  # outside series_cap: would truncate silently
    with series_cap(14):
        r = S.fn("sqrt")(1 + s**4)
    assert isinstance(r, arb_series) and len(r.coeffs()) == 14
    with pytest.raises(NotOnePiece):
        S.max(S.variable(ball(0, 0.1)), arb(0))


def test_precision_scope_restores():
    from flint import ctx

    before = ctx.prec
    with precision(200):
        assert ctx.prec == 200
        third = arb(1) / 3
    assert ctx.prec == before
    assert third.rad() < arb(2) ** -190


@settings(max_examples=25, deadline=None)
@given(st.floats(-2, 2), st.floats(0.01, 2))
def test_range_bounds(lo, width):
    hi = lo + width

    def f(t):
        return (3 * t).sin() * t

    U, reached = upper_bound(f, as_ball(lo), as_ball(hi))
    Lb, _ = lower_bound(f, as_ball(lo), as_ball(hi))
    for k in range(50):
        x = lo + width * k / 49
        val = math.sin(3 * x) * x
        assert Lb.lower() <= val + 1e-15 and val <= U.upper() + 1e-15
    assert reached <= U
