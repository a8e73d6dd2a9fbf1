"""Taylor-model arithmetic (verifier.arith.taylor_model, verifier.arith.timed_model).

python-flint style: for many points of the domain, the function computed independently
in mpmath (120 bits) at that point lies in the model evaluated there (polynomial at the
point plus remainder), for every operation, every elementary function and composites;
hypothesis property tests for random polynomials with remainders (the enclosed function
then has a non-polynomial part inside the remainder). Models of functions of time are
checked the same way, with ``int_0^tau`` against ``mpmath.quad``. The arithmetic
interface (decisions, unions) and the relaxed series are checked against the ball
arithmetic and the existing Taylor recursion.
"""

from __future__ import annotations

import functools
import random

import mpmath
import pytest
from flint import arb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verifier.arith.balls import BallArithmetic
from verifier.arith.taylor_model import TaylorModel, TaylorModelArithmetic, space
from verifier.arith.timed_model import TimedModel, timed_space

MP_PREC = 120
COMMON = dict(deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow])


def to_mpf(x: arb) -> mpmath.mpf:
    """An exact endpoint of a ball as an mpf."""
    m, e = x.man_exp()
    return mpmath.ldexp(mpmath.mpf(int(m)), int(e))


def encloses(ball: arb, value) -> bool:
    """``value`` (an mpf) lies in the ball (decided on exact ends)."""
    if not ball.is_finite():
        return False
    with mpmath.workprec(MP_PREC + 60):
        return to_mpf(ball.lower()) <= value <= to_mpf(ball.upper())


def points(n: int, count: int, seed: int) -> list[list[float]]:
    """Corners, the centre and seeded random points of [-1, 1]^n."""
    rng = random.Random(seed)
    out = [[1.0] * n, [-1.0] * n, [0.0] * n, [1.0 if i % 2 else -1.0 for i in range(n)]]
    out += [[rng.uniform(-1, 1) for _ in range(n)] for _ in range(count)]
    return out


#: ``name -> (mpmath function, centre, radius)`` with the range inside the domain.
FUNCTIONS = {
    "sin": (mpmath.sin, 0.7, 0.5), "cos": (mpmath.cos, -0.4, 0.5),
    "tan": (mpmath.tan, 0.3, 0.3), "exp": (mpmath.exp, 0.2, 0.6),
    "log": (mpmath.log, 1.5, 0.4), "sqrt": (mpmath.sqrt, 1.2, 0.4),
    "atan": (mpmath.atan, 0.5, 0.8), "asin": (mpmath.asin, 0.1, 0.4),
    "acos": (mpmath.acos, -0.2, 0.4), "sinh": (mpmath.sinh, 0.3, 0.5),
    "cosh": (mpmath.cosh, 0.3, 0.5), "tanh": (mpmath.tanh, 0.1, 0.6),
    "asinh": (mpmath.asinh, 0.4, 0.6), "erf": (mpmath.erf, 0.2, 0.5),
    "erfi": (mpmath.erfi, -0.3, 0.5), "Ei": (mpmath.ei, 1.0, 0.3),
    "Si": (mpmath.si, 0.8, 0.5), "Ci": (mpmath.ci, 1.1, 0.3),
    "inv": (lambda x: 1 / x, 1.3, 0.4),
}


def _argument(sp, centre: float, radius: float):
    """A nonlinear model over ``sp`` with range about ``centre +- radius``, and the
    same function in mpmath."""
    x = TaylorModel.variable(sp, 0)
    y = TaylorModel.variable(sp, 1)
    model = centre + radius * (0.6 * x + 0.25 * x * y - 0.15 * y * y)

    def exact(r):
        return (mpmath.mpf(centre) + mpmath.mpf(radius)
                * (mpmath.mpf(0.6) * r[0] + mpmath.mpf(0.25) * r[0] * r[1]
                   - mpmath.mpf(0.15) * r[1] ** 2))

    return model, exact


