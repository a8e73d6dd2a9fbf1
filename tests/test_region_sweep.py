"""Region sweeps with regime covers: whole boxes of initial values bounded for all time.

End to end (``verifier sweep`` / :func:`verifier.sweep.sweep`, then ``verifier check``):
the normalized flow (x^2, the density 3x^2, every built-in target), the
normalized-weights flow with each sign, the standard flow on a box that closes and on
``w in [1/4, 1], b, v, c in [-1, 1]``, where only the part with ``v^2 < w^2 + b^2``
can close (the fraction is reported). Tampered files are REJECTED; an independent
float reference (long simulations from random points of the region) stays within the
proven bounds. Budget: about half a minute on two shared cores.
"""

from __future__ import annotations

import copy
import json
import math
import os
import random
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from verifier import Problem
from verifier.checker.sweep import (
    _Config,
    check_sweep_file,
    check_sweep_records,
    expected_summary,
    read_lines,
)
from verifier.examples import EXAMPLES
from verifier.sweep import make_config, read_sweep, sweep
from verifier.sweep._config import config_digest
from verifier.sweep._store import leaf_argument

ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}
PI_BOX = {"phi": ("-pi", "pi"), "v": ("-1", "1"), "c": ("-1", "1")}
UNIT = {"b": ("-1", "1"), "v": ("-1", "1"), "c": ("-1", "1")}
#: A standard-flow box where v^2 < w^2 + b^2 everywhere: it closes at once.
STD_CLOSED = {"w": ("1/2", "1"), "b": ("1/2", "1"), "v": ("-1/2", "1/2"), "c": ("-1", "1")}
#: The issue's standard-flow region; c is not bisected (it does not decide whether a
#: cover closes), so every tube fails at t = 0 (c wider than the width limit).
STD_REGION = ["--range", "w=1/4:1", "--range", "b=-1:1", "--range", "v=-1:1",
              "--range", "c=-1:1", "--min-size", "w=0.375", "--min-size", "b=0.5",
              "--min-size", "v=0.5", "--min-size", "c=2"]


def cli(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "verifier", *args], capture_output=True,
                          text=True, timeout=timeout, env=ENV)


def _run(tmp: Path, name: str, problem: Problem, ranges: dict, **kw) -> Path:
    out = tmp / f"{name}.jsonl"
    sweep(problem, ranges, 20, out=out, scheduler="synchronous", **kw)
    return out


# -- the sweeps (module fixtures: each is run once) ---------------------------------------
@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("regions")
    x2 = Problem("x**2")
    out = {
        "x2": _run(tmp, "x2", x2, PI_BOX),
        "density": _run(tmp, "density", Problem("x**2", density="3*x**2"), PI_BOX),
        "weights+": _run(tmp, "weights+", x2, UNIT, flow="normalized-weights", signs=[1]),
        "weights-": _run(tmp, "weights-", x2, UNIT, flow="normalized-weights", signs=[-1]),
        "standard": _run(tmp, "standard", x2, STD_CLOSED, flow="standard"),
    }
    part = tmp / "standard-part.jsonl"
    proc = cli("sweep", "--target", "x**2", "--flow", "standard", *STD_REGION, "--out",
               str(part), "--workers", "2", "--no-progress", "--plot", str(tmp / "fig"),
               "--plot-axes", "b,v")
    assert proc.returncode == 0, proc.stderr
    out["standard-part"] = part
    return out


CLOSED = ("x2", "density", "weights+", "weights-", "standard")


