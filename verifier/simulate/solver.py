"""Reference (floating-point, **non-rigorous**) integration of the gradient flows.

``y' = -problem.gradient(y, flow, signs)`` is integrated with scipy's DOP853. The vector
field is only piecewise analytic, and DOP853's error control assumes smoothness, so the
integrator is restarted at every located sign change of ``problem.switching_functions``
(terminal events + a loop): no accepted step straddles a located switching surface.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

from verifier.simulate._checks import (
    MIN_RTOL,
    check_flow,
    check_positive,
    check_signs,
    check_state,
    check_t_eval,
)
from verifier.simulate.trajectory import PiecewiseSolution, SimulationStatus, Trajectory

#: Standard flow: stop when some ``hypot(w_j, b_j)`` falls below this.
DEGENERATE_NORM: float = 1e-12

#: Zeno guard: this many consecutive segments with negligible progress stop the run.
MAX_STALLED_SEGMENTS: int = 25


@dataclass
class _Run:
    """Raw result of one integration (before sampling)."""

    ts: np.ndarray
    ys: np.ndarray
    sol: PiecewiseSolution
    events: list[tuple[float, int]] = field(default_factory=list)
    unresolved: list[tuple[float, int]] = field(default_factory=list)
    status: SimulationStatus = SimulationStatus.SUCCESS
    message: str = ""


class _Switching:
    """``problem.switching_functions`` with a one-entry cache (scipy calls each event
    function separately with the same state)."""

    def __init__(self, problem: Any, flow: str, signs: tuple[int, ...] | None) -> None:
        self._problem, self._flow, self._signs = problem, flow, signs
        self._key: bytes | None = None
        self._val = np.zeros(0)

    def __call__(self, y: np.ndarray) -> np.ndarray:
        y = np.asarray(y, dtype=float)
        key = y.tobytes()
        if key != self._key:
            val = self._problem.switching_functions(y, flow=self._flow, signs=self._signs)
            self._val = np.atleast_1d(np.asarray(val, dtype=float)).ravel()
            self._key = key
        return self._val

    def event(self, i: int, t_start: float, side: int,
              sign_only: bool = False) -> Callable[[float, np.ndarray], float]:
        """Terminal event for function ``i``. If ``side`` is +-1 the function is treated as
        lying strictly on that side at ``t_start`` (it was ~0 there: a crossing just
        located, or one we are sitting on), so the root finder cannot return ``t_start``
        again and only a genuine (re)crossing inside the segment is located. With
        ``sign_only`` the event value is just the sign (root finding degenerates to
        bisection; the fallback when brentq fails, e.g. at a flat crossing)."""

        def g(t: float, y: np.ndarray) -> float:
            val = float(self(y)[i])
            if side and t <= t_start:
                val = side * max(abs(val), 1e-300)
            return float(_sign(val)) if sign_only else val

        g.terminal = True  # type: ignore[attr-defined]
        g.direction = 0  # type: ignore[attr-defined]
        return g


def _sign(x: float) -> int:
    return 1 if x > 0 else (-1 if x < 0 else 0)


def _degenerate_events(width: int) -> list[Callable[[float, np.ndarray], float]]:
    """Terminal events ``hypot(w_j, b_j) = DEGENERATE_NORM`` for the standard flow."""
    evs = []
    for j in range(width):
        def g(t: float, y: np.ndarray, j: int = j) -> float:
            return float(np.hypot(y[j], y[width + j]) - DEGENERATE_NORM)

        g.terminal = True  # type: ignore[attr-defined]
        g.direction = -1  # type: ignore[attr-defined]
        evs.append(g)
    return evs


def _degenerate_neuron(y: np.ndarray, width: int) -> int | None:
    norms = np.hypot(y[:width], y[width:2 * width])
    bad = np.flatnonzero(norms < DEGENERATE_NORM)
    return int(bad[0]) if bad.size else None


def _integrate(problem: Any, y0: np.ndarray, horizon: float, flow: str,
               signs: tuple[int, ...] | None, rtol: float, atol: float, max_step: float,
               max_events: int) -> _Run:
    """Integrate with restarts at switching events; see :func:`simulate`."""
    width = int(problem.width)

    def rhs(t: float, y: np.ndarray) -> np.ndarray:
        return -np.asarray(problem.gradient(y, flow=flow, signs=signs), dtype=float)

    sw = _Switching(problem, flow, signs)
    degenerate_evs = _degenerate_events(width) if flow == "standard" else []

    t, y = 0.0, y0.copy()
    starts: list[float] = []
    ends: list[float] = []
    pieces: list[Any] = []
    ts_parts: list[np.ndarray] = [np.array([0.0])]
    ys_parts: list[np.ndarray] = [y0[None, :]]
    events: list[tuple[float, int]] = []
    unresolved: list[tuple[float, int]] = []
    just_fired: set[int] = set()      # indices located at the current restart time
    stalled = 0
    status, message = SimulationStatus.SUCCESS, SimulationStatus.SUCCESS.description

    if flow == "standard" and (j := _degenerate_neuron(y, width)) is not None:
        status = SimulationStatus.DEGENERATE_NEURON
        message = f"|(w_{j + 1}, b_{j + 1})| < {DEGENERATE_NORM:g} at t=0"
        return _Run(np.array([0.0]), y0[None, :], PiecewiseSolution([], [], [], y0),
                    status=status, message=message)

    while t < horizon:
        t_seg = t
        scale = 1.0 + float(np.max(np.abs(y)))
        zero_tol = 1e-9 * scale
        g0 = sw(y).copy()
        m = g0.size
        sides = np.zeros(m, dtype=int)
        active = np.ones(m, dtype=bool)
        near = np.flatnonzero(np.abs(g0) <= zero_tol)
        if near.size:
            # Decide on which side of each nearly-zero switching function the flow moves
            # by a tiny explicit look-ahead step; mask the crossing we are sitting on.
            f0 = rhs(t, y)
            fnorm = float(np.max(np.abs(f0)))
            g_la = (sw(y + (1e-7 * scale / fnorm) * f0).copy() if fnorm > 0
                    else np.zeros(m))
            for i in near:
                side = _sign(g_la[i]) if abs(g_la[i]) > 1e-12 * scale else 0
                if side == 0:
                    active[i] = False         # tangential or identically zero: checked later
                    continue
                if int(i) not in just_fired and _sign(g0[i]) == -side and t > 0:
                    events.append((t, int(i)))  # simultaneous crossing at a restart
                sides[i] = side               # only a crossing back ends the segment
        idx_map = [int(i) for i in range(m) if active[i]]
        res, failure = None, ""
        for sign_only in (False, True):
            evs = [sw.event(i, t, int(sides[i]), sign_only) for i in idx_map]
            try:
                res = solve_ivp(rhs, (t, horizon), y, method="DOP853", dense_output=True,
                                events=evs + degenerate_evs, rtol=rtol, atol=atol,
                                max_step=max_step)
                break
            except RuntimeError as exc:  # brentq could not locate an event
                failure = f"event location failed after t={t:.10g}: {exc}"
        if res is None:
            status, message = SimulationStatus.FAILED, failure
            break
        if res.status < 0:
            status = SimulationStatus.FAILED
            message = f"{SimulationStatus.FAILED.description}: {res.message}"
            if res.t.size > 1 and res.sol is not None:
                starts.append(t)
                ends.append(float(res.t[-1]))
                pieces.append(res.sol)
                ts_parts.append(res.t[1:])
                ys_parts.append(res.y[:, 1:].T)
            break

        te = float(res.t[-1])
        ye = res.y[:, -1].copy()
        if te > t:
            starts.append(t)
            ends.append(te)
            pieces.append(res.sol)
            ts_parts.append(res.t[1:])
            ys_parts.append(res.y[:, 1:].T)

        # crossings of deactivated functions: look for sign changes between steps
        for i in np.flatnonzero(~active):
            _scan_unresolved(sw, int(i), res, zero_tol, unresolved)

        if res.status == 0:
            t, y = te, ye
            break

        # a terminal event: which one?
        just_fired = set()
        hit_degenerate = False
        for k, tev in enumerate(res.t_events):
            if len(tev) == 0:
                continue
            if k >= len(evs):
                hit_degenerate = True
                j = k - len(evs)
                message = f"|(w_{j + 1}, b_{j + 1})| < {DEGENERATE_NORM:g} at t={te:.10g}"
                continue
            i = idx_map[k]
            events.append((float(tev[-1]), i))
            just_fired.add(i)
        t, y = te, ye
        if hit_degenerate:
            status = SimulationStatus.DEGENERATE_NEURON
            break
        if not np.all(np.isfinite(y)):
            status, message = SimulationStatus.FAILED, "non-finite state"
            break
        stalled = stalled + 1 if te - t_seg <= 1e-12 * max(1.0, abs(te)) else 0
        if stalled >= MAX_STALLED_SEGMENTS:
            status = SimulationStatus.ZENO
            message = (f"{SimulationStatus.ZENO.description} ({stalled} restarts near t={te:.10g})")
            break
        if len(events) >= max_events:
            status = SimulationStatus.TOO_MANY_EVENTS
            message = (f"{SimulationStatus.TOO_MANY_EVENTS.description} ({max_events}) "
                       f"at t={te:.10g}")
            break

    ts = np.concatenate(ts_parts)
    ys = np.concatenate(ys_parts, axis=0)
    keep = np.concatenate([[True], np.diff(ts) > 0])  # drop repeated (event) times
    ts, ys = ts[keep], ys[keep]
    events.sort()
    unresolved.sort()
    sol = PiecewiseSolution(starts, ends, pieces, y0)
    return _Run(ts, ys, sol, events, unresolved, status, message)


def _scan_unresolved(sw: _Switching, i: int, res: Any, zero_tol: float,
                     out: list[tuple[float, int]]) -> None:
    """Record sign changes of switching function ``i`` between accepted steps of ``res``."""
    vals = np.array([sw(res.y[:, k])[i] for k in range(res.t.size)])
    sig = np.flatnonzero(np.abs(vals) > zero_tol)
    for k0, k1 in zip(sig[:-1], sig[1:], strict=False):
        if _sign(vals[k0]) != _sign(vals[k1]):
            t0, t1 = float(res.t[k0]), float(res.t[k1])
            try:
                tc = brentq(lambda s: float(sw(res.sol(s))[i]), t0, t1, xtol=1e-14)
            except ValueError:
                tc = 0.5 * (t0 + t1)
            out.append((float(tc), i))


def simulate(problem: Any, y0: Any, horizon: float, flow: str = "normalized",
             signs: Any = None, rtol: float = 1e-10, atol: float = 1e-12,
             max_step: float = math.inf, t_eval: Any = None, *,
             estimate_error: bool = False, max_events: int = 100_000) -> Trajectory:
    """Integrate the gradient flow ``y' = -problem.gradient(y, flow, signs)`` on ``[0, horizon]``.

    A **non-rigorous** floating-point reference simulation (scipy ``solve_ivp``, DOP853,
    dense output). The integrator is restarted at every located sign change of
    ``problem.switching_functions`` (where the piecewise-analytic vector field changes
    its formula), so DOP853's smoothness assumption holds on every accepted step. At a
    restart, a switching function that is (nearly) zero is assigned the side a tiny
    explicit look-ahead step moves to, so the crossing just located is not found again
    and only a crossing back ends the next segment (a function found about to cross at a
    restart is recorded there as a simultaneous event); one whose side the look-ahead
    cannot decide (tangency, or identically zero, e.g. two equal kinks or a kink frozen
    on a domain end) is disabled for that segment, and its sign changes between
    accepted steps are reported afterwards in ``Trajectory.unresolved_events``. More than
    :data:`MAX_STALLED_SEGMENTS` consecutive restarts without progress stop the run
    (status ``zeno``). Crossings and recrossings within one solver step can be missed,
    as with any sign-change event detection.

    Parameters
    ----------
    problem:
        A :class:`verifier.Problem` (or any object with its methods).
    y0:
        Initial state in the order of ``flow`` (length ``problem.dim(flow)``).
    horizon:
        Final time ``T > 0``.
    flow:
        ``"normalized"`` (default), ``"normalized-weights"`` or ``"standard"``.
    signs:
        Frozen weight signs (+-1, one per neuron) for ``"normalized-weights"``.
    rtol, atol, max_step:
        Passed to DOP853 (``rtol`` is raised to ``100*eps`` if smaller).
    t_eval:
        Optional sample times in ``[0, horizon]`` (taken from the dense output); by default
        the samples are the solver's accepted steps, including every event time.
    estimate_error:
        If true, integrate a second time with ``rtol/100``, ``atol/100`` and store the
        max-norm difference at the samples in ``error_estimate``: an **estimate** of the
        global error, not a bound (it doubles the cost or more).
    max_events:
        Stop (status ``too-many-events``) after this many switching events.

    Returns
    -------
    Trajectory
        Samples, piecewise dense output, risk, events and status. For the standard flow
        the run stops early (status ``degenerate-neuron``) when some ``(w_j, b_j)`` gets
        within ``1e-12`` of the origin, where the flow is not regular (detected as an
        event of ``hypot(w_j, b_j) - 1e-12``: a passage by the origin inside a single
        solver step would go unnoticed).

    Raises
    ------
    ValueError
        With a one-line message on an unknown flow, a wrong-length or non-finite ``y0``,
        a non-positive ``horizon`` or tolerance, bad ``signs`` or bad ``t_eval``.
    """
    flow = check_flow(flow)
    width = int(problem.width)
    signs_t = check_signs(signs, flow, width)
    y = check_state(y0, int(problem.dim(flow)))
    T = check_positive(horizon, "horizon")
    rtol = max(check_positive(rtol, "rtol"), MIN_RTOL)
    atol = check_positive(atol, "atol", allow_zero=True)
    max_step = check_positive(max_step, "max_step")
    if int(max_events) < 1:
        raise ValueError(f"max_events must be >= 1, got {max_events}")
    t_req = check_t_eval(t_eval, T)

    run = _integrate(problem, y, T, flow, signs_t, rtol, atol, max_step, int(max_events))
    if t_req is None:
        ts, ys = run.ts, run.ys
    else:
        t_end = run.sol.t_end if run.sol.n_segments else 0.0
        ts = t_req[t_req <= t_end]
        if ts.size == 0:
            ts = np.array([0.0])
        ys = run.sol(ts)

    error_estimate: float | None = None
    message = run.message
    if estimate_error:
        rtol2 = max(rtol / 100.0, MIN_RTOL)
        if rtol2 >= rtol:
            error_estimate = math.nan
            message += "; error not estimated (rtol already at its floor)"
        else:
            ref = _integrate(problem, y, T, flow, signs_t, rtol2, atol / 100.0, max_step,
                             int(max_events))
            common = min(run.sol.t_end, ref.sol.t_end) if ref.sol.n_segments else 0.0
            mask = ts <= common
            error_estimate = (float(np.max(np.abs(ys[mask] - ref.sol(ts[mask]))))
                              if np.any(mask) and ref.sol.n_segments else math.nan)

    risk = np.array([float(problem.risk(yi, flow=flow, signs=signs_t)) for yi in ys])
    return Trajectory(
        t=np.asarray(ts, dtype=float), y=np.asarray(ys, dtype=float), flow=flow,
        signs=signs_t, problem=problem, events=run.events, sol=run.sol, risk=risk,
        status=run.status, message=message, error_estimate=error_estimate,
        unresolved_events=run.unresolved, horizon=T, rtol=rtol, atol=atol,
    )
