"""``verifier derive --latex``: a compilable LaTeX fragment, and region conditions without
redundancy (``simplify_conditions`` is exact: checked against the raw conjunction)."""

from __future__ import annotations

import re
import shutil
import subprocess
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from verifier.cli import main
from verifier.symbolic.explicit import simplify_conditions
from verifier.symbolic.latex import conditions_tex, conditions_text, coordinate_tex

E = sp.Symbol("e", real=True)
U = sp.Symbol("u", real=True)


# -- simplify_conditions -------------------------------------------------------------------
def test_only_the_binding_bounds_remain():
    assert simplify_conditions([E >= 0, E >= 1]) == [sp.Ge(E, 1, evaluate=False)]
    third = sp.Rational(1, 3)
    got = simplify_conditions([E >= 0, E < 1, sp.Le(third, E, evaluate=False), sp.Lt(0, E)])
    assert got == [sp.Ge(E, third, evaluate=False), sp.Lt(E, 1, evaluate=False)]
    got = simplify_conditions([sp.Lt(0, E), E < 1, E <= third])
    assert got == [sp.Gt(E, 0, evaluate=False), sp.Le(E, third, evaluate=False)]
    # at equal constants the strict bound is the binding one
    assert simplify_conditions([E >= 1, E > 1]) == [sp.Gt(E, 1, evaluate=False)]
    assert simplify_conditions([E < 1, E <= 1]) == [sp.Lt(E, 1, evaluate=False)]
    # exact constants are compared exactly: 1 > sqrt(2)/2
    assert simplify_conditions([E >= sp.sqrt(2) / 2, E >= 1]) == [sp.Ge(E, 1, evaluate=False)]
    # a relation between two expressions is kept as is, once
    rel = sp.Ge(E, U, evaluate=False)
    assert simplify_conditions([rel, E >= 0, rel]) == [sp.Ge(E, 0, evaluate=False), rel]


def _holds(conds, values: dict) -> bool:
    return all(bool(c.subs(values)) for c in conds)


@pytest.mark.parametrize("seed", range(8))
def test_simplified_conjunction_is_equivalent(seed):
    """Random conjunctions of bounds on two expressions: the simplified list holds at
    exactly the same rational points (constants and points on a grid that hits the
    bounds themselves, where strictness matters)."""
    rng = np.random.default_rng(seed)
    ops = [sp.Ge, sp.Gt, sp.Le, sp.Lt]
    conds = []
    for _ in range(6):
        sym = E if rng.random() < 0.6 else U
        k = sp.Rational(int(rng.integers(-4, 5)), 2)
        op = ops[int(rng.integers(4))]
        conds.append(op(sym, k, evaluate=False) if rng.random() < 0.5
                     else op(k, sym, evaluate=False))
    simple = simplify_conditions(conds)
    assert len(simple) <= 4  # at most one lower and one upper bound per expression
    grid = [sp.Rational(n, 4) for n in range(-12, 13)]
    for e in grid:
        for u in grid[::3]:
            assert _holds(conds, {E: e, U: u}) == _holds(simple, {E: e, U: u}), (conds, simple)


def test_conditions_are_printed_as_chains():
    k = -sp.Symbol("b_1", real=True) / sp.Symbol("w_1", real=True)
    conds = simplify_conditions([sp.Lt(0, k), k < 1, k <= sp.Rational(1, 3),
                                 sp.Symbol("w_1", real=True) < 0])
    assert conditions_text(conds) == "0 < -b_1/w_1 <= 1/3, w_1 < 0"
    assert conditions_tex(conds) == r"0 < - \frac{b_{1}}{w_{1}} \leq \frac{1}{3},\ w_{1} < 0"
    assert conditions_text([]) == "everywhere" and coordinate_tex("phi_2") == r"\varphi_{2}"


# -- the fragment ----------------------------------------------------------------------------
CASES = [
    ["--target", "x**2"],
    ["--target", "Abs(x - 1/3)", "--flow", "standard"],
    ["--target", "exp(x)/(1 + x)", "--density", "2*x"],
    ["--target", "sqrt(1 + x**4)", "--flow", "normalized-weights", "--signs", "1"],
    ["--target", "Piecewise((x, x < 1/2), (1 - x, True))"],
    ["--target", "x**2", "--width", "2"],
    ["--target", "sin(3*x)", "--width", "3"],  # antiderivatives only
]


