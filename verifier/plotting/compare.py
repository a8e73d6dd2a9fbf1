"""The normalized and the standard flow from the same initial realization.

A normalized state ``(phi, v, c)`` and the standard state
``(w, b, v, c) = (cos phi, sin phi, v, c)`` define the same network function at
``t = 0``. :func:`plot_flow_comparison` shows, from there, both flows side by side:
the realizations at the start and at the end, the parameter norm ``|theta(t)|``,
the neuron norms ``|(w_j, b_j)|`` (identically 1 under the normalized flow; under
the standard flow they can approach 0, where the flow is not regular), the risk,
the outer weights ``v_j`` and the standard flow's conserved quantities
``v_j^2 - w_j^2 - b_j^2`` (their drift measures the simulation's error). Reference
simulations are floats (not rigorous); certified bands are added when the tubes of
both cases are given.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from verifier.plotting.bands import as_bands
from verifier.plotting.style import compact, new_panels, note_omitted, styled, suptitle


def normalized_to_standard(y: Sequence[float], width: int) -> np.ndarray:
    """``(phi, v, c) -> (cos phi, sin phi, v, c)``: the same realization in standard
    coordinates."""
    y = np.asarray(y, float)
    H = width
    phi = y[:H]
    return np.concatenate([np.cos(phi), np.sin(phi), y[H:2 * H], y[2 * H:]])


def standard_to_normalized(y: Sequence[float], width: int) -> np.ndarray:
    """``(w, b, v, c) -> (phi, r v, c)`` with ``r = |(w, b)|``, ``phi = atan2(b, w)``:
    the same realization on the normalized manifold (positive homogeneity of ReLU)."""
    y = np.asarray(y, float)
    H = width
    w, b = y[:H], y[H:2 * H]
    r = np.hypot(w, b)
    return np.concatenate([np.arctan2(b, w), r * y[2 * H:3 * H], y[3 * H:]])


def standard_invariants(traj: Any) -> np.ndarray:
    """``v_j^2 - w_j^2 - b_j^2`` at the samples of a standard-flow trajectory, shape
    ``(n, H)`` (exactly conserved by the standard flow)."""
    w, b, v, _ = traj.split()
    return v**2 - w**2 - b**2


def neuron_norms(traj: Any) -> np.ndarray:
    """``|(w_j, b_j)|`` at the samples, shape ``(n, H)``."""
    w, b, _, _ = traj.split()
    return np.hypot(w, b)


def parameter_norm(traj: Any) -> np.ndarray:
    """The Euclidean norm of ``(w, b, v, c)`` at the samples (for the normalized flow
    with ``(w_j, b_j) = (cos phi_j, sin phi_j)``, so angles winding do not count)."""
    w, b, v, c = traj.split()
    return np.sqrt((w**2).sum(1) + (b**2).sum(1) + (v**2).sum(1) + c**2)


def simulate_both(problem: Any, y_normalized: Sequence[float], horizon: float,
                  rtol: float = 1e-10) -> tuple[Any, Any]:
    """Reference simulations of the normalized flow from ``y_normalized`` and of the
    standard flow from the same realization."""
    from verifier.simulate import simulate

    yn = np.asarray(y_normalized, float)
    ys = normalized_to_standard(yn, problem.width)
    tn = simulate(problem, yn, horizon, flow="normalized", rtol=rtol)
    ts = simulate(problem, ys, horizon, flow="standard", rtol=rtol)
    return tn, ts


def _neuron_norm_band(bands: Any, j: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bounds of ``|(w_j, b_j)|`` over the a priori boxes of a standard-flow tube."""
    b = as_bands(bands)
    H = b.width
    wl, wu = b.lo[:, j], b.hi[:, j]
    bl, bu = b.lo[:, H + j], b.hi[:, H + j]
    dw = np.where((wl <= 0) & (wu >= 0), 0.0, np.minimum(np.abs(wl), np.abs(wu)))
    db = np.where((bl <= 0) & (bu >= 0), 0.0, np.minimum(np.abs(bl), np.abs(bu)))
    rlo = np.hypot(dw, db)
    rhi = np.hypot(np.maximum(np.abs(wl), np.abs(wu)), np.maximum(np.abs(bl), np.abs(bu)))
    t = np.column_stack([b.t0, b.t1]).ravel()
    return t, np.repeat(rlo, 2), np.repeat(rhi, 2)


