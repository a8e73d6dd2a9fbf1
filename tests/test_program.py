"""Straight-line programs of the field's pieces and the Taylor recursions built on them.

* A traced program returns exactly what the generic kernel returns (bit for bit), in
  every arithmetic, on points and boxes, for every flow and for the side fields of a
  dying neuron; which programs are cached never changes a result; a ball across a
  switching surface is evaluated by the kernel (the union of the cases).
* Containment, python-flint style: ``f(x)`` lies in ``F(X)`` for sampled points ``x``
  of boxes ``X``: the field (against the independent mpmath reference), its
  derivative programs, and the Taylor coefficients of the solution and of the first
  and second variational equations.
* The new coefficient enclosures overlap those of the reference recursions (one
  kernel evaluation per order, jets; ``taylor_reference``) on a seeded grid of boxes,
  and are not looser.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import taylor_reference as ref
from flint import arb, arb_series
from reference import Reference

from verifier import Problem
from verifier.arith import BallArithmetic, FloatArithmetic, JetArithmetic, MpmathArithmetic
from verifier.arith.batch import BatchArithmetic
from verifier.arith.jets import Jet
from verifier.arith.precision import precision, series_cap
from verifier.arith.series import NotOnePiece, SeriesArithmetic
from verifier.field.program import Program
from verifier.proof import coefficients as _taylor

PROBLEMS = {
    "x2": ("x**2", None),
    "abs": ("Abs(x - 1/3)", None),
    "pwl": ("Piecewise((2*x, x < 1/3), (1 - x, x < 2/3), (x - 1/3, True))", None),
    "sin": ("sin(3*x)", None),
    "ei": ("exp(x)/(1+x)", None),
    "density": ("x**2", "2*x"),
}


def _problem(name: str, H: int) -> Problem:
    target, density = PROBLEMS[name]
    return Problem(target, density=density, width=H)


def _state(rng: np.random.Generator, flow: str, H: int) -> list[float]:
    if flow == "normalized":
        first = list(rng.uniform(-math.pi, math.pi, H))
    elif flow == "standard":
        first = list(rng.uniform(-2, 2, 2 * H))
    else:
        first = list(rng.uniform(-2, 2, H))
    return [float(v) for v in first + list(rng.uniform(-2, 2, H)) + [rng.uniform(-1, 1)]]


def _same(a, b) -> bool:
    """Exactly the same value (balls: midpoint and radius; series, jets: entrywise)."""
    if isinstance(a, Jet) or isinstance(b, Jet):
        return (isinstance(a, Jet) and isinstance(b, Jet) and _same(a.val, b.val)
                and len(a.der) == len(b.der) and all(map(_same, a.der, b.der)))
    if isinstance(a, arb_series) or isinstance(b, arb_series):
        return (isinstance(a, arb_series) and isinstance(b, arb_series)
                and a.prec == b.prec and a.length() == b.length()
                and all(_same(a[k], b[k]) for k in range(a.length())))
    if isinstance(a, arb) or isinstance(b, arb):
        a, b = arb(a), arb(b)
        if a.is_nan() or b.is_nan():
            return a.is_nan() and b.is_nan()
        return bool(a.mid() == b.mid() and a.rad() == b.rad())
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return bool(np.array_equal(np.asarray(a, float), np.asarray(b, float), equal_nan=True))
    return a == b or (a != a and b != b)


def _all_same(xs, ys) -> bool:
    return len(xs) == len(ys) and all(_same(x, y) for x, y in zip(xs, ys))


def _fresh(F):
    """``F`` with its programs forgotten (a new trace for every piece)."""
    F.moments.programs.clear()
    return F


def _series_of(x: arb, rng: np.random.Generator, length: int) -> arb_series:
    return arb_series([x] + [arb(float(c)) for c in rng.uniform(-1, 1, length - 1)],
                      prec=length)


def _evaluations(F, rng: np.random.Generator, y: list[float]):
    """``(arithmetic, input)`` pairs of one state in every arithmetic the kernel has."""
    n = len(y)
    balls = [arb(v) for v in y]
    box = [arb(v, float(r)) for v, r in zip(y, rng.uniform(0, 1e-3, n))]
    J = JetArithmetic(BallArithmetic(), n)
    S = SeriesArithmetic(6)
    JS = JetArithmetic(S, n)
    series = [_series_of(x, rng, 6) for x in balls]
    out = [(FloatArithmetic(), list(y)), (MpmathArithmetic(), [mpmath.mpf(v) for v in y]),
           (BallArithmetic(), balls), (BallArithmetic(), box),
           (J, [J.variable(i, x) for i, x in enumerate(box)]),
           (S, series), (JS, [JS.variable(i, s) for i, s in enumerate(series)])]
    return out


def _call(f, ar, ys):
    try:
        return f(ar, ys)
    except NotOnePiece as e:
        return ("NotOnePiece", str(e))


@pytest.mark.parametrize("name,flow,H", [
    ("x2", "normalized", 1), ("x2", "normalized", 3), ("abs", "normalized", 2),
    ("pwl", "normalized", 2), ("sin", "normalized", 2), ("ei", "normalized", 1),
    ("density", "normalized", 2), ("x2", "standard", 2), ("pwl", "standard", 1),
    ("abs", "normalized-weights", 2),
])
def test_program_is_the_kernel_bit_for_bit(name, flow, H):
    """Every arithmetic, points and boxes, random states (many pieces): the program's
    result is the kernel's, and a second pass (pieces now cached) gives it again."""
    p = _problem(name, H)
    F = _fresh(p.vector_field(flow=flow))
    rng = np.random.default_rng(hash((name, flow, H)) % 2**32)
    with precision(53), series_cap(6):
        cases = [c for _ in range(12) for c in _evaluations(F, rng, _state(rng, flow, H))]
        first = [_call(F, ar, ys) for ar, ys in cases]
        for (ar, ys), got in zip(cases, first):
            want = _call(F.kernel, ar, ys)
            assert type(got) is type(want)
            assert _all_same(got, want) if isinstance(got, list) else got == want, ar.name
        again = [_call(F, ar, ys) for ar, ys in reversed(cases)]
        for got, want in zip(reversed(again), first):
            assert _all_same(got, want) if isinstance(got, list) else got == want
    assert F.program().pieces  # something was traced


