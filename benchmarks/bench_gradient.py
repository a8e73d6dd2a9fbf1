"""Benchmark: closed-form gradient vs adaptive quadrature vs ball arithmetic.

For H = 1, 2, 4, 8, 16 (target ``x**2`` on [0, 1], uniform density,
normalized flow, random state) prints

* float closed-form gradient evaluations per second (``Problem.gradient``),
  one state per call, and batched: states per second when a (1000, dim)
  array of states is evaluated in one vectorized call,
* the same gradient by adaptive quadrature (``scipy.integrate.quad`` on every
  smooth piece between kinks; only two integrals per piece, ``int (N-f) p`` and
  ``int x (N-f) p``, from which all 2H+1 entries follow -- a deliberately fast
  competitor), evaluations per second,
* the same by the textbook quadrature (one ``quad`` per gradient entry, split
  at the kinks),
* the speed ratios,
* ball (``arithmetic="arb"``, prec 53) gradient evaluations per second over a
  small box (radius 1e-8) and the ball/float cost ratio,
* the cost growth of each method relative to H = 1, next to H**2.

Timing: ``time.perf_counter``, calls repeated (doubling) until at least
``--min-time`` seconds (default 0.5) have elapsed.

Usage::

    python benchmarks/bench_gradient.py [--hs 1,2,4,8,16] [--min-time 0.5] [--seed 0]
"""

from __future__ import annotations

import argparse
import math
import sys
import time

import numpy as np
from scipy import integrate


def rate(fn, min_time: float) -> float:
    """Calls per second of fn(), repeat-until-min_time with doubling."""
    fn()  # warm-up (caches, lazy compilation)
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t0
        if dt >= min_time:
            return n / dt
        n = n * 2 if dt <= 0 else max(n * 2, int(n * min_time / dt * 1.1) + 1)


def quad_gradient(phi, v, c, f, p, a, b):
    """Normalized-flow gradient (dL/dphi, dL/dv, dL/dc) by scipy.integrate.quad,
    split at every kink inside (a, b)."""
    w = np.cos(phi)
    bb = np.sin(phi)
    H = len(phi)
    kinks = [-bj / wj for wj, bj in zip(w, bb, strict=True) if wj != 0]
    pts = sorted({a, b, *[k for k in kinks if a < k < b]})

    def resid(x):
        return c + np.dot(v, np.maximum(w * x + bb, 0.0)) - f(x)

    Gw = np.zeros(H)
    Gb = np.zeros(H)
    Gv = np.zeros(H)
    Gc = 0.0
    opts = dict(epsabs=1e-13, epsrel=1e-13, limit=200)
    for lo, hi in zip(pts[:-1], pts[1:], strict=True):
        if hi <= lo:
            continue
        m = 0.5 * (lo + hi)
        act = (w * m + bb) > 0
        i0 = integrate.quad(lambda x: resid(x) * p(x), lo, hi, **opts)[0]
        Gc += 2 * i0
        if act.any():
            i1 = integrate.quad(lambda x: x * resid(x) * p(x), lo, hi, **opts)[0]
            Gw[act] += 2 * v[act] * i1
            Gb[act] += 2 * v[act] * i0
            Gv[act] += 2 * (w[act] * i1 + bb[act] * i0)
    gphi = -np.sin(phi) * Gw + np.cos(phi) * Gb
    return np.concatenate([gphi, Gv, [Gc]])


