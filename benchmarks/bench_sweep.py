"""Leaf boxes per second: a serial loop next to Dask with 1 and 2 workers.

The boxes are the leaves of a fixed bisection tree: a slice of the x**2, H = 1
problem (phi = -2.45, v = 0.55, c in [0.55, 0.55 + n * 1e-9]) cut into ``n`` boxes of
width 1e-9, each certified bounded forever for T = 20 (about 20 Taylor steps and a
trapping argument). Every run certifies the same boxes with the same function
(:func:`verifier.sweep._task.certify_node`); only the executor differs:

* serial: a plain loop in this process;
* Dask, ``k`` workers: an embedded ``LocalCluster(n_workers=k, threads_per_worker=1,
  processes=True)``; every worker is warmed up first (the problem is built once per
  worker process), and the clock runs from the first submission to the last result.

Run: ``python benchmarks/bench_sweep.py [--boxes 16] [--workers 1 2]``. The machine
may be shared: the load average is printed next to the table.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time
from fractions import Fraction

from verifier import Problem
from verifier.sweep import make_config
from verifier.sweep._task import certify_node


def leaf_nodes(config, n: int) -> list[str]:
    """The ``n`` (a power of two) leaves of the tree that halves c ``log2 n`` times."""
    nodes = ["R"]
    while len(nodes) < n:
        nodes = [ch for node in nodes for ch in config.region.children(node, 2)]
    return nodes


def timed(config_text: str, node: str) -> tuple[str, float]:
    """``certify_node``'s status and the CPU seconds it used in its process."""
    start = time.process_time()
    status = certify_node(config_text, node)["status"]
    return status, time.process_time() - start


def serial(config_text: str, nodes: list[str]) -> tuple[float, list[tuple[str, float]]]:
    certify_node(config_text, nodes[0])  # warm up: build the problem once
    start = time.perf_counter()
    out = [timed(config_text, node) for node in nodes]
    return time.perf_counter() - start, out


def dask(config_text: str, nodes: list[str], workers: int
         ) -> tuple[float, list[tuple[str, float]]]:
    from distributed import Client, LocalCluster, wait

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as client:
        warm = [client.submit(certify_node, config_text, nodes[0], key=f"warm-{k}",
                              workers=[w]) for k, w in enumerate(client.scheduler_info(
                                  n_workers=-1)["workers"])]
        wait(warm)
        start = time.perf_counter()
        futures = [client.submit(timed, config_text, node, key=f"box-{node}")
                   for node in nodes]
        out = [f.result() for f in futures]
        return time.perf_counter() - start, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--boxes", type=int, default=16, help="number of leaf boxes (power of 2)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args()
    n = args.boxes
    width = Fraction(n, 10**9)
    config = make_config(Problem("x**2"), {"phi": "-2.45", "v": "0.55",
                                           "c": ("0.55", str(Fraction("0.55") + width))},
                         20, min_size="1e-9", width_limit=1.5e-9, trap_budget=5)
    text = json.dumps(config.to_dict(), sort_keys=True, separators=(",", ":"))
    nodes = leaf_nodes(config, n)
    rows = []
    t, st = serial(text, nodes)
    rows.append(("serial loop", t, st))
    for w in args.workers:
        t, st = dask(text, nodes, w)
        rows.append((f"dask, {w} worker{'s' if w > 1 else ''}", t, st))
    base = rows[0][1]
    one = next((r[1] for r in rows if r[0] == "dask, 1 worker"), None)
    print(f"{n} leaf boxes (c-slice of x**2, H = 1, T = 20), cores available: "
          f"{len(os.sched_getaffinity(0))}, load average {os.getloadavg()[0]:.2f}")
    print(f"| {'executor':<16} | {'seconds':>8} | {'boxes/s':>8} | {'vs serial':>9} | "
          f"{'vs 1 worker':>11} | {'CPU s/box':>9} | {'CPU/wall':>8} |")
    print(f"|{'-' * 18}|{'-' * 10}|{'-' * 10}|{'-' * 11}|{'-' * 13}|{'-' * 11}|{'-' * 10}|")
    statuses = [s for s, _ in rows[0][2]]
    for name, t, res in rows:
        assert [s for s, _ in res] == statuses, "executors disagree"
        cpu = sum(c for _, c in res)
        rel1 = f"{one / t:.2f}" if one is not None and name.startswith("dask") else "-"
        print(f"| {name:<16} | {t:8.2f} | {n / t:8.2f} | {base / t:9.2f} | {rel1:>11} | "
              f"{cpu / n:9.3f} | {cpu / t:8.2f} |")
    print("statuses:", {s: statuses.count(s) for s in sorted(set(statuses))})
    print("CPU/wall: the cores the boxes actually got (2.0 = two idle cores)")


if __name__ == "__main__":
    main()
