"""Benchmark of Taylor-model sets next to the integrator's sets, on wide boxes.

Rows: boxes of x^2 problems about (0.6, 0.5, 0.2) (H = 1) and (0.6, 1.0, 0.5, 0.3, 0.2)
(H = 2, both neurons live on all of [0, 1] along the way), by radius and horizon. For
each row, side by side in one run: the standalone Taylor-model loop inside one analytic
piece (:func:`verifier.integrate.tm.loop.integrate_piece`; time order, degree in the
initial coordinates) and ``verifier.integrate(..., set_type=...)`` with the quadratic
set and the doubleton (default order 20) on the same box; steps, wall time, the largest
final width, the largest spread of the ``2^n`` corner solutions (``verifier.simulate``,
rtol 1e-12), the wrapping ratio (width over spread) and whether the corner solutions lie
in the Taylor-model enclosure. A lost set is reported with the time it reached. The
DOP853 run of ``bench_integrate.py`` is timed first, as the unit of time. Run ``python
benchmarks/bench_taylor_model.py`` (``--quick``: the issue's three rows only).
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np
from bench_integrate import dop853_reference  # the same time unit (run from benchmarks/)
from flint import arb

from verifier import Problem, simulate
from verifier.arith.precision import precision
from verifier.integrate import integrate
from verifier.integrate.tm.loop import integrate_piece

CENTRES = {1: [0.6, 0.5, 0.2], 2: [0.6, 1.0, 0.5, 0.3, 0.2]}
#: ``(H, radius, horizon, degree)``; the first three are the issue's acceptance rows.
ROWS = [(1, 0.05, 20, 4), (1, 0.02, 50, 4), (2, 0.01, 20, 3), (2, 0.01, 20, 4),
        (1, 0.01, 20, 4), (1, 0.01, 50, 4), (1, 0.02, 20, 4), (1, 0.05, 50, 4)]
SET_KINDS = ("quadratic", "doubleton")


def corner_finals(p: Problem, centre: list[float], r: float, T: int) -> np.ndarray:
    corners = itertools.product(*[[v - r, v + r] for v in centre])
    return np.array([simulate(p, list(c), T, rtol=1e-12, atol=1e-14).final for c in corners])


def taylor_row(p, centre, r, T, order, degree):
    F = p.vector_field(flow="normalized")
    with precision(53):
        box = [arb(v) + arb(0, r) for v in centre]
    t0 = time.perf_counter()
    run = integrate_piece(F, box, T, order=order, degree=degree)
    dt = time.perf_counter() - t0
    return run, dt


def integrator_row(p, centre, r, T, set_type: str):
    t0 = time.perf_counter()
    tube = integrate(p, [(v - r, v + r) for v in centre], T, set_type=set_type)
    return tube, time.perf_counter() - t0


def table(rows, order: int, degrees: dict[int, int] | None = None) -> list[str]:
    """The rows of the table, printed as they are measured."""
    out = ["| H | radius | T | set | order / degree | steps | seconds | final width | "
           "corner spread | ratio | corners inside |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    print("\n".join(out), flush=True)
    for H, r, T, degree in rows:
        if degrees and H in degrees:
            degree = degrees[H]
        p = Problem("x**2", width=H)
        centre = CENTRES[H]
        finals = corner_finals(p, centre, r, T)
        spread = float((finals.max(axis=0) - finals.min(axis=0)).max())
        run, dt = taylor_row(p, centre, r, T, order, degree)
        head = f"| {H} | {r} | {T} |"
        if run.ok:
            hull = run.final.hull()
            lo = np.array([float(x.lower()) for x in hull])
            hi = np.array([float(x.upper()) for x in hull])
            inside = bool(((finals >= lo) & (finals <= hi)).all())
            w = max(run.final_widths())
            cells = f"{w:.3e} | {spread:.3e} | {w / spread:.3f} | {inside}"
        else:
            cells = (f"{run.status} at t = {float(run.t_reached):.2f} | {spread:.3e} | - | -")
        out.append(f"{head} Taylor model | {order} / {degree} | {len(run.steps)} | {dt:.1f} | "
                   f"{cells} |")
        print(out[-1], flush=True)
        for set_type in SET_KINDS:
            tube, dq = integrator_row(p, centre, r, T, set_type)
            if tube.ok:
                w = max(tube.final_widths())
                cells = f"{w:.3e} | {spread:.3e} | {w / spread:.3f} | -"
            else:
                cells = f"lost at t = {float(tube.t_reached):.2f} | {spread:.3e} | - | -"
            out.append(f"{head} {set_type} | 20 / - | {tube.n_steps} | {dq:.1f} | {cells} |")
            print(out[-1], flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="the issue's three rows only")
    ap.add_argument("--order", type=int, default=10, help="time order of the Taylor models")
    ap.add_argument("--degree", type=int, default=None,
                    help="degree in the initial coordinates (default: per row)")
    args = ap.parse_args()
    if args.order < 2 or (args.degree is not None and args.degree < 1):
        ap.error("need --order >= 2 and --degree >= 1")
    rows = ROWS[:3] if args.quick else ROWS
    t0 = time.perf_counter()
    dop853_reference(50)
    print(f"DOP853 run of the x^2 H = 1 piece to T = 50 (the time unit of bench_integrate.py): "
          f"{time.perf_counter() - t0:.3f} s")
    degrees = None if args.degree is None else {1: args.degree, 2: args.degree}
    table(rows, args.order, degrees)


if __name__ == "__main__":
    main()