@pytest.mark.parametrize("degree", [2, 4, 6])
@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_functions_enclose(name, degree):
    sp = space(2, degree)
    fn, centre, radius = FUNCTIONS[name]
    arg, exact = _argument(sp, centre, radius)
    model = arg.compose(name)
    assert model.is_finite()
    with mpmath.workprec(MP_PREC):
        for r in points(2, 25, hash(name) % 1000):
            want = fn(exact([mpmath.mpf(v) for v in r]))
            assert encloses(model(r), want), (name, r)


def test_remainder_shrinks_with_the_degree():
    widths = []
    for degree in (2, 4, 6, 8):
        arg, _ = _argument(space(2, degree), 0.7, 0.5)
        widths.append(float(arg.compose("sin").rem.rad()))
    assert all(b < a / 4 for a, b in zip(widths, widths[1:])), widths


def test_function_outside_its_domain_is_not_finite():
    sp = space(2, 3)
    x = TaylorModel.variable(sp, 0, 0.1, 0.5)   # range [-0.4, 0.6] contains 0
    assert not x.compose("log").is_finite()
    assert not (1 / x).is_finite()
    assert not x.compose("sqrt").is_finite()


def test_composites_enclose():
    """A field-like composite: products, quotients, sin/cos of one argument, powers."""
    sp = space(3, 4)
    ar = TaylorModelArithmetic(sp)
    phi = TaylorModel.variable(sp, 0, 0.6, 0.05)
    v = TaylorModel.variable(sp, 1, 0.5, 0.05)
    c = TaylorModel.variable(sp, 2, 0.2, 0.05)
    w, b = ar.fn("cos")(phi), ar.fn("sin")(phi)
    X = c / 2 + v * (w / 3 + b / 2) - arb(0.25)
    Y = c + v * (w / 2 + b) - arb(1) / 3
    model = -2 * v * (w * Y - b * X) + ar.powi(v, 3) / (1 + ar.powi(c, 2)) - ar.fn("exp")(
        w * c)
    with mpmath.workprec(MP_PREC):
        for r in points(3, 40, 7):
            P = mpmath.mpf(0.6) + mpmath.mpf(0.05) * r[0]
            V = mpmath.mpf(0.5) + mpmath.mpf(0.05) * r[1]
            C = mpmath.mpf(0.2) + mpmath.mpf(0.05) * r[2]
            W, B = mpmath.cos(P), mpmath.sin(P)
            Xv = C / 2 + V * (W / 3 + B / 2) - mpmath.mpf(0.25)
            Yv = C + V * (W / 2 + B) - mpmath.mpf(1) / 3
            want = -2 * V * (W * Yv - B * Xv) + V ** 3 / (1 + C ** 2) - mpmath.exp(W * C)
            assert encloses(model(r), want), r


# -- hypothesis: random polynomials with remainders ------------------------------------

coefficient = st.floats(-2, 2, allow_nan=False, allow_infinity=False)


@st.composite
def models(draw, sp, scale: float = 1.0):
    """A model over ``sp`` and a function it encloses: its polynomial plus a
    non-polynomial part inside its remainder (``m + rho sin(5 r_0 + 3 r_1 + k)``)."""
    terms = {}
    for mon in sp.monomials:
        if draw(st.booleans()):
            terms[mon] = draw(coefficient) * scale / (1 + sum(mon)) ** 2
    mid = draw(st.floats(-1e-3, 1e-3))
    rho = draw(st.floats(0, 1e-3))
    phase = draw(st.floats(0, 6))
    model = TaylorModel.from_terms(sp, terms, arb(mid) + arb(0, rho))

    def exact(r):
        acc = mpmath.mpf(mid) + mpmath.mpf(rho) * mpmath.sin(5 * r[0] + 3 * r[1] + phase)
        for mon, v in terms.items():
            term = mpmath.mpf(v)
            for x, e in zip(r, mon):
                term *= x ** e
            acc += term
        return acc

    return model, exact


SP = space(2, 3)
point = st.tuples(st.floats(-1, 1), st.floats(-1, 1))