def test_side_fields_are_the_kernel():
    """The live and dead side fields of a dying neuron (analytic continuation across its
    surface) in balls, series and jets of series."""
    p = Problem("x**2", width=2)
    F = p.vector_field()
    rng = np.random.default_rng(5)
    y = [0.6, 1.0, 0.5, 0.3, 0.2]
    with precision(53), series_cap(6):
        for side in ("live", "dead"):
            Fs = _fresh(F.side(1, side))
            for _ in range(5):
                z = [v + float(d) for v, d in zip(y, rng.uniform(-0.05, 0.05, 5))]
                for ar, ys in _evaluations(Fs, rng, z)[2:]:
                    got, want = _call(Fs, ar, ys), _call(Fs.kernel, ar, ys)
                    assert _all_same(got, want) if isinstance(got, list) else got == want


def test_history_does_not_change_results():
    """Programs traced from other states, in any order, never change a result: the same
    states evaluated after different histories give identical balls."""
    p = Problem("Abs(x - 1/3)", width=2)
    rng = np.random.default_rng(11)
    states = [[arb(float(v), float(r)) for v, r in zip(_state(rng, "normalized", 2),
                                                       rng.uniform(0, 0.3, 5))]
              for _ in range(40)]
    B = BallArithmetic()
    F = _fresh(p.vector_field())
    forward = [F(B, s) for s in states]
    F = _fresh(p.vector_field())
    backward = [F(B, s) for s in reversed(states)][::-1]
    for a, b, s in zip(forward, backward, states):
        assert _all_same(a, b)
        assert _all_same(a, F.kernel(B, s))