def quad_gradient_naive(phi, v, c, f, p, a, b):
    """Same gradient, one adaptive quadrature per entry (the textbook way):
    ``scipy.integrate.quad`` of each defining integrand, split at the kinks."""
    w = np.cos(phi)
    bb = np.sin(phi)
    H = len(phi)
    kinks = sorted({-bj / wj for wj, bj in zip(w, bb, strict=True)
                    if wj != 0 and a < -bj / wj < b})
    opts = dict(epsabs=1e-13, epsrel=1e-13, limit=200, points=kinks or None)

    def resid(x):
        return c + np.dot(v, np.maximum(w * x + bb, 0.0)) - f(x)

    out = np.empty(2 * H + 1)
    for j in range(H):
        def dphi(x, j=j):
            if w[j] * x + bb[j] <= 0:
                return 0.0
            return (-bb[j] * x + w[j]) * resid(x) * p(x)

        def dv(x, j=j):
            return max(w[j] * x + bb[j], 0.0) * resid(x) * p(x)

        out[j] = 2 * v[j] * integrate.quad(dphi, a, b, **opts)[0]
        out[H + j] = 2 * integrate.quad(dv, a, b, **opts)[0]
    out[2 * H] = 2 * integrate.quad(lambda x: resid(x) * p(x), a, b, **opts)[0]
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hs", default="1,2,4,8,16")
    ap.add_argument("--min-time", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--box-radius", type=float, default=1e-8)
    ap.add_argument("--no-ball", action="store_true", help="skip the arb column")
    ap.add_argument("--batch", type=int, default=1000, help="states per vectorized call")
    args = ap.parse_args(argv)

    import flint

    from verifier import Problem

    hs = [int(t) for t in args.hs.split(",")]
    rng = np.random.default_rng(args.seed)
    f = lambda x: x * x  # noqa: E731  (target x**2)
    p = lambda x: 1.0  # noqa: E731  (uniform density on [0, 1])

    rows = []
    for H in hs:
        prob = Problem(target="x**2", domain=(0, 1), density=None, width=H)
        phi = rng.uniform(-np.pi, np.pi, H)
        v = rng.uniform(-3, 3, H)
        c = float(rng.uniform(-3, 3))
        y = [*phi.tolist(), *v.tolist(), c]
        g_cf = np.asarray(prob.gradient(y, flow="normalized"), dtype=float)
        g_q = quad_gradient(phi, v, c, f, p, 0.0, 1.0)
        diff = float(np.max(np.abs(g_cf - g_q)))
        r_cf = rate(lambda prob=prob, y=y: prob.gradient(y, flow="normalized"), args.min_time)
        Y = np.tile(np.asarray(y), (args.batch, 1)) + rng.normal(scale=1e-3,
                                                                size=(args.batch, len(y)))
        g_b = prob.gradient(Y, flow="normalized")
        g_s = np.array([prob.gradient(row, flow="normalized") for row in Y[:20]])
        diff = max(diff, float(np.max(np.abs(g_b[:20] - g_s))))
        r_batch = args.batch * rate(lambda prob=prob, Y=Y: prob.gradient(Y, flow="normalized"),
                                    args.min_time)
        g_n = quad_gradient_naive(phi, v, c, f, p, 0.0, 1.0)
        diff = max(diff, float(np.max(np.abs(g_cf - g_n))))
        r_q = rate(lambda phi=phi, v=v, c=c: quad_gradient(phi, v, c, f, p, 0.0, 1.0),
                   args.min_time)
        r_n = rate(lambda phi=phi, v=v, c=c: quad_gradient_naive(phi, v, c, f, p, 0.0, 1.0),
                   args.min_time)
        if args.no_ball:
            r_ball = math.nan
        else:
            box = [flint.arb(t, args.box_radius) for t in y]
            r_ball = rate(lambda prob=prob, box=box: prob.gradient(
                box, flow="normalized", arithmetic="arb", prec=53), args.min_time)
        rows.append((H, r_cf, r_q, r_n, r_ball, diff, r_batch))
        print(f"  H={H:>2}: done (|closed form - quad| = {diff:.1e})", file=sys.stderr)

    base_cf, base_q, base_n, base_ball = rows[0][1:5]
    h0 = rows[0][0]
    print()
    print("gradient evaluations per second: target x**2 on [0,1], uniform density, normalized"
          " flow, random state")
    print("  closed = Problem.gradient (float);  quad2 = scipy quad, 2 integrals per smooth"
          " piece;  quadN = scipy quad, one per gradient entry (split at kinks);"
          "  ball = arb, prec 53, box radius"
          f" {args.box_radius:g};  cost(.)/H1 = time per call relative to H={h0}")
    hdr = (f"{'H':>3} {'closed/s':>10} {'batch/s':>10} {'bat/quad2':>9} {'quad2/s':>9}"
           f" {'quadN/s':>9} {'cl/quad2':>9}"
           f" {'cl/quadN':>9} {'ball/s':>9} {'ball/float':>10} {'cost(cl)':>9}"
           f" {'cost(q2)':>9} {'cost(ball)':>10} {'(H/H1)^2':>9} {'|cl-quad|':>9}")
    print(hdr)
    print("-" * len(hdr))
    for H, r_cf, r_q, r_n, r_ball, diff, r_batch in rows:
        print(f"{H:>3} {r_cf:>10.0f} {r_batch:>10.0f} {r_batch / r_q:>8.0f}x {r_q:>9.0f}"
              f" {r_n:>9.0f} {r_cf / r_q:>8.1f}x"
              f" {r_cf / r_n:>8.1f}x {r_ball:>9.0f} {r_cf / r_ball:>9.1f}x"
              f" {base_cf / r_cf:>9.2f} {base_q / r_q:>9.2f} {base_ball / r_ball:>10.2f}"
              f" {(H / h0) ** 2:>9.0f} {diff:>9.1e}")
    print()
    s2, sn = rows[0][1] / rows[0][2], rows[0][1] / rows[0][3]
    verdict = ("met" if min(s2, sn) >= 100 else "met vs quadN only" if sn >= 100
               else "NOT met")
    print(f"closed form vs quadrature at H={h0}, one state per call: {s2:.1f}x faster than"
          f" quad2, {sn:.1f}x faster than quadN  (goal >= 100x: {verdict})")
    sb = rows[0][6] / rows[0][2]
    print(f"closed form vs quadrature at H={h0}, batched ({args.batch} states per call): "
          f"{sb:.0f}x faster than quad2  (goal >= 100x: {'met' if sb >= 100 else 'NOT met'})")
    ok_growth = all(base_cf / r_cf <= 1.5 * max(1.0, (H / h0) ** 2) for H, r_cf, *_ in rows)
    base_b = rows[0][6]
    ok_growth_b = all(base_b / r[6] <= 1.5 * max(1.0, (r[0] / h0) ** 2) for r in rows)
    print(f"closed-form cost grows no faster than H^2 (within 1.5x): "
          f"{'yes' if ok_growth else 'NO'} (one state per call), "
          f"{'yes' if ok_growth_b else 'NO'} (batched)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