@settings(max_examples=60, **COMMON)
@given(models(SP), models(SP), point)
def test_ring_operations_enclose(a, b, r):
    (A, fa), (B, fb) = a, b
    with mpmath.workprec(MP_PREC):
        x = [mpmath.mpf(v) for v in r]
        va, vb = fa(x), fb(x)
        for model, want in ((A + B, va + vb), (A - B, va - vb), (A * B, va * vb),
                            (A * A * B, va * va * vb), (A ** 3, va ** 3),
                            (arb(3) * A - 2, 3 * va - 2)):
            assert encloses(model(list(r)), want)


@settings(max_examples=40, **COMMON)
@given(models(SP, 0.3), models(SP, 0.3), point)
def test_quotients_and_functions_enclose(a, b, r):
    (A, fa), (B, fb) = a, b
    with mpmath.workprec(MP_PREC):
        x = [mpmath.mpf(v) for v in r]
        va, vb = fa(x), fb(x)
        cases = [((A + 2) / (B + 3), (va + 2) / (vb + 3)),
                 ((A * B).compose("exp"), mpmath.exp(va * vb)),
                 ((A + 3).compose("log"), mpmath.log(va + 3)),
                 ((B + 2).compose("sqrt"), mpmath.sqrt(vb + 2)),
                 (A.compose("sin") * B.compose("cos"), mpmath.sin(va) * mpmath.cos(vb)),
                 ((A - B).compose("atan"), mpmath.atan(va - vb))]
        for model, want in cases:
            assert encloses(model(list(r)), want)


@settings(max_examples=40, **COMMON)
@given(models(space(2, 4)), point)
def test_exact_and_lower_degree_keep_the_enclosure(a, r):
    A, fa = a
    with mpmath.workprec(MP_PREC):
        want = fa([mpmath.mpf(v) for v in r])
    for model in (A, A.exact(), A.to_space(space(2, 2)), A.to_space(space(2, 1)).exact()):
        assert encloses(model(list(r)), want)
    assert encloses((A * 3 + 1).exact()(list(r)), 3 * want + 1)
    assert all(v.rad() == 0 for v in A.exact().c)


@settings(max_examples=40, **COMMON)
@given(models(space(3, 3)))
def test_range_is_tighter_and_still_encloses(a):
    A, _ = a
    rng, box = A.range(), A.bound()
    slack = 1e-8 * (1 + float(box.abs_upper()))  # radii are rounded to 30 bits
    assert rng.lower() >= box.lower() - slack and rng.upper() <= box.upper() + slack
    grid = [-1.0, -0.5, 0.0, 0.5, 1.0]
    for r in ((x, y, z) for x in grid for y in grid for z in grid):
        value = A(list(r))  # the polynomial at r plus the remainder
        assert rng.lower() - slack <= value.lower() and value.upper() <= rng.upper() + slack


def test_range_of_a_linear_dominated_model_is_nearly_exact():
    sp = space(2, 3)
    x, y = TaylorModel.variable(sp, 0), TaylorModel.variable(sp, 1)
    m = 1 + 0.5 * x - 0.3 * y + 0.01 * x * y + 0.02 * x * x
    # monotone in both coordinates: the ends at the vertices (1, -1) and (-1, 1)
    assert m.range().upper() <= 1 + 0.5 + 0.3 - 0.01 + 0.02 + 1e-8
    assert m.range().lower() >= 1 - 0.5 - 0.3 - 0.01 + 0.02 - 1e-8
    assert m.bound().upper() > m.range().upper() + 0.01


# -- the arithmetic interface -------------------------------------------------------------


