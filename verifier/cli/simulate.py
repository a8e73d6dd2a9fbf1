"""``verifier simulate``: a floating-point reference simulation of one trajectory.

Not rigorous: prints a summary (final state, final risk, switching events, sizes) and
optionally writes a CSV table and a PNG figure. Exit codes: 0 when the horizon was
reached, 1 when the run stopped early (reason on stderr), 2 on bad input.
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any

from verifier.cli.common import (
    add_problem_args,
    initial_text,
    output_file,
    parse_floats,
    parse_signs,
    problem_from_args,
)

HELP = "non-rigorous reference simulation of one gradient-flow trajectory"
#: Most sample times (each is a row of the CSV table).
MAX_SAMPLES = 10**6

_EPILOG = """\
example:
  verifier simulate --target "x**2" --width 1 --init 0.3,0.7,-0.1 --horizon 50

State order of --init: normalized (phi_1..phi_H, v_1..v_H, c);
normalized-weights (b_1..b_H, v_1..v_H, c); standard (w_1..w_H, b_1..b_H, v_1..v_H, c).
A value may start with a minus sign: --init -0.3,0.7,0.1 and --init=-0.3,0.7,0.1
are the same. The result is floating point and proves nothing.
"""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the ``simulate`` verb on an ``argparse`` subparsers object."""
    p = subparsers.add_parser(
        "simulate", help=HELP, description=HELP + " (floating point: proves nothing).",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_problem_args(p)
    g = p.add_argument_group("simulation")
    g.add_argument("--init", metavar="Y1,Y2,...",
                   help="initial state, comma-separated floats in the flow's state order "
                   "(default with --example: the example's initial state)")
    g.add_argument("--horizon", required=True, metavar="T",
                   help="final time T > 0 (exact decimal, at most 1e6)")
    g.add_argument("--rtol", type=float, default=1e-10, help="DOP853 rtol (default 1e-10)")
    g.add_argument("--atol", type=float, default=1e-12, help="DOP853 atol (default 1e-12)")
    g.add_argument("--max-step", type=float, default=math.inf, help="maximal step size")
    g.add_argument("--samples", type=int, default=None, metavar="N",
                   help="sample on N equispaced times (default: the solver's steps)")
    g.add_argument("--estimate-error", action="store_true",
                   help="rerun at rtol/100 and report the difference (an estimate, not a bound)")
    out = p.add_argument_group("output")
    out.add_argument("--plot", default=None, metavar="PNG", help="write a figure to this file")
    out.add_argument("--csv", default=None, metavar="CSV",
                     help="write t, state and risk at the samples to this file")
    return p


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def run(args: argparse.Namespace) -> int:
    """Run the ``simulate`` verb; return the process exit code (0, 1 or 2)."""
    from verifier.arith.numbers import parse_horizon
    from verifier.simulate import simulate

    try:
        horizon = float(parse_horizon(args.horizon))
        for flag in ("csv", "plot"):
            if getattr(args, flag):
                output_file(getattr(args, flag), f"--{flag}")
        init = parse_floats(initial_text(args), "--init")
        signs = parse_signs(args.signs)
        if args.samples is not None and args.samples < 2:
            raise ValueError(f"--samples must be >= 2, got {args.samples}")
        problem = problem_from_args(args)
        if args.samples is not None and args.samples > MAX_SAMPLES:
            raise ValueError(f"--samples must be at most {MAX_SAMPLES}, got {args.samples}")
        for name in ("rtol", "atol", "max_step"):
            value = getattr(args, name)
            if not (value > 0) or (name != "max_step" and not math.isfinite(value)):
                raise ValueError(f"--{name.replace('_', '-')} must be a positive number, "
                                 f"got {value}")
        import numpy as np

        t_eval = (None if args.samples is None
                  else np.linspace(0.0, horizon, args.samples))
        traj = simulate(problem, init, horizon, flow=args.flow, signs=signs,
                        rtol=args.rtol, atol=args.atol, max_step=args.max_step,
                        t_eval=t_eval, estimate_error=args.estimate_error)
    except ValueError as exc:  # includes verifier.ProblemError
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 2

    print(traj.summary())
    try:
        if args.csv:
            _write_csv(traj, args.csv)
            print(f"wrote {args.csv}")
        if args.plot:
            traj.plot().savefig(args.plot, dpi=120)
            print(f"wrote {args.plot}")
    except OSError as exc:
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 2
    if not traj.success:
        print(f"error: stopped early: {traj.message}", file=sys.stderr)
        return 1
    return 0


def _write_csv(traj: Any, path: str) -> None:
    """Write ``t, <coordinates>, risk`` per sample (comma-separated, one header line)."""
    import numpy as np

    header = ",".join(["t", *traj.coordinate_names(), "risk"])
    table = np.column_stack([traj.t, traj.y, traj.risk])
    np.savetxt(path, table, delimiter=",", header=header, comments="", fmt="%.17g")
