"""The result of a reference simulation: samples, piecewise dense output, events.

Everything here is floating point and **not rigorous**: it is meant for exploration,
plots and as a sanity check for the validated integrator, never as part of a proof.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import numpy as np

from verifier.presentation import present

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure


class SimulationStatus(StrEnum):
    """Outcome of :func:`verifier.simulate.simulate`.

    Precedence when several apply: an error (``FAILED``) over a stop
    (``DEGENERATE_NEURON``, ``ZENO``, ``TOO_MANY_EVENTS``) over ``SUCCESS``.
    The enum compares equal to its string value, e.g. ``traj.status == "success"``.
    """

    SUCCESS = "success"
    DEGENERATE_NEURON = "degenerate-neuron"
    ZENO = "zeno"
    TOO_MANY_EVENTS = "too-many-events"
    FAILED = "failed"

    @property
    def description(self) -> str:
        """A one-line user message for this outcome."""
        return _DESCRIPTIONS[self]

    @property
    def ok(self) -> bool:
        """True when the horizon was reached (as ``IntegrationStatus.ok`` and
        ``CertificateStatus.ok``)."""
        return self is SimulationStatus.SUCCESS


_DESCRIPTIONS = {
    SimulationStatus.SUCCESS: "the horizon was reached",
    SimulationStatus.DEGENERATE_NEURON: "stopped: a neuron's (w_j, b_j) came within 1e-12 of "
                                        "0 (the standard flow is not regular there)",
    SimulationStatus.ZENO: "stopped: switching events accumulate without progress in time "
                           "(Zeno guard)",
    SimulationStatus.TOO_MANY_EVENTS: "stopped: the maximal number of switching events was reached",
    SimulationStatus.FAILED: "the ODE solver failed",
}


class PiecewiseSolution:
    """Dense output glued from the solver segments between switching events.

    ``sol(t)`` returns an array of shape ``(dim,)`` for scalar ``t`` and ``(len(t), dim)``
    for an array of times (rows match :attr:`Trajectory.y`). Times must lie in
    ``[t_start, t_end]``; at a segment boundary the later segment is used (both agree
    there up to round-off, since each segment restarts from the other's end state).
    """

    def __init__(self, starts: list[float], ends: list[float], pieces: list[Any],
                 y_start: np.ndarray) -> None:
        self._starts = np.asarray(starts, dtype=float)
        self._ends = np.asarray(ends, dtype=float)
        self._pieces = list(pieces)
        self._y_start = np.array(y_start, dtype=float)
        self.t_start = float(self._starts[0]) if pieces else 0.0
        self.t_end = float(self._ends[-1]) if pieces else 0.0

    @property
    def n_segments(self) -> int:
        """Number of smooth segments (solver restarts + 1, zero-length ones dropped)."""
        return len(self._pieces)

    @property
    def breakpoints(self) -> np.ndarray:
        """Segment boundaries ``t_start = s_0 < s_1 < ... < s_n = t_end``."""
        if not self._pieces:
            return np.array([self.t_start])
        return np.concatenate([self._starts, self._ends[-1:]])

    def __call__(self, t: Any) -> np.ndarray:
        ts = np.asarray(t, dtype=float)
        scalar = ts.ndim == 0
        ts = np.atleast_1d(ts).ravel()
        slack = 1e-12 * max(1.0, abs(self.t_end))
        if ts.size and (np.min(ts) < self.t_start - slack or np.max(ts) > self.t_end + slack):
            raise ValueError(
                f"time outside the simulated interval [{self.t_start}, {self.t_end}]"
            )
        dim = self._y_start.size
        out = np.empty((ts.size, dim))
        if not self._pieces:
            out[:] = self._y_start
        else:
            # segment k covers [starts[k], ends[k]]; pick the latest segment whose start <= t
            k = np.searchsorted(self._starts, ts, side="right") - 1
            k = np.clip(k, 0, len(self._pieces) - 1)
            for kk in np.unique(k):
                mask = k == kk
                tt = np.clip(ts[mask], self._starts[kk], self._ends[kk])
                out[mask] = np.asarray(self._pieces[kk](tt)).reshape(dim, -1).T
        return out[0] if scalar else out


@dataclass(eq=False, repr=False)
class Trajectory:
    """A floating-point gradient-flow trajectory (reference simulation, **not rigorous**).

    Attributes
    ----------
    t, y:
        Sample times (shape ``(n,)``) and states (shape ``(n, dim)``) in the state order of
        ``flow`` (see docs/design.md, section 1).
    flow, signs, problem:
        What was integrated: ``y' = -problem.gradient(y, flow, signs)``.
    events:
        ``(time, index)`` for every located sign change of
        ``problem.switching_functions`` (``index`` into that vector); the integrator was
        restarted at each of them, so no solver step straddles these crossings.
    unresolved_events:
        ``(time, index)`` for crossings found only afterwards, by a sign change between
        accepted steps of a switching function whose side could not be decided at a
        restart (tangential contact or a function that vanishes identically there). The
        solver did step across these.
    sol:
        Piecewise dense output, see :class:`PiecewiseSolution`.
    risk:
        ``problem.risk`` at each sample.
    error_estimate:
        If requested, max-norm difference of the samples to a second run with
        ``rtol/100`` and ``atol/100``: an **estimate** of the global error, not a bound.
        ``None`` if not requested; ``nan`` if the tolerance could not be tightened.
    status, message:
        Outcome (:class:`SimulationStatus`) and a one-line explanation.
    """

    t: np.ndarray
    y: np.ndarray
    flow: str
    signs: tuple[int, ...] | None
    problem: Any
    events: list[tuple[float, int]]
    sol: PiecewiseSolution
    risk: np.ndarray
    status: SimulationStatus = SimulationStatus.SUCCESS
    message: str = ""
    error_estimate: float | None = None
    unresolved_events: list[tuple[float, int]] = field(default_factory=list)
    horizon: float = float("nan")
    rtol: float = float("nan")
    atol: float = float("nan")

    # ------------------------------------------------------------------ basics
    @property
    def success(self) -> bool:
        """True iff the horizon was reached."""
        return self.status == SimulationStatus.SUCCESS

    @property
    def ok(self) -> bool:
        """True iff the horizon was reached (``status.ok``; as ``Tube.ok``,
        ``Certificate.ok``)."""
        return SimulationStatus(self.status).ok

    @property
    def final(self) -> np.ndarray:
        """The last sampled state (at :attr:`t_final`)."""
        return self.y[-1].copy()

    @property
    def t_final(self) -> float:
        """The time at which the integration ended (``horizon`` unless it stopped early)."""
        return float(self.sol.t_end) if self.sol.n_segments else float(self.t[-1])

    @property
    def dim(self) -> int:
        """State dimension."""
        return int(self.y.shape[1])

    @property
    def width(self) -> int:
        """Number of hidden neurons ``H``."""
        return int(self.problem.width)

    def __call__(self, t: Any) -> np.ndarray:
        """State at time(s) ``t`` from the dense output (same shapes as :attr:`sol`)."""
        return self.sol(t)

    def __len__(self) -> int:
        return int(self.t.size)

    def __repr__(self) -> str:
        return (
            f"Trajectory(flow={self.flow!r}, H={self.width}, t=[{self.t[0]:g}, "
            f"{self.t_final:g}], samples={self.t.size}, events={len(self.events)}, "
            f"status={self.status.value!r})"
        )

    # ------------------------------------------------------------- diagnostics
    def split(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per-sample network parameters ``(w, b, v, c)`` with shapes ``(n, H)`` x3 and ``(n,)``."""
        parts = [self.problem.split_state(yi, self.flow, self.signs) for yi in self.y]
        w = np.array([p[0] for p in parts], dtype=float).reshape(len(parts), -1)
        b = np.array([p[1] for p in parts], dtype=float).reshape(len(parts), -1)
        v = np.array([p[2] for p in parts], dtype=float).reshape(len(parts), -1)
        c = np.array([float(p[3]) for p in parts], dtype=float)
        return w, b, v, c

    def norms(self) -> dict[str, np.ndarray]:
        """Per-sample size diagnostics (floats, at the sample times :attr:`t`).

        Keys: ``max_abs_v`` (``max_j |v_j|``), ``abs_c`` (``|c|``), ``max_abs_w``,
        ``max_abs_b`` (of the network weights ``w_j, b_j``), ``max_abs_state``
        (sup-norm of the state vector ``y``).
        """
        w, b, v, c = self.split()

        def rowmax(a: np.ndarray) -> np.ndarray:
            return np.max(np.abs(a), axis=1) if a.shape[1] else np.zeros(a.shape[0])

        return {
            "max_abs_v": rowmax(v),
            "abs_c": np.abs(c),
            "max_abs_w": rowmax(w),
            "max_abs_b": rowmax(b),
            "max_abs_state": np.max(np.abs(self.y), axis=1),
        }

    def coordinate_names(self) -> list[str]:
        """Names of the state coordinates, e.g. ``['phi_1', 'v_1', 'c']``."""
        return coordinate_names(self.flow, self.width)

    def summary(self) -> str:
        """A short human-readable summary (final state and risk, events, sizes)."""
        nrm = self.norms()
        names = self.coordinate_names()
        state = ", ".join(f"{n}={x:.10g}" for n, x in zip(names, self.final, strict=True))
        lines = [
            f"flow: {self.flow}  H={self.width}  t_final={self.t_final:.10g}  "
            f"status: {self.status.value} ({self.message})",
            f"final state: {state}",
            f"final risk: {self.risk[-1]:.10g}  (initial {self.risk[0]:.10g})",
            f"switching events: {len(self.events)}"
            + (f" (+{len(self.unresolved_events)} unresolved)" if self.unresolved_events
               else ""),
            f"max_t max_j |v_j|: {np.max(nrm['max_abs_v']):.10g}   "
            f"max_t |c|: {np.max(nrm['abs_c']):.10g}",
            f"final max_j |v_j|: {nrm['max_abs_v'][-1]:.10g}   "
            f"final |c|: {nrm['abs_c'][-1]:.10g}",
        ]
        if self.error_estimate is not None:
            lines.append(f"global error estimate (not a bound): {self.error_estimate:.3g}")
        lines.append("(floating-point reference simulation: not a proof)")
        return "\n".join(lines)

    # ---------------------------------------------------------------- plotting
    def plot(self, times: Any = None) -> Figure:
        """Figure with coordinates, realizations at ``times`` and the risk (see
        :func:`verifier.plotting.plot_trajectory`)."""
        return present(self, "plot", times=times)


def coordinate_names(flow: str, width: int) -> list[str]:
    """Coordinate labels of a state in the order of docs/design.md, section 1."""
    idx = range(1, width + 1)
    v = [f"v_{j}" for j in idx]
    if flow == "normalized":
        return [f"phi_{j}" for j in idx] + v + ["c"]
    if flow == "normalized-weights":
        return [f"b_{j}" for j in idx] + v + ["c"]
    return [f"w_{j}" for j in idx] + [f"b_{j}" for j in idx] + v + ["c"]
