"""Benchmark of Taylor-model sets next to the quadratic sets, on wide boxes.

Rows: boxes of x^2 problems about (0.6, 0.5, 0.2) (H = 1) and (0.6, 1.0, 0.5, 0.3, 0.2)
(H = 2, both neurons live on all of [0, 1] along the way), by radius and horizon. For
each row, side by side in one run: the standalone Taylor-model loop inside one analytic
piece (:func:`verifier.integrate.tm.run.integrate_piece`; time order, degree in the
initial coordinates) and ``verifier.integrate(..., set_type="quadratic")`` on the same
box; steps, wall time, the largest final width, the largest spread of the ``2^n``
corner solutions (``verifier.simulate``, rtol 1e-12) and the wrapping ratio (width over
spread), and whether the corner solutions lie in the Taylor-model enclosure. A set that
is lost is reported with the time it reached. ``python benchmarks/bench_taylor_model.py``
(``--quick``: the three rows of the issue's acceptance only).
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np
from flint import arb

from verifier import Problem, simulate
from verifier.arith.precision import precision
from verifier.integrate import integrate
from verifier.integrate.tm.run import integrate_piece

CENTRES = {1: [0.6, 0.5, 0.2], 2: [0.6, 1.0, 0.5, 0.3, 0.2]}
#: ``(H, radius, horizon)``; the first three are the issue's acceptance rows.
ROWS = [(1, 0.05, 20), (1, 0.02, 50), (2, 0.01, 20),
        (1, 0.01, 20), (1, 0.01, 50), (1, 0.02, 20), (1, 0.05, 50)]


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


def quadratic_row(p, centre, r, T):
    t0 = time.perf_counter()
    tube = integrate(p, [(v - r, v + r) for v in centre], T, set_type="quadratic")
    return tube, time.perf_counter() - t0


def table(rows, order: int, degree: int) -> list[str]:
    out = ["| H | radius | T | set | order / degree | steps | seconds | final width | "
           "corner spread | ratio | corners inside |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    for H, r, T in rows:
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
        tube, dq = quadratic_row(p, centre, r, T)
        if tube.ok:
            w = max(tube.final_widths())
            cells = f"{w:.3e} | {spread:.3e} | {w / spread:.3f} | -"
        else:
            cells = f"lost at t = {float(tube.t_reached):.2f} | {spread:.3e} | - | -"
        out.append(f"{head} quadratic | {getattr(tube, 'order', 20)} / 2 | "
                   f"{tube.n_steps} | {dq:.1f} | {cells} |")
        print(out[-2], out[-1], sep="\n", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="the issue's three rows only")
    ap.add_argument("--order", type=int, default=10, help="time order of the Taylor models")
    ap.add_argument("--degree", type=int, default=4,
                    help="degree in the initial coordinates")
    args = ap.parse_args()
    if args.order < 2 or args.degree < 1:
        ap.error("need --order >= 2 and --degree >= 1")
    rows = ROWS[:3] if args.quick else ROWS
    print("\n".join(table(rows, args.order, args.degree)))


if __name__ == "__main__":
    main()
