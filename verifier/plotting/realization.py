"""The network's realization against the target, with bands from a tube.

What is shown: at a time ``t``, the tube gives a box containing every state
reachable at ``t`` from the initial set; the band at ``x`` is an interval
containing ``N_theta(x)`` for every ``theta`` in that box (float interval
arithmetic, with ``cos``/``sin`` ranges of the angle box from balls). The
target is drawn dashed. Floats only; never used in proofs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from flint import arb

from verifier.plotting.bands import as_bands
from verifier.plotting.style import new_figure, styled

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes


def parameter_box(lo: Sequence[float], hi: Sequence[float], flow: str, width: int,
                  signs: Sequence[int] | None = None) -> tuple[np.ndarray, ...]:
    """Float bounds ``(w_lo, w_hi, b_lo, b_hi, v_lo, v_hi, c_lo, c_hi)`` of the network
    parameters over a state box (outward rounded by one ulp)."""
    H = width
    lo = np.asarray(lo, float)
    hi = np.asarray(hi, float)
    if flow == "normalized":
        w, b = [], []
        for j in range(H):
            phi = arb.union(arb(float(lo[j])), arb(float(hi[j])))
            w.append(phi.cos())
            b.append(phi.sin())
        wl = np.array([float(x.lower()) for x in w])
        wu = np.array([float(x.upper()) for x in w])
        bl = np.array([float(x.lower()) for x in b])
        bu = np.array([float(x.upper()) for x in b])
        wl, wu = np.nextafter(wl, -np.inf), np.nextafter(wu, np.inf)
        bl, bu = np.nextafter(bl, -np.inf), np.nextafter(bu, np.inf)
        rest = 1
    elif flow == "normalized-weights":
        s = np.ones(H) if signs is None else np.asarray(signs, float)
        wl = wu = s
        bl, bu = lo[:H], hi[:H]
        rest = 1
    else:
        wl, wu = lo[:H], hi[:H]
        bl, bu = lo[H:2 * H], hi[H:2 * H]
        rest = 2
    vl, vu = lo[rest * H:(rest + 1) * H], hi[rest * H:(rest + 1) * H]
    return wl, wu, bl, bu, vl, vu, lo[-1], hi[-1]


def realization_band(lo: Sequence[float], hi: Sequence[float], xs: Any, flow: str,
                     width: int, signs: Sequence[int] | None = None
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Float lower/upper bounds of ``N_theta(x)`` at the points ``xs`` over the state box
    ``[lo, hi]`` (interval arithmetic; round-off of a few ulps is not accounted for,
    which is harmless for a picture)."""
    wl, wu, bl, bu, vl, vu, cl, cu = parameter_box(lo, hi, flow, width, signs)
    x = np.asarray(xs, float)[:, None]
    z1, z2 = wl * x, wu * x
    zl = np.minimum(z1, z2) + bl
    zu = np.maximum(z1, z2) + bu
    rl, ru = np.maximum(zl, 0.0), np.maximum(zu, 0.0)
    prods = np.stack([vl * rl, vl * ru, vu * rl, vu * ru])
    return cl + prods.min(0).sum(1), cu + prods.max(0).sum(1)


@styled
def plot_realization_bands(bands: Any, problem: Any, times: Sequence[float] | None = None,
                           ax: Axes | None = None, reference: Any = None,
                           n: int = 300) -> Axes:
    """Bands of the realization at ``times`` (default: 0, a quarter, half and the end of
    the tube, or three quarters of a failed tube) against the target; ``reference`` (a
    Trajectory) adds its realizations as thin lines."""
    import matplotlib as mpl

    b = as_bands(bands)
    if ax is None:
        ax = new_figure().add_subplot()
    a, c = float(problem.a), float(problem.b)
    xs = np.linspace(a, c, n)
    if times is None:  # a failed tube's last sets are wide: stop at 3/4 of it then
        T = b.t_reached
        times = [0.0, 0.25 * T, 0.5 * T, T if b.status != "failed" else 0.75 * T]
    colors = mpl.colormaps["viridis"](np.linspace(0.0, 0.85, len(times)))
    for t, col in zip(times, colors):
        lo, hi = b.box_at(float(t))
        rl, ru = realization_band(lo, hi, xs, b.flow, b.width, b.signs)
        ax.fill_between(xs, rl, ru, color=col, alpha=0.45, lw=0.8, edgecolor=col,
                        label=f"$t = {t:.3g}$")
        if reference is not None and t <= reference.t_final:
            y = reference.sol(float(t))
            ax.plot(xs, problem.realization(y, xs, flow=b.flow, signs=b.signs), color=col,
                    lw=0.8)
    ax.plot(xs, problem.target_values(xs), "k--", lw=1.6, label="target $f$")
    ax.set_xlim(a, c)
    ax.set_xlabel("$x$")
    ax.set_ylabel(r"$N_\theta(x)$")
    ax.set_title("realization (certified bands)")
    ax.legend(loc="best", fontsize="small")
    return ax