@styled
def plot_flow_comparison(problem: Any, y_normalized: Sequence[float], horizon: float,
                         bands_normalized: Any = None, bands_standard: Any = None,
                         trajectories: tuple[Any, Any] | None = None,
                         title: str | None = None) -> Figure:
    """Six panels comparing the flows from one initial realization (module docstring).

    ``trajectories``: precomputed ``(normalized, standard)`` reference simulations
    (default: :func:`simulate_both`). ``bands_*``: tubes/certificates of the two cases,
    drawn as shaded bands where they apply. Panels without data (a simulation that
    stopped at once) are left out and named in the title.
    """
    tn, ts = trajectories if trajectories is not None else simulate_both(
        problem, y_normalized, horizon)
    H = problem.width
    cn, cs = "tab:blue", "tab:orange"
    fig, ax = new_panels(6, 3, panel=(4.6, 3.6), extra=0.4)

    a, b = float(problem.a), float(problem.b)
    xs = np.linspace(a, b, 300)
    ax[0].plot(xs, problem.target_values(xs), "k--", lw=1.6, label="target $f$")
    ax[0].plot(xs, problem.realization(tn.y[0], xs, flow="normalized"), color="0.5", lw=1.2,
               label="both, $t = 0$")
    ax[0].plot(xs, problem.realization(tn.final, xs, flow="normalized"), color=cn,
               label=f"normalized, $t = {tn.t_final:.3g}$")
    ax[0].plot(xs, problem.realization(ts.final, xs, flow="standard"), color=cs, ls="-.",
               label=f"standard, $t = {ts.t_final:.3g}$")
    ax[0].set(xlabel="$x$", ylabel=r"$N_\theta(x)$", title="realizations", xlim=(a, b))
    ax[0].legend(fontsize="small")

    ax[1].plot(tn.t, parameter_norm(tn), color=cn, label="normalized")
    ax[1].plot(ts.t, parameter_norm(ts), color=cs, ls="-.", label="standard")
    ax[1].set(xlabel="$t$", ylabel=r"$|(w, b, v, c)|$", title="parameter norm")
    ax[1].legend(fontsize="small")

    rs = neuron_norms(ts)
    for j in range(H):
        if bands_standard is not None:
            t, lo, hi = _neuron_norm_band(bands_standard, j)
            ax[2].fill_between(t, np.maximum(lo, 1e-300), hi, color=cs, alpha=0.25, lw=0,
                               label="certified (standard)" if j == 0 else None)
        ax[2].plot(ts.t, rs[:, j], color=cs, ls="-.", label=f"standard, $j = {j + 1}$")
    ax[2].axhline(1.0, color=cn, label="normalized (= 1)")
    if rs.size and np.nanmin(rs) < 0.1:  # log scale only where the norms come near 0
        ax[2].set_yscale("log")
    ax[2].set(xlabel="$t$", ylabel=r"$|(w_j, b_j)|$",
              title=r"neuron norms (GF singular at $(w_j, b_j) = 0$)")
    ax[2].legend(fontsize="small")

    tiny = 1e-300
    ax[3].semilogy(tn.t, np.maximum(tn.risk, tiny), color=cn, label="normalized")
    ax[3].semilogy(ts.t, np.maximum(ts.risk, tiny), color=cs, ls="-.", label="standard")
    ax[3].set(xlabel="$t$", ylabel=r"$L(\theta(t))$", title="risk")
    ax[3].legend(fontsize="small")

    _, _, vn, _ = tn.split()
    _, _, vs, _ = ts.split()
    for j in range(H):
        for bands, col, k0 in ((bands_normalized, cn, H), (bands_standard, cs, 2 * H)):
            if bands is not None:
                bb = as_bands(bands)
                t = np.column_stack([bb.t0, bb.t1]).ravel()
                ax[4].fill_between(t, np.repeat(bb.lo[:, k0 + j], 2),
                                   np.repeat(bb.hi[:, k0 + j], 2), color=col, alpha=0.25, lw=0)
        ax[4].plot(tn.t, vn[:, j], color=cn, label="normalized" if j == 0 else None)
        ax[4].plot(ts.t, vs[:, j], color=cs, ls="-.", label="standard" if j == 0 else None)
    certified = bands_normalized is not None or bands_standard is not None
    ax[4].set(xlabel="$t$", ylabel=r"$v_j$",
              title="outer weights" + (" (bands: certified)" if certified else ""))
    ax[4].legend(fontsize="small")

    inv = standard_invariants(ts)
    for j in range(H):
        ax[5].plot(ts.t, inv[:, j] - inv[0, j], color=cs, label=f"$j = {j + 1}$")
    ax[5].set(xlabel="$t$", ylabel=r"drift of $v_j^2 - w_j^2 - b_j^2$",
              title="standard flow: conserved quantities")
    ax[5].ticklabel_format(axis="y", style="sci", scilimits=(-3, 3))
    ax[5].legend(fontsize="small")
    suptitle(fig, title or f"same initial realization, normalized vs standard flow "
                      f"($H = {H}$); lines: reference simulations")
    note_omitted(fig, compact(fig))
    return fig
