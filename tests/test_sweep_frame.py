"""``SweepResult.to_dataframe()`` (pandas, an optional extra) and sweep figures in the paper
style."""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import pytest

from verifier.plotting.style import COLUMN_WIDTH, coordinate_label, paper_style
from verifier.plotting.sweep import plot_sweep, status_figure
from verifier.sweep import energy_leaves, read_sweep
from verifier.sweep._frame import leaf_rows

DATA = Path(__file__).resolve().parent.parent / "proofs_data"


@pytest.fixture(scope="module")
def energy_sweep(tmp_path_factory):
    from verifier.cli import main

    out = tmp_path_factory.mktemp("frame") / "e.jsonl"
    assert main(["sweep", "--target", "x**2", "--range", "phi=0.1:0.3", "--range", "v=0.5:0.7",
                 "--range", "c=0", "--no-regimes", "--horizon", "5", "--max-steps", "3",
                 "--min-size", "0.1", "--scheduler", "synchronous", "--no-progress",
                 "--out", str(out)]) == 0
    return read_sweep(out)


def _files() -> list[Path]:
    return sorted(p for p in DATA.glob("*.jsonl") if p.stat().st_size < 200_000)


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.name)
def test_rows_round_outward(path):
    """Box ends down/up and bounds up from the exact texts of the file."""
    result = read_sweep(path)
    rows = leaf_rows(result)
    assert [r["node"] for r in rows] == sorted(result.leaves)
    names = result.config.region.names
    for row in rows:
        rec = result.leaves[row["node"]]
        for name, entry in zip(names, rec["box"]):
            lo, hi = (entry, entry) if isinstance(entry, str) else entry
            assert Fraction(row[f"{name}_lo"]) <= Fraction(lo)
            assert Fraction(row[f"{name}_hi"]) >= Fraction(hi)
        for j, text in enumerate(rec["bounds"]["v"], start=1):
            assert Fraction(row[f"bound_v{j}"]) >= Fraction(text)
        assert Fraction(row["bound_c"]) >= Fraction(rec["bounds"]["c"])
        assert row["status"] == rec["status"]


def test_dataframe(energy_sweep):
    pd = pytest.importorskip("pandas")
    df = energy_sweep.to_dataframe()
    assert isinstance(df, pd.DataFrame) and len(df) == len(energy_sweep.leaves)
    assert list(df[df["energy"]]["node"]) == energy_leaves(energy_sweep)
    assert df["fraction"].sum() == 1.0
    assert {"phi1_lo", "phi1_hi", "v1_lo", "v1_hi", "c_lo", "c_hi", "bound_v1", "bound_c",
            "t_reached", "status", "argument"} <= set(df.columns)
    assert (df["t_reached"] < 5).all()


def test_without_pandas_a_clear_error(energy_sweep, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"ngf-verifier\[pandas\]"):
        energy_sweep.to_dataframe()


def test_sweep_figures_use_the_paper_style(energy_sweep, tmp_path):
    fig = status_figure(energy_sweep)
    ax = fig.axes[0]
    assert ax.get_xlabel() == coordinate_label("phi1") == r"$\varphi_{1}$"
    assert fig.get_figwidth() == pytest.approx(6.4)
    with paper_style(columns=1):
        fig = status_figure(energy_sweep)
    assert fig.get_figwidth() == pytest.approx(COLUMN_WIDTH[1])
    files = plot_sweep(energy_sweep, tmp_path, paper=2)
    assert {f.suffix for f in files} == {".png", ".pdf"} and all(f.is_file() for f in files)
    from matplotlib.image import imread

    png = imread(tmp_path / "sweep_bounds.png")
    assert png.shape[1] == pytest.approx(COLUMN_WIDTH[2] * 300, abs=2)