def _fragment(argv, capsys) -> str:
    assert main(["derive", *argv, "--latex"]) == 0
    return capsys.readouterr().out


def _body(tex: str) -> str:
    """The fragment without its ``%`` comment lines."""
    return "\n".join(line for line in tex.splitlines() if not line.startswith("%"))


def _check_structure(tex: str) -> None:
    body = _body(tex)
    stack = []
    for kind, env in re.findall(r"\\(begin|end)\{([a-z*]+)\}", body):
        if kind == "begin":
            stack.append(env)
        else:
            assert stack and stack.pop() == env, f"\\end{{{env}}} does not close the last begin"
    assert not stack, f"unclosed environments {stack}"
    depth = 0
    for ch in body.replace(r"\{", "").replace(r"\}", ""):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0
    assert depth == 0
    assert body.count(r"\left") == body.count(r"\right")
    assert body.count("$") % 2 == 0
    # no Python or SymPy text
    for bad in ("**", "sqrt(", "Abs(", "Piecewise(", "dL/d", ">=", "<=", "True", "Problem("):
        assert bad not in body, bad
    assert not re.search(r"\bphi_|\bphi\d", body)
    # alignment tabs only inside aligned/cases
    outside = re.sub(r"\\begin\{(aligned|cases)\}.*?\\end\{\1\}", "", body, flags=re.S)
    assert "&" not in outside and "\\\\" not in outside


@pytest.mark.parametrize("argv", CASES, ids=lambda a: " ".join(a))
def test_fragment_structure(argv, capsys):
    tex = _fragment(argv, capsys)
    _check_structure(tex)
    body = _body(tex)
    assert r"\begin{aligned}" in body and r"\int f^{2} p\,dx" in body
    explicit = "--width" not in argv or argv[argv.index("--width") + 1] != "3"
    assert (r"L = \begin{cases}" in body) == explicit
    if "--width" in argv and argv[-1] == "3":
        assert "% (explicit Piecewise forms are printed for width <= 2)" in tex


def test_fragment_of_x2_names_the_binding_conditions(capsys):
    body = _body(_fragment(["--target", "x**2"], capsys))
    rows = re.findall(r"^  L_\{\d\} & \\text\{if \} (.*)$", body, flags=re.M)
    assert len(rows) == 6
    # the kernel's raw conditions -sin/cos >= 0 and -sin/cos >= 1 become one
    kink = r"- \frac{\sin{\left(\varphi_{1} \right)}}{\cos{\left(\varphi_{1} \right)}}"
    assert rows[0] == rf"\cos{{\left(\varphi_{{1}} \right)}} \geq 0,\ {kink} \geq 1,\\"
    assert all(r.count(kink) == 1 for r in rows)
    # regions with the same formulas share one piece: 6 regions, 4 pieces
    assert "6 switching regions of positive measure, 4 distinct analytic pieces" in body
    assert body.count(r"\begin{equation*}") == 1 + 1 + 4


def test_text_output_simplified_too(capsys):
    assert main(["derive", "--target", "x**2"]) == 0
    out = capsys.readouterr().out
    assert "region 1: cos(phi_1) >= 0, -sin(phi_1)/cos(phi_1) >= 1\n" in out
    assert "region 5: cos(phi_1) < 0, 0 < -sin(phi_1)/cos(phi_1) < 1\n" in out


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="no LaTeX engine (pdflatex)")
@pytest.mark.parametrize("argv", [CASES[1], CASES[4], CASES[5]], ids=lambda a: " ".join(a))
def test_fragment_compiles(argv, capsys, tmp_path):
    (tmp_path / "forms.tex").write_text(_fragment(argv, capsys), encoding="utf-8")
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n"
        "\\input{forms}\n\\end{document}\n", encoding="utf-8")
    r = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120)
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert r.returncode == 0, log[-2000:]
    assert "Undefined control sequence" not in log and "Missing $" not in log
    assert (tmp_path / "doc.pdf").stat().st_size > 1000


def test_frac_of_rationals_is_exact():
    # the fragment's constants are SymPy's exact rationals, never floats
    assert conditions_tex([sp.Ge(E, Fraction(1, 3))]) == r"e \geq \frac{1}{3}"
