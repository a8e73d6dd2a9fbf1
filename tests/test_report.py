"""``verifier report`` and its parts: tables (Markdown, LaTeX booktabs), figures, manifest
checks, the case list, rich display, and the float bands behind the figures.

The report's figures are drawn from a certificate made once per module (a fast
``H = 1`` case, about a second).
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from flint import arb

from verifier import Problem, integrate
from verifier.cli import main
from verifier.report import cases as cases_mod
from verifier.report.manifest import load_manifest, sha256_file, verify_manifest
from verifier.report.reproduce import reproduce
from verifier.report.tables import latex_table, markdown_table, round_up

FAST = "h1-pwl"  # ~1 s: the neuron dies, bounded-forever


@pytest.fixture(scope="module")
def evidence(tmp_path_factory) -> Path:
    """A directory with one certificate and its manifest, made by ``reproduce``."""
    out = tmp_path_factory.mktemp("evidence")
    reproduce([cases_mod.case_by_name(FAST)], out, log=None)
    return out


@dataclass
class _Result:
    returncode: int
    stdout: str
    stderr: str


def _run(*args: str) -> _Result:
    """``verifier ARGS`` in this process (the imports are shared: much faster than a
    subprocess on a loaded machine); argparse exits become return codes."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as e:
            code = int(e.code or 0)
    return _Result(code, out.getvalue(), err.getvalue())


# -- tables ---------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["0.95644163353242218", "1", "0.001", "1.000000000000002",
                                  "123456.7", "0.000012345", "99999.5", "7/3", "1e-30"])
def test_round_up_is_an_upper_bound_with_four_digits(text):
    out = round_up(text)
    assert Fraction(out) >= Fraction(text)
    assert Fraction(out) <= Fraction(text) * Fraction(10011, 10000)  # at most 4 digits lost
    digits = out.replace(".", "").lstrip("0")
    assert len(digits.rstrip("0")) <= 4
    assert round_up(None) == "-"


def _fake_manifest() -> dict:
    entry = {
        "name": "a_b&c", "group": "H=1", "kind": "certificate", "description": "d",
        "file": "x.json", "bytes": 2048, "sha256": "0" * 64, "wall_seconds": 1.25,
        "inputs": {"target": "Abs(x - 1/3)", "width": 1, "flow": "normalized",
                   "initial": ["0.1", "0.2", "0.3"], "horizon": "20", "density": None},
        "status": "bounded-forever", "bounds": {"v": ["1.23456", "0.5"], "c": "0.1",
                                                "over": "t >= 0"}, "steps": 12,
    }
    other = dict(entry, name="std", group="standard", status="bounded-on-horizon",
                 inputs=dict(entry["inputs"], flow="standard", width=2, density="2*x",
                             target="Piecewise((2*x, x < 1/3), (1 - x, True))",
                             initial=[["0.1", "0.2"], "0.3", "1", "2", "3", "4", "5"]))
    return {"format": "ngf-manifest/1", "generator": {"version": "0.1.0"},
            "entries": [entry, other, dict(entry, name="third", group="H=2")]}


def parse_booktabs(tex: str) -> tuple[int, list[list[str]]]:
    """Column count of the tabular and its rows (cells split on unescaped ``&``); asserts
    the booktabs skeleton: one toprule, midrule(s), one bottomrule, in this order."""
    m = re.search(r"\\begin\{tabular\}\{([^}]*)\}(.*?)\\end\{tabular\}", tex, re.S)
    assert m, "no tabular"
    ncols = len(re.findall(r"[lcrp]", m.group(1)))
    body = m.group(2)
    assert body.count(r"\toprule") == 1 and body.count(r"\bottomrule") == 1
    top, bottom = body.index(r"\toprule"), body.index(r"\bottomrule")
    mids = [k.start() for k in re.finditer(r"\\midrule", body)]
    assert mids and all(top < k < bottom for k in mids)
    rows = []
    for line in body[top:bottom].splitlines():
        line = line.strip()
        if not line or line.startswith("\\toprule") or line.startswith("\\midrule"):
            continue
        assert line.endswith(r"\\"), line
        rows.append(re.split(r"(?<!\\)&", line[:-2]))
    return ncols, rows


