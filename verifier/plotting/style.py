"""How the figures look: mathtext labels, tick formats, a paper style, no empty panels.

Every plotting function of this package is wrapped by :func:`styled`: its artists are
created under :data:`BASE_RC` (mathtext tick labels, an offset instead of long tick
labels, fonts embedded as TrueType in PDF and as text in SVG), or under :data:`PAPER_RC`
inside :func:`paper_style`, which also sizes new figures to a journal column
(:data:`COLUMN_WIDTH`)::

    from verifier.plotting import paper_style, plot_tube

    with paper_style(columns=1):
        fig = plot_tube(cert)
        fig.savefig("tube.pdf")          # vector output, fonts embedded

Labels are mathtext: :func:`coordinate_label` gives ``$\\varphi_{1}$`` for ``phi_1``
(or ``phi1``) and :func:`target_label` ``$f(x) = x^{2}$`` from the target's SymPy
expression (:func:`sympy.latex`), with a plain-text fallback where mathtext cannot draw
the formula (a ``cases`` environment). Tick labels never carry more than a few
significant digits: a nearly constant band around ``-2.2`` is labelled ``-1, 0, 1``
with the offset ``\\times 10^{-5} - 2.2`` at the axis end.

:func:`compact` drops the panels of a figure that hold no data and reflows the others,
so that a figure never shows an empty frame.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import ScalarFormatter

#: Widths in inches of one column and of the full text of a two-column journal page
#: (about 88 mm and 182 mm, the common sizes of two-column journals).
COLUMN_WIDTH = {1: 3.5, 2: 7.16}

#: Settings of every figure (screen and paper).
BASE_RC: dict[str, Any] = {
    "axes.formatter.use_mathtext": True,
    "axes.formatter.useoffset": True,
    # an offset as soon as it saves 3 digits: ticks read "-1, 0, 1" plus "-2.2", never
    # "-2.199985, -2.199990"
    "axes.formatter.offset_threshold": 3,
    "axes.formatter.limits": (-3, 4),
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "svg.fonttype": "none",
    "savefig.dpi": 150,
}

#: The paper style: serif text matching the STIX mathtext, 8 pt, thin lines, small
#: margins, 300 dpi for raster output.
PAPER_RC: dict[str, Any] = {
    **BASE_RC,
    "font.family": "serif",
    "font.serif": ["STIXGeneral", "DejaVu Serif"],
    "mathtext.fontset": "stix",
    "font.size": 8.0,
    "axes.titlesize": 8.0,
    "axes.labelsize": 8.0,
    "figure.titlesize": 8.0,
    "legend.fontsize": 7.0,
    "xtick.labelsize": 7.0,
    "ytick.labelsize": 7.0,
    "lines.linewidth": 1.0,
    "lines.markersize": 3.0,
    "axes.linewidth": 0.6,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "xtick.major.size": 2.5,
    "ytick.major.size": 2.5,
    "legend.frameon": False,
    "savefig.dpi": 300,
    "savefig.pad_inches": 0.01,
    "figure.constrained_layout.h_pad": 0.02,
    "figure.constrained_layout.w_pad": 0.02,
}

#: Formats written by :func:`save_figure` by default: vector first.
FORMATS = ("pdf", "png")

_COLUMNS: ContextVar[int | None] = ContextVar("verifier_paper_columns", default=None)

F = TypeVar("F", bound=Callable[..., Any])


def current_rc() -> dict[str, Any]:
    """The settings in force: :data:`PAPER_RC` inside :func:`paper_style`, else
    :data:`BASE_RC`."""
    return PAPER_RC if _COLUMNS.get() is not None else BASE_RC


@contextmanager
def paper_style(columns: int = 1) -> Iterator[None]:
    """Draw (and save) figures for a paper: :data:`PAPER_RC`, and new figures
    ``COLUMN_WIDTH[columns]`` inches wide (``columns``: 1 or 2)."""
    if columns not in COLUMN_WIDTH:
        raise ValueError(f"columns must be 1 or 2, got {columns!r}")
    token = _COLUMNS.set(columns)
    try:
        with mpl.rc_context(PAPER_RC):
            yield
    finally:
        _COLUMNS.reset(token)


def figure_size(nrows: int = 1, ncols: int = 1, panel: tuple[float, float] = (6.4, 4.2),
                extra: float = 0.0) -> tuple[float, float]:
    """Size in inches of a grid of panels, plus ``extra`` inches of height (titles,
    legends): ``panel`` per panel on screen; in the paper style the column width, each
    panel keeping the aspect ratio of ``panel`` (at most 0.8)."""
    columns = _COLUMNS.get()
    if columns is None:
        return panel[0] * ncols, panel[1] * nrows + extra
    width = COLUMN_WIDTH[columns]
    aspect = min(panel[1] / panel[0], 0.8)
    return width, width / ncols * aspect * nrows + 0.5 * extra


def new_figure(nrows: int = 1, ncols: int = 1, panel: tuple[float, float] = (6.4, 4.2),
               extra: float = 0.0) -> Figure:
    """A bare :class:`~matplotlib.figure.Figure` (no pyplot, any backend) of
    :func:`figure_size`, with constrained layout."""
    return Figure(figsize=figure_size(nrows, ncols, panel, extra), layout="constrained")


def max_columns(default: int) -> int:
    """Panels per row: ``default`` on screen; at most 2 in a one-column paper figure
    and 4 in a two-column one (narrower panels leave no room for their labels)."""
    columns = _COLUMNS.get()
    return default if columns is None else min(default, 2 if columns == 1 else 4)


def new_panels(n: int, ncols: int, panel: tuple[float, float] = (3.6, 2.6),
               extra: float = 0.0) -> tuple[Figure, list[Axes]]:
    """A figure with exactly ``n`` axes, row by row in a grid of at most ``ncols``
    columns (:func:`max_columns`): no empty cells are created."""
    ncols = max(1, min(ncols, n, max_columns(ncols)))
    nrows = -(-n // ncols)
    fig = new_figure(nrows, ncols, panel, extra)
    grid = fig.add_gridspec(nrows, ncols)
    return fig, [fig.add_subplot(grid[k // ncols, k % ncols]) for k in range(n)]


def suptitle(fig: Figure, text: str, **kwargs: Any) -> None:
    """``fig.suptitle(text)`` (``fontsize="medium"``), wrapped at spaces outside
    ``$...$`` to the figure's width."""
    from matplotlib.font_manager import FontProperties

    kwargs.setdefault("fontsize", "medium")
    size = FontProperties(size=kwargs["fontsize"]).get_size_in_points()
    fig.suptitle(wrap_text(text, int(fig.get_figwidth() * 72 / (0.5 * size))), **kwargs)