def test_closed_regions_are_one_regime_cover_leaf(files):
    for name in CLOSED:
        res = read_sweep(files[name])
        s = res.summary
        assert len(res.leaves) == 1 and s["fractions"]["bounded-forever"] == "1", name
        leaf = res.leaves["R"]
        assert leaf_argument(leaf) == "regime-cover" and leaf["t_reached"] is None
        assert leaf["argument"]["kind"] == "regime-cover"
        assert s["arguments"] == {"regime-cover": {"leaves": 1, "fraction": "1"},
                                  "dead-reduction": {"leaves": 0, "fraction": "0"},
                                  "tube": {"leaves": 0, "fraction": "0"}}
        assert s["statements"]["region"]["over"] == "t >= 0"
        theorem = s["text"].splitlines()[-1]
        assert theorem.startswith("Theorem. For f(x) = x**2 on [0, 1] (")
        assert theorem.endswith("for all t >= 0.")
        print(f"\n{name}: {theorem}")
    x2 = read_sweep(files["x2"]).summary
    assert ("every trajectory of the normalized gradient flow with one hidden neuron that "
            "starts in R = {phi1 in [-3.1416, 3.1416] ⊇ [-pi, pi], v1 in [-1, 1], c in [-1, 1]}"
            in x2["text"])
    assert "(input density proportional to 3*x**2)" in read_sweep(files["density"]).statement
    for sign, name in (("+1", "weights+"), ("-1", "weights-")):
        g = read_sweep(files[name]).summary["statements"]["region"]
        assert "b" in g and f"(frozen weight w_1 = {sign})" in read_sweep(files[name]).statement
    g = read_sweep(files["standard"]).summary["statements"]["region"]
    assert "rho" in g and "|(w_1, b_1)| <= " in read_sweep(files["standard"]).statement


def test_every_file_verifies_with_verifier_check(files):
    chk = cli("check", *map(str, files.values()))
    assert chk.returncode == 0, chk.stdout + chk.stderr
    assert f"{len(files)} of {len(files)} verified" in chk.stdout


def test_standard_region_closes_where_no_state_can_reach_the_origin(files):
    """Only part of ``w in [1/4, 1], b, v, c in [-1, 1]`` closes: a cover needs
    ``v^2 < w^2 + b^2`` on the whole box (``D = v^2 - w^2 - b^2`` is conserved; with
    ``D >= 0`` a trajectory may reach ``(w, b) = 0``). The result is honest fractions,
    never a claim for all of R beyond what the leaves give."""
    res = read_sweep(files["standard-part"])
    s = res.summary
    fr = Fraction(s["arguments"]["regime-cover"]["fraction"])
    print(f"\nstandard-flow region: {s['leaves']} leaves, regime-cover fraction {fr} "
          f"(~{float(fr):.3f}); fractions {s['fractions']}")
    assert 0 < fr < 1
    assert Fraction(s["fractions"]["bounded-forever"]) < 1
    assert s["statements"]["region"]["over"] != "t >= 0"
    assert "Theorem." not in s["text"] and "Whole region: For f(x)" in s["text"]
    for r in res.leaves.values():
        if leaf_argument(r) == "regime-cover":
            lo_v, hi_v = (Fraction(x) for x in r["box"][2])
            (lo_w, _), (lo_b, hi_b) = [tuple(map(Fraction, x)) for x in r["box"][:2]]
            inf_b2 = Fraction(0) if lo_b <= 0 <= hi_b else min(lo_b ** 2, hi_b ** 2)
            assert max(lo_v ** 2, hi_v ** 2) < lo_w ** 2 + inf_b2  # the theorem's hypothesis
        else:
            assert "v^2 >= w^2 + b^2" in r["argument"]["cover_error"]
    # the volume of {v^2 < w^2 + b^2} in R is about 0.8076 (Monte Carlo); the cover
    # cannot claim more than the boxes lying inside it
    assert fr < Fraction(81, 100)


def test_every_builtin_target_closes_on_the_region(tmp_path):
    for key, ex in EXAMPLES.items():
        out = _run(tmp_path, key, Problem(ex["target"]), PI_BOX)
        res = read_sweep(out)
        assert res.summary["fractions"]["bounded-forever"] == "1", key
        assert res.summary["arguments"]["regime-cover"]["fraction"] == "1", key
        r = check_sweep_file(out, workers=1)
        assert r.ok, (key, r.message)