def test_latex_table_structure():
    tex = latex_table(_fake_manifest())
    assert r"\begin{table}" in tex and r"\caption{" in tex and r"\label{" in tex
    ncols, rows = parse_booktabs(tex)
    assert ncols == 12
    assert len(rows) == 1 + 3  # header + cases
    assert all(len(r) == ncols for r in rows)
    assert r"\texttt{a\_b\&c}" in tex  # escaped
    assert tex.count(r"\midrule") == 3  # header, and two group changes
    assert "1.235" in tex  # R_v = max_j, rounded up
    assert "piecewise linear" in tex and r"\left|{x - \frac{1}{3}}\right|" in tex


def test_markdown_table_structure():
    md = markdown_table(_fake_manifest())
    lines = [ln for ln in md.splitlines() if ln.startswith("|")]
    widths = {len(re.split(r"(?<!\\)\|", ln)) for ln in lines}
    assert len(widths) == 1 and len(lines) == 2 + 3
    assert "box, width 0.1" in md and "bounded-forever" in md


# -- manifest -------------------------------------------------------------------------------
def test_manifest_of_a_reproduced_case(evidence):
    m = load_manifest(evidence)
    (e,) = m["entries"]
    doc = json.loads((evidence / e["file"]).read_text())
    assert e["status"] == doc["status"] == "bounded-forever"
    assert e["bounds"] == doc["bounds"] and e["sha256"] == sha256_file(evidence / e["file"])
    assert e["inputs"] == cases_mod.case_by_name(FAST).inputs()
    assert verify_manifest(evidence) == []


def test_verify_manifest_finds_every_disagreement(evidence, tmp_path):
    d = tmp_path / "copy"
    shutil.copytree(evidence, d)
    m = load_manifest(d)
    e = m["entries"][0]
    # a changed status, bound and input in the manifest
    for key, value in [("status", "failed"), ("bounds", {"v": ["0"], "c": "0", "over": "x"}),
                       ("steps", 1)]:
        bad = json.loads(json.dumps(m))
        bad["entries"][0][key] = value
        (d / "manifest.json").write_text(json.dumps(bad))
        assert any(key in p for p in verify_manifest(d)), key
    bad = json.loads(json.dumps(m))
    bad["entries"][0]["inputs"]["horizon"] = "21"
    (d / "manifest.json").write_text(json.dumps(bad))
    assert any("horizon" in p for p in verify_manifest(d))
    # a changed file
    (d / "manifest.json").write_text(json.dumps(m))
    f = d / e["file"]
    text = f.read_text()
    f.write_text(text.replace('"status":"bounded-forever"', '"status":"bounded-forever" '))
    assert any("SHA-256" in p or "bytes" in p for p in verify_manifest(d))
    f.write_text(text)
    assert verify_manifest(d) == []
    # an unlisted certificate and a missing one
    (d / "stray.json").write_text("{}")
    assert any("stray.json" in p for p in verify_manifest(d))
    (d / "stray.json").unlink()
    f.unlink()
    assert any("missing" in p for p in verify_manifest(d))
    assert verify_manifest(d / "nothing")


# -- the case list ----------------------------------------------------------------------------
def test_case_list_is_consistent():
    names = [c.name for c in cases_mod.all_cases()]
    assert len(names) == len(set(names))
    groups = {c.group for c in cases_mod.all_cases()}
    assert {"H=1", "H=2", "H=3", "standard"} <= groups
    h1_targets = {c.target for c in cases_mod.all_cases() if c.group == "H=1"}
    assert set(cases_mod.TARGETS.values()) <= h1_targets
    assert cases_mod.quick_cases()
    for c in cases_mod.all_cases():
        assert cases_mod.case_from_inputs(json.loads(json.dumps(c.inputs()))) == c
        if getattr(c, "pair", None):
            assert cases_mod.case_by_name(c.pair).pair == c.name


def test_paired_cases_start_from_the_same_realization():
    lo, hi = (arb(Fraction(x).numerator) / Fraction(x).denominator for x in cases_mod.ATAN_4_3)
    phi = (arb(4) / 3).atan()
    assert lo < phi < hi  # the normalized box contains atan(4/3) ...
    std = cases_mod.case_by_name("std-x2")
    assert std.initial[:2] == ("0.6", "0.8")  # ... whose (cos, sin) is (3/5, 4/5)
    assert cases_mod.case_by_name("h1-x2-pair").initial[1:] == std.initial[2:]


