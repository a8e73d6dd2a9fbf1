"""Problem construction: hypotheses are checked, bad input gets one line."""

from __future__ import annotations

import os

import pytest
import sympy as sp

from verifier import Problem
from verifier.cli import main


def _one_line_error(excinfo) -> str:
    msg = str(excinfo.value)
    assert "\n" not in msg and msg
    return msg


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"domain": (1, 0)}, "a < b"),
        ({"domain": (0, 0)}, "a < b"),
        ({"domain": ("0", "oo")}, "domain"),
        ({"domain": (0, 1, 2)}, "pair"),
        ({"density": "x - 1/2"}, "negative"),
        ({"density": "0"}, "zero mass"),
        ({"density": "1/x"}, "infinite"),
        ({"density": "1/sqrt(x)"}, "unbounded near x = 0"),
        ({"target": "1/x"}, "undefined at x = 0"),
        ({"target": "log(x - 1/2)"}, "undefined"),
        ({"target": "sqrt(x - 2)"}, "undefined"),
        ({"target": "sign(x - 1/2)"}, "discontinuous at x = 1/2"),
        ({"target": "Heaviside(x - 1/2)"}, "discontinuous at x = 1/2"),
        ({"target": "Piecewise((x, x < 1/2), (x + 1, True))"}, "discontinuous"),
        ({"target": "sqrt(x)"}, "not Lipschitz"),
        ({"target": "x**(1/3)"}, "not Lipschitz"),
        ({"target": "x**(1/3)", "domain": (-1, 1)}, "undefined at x = -1"),
        ({"width": 0}, "width"),
        ({"width": 1.5}, "width"),
        ({"width": True}, "width"),
        ({"target": "x**"}, "target"),
        ({"target": "y**2"}, "y"),
        ({"target": "__import__('os').system('echo pwned')"}, "target"),
    ],
)
def test_bad_input_one_line(kwargs, needle):
    with pytest.raises(ValueError) as excinfo:
        Problem(**kwargs)
    msg = _one_line_error(excinfo)
    assert needle in msg, msg


def test_injection_executes_nothing(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append(a) or 0)
    marker = tmp_path / "pwned"
    for text in [
        "__import__('os').system('echo pwned')",
        f"open('{marker}', 'w').write('x')",
        "x.__class__.__mro__",
        "(lambda: 1)()",
    ]:
        with pytest.raises(ValueError):
            Problem(target=text)
    assert not calls and not marker.exists()


def test_density_is_normalized_and_exact():
    p = Problem("x", domain=("0", "2"), density="x")
    assert sp.simplify(p.density_expr - sp.Symbol("x", real=True) / 2) == 0
    u = Problem("x", domain=("-1", "2"))
    assert u.density_expr == sp.Rational(1, 3)


def test_lipschitz_bound_is_an_upper_bound():
    for target, true_L in [("x**2", 2), ("Abs(x - 1/3)", 1), ("sin(3*x)", 3), ("exp(x)", sp.E)]:
        p = Problem(target)
        L = p.lipschitz_bound
        assert L >= float(true_L) * (1 - 1e-15)  # never below the truth
        assert float(L) <= float(true_L) * (1 + 1e-4)  # and not silly


def test_lipschitz_piecewise():
    p = Problem("Piecewise((2*x, x < 1/3), (1 - x, x < 2/3), (x - 1/3, True))")
    assert 2 <= float(p.lipschitz_bound) <= 2 * (1 + 1e-4)
    assert [str(c) for c in p.target_pieces.cuts] == ["0", "1/3", "2/3", "1"]


def test_round_trip_through_dict():
    p = Problem("Abs(x - 1/3)", domain=("-1/2", "3/2"), density="2 + x", width=2)
    q = Problem.from_dict(p.to_dict())
    assert q.digest == p.digest
    y = [0.1, 0.2, 0.3, -0.4, 0.5]
    assert q.risk(y) == p.risk(y)


def test_fallback_is_reported():
    p = Problem("sqrt(1 + x**4)")
    assert not p.moments.closed_form
    assert "Taylor-cell model" in p.describe()
    q = Problem("exp(x)/(1+x)")
    assert q.moments.closed_form
    assert any(c.closed[3].has(sp.Ei) for c in q.moments.cells)


def test_state_length_checked():
    p = Problem("x**2", width=2)
    with pytest.raises(ValueError, match="needs 5 coordinates"):
        p.gradient([0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="flow"):
        p.gradient([0.1] * 5, flow="sideways")
    with pytest.raises(ValueError, match="signs"):
        p.gradient([0.1] * 5, flow="normalized-weights", signs=[1, 2])


@pytest.mark.parametrize(
    "argv",
    [
        ["derive", "--target", "1/x"],
        ["derive", "--target", "sign(x - 1/2)"],
        ["derive", "--target", "x**2", "--width", "0"],
        ["derive", "--target", "x**2", "--domain", "1,0"],
        ["derive"],
        ["derive", "--example", "nope"],
        ["derive", "--target", "__import__('os').system('echo pwned')"],
    ],
)
def test_cli_bad_input(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


def test_cli_derive(capsys):
    assert main(["derive", "--target", "x**2"]) == 0
    out = capsys.readouterr().out
    assert "P_0" in out and "dL/dphi_1" in out and "region 3" in out
    assert main(["derive", "--target", "Abs(x - 1/3)", "--latex", "--flow", "standard"]) == 0
    out = capsys.readouterr().out
    assert "\\frac" in out and r"\frac{\partial L_{1}}{\partial w_{1}}" in out


def test_cli_examples_run_with_their_initial_state(capsys):
    assert main(["simulate", "--example", "abs", "--horizon", "1"]) == 0
    assert "status: success" in capsys.readouterr().out
    assert main(["integrate", "--example", "x2", "--horizon", "1/2"]) == 0
    assert "final enclosure" in capsys.readouterr().out
    assert main(["integrate", "--example", "x2", "--width", "2", "--horizon", "1"]) == 2
    assert "give --init" in capsys.readouterr().err