def test_decisions_on_ranges():
    sp = space(2, 3)
    ar = TaylorModelArithmetic(sp)
    x = TaylorModel.variable(sp, 0, 2, 0.5)
    y = TaylorModel.variable(sp, 1, 0, 0.5)
    assert ar.ge(x, y) is True
    assert ar.ge(y, x) is False
    assert ar.ge(y, arb(0)) is None
    assert ar.sign(x) == 1 and ar.sign(-x) == -1 and ar.sign(y) is None
    assert ar.max(x, y) is x and ar.min(x, y) is y
    # Undecided cases are united: the union encloses both at every point.
    z = TaylorModel.variable(sp, 0, 0, 0.5)
    m = ar.max(y, z)
    for r in points(2, 20, 3):
        for value in (y(r), z(r)):
            assert m(r).contains(value)
    assert ar.restrict(x, arb(0), arb(5)) is x
    assert ar.restrict(x, arb(3), arb(5)) is None
    cut = ar.restrict(x, arb(0), arb(2))
    assert cut.bound().upper() <= 2 + 1e-8 and cut.bound().lower() >= 1.5 - 1e-8
    assert ar.fn("Abs")(-x).bound().lower() >= 1.5 - 1e-8
    assert ar.fn("sin")(arb(1)).overlaps(arb(1).sin())


def test_field_in_taylor_model_arithmetic():
    """The program's formula and the generic kernel, each evaluated in Taylor-model
    arithmetic, enclose the independent reference gradient at points of the box."""
    from reference import Reference

    from verifier import Problem
    from verifier.proof.tm.formula import evaluate, piece_on

    p = Problem("x**2", width=1)
    F = p.vector_field(flow="normalized")
    ref = Reference("x**2")
    sp = space(3, 4)
    centre, radius = [0.6, 0.5, 0.2], 0.03
    ys = [TaylorModel.variable(sp, i, c, radius) for i, c in enumerate(centre)]
    box = [arb(c, radius) for c in centre]
    piece = piece_on(F, box)
    assert piece is not None
    ar = TaylorModelArithmetic(sp)
    by_formula = evaluate(F, piece, ar, ys)
    by_kernel = F.kernel(ar, ys)
    with mpmath.workprec(MP_PREC):
        for r in points(3, 4, 11):
            y = [c + radius * v for c, v in zip(centre, r)]
            _, grad = ref.risk_gradient_mp(y)
            for model in (by_formula, by_kernel):
                for i in range(3):
                    assert encloses(model[i](r), -grad[i]), (i, r)


# -- models of functions of time ---------------------------------------------------------


def _timed_pair(ts):
    x = TimedModel.variable(ts, 0, 0.6, 0.05) + TimedModel.time(ts, 0.3)
    y = TimedModel.variable(ts, 1, 0.5, 0.05) * (1 + TimedModel.time(ts, -0.2))
    return x, y


def _timed_exact(r, tau):
    X = mpmath.mpf(0.6) + mpmath.mpf(0.05) * r[0] + mpmath.mpf(0.3) * tau
    Y = (mpmath.mpf(0.5) + mpmath.mpf(0.05) * r[1]) * (1 - mpmath.mpf(0.2) * tau)
    return X, Y


@pytest.mark.parametrize("orders", [(6, 6, 6, 6), (10, 8, 6, 4), (3, 1, 0, 0)])
def test_timed_models_enclose(orders):
    ts = timed_space(2, 3, orders)
    ar = TaylorModelArithmetic(ts)
    x, y = _timed_pair(ts)
    f = ar.fn("sin")(x) * y + ar.fn("exp")(x * y) / (1 + y * y) - ar.fn("log")(x + 1) * \
        ar.fn("sqrt")(y)
    g = f.integrate_time()
    rng = random.Random(5)
    with mpmath.workprec(MP_PREC):
        for r in points(2, 12, 9):
            tau = rng.uniform(0, 1)

            def exact(s, r=r):
                X, Y = _timed_exact([mpmath.mpf(v) for v in r], s)
                return (mpmath.sin(X) * Y + mpmath.exp(X * Y) / (1 + Y * Y)
                        - mpmath.log(X + 1) * mpmath.sqrt(Y))

            assert encloses(f(r, tau), exact(mpmath.mpf(tau)))
            assert encloses(g(r, tau), mpmath.quad(exact, [0, mpmath.mpf(tau)]))
            assert encloses(f.at_time(tau)(r), exact(mpmath.mpf(tau)))
            assert encloses(f.time_hull()(r), exact(mpmath.mpf(tau)))


