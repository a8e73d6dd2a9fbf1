"""Taylor-model steps and sets (verifier.integrate.tm): the Picard step encloses the
solutions (float reference trajectories from verifier.simulate at every sampled initial
coordinate and time), tampered witnesses are refused, the set's move keeps each
solution at its own initial coordinate, and a short standalone run encloses the
solutions from the corners and the inside of the box with a wrapping ratio close to 1.
"""

from __future__ import annotations

import functools
import itertools
import random

import numpy as np
import pytest
from flint import arb, arb_poly

from verifier import Problem, simulate
from verifier.arith.balls import BallArithmetic
from verifier.arith.precision import precision
from verifier.arith.taylor_model import TaylorModel, TaylorModelArithmetic, space
from verifier.arith.timed_model import TimedModel, timed_space
from verifier.integrate._tm_steps import SET_ROUNDING
from verifier.integrate.tm.loop import integrate_piece
from verifier.integrate.tm.search import (
    expansion,
    find_remainder,
    move,
    polynomial,
    round_to_grid,
    sweep_set,
)
from verifier.proof.tm.formula import piece_on
from verifier.proof.tm.picard import picard_check
from verifier.proof.tm.sets import TaylorSet, compose, move_check
from verifier.proof.tm.step import canonical_set, contains_set

CENTRE = [0.6, 0.5, 0.2]
#: Slack for the float reference (DOP853 at rtol 1e-13 over short times): two orders of
#: magnitude below the enclosures' radii here.
FLOAT_SLACK = 1e-11


@functools.cache
def problem():
    return Problem("x**2", width=1)


@functools.cache
def field():
    return problem().vector_field(flow="normalized")


def flow(y, t: float) -> np.ndarray:
    return simulate(problem(), [float(v) for v in y], t, rtol=1e-13, atol=1e-15).final


def inside(ball: arb, value: float, slack: float = FLOAT_SLACK) -> bool:
    return ball.is_finite() and ball.lower() - slack <= value <= ball.upper() + slack


@functools.cache
def step_data(radius: float = 0.02, order: int = 8, degree: int = 3, h: float = 0.125):
    """A proven step from the box of ``radius`` about :data:`CENTRE`."""
    X = TaylorSet.from_box([arb(c, radius) for c in CENTRE], degree)
    x0 = X.initial()
    y = expansion(field(), piece_on(field(), X.hull()), x0, order)
    ts = timed_space(3, degree, (order,) * (degree + 1))
    P = polynomial(y, arb(h), ts)
    J, img = find_remainder(field(), x0, P, arb(h))
    return X, x0, P, J, img, arb(h)


def sample(n: int, count: int, seed: int):
    rng = random.Random(seed)
    corners = [list(c) for c in itertools.product((-1.0, 1.0), repeat=n)]
    return corners + [[rng.uniform(-1, 1) for _ in range(n)] for _ in range(count)]


def test_picard_step_encloses_the_solutions():
    X, x0, P, J, img, h = step_data()
    rng = random.Random(1)
    for r in sample(3, 6, 2):
        start = [float(m(r).mid()) for m in x0]  # exact: x0 is linear with exact terms
        for tau in (0.0, rng.uniform(0, 1), 1.0):
            got = flow(start, tau * float(h)) if tau else np.array(start)
            for i in range(3):
                assert inside(img.Q[i](r, tau), got[i]), (r, tau, i)
    image = img.image()
    for r in sample(3, 4, 3):
        start = [float(m(r).mid()) for m in x0]
        end = flow(start, float(h))
        assert all(inside(image[i](r), end[i]) for i in range(3))
    # The a priori box holds every state of the step.
    box = img.apriori()
    assert all(b.contains(q.time_hull().bound()) for b, q in zip(box, img.Q))


def test_picard_check_refuses_tampered_witnesses():
    X, x0, P, J, img, h = step_data()
    assert picard_check(field(), x0, P, J, h) is not None
    # A remainder smaller than the proven one.
    smaller = [arb(j.mid(), float(j.rad()) / 4) for j in img.remainder]
    assert picard_check(field(), x0, P, smaller, h) is None
    # A polynomial moved away from the solution by much more than the remainder.
    moved = [p + 1e-4 for p in P[:1]] + list(P[1:])
    assert picard_check(field(), x0, moved, J, h) is None
    # Another step length for the same polynomial.
    assert picard_check(field(), x0, P, J, 2 * h) is None
    # Other initial values.
    other = [x0[0] + 1e-4] + list(x0[1:])
    assert picard_check(field(), other, P, J, h) is None
    with pytest.raises(ValueError):
        picard_check(field(), x0, P, J, arb(0))


