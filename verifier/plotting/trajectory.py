"""Matplotlib figures of reference trajectories (floats only; never used in proofs).

The functions work with any backend (they never touch ``pyplot`` when no axes are
given: a bare :class:`matplotlib.figure.Figure` is created) and never call ``show()``.
Labels are mathtext and the look follows :mod:`verifier.plotting.style` (also
:func:`~verifier.plotting.style.paper_style`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.figure import Figure

from verifier.plotting.style import coordinate_label, new_figure, new_panels, styled, suptitle
from verifier.presentation import register

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from verifier.simulate.trajectory import Trajectory


def _new_axes(ax: Axes | None) -> Axes:
    return ax if ax is not None else new_figure().add_subplot()


def _grid(traj: Trajectory, n: int) -> np.ndarray:
    """Dense time grid over the simulated interval, including all sample times if few."""
    t0, t1 = float(traj.t[0]), float(traj.t_final)
    if traj.sol.n_segments == 0 or t1 <= t0:
        return np.asarray(traj.t, dtype=float)
    grid = np.linspace(t0, t1, n)
    if traj.t.size <= 4 * n:
        grid = np.union1d(grid, traj.t[(traj.t >= t0) & (traj.t <= t1)])
    return grid


@styled
def plot_coordinates(traj: Trajectory, ax: Axes | None = None, n: int = 1000) -> Axes:
    """Plot every state coordinate against time (from the dense output on ``n`` points).

    One line per coordinate, labelled ``$\\varphi_{1}$, .., $v_{1}$, .., $c$`` (resp.
    ``b_j`` or ``w_j, b_j``); switching-event times are drawn as faint vertical lines (a single
    ``LineCollection``, so ``ax.lines`` holds exactly one line per coordinate).
    """
    ax = _new_axes(ax)
    ts = _grid(traj, n)
    ys = traj.sol(ts) if traj.sol.n_segments else np.asarray(traj.y)
    for k, name in enumerate(traj.coordinate_names()):
        ax.plot(ts, ys[:, k], label=coordinate_label(name))
    if traj.events:
        ax.vlines([te for te, _ in traj.events], 0, 1, transform=ax.get_xaxis_transform(),
                  colors="0.5", alpha=0.3, linewidths=0.8, label="switching events")
    ax.set_xlabel("$t$")
    ax.set_ylabel("state $y(t)$")
    ax.set_title(f"{traj.flow} gradient flow, $H = {traj.width}$")
    ax.legend(loc="best", fontsize="small")
    return ax


@styled
def plot_realization(traj: Trajectory, times: Any, ax: Axes | None = None,
                     n: int = 400) -> Axes:
    """Plot the realization ``N_theta(x)`` at the chosen ``times`` against the target on
    ``[a, b]`` (``n`` points). Lines: the target first, then one per time."""
    ax = _new_axes(ax)
    problem = traj.problem
    a, b = float(problem.a), float(problem.b)
    xs = np.linspace(a, b, n)
    ax.plot(xs, np.asarray(problem.target_values(xs), dtype=float), "k--", lw=2,
            label="target $f$")
    tt = np.atleast_1d(np.asarray(times, dtype=float))
    states = traj.sol(tt) if traj.sol.n_segments else np.repeat(traj.y[:1], tt.size, 0)
    for t, y in zip(tt, states, strict=True):
        vals = problem.realization(y, xs, flow=traj.flow, signs=traj.signs)
        ax.plot(xs, np.asarray(vals, dtype=float), label=f"$t = {t:.4g}$")
    ax.set_xlabel("$x$")
    ax.set_ylabel(r"$N_\theta(x)$")
    ax.set_xlim(a, b)
    ax.set_title("realization")
    ax.legend(loc="best", fontsize="small")
    return ax


@styled
def plot_risk(traj: Trajectory, ax: Axes | None = None) -> Axes:
    """Plot the risk ``L(y(t))`` at the samples on a logarithmic scale (one line)."""
    ax = _new_axes(ax)
    risk = np.asarray(traj.risk, dtype=float)
    tiny = np.finfo(float).tiny
    ax.semilogy(traj.t, np.maximum(risk, tiny), label="risk $L$")
    if traj.events:
        ax.vlines([te for te, _ in traj.events], 0, 1, transform=ax.get_xaxis_transform(),
                  colors="0.5", alpha=0.3, linewidths=0.8)
    ax.set_xlabel("$t$")
    ax.set_ylabel(r"$L(\theta(t))$")
    ax.set_title("risk")
    return ax


def default_times(traj: Trajectory) -> np.ndarray:
    """Start, middle and end of the simulated interval."""
    t0, t1 = float(traj.t[0]), float(traj.t_final)
    return np.unique(np.array([t0, 0.5 * (t0 + t1), t1]))


@styled
def plot_trajectory(traj: Trajectory, times: Any = None) -> Figure:
    """A figure with three axes: coordinates, realizations at ``times`` (default: start,
    middle, end) and the risk."""
    fig, axes = new_panels(3, 3, panel=(5.0, 4.2), extra=0.3)
    plot_coordinates(traj, ax=axes[0])
    plot_realization(traj, default_times(traj) if times is None else times, ax=axes[1])
    plot_risk(traj, ax=axes[2])
    suptitle(fig, "reference simulation (floating point, not rigorous)")
    return fig


def _register() -> None:
    """``Trajectory.plot`` (:mod:`verifier.presentation`)."""
    from verifier.simulate.trajectory import Trajectory as _Trajectory

    register(_Trajectory, "plot", plot_trajectory)


_register()
