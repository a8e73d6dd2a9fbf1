"""Rich display in Jupyter: HTML and LaTeX summaries of problems and tubes.

``Problem._repr_html_`` / ``_repr_latex_`` and ``Tube._repr_html_`` /
``_repr_latex_`` call these functions. What they show:

* a problem: the target, domain, density and width, the breakpoints, the
  rigorous bound of the target's Lipschitz constant, how the moments are
  evaluated (closed form or Taylor cells), the state coordinates of each flow
  and the problem's SHA-256 digest; in LaTeX, the risk functional;
* a tube: its status (with the reason), the time reached, the numbers of steps
  (low-order ones across switching surfaces) and rejected attempts, order and
  precision, and the final enclosure per coordinate (lower, upper, width).
"""

from __future__ import annotations

import html
from typing import Any

from verifier.presentation import register

_STYLE = "text-align:left; padding:0.1em 0.6em"


def _table(caption: str, rows: list[tuple[str, str]], head: tuple[str, ...] = ()) -> str:
    out = [f"<table><caption style='text-align:left'><b>{html.escape(caption)}</b></caption>"]
    if head:
        out.append("<tr>" + "".join(f"<th style='{_STYLE}'>{html.escape(h)}</th>" for h in head)
                   + "</tr>")
    for row in rows:
        k, *vals = row
        out.append(f"<tr><th style='{_STYLE}'>{html.escape(k)}</th>"
                   + "".join(f"<td style='{_STYLE}'><code>{html.escape(str(v))}</code></td>"
                             for v in vals) + "</tr>")
    out.append("</table>")
    return "".join(out)


def _problem_rows(problem: Any) -> list[tuple[str, str]]:
    from verifier.expr import to_text
    from verifier.field.flows import FLOWS

    d = problem.to_dict()
    cuts = [to_text(c) for c in problem.moments.cuts[1:-1]]
    rows = [
        ("target", f"f(x) = {d['target']}"),
        ("domain", f"[{d['domain'][0]}, {d['domain'][1]}]"),
        ("density", "uniform" if d["density"] is None else d["density"] + (
            "" if to_text(problem.density_expr) == d["density"]
            else f" (normalized: {to_text(problem.density_expr)})")),
        ("width", f"H = {problem.width}"),
        ("breakpoints", ", ".join(cuts) or "none"),
        ("Lipschitz", f"|f'| <= {float(problem.lipschitz_bound):.6g} (rigorous upper bound)"),
        ("moments", "; ".join(problem.moments.describe())),
    ]
    for flow in FLOWS:
        rows.append((f"{flow} state", ", ".join(problem.coordinate_names(flow))))
    rows.append(("digest", problem.digest[:16] + "..."))
    return rows


def problem_html(problem: Any) -> str:
    """An HTML table describing a :class:`verifier.Problem` (module docstring)."""
    return _table("ngf-verifier problem", _problem_rows(problem))


def problem_latex(problem: Any) -> str:
    """The risk functional of a problem as a LaTeX display (for ``_repr_latex_``)."""
    import sympy as sp

    from verifier.expr import X
    from verifier.symbolic.latex import network_tex, to_latex

    a, b = problem.domain
    f = to_latex(problem.target_expr.subs(X, sp.Symbol("x")))
    if problem._density_input is None:
        dens = rf"\frac{{dx}}{{{to_latex(b - a)}}}" if (b - a) != 1 else "dx"
    else:
        dens = r"\," + to_latex(problem.density_expr.subs(X, sp.Symbol("x"))) + r"\,dx"
    return (rf"$$L(\theta) = \int_{{{to_latex(a)}}}^{{{to_latex(b)}}} \Big(N_\theta(x) - f(x)"
            rf"\Big)^2 {dens},\quad {network_tex(problem.width)},\quad f(x) = {f}$$")


def _tube_rows(tube: Any) -> list[tuple[str, str]]:
    return [
        ("status", tube.message),
        ("flow", tube.flow + (f", signs {list(tube.signs)}" if tube.signs else "")),
        ("time", f"reached {float(tube.t_reached):.12g} of {float(tube.horizon):.12g}"),
        ("steps", f"{tube.n_steps} ({tube.n_low_order} low-order, "
                  f"{100 * tube.low_order_share:.1f}%), {tube.rejected} rejected attempts"),
        ("method", f"Taylor order {tube.order}, precision {tube.prec} bits"),
    ]


def tube_html(tube: Any) -> str:
    """An HTML summary of a :class:`verifier.Tube` and its final enclosure."""
    head = _table("ngf-verifier tube (validated enclosure of every solution)",
                  _tube_rows(tube))
    from verifier.arith.exact import decimal_bounds

    rows = []
    for name, x in zip(tube.names, tube.final):
        lo, hi = decimal_bounds(x, digits=12) if x.is_finite() else ("-inf", "+inf")
        rows.append((name, lo, hi, f"{float(2 * x.rad()):.3e}"))
    final = _table(f"enclosure at t = {float(tube.t_reached):.12g}", rows,
                   head=("coordinate", "lower", "upper", "width")) if rows else ""
    return head + final


def tube_latex(tube: Any) -> str:
    """The final enclosure as a LaTeX display of intervals."""
    from verifier.arith.exact import decimal_bounds
    from verifier.symbolic.latex import coordinate_tex

    parts = []
    for name, x in zip(tube.names, tube.final):
        sym = coordinate_tex(name)
        lo, hi = decimal_bounds(x, digits=10) if x.is_finite() else (r"-\infty", r"\infty")
        parts.append(rf"{sym}(t) \in [{lo}, {hi}]")
    t = f"{float(tube.t_reached):.12g}"
    status = tube.status.value.replace("_", r"\_")
    body = r",\ ".join(parts) if parts else r"\text{no step}"
    return rf"$$\text{{{status}}}:\quad t = {t}:\ {body}$$"


def _register() -> None:
    """Present problems and tubes in Jupyter (:mod:`verifier.presentation`)."""
    from verifier.integrate._tube import Tube
    from verifier.problem import Problem

    for cls, to_html, to_latex in ((Problem, problem_html, problem_latex),
                                   (Tube, tube_html, tube_latex)):
        register(cls, "html", to_html)
        register(cls, "latex", to_latex)


_register()
