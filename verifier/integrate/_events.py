"""Switching surfaces: where the vector field changes its analytic formula.

For a state with network parameters ``(w, b, v, c)`` (see
:mod:`verifier.field.flows`) the field is analytic off the zero sets of

* ``w_j * xi + b_j`` for every cut ``xi`` of ``[a, b]`` (the ends ``a``, ``b`` and
  the breakpoints of target and density): neuron ``j``'s kink meets ``xi``;
* ``w_j`` (normalized and standard flows): the kink passes through infinity,
  where the ball formulas must decide the orientation of the neuron;
* ``b_i w_j - b_j w_i`` for ``i < j``: two kinks meet (relevant only inside
  ``[a, b]``).

These functions are only used to *propose* where a Taylor step must stop: the
proof of every step comes from the series arithmetic, which refuses to expand
across a surface (:class:`verifier.arith.series.NotOnePiece`). Crossing times
are located on the Taylor polynomial of the reference point: the switching
functions are composed with it in power-series arithmetic, and the smallest
root in ``(0, horizon]`` of each resulting polynomial is found by sampling
and Newton's method on the ball midpoints at the working precision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from flint import arb, arb_series

from verifier.arith.precision import series_cap
from verifier.arith.series import SeriesArithmetic
from verifier.field import flows

#: Sample points per polynomial for bracketing roots.
SAMPLES = 64


@dataclass(frozen=True)
class Crossing:
    """A predicted zero of a switching function along the reference trajectory."""

    time: arb  # exact midpoint, relative to the start of the step
    label: str


class Surfaces:
    """The switching functions of one problem and flow."""

    def __init__(self, problem, flow: str, signs: Sequence[int] | None) -> None:
        self.flow = flow
        self.width = problem.width
        self.signs = flows.check_signs(signs, problem.width, flow)
        self.cuts = list(problem.moments.cuts)
        self.a = float(self.cuts[0])
        self.b = float(self.cuts[-1])

    def values(self, ar, y: Sequence) -> list[tuple[str, object]]:
        """``(label, g(y))`` for every switching function ``g``, in the arithmetic ``ar``."""
        w, b, _, _ = flows.parameters(ar, self.flow, y, self.width, self.signs)
        out: list[tuple[str, object]] = []
        for j in range(self.width):
            for xi in self.cuts:
                out.append((f"kink {j + 1} at x = {xi}", w[j] * ar.const(xi) + b[j]))
            if self.flow != "normalized-weights":
                out.append((f"w_{j + 1} = 0", w[j]))
        for i in range(self.width):
            for j in range(i + 1, self.width):
                out.append((f"kinks {i + 1} and {j + 1} meet", b[i] * w[j] - b[j] * w[i]))
        return out

    def _relevant(self, label: str, y: Sequence[float]) -> bool:
        """Kinks meeting outside ``[a, b]`` change nothing."""
        if not label.startswith("kinks "):
            return True
        parts = label.split()
        i = int(parts[1]) - 1
        w, b, _, _ = flows.parameters(_FLOATS, self.flow, list(y), self.width, self.signs)
        if abs(w[i]) < 1e-300:
            return False
        k = -b[i] / w[i]
        span = self.b - self.a
        return self.a - 1e-6 * span < k < self.b + 1e-6 * span

    def first_crossing(self, centre: Sequence[Sequence[arb]], horizon: float) -> Crossing | None:
        """The earliest predicted zero in ``(0, horizon]`` of a switching function along
        the Taylor polynomial ``centre`` (coefficients per coordinate), or ``None``."""
        order = len(centre[0]) - 1
        S = SeriesArithmetic(order + 1)
        with series_cap(order + 1):
            ys = [arb_series([c.mid() for c in cs], prec=order + 1) for cs in centre]
            gs = self.values(S, ys)
        best: Crossing | None = None
        for label, g in gs:
            co = g.coeffs() if isinstance(g, arb_series) else [g]
            co = [c.mid() for c in co] + [arb(0)] * (order + 1 - len(co))
            tau = _first_root(co, horizon)
            if tau is None or (best is not None and not tau < best.time):
                continue
            y_tau = [float(_polyval([c.mid() for c in cs], tau)) for cs in centre]
            if self._relevant(label, y_tau):
                best = Crossing(tau, label)
        return best


class _FloatAr:
    """Minimal float arithmetic for relevance checks."""

    def fn(self, name):
        return {"cos": np.cos, "sin": np.sin}[name]

    def rational(self, p, q):
        return p / q


_FLOATS = _FloatAr()


def _polyval(co: Sequence[arb], t: arb) -> arb:
    acc = co[-1]
    for c in reversed(co[:-1]):
        acc = acc * t + c
    return acc


def _first_root(co: list[arb], horizon: float) -> arb | None:
    """Smallest root in ``(0, horizon]`` of the polynomial with (exact) coefficients ``co``:
    bracketed in floats, refined by bisection and Newton on exact midpoints."""
    fco = np.array([float(c) for c in co[::-1]])
    if not np.all(np.isfinite(fco)) or horizon <= 0:
        return None
    ts = np.linspace(0.0, horizon, SAMPLES + 1)
    vals = np.polyval(fco, ts)
    s0 = np.sign(vals[0])
    if s0 == 0:
        return None  # on the surface already: not a crossing ahead
    idx = np.flatnonzero(np.sign(vals[1:]) != s0)
    if idx.size == 0:
        return None
    lo, hi = float(ts[idx[0]]), float(ts[idx[0] + 1])
    for _ in range(60):  # float bisection
        m = 0.5 * (lo + hi)
        if np.sign(np.polyval(fco, m)) == s0:
            lo = m
        else:
            hi = m
    # Newton on the midpoints at the working precision (floats only proposed).
    dco = [c * k for k, c in enumerate(co)][1:] or [arb(0)]
    guess = arb(0.5 * (lo + hi))
    t = guess
    for _ in range(6):
        d = _polyval(dco, t).mid()
        if d == 0:
            break
        step = (_polyval(co, t) / d).mid()
        if step == 0:
            break
        t = (t - step).mid()
    if not (t > 0 and abs(t - guess) < arb(hi - lo + 1e-12)):
        t = arb(hi)
    return t