def test_width_two_falls_back_to_tubes(tmp_path):
    """Two live neurons: no region argument applies; the box is a tube leaf that says why."""
    ranges = {"phi1": ("0.59", "0.6"), "phi2": "2.05", "v1": "0.45", "v2": "0.4",
              "c": "0.05"}
    out = _run(tmp_path, "h2", Problem("x**2", width=2), ranges, max_steps=6, order=4,
               trap_budget=1, min_size="1")
    res = read_sweep(out)
    (leaf,) = res.leaves.values()
    assert leaf_argument(leaf) == "tube"
    assert leaf["argument"]["cover_error"].startswith("2 neurons may be alive on the box")
    assert res.summary["arguments"]["tube"]["leaves"] == 1
    assert check_sweep_file(out, workers=1).ok


def test_plot_colours_the_leaves_by_argument(files):
    from matplotlib.colors import to_rgba

    from verifier.plotting.sweep import ARGUMENT_COLORS, argument_figure, slice_leaves

    part = files["standard-part"]
    figs = sorted(p.name for p in (part.parent / "fig").iterdir())
    assert "sweep_arguments.png" in figs and "sweep_arguments.pdf" in figs
    res = read_sweep(part)
    fig = argument_figure(res, axes=("b", "v"))
    rows, _ = slice_leaves(res, 1, 2)
    patches = fig.axes[0].patches
    # the slice shows cover and tube leaves (and, where the neuron is dead, reductions)
    assert len(patches) == len(rows)
    assert {"regime-cover", "tube"} <= {leaf_argument(r) for r in rows} <= set(ARGUMENT_COLORS)
    for r, patch in zip(rows, patches):
        assert patch.get_facecolor() == to_rgba(ARGUMENT_COLORS[leaf_argument(r)])
        assert bool(patch.get_hatch()) == (r["status"] != "bounded-forever")


# -- bad input ---------------------------------------------------------------------------
def test_standard_region_meeting_the_origin_is_refused(tmp_path):
    out = tmp_path / "origin.jsonl"
    proc = cli("sweep", "--target", "x**2", "--flow", "standard", "--range", "w=-1:1",
               "--range", "b=0:1", "--range", "v=-1:1", "--range", "c=0", "--out", str(out))
    assert proc.returncode == 2 and not out.exists()
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith(
        "error: the region meets (w1, b1) = (0, 0)"), proc.stderr
    with pytest.raises(ValueError, match="meets"):
        make_config(Problem("x**2"), {"w": ("0", "1"), "b": ("-1", "0"), "v": "0", "c": "0"},
                    20, flow="standard")


def test_regimes_option_is_stored():
    on = make_config(Problem("x**2"), PI_BOX, 20)
    off = make_config(Problem("x**2"), PI_BOX, 20, regimes=False)
    assert on.to_dict()["regimes"] is True and off.to_dict()["regimes"] is False
    assert on.digest != off.digest


# -- tampering ---------------------------------------------------------------------------
def _leaves(lines):
    return [k for k, d in enumerate(lines) if d.get("kind") == "leaf"]


def _resummarize(lines):
    """Rewrite the summary as the checker derives it, so that a tampered leaf must be
    caught by the re-proof of its argument, not by the summary."""
    cfg = _Config(lines[0]["config"])
    rows = [d for d in lines[1:-1] if d["kind"] == "leaf"]
    lines[-1] = expected_summary(cfg, rows, [Fraction(r["fraction"]) for r in rows],
                                 sum(d["kind"] == "split" for d in lines[1:-1]))


def _cover(lines, k=0):
    return lines[_leaves(lines)[k]]["argument"]


def _piece(lines, kind):
    return next(p for p in _cover(lines)["pieces"] if p["kind"] == kind)


def _scale(d, key, factor):
    d[key] = str(Fraction(d[key]) * Fraction(factor))


def _leaf_bound(lines):
    rec = lines[_leaves(lines)[0]]
    rec["bounds"]["v"] = [str(Fraction(rec["bounds"]["v"][0]) * Fraction(9, 10))]
    _resummarize(lines)


def _cover_and_leaf_bound(lines):
    _scale(_cover(lines)["bounds"], "c", "0.9")
    rec = lines[_leaves(lines)[0]]
    rec["bounds"]["c"] = _cover(lines)["bounds"]["c"]
    _resummarize(lines)


