"""One meaning of the problem: targets whose conditions switch at poles, zeros of even
order, domain ends of their sides or discontinuities of both sides.

Each target of the family is either refused with one line, or split into pieces that
agree with an *independent* reading of the text: SymPy's own evaluation of the parsed
expression at rational points (SymPy evaluates ``Piecewise``, ``Abs``, ``sign`` and
``Heaviside`` natively, none of :mod:`verifier.field.pieces` is used) and the mean
of ``f`` by ``mpmath.quad`` on that evaluation. For a dead neuron the flow is
``c' = -2 (c - mean f)``, so a certificate must enclose ``c(T) = m (1 - e^(-2T))`` and
bound ``|c|`` by at least ``|m|`` forever: a wrong reading of the target (the false
``|c| <= 0.632`` of issue 13) is caught by that comparison.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import mpmath
import pytest
import sympy as sp

from verifier.arith.balls import BallArithmetic
from verifier.arith.precision import precision
from verifier.checker.check import check_certificate
from verifier.expr import X, parse_expression
from verifier.problem import Problem, ProblemError

ROOT = Path(__file__).resolve().parent.parent
P6 = sp.pi / 6

#: Refused targets: (text, a fragment of the one-line reason).
REFUSED = [
    ("Piecewise((10 - 29*x, 1/(3*x - 1) < 0), (x, True))", "x = 1/3"),
    ("Piecewise((x, tan(3*x) < 0), (1 - x, True))", "x = pi/6"),
    ("Piecewise((x, 1/(x - 1/2)**2 - 4 < 0), (1 - x, True))", "x = 1/2"),
    ("(x - 1/3)*sign(1/(3*x - 1))", "x = 1/3"),
    ("Piecewise((x, 1/(x - 1/3) < 1/(x - 2/3)), (1 - x, True))", "x = 1/3"),
    ("Piecewise((x, 1/x > 2), (1/2, True))", "x = 0"),
    ("Piecewise((0, x < 1/3), (1, True))", "discontinuous at x = 1/3"),
    ("Piecewise((1, Ne(x, 1/2)), (5, True))", "discontinuous at x = 1/2"),
    ("Piecewise((x, sin(1/x) > 0), (0, True))", "cannot locate"),
    ("Piecewise((x, log(x) < -1), (exp(-1), True))", "cannot prove"),
    ("Abs(x - 1/3) # + 5*x", "'#'"),
    ("\uff58**2", "U+FF58"),
    ("\ufeffx", "U+FEFF"),
]

#: Accepted targets: (text, points where the pieces may change, the exact mean or None).
ACCEPTED = [
    ("Piecewise((x, Eq(x, 1/3)), (10 - 29*x, 1/(3*x - 1) < 0), (x, True))",
     [sp.Rational(1, 3)], sp.Rational(39, 18)),
    ("(x - 1/3)*sign((x - 1/3)/(x - 2))", [sp.Rational(1, 3)], -sp.Rational(5, 18)),
    ("Piecewise((1/4, Eq(x, 1/2)), (1/4, 1/(x - 1/2)**2 > 16), (Abs(x - 1/2), True))",
     [sp.Rational(1, 4), sp.Rational(1, 2), sp.Rational(3, 4)], sp.Rational(5, 16)),
    ("Piecewise((x, Eq(x, 1/3 + pi/6)), (x + (x - 1/3)*(x - 1/3 - pi/6), tan(3*x - 1) < 0), "
     "(x, True))", [sp.Rational(1, 3), sp.Rational(1, 3) + P6], None),
    ("Piecewise((1/36, Eq(x, 1/3) | Eq(x, 2/3)), ((x - 1/2)**2, 1/(x - 1/3) < 1/(x - 2/3)), "
     "(1/36, True))", [sp.Rational(1, 3), sp.Rational(2, 3)], None),
    ("(x - 1/2)*Heaviside((2*x - 1)/(x + 1))", [sp.Rational(1, 2)], sp.Rational(1, 8)),
    ("Piecewise((x, sqrt(x) < 1/2), (1/4, True))", [sp.Rational(1, 4)], sp.Rational(7, 32)),
    ("Piecewise((x, (x - 1/2)**2 > 0), (1/2, True))", [], sp.Rational(1, 2)),
    ("Piecewise((x, asin(x) < 1/2), (sin(1/2), True))", [sp.sin(sp.Rational(1, 2))], None),
    ("Max(x, 1 - x, 3/4 - x**2)", [sp.Rational(1, 2)], sp.Rational(3, 4)),
]


def _direct(expr: sp.Expr, q: sp.Rational) -> mpmath.mpf:
    """SymPy's own value of the parsed target at a rational point."""
    return mpmath.mpf(sp.N(expr.subs(X, q), 40))


def _reference_mean(expr: sp.Expr, points) -> mpmath.mpf:
    """``int_0^1 f`` by ``mpmath.quad`` on SymPy's values, split at ``points``."""
    with mpmath.workdps(30):
        nodes = [0] + [mpmath.mpf(sp.N(p, 40)) for p in points] + [1]

        def f(t):
            return _direct(expr, sp.Rational(mpmath.nstr(t, 35)))

        return mpmath.quad(f, nodes)


@pytest.mark.parametrize(("text", "fragment"), REFUSED, ids=[t for t, _ in REFUSED])
def test_refused_with_one_line(text: str, fragment: str) -> None:
    with pytest.raises(ProblemError) as info:
        Problem(text)
    message = str(info.value)
    assert "\n" not in message and fragment in message, message


@pytest.mark.parametrize(("text", "points", "mean"), ACCEPTED, ids=[t for t, *_ in ACCEPTED])
def test_accepted_pieces_agree_with_sympy(text: str, points, mean) -> None:
    with mpmath.workdps(30):
        _accepted_pieces_agree_with_sympy(text, points, mean)


