"""Fields on one side of a dying surface (``VectorField.side``).

The live side's field must equal the true field where the neuron is active on a
set of positive length near its dying end, the dead side's where it is dead; the
live field continues analytically across the surface (finite, smooth in series
arithmetic on balls straddling it).
"""

from __future__ import annotations

import math

import pytest
from flint import arb

from verifier import Problem
from verifier.arith.balls import BallArithmetic
from verifier.arith.precision import precision
from verifier.arith.series import NotOnePiece
from verifier.proof.taylor import expand


@pytest.mark.parametrize("target", ["x**2", "Abs(x - 1/3)", "exp(x)"])
@pytest.mark.parametrize("H", [1, 2])
def test_sides_agree_with_the_field(target, H):
    p = Problem(target, width=H)
    F = p.vector_field()
    B = BallArithmetic()
    # neuron 1 faces right (cos > 0) with its kink near b = 1: phi_b = -pi/4
    others = [0.3] * (H - 1)
    with precision(53):
        for delta, side in ((1e-3, "live"), (1e-6, "live"), (-1e-3, "dead"), (-1e-6, "dead")):
            y = [arb(-math.pi / 4 + delta)] + [arb(o) for o in others] \
                + [arb(0.7)] * H + [arb(0.2)]
            true = F(B, y)
            got = F.side(0, side)(B, y)
            for t, g in zip(true, got):
                assert t.overlaps(g), (delta, side, t, g)
                assert float(abs(t - g).upper()) < 1e-12


def test_live_side_continues_across_the_surface():
    p = Problem("x**2")
    F = p.vector_field()
    with precision(53):
        xhat = [(arb(-math.pi / 4) + arb(1e-14)).mid(), arb(-0.99), arb(0.33)]
        hull = [x + arb(0, 1e-12) for x in xhat]
        with pytest.raises(NotOnePiece):
            expand(F, xhat, hull, 12, 6)
        for side in ("live", "dead"):
            ex = expand(F.side(0, side), xhat, hull, 12, 6)
            assert all(c.is_finite() for cs in ex.vals for c in cs)


def test_side_rejects_bad_arguments():
    F = Problem("x**2").vector_field()
    with pytest.raises(ValueError):
        F.side(1, "live")
    with pytest.raises(ValueError):
        F.side(0, "maybe")
    with pytest.raises(ValueError):
        Problem("x**2").vector_field("standard").side(0, "live")