def _shrunk_cell(lines):
    cells = _piece(lines, "gram")["cells"]
    lo, hi = (Fraction(x) for x in cells[0])
    cells[0][1] = str(lo + (hi - lo) / 2)


def _missing_piece(lines):
    pieces = _cover(lines)["pieces"]
    del pieces[[p["kind"] for p in pieces].index("gram")]


def _threshold(lines):
    _scale(_piece(lines, "lyapunov"), "threshold", "0.5")


def _osc(lines):
    _scale(_piece(lines, "lyapunov"), "osc", "0.5")


def _mu(lines):
    _scale(_piece(lines, "affine"), "mu", "2")


def _length(lines):
    _scale(_piece(lines, "affine"), "length", "0.5")


def _level(lines):
    _scale(_cover(lines), "level", "0.5")


def _status(lines):
    lines[_leaves(lines)[0]]["status"] = "bounded-on-horizon"


def _leaf_box(lines):
    lines[_leaves(lines)[0]]["box"][1] = ["-1", "0.5"]


def _moved_leaf(lines):
    """The leaf renamed to the lower half in v, with that half's box and fraction."""
    rec = lines[_leaves(lines)[0]]
    rec["node"], rec["box"][1], rec["fraction"] = "R.v1-", ["-1", "0"], "0.5"


def _bigger_region(lines):
    """The header's region and the leaf's box grown together (hash and summary
    rewritten): only the cover's re-proof on the recomputed box can catch it."""
    reg = lines[0]["config"]["region"][1]
    reg["given"], reg["box"] = ["-3", "3"], ["-3", "3"]
    lines[0]["config_hash"] = config_digest(lines[0]["config"])
    lines[_leaves(lines)[0]]["box"][1] = ["-3", "3"]
    _resummarize(lines)


def _regimes_off(lines):
    lines[0]["config"]["regimes"] = False
    lines[0]["config_hash"] = config_digest(lines[0]["config"])


REGION_TAMPER = {
    "strengthened leaf bound": (_leaf_bound, "stronger than the argument"),
    "strengthened cover bound": (_cover_and_leaf_bound, "bound c"),
    "shrunk cell": (_shrunk_cell, "consecutive cells"),
    "missing piece": (_missing_piece, "regime cover"),
    "threshold": (_threshold, "lyapunov threshold"),
    "osc": (_osc, "lyapunov osc"),
    "mu": (_mu, "mu"),
    "length": (_length, "affine length"),
    "level": (_level, "level"),
    "status": (_status, "bounded-forever"),
    "leaf box": (_leaf_box, "box"),
    "moved leaf": (_moved_leaf, "coverage: gap"),
    "bigger region": (_bigger_region, "regime cover: level"),
    "regimes off": (_regimes_off, "without region arguments"),
}


@pytest.mark.parametrize("name", sorted(REGION_TAMPER))
def test_tampered_regime_leaf_rejected(files, name):
    lines = read_lines(files["x2"])
    assert check_sweep_records(lines, workers=1).ok
    mutate, why = REGION_TAMPER[name]
    mutate(lines)
    r = check_sweep_records(lines, workers=1)
    assert not r.ok and why in r.message, r.message


def test_argument_swapped_between_leaves_rejected(files):
    lines = read_lines(files["standard-part"])
    ks = _leaves(lines)
    cover = next(k for k in ks if lines[k]["argument"]["kind"] == "regime-cover")
    tube = next(k for k in ks if lines[k]["argument"]["kind"] == "tube")
    a = copy.deepcopy(lines)
    a[cover]["argument"], a[tube]["argument"] = a[tube]["argument"], a[cover]["argument"]
    r = check_sweep_records(a, workers=1)
    assert not r.ok and "leaf" in r.message, r.message
    # two covers swapped between boxes of different levels: the re-proof on the
    # recomputed boxes (or the leaves' bounds) catches it
    covers = [k for k in ks if lines[k]["argument"]["kind"] == "regime-cover"]
    levels = {k: Fraction(lines[k]["argument"]["level"]) for k in covers}
    lo, hi = min(covers, key=levels.get), max(covers, key=levels.get)
    assert levels[lo] < levels[hi]
    b = copy.deepcopy(lines)
    b[lo]["argument"], b[hi]["argument"] = b[hi]["argument"], b[lo]["argument"]
    r = check_sweep_records(b, workers=1)
    assert not r.ok and "regime cover" in r.message, r.message


