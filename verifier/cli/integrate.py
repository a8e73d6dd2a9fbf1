"""``verifier integrate``: rigorous enclosure of one trajectory (or a box of them).

Prints the time reached, the number of steps (and the share of low-order steps
across switching surfaces), the final enclosure and its widths. Exit codes: 0
when the horizon was reached, 1 when the enclosure could not be kept (the reason
is printed), 2 on bad input.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from verifier.cli.common import (
    add_problem_args,
    add_set_args,
    add_start_args,
    initial_text,
    parse_signs,
    problem_from_args,
)
from verifier.cli.progress import time_progress

HELP = "validated (ball-arithmetic) enclosure of gradient-flow trajectories"

_EPILOG = """\
examples:
  verifier integrate --target "x**2" --init 0.6,0.5,0.2 --horizon 50
  verifier integrate --example abs --init-box "-2.501:-2.499,0.999:1.001,0.3:0.3" --horizon 20

State order: normalized (phi_1..phi_H, v_1..v_H, c); normalized-weights
(b_1..b_H, v_1..v_H, c); standard (w_1..w_H, b_1..b_H, v_1..v_H, c). Values are
exact decimals ("0.3" means 3/10). A value may start with a minus sign:
--init -0.3,0.7,0.1 and --init=-0.3,0.7,0.1 are the same.
"""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the ``integrate`` verb."""
    p = subparsers.add_parser(
        "integrate", help=HELP, description=HELP + ".", epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_problem_args(p)
    add_start_args(p)
    p.add_argument("--order", type=int, default=None,
                   help="Taylor order (default 20 at 53 bits, more at higher precision)")
    add_set_args(p, ("auto", "doubleton", "quadratic", "box", "taylor-model"))
    p.add_argument("--width-limit", type=float, default=10.0,
                   help="stop when an enclosure gets wider than this (default 10)")
    p.add_argument("--max-steps", type=int, default=200_000, help="step budget")
    p.set_defaults(func=run)
    return p


def _split(text: str) -> list[str]:
    return [s.strip() for s in str(text).split(",") if s.strip()]


def parse_initial(args: argparse.Namespace) -> list[Any]:
    """``--init`` as exact decimal strings, or ``--init-box`` as ``(lo, hi)`` pairs."""
    if args.init_box is None:
        return _split(initial_text(args))
    out: list[Any] = []
    for item in _split(args.init_box):
        parts = [s.strip() for s in item.split(":")]
        if len(parts) == 1:
            out.append(parts[0])
        elif len(parts) == 2 and all(parts):
            out.append((parts[0], parts[1]))
        else:
            raise ValueError(f"--init-box entries must be LO:HI or a value, got {item!r}")
    return out


def run(args: argparse.Namespace) -> int:
    """Run the verb; return the exit code."""
    from verifier.arith.numbers import parse_horizon
    from verifier.integrate import integrate

    horizon = parse_horizon(args.horizon)
    problem = problem_from_args(args)
    initial = parse_initial(args)
    signs = parse_signs(args.signs)
    with time_progress("verifier integrate", horizon) as progress:
        tube = integrate(problem, initial, horizon, flow=args.flow, signs=signs,
                         prec=args.prec, order=args.order, set_type=args.set_type,
                         degree=args.degree,
                         width_limit=args.width_limit, max_steps=args.max_steps,
                         progress=progress)
    print(repr(problem))
    print(f"flow {args.flow}")
    print(tube.summary())
    if not tube.ok:
        print(f"verifier integrate: {tube.message}", file=sys.stderr)
        return 1
    return 0
