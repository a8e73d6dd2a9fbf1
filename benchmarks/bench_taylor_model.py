"""The set kinds of the integrator side by side: a point, then boxes by radius and horizon.

Rows (x^2 problems about (0.6, 0.5, 0.2), H = 1; and (0.6, 1.0, 0.5, 0.3, 0.2), H = 2,
both neurons live on all of [0, 1] along the way), all measured in one run:

* the point rows: ``verifier.integrate`` from the centre to T = 20 and 50 (a doubleton
  of order 20), with the ratio of its time to a DOP853 run of the closed form of the
  same ODE to the same T (``bench_integrate.dop853_reference``, rtol 1e-12, the
  fastest of three);
* the box rows: radius 0.01, 0.02, 0.05 (H = 1) and 0.01 (H = 2) at T = 20 and 50, with
  ``set_type`` doubleton, quadratic (both order 20) and taylor-model (time order 10,
  degree 4; 3 for H = 2): steps, wall time, the largest final width, the largest spread
  of the ``2^n`` corner solutions (``verifier.simulate``, rtol 1e-12), the wrapping
  ratio (width over spread) and whether the corner solutions lie in the final
  enclosure. A lost set is reported with the time it reached.

Run ``python benchmarks/bench_taylor_model.py`` (``--quick``: T = 20 and H = 1 only);
the load average is printed with the table.
"""

from __future__ import annotations

import argparse
import itertools
import os
import time

import numpy as np
from bench_integrate import best_of, dop853_reference  # run from benchmarks/

from verifier import Problem, simulate
from verifier.integrate import integrate

CENTRES = {1: [0.6, 0.5, 0.2], 2: [0.6, 1.0, 0.5, 0.3, 0.2]}
#: ``(H, radius)`` of the box rows, each at every horizon.
BOXES = [(1, 0.01), (1, 0.02), (1, 0.05), (2, 0.01)]
SET_KINDS = ("doubleton", "quadratic", "taylor-model")
DEGREES = {1: 4, 2: 3}


def corner_finals(p: Problem, centre: list[float], r: float, T: int) -> np.ndarray:
    corners = itertools.product(*[[v - r, v + r] for v in centre])
    return np.array([simulate(p, list(c), T, rtol=1e-12, atol=1e-14).final for c in corners])


def run(p: Problem, initial, T: int, **kw):
    t0 = time.perf_counter()
    tube = integrate(p, initial, T, **kw)
    return tube, time.perf_counter() - t0


def point_rows(horizons) -> list[str]:
    out = []
    p = Problem("x**2", width=1)
    for T in horizons:
        ref = best_of(3, dop853_reference, T)[0]
        tube, dt = run(p, [str(v) for v in CENTRES[1]], T)
        width = f"{tube.max_width():.3e}" if tube.ok else f"lost at t = {float(tube.t_reached):.2f}"
        out.append(f"| 1 | point | {T} | doubleton (DOP853 {1000 * ref:.0f} ms: "
                   f"{dt / ref:.0f}x) | {tube.n_steps} | {dt:.2f} | {width} | - | - | - |")
        print(out[-1], flush=True)
    return out


def box_rows(boxes, horizons) -> list[str]:
    out = []
    for H, r in boxes:
        p = Problem("x**2", width=H)
        centre = CENTRES[H]
        box = [(f"{v - r:.6f}", f"{v + r:.6f}") for v in centre]
        for T in horizons:
            finals = corner_finals(p, centre, r, T)
            spread = float((finals.max(axis=0) - finals.min(axis=0)).max())
            for kind in SET_KINDS:
                kw = {"set_type": kind}
                label = kind
                if kind == "taylor-model":
                    kw["degree"] = DEGREES[H]
                    label = f"taylor-model d={DEGREES[H]}"
                tube, dt = run(p, box, T, **kw)
                if tube.ok:
                    lo = np.array([float(x.lower()) for x in tube.final])
                    hi = np.array([float(x.upper()) for x in tube.final])
                    inside = "yes" if ((finals >= lo) & (finals <= hi)).all() else "NO"
                    w = tube.max_width()
                    cells = f"{w:.3e} | {spread:.3e} | {w / spread:.3f} | {inside}"
                else:
                    cells = f"lost at t = {float(tube.t_reached):.2f} | {spread:.3e} | - | -"
                out.append(f"| {H} | {r} | {T} | {label} | {tube.n_steps} | {dt:.1f} | "
                           f"{cells} |")
                print(out[-1], flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="T = 20 and H = 1 only")
    args = ap.parse_args()
    horizons = (20,) if args.quick else (20, 50)
    boxes = [b for b in BOXES if b[0] == 1] if args.quick else BOXES
    head = ["| H | radius | T | set | steps | seconds | final width | corner spread | "
            "ratio | corners inside |", "|---|---|---|---|---|---|---|---|---|---|"]
    print("\n".join(head), flush=True)
    point_rows(horizons)
    box_rows(boxes, horizons)
    print(f"\nload average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