def test_move_keeps_each_solution_at_its_initial_coordinate():
    X, x0, P, J, img, h = step_data()
    nxt, choices = move(X, img.image())
    Cinv = nxt.C.inv()
    for r in sample(3, 8, 4):
        z = [q(r).mid() for q in X.p]
        start = [X.c[i] + sum((X.C[i, j] * z[j] for j in range(3)), arb(0)) for i in range(3)]
        end = flow([float(s.mid()) for s in start], float(h))
        ball = [arb(v, FLOAT_SLACK) for v in end]
        w = [sum((Cinv[i, j] * (ball[j] - nxt.c[j]) for j in range(3)), arb(0))
             for i in range(3)]
        assert all(q(r).overlaps(wi) for q, wi in zip(nxt.p, w)), r
    # The witness reproduces the set; smaller scales are refused.
    again = move_check(X, img.image(), choices["c"], choices["Q"], choices["sigma"])
    assert again is not None and all(a.rem.overlaps(b.rem) for a, b in zip(again.p, nxt.p))
    half = [s / 2 for s in choices["sigma"]]
    assert move_check(X, img.image(), choices["c"], choices["Q"], half) is None


def test_swept_sets_contain_the_computed_ones_on_the_whole_domain():
    """What a certificate stores for a set: coefficients rounded to a grid, the moved
    amount in the remainder (:func:`sweep_set`). The checker's containment
    (:func:`contains_set`) accepts it, refuses the same rounding unpaid, and a point
    reference agrees: at sampled points and the corners of ``D`` each computed model's
    ball lies in the stored model's ball."""
    X, x0, P, J, img, h = step_data()
    nxt, _ = move(X, img.image(), 2 * SET_ROUNDING)
    stored = canonical_set(sweep_set(nxt, 2.0**-4))
    assert sum(1 for q in stored.p for v in q.c if not v.is_zero()) < \
        sum(1 for q in nxt.p for v in q.c if not v.is_zero())
    assert contains_set(stored, nxt) is None
    for r in sample(3, 30, 6):
        for a, b in zip(stored.p, nxt.p):
            assert a(r).contains(b(r)), r
    # The same polynomials with the computed remainders: the rounding is not paid for.
    unpaid = TaylorSet(stored.c, stored.C, tuple(TaylorModel(a.space, a.c, b.rem)
                                                 for a, b in zip(stored.p, nxt.p)))
    assert "remainder" in contains_set(unpaid, nxt)
    # A stored coefficient with a radius is not a stored set of this form.
    loose = [TaylorModel(q.space, [v if v.is_zero() else arb(v, 1e-30) for v in q.c], q.rem)
             for q in stored.p]
    assert "exact" in contains_set(TaylorSet(stored.c, stored.C, tuple(loose)), nxt)


def test_rounded_polynomials_move_within_their_budget():
    X, x0, P, J, img, h = step_data()
    y = expansion(field(), piece_on(field(), X.hull()), x0, 8)
    ts = P[0].space
    budget = 1e-9
    R = polynomial(y, h, ts, budget)
    def terms(T):
        return sum(1 for t in T for p in t.c if p is not None
                   for k in range(p.length()) if not p[k].is_zero())
    assert terms(R) < terms(P)
    for a, b in zip(P, R):
        assert float((a - b).bound().abs_upper()) <= budget * (1 + 1e-9)
    assert round_to_grid(arb(3), -2).contains(arb(3))  # on the grid: unchanged
    assert round_to_grid(arb(0.375), -1) == arb(0.5)
    assert round_to_grid(arb(-0.375), -1) == arb(-0.5)
    assert round_to_grid(arb(0.125), -1).is_zero()


def test_composition_encloses():
    sp = space(2, 3)
    z = [TaylorModel.variable(sp, 0, 0.1, 0.4) + TaylorModel.variable(sp, 1, 0, 0.1),
         TaylorModel.variable(sp, 1, -0.2, 0.5) * TaylorModel.variable(sp, 0, 1, 0.2)]
    Y = [TaylorModel.variable(sp, 0) * TaylorModel.variable(sp, 1) + 0.5,
         TaylorModel.variable(sp, 1).compose("sin")]
    out = compose(Y, z)
    for r in sample(2, 10, 5):
        zr = [m(r) for m in z]
        assert out[0](r).overlaps(zr[0] * zr[1] + 0.5)
        assert out[1](r).overlaps(zr[1].sin())


def test_timed_model_at_time_matches_polynomial():
    ts = timed_space(2, 2, (3, 2, 1))
    c = [None] * ts.space.size
    c[0] = arb_poly([1, 2, 3])
    m = TimedModel(ts, c)
    assert m.at_time(0.5)([0.0, 0.0]).overlaps(arb(1 + 1 + 0.75))


