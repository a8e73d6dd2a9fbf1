"""The API takes what users hold: number objects (NumPy, Fraction, arb, SymPy rationals),
SymPy targets in any one real symbol, and Certificate objects for ``check``."""

from __future__ import annotations

import copy
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from flint import arb, fmpq

from verifier import Certificate, Problem, certify, check, check_certificate, integrate
from verifier.arith.numbers import NumberError, exact_number, exact_text, parse_horizon
from verifier.expr import X

P = Problem("x**3 - x")


# -- numbers --------------------------------------------------------------------------
@pytest.mark.parametrize("value,exact", [
    (np.float64(2.5), Fraction(5, 2)),
    (np.float32(0.1), Fraction(13421773, 134217728)),
    (0.1, Fraction(3602879701896397, 36028797018963968)),
    (np.longdouble(1) / 4, Fraction(1, 4)),
    (np.int64(-7), Fraction(-7)),
    (np.array(2.5), Fraction(5, 2)),
    (np.array(3), Fraction(3)),
    (Fraction(1, 3), Fraction(1, 3)),
    (sp.Rational(-2, 3), Fraction(-2, 3)),
    (sp.Integer(4), Fraction(4)),
    (fmpq(5, 7), Fraction(5, 7)),
    (arb(3) / 8, Fraction(3, 8)),
    (12, Fraction(12)),
])
def test_exact_number_is_the_exact_value(value, exact):
    assert exact_number(value) == exact
    assert type(exact_number(value)) is Fraction


@pytest.mark.parametrize("value,fragment", [
    (True, "not a number"), (np.bool_(True), "not a number"), (float("inf"), "not finite"),
    (np.float64("nan"), "not finite"), (arb(1) / 3, "not an exact number"),
    (np.array([1.0, 2.0]), "not a number"), (object(), "not a number"),
    (arb(2) ** (10**6), "exponent"),
])
def test_exact_number_refuses(value, fragment):
    with pytest.raises(NumberError, match=fragment):
        exact_number(value)


def test_a_float_is_stored_by_its_exact_binary_value():
    """0.1 is not one tenth: the certificate states the binary value it enclosed (a
    conversion by ``repr`` would claim 1/10, which the tube did not start from)."""
    assert exact_text(0.1) == "0.1000000000000000055511151231257827021181583404541015625"
    assert Fraction(exact_text(0.1)) == Fraction(0.1)
    assert exact_text("0.1") == "0.1"
    assert exact_text(np.float64(2.5)) == "2.5" and exact_text(np.int64(-3)) == "-3"
    assert parse_horizon(np.float64(2.0)) == 2 and parse_horizon(np.int64(3)) == 3


@pytest.mark.parametrize("initial", [
    [np.float64(2.5), np.int64(1), np.float32(0)],
    np.array([2.5, 1.0, 0.0]),
    [np.array(2.5), np.array(1), 0],
    [Fraction(5, 2), arb(1), "0"],
    [sp.Rational(5, 2), sp.Integer(1), 0.0],
    "2.5,1,0",
])
def test_certify_takes_number_objects(initial):
    cert = certify(P, initial, horizon=np.float64(1), forever=False)
    assert cert.data["initial"] == ["2.5", "1", "0"]
    assert cert.data["horizon"] == "1"
    assert check(cert).ok


def test_boxes_as_arrays():
    """An ``(n, 2)`` array is a box of ``(lo, hi)`` rows; rows may mix with points."""
    for initial in (np.array([[2.49, 2.51], [1, 1], [0, 0]]),
                    [np.array([2.49, 2.51]), 1, 0]):
        tube = integrate(P, initial, horizon=1)
        assert tube.ok
        first = tube.initial[0]  # the hull of the exact binary values of 2.49 and 2.51
        assert first.contains(arb(2.49)) and first.contains(arb(2.51))
        assert not first.contains(arb(2.48)) and not first.contains(arb(2.52))


def test_certify_takes_a_box_array():
    cert = certify(P, np.array([[2.25, 2.5], [1, 1], [0, 0]]), horizon=1, forever=False)
    assert cert.data["initial"] == [["2.25", "2.5"], ["1", "1"], ["0", "0"]]
    assert check(cert).ok


def test_bad_number_objects_are_one_line_errors():
    with pytest.raises(ValueError, match="not a number"):
        integrate(P, [np.bool_(True), 1, 0], horizon=1)
    with pytest.raises(ValueError, match="not an exact number"):
        integrate(P, [2.5, 1, 0], horizon=arb(1) / 3)
    with pytest.raises(ValueError):
        integrate(P, np.zeros((3, 3)), horizon=1)


# -- SymPy targets --------------------------------------------------------------------
@pytest.mark.parametrize("sym", [sp.Symbol("x"), sp.Symbol("t", real=True), sp.Symbol("s"),
                                 X, sp.Dummy("u", real=True)])
def test_sympy_targets_in_any_real_symbol(sym):
    p = Problem(sym**3 - sym + sp.sin(sym) / 3, density=2 * sym)
    q = Problem("x**3 - x + sin(x)/3", density="2*x")
    assert p.to_dict() == q.to_dict()
    y = [0.3, -2.0, 0.1]
    assert p.risk(y) == q.risk(y)


@pytest.mark.parametrize("expr,fragment", [
    (sp.Abs(sp.Symbol("t", positive=True) - sp.Rational(1, 3)), "positive=True"),
    (sp.Symbol("x", integer=True) ** 2, "integer=True"),
    (sp.Symbol("t") * sp.Symbol("s"), "unknown symbol"),
])
def test_sympy_targets_refused(expr, fragment):
    with pytest.raises(ValueError, match=fragment):
        Problem(expr)


def test_positive_symbol_would_change_the_meaning():
    """Why a symbol with assumptions is refused: SymPy simplifies with them at
    construction, so the expression no longer is |t| on a domain with t < 0."""
    t = sp.Symbol("t", positive=True)
    assert sp.Abs(t) == t
    with pytest.raises(ValueError, match="assumptions"):
        Problem(sp.Abs(t), domain=("-1", "1"))
    assert Problem(sp.Abs(sp.Symbol("t")), domain=("-1", "1")).to_dict()["target"] == "Abs(x)"


# -- check takes a Certificate, a dict, a path --------------------------------------
@pytest.fixture(scope="module")
def cert():
    return certify(P, ["2.5", "1", "0"], horizon=2)


def test_check_takes_what_certify_returns(cert, tmp_path):
    path = cert.save(tmp_path / "c.json")
    for source in (cert, cert.data, str(path), path, Certificate.load(path)):
        for fn in (check, check_certificate):
            result = fn(source)
            assert result.ok, (type(source).__name__, fn.__name__, result)


def test_check_of_a_tampered_certificate_object_rejects(cert):
    """A Certificate object is checked by the JSON it would save: a strengthened bound is
    REJECTED, as it is from a file."""
    bad = Certificate(copy.deepcopy(cert.data))
    bad.data["bounds"]["c"] = "0.001"
    for fn in (check, check_certificate):
        result = fn(bad)
        assert not result.ok and "bound" in result.message


def test_check_of_anything_else_is_a_rejection_not_a_traceback(tmp_path):
    for source in (42, None, [1, 2], b"{}", object()):
        result = check(source)
        assert not result.ok and "give a certificate file" in result.message
    result = check(tmp_path / "missing.json")
    assert not result.ok

    class Broken:
        def to_json(self):
            return "{"

    assert "not valid JSON" in check(Broken()).message
    assert Path(tmp_path).exists()