def test_a_ball_across_a_surface_is_the_union_of_the_pieces():
    """A ball that contains states on both sides of a kink's surface is evaluated by the
    kernel, which unites the cases: it contains the field at points of both sides, and
    the dead end it leaves behind sends the next such ball to the kernel directly."""
    p = Problem("x**2", width=1)
    F = _fresh(p.vector_field())
    B = BallArithmetic()
    # phi = -0.1: kink -b/w = tan(0.1) ~ 0.1 inside [0, 1]; phi = 0.1: kink outside.
    box = [arb(0, 0.1), arb("0.5"), arb("0.2")]
    got = F(B, box)
    assert _all_same(got, F.kernel(B, box))
    for phi in (-0.1, -0.03, 0.0, 0.05, 0.1):
        pt = F(B, [arb(phi), arb("0.5"), arb("0.2")])
        assert all(g.contains(v) for g, v in zip(got, pt))
    pieces = F.program().pieces[("BallArithmetic", 53)]
    assert any(pc.dead_end for pc in pieces)
    n_before = len(pieces)
    assert _all_same(F(B, [arb(0, 0.09), arb("0.5"), arb("0.2")]),
                     F.kernel(B, [arb(0, 0.09), arb("0.5"), arb("0.2")]))
    assert len(F.program().pieces[("BallArithmetic", 53)]) == n_before


def test_a_piece_is_not_used_outside_its_region():
    """Tamper with the decisions: a piece whose recorded outcome is flipped no longer
    matches its own states, which then get the kernel's value, never the piece's."""
    p = Problem("x**2", width=1)
    F = _fresh(p.vector_field())
    B = BallArithmetic()
    inside = [arb("-0.4"), arb("0.5"), arb("0.2")]   # kink tan(0.4) ~ 0.42 in [0, 1]
    outside = [arb("0.4"), arb("0.5"), arb("0.2")]   # kink outside: fully active
    F(B, inside)
    (piece,) = F.program().pieces[("BallArithmetic", 53)]
    status, _ = piece.replay(B, outside)
    assert status == "miss"
    assert _all_same(F(B, outside), F.kernel(B, outside))
    assert not _all_same(F(B, outside), piece.formula(B, outside))


def test_batch_uses_a_piece_only_when_every_state_is_in_it():
    p = Problem("sin(3*x)", width=2)
    F = _fresh(p.vector_field())
    Bt = BatchArithmetic()
    same_piece = [np.array([-2.01, -2.0, -2.02]), np.array([-0.75, -0.74, -0.76]),
                  np.array([-0.55, -0.5, -0.6]), np.array([0.57, 0.5, 0.6]),
                  np.array([-0.32, -0.3, -0.2])]
    rng = np.random.default_rng(2)
    mixed = [rng.uniform(-3, 3, 40) for _ in range(5)]
    for ys in (same_piece, mixed):
        got, want = F(Bt, ys), F.kernel(Bt, ys)
        assert all(np.allclose(g, w, rtol=1e-14, atol=1e-15) for g, w in zip(got, want))
    assert F.program().find(Bt, same_piece)[0] is not None
    assert F.program().find(Bt, mixed)[0] is None


def test_programs_are_not_used_for_taylor_cell_moments():
    p = Problem("sqrt(1 + x**4)")
    F = p.vector_field()
    assert F.program() is None
    y = [arb("0.6"), arb("0.5"), arb("0.2")]
    assert _all_same(F(BallArithmetic(), y), F.kernel(BallArithmetic(), y))


def test_untraceable_callable_is_evaluated_as_is():
    """A function that inspects its values is not traced (a dead end sends it to
    itself), and the program returns its results."""
    def fn(ar, ys):
        return [ys[0] * 2 if float(ys[0]) > 0 else ys[0]]
    prog = Program(fn)
    assert prog(FloatArithmetic(), [3.0]) == [6.0]
    assert prog(FloatArithmetic(), [-3.0]) == [-3.0]


# -- containment (python-flint style) ---------------------------------------------------

