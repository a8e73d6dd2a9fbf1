"""``verifier sweep``: prove a whole region of initial values bounded, box by box.

Covers the exact rational root box of the region (irrational ends such as ``pi``
rounded outward) by boxes; closes each box by a regime cover (bounded for all time,
no integration; ``--no-regimes`` to skip) or else certifies it with a tube (on Dask:
an embedded local cluster, or ``--scheduler ADDRESS``), bisects where neither
closes, and streams every finished box to the JSON-lines ``--out`` file.
Prints the summary statement. Exit codes: 0 when the sweep is complete (failed
leaves are part of the result and are reported), 2 on bad input, 130 when
interrupted (continue with ``--resume``).
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from verifier.cli.common import add_problem_args, add_set_args, parse_signs, problem_from_args
from verifier.cli.progress import Progress

HELP = "prove a region of initial values bounded, box by box (Dask, resumable)"

_EPILOG = """\
examples:
  verifier sweep --target "x**2" --range phi=-pi:pi --range v=-1:1 --range c=-1:1 \\
      --out region.jsonl                  # one regime cover: bounded for all t >= 0
  verifier sweep --target "x**2" --flow standard --range w=1/4:1 --range b=-1:1 \\
      --range v=-1:1 --range c=-1:1 --min-size c=2 --out std.jsonl   # closes in part
  verifier sweep --target "x**2" --width 1 --range phi=-pi:pi --range v=-1:1 \\
      --range c=-1:1 --horizon 20 --min-size 0.5 --no-regimes --out tubes.jsonl
  verifier sweep --target "x**2" --range phi=-pi:pi --range v=-1:1 --range c=0 \\
      --horizon 20 --out slice.jsonl --plot figures/      # a 2-D slice at c = 0
  verifier sweep --out sweep.jsonl --resume              # continue an interrupted sweep
  verifier sweep ... --scheduler tcp://10.0.0.5:8786     # on an existing Dask cluster

