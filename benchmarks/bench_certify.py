"""Certify and check wall times per certificate (issue 4 benchmark) and status counts.

    python benchmarks/bench_certify.py                 # H = 1 and H = 2 timing table
    python benchmarks/bench_certify.py --suite h1      # the 6 targets x 10 points suite
    python benchmarks/bench_certify.py --suite h1 --horizon 20 --jsonl out.jsonl
    python benchmarks/bench_certify.py --check-workers 2   # also a parallel check column

Each row: certify (integration + infinite-horizon search) and check (the
independent checker, one process) wall times, their ratio, the status, and the
terminal configuration. Times are measured side by side in one run; the machine
may be shared, so compare ratios, not absolute times.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from verifier import Problem
from verifier.certificates.certify import certify
from verifier.checker.check import check_certificate
from verifier.examples import acceptance_points

TARGETS = {
    "x2": "x**2",
    "abs": "Abs(x - 1/3)",
    "sin": "sin(3*x)",
    "pwl": "Piecewise((2*x, x < 1/3), (1 - x, x < 2/3), (x - 1/3, True))",
    "exp": "exp(x)",
    "cubic": "x**3 - x",
}

TIMING_CASES = [
    ("x2 H=1", "x**2", 1, ["0.6", "0.5", "0.2"]),
    ("cubic H=1", "x**3 - x", 1, ["2.5", "1", "0"]),
    ("abs H=1", "Abs(x - 1/3)", 1, ["-0.3", "0.8", "0.1"]),
    ("sin H=1", "sin(3*x)", 1, ["0.3", "0.7", "-0.1"]),
    ("x2 H=2", "x**2", 2, ["-0.46", "0.3", "1.5", "0.5", "0"]),
    ("abs H=2", "Abs(x - 1/3)", 2, ["-0.3", "-2.2", "0.8", "0.4", "0.1"]),
]


def run_case(name: str, target: str, H: int, y0: list[str], horizon: str,
             check_workers: int = 1) -> dict:
    p = Problem(target, width=H)
    t = time.perf_counter()
    c = certify(p, y0, horizon)
    t_cert = time.perf_counter() - t
    doc = json.loads(c.to_json())
    t = time.perf_counter()
    r = check_certificate(doc, workers=1)
    t_check = time.perf_counter() - t
    t_par = None
    if check_workers > 1:
        t = time.perf_counter()
        rp = check_certificate(doc, workers=check_workers)
        t_par = round(time.perf_counter() - t, 3)
        assert rp.ok == r.ok
    return {"case": name, "target": target, "H": H, "init": y0, "status": c.status,
            "configuration": c.notes["configuration"], "reason": c.reason,
            "steps": len(c.data["steps"]), "certify_s": round(t_cert, 3),
            "check_s": round(t_check, 3), "check_parallel_s": t_par, "verified": r.ok,
            "check": str(r),
            "bytes": len(c.to_json())}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--suite", choices=("timing", "h1"), default="timing")
    ap.add_argument("--horizon", default="20")
    ap.add_argument("--jsonl", type=Path, default=None, help="append one JSON line per case")
    ap.add_argument("--check-workers", type=int, default=1,
                    help="also time a parallel check with this many processes")
    args = ap.parse_args()
    if args.suite == "timing":
        cases = TIMING_CASES
    else:
        cases = [(f"{key} {i}", tgt, 1, y0) for key, tgt in TARGETS.items()
                 for i, y0 in enumerate(acceptance_points())]
    par = args.check_workers > 1
    print(f"{'case':<12} {'H':>2} {'steps':>6} {'certify s':>10} {'check s':>8} "
          f"{'check/cert':>10} "
          + (f"{f'check x{args.check_workers} s':>12} {'ratio':>6} " if par else "")
          + f"{'verified':>8}  status / terminal")
    rows = []
    for name, target, H, y0 in cases:
        row = run_case(name, target, H, y0, args.horizon, args.check_workers)
        rows.append(row)
        if args.jsonl:
            with args.jsonl.open("a") as fh:
                fh.write(json.dumps(row) + "\n")
        print(f"{name:<12} {H:>2} {row['steps']:>6} {row['certify_s']:>10.2f} "
              f"{row['check_s']:>8.2f} {row['check_s'] / row['certify_s']:>10.2f} "
              + (f"{row['check_parallel_s']:>12.2f} "
                 f"{row['check_parallel_s'] / row['certify_s']:>6.2f} " if par else "")
              + f"{str(row['verified']):>8}  {row['status']} / {','.join(row['configuration'])}",
              flush=True)
    n = len(rows)
    status = Counter(r["status"] for r in rows)
    print(f"\n{n} certificates, {sum(r['verified'] for r in rows)} verified; "
          + ", ".join(f"{k}: {v}" for k, v in status.items()))
    ratio = sum(r["check_s"] for r in rows) / sum(r["certify_s"] for r in rows)
    print(f"total check / total certify = {ratio:.2f}")
    if par:
        rp = sum(r["check_parallel_s"] for r in rows) / sum(r["certify_s"] for r in rows)
        print(f"total parallel check ({args.check_workers} processes) / total certify = "
              f"{rp:.2f}")
    rest = Counter(",".join(r["configuration"]) or "-" for r in rows
                   if r["status"] != "bounded-forever")
    if rest:
        print("not bounded-forever, by terminal configuration: "
              + ", ".join(f"{k}: {v}" for k, v in rest.items()))
    return 0 if all(r["verified"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
