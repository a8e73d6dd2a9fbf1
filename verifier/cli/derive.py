"""``verifier derive``: the closed forms of a problem, for reading and for papers."""

from __future__ import annotations

import argparse
from typing import Any

from verifier.cli.common import add_problem_args, parse_signs, problem_from_args

_EPILOG = """\
examples:
  verifier derive --target "x**2" --width 1
  verifier derive --target "Abs(x)" --domain -1,1 --latex > closed-forms.tex
"""


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "derive",
        help="print the piecewise closed-form risk and gradient",
        description="Derive the moment antiderivatives of a problem and, for width <= 2, the "
        "explicit Piecewise risk and gradient over the switching regions.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_problem_args(p)
    p.add_argument("--latex", action="store_true",
                   help="print a LaTeX fragment (needs amsmath) instead of text")
    p.add_argument("--no-explicit", action="store_true",
                   help="skip the explicit Piecewise forms (moments only)")


def run(args: argparse.Namespace) -> int:
    from verifier.symbolic.explicit import MAX_EXPLICIT_WIDTH, explicit_regions

    problem = problem_from_args(args)
    signs = parse_signs(args.signs)
    explicit = not args.no_explicit and problem.width <= MAX_EXPLICIT_WIDTH
    note = ([] if explicit or args.no_explicit else
            [f"(explicit Piecewise forms are printed for width <= {MAX_EXPLICIT_WIDTH})"])
    ys, regions = (explicit_regions(problem, args.flow, signs, progress=True) if explicit
                   else (None, None))
    if args.latex:
        from verifier.symbolic.latex import derive_fragment

        comments = problem.describe().splitlines() + note
        print(derive_fragment(problem, args.flow, ys, regions, comments=comments), end="")
        return 0
    _print_text(problem, args.flow, ys, regions, note)
    return 0


def _print_text(problem, flow: str, ys, regions, note: list[str]) -> None:
    import sympy as sp

    from verifier.symbolic.latex import conditions_text

    show = sp.sstr
    print(problem.describe())
    x = problem.moments.x
    print("\nantiderivatives per cell (P_k = int x^k p, Q_k = int x^k f p):")
    for cell in problem.moments.cells:
        print(f"  on [{cell.lo}, {cell.hi}]: f = {show(cell.f)}, p = {show(cell.p)}")
        for name, A in zip(("P_0", "P_1", "P_2", "Q_0", "Q_1", "R"), cell.closed):
            text = show(A) if A is not None else "no closed form: rigorous Taylor-cell model"
            print(f"    {name}({x}) = {text}")
    for line in note:
        print("\n" + line)
    if regions is None:
        return
    print(f"\nflow {flow}, state ({', '.join(map(str, ys))}): "
          f"{len(regions)} switching regions of positive measure")
    for i, r in enumerate(regions, 1):
        print(f"\nregion {i}: {conditions_text(r.conditions)}")
        print(f"  L = {show(r.risk)}")
        for y, g in zip(ys, r.gradient):
            print(f"  dL/d{y} = {show(g)}")
