"""LaTeX for papers: coordinate names, expressions, region conditions, the derived forms.

One notation everywhere (``verifier derive --latex``, the Jupyter displays, the figures'
mathtext labels): the angle of neuron ``j`` is ``\\varphi_{j}``, other coordinates keep
their letter (``v_{j}``, ``w_{j}``, ``b_{j}``, ``c``), and expressions are printed by
:func:`sympy.latex` (exact: nothing here evaluates or rounds).

:func:`derive_fragment` writes the closed forms of a problem as a LaTeX fragment to
``\\input`` into a document that loads ``amsmath``: prose in text mode, the
antiderivatives in an ``aligned`` display, the risk as ``cases`` over the switching
regions, and each distinct analytic piece with its gradient in an ``aligned`` display.
Diagnostics (the problem's description) are ``%`` comments.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import sympy as sp

#: Coordinate letters printed as Greek letters.
GREEK = {"phi": r"\varphi", "theta": r"\theta"}

_NAME = re.compile(r"([A-Za-z]+)_?(\d*)")


def coordinate_tex(name: str) -> str:
    """LaTeX of a coordinate name: ``phi_1`` and ``phi1`` give ``\\varphi_{1}``, ``v_2``
    gives ``v_{2}``, ``c`` gives ``c``. Other names are returned unchanged."""
    m = _NAME.fullmatch(name)
    if m is None:
        return name
    base, idx = m.groups()
    base = GREEK.get(base, base)
    return f"{base}_{{{idx}}}" if idx else base


def to_latex(expr: Any) -> str:
    """:func:`sympy.latex` of ``expr`` with every symbol named by :func:`coordinate_tex`."""
    e = sp.sympify(expr)
    names = {s: coordinate_tex(s.name) for s in e.free_symbols if isinstance(s, sp.Symbol)}
    return sp.latex(e, symbol_names=names)


_REL_TEX = {sp.GreaterThan: r"\geq", sp.StrictGreaterThan: ">", sp.LessThan: r"\leq",
            sp.StrictLessThan: "<"}
_REL_TEXT = {sp.GreaterThan: ">=", sp.StrictGreaterThan: ">", sp.LessThan: "<=",
             sp.StrictLessThan: "<"}
_FLIP = {sp.GreaterThan: sp.LessThan, sp.StrictGreaterThan: sp.StrictLessThan}


def _chains(conditions: Sequence[sp.Basic]) -> list[tuple]:
    """Group ``e > k1`` followed by ``e < k2`` (same ``e``) into one chain
    ``(k1, op1, e, op2, k2)``; single relations become ``(lhs, op, rhs)``."""
    out: list[tuple] = []
    i = 0
    while i < len(conditions):
        r = conditions[i]
        nxt = conditions[i + 1] if i + 1 < len(conditions) else None
        if (isinstance(r, sp.Rel) and type(r) in _FLIP and isinstance(nxt, sp.Rel)
                and type(nxt) in _REL_TEX and type(nxt) not in _FLIP and nxt.lhs == r.lhs
                and r.rhs.is_number and nxt.rhs.is_number):
            out.append((r.rhs, _FLIP[type(r)], r.lhs, type(nxt), nxt.rhs))
            i += 2
            continue
        out.append((r.lhs, type(r), r.rhs) if isinstance(r, sp.Rel) else (r,))
        i += 1
    return out


def conditions_tex(conditions: Sequence[sp.Basic]) -> str:
    """The conjunction of ``conditions`` in LaTeX (math mode), chained where a lower and
    an upper bound of one expression follow each other: ``0 < -\\frac{b_{1}}{w_{1}}
    \\leq \\frac{1}{3}``. An empty list reads ``\\text{everywhere}``."""
    parts = []
    for c in _chains(conditions):
        if len(c) == 1:
            parts.append(to_latex(c[0]))
        else:
            items = [to_latex(x) if k % 2 == 0 else _REL_TEX[x] for k, x in enumerate(c)]
            parts.append(" ".join(items))
    return r",\ ".join(parts) if parts else r"\text{everywhere}"


def conditions_text(conditions: Sequence[sp.Basic]) -> str:
    """The same conjunction as plain text (``sympy.sstr`` of the sides): ``0 < -b_1/w_1
    <= 1/3, w_1 < 0``. An empty list reads ``everywhere``."""
    parts = []
    for c in _chains(conditions):
        if len(c) == 1:
            parts.append(sp.sstr(c[0]))
        else:
            parts.append(" ".join(sp.sstr(x) if k % 2 == 0 else _REL_TEXT[x]
                                  for k, x in enumerate(c)))
    return ", ".join(parts) if parts else "everywhere"


def _integrand_tex(name: str) -> str:
    """``"x^2 p"`` (a name of :data:`verifier.field.moments.INTEGRANDS`) ->
    ``\\int x^{2} p\\,dx``."""
    body = re.sub(r"\^(\d+)", r"^{\1}", name)
    return rf"\int {body}\,dx"


def network_tex(H: int) -> str:
    """``N_\\theta(x) = c + \\sum_j v_j \\max(w_j x + b_j, 0)`` for width ``H``."""
    if H == 1:
        return r"N_\theta(x) = c + v_1 \max(w_1 x + b_1, 0)"
    return rf"N_\theta(x) = c + \sum_{{j=1}}^{{{H}}} v_j \max(w_j x + b_j, 0)"


def _network_tex(flow: str, H: int) -> str:
    net = network_tex(H)
    param = {"normalized": r"(w_j, b_j) = (\cos\varphi_j, \sin\varphi_j)",
             "normalized-weights": r"w_j = s_j \in \{-1, 1\} \text{ fixed}",
             "standard": r"\theta = (w, b, v, c)"}[flow]
    return rf"${net}$ with ${param}$"


def derive_fragment(problem: Any, flow: str, symbols: Sequence[sp.Symbol] | None,
                    regions: Sequence[Any] | None, comments: Sequence[str] = ()) -> str:
    """The closed forms of ``problem`` as a LaTeX fragment (module docstring).

    ``regions``: the switching regions of :func:`verifier.symbolic.explicit.explicit_regions`
    in the state ``symbols`` (``None``: antiderivatives only); ``comments``: lines written
    as ``%`` comments at the top.
    """
    from verifier.expr import X

    x = sp.Symbol("x")
    a, b = problem.domain
    out = ["% ngf-verifier: closed forms of the risk (verifier derive --latex).",
           r"% Needs \usepackage{amsmath}.", *(f"% {line}" for line in comments), ""]
    f = to_latex(problem.target_expr.subs(X, x))
    p = to_latex(problem.density_expr.subs(X, x))
    lo, hi = to_latex(a), to_latex(b)
    out.append(
        rf"Target $f(x) = {f}$ on $[{lo}, {hi}]$, density $p(x) = {p}$, "
        rf"width $H = {problem.width}$; network {_network_tex(flow, problem.width)}; risk "
        rf"$L(\theta) = \int_{{{lo}}}^{{{hi}}} (N_\theta(x) - f(x))^2 p(x)\,dx$.")
    from verifier.field.moments import INTEGRANDS

    for cell in problem.moments.cells:
        fc, pc = to_latex(cell.f.subs(X, x)), to_latex(cell.p.subs(X, x))
        out += ["", rf"Antiderivatives on $[{to_latex(cell.lo)}, {to_latex(cell.hi)}]$, where "
                rf"$f(x) = {fc}$ and $p(x) = {pc}$ (up to constants):", r"\begin{equation*}",
                r"\begin{aligned}"]
        rows = []
        for name, A in zip(INTEGRANDS, cell.closed):
            rhs = (to_latex(A.subs(problem.moments.x, x)) if A is not None
                   else r"\text{no closed form (rigorous Taylor-cell model)}")
            rows.append(rf"  {_integrand_tex(name)} &= {rhs}")
        out += [",\\\\\n".join(rows) + ".", r"\end{aligned}", r"\end{equation*}"]
    if regions is None:
        return "\n".join(out) + "\n"
    out += _regions_tex(flow, list(symbols or []), list(regions))
    return "\n".join(out) + "\n"


def _regions_tex(flow: str, ys: list[sp.Symbol], regions: list[Any]) -> list[str]:
    state = ", ".join(coordinate_tex(y.name) for y in ys)
    pieces: list[tuple] = []  # distinct (risk, gradient), in order of first appearance
    which: list[int] = []
    for r in regions:
        key = (r.risk, tuple(r.gradient))
        if key not in pieces:
            pieces.append(key)
        which.append(pieces.index(key) + 1)
    n = len(regions)
    out = ["", rf"The {flow} flow, state $({state})$: {n} switching "
           f"region{'s' if n != 1 else ''} of positive measure, {len(pieces)} distinct "
           f"analytic piece{'s' if len(pieces) != 1 else ''} of the risk:",
           r"\begin{equation*}"]
    if n == 1:
        out.append(r"L = L_{1}.")
    else:
        rows = [rf"  L_{{{k}}} & \text{{if }} {conditions_tex(r.conditions)}"
                for k, r in zip(which, regions)]
        out += [r"L = \begin{cases}", ",\\\\\n".join(rows) + ".", r"\end{cases}"]
    out += [r"\end{equation*}", "where"]
    for k, (risk, grad) in enumerate(pieces, 1):
        rows = [rf"  L_{{{k}}} &= {to_latex(risk)}"]
        rows += [rf"  \frac{{\partial L_{{{k}}}}}{{\partial {coordinate_tex(y.name)}}} "
                 rf"&= {to_latex(g)}" for y, g in zip(ys, grad)]
        out += [r"\begin{equation*}", r"\begin{aligned}", ",\\\\\n".join(rows) + ".",
                r"\end{aligned}", r"\end{equation*}"]
    return out
