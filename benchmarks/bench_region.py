"""Region sweeps with regime covers: wall time with 1 and 2 Dask workers, leaves per
argument, volume fractions, bounds, and the time of ``verifier check``.

Rows (``H = 1``, T = 20, default settings unless said):

* ``x2``, and two other built-in targets (``--targets``), normalized flow, on
  ``R = phi in [-pi, pi] x v, c in [-1, 1]``;
* ``std``: the standard flow on ``w in [1/4, 1], b, v, c in [-1, 1]`` at a coarse
  bisection (``w`` to 3/16, ``b, v`` to 1/2, ``c`` not bisected): many leaves, so the
  only row where a second worker has work to share;
* ``--committed NAME``: the configuration of the committed sweep NAME in proofs_data
  (read from its header), rerun as it is: e.g. ``region-std-x2``, the standard-flow
  region at the committed resolution (hundreds of leaves), where two workers have
  enough to share;
* ``tube``: the old tube-only sweep of ``x2`` on ``R`` (``--no-regimes``) at the CI
  budget of ``tests/test_sweep.py`` (4 phi slabs, 6 steps each); it closes nothing
  for all time and is here for comparison (``--no-tube`` to skip).

Every sweep runs on an embedded ``LocalCluster`` (``workers`` single-threaded
processes; its start-up is part of the wall time, as for a user), then its file is
re-checked in this process (``check_sweep_file``, one process). The machine may be
shared: the load average is printed with the table. Run:
``python benchmarks/bench_region.py [--targets sin abs] [--workers 1 2] [--no-tube]``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from fractions import Fraction
from pathlib import Path

from verifier import Problem
from verifier.checker.sweep import check_sweep_file
from verifier.examples import EXAMPLES
from verifier.sweep import read_sweep, run_config, sweep

R = {"phi": ("-pi", "pi"), "v": ("-1", "1"), "c": ("-1", "1")}
STD = {"w": ("1/4", "1"), "b": ("-1", "1"), "v": ("-1", "1"), "c": ("-1", "1")}
STD_KW = {"flow": "standard", "min_size": {"w": "0.1875", "b": "0.5", "v": "0.5", "c": "2"}}
TUBE_KW = {"regimes": False, "min_size": {"phi": "1.5", "v": "2", "c": "2"}, "max_steps": 6,
           "width_limit": 4, "trap_budget": 2, "order": 4}


DATA = Path(__file__).resolve().parents[1] / "proofs_data"


def run(name: str, problem: Problem | None, ranges: dict | None, workers: int, tmp: Path,
        **kw) -> dict:
    """One sweep, timed; ``problem=None`` reruns the committed sweep ``name``."""
    out = tmp / f"{name}-{workers}.jsonl"
    start = time.perf_counter()
    if problem is None:
        config = read_sweep(DATA / f"{name}.jsonl").config
        res = run_config(config, out, workers=workers, progress=False)
    else:
        res = sweep(problem, ranges, 20, out=out, workers=workers, progress=False, **kw)
    wall = time.perf_counter() - start
    start = time.perf_counter()
    ok = check_sweep_file(out, workers=1).ok
    check = time.perf_counter() - start
    s = res.summary
    args = s["arguments"]
    g = s["statements"]["forever"]  # the part of R bounded for all t >= 0
    bounds = "-"
    if g is not None:
        bounds = f"|v| <= {float(Fraction(g['v'][0])):.4g}, |c| <= {float(Fraction(g['c'])):.4g}"
        for key, label in (("b", "|b|"), ("rho", "|(w,b)|")):
            if key in g:
                bounds += f", {label} <= {float(Fraction(g[key][0])):.4g}"
    per = {a: f"{v['leaves']} / {float(Fraction(v['fraction'])):.4g}" for a, v in args.items()}
    return {"case": name, "workers": workers, "wall": wall, "check": check,
            "verified": "yes" if ok else "NO", "leaves": s["leaves"],
            "cover": per["regime-cover"], "tube": per["tube"],
            "forever": f"{float(Fraction(s['fractions']['bounded-forever'])):.4g}",
            "over": s["statements"]["region"]["over"], "bounds": bounds,
            "cpu": sum(r["seconds"] for r in res.leaves.values())
            + sum(r["seconds"] for r in res.splits.values())}


COLUMNS = [("case", "case"), ("workers", "workers"), ("wall", "wall s"), ("cpu", "box s"),
           ("check", "check s"), ("verified", "verified"), ("leaves", "leaves"),
           ("cover", "cover leaves / vol"), ("tube", "tube leaves / vol"),
           ("forever", "forever vol"), ("over", "whole R over"),
           ("bounds", "bounds, t >= 0, forever part")]


def table(rows: list[dict]) -> str:
    def cell(r: dict, k: str) -> str:
        return f"{r[k]:.2f}" if isinstance(r[k], float) else str(r[k])

    head = "| " + " | ".join(h for _, h in COLUMNS) + " |"
    sep = "|" + "|".join("---" for _ in COLUMNS) + "|"
    body = ["| " + " | ".join(cell(r, k) for k, _ in COLUMNS) + " |" for r in rows]
    return "\n".join([head, sep, *body])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--targets", nargs="+", default=["sin", "abs"],
                    help="built-in targets besides x2 (default sin abs)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--no-tube", action="store_true", help="skip the tube-only sweep")
    ap.add_argument("--no-std", action="store_true", help="skip the standard-flow region")
    ap.add_argument("--committed", nargs="*", default=[], metavar="NAME",
                    help="also rerun these committed sweeps of proofs_data (e.g. region-std-x2)")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for key in ["x2", *args.targets]:
            for k in args.workers:
                rows.append(run(key, Problem(EXAMPLES[key]["target"]), R, k, tmp))
        if not args.no_std:
            for k in args.workers:
                rows.append(run("std", Problem("x**2"), STD, k, tmp, **STD_KW))
        for name in args.committed:
            for k in args.workers:
                rows.append(run(name, None, None, k, tmp))
        if not args.no_tube:
            rows.append(run("tube x2", Problem("x**2"), R, max(args.workers), tmp, **TUBE_KW))
    print(table(rows))
    print(f"\nload average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; wall: the "
          "sweep call including the cluster's start-up; box s: the tasks' own seconds "
          "summed; check: verifier check in one process; vol: volume fraction of R")


if __name__ == "__main__":
    main()