Coordinates: phi1..phiH, v1..vH, c (for H = 1 also phi, v; b1.. for
normalized-weights; w1.., b1.. first for standard). Range ends are real
constants (-pi, 1/3, sqrt(2)); irrational ends are rounded outward to --digits
decimals and the summary states the exact box. Re-check with: verifier check FILE
"""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the ``sweep`` verb."""
    p = subparsers.add_parser(
        "sweep", help=HELP, description=HELP + ".", epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_problem_args(p)
    g = p.add_argument_group("region")
    g.add_argument("--range", action="append", default=[], metavar="NAME=LO:HI",
                   help="range of one coordinate, or NAME=VALUE to fix it (repeat; default "
                        "for H = 1: phi=-pi:pi, v=-3:3, c=-3:3)")
    g.add_argument("--digits", type=int, default=4,
                   help="decimal places of outward-rounded irrational ends (default 4)")
    g.add_argument("--min-size", action="append", default=[], metavar="[NAME=]SIZE",
                   help="smallest leaf width, for all coordinates or NAME=SIZE for one "
                        "(repeat; default 1/8 of each range)")
    g.add_argument("--split", choices=("widest", "sensitive"), default="widest",
                   help="bisection coordinate: most halvings left (widest) or largest "
                        "width x Jacobian column at the centre (sensitive)")
    c = p.add_argument_group("certification of each box")
    c.add_argument("--no-regimes", action="store_true",
                   help="do not try the regime cover (bounded for all t >= 0 without "
                        "integrating, width 1) before the tube")
    c.add_argument("--horizon", default="20", metavar="T", help="final time T (default 20)")
    add_set_args(c, ("auto", "taylor-model"))
    c.add_argument("--prec", type=int, default=53, help="working precision in bits (default 53)")
    c.add_argument("--order", type=int, default=None, help="Taylor order (default by precision)")
    c.add_argument("--width-limit", type=float, default=1.0, metavar="W",
                   help="give a box up (and bisect it) when its enclosure gets wider than W "
                        "(default 1)")
    c.add_argument("--max-steps", type=int, default=1000,
                   help="give a box up after this many steps (default 1000)")
    c.add_argument("--no-forever", action="store_true",
                   help="skip the infinite-horizon argument (bounds on [0, T] only)")
    c.add_argument("--trap-budget", type=float, default=20.0, metavar="SECONDS",
                   help="time for each box's trapping search (default 20 s)")
    c.add_argument("--no-energy-tail", action="store_true",
                   help="a box whose enclosure is lost is 'failed' instead of bounded on "
                        "[0, T] by the energy inequality")
    c.add_argument("--no-split-horizon", action="store_true",
                   help="do not bisect boxes whose infinite-horizon argument failed")
    r = p.add_argument_group("running")
    r.add_argument("--out", required=True, metavar="FILE", help="results file (JSON lines)")
    r.add_argument("--resume", action="store_true",
                   help="continue the sweep in --out (without problem options: its own config)")
    r.add_argument("--scheduler", metavar="ADDRESS",
                   help="Dask scheduler address or scheduler file (default: a local cluster); "
                        "'synchronous' runs in this process")
    r.add_argument("--workers", type=int, default=None,
                   help="workers of the local cluster (default: one per core)")
    r.add_argument("--no-progress", action="store_true",
                   help="no progress bar (in a terminal) or log lines (outside one)")
    r.add_argument("--plot", metavar="DIR", help="write 2-D slice maps (PNG and PDF) to DIR")
    r.add_argument("--plot-axes", metavar="X,Y", help="coordinates of the maps (default: the "
                   "first two free ones)")
    r.add_argument("--paper", type=int, choices=(1, 2), metavar="COLUMNS",
                   help="draw the --plot maps in the paper style for 1 or 2 journal columns")
    r.add_argument("--plot-at", action="append", default=[], metavar="NAME=VALUE",
                   help="slice position of another free coordinate (default: the centre)")
    p.set_defaults(func=run)
    return p


def _min_size(items: list[str]) -> Any:
    if not items:
        return None
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.rpartition("=")
        out[name.strip() if sep else "*"] = value.strip()
    return out


def config_from_args(args: argparse.Namespace) -> Any:
    """The sweep's configuration (None: ``--resume`` without problem options, the one
    stored in the file)."""
    from pathlib import Path

    from verifier.sweep import make_config, parse_range_text

    if args.resume and args.target is None and args.example is None:
        if not Path(args.out).exists():
            raise ValueError(f"--resume: {args.out} does not exist")
        return None
    problem = problem_from_args(args)
    ranges = [parse_range_text(t) for t in args.range]
    return make_config(
        problem, ranges, args.horizon, flow=args.flow, signs=parse_signs(args.signs),
        prec=args.prec, order=args.order, forever=not args.no_forever,
        trap_budget=args.trap_budget, max_steps=args.max_steps,
        width_limit=args.width_limit, min_size=_min_size(args.min_size), split=args.split,
        split_horizon=not args.no_split_horizon, digits=args.digits,
        energy_tail=not args.no_energy_tail, regimes=not args.no_regimes,
        set_type=args.set_type, degree=args.degree)


def run(args: argparse.Namespace) -> int:
    """Run the verb; return the exit code."""
    from pathlib import Path

    from verifier.sweep import parse_range_text, run_config, sweep_notes

    out = Path(args.out)
    config = config_from_args(args)
    start = time.perf_counter()
    with Progress("verifier sweep", unit="box", label="{done:.0f} of {total:.0f} boxes",
                  enabled=not args.no_progress) as progress:
        result = run_config(config, out, resume=args.resume, scheduler=args.scheduler,
                            workers=args.workers, progress=progress)
    seconds = time.perf_counter() - start
    print(result.statement)
    for note in sweep_notes(result):
        print(note)
    print(f"{len(result.leaves)} leaves in {out} ({seconds:.1f} s, "
          f"{len(result.seconds)} boxes certified by this run); "
          f"re-check with: verifier check {out}")
    if args.plot:
        from verifier.plotting.sweep import plot_sweep

        axes = None if args.plot_axes is None else tuple(
            s.strip() for s in args.plot_axes.split(","))
        at = dict(parse_range_text(t) for t in args.plot_at)
        files = plot_sweep(result, args.plot, axes=axes, at=at, paper=args.paper)
        print("figures: " + ", ".join(str(f) for f in files), file=sys.stdout)
    return 0