def _accepted_pieces_agree_with_sympy(text: str, points, mean) -> None:
    p = Problem(text)
    expr = parse_expression(text)
    cuts = [sp.N(c, 30) for c in p.target_pieces.cuts]
    # the pieces change only at the announced points
    assert set(p.target_pieces.breakpoints) <= set(points), p.target_pieces.breakpoints
    # pointwise: the piece containing q, evaluated exactly, is SymPy's value there
    for k in range(1, 60):
        q = sp.Rational(k, 60) + sp.Rational(1, 7919)
        i = max(j for j, c in enumerate(cuts[:-1]) if c <= q)
        ours = mpmath.mpf(sp.N(p.target_pieces.exprs[i].subs(X, q), 40))
        assert abs(ours - _direct(expr, q)) < mpmath.mpf(10) ** -25, (text, q)
    # the mean (Q_0(b) of the uniform density) against mpmath.quad of SymPy's values
    reference = _reference_mean(expr, points)
    if mean is not None:
        assert abs(reference - mpmath.mpf(sp.N(mean, 40))) < 1e-20
    with precision(128):
        _, q0 = p.moments.constants(BallArithmetic())
    mid = mpmath.mpf(q0.mid().str(40, radius=False))
    assert abs(mid - reference) <= mpmath.mpf(float(q0.rad())) + mpmath.mpf(10) ** -20, (
        text, q0, reference)


def _dead_neuron_claims(text: str, horizon: str, forever: bool) -> tuple[dict, mpmath.mpf]:
    """The checked certificate of a dead neuron (c(0) = 0) and the reference mean of f."""
    from verifier.certificates.certify import certify

    cert = certify(Problem(text), ["-2.5", "1", "0"], horizon, forever=forever)
    doc = json.loads(cert.to_json())
    assert check_certificate(doc).ok
    expr = parse_expression(text)
    points = next(pts for t, pts, _ in ACCEPTED if t == text)
    return doc, _reference_mean(expr, points)


def _assert_claims_hold(doc: dict, m: mpmath.mpf) -> None:
    with mpmath.workdps(30):
        _claims_hold(doc, m)


def _claims_hold(doc: dict, m: mpmath.mpf) -> None:
    T = mpmath.mpf(Fraction(doc["t_reached"]).numerator) / Fraction(doc["t_reached"]).denominator
    c_T = m * (1 - mpmath.exp(-2 * T))  # the dead neuron's c at T (c(0) = 0)
    lo, hi = (mpmath.mpf(Fraction(s).numerator) / Fraction(s).denominator
              for s in doc["final_enclosure"][-1])
    assert lo <= c_T <= hi, (lo, c_T, hi)
    Rc = mpmath.mpf(Fraction(doc["bounds"]["c"]).numerator) / Fraction(
        doc["bounds"]["c"]).denominator
    sup = abs(m) if doc["status"] == "bounded-forever" else abs(c_T)
    assert Rc >= sup, (Rc, sup)


def test_pole_switching_target_claims_hold_for_a_dead_neuron() -> None:
    text = ACCEPTED[0][0]
    doc, m = _dead_neuron_claims(text, "20", forever=True)
    assert doc["status"] == "bounded-forever"
    with mpmath.workdps(30):
        assert abs(m - mpmath.mpf(39) / 18) < 1e-20
    _assert_claims_hold(doc, m)


@pytest.mark.slow
@pytest.mark.parametrize("text", [t for t, *_ in ACCEPTED[1:]])
def test_family_claims_hold_for_a_dead_neuron(text: str) -> None:
    doc, m = _dead_neuron_claims(text, "6", forever=True)
    _assert_claims_hold(doc, m)


def test_committed_certificate_with_the_pole_target_is_rejected() -> None:
    doc = json.loads((ROOT / "proofs_data" / "h1-abs.json").read_text())
    assert check_certificate(doc).ok
    for text in (REFUSED[0][0], ACCEPTED[0][0]):
        bad = json.loads(json.dumps(doc))
        bad["problem"]["target"] = text
        r = check_certificate(bad)
        assert not r.ok, text
        assert "\n" not in r.message


def test_non_canonical_problem_text_is_rejected() -> None:
    doc = json.loads((ROOT / "proofs_data" / "h1-abs.json").read_text())
    for key, value in (("target", "Abs(x-1/3)"), ("target", "abs(x - 1/3)"),
                       ("target", "Abs(1/3 - x)"), ("domain", ["0", "1.0"]),
                       ("domain", ["0/1", "1"])):
        bad = json.loads(json.dumps(doc))
        bad["problem"][key] = value
        r = check_certificate(bad)
        assert not r.ok and "canonical" in r.message, (key, value, r.message)


def test_density_mass_is_proven_not_trusted(monkeypatch: pytest.MonkeyPatch) -> None:
    p = Problem("x**2", density="exp(x)")
    with precision(128):
        (p0,) = p.moments.at(BallArithmetic(), BallArithmetic().const(sp.Integer(1)), ks=(0,))
    assert p0.contains(1) and p0.rad() < 1e-30
    real = sp.integrate

    def wrong(e, *args, **kw):  # a definite integral off by 1e-25
        out = real(e, *args, **kw)
        return out * (1 + sp.Rational(1, 10**25)) if args and isinstance(args[0], tuple) \
            else out

    import verifier.problem as problem_module

    monkeypatch.setattr(problem_module.sp, "integrate", wrong)
    with pytest.raises(ProblemError, match="not proven to be 1"):
        Problem("x**2", density="exp(x) + 0*x**3")
