"""2-D slice maps of a sweep: status, argument and bounds of the leaves (floats; never a
proof).

The map over two free coordinates ``(x, y)`` shows the leaves whose box meets the
slice ``{other free coordinates = at}`` (default: the root box's centre; a leaf
meets it when ``lo <= at <= hi``, so on a shared face both neighbours are drawn, the
later over the earlier). With a single free coordinate the map is a strip. Figures
are made with :class:`matplotlib.figure.Figure` (no ``pyplot``, any backend; files
are written by the Agg and PDF canvases) in the style of :mod:`verifier.plotting.style`:
mathtext labels (``$\\varphi_{1}$``), short tick labels, and inside
:func:`verifier.plotting.paper_style` the paper's fonts and column widths
(``plot_sweep(..., paper=1)`` writes them so).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LogNorm, Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from verifier.arith.numbers import parse_rational
from verifier.plotting.style import (
    coordinate_label,
    new_figure,
    new_panels,
    paper_style,
    save_figure,
    styled,
)

STATUS_COLORS = {"bounded-forever": "#2e7d32", "bounded-on-horizon": "#1565c0",
                 "failed": "#c62828"}
#: Colours of the arguments that close a leaf; a tube leaf that is not bounded forever
#: (not closed) is hatched.
ARGUMENT_COLORS = {"regime-cover": "#6a1b9a", "dead-reduction": "#2e7d32", "tube": "#ef6c00"}
_HATCH = {"bounded-forever": "", "bounded-on-horizon": "//", "failed": "xx"}


def _value(text: str) -> float:
    """A number of a file (exact text) as a float, for drawing."""
    return float(parse_rational(text, "number", strict=True))


def _axes_of(result: Any, axes: Sequence[str] | None) -> tuple[int, int | None]:
    from verifier.sweep._region import resolve_name

    region = result.config.region
    names = region.names
    if axes is None:
        free = region.free
        if not free:
            raise ValueError("the sweep has no free coordinate to plot")
        return free[0], (free[1] if len(free) > 1 else None)
    if len(axes) != 2:
        raise ValueError("give two coordinates to plot, X,Y")
    idx = [names.index(resolve_name(a, names)) for a in axes]
    for i in idx:
        if i not in region.free:
            raise ValueError(f"{names[i]} is fixed in this sweep: plot free coordinates")
    if idx[0] == idx[1]:
        raise ValueError("the two plot coordinates must differ")
    return idx[0], idx[1]


def slice_leaves(result: Any, ix: int, iy: int | None,
                 at: dict[str, Any] | None = None) -> tuple[list[dict], dict[int, Fraction]]:
    """Leaves meeting the slice through ``at`` (other free coordinates), and the slice."""
    from verifier.arith.numbers import parse_coordinate
    from verifier.sweep._region import resolve_name

    region = result.config.region
    names = region.names
    pos: dict[int, Fraction] = {}
    for i in region.free:
        if i in (ix, iy):
            continue
        lo, hi = region.root[i]
        pos[i] = (lo + hi) / 2
    for k, v in (at or {}).items():
        i = names.index(resolve_name(k, names))
        if i not in pos:
            raise ValueError(f"--plot-at {k}: not a free coordinate off the plot axes")
        q = parse_coordinate(v if not isinstance(v, float) else repr(v), f"slice {k}")
        lo, hi = region.root[i]
        if not lo <= q <= hi:
            raise ValueError(f"slice {k} = {v} is outside the region")
        pos[i] = q
    out = []
    for node in sorted(result.leaves):
        box = region.box(node)
        if all(box[i][0] <= q <= box[i][1] for i, q in pos.items()):
            out.append({**result.leaves[node], "_box": box})
    return out, pos


def _rect(box, ix: int, iy: int | None) -> tuple[float, float, float, float]:
    x0, x1 = float(box[ix][0]), float(box[ix][1])
    if iy is None:
        return x0, 0.0, x1 - x0, 1.0
    y0, y1 = float(box[iy][0]), float(box[iy][1])
    return x0, y0, x1 - x0, y1 - y0


def _frame(ax, result: Any, ix: int, iy: int | None) -> None:
    region = result.config.region
    lo, hi = region.root[ix]
    ax.set_xlim(float(lo), float(hi))
    ax.set_xlabel(coordinate_label(region.names[ix]))
    if iy is None:
        ax.set_ylim(0, 1)
        ax.set_yticks([])
    else:
        lo, hi = region.root[iy]
        ax.set_ylim(float(lo), float(hi))
        ax.set_ylabel(coordinate_label(region.names[iy]))


def _title(result: Any, pos: dict[int, Fraction]) -> str:
    region = result.config.region
    fixed = [f"{coordinate_label(r.name)} = {float(r.lo):.6g}" for r in region.ranges
             if r.fixed]
    sl = [f"{coordinate_label(region.names[i])} = {float(q):.6g}"
          for i, q in sorted(pos.items())]
    parts = fixed + sl
    return ("slice " + ", ".join(parts)) if parts else ""


def _map(result: Any, axes: Sequence[str] | None, at: dict[str, Any] | None,
         style: Any, handles: list, ncol: int, title: str) -> Figure:
    """One rectangle per leaf of the slice, drawn with ``style(leaf)`` (the keyword
    arguments of :class:`Rectangle`), a legend below and the slice in the title."""
    ix, iy = _axes_of(result, axes)
    rows, pos = slice_leaves(result, ix, iy, at)
    fig = new_figure(panel=(6.4, 4.8))
    ax = fig.add_subplot()
    for r in rows:
        x, y, w, h = _rect(r["_box"], ix, iy)
        ax.add_patch(Rectangle((x, y), w, h, edgecolor="black", linewidth=0.4, **style(r)))
    _frame(ax, result, ix, iy)
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=ncol,
              fontsize="small")
    sub = _title(result, pos)
    ax.set_title(title + (f"\n{sub}" if sub else ""), fontsize="medium")
    return fig


@styled
def status_figure(result: Any, axes: Sequence[str] | None = None,
                  at: dict[str, Any] | None = None) -> Figure:
    """Leaves coloured by status (green bounded forever, blue on [0, T], red failed)."""
    fr = result.fractions()
    handles = [Patch(color=c, label=f"{s} ({_value(fr.get(s, '0')):.3g} of R)")
               for s, c in STATUS_COLORS.items()]
    return _map(result, axes, at, lambda r: {"facecolor": STATUS_COLORS[r["status"]]},
                handles, 3, f"status of the leaves ($T = {float(result.config.horizon):g}$)")


@styled
def argument_figure(result: Any, axes: Sequence[str] | None = None,
                    at: dict[str, Any] | None = None) -> Figure:
    """Leaves coloured by the argument that closed them (regime cover, tube); tube
    leaves that are only bounded on ``[0, T]`` or failed are hatched."""
    from verifier.sweep._store import leaf_argument

    share = dict.fromkeys(ARGUMENT_COLORS, 0.0)
    for r in result.leaves.values():
        share[leaf_argument(r)] += _value(r["fraction"])
    handles = [Patch(color=c, label=f"{a} ({share[a]:.3g} of R)")
               for a, c in ARGUMENT_COLORS.items()]
    handles += [Patch(facecolor="white", edgecolor="black", hatch=h, label=f"tube, {s}")
                for s, h in _HATCH.items() if h]
    return _map(result, axes, at, lambda r: {"facecolor": ARGUMENT_COLORS[leaf_argument(r)],
                                             "hatch": _HATCH[r["status"]]},
                handles, 2, "argument that closed each leaf")


def _t_reached(r: dict, T: float) -> float:
    """How far the leaf's tube got; a regime cover integrates nothing and speaks about
    every ``t >= 0`` (drawn as ``T``)."""
    return T if r["t_reached"] is None else _value(r["t_reached"])


@styled
def bounds_figure(result: Any, axes: Sequence[str] | None = None,
                  at: dict[str, Any] | None = None) -> Figure:
    """One panel per bound (``R_v[j]``, ``R_c``) and one for ``t_reached`` of failed
    leaves; non-failed leaves show their bounds, failed ones are hatched grey in the
    bound panels (their bounds hold only up to ``t_reached``)."""
    ix, iy = _axes_of(result, axes)
    rows, pos = slice_leaves(result, ix, iy, at)
    H = int(result.config.problem["width"])
    panels = [(f"bound of $|v_{{{j + 1}}}|$", lambda r, j=j: _value(r["bounds"]["v"][j]))
              for j in range(H)]
    panels.append(("bound of $|c|$", lambda r: _value(r["bounds"]["c"])))
    fig, axs = new_panels(len(panels) + 1, len(panels) + 1, panel=(4.2, 4.0))
    for ax, (label, value) in zip(axs, panels):
        ok = [r for r in rows if r["status"] != "failed"]
        vals = np.array([value(r) for r in ok]) if ok else np.array([1.0])
        vmin, vmax = float(vals.min()), float(vals.max())
        norm = (LogNorm(vmin, vmax) if vmin > 0 and vmax > 10 * vmin
                else Normalize(vmin, vmax if vmax > vmin else vmin + 1))
        cmap = colormaps["viridis"]
        for r in rows:
            x, y, w, h = _rect(r["_box"], ix, iy)
            if r["status"] == "failed":
                ax.add_patch(Rectangle((x, y), w, h, facecolor="#dddddd", hatch="//",
                                       edgecolor="#888888", linewidth=0.4))
            else:
                ax.add_patch(Rectangle((x, y), w, h, facecolor=cmap(norm(value(r))),
                                       edgecolor="black", linewidth=0.4))
        _frame(ax, result, ix, iy)
        fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.8)
        ax.set_title(f"{label} (non-failed leaves)", fontsize="medium")
    ax = axs[-1]
    T = float(result.config.horizon)
    reached = [_t_reached(r, T) for r in rows]
    small = max(min([t for t in reached if t > 0] + [T]), 1e-6 * T)
    # log scale when boxes fail early (t_reached below 1e-6 T drawn at the low end)
    norm = LogNorm(small, T, clip=True) if small < T / 100 else Normalize(0.0, T)
    cmap = colormaps["magma"]
    for r in rows:
        x, y, w, h = _rect(r["_box"], ix, iy)
        t = _t_reached(r, T)
        ax.add_patch(Rectangle((x, y), w, h, facecolor=cmap(norm(t)), edgecolor="black",
                               linewidth=0.4))
    _frame(ax, result, ix, iy)
    fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.8)
    ax.set_title("$t$ reached ($T$ where not failed)", fontsize="medium")
    sub = _title(result, pos)
    if sub:
        fig.suptitle(sub, fontsize="medium")
    return fig


def plot_sweep(result: Any, out_dir: str | Path, axes: Sequence[str] | None = None,
               at: dict[str, Any] | None = None, paper: int | None = None) -> list[Path]:
    """Write ``sweep_status``, ``sweep_arguments`` and ``sweep_bounds`` (``.png`` and
    ``.pdf``) to ``out_dir``.

    ``result``: a :class:`verifier.sweep.SweepResult` or the path of a sweep file;
    ``paper``: 1 or 2 draws them in the paper style for that many journal columns."""
    if paper is not None:
        with paper_style(columns=paper):
            return plot_sweep(result, out_dir, axes, at)
    if isinstance(result, str | Path):
        from verifier.sweep import read_sweep

        result = read_sweep(result)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    for name, fig in (("sweep_status", status_figure(result, axes, at)),
                      ("sweep_arguments", argument_figure(result, axes, at)),
                      ("sweep_bounds", bounds_figure(result, axes, at))):
        files += save_figure(fig, out, name, ("png", "pdf"))
    return files