def wrap_text(text: str, width: int) -> str:
    """Break ``text`` into lines of at most ``width`` characters at spaces that are not
    inside mathtext (``$...$``); a longer word stays whole."""
    words: list[str] = []
    for k, part in enumerate(text.split("$")):
        if k % 2:  # inside math: unbreakable, glued to the word before it (if any)
            words[-1:] = [(words[-1] if words else "") + f"${part}$"]
        else:
            pieces = part.split(" ")
            if words and pieces and pieces[0]:
                words[-1] += pieces.pop(0)
            elif words and pieces:
                pieces.pop(0)
            words += pieces
    lines: list[str] = []
    for w in words:
        if not w:
            continue
        if lines and len(lines[-1]) + 1 + len(w) <= width:
            lines[-1] += " " + w
        else:
            lines.append(w)
    return "\n".join(lines)


def format_ticks(ax: Axes) -> None:
    """Mathtext tick labels with an offset on the linear axes of ``ax`` (log axes keep
    their formatter; scientific limits set by the caller are kept)."""
    for axis in (ax.xaxis, ax.yaxis):
        fmt = axis.get_major_formatter()
        if axis.get_scale() == "linear" and isinstance(fmt, ScalarFormatter):
            fmt.set_useMathText(True)
            fmt.set_useOffset(True)
    if _COLUMNS.get() is not None:  # ticks are created lazily: fix their size now
        ax.tick_params(labelsize=current_rc()["xtick.labelsize"])


