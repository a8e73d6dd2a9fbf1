"""``verifier certify``: prove explicit bounds for a trajectory (or a box of them).

Integrates rigorously to the horizon, then tries to prove boundedness for all
later times (dead neurons frozen, a trapping sublevel box). Writes the
certificate (JSON, docs/certificates.md) to ``--out`` and a short summary to stdout.
Exit codes: 0 when a claim was produced (``bounded-forever`` or
``bounded-on-horizon``), 1 when the enclosure failed before the horizon (the
certificate still records what was proven up to there), 2 on bad input.
"""

from __future__ import annotations

import argparse
from typing import Any

from verifier.cli.common import (
    add_problem_args,
    add_set_args,
    add_start_args,
    output_file,
    parse_signs,
    problem_from_args,
)
from verifier.cli.integrate import parse_initial
from verifier.cli.progress import time_progress

HELP = "prove explicit bounds |v_j| <= R_v, |c| <= R_c and write a certificate"

_EPILOG = """\
examples:
  verifier certify --target "x**2" --width 1 --init 0.3,0.7,-0.1 --horizon 50 --out cert.json
  verifier certify --example abs --horizon 20 --out abs.json
  verifier certify --target "sin(3*x)" --init-box "0.29:0.31,0.69:0.71,-0.11:-0.09" \\
      --horizon 20 --out box.json
  verifier certify --example abs --init-box "-2.501:-2.499,0.999:1.001,0.3" --horizon 20 \\
      --out abs-box.json

Re-check the file with: verifier check cert.json
"""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the ``certify`` verb."""
    p = subparsers.add_parser(
        "certify", help=HELP, description=HELP + ".", epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_problem_args(p)
    add_start_args(p)
    p.add_argument("--order", type=int, default=None, help="Taylor order (default by precision)")
    p.add_argument("--out", required=True, metavar="FILE", help="certificate file to write")
    add_set_args(p, ("auto", "taylor-model"))
    p.add_argument("--no-forever", action="store_true",
                   help="skip the infinite-horizon argument (bounds on [0, T] only)")
    p.add_argument("--trap-budget", type=float, default=20.0, metavar="SECONDS",
                   help="time for the trapping search (default 20 s)")
    p.add_argument("--energy-tail", action="store_true",
                   help="if the enclosure is lost before T, bound the rest of [0, T] by the "
                        "energy inequality (normalized flows) instead of failing")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run the verb; return the exit code."""
    from verifier.arith.numbers import parse_horizon
    from verifier.certificates.certify import certify

    horizon = parse_horizon(args.horizon)
    out = output_file(args.out, "--out")
    problem = problem_from_args(args)
    initial = parse_initial(args)
    signs = parse_signs(args.signs)
    with time_progress("verifier certify", horizon) as progress:
        cert = certify(problem, initial, horizon, flow=args.flow, signs=signs,
                       prec=args.prec, order=args.order, forever=not args.no_forever,
                       energy_tail=args.energy_tail, set_type=args.set_type,
                       degree=args.degree, trap_budget=args.trap_budget, progress=progress)
    cert.save(out)
    print(cert.summary())
    print(f"certificate written to {out} ({out.stat().st_size} bytes); "
          f"re-check with: verifier check {out}")
    return 0 if cert.ok else 1