# -- the verb ---------------------------------------------------------------------------------
def test_report_cli_writes_tables_and_figures(evidence, tmp_path):
    out = tmp_path / "rep"
    r = _run("report", "--manifest", str(evidence / "manifest.json"), "--out", str(out))
    assert r.returncode == 0, r.stderr
    for name in ("table.md", "table.tex", "report.md"):
        assert (out / name).stat().st_size > 100
    ncols, rows = parse_booktabs((out / "table.tex").read_text())
    assert all(len(r) == ncols for r in rows) and len(rows) == 2
    figs = sorted(p.name for p in (out / "figures").iterdir())
    for kind in ("tube", "realization", "risk"):
        for fmt in ("pdf", "png"):
            assert f"{FAST}-{kind}.{fmt}" in figs
    png = (out / "figures" / f"{FAST}-tube.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    assert (out / "figures" / f"{FAST}-tube.pdf").read_bytes()[:5] == b"%PDF-"
    assert f"figures/{FAST}-risk.png" in (out / "report.md").read_text()


def test_report_cli_bad_input(tmp_path):
    r = _run("report", "--manifest", str(tmp_path / "none.json"), "--out", str(tmp_path))
    assert r.returncode == 2 and r.stderr.startswith("error:") and len(r.stderr.splitlines()) == 1
    r = _run("report", "--format", "gif", "--out", str(tmp_path))
    assert r.returncode == 2


def test_reproduce_cli_list_and_bad_names(tmp_path):
    r = _run("reproduce", "--list")
    assert r.returncode == 0 and "h1-x2" in r.stdout and "std-x2" in r.stdout
    r = _run("reproduce", "--only", "no-such-case", "--out", str(tmp_path))
    assert r.returncode == 2 and "no-such-case" in r.stderr


# -- bands, realization and risk enclosures behind the figures -----------------------------
@pytest.fixture(scope="module")
def tube_and_problem():
    p = Problem("sin(3*x)", width=2)
    tube = integrate(p, [("0.29", "0.31"), "-2.2", "0.5", "0.4", "0.1"], "1/2")
    return tube, p


def test_bands_of_tube_and_certificate_agree():
    from verifier.certificates.certify import certify
    from verifier.plotting.bands import bands_from_certificate, bands_from_tube

    c = cases_mod.case_by_name(FAST)
    cert = certify(c.problem(), c.initial_list(), "5", forever=False)
    a, b = bands_from_certificate(cert.data), bands_from_tube(cert.tube, c.problem())
    assert np.array_equal(a.t1, b.t1)
    # a decoded ball contains the stored one; its radius may be rounded up in its 30th bit
    slack = 1e-8 * (b.hi - b.lo) + 1e-15
    assert np.all(a.lo <= b.lo) and np.all(b.lo - a.lo <= slack)
    assert np.all(a.hi >= b.hi) and np.all(a.hi - b.hi <= slack)
    assert np.all(a.final_lo <= b.final_lo) and np.all(b.final_hi <= a.final_hi)


def test_bands_contain_reference_and_boxes(tube_and_problem):
    from verifier import simulate
    from verifier.plotting.bands import bands_from_tube

    tube, p = tube_and_problem
    b = bands_from_tube(tube, p)
    ref = simulate(p, [0.3, -2.2, 0.5, 0.4, 0.1], 0.5)
    for t in np.linspace(0, 0.5, 23):
        lo, hi = b.box_at(float(t))
        y = ref.sol(float(t))
        assert np.all(lo <= y + 1e-9) and np.all(y - 1e-9 <= hi)


def test_realization_and_risk_enclosures_contain_samples(tube_and_problem):
    from verifier.plotting.realization import realization_band
    from verifier.plotting.tube import risk_enclosure

    tube, p = tube_and_problem
    rng = np.random.default_rng(1)
    xs = np.linspace(0, 1, 41)
    for flow, lo, hi in [("normalized", [0.2, -2.3, 0.4, -0.5, -0.1], [0.4, -2.0, 0.6, 0.5, 0.2]),
                         ("standard", [0.5, -0.9, 0.1, -0.2, 0.3, -0.4, 0.0],
                          [0.9, -0.7, 0.4, 0.3, 0.6, 0.4, 0.2])]:
        lo, hi = np.array(lo), np.array(hi)
        rl, ru = realization_band(lo, hi, xs, flow, 2)
        r = risk_enclosure(p, lo, hi, flow)
        for _ in range(20):
            y = lo + rng.random(lo.size) * (hi - lo)
            n = p.realization(y, xs, flow=flow)
            assert np.all(rl - 1e-12 <= n) and np.all(n <= ru + 1e-12)
            assert abs(float(r.mid()) - p.risk(y, flow=flow)) <= float(r.rad()) + 1e-12


def test_flow_comparison_helpers():
    from verifier import simulate
    from verifier.plotting.compare import (
        normalized_to_standard,
        standard_invariants,
        standard_to_normalized,
    )

    p = Problem("Abs(x - 1/3)", width=2)
    yn = np.array([0.4, 2.0, 0.7, -0.3, 0.1])
    ys = normalized_to_standard(yn, 2)
    xs = np.linspace(0, 1, 17)
    assert np.allclose(p.realization(yn, xs), p.realization(ys, xs, flow="standard"))
    back = standard_to_normalized(ys * np.r_[2, 2, 2, 2, 1, 1, 1], 2)
    assert np.allclose(p.realization(back, xs), p.realization(ys * np.r_[2, 2, 2, 2, 1, 1, 1],
                                                               xs, flow="standard"))
    tr = simulate(p, ys, 5, flow="standard", rtol=1e-10)
    inv = standard_invariants(tr)
    assert np.abs(inv - inv[0]).max() < 1e-7


def test_plots_draw_without_error(tube_and_problem):
    from verifier.plotting.compare import plot_flow_comparison
    from verifier.plotting.realization import plot_realization_bands
    from verifier.plotting.tube import plot_risk_band, plot_tube

    tube, p = tube_and_problem
    fig = plot_tube(tube)
    assert len([a for a in fig.axes if a.get_visible()]) == 5
    assert plot_realization_bands(tube, p, times=[0, 0.25, 0.5]).get_title()
    assert plot_risk_band(tube, p).get_yscale() == "log"
    fig = plot_flow_comparison(p, [0.3, -2.2, 0.5, 0.4, 0.1], 2.0)
    assert len(fig.axes) == 6


# -- rich display ---------------------------------------------------------------------------
def test_problem_and_tube_rich_display(tube_and_problem):
    tube, p = tube_and_problem
    h = Problem("Abs(x - 1/3)", density="2*x")._repr_html_()
    assert "<table" in h and "Abs(x - 1/3)" in h and "2*x" in h and "1/3" in h
    assert "&lt;" in Problem("Piecewise((x, x < 1/2), (1 - x, True))")._repr_html_()
    tex = p._repr_latex_()
    assert tex.startswith("$$") and tex.endswith("$$") and r"\sin{\left(3 x \right)}" in tex
    h = tube._repr_html_()
    assert "reached the horizon" in h and "phi_1" in h and h.count("<tr>") >= 5 + 6
    t = tube._repr_latex_()
    assert t.startswith("$$") and r"\varphi_{1}(t) \in [" in t and "v_{2}(t)" in t
    # the printed decimals are outward: they contain the enclosure
    m = re.search(r"\\varphi_\{1\}\(t\) \\in \[([^,]+), ([^\]]+)\]", t)
    x = tube.final[0]

    def exact(y: arb) -> Fraction:
        man, e = y.man_exp()
        return Fraction(int(man)) * Fraction(2) ** int(e)

    assert Fraction(m.group(1)) <= exact(x.lower()) and exact(x.upper()) <= Fraction(m.group(2))


def test_sweep_cases_run_as_their_command_line(tmp_path):
    """reproduce runs a sweep case through the sweep API; the configuration is the one
    ``verifier sweep`` builds from the case's command line (the manifest records it)."""
    from verifier.cli import build_parser
    from verifier.cli.sweep import config_from_args
    from verifier.report.cases import SweepCase, all_cases
    from verifier.report.reproduce import sweep_argv, sweep_config

    cases = [c for c in all_cases() if isinstance(c, SweepCase)]
    assert cases
    for case in cases:
        args = build_parser().parse_args(sweep_argv(case, tmp_path / case.file))
        config, run = sweep_config(case)
        assert config.to_dict() == config_from_args(args).to_dict(), case.name
        assert run.get("workers") == args.workers, case.name
        assert run.get("scheduler") == args.scheduler, case.name
