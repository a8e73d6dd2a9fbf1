"""Figures of validated tubes: coordinates and the risk with their enclosure bands.

What is shown: for every step ``[t0, t1]`` of the tube, the a priori box, which
contains every solution from the initial set for all ``t`` in ``[t0, t1]`` (a
shaded step band per coordinate). A reference simulation (floats, not rigorous)
can be drawn on top: it must lie inside the band. The risk band is the ball
enclosure of ``L`` over each a priori box. Floats only; never used in proofs.

A tube without a step has no band to draw: the band functions raise ``ValueError``
rather than return empty panels. :func:`plot_enclosure` is the one entry point behind
``Tube.plot`` and ``Certificate.plot``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.figure import Figure

from verifier.plotting.bands import Bands, as_bands
from verifier.plotting.style import (
    coordinate_label,
    new_figure,
    new_panels,
    styled,
    suptitle,
    target_label,
)
from verifier.presentation import register

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

BAND = "tab:blue"
REFERENCE = "tab:red"


def _new_axes(ax: Axes | None) -> Axes:
    return ax if ax is not None else new_figure().add_subplot()


def _with_steps(bands: Any) -> Bands:
    b = as_bands(bands)
    if not b.t1.size:
        raise ValueError(f"the tube has no step (status {b.status}): no band to draw")
    return b


@styled
def plot_coordinate_band(bands: Any, name: str, ax: Axes | None = None,
                         reference: Any = None, label: bool = True) -> Axes:
    """Draw the enclosure band of one coordinate (and optionally a reference trajectory's
    same coordinate) against time. Returns the axes."""
    b = _with_steps(bands)
    ax = _new_axes(ax)
    k = b.index(name)
    t, lo, hi = b.step_band(k)
    ax.fill_between(t, lo, hi, color=BAND, alpha=0.35, lw=0, step=None,
                    label="certified enclosure" if label else None)
    ax.plot(t, lo, color=BAND, lw=0.6)
    ax.plot(t, hi, color=BAND, lw=0.6)
    if reference is not None:
        ts = np.linspace(0.0, min(b.t_reached, reference.t_final), 600)
        ax.plot(ts, reference.sol(ts)[:, k], color=REFERENCE, lw=1.0, ls="--",
                label="reference simulation" if label else None)
    top, bottom = float(np.max(hi)) if hi.size else 0.0, float(np.min(lo)) if lo.size else 0.0
    mid = 0.5 * (top + bottom)
    if top - bottom < 1e-6 * max(1.0, abs(mid)):  # (nearly) constant: a readable range
        pad = 0.02 * max(1.0, abs(mid))
        ax.set_ylim(mid - pad, mid + pad)
    ax.set_xlabel("$t$")
    ax.set_ylabel(coordinate_label(name))
    ax.set_xlim(0.0, b.t_reached if b.t_reached > 0 else 1.0)
    return ax


@styled
def plot_tube(bands: Any, names: list[str] | None = None, reference: Any = None,
              title: str | None = None, ncols: int | None = None) -> Figure:
    """One panel per coordinate (default: all) with its enclosure band; the figure has
    exactly one axes per coordinate (no empty cells).

    ``reference``: a :class:`verifier.Trajectory` from a point of the initial set,
    drawn dashed (it must stay inside the bands).
    """
    b = _with_steps(bands)
    names = list(b.names) if names is None else list(names)
    n = len(names)
    fig, axes = new_panels(n, ncols or (3 if n != 4 else 2), panel=(3.6, 2.6), extra=0.5)
    for k, name in enumerate(names):
        plot_coordinate_band(b, name, ax=axes[k], reference=reference, label=(k == 0))
    handles, labels = axes[0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncols=len(handles),
                   fontsize="small", frameon=False)
    suptitle(fig, title or _title(b))
    return fig


def risk_band(bands: Any, problem: Any, max_points: int = 400) -> tuple[np.ndarray, ...]:
    """``(t, lo, hi)``: the ball enclosure of the risk over the a priori boxes, as a step
    band (two points per step; at most ``max_points`` steps, merged in runs otherwise)."""
    b = as_bands(bands)
    lo_box, hi_box, t0, t1 = b.lo, b.hi, b.t0, b.t1
    m = len(t1)
    if m > max_points:  # merge runs of steps: the hull of their boxes
        edges = np.linspace(0, m, max_points + 1).astype(int)
        lo_box = np.array([lo_box[i:j].min(0) for i, j in zip(edges[:-1], edges[1:])])
        hi_box = np.array([hi_box[i:j].max(0) for i, j in zip(edges[:-1], edges[1:])])
        t0 = t0[edges[:-1]]
        t1 = t1[edges[1:] - 1]
    rlo, rhi = [], []
    for lo, hi in zip(lo_box, hi_box):
        r = risk_enclosure(problem, lo, hi, b.flow, b.signs)
        rlo.append(max(float(r.lower()), 0.0))
        rhi.append(float(r.upper()))
    t = np.column_stack([t0, t1]).ravel()
    return t, np.repeat(rlo, 2), np.repeat(rhi, 2)


def risk_enclosure(problem: Any, lo: np.ndarray, hi: np.ndarray, flow: str,
                   signs: Any = None) -> Any:
    """A ball containing ``L`` over the box ``[lo, hi]``: the direct ball evaluation
    intersected with the mean-value form ``L(m) + G(B) . (B - m)`` (much tighter on
    narrow boxes, where the direct evaluation suffers from the dependency problem)."""
    from flint import arb

    s = None if signs is None else list(signs)
    box = [(float(a), float(c)) for a, c in zip(lo, hi)]
    direct = problem.risk(box, flow=flow, signs=s, arithmetic="arb")
    mid = [0.5 * (float(a) + float(c)) for a, c in zip(lo, hi)]
    at_mid = problem.risk(mid, flow=flow, signs=s, arithmetic="arb")
    grad = problem.gradient(box, flow=flow, signs=s, arithmetic="arb")
    dev = [arb.union(arb(a) - arb(m), arb(c) - arb(m)) for a, c, m in zip(lo, hi, mid)]
    mv = at_mid + sum((g * d for g, d in zip(grad, dev)), arb(0))
    if not mv.is_finite():
        return direct
    if not direct.is_finite():
        return mv
    low = max(direct.lower(), mv.lower())
    up = min(direct.upper(), mv.upper())
    return arb.union(low, up) if low <= up else direct


@styled
def plot_risk_band(bands: Any, problem: Any, ax: Axes | None = None, reference: Any = None,
                   log: bool = True) -> Axes:
    """The enclosure of the risk ``L(y(t))`` over time (log scale), with an optional
    reference simulation's risk."""
    b = _with_steps(bands)
    ax = _new_axes(ax)
    t, lo, hi = risk_band(b, problem)
    tiny = 1e-300
    ax.fill_between(t, np.maximum(lo, tiny) if log else lo, hi, color=BAND, alpha=0.35, lw=0,
                    label="enclosure of $L$ over the tube")
    ax.plot(t, hi, color=BAND, lw=0.6)
    if reference is not None:
        mask = reference.t <= b.t_reached
        ax.plot(reference.t[mask], np.maximum(reference.risk[mask], tiny), color=REFERENCE,
                ls="--", lw=1.0, label="reference simulation")
    if log:
        ax.set_yscale("log")
        ref = [] if reference is None else list(reference.risk[reference.risk > 0])
        positive = np.concatenate([lo[lo > 0], hi[hi > 0], np.asarray(ref, float)])
        if positive.size:
            ax.set_ylim(0.5 * positive.min(), 2.0 * positive.max())
    ax.set_xlabel("$t$")
    ax.set_ylabel(r"$L(\theta(t))$")
    ax.set_xlim(0.0, b.t_reached if b.t_reached > 0 else 1.0)
    ax.legend(loc="best", fontsize="small")
    ax.set_title("risk")
    return ax


