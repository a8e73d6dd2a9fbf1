"""Benchmark of ``verifier.integrate`` next to the float reference ``simulate``.

For H = 1, 2, 3 at T = 50: wall time of ``integrate`` and of ``simulate`` (rtol
1e-13) measured side by side in one run, their ratio, steps, share of low-order
steps, final width; then the final width versus T in {1, 10, 50, 100, 200} at
precision 53 and 128 (smooth case). Run ``python benchmarks/bench_integrate.py``
(``--quick`` for T <= 50 only).
"""

from __future__ import annotations

import argparse
import time

from verifier import Problem, simulate
from verifier.integrate import integrate

CASES = [
    ("x**2", 1, ["0.6", "0.5", "0.2"]),
    ("sin(3*x)", 2, ["-2.01", "-0.75", "-0.55", "0.57", "-0.32"]),
    ("x**2", 3, ["0.3", "-2.0", "2.5", "0.5", "-0.4", "0.3", "0.1"]),
]


def timing_table(T: float = 50) -> list[str]:
    rows = ["| target | H | integrate [s] | simulate [s] | ratio | steps | low-order | width |",
            "|---|---|---|---|---|---|---|---|"]
    for target, H, y0 in CASES:
        p = Problem(target, width=H)
        t0 = time.perf_counter()
        simulate(p, [float(v) for v in y0], T, rtol=1e-13, atol=1e-15)
        ts = time.perf_counter() - t0
        t0 = time.perf_counter()
        tube = integrate(p, y0, T)
        ti = time.perf_counter() - t0
        rows.append(f"| {target} | {H} | {ti:.1f} | {ts:.2f} | {ti / ts:.0f}x | {tube.n_steps} "
                    f"| {100 * tube.low_order_share:.0f}% | {tube.max_width():.1e} "
                    f"{'' if tube.ok else tube.status.name} |")
    return rows


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="horizons up to 50 only")
    args = ap.parse_args()
    print("\n".join(timing_table()))
    print()
    print("\n".join(width_table((1, 10, 50) if args.quick else (1, 10, 50, 100, 200))))


if __name__ == "__main__":
    main()
