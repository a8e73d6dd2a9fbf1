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

``--sets`` instead compares the tubes' set representations where tubes carry the
certification (no regime covers, no infinite-horizon argument, no energy tail: a leaf
is certified on ``[0, 20]`` exactly when its tube reaches ``T``): the same sweep with
quadratic sets (``--set auto``) and Taylor-model sets, same ``min_size`` and step
budget, in one run and one process (``scheduler="synchronous"``), on boxes about
``(0.6, 0.5, 0.2)`` (x², ``H = 1``, radii 0.05 and 0.1) and an ``H = 2`` box. It
prints the certified volume (the volume of the leaves bounded on ``[0, T]``, in the
state coordinates), the tasks' seconds, the seconds per unit of certified volume and
the ratio quadratic / Taylor model.

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
            "cpu": sum(res.seconds.values())}


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


#: ``--sets`` cases: (name, width H, ranges, min_size, Taylor-model degree).
SET_CASES = [
    ("x2 H=1 r=0.05", 1, {"phi": ("0.55", "0.65"), "v": ("0.45", "0.55"), "c": ("0.15", "0.25")},
     "0.025", 4),
    ("x2 H=1 r=0.1", 1, {"phi": ("0.5", "0.7"), "v": ("0.4", "0.6"), "c": ("0.1", "0.3")},
     "0.05", 4),
    ("x2 H=2 r=0.01", 2, {"phi1": ("0.59", "0.61"), "phi2": ("0.99", "1.01"),
                          "v1": ("0.49", "0.51"), "v2": ("0.29", "0.31"), "c": ("0.19", "0.21")},
     "0.01", 3),
]
SETS_KW = {"regimes": False, "forever": False, "energy_tail": False, "max_steps": 2000}


def set_row(name: str, H: int, ranges: dict, min_size: str, set_type: str, degree: int,
            tmp: Path) -> dict:
    """One tube-only sweep; its certified volume and the tasks' seconds per unit of it."""
    out = tmp / f"sets-{len(list(tmp.iterdir()))}.jsonl"
    res = sweep(Problem("x**2", width=H), ranges, 20, out=out, scheduler="synchronous",
                progress=False, min_size=min_size, set_type=set_type, degree=degree,
                **SETS_KW)
    volume = Fraction(1)
    for lo, hi in ranges.values():
        volume *= Fraction(hi) - Fraction(lo)
    s = res.summary
    certified = volume * (1 - Fraction(s["fractions"]["failed"]))
    seconds = (sum(r["seconds"] for r in res.leaves.values())
               + sum(r["seconds"] for r in res.splits.values()))
    per = seconds / float(certified) if certified else float("inf")
    label = "quadratic" if set_type == "auto" else f"taylor-model d={degree}"
    return {"case": name, "set": label, "leaves": s["leaves"], "certified": float(certified),
            "of": float(volume), "seconds": seconds, "per": per}


def sets_table(tmp: Path) -> list[str]:
    rows = ["| case | set | leaves | certified volume / volume | box s | s per unit volume "
            "| ratio quadratic / TM |", "|---|---|---|---|---|---|---|"]
    for name, H, ranges, min_size, degree in SET_CASES:
        pair = [set_row(name, H, ranges, min_size, k, degree, tmp)
                for k in ("auto", "taylor-model")]
        ratio = pair[0]["per"] / pair[1]["per"] if pair[1]["per"] else float("nan")
        for i, r in enumerate(pair):
            rows.append(f"| {r['case']} | {r['set']} | {r['leaves']} | {r['certified']:.3g} / "
                        f"{r['of']:.3g} | {r['seconds']:.1f} | {r['per']:.4g} | "
                        + (f"{ratio:.3g} |" if i else " |"))
        print(rows[-2], rows[-1], sep="\n", flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--targets", nargs="+", default=["sin", "abs"],
                    help="built-in targets besides x2 (default sin abs)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--no-tube", action="store_true", help="skip the tube-only sweep")
    ap.add_argument("--no-std", action="store_true", help="skip the standard-flow region")
    ap.add_argument("--committed", nargs="*", default=[], metavar="NAME",
                    help="also rerun these committed sweeps of proofs_data (e.g. region-std-x2)")
    ap.add_argument("--sets", action="store_true",
                    help="only compare quadratic and Taylor-model sets (seconds per unit of "
                         "certified volume, module docstring)")
    args = ap.parse_args()
    if args.sets:
        with tempfile.TemporaryDirectory() as d:
            print("\n".join(sets_table(Path(d))))
        print(f"\nload average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; box s: "
              "the tasks' own seconds summed (one process); min_size per coordinate and "
              f"{SETS_KW} the same for both sets; T = 20")
        return
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