def styled(func: F) -> F:
    """Run a plotting function under :func:`current_rc` and format the ticks of the
    axes it returns (an Axes, or every axes of a returned Figure)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with mpl.rc_context(current_rc()):
            out = func(*args, **kwargs)
            for ax in _axes_of(out):
                format_ticks(ax)
                _wrap_title(ax)
        return out

    return wrapper  # type: ignore[return-value]


def _wrap_title(ax: Axes) -> None:
    """Wrap the axes title to the width of its grid cell."""
    from matplotlib.font_manager import FontProperties

    title, spec = ax.get_title(), ax.get_subplotspec()
    if not title or spec is None or ax.figure is None:
        return
    cols = spec.get_gridspec().ncols
    width = ax.figure.get_figwidth() * (spec.colspan.stop - spec.colspan.start) / cols
    size = FontProperties(size=mpl.rcParams["axes.titlesize"]).get_size_in_points()
    ax.set_title(wrap_text(title.replace("\n", " "), int(width * 72 / (0.5 * size))))


def _axes_of(obj: Any) -> list[Axes]:
    if isinstance(obj, Axes):
        return [obj]
    if isinstance(obj, Figure):
        return list(obj.axes)
    return []


def mathtext_ok(text: str) -> bool:
    """Whether matplotlib's mathtext can draw ``text`` (its ``$...$`` parts)."""
    from matplotlib.mathtext import MathTextParser

    if text.count("$") % 2:
        return False
    parser = MathTextParser("path")
    for k, part in enumerate(text.split("$")):
        if k % 2 and part:
            try:
                parser.parse(f"${part}$")
            except ValueError:
                return False
    return True


def coordinate_label(name: str) -> str:
    """``phi_1`` (or ``phi1``) -> ``$\\varphi_{1}$``, ``v_2`` -> ``$v_{2}$``."""
    from verifier.symbolic.latex import coordinate_tex

    return f"${coordinate_tex(name)}$"


def target_label(target: Any, fallback: str = "piecewise $f$") -> str:
    """``$f(x) = ...$`` from a target (text in the problem language, or a SymPy
    expression), printed by :func:`sympy.latex`; ``fallback`` where mathtext cannot
    draw the formula (for example a ``Piecewise`` target's ``cases``)."""
    import sympy as sp

    from verifier.expr import X, parse_expression
    from verifier.symbolic.latex import to_latex

    try:
        expr = parse_expression(target, what="target") if isinstance(target, str) else target
        label = f"$f(x) = {to_latex(sp.sympify(expr).subs(X, sp.Symbol('x')))}$"
    except ValueError:
        return fallback
    return label if mathtext_ok(label) and len(label) <= 120 else fallback


def has_data(ax: Axes) -> bool:
    """Whether ``ax`` shows data: a line with two finite points in data coordinates, a
    non-empty collection (bands, markers), a patch or an image. Reference lines
    (``axhline``, ``axvline``: axes coordinates in one direction) do not count."""
    for line in ax.lines:
        xy = np.asarray(line.get_xydata(), dtype=float)
        if (xy.ndim == 2 and np.isfinite(xy).all(axis=1).sum() >= 2
                and line.get_transform().contains_branch(ax.transData)):
            return True
    for c in ax.collections:
        if any(len(p.vertices) for p in c.get_paths()) and c.get_transform().contains_branch(
                ax.transData):
            return True
    return bool(ax.patches) or bool(ax.images)


def compact(fig: Figure) -> list[str]:
    """Remove the axes of ``fig`` that hold no data (:func:`has_data`) and reflow the
    others into a grid with the same number of columns (fewer if fewer remain).
    Returns the titles (or labels) of the removed panels."""
    axes = [ax for ax in fig.axes if ax.get_subplotspec() is not None]
    if not axes:
        return []
    ncols = axes[0].get_subplotspec().get_gridspec().ncols
    empty = [ax for ax in axes if not has_data(ax)]
    if not empty:
        return []
    names = [ax.get_title() or ax.get_ylabel() or "panel" for ax in empty]
    for ax in empty:
        ax.remove()
    keep = [ax for ax in axes if ax not in empty]
    if keep:
        ncols = min(ncols, len(keep))
        grid = fig.add_gridspec(int(np.ceil(len(keep) / ncols)), ncols)
        for k, ax in enumerate(keep):
            ax.set_subplotspec(grid[k // ncols, k % ncols])
    return names


def note_omitted(fig: Figure, omitted: Sequence[str]) -> None:
    """Say in the figure's title which panels were left out for lack of data."""
    if not omitted:
        return
    title = fig.get_suptitle().replace("\n", " ")
    suptitle(fig, (title + "; " if title else "") + "no data, not drawn: " + ", ".join(omitted))


def save_figure(fig: Figure, out: str | Path, stem: str,
                formats: Sequence[str] = FORMATS) -> list[Path]:
    """Write ``fig`` as ``out/stem.<format>`` for each format (PDF and SVG are vector,
    with embedded TrueType / text fonts) under :func:`current_rc`; returns the paths."""
    out = Path(out)
    paths = []
    with mpl.rc_context(current_rc()):
        for fmt in formats:
            p = out / f"{stem}.{fmt}"
            fig.savefig(p)
            paths.append(p)
    return paths