def test_summary_claiming_forever_over_a_tube_leaf_rejected(tmp_path):
    """A tube leaf bounded only on [0, T] (the energy tail of an H = 2 box) must keep the
    whole-region statement on [0, T]."""
    ranges = {"phi1": ("0.5", "0.7"), "phi2": "2.05", "v1": "0.45", "v2": "0.4", "c": "0.05"}
    out = _run(tmp_path, "h2", Problem("x**2", width=2), ranges, max_steps=4, order=4,
               trap_budget=1, min_size="1", width_limit=4)
    lines = read_lines(out)
    (leaf,) = [lines[k] for k in _leaves(lines)]
    assert leaf["status"] == "bounded-on-horizon", leaf["reason"]
    assert lines[-1]["statements"]["region"]["over"] == "0 <= t <= 20"
    lines[-1]["statements"]["region"]["over"] = "t >= 0"
    lines[-1]["text"] = lines[-1]["text"].replace("Whole region: ", "Theorem. ").replace(
        "for 0 <= t <= 20.", "for all t >= 0.")
    r = check_sweep_records(lines, workers=1, certificates=False)
    assert not r.ok and "summary" in r.message, r.message


def test_tampered_file_rejected_by_the_cli(files, tmp_path):
    lines = read_lines(files["weights-"])
    _scale(_cover(lines)["bounds"], "b", "0.5")
    lines[_leaves(lines)[0]]["bounds"]["b"] = [_cover(lines)["bounds"]["b"]]
    _resummarize(lines)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("".join(json.dumps(d) + "\n" for d in lines))
    chk = cli("check", str(bad))
    assert chk.returncode == 1 and "REJECTED" in chk.stdout and "bound b" in chk.stdout


# -- an independent reference: long float simulations stay within the bounds ---------------
def _points(box: list, k: int, seed: int) -> list[list[float]]:
    rng = random.Random(seed)
    out = []
    for _ in range(k):
        out.append([rng.uniform(float(Fraction(e[0])), float(Fraction(e[1])))
                    if isinstance(e, list) else float(Fraction(e)) for e in box])
    return out


@pytest.mark.parametrize("name", CLOSED)
def test_simulations_stay_within_the_proven_bounds(files, name):
    """Float trajectories (DOP853, T = 200) from random points of R never exceed the
    proven bounds (which are loose; this catches gross errors: a wrong sign, a bound of
    the wrong quantity)."""
    from verifier.simulate import simulate

    res = read_sweep(files[name])
    cfg = res.config
    problem = Problem.from_dict(cfg.problem)
    g = res.summary["statements"]["region"]
    V, C = float(Fraction(g["v"][0])), float(Fraction(g["c"]))
    B = float(Fraction(g["b"][0])) if "b" in g else math.inf
    RHO = float(Fraction(g["rho"][0])) if "rho" in g else math.inf
    box = res.leaves["R"]["box"]
    worst = 0.0
    for y0 in _points(box, 6, seed=len(name)):
        tr = simulate(problem, y0, 200, flow=cfg.flow, signs=cfg.signs)
        assert tr.success, tr.summary()
        y = tr.y
        if cfg.flow == "standard":
            w, b, v, c = y[:, 0], y[:, 1], y[:, 2], y[:, 3]
            assert (w ** 2 + b ** 2).max() ** 0.5 <= RHO
        else:
            b, v, c = y[:, 0], y[:, 1], y[:, 2]
            if cfg.flow == "normalized-weights":
                assert abs(b).max() <= B
        assert abs(v).max() <= V and abs(c).max() <= C
        worst = max(worst, abs(v).max() / V, abs(c).max() / C)
    print(f"\n{name}: largest |v|/V or |c|/C along the simulations: {worst:.3f}")