def test_short_run_encloses_and_does_not_wrap():
    radius, T = 0.02, 2
    with precision(53):
        box = [arb(c, radius) for c in CENTRE]
    run = integrate_piece(field(), box, T, order=8, degree=3)
    assert run.ok and run.t_reached == T
    hull = run.final.hull()
    starts = [[c + radius * s for c, s in zip(CENTRE, r)] for r in sample(3, 12, 6)]
    ends = np.array([flow(s, T) for s in starts])
    for i in range(3):
        assert all(inside(hull[i], v, 1e-9) for v in ends[:, i])
    spread = (ends.max(axis=0) - ends.min(axis=0)).max()
    assert max(run.final_widths()) / spread < 1.2


def test_run_stops_where_the_field_is_not_one_piece():
    # phi = 0: the kink -tan(phi) sits at the end a = 0 of the domain.
    box = [arb(0, 0.01), arb(0.5, 0.01), arb(0.2, 0.01)]
    run = integrate_piece(field(), box, 1, order=6, degree=2)
    assert run.status == "left-piece" and run.t_reached == 0


def test_degenerate_coordinates_are_carried():
    """A box with exact coordinates (zero width) is a set of lower dimension: ``C_jj =
    0``, ``p_j = 0``; the run encloses the solutions from it."""
    radius, T = 0.02, 1
    box = [arb(CENTRE[0]), arb(CENTRE[1], radius), arb(CENTRE[2])]
    X = TaylorSet.from_box(box, 3)
    assert all(h.contains(b) for h, b in zip(X.hull(), box))
    assert X.hull()[0].rad() == 0 and X.hull()[2].rad() == 0
    run = integrate_piece(field(), box, T, order=8, degree=3)
    assert run.ok and run.t_reached == T
    hull = run.final.hull()
    for s in np.linspace(-1, 1, 7):
        end = flow([CENTRE[0], CENTRE[1] + radius * s, CENTRE[2]], T)
        assert all(inside(hull[i], end[i], 1e-9) for i in range(3))


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="finite"):
        TaylorSet.from_box([arb("nan"), arb(0.5, 0.01), arb(0.2, 0.01)], 3)
    box = [arb(c, 0.01) for c in CENTRE]
    with pytest.raises(ValueError, match="horizon"):
        integrate_piece(field(), box, -1)
    with pytest.raises(ValueError, match="order"):
        integrate_piece(field(), box, 1, order=1)


def test_picard_step_across_a_switching_surface():
    """Across the surface phi = 0 (the kink at the end a = 0) no piece holds on the box;
    the generic kernel in Taylor-model arithmetic unites the cases, and the step still
    encloses the solutions from both sides (first order in the width: the remainder)."""
    centre, radius, h = [0.0, 0.5, 0.2], 0.01, 0.03
    X = TaylorSet.from_box([arb(c, radius) for c in centre], 3)
    assert piece_on(field(), X.hull()) is None
    x0 = X.initial()
    y = expansion(field(), piece_on(field(), [arb(0.02), arb(0.5), arb(0.2)]), x0, 6)
    P = polynomial(y, arb(h), timed_space(3, 3, (6,) * 4))
    J, img = find_remainder(field(), x0, P, arb(h))
    assert img.piece is None
    image = img.image()
    sides = set()
    for r in sample(3, 12, 8):
        start = [c + radius * v for c, v in zip(centre, r)]
        sides.add(start[0] > 0)
        end = flow(start, h)
        assert all(inside(image[i](r), end[i]) for i in range(3)), r
    assert sides == {True, False}


def test_piece_formula_is_bound_per_space():
    """``Piece.formula`` caches its bound operations per binding key: Taylor-model
    arithmetics of different spaces (one type) must not share them. Each evaluation
    gives models of its own space that enclose the field at sampled points."""
    F = field()
    box = [arb(c, 0.01) for c in CENTRE]
    piece = piece_on(F, box)
    assert piece is not None
    for n_deg in (2, 3, 2, 4):
        sp = space(3, n_deg)
        ar = TaylorModelArithmetic(sp)
        xs = [TaylorModel.variable(sp, i, CENTRE[i], 0.01) for i in range(3)]
        out = piece.formula(ar, xs)
        assert all(v is None or v.space is sp for v in out)
        for r in sample(3, n_deg, 4):
            point = [arb(c + 0.01 * v) for c, v in zip(CENTRE, r)]
            exact = F(BallArithmetic(), point)
            for v, e in zip(out, exact):
                assert (arb(0) if v is None else v(r)).overlaps(e)
    assert TaylorModelArithmetic(space(3, 2)).binding_key() != \
        TaylorModelArithmetic(space(3, 3)).binding_key()
