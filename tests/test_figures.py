"""Figures ready for a paper: mathtext labels, tick formats, the paper style, no empty
panels; ``Tube.plot``, ``Certificate.plot`` and the short ``repr`` of a tube.

Every test draws on the Agg canvas (no display) and reads back what a reader would see:
the texts of the figure (titles, axis labels, legends, tick labels and offsets).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from verifier import Problem, certify, integrate, simulate  # noqa: E402
from verifier.plotting import (  # noqa: E402
    COLUMN_WIDTH,
    Bands,
    paper_style,
    plot_coordinate_band,
    plot_enclosure,
    plot_flow_comparison,
    plot_trajectory,
    plot_tube,
    save_figure,
)
from verifier.plotting.style import (  # noqa: E402
    compact,
    coordinate_label,
    has_data,
    mathtext_ok,
    note_omitted,
    target_label,
    wrap_text,
)

ROOT = Path(__file__).resolve().parent.parent

# Python or SymPy text a paper must not show (outside of mathtext it is plain code)
PYTHON = re.compile(r"\*\*|\bAbs\(|\bsqrt\(|\bphi_?\d|\bPiecewise\(")


@pytest.fixture(scope="module")
def tube_and_problem():
    p = Problem("sin(3*x)", width=2)
    tube = integrate(p, [("0.29", "0.31"), "-2.2", "0.5", "0.4", "0.1"], "1/2")
    return tube, p


@pytest.fixture(scope="module")
def cert():
    return certify(Problem("x**3 - x"), ["2.5", "1", "0"], horizon="2", forever=False)


def _draw(fig: Figure) -> Figure:
    FigureCanvasAgg(fig).draw()
    return fig


def _texts(fig: Figure) -> list[str]:
    """Every text a reader sees, after drawing."""
    _draw(fig)
    out = [fig.get_suptitle()]
    for ax in fig.axes:
        out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        for axis in (ax.xaxis, ax.yaxis):
            out += [t.get_text() for t in axis.get_ticklabels()]
            out.append(axis.get_offset_text().get_text())
        if ax.get_legend():
            out += [t.get_text() for t in ax.get_legend().get_texts()]
    for leg in fig.legends:
        out += [t.get_text() for t in leg.get_texts()]
    return [t for t in out if t]


def _assert_paper_text(fig: Figure) -> None:
    for text in _texts(fig):
        assert not PYTHON.search(re.sub(r"\$[^$]*\$", " ", text)), text
        assert mathtext_ok(text), f"mathtext cannot draw {text!r}"
    for ax in fig.axes:
        for label in (ax.get_xlabel(), ax.get_ylabel()):
            assert re.search(r"\$[^$]+\$", label), f"axis label {label!r} is not mathtext"


# -- labels ------------------------------------------------------------------------------
def test_labels_are_mathtext():
    assert coordinate_label("phi_1") == coordinate_label("phi1") == r"$\varphi_{1}$"
    assert coordinate_label("v_2") == "$v_{2}$" and coordinate_label("c") == "$c$"
    assert target_label("x**2") == "$f(x) = x^{2}$"
    assert target_label("Abs(x - 1/3)") == r"$f(x) = \left|{x - \frac{1}{3}}\right|$"
    assert target_label("sqrt(1 + x**4)") == r"$f(x) = \sqrt{x^{4} + 1}$"
    # mathtext has no cases environment: a readable fallback, never Python syntax
    pw = target_label("Piecewise((x, x < 1/2), (1 - x, True))")
    assert pw == "piecewise $f$" and mathtext_ok(pw)
    assert not mathtext_ok(r"$\begin{cases} x \end{cases}$") and not mathtext_ok("$x")


def test_wrap_text_keeps_math_whole():
    text = "a title with $f(x) = x^{2} + \\frac{1}{3}$ and more words after it, $H = 2$"
    for width in (5, 12, 30, 200):
        lines = wrap_text(text, width).split("\n")
        assert " ".join(lines) == text
        for line in lines:
            assert line.count("$") % 2 == 0  # never inside a formula
            assert len(line) <= width or " " not in line.replace("$f(x) = x^{2} + \\frac{1}{3}$",
                                                                 "F").replace("$H = 2$", "H")


# -- the figures ------------------------------------------------------------------------
def test_tube_figure_has_one_panel_per_coordinate_and_paper_text(tube_and_problem):
    tube, p = tube_and_problem
    fig = plot_enclosure(tube, problem=p)
    assert len(fig.axes) == len(tube.names) == 5  # no hidden or empty cells
    assert all(ax.get_visible() and has_data(ax) for ax in fig.axes)
    assert [ax.get_ylabel() for ax in fig.axes] == [
        r"$\varphi_{1}$", r"$\varphi_{2}$", "$v_{1}$", "$v_{2}$", "$c$"]
    title = fig.get_suptitle()
    assert r"$f(x) = \sin{\left(3 x \right)}$" in title and "$H = 2$" in title
    _assert_paper_text(fig)


def test_report_style_figures_have_paper_text(cert, tube_and_problem):
    tube, p = tube_and_problem
    ref = simulate(Problem("x**3 - x"), [2.5, 1.0, 0.0], 2.0)
    for kind in ("tube", "realization", "risk"):
        fig = cert.plot(kind, reference=ref)
        assert all(has_data(ax) for ax in fig.axes)
        _assert_paper_text(fig)
    fig = plot_flow_comparison(p, [0.3, -2.2, 0.5, 0.4, 0.1], 1.0, bands_normalized=tube)
    assert len(fig.axes) == 6
    _assert_paper_text(fig)
    traj = simulate(p, [0.3, -2.2, 0.5, 0.4, 0.1], 1.0)
    _assert_paper_text(plot_trajectory(traj))


def _narrow_bands() -> Bands:
    """A tube whose only coordinate stays within 1.5e-5 of -2.2 (a frozen angle)."""
    t = np.linspace(0.0, 10.0, 41)
    half = 1.5e-5 * (t[1:] / 10.0) ** 4 + 1e-9
    lo, hi = (-2.2 - half)[:, None], (-2.2 + half)[:, None]
    return Bands(names=["phi_1"], flow="normalized", width=0, signs=None, t0=t[:-1], t1=t[1:],
                 lo=lo, hi=hi, initial_lo=lo[0], initial_hi=hi[0], final_lo=lo[-1],
                 final_hi=hi[-1], status="reached")


def _significant(label: str) -> int:
    digits = re.sub(r"[^0-9]", "", label.split("times")[0]).lstrip("0")
    return len(digits)


def test_narrow_band_ticks_use_an_offset():
    ax = plot_coordinate_band(_narrow_bands(), "phi_1")
    _draw(ax.figure)
    labels = [t.get_text() for t in ax.yaxis.get_ticklabels() if t.get_text()]
    offset = ax.yaxis.get_offset_text().get_text().replace("\u2212", "-")
    assert labels and max(_significant(s) for s in labels) <= 3, labels
    assert "2.2" in offset and "10^{-5}" in offset and offset.startswith("$"), offset
    # the check can fail: without the offset the same axis needs 7 digits per label
    ax.ticklabel_format(axis="y", useOffset=False)
    _draw(ax.figure)
    labels = [t.get_text() for t in ax.yaxis.get_ticklabels() if t.get_text()]
    assert max(_significant(s) for s in labels) >= 6


def test_empty_panels_are_dropped_and_named():
    fig = Figure(layout="constrained")
    axes = fig.subplots(2, 2).ravel()
    axes[0].plot([0, 1], [0, 1])
    axes[1].set_title("nothing here")
    axes[1].axhline(1.0)  # a reference line alone is no data
    axes[2].fill_between([0, 1], [0, 0], [1, 1])
    axes[3].plot([0.5], [0.5])  # a single point is no curve
    axes[3].set_ylabel("$v$")
    fig.suptitle("demo")
    omitted = compact(fig)
    note_omitted(fig, omitted)
    assert omitted == ["nothing here", "$v$"]
    assert len(fig.axes) == 2 and all(has_data(ax) for ax in fig.axes)
    assert "no data, not drawn: nothing here, $v$" in fig.get_suptitle().replace("\n", " ")
    _draw(fig)  # the reflowed grid lays out


def test_a_tube_without_steps_is_refused_not_drawn_empty():
    b = _narrow_bands()
    empty = Bands(names=b.names, flow=b.flow, width=0, signs=None, t0=b.t0[:0], t1=b.t1[:0],
                  lo=b.lo[:0], hi=b.hi[:0], initial_lo=b.initial_lo, initial_hi=b.initial_hi,
                  final_lo=b.final_lo, final_hi=b.final_hi, status="failed")
    with pytest.raises(ValueError, match="no step"):
        plot_tube(empty)


def test_paper_style_sizes_fonts_and_vector_output(cert, tmp_path):
    default_size = mpl.rcParams["font.size"]
    for columns in (1, 2):
        with paper_style(columns):
            fig = cert.plot()
            assert fig.get_figwidth() == pytest.approx(COLUMN_WIDTH[columns])
            paths = save_figure(fig, tmp_path, f"tube{columns}", ("pdf", "svg", "png"))
        title = [t for t in fig.texts if t.get_text() == fig.get_suptitle()]
        assert len(title) == 1 and title[0].get_fontsize() == pytest.approx(8.0)
        assert fig.axes[0].yaxis.label.get_fontsize() == pytest.approx(8.0)
        assert ("\n" in fig.get_suptitle()) == (columns == 1)  # wrapped to the width
        ncols = fig.axes[0].get_subplotspec().get_gridspec().ncols
        assert ncols <= (2 if columns == 1 else 4)
    assert mpl.rcParams["font.size"] == default_size  # the style does not leak
    pdf = paths[0].read_bytes()
    assert b"/FontFile2" in pdf and b"/Type3" not in pdf  # TrueType, no bitmap-ish Type 3
    svg = paths[1].read_text()
    assert "<text" in svg  # text stays text
    with pytest.raises(ValueError, match="columns"):
        with paper_style(3):
            pass


# -- Tube.plot, Certificate.plot, repr ------------------------------------------------------
def test_plot_methods(tube_and_problem, cert):
    tube, p = tube_and_problem
    assert isinstance(tube.plot(), Figure) and len(tube.plot().axes) == 5
    assert len(tube.plot("risk", problem=p).axes) == 1
    with pytest.raises(ValueError, match="needs the problem"):
        tube.plot("realization")
    with pytest.raises(ValueError, match="unknown kind"):
        cert.plot("histogram")
    assert len(cert.plot("tube").axes) == len(cert.names) == 3
    assert cert.plot("realization").axes[0].get_xlabel() == "$x$"


def test_tube_repr_is_one_short_line(tube_and_problem):
    tube, _ = tube_and_problem
    r = repr(tube)
    assert len(r) < 300 and "\n" not in r, r
    assert r.startswith("Tube(status='reached the horizon'") and "steps=5" in r
    assert "t=0..0.5 of 0.5" in r and "set=quadratic" in r
    assert f"max width={tube.max_width():.3g}" in r
    assert len(repr(tube.steps[0])) < 100
    # the detailed views are still there
    assert tube._repr_html_().count("<tr>") >= 11 and "final enclosure" in tube.summary()


def test_core_modules_do_not_import_matplotlib():
    code = ("import sys, verifier, verifier.integrate._tube, verifier.certificates.certificate;"
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    assert out.strip() == "False"
