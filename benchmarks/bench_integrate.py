"""Benchmark of ``verifier.integrate`` next to float references.

For H = 1, 2, 3 at T = 50: wall time of ``integrate``, of ``simulate`` (rtol 1e-13,
the generic kernel in floats with switching events) and of a plain DOP853 run
(rtol 1e-12) of the closed form of the x^2, H = 1 piece (:func:`dop853_reference`),
measured side by side in one run (the fastest of ``--repeat`` runs each); the ratio
of ``integrate`` to the DOP853 run (a load-independent unit of time), steps, share of
low-order steps, final width; then the final width versus T in {1, 10, 50, 100, 200}
at precision 53 and 128 (smooth case).
``--wrapping`` adds the box table: boxes of radius 1e-3 to T = 50 for H = 1 and 2
at orders 8, 12, 20, with the quadratic set (the default for boxes) and the plain
doubleton, and the wrapping ratio (largest final width over the largest spread of
the reference solutions from the box's corners). Run
``python benchmarks/bench_integrate.py`` (``--quick`` for T <= 50 only).
"""

from __future__ import annotations

import argparse
import itertools
import math
import time

import numpy as np
from scipy.integrate import solve_ivp

from verifier import Problem, simulate
from verifier.integrate import integrate

CASES = [
    ("x**2", 1, ["0.6", "0.5", "0.2"]),
    ("sin(3*x)", 2, ["-2.01", "-0.75", "-0.55", "0.57", "-0.32"]),
    ("x**2", 3, ["0.3", "-2.0", "2.5", "0.5", "-0.4", "0.3", "0.1"]),
]


def best_of(repeat: int, run, *args, **kwargs):
    """``(fastest wall time, last result)`` of ``repeat`` calls ``run(*args, **kwargs)``
    (noise on a shared machine only ever adds time)."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = run(*args, **kwargs)
        best = min(best, time.perf_counter() - t0)
    return best, out


def _x2_piece(t: float, y: np.ndarray) -> list[float]:
    """``-grad L`` of the normalized flow, x^2 on [0, 1], H = 1, while the neuron is
    active on all of [0, 1]: moments ``P_k = 1/(k+1)``, ``Q_k = 1/(k+3)``."""
    phi, v, c = y
    w, b = math.cos(phi), math.sin(phi)
    X = c / 2 + v * (w / 3 + b / 2) - 0.25
    Y = c + v * (w / 2 + b) - 1 / 3
    Gc = 2 * (c - 1 / 3 + v * (w / 2 + b))
    return [-2 * v * (w * Y - b * X), -2 * (w * X + b * Y), -Gc]


def dop853_reference(T: float = 50) -> np.ndarray:
    """The first row's ODE in closed form by scipy's DOP853 (rtol 1e-12): the time unit
    of the ratios. (The row's trajectory stays in this piece: its kink stays left of 0.)"""
    sol = solve_ivp(_x2_piece, (0, T), [0.6, 0.5, 0.2], method="DOP853", rtol=1e-12,
                    atol=1e-14)
    return sol.y[:, -1]


def timing_table(T: float = 50, repeat: int = 3) -> list[str]:
    """The rows, with the ratios to the fastest DOP853 run of the whole table (it is the
    same computation for every row; timed before and after each row's runs)."""
    rows = []
    ref = []
    for target, H, y0 in CASES:
        p = Problem(target, width=H)
        ref.append(best_of(repeat, dop853_reference, T)[0])
        ts, _ = best_of(repeat, simulate, p, [float(v) for v in y0], T, rtol=1e-13,
                        atol=1e-15)
        ti, tube = best_of(repeat, integrate, p, y0, T)
        ref.append(best_of(repeat, dop853_reference, T)[0])
        rows.append((target, H, ti, ts, tube))
    tr = min(ref)
    out = [f"DOP853 reference run: {tr:.3f} s",
           "| target | H | integrate [s] | simulate [s] | ratio to DOP853 | steps | low-order "
           "| width |",
           "|---|---|---|---|---|---|---|---|"]
    for target, H, ti, ts, tube in rows:
        out.append(f"| {target} | {H} | {ti:.2f} | {ts:.2f} | {ti / tr:.0f}x | {tube.n_steps} "
                   f"| {100 * tube.low_order_share:.0f}% | {tube.max_width():.2e} "
                   f"{'' if tube.ok else tube.status.name} |")
    return out


def width_table(horizons=(1, 10, 50, 100, 200)) -> list[str]:
    p = Problem("x**2", width=1)
    rows = ["| T | width prec 53 | width prec 128 |", "|---|---|---|"]
    for T in horizons:
        ws = []
        for prec in (53, 128):
            tube = integrate(p, ["0.6", "0.5", "0.2"], T, prec=prec)
            ws.append(f"{tube.max_width():.1e}" + ("" if tube.ok else f" ({tube.status.name})"))
        rows.append(f"| {T} | {ws[0]} | {ws[1]} |")
    return rows


WRAP_CASES = {1: [0.6, 0.5, 0.2], 2: [0.6, 1.0, 0.5, 0.3, 0.2]}


def wrapping_table(r: float = 1e-3, T: float = 50, orders=(8, 12, 20)) -> list[str]:
    rows = ["| H | order | set | steps | integrate [s] | width | spread | ratio |",
            "|---|---|---|---|---|---|---|---|"]
    for H, y0 in WRAP_CASES.items():
        p = Problem("x**2", width=H)
        corners = itertools.product(*[[v - r, v + r] for v in y0])
        finals = np.array([simulate(p, list(c), T, rtol=1e-12, atol=1e-14).final
                           for c in corners])
        spread = float((finals.max(axis=0) - finals.min(axis=0)).max())
        for order in orders:
            for set_type in ("quadratic", "doubleton"):
                t0 = time.perf_counter()
                tube = integrate(p, [(v - r, v + r) for v in y0], T, order=order,
                                 set_type=set_type)
                dt = time.perf_counter() - t0
                if tube.ok:
                    w = max(tube.final_widths())
                    cells = f"{w:.2e} | {spread:.2e} | {w / spread:.2f}"
                else:
                    cells = f"lost at t = {float(tube.t_reached):.1f} | {spread:.2e} | -"
                rows.append(f"| {H} | {order} | {set_type} | {tube.n_steps} | {dt:.1f} | "
                            f"{cells} |")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="horizons up to 50 only")
    ap.add_argument("--wrapping", action="store_true", help="add the box (wrapping) table")
    ap.add_argument("--repeat", type=int, default=3, help="timing runs per case (default 3)")
    args = ap.parse_args()
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    print("\n".join(timing_table(repeat=args.repeat)))
    print()
    print("\n".join(width_table((1, 10, 50) if args.quick else (1, 10, 50, 100, 200))))
    if args.wrapping:
        print()
        print("\n".join(wrapping_table()))


if __name__ == "__main__":
    main()