def describe(b: Bands) -> str:
    """``normalized flow, $H = 2$, $f(x) = x^{2}$``: the case of a tube, for titles."""
    target = (b.problem or {}).get("target")
    f = target_label(target) if target is not None else "$f$ unknown"
    return f"{b.flow} flow, $H = {b.width}$, {f}"


def _title(b: Bands) -> str:
    return f"{describe(b)}: certified tube to $t = {b.t_reached:g}$ ({b.status})"


KINDS = ("tube", "realization", "risk")


def plot_enclosure(obj: Any, kind: str = "tube", problem: Any = None, reference: Any = None,
                   **kwargs: Any) -> Figure:
    """A figure of a :class:`~verifier.Tube`, a :class:`~verifier.Certificate` or a
    certificate document: ``kind="tube"`` (:func:`plot_tube`), ``"realization"``
    (:func:`~verifier.plotting.realization.plot_realization_bands`) or ``"risk"``
    (:func:`plot_risk_band`). ``problem`` is needed for the last two unless ``obj``
    carries it (a certificate does); ``kwargs`` go to the plotting function."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (choose one of {', '.join(KINDS)})")
    b = as_bands(obj, problem)
    if kind == "tube":
        return plot_tube(b, reference=reference, **kwargs)
    if problem is None:
        if b.problem is None:
            raise ValueError(f"plotting the {kind} needs the problem: pass problem=...")
        from verifier.problem import Problem

        problem = Problem.from_dict(b.problem)
    if kind == "risk":
        return plot_risk_band(b, problem, reference=reference, **kwargs).figure
    from verifier.plotting.realization import plot_realization_bands

    return plot_realization_bands(b, problem, reference=reference, **kwargs).figure


def _register() -> None:
    """``Tube.plot`` and ``Certificate.plot`` (:mod:`verifier.presentation`)."""
    from verifier.certificates.certificate import Certificate
    from verifier.integrate._tube import Tube

    for cls in (Tube, Certificate):
        register(cls, "plot", plot_enclosure)


_register()