def test_timed_products_keep_the_orders():
    ts = timed_space(2, 2, (4, 2, 1))
    x, y = _timed_pair(ts)
    prod = (x * y) * (x * y)
    for m, p in zip(ts.space.monomials, prod.c):
        assert p is None or p.length() <= ts.orders[sum(m)] + 1


# -- relaxed series -----------------------------------------------------------------------


@functools.cache
def _x2_field():
    from verifier import Problem

    return Problem("x**2", width=1).vector_field(flow="normalized")


def test_relaxed_series_match_the_taylor_recursion():
    from verifier.integrate.tm.series import solution_coefficients
    from verifier.proof.coefficients import taylor_coefficients
    from verifier.proof.tm.formula import formula_of, piece_on

    F = _x2_field()
    y0 = [arb(0.6), arb(0.5), arb(0.2)]
    form = formula_of(F, piece_on(F, y0))
    ref = taylor_coefficients(F, y0, 14)
    got = solution_coefficients(form, BallArithmetic(), y0, 14)
    for i in range(3):
        for a, b in zip(ref[i], got[i]):
            assert a.overlaps(b)
    # Over Taylor models: coefficient models contain the point coefficients.
    sp = space(3, 4)
    x0 = [TaylorModel.variable(sp, i, c, 0.02) for i, c in enumerate([0.6, 0.5, 0.2])]
    tm = solution_coefficients(form, TaylorModelArithmetic(sp), x0, 8)
    for r in points(3, 5, 2):
        point = [arb(c) + arb(0.02) * arb(v) for c, v in zip([0.6, 0.5, 0.2], r)]
        exact = taylor_coefficients(F, point, 8)
        for i in range(3):
            for m in range(1, 9):
                assert tm[i][m](r).contains(exact[i][m]), (i, m, r)


@pytest.mark.parametrize("name", sorted(set(FUNCTIONS) - {"inv"}))
def test_relaxed_series_rules_match_arb_series(name):
    """Every function's relaxed rule (chain rule through the jets' derivative table)
    gives the coefficients of Arb's own power series of the composition."""
    from flint import arb_series

    from verifier.arith.precision import series_cap
    from verifier.arith.series import SeriesArithmetic
    from verifier.integrate.tm.series import LazySeriesArithmetic

    _, centre, radius = FUNCTIONS[name]
    coeffs = [arb(centre), arb(radius), arb(-0.3 * radius), arb(0.1 * radius)]
    L = 9
    S = LazySeriesArithmetic(BallArithmetic())
    lazy = S.fn(name)(S.series(coeffs) * S.series([arb(1), arb(0.5)]))
    with series_cap(L):
        a = arb_series(coeffs, prec=L) * arb_series([1, 0.5], prec=L)
        want = SeriesArithmetic(L).fn(name)(a)
        for k in range(L):
            assert lazy[k].overlaps(want[k]), (name, k, lazy[k], want[k])
    quotient = S.series(coeffs) / (S.series([arb(2), arb(0.3)]) + S.series(coeffs))
    with series_cap(L):
        want = arb_series(coeffs, prec=L) / (arb_series([2, 0.3], prec=L)
                                              + arb_series(coeffs, prec=L))
        for k in range(L):
            assert quotient[k].overlaps(want[k])


def test_series_of_a_ball_wider_than_the_float_range():
    """A finite ball whose radius overflows a float (a diverging remainder candidate) is
    split into the most pieces, and its enclosures still hold (no exception)."""
    from verifier.arith.taylor_model import series_coefficients

    wide = arb(0, arb(2) ** 2000)
    assert wide.is_finite()
    cs = series_coefficients("cos", wide, 4)
    assert cs[0].contains(arb(1)) and cs[0].contains(arb(-1))
    assert all(c.contains(0) for c in cs[1:])