def _points(rng, box, k):
    """``k`` exact points of the box (its corners among them)."""
    lo = [float(b.lower()) for b in box]
    hi = [float(b.upper()) for b in box]
    corners = [list(c) for c in itertools.islice(itertools.product(*zip(lo, hi)), k // 2)]
    return corners + [list(rng.uniform(lo, hi)) for _ in range(k - len(corners))]


@pytest.mark.parametrize("name,H", [("x2", 1), ("pwl", 2), ("sin", 2), ("ei", 1)])
def test_field_contains_reference_at_sampled_points(name, H):
    """``-grad L(x)`` from the independent mpmath reference lies in ``F(X)`` for
    sampled points ``x`` of boxes ``X`` (some across switching surfaces)."""
    p = _problem(name, H)
    F = _fresh(p.vector_field())
    target, density = PROBLEMS[name]
    reference = Reference(target, (0, 1), density, _breaks(name))
    rng = np.random.default_rng(7)
    B = BallArithmetic()
    for _ in range(4):
        y = _state(rng, "normalized", H)
        box = [arb(v, 0.02) for v in y]
        FX = F(B, box)
        for x in _points(rng, box, 4):
            _, g = reference.risk_gradient_mp(x, "normalized")
            for i, v in enumerate(g):
                assert FX[i].contains(arb(-float(v))) or _close(FX[i], -float(v)), (x, i)


def _breaks(name):
    return {"abs": [Fraction(1, 3)], "pwl": [Fraction(1, 3), Fraction(2, 3)]}.get(name, [])


def _close(ball: arb, v: float) -> bool:
    """The reference is mpmath quadrature (~1e-20): accept its own error."""
    return float(ball.lower()) - 1e-15 <= v <= float(ball.upper()) + 1e-15


def test_derivative_programs_contain_point_derivatives():
    """The forward-mode derivative programs over a box contain the jets' derivatives
    at sampled points (first and second order), and agree with jets over the box."""
    p = Problem("sin(3*x)", width=2)
    F = _fresh(p.vector_field())
    rng = np.random.default_rng(3)
    y = [-2.01, -0.75, -0.55, 0.57, -0.32]
    box = [arb(v, 1e-3) for v in y]
    B = BallArithmetic()
    _, piece = F.piece(B, box)
    n = len(y)
    out1, out2 = piece.formula(B, box, 1), piece.formula(B, box, 2)
    J = JetArithmetic(B, n)
    jets = F.kernel(J, [J.variable(i, x) for i, x in enumerate(box)])
    for i in range(n):
        for j in range(n):
            d = out1[n + i * n + j]
            d = arb(0) if d is None else arb(d)
            assert d.overlaps(jets[i].der[j] if isinstance(jets[i], Jet) else arb(0))
    for x in _points(rng, box, 6):
        xb = [arb(v) for v in x]
        J2 = JetArithmetic(JetArithmetic(B, n), n)
        ys = [Jet(JetArithmetic(B, n).variable(i, v),
                  tuple(Jet(arb(1 if i == j else 0), (arb(0),) * n) for j in range(n)))
              for i, v in enumerate(xb)]
        pt = F.kernel(J2, ys)
        for i in range(n):
            for j in range(n):
                for m in range(n):
                    want = _taylor.jet_parts(_taylor.jet_parts(pt[i], n)[1][j], n)[1][m]
                    got = out2[n + n * n + (n + i * n + j) * n + m]
                    got = arb(0) if got is None else arb(got)
                    assert got.contains(arb(want).mid()) or got.overlaps(arb(want))


def _boxes(rng, y0, radii):
    return [[arb(v + float(d), r) for v, d in zip(y0, rng.uniform(-0.05, 0.05, len(y0)))]
            for r in radii]


CASES = [("x**2", 1, [0.6, 0.5, 0.2]), ("sin(3*x)", 2, [-2.01, -0.75, -0.55, 0.57, -0.32]),
         ("x**2", 3, [0.3, -2.0, 2.5, 0.5, -0.4, 0.3, 0.1])]


@pytest.mark.parametrize("target,H,y0", CASES)
def test_coefficients_contain_sampled_points(target, H, y0):
    """The coefficients over a box contain those at sampled exact points: solution
    (order 21, blocked), first variational (q = 10) and second variational (q = 6)."""
    F = _fresh(Problem(target, width=H).vector_field())
    rng = np.random.default_rng(13)
    for box in _boxes(rng, y0, (1e-6, 1e-3)):
        vals, ders = _taylor.variational_coefficients(F, box, 21, 10)
        hess = _taylor.hessian_coefficients(F, box, 6)
        for x in _points(rng, box, 4):
            xb = [arb(v) for v in x]
            pv, pd = ref.variational_coefficients(F.kernel, xb, 21, 10)
            ph = ref.hessian_coefficients(F.kernel, xb, 6)
            n = len(x)
            assert all(vals[i][k].overlaps(pv[i][k]) for i in range(n) for k in range(22))
            assert all(ders[i][j][k].overlaps(pd[i][j][k])
                       for i in range(n) for j in range(n) for k in range(11))
            assert all(hess[i][j][m][k].overlaps(ph[i][j][m][k]) for i in range(n)
                       for j in range(n) for m in range(n) for k in range(7))


def _ratios(new, old):
    return [float(a.rad()) / float(b.rad()) for a, b in zip(new, old) if b.rad() > 0]


@pytest.mark.parametrize("target,H,y0", CASES)
def test_new_coefficients_overlap_the_reference_and_are_not_looser(target, H, y0):
    """Seeded grid of boxes (radii 0 to 5e-2): every new enclosure overlaps the
    reference one, and the new radii are not larger on the whole (geometric mean of
    the ratios at most 1, no ratio above 1.5)."""
    F = _fresh(Problem(target, width=H).vector_field())
    rng = np.random.default_rng(17)
    n = len(y0)
    ratios: list[float] = []
    for box in _boxes(rng, y0, (0.0, 1e-12, 1e-6, 1e-3, 2e-2, 5e-2)):
        try:
            vals, ders = _taylor.variational_coefficients(F, box, 20, 10)
        except NotOnePiece:
            with pytest.raises(NotOnePiece):
                ref.variational_coefficients(F.kernel, box, 20, 10)
            continue
        rv, rd = ref.variational_coefficients(F.kernel, box, 20, 10)
        new = [vals[i][k] for i in range(n) for k in range(21)]
        new += [ders[i][j][k] for i in range(n) for j in range(n) for k in range(11)]
        old = [rv[i][k] for i in range(n) for k in range(21)]
        old += [rd[i][j][k] for i in range(n) for j in range(n) for k in range(11)]
        if max(float(b.rad()) for b in box) <= 1e-3:
            h_new = _taylor.hessian_coefficients(F, box, 5)
            h_old = ref.hessian_coefficients(F.kernel, box, 5)
            idx = list(itertools.product(range(n), range(n), range(n), range(6)))
            new += [h_new[i][j][m][k] for i, j, m, k in idx]
            old += [h_old[i][j][m][k] for i, j, m, k in idx]
        assert all(a.overlaps(b) for a, b in zip(new, old))
        ratios += _ratios(new, old)
    assert ratios
    assert max(ratios) <= 1.5
    assert math.exp(sum(math.log(max(r, 1e-300)) for r in ratios) / len(ratios)) <= 1.0


def test_plain_and_blocked_recursions_agree():
    """The blocked recursion (several coefficients per evaluation, from ``DF`` along
    the solution) and one evaluation per order give overlapping coefficients."""
    F = _fresh(Problem("sin(3*x)", width=2).vector_field())
    box = [arb(v, 1e-4) for v in (-2.01, -0.75, -0.55, 0.57, -0.32)]
    plain = _taylor.solution(F, box, 21, 0)[0]
    for r in (1, 2, 5, 10, 21):
        blocked = _taylor.solution(F, box, 21, r)[0]
        assert all(a.overlaps(b) for ca, cb in zip(plain, blocked) for a, b in zip(ca, cb))
