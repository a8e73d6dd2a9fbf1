"""Tests of the non-rigorous reference simulation, its plots and the ``simulate`` verb."""

from __future__ import annotations

import argparse
import math

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from verifier import Problem  # noqa: E402
from verifier.cli import simulate as simulate_cli  # noqa: E402
from verifier.plotting import (  # noqa: E402
    plot_coordinates,
    plot_realization,
    plot_risk,
    plot_trajectory,
)
from verifier.simulate import SimulationStatus, Trajectory, simulate  # noqa: E402

FLOWS = ("normalized", "normalized-weights", "standard")

_PROBLEMS: dict[int, Problem] = {}


def problem(width: int) -> Problem:
    """``x**2`` on [0, 1], uniform density, ``width`` neurons (cached: SymPy setup)."""
    if width not in _PROBLEMS:
        _PROBLEMS[width] = Problem(target="x**2", domain=(0, 1), density=None, width=width)
    return _PROBLEMS[width]


# Generic initial states (kinks inside (0, 1), both neurons alive).
INIT = {
    ("normalized", 1): [-0.3, 0.7, -0.1],
    ("normalized", 2): [-0.3, 2.6, 0.7, -0.4, 0.1],
    ("normalized-weights", 1): [-0.4, 0.8, 0.05],
    ("normalized-weights", 2): [-0.4, 0.6, 0.9, 0.5, 0.0],
    ("standard", 1): [0.8, -0.3, 0.6, 0.1],
    ("standard", 2): [1.0, -0.9, -0.4, 0.5, 0.7, 0.3, -0.1],
}
SIGNS = {1: None, 2: (1, -1)}


def _signs(flow: str, width: int):
    return SIGNS[width] if flow == "normalized-weights" else None


@pytest.fixture(scope="module")
def trajectories() -> dict[tuple[str, int], Trajectory]:
    """One trajectory per (flow, H), shared by several tests."""
    out = {}
    for flow in FLOWS:
        for width in (1, 2):
            rtol = 1e-12 if flow == "standard" else 1e-10
            out[flow, width] = simulate(problem(width), INIT[flow, width], 8.0, flow=flow,
                                        signs=_signs(flow, width), rtol=rtol, atol=1e-14)
    return out


# --------------------------------------------------------------------- invariants
@pytest.mark.parametrize("width", [1, 2])
def test_standard_flow_conserves_balance(trajectories, width):
    traj = trajectories["standard", width]
    assert traj.success, traj.message
    w, b, v, _ = traj.split()
    balance = v**2 - w**2 - b**2
    assert np.max(np.abs(balance - balance[0])) < 1e-9


@pytest.mark.parametrize("flow", FLOWS)
@pytest.mark.parametrize("width", [1, 2])
def test_state_finite_dimension_and_risk_monotone(trajectories, flow, width):
    traj = trajectories[flow, width]
    p = problem(width)
    assert traj.success, traj.message
    assert traj.y.shape == (traj.t.size, p.dim(flow))
    assert traj.dim == p.dim(flow) == (3 * width + 1 if flow == "standard" else 2 * width + 1)
    assert np.all(np.isfinite(traj.y)) and np.all(np.diff(traj.t) > 0)
    assert traj.t[0] == 0.0 and traj.t[-1] == pytest.approx(8.0)
    assert np.allclose(traj.y[0], INIT[flow, width], rtol=0, atol=0)
    risk = traj.risk
    assert np.all(np.diff(risk) <= 1e-12 * np.abs(risk[:-1]) + 1e-300)
    assert risk[-1] < risk[0]
    if flow == "normalized":
        w, b, _, _ = traj.split()
        assert np.allclose(w**2 + b**2, 1.0, atol=1e-14)
    if flow == "normalized-weights":
        w, _, _, _ = traj.split()
        expected = np.ones(width) if SIGNS[width] is None else np.array(SIGNS[width])
        assert np.all(w == expected)
    # the recorded risk is the problem's risk at the samples
    k = traj.t.size // 2
    assert traj.risk[k] == pytest.approx(p.risk(traj.y[k], flow=flow, signs=traj.signs))


# ------------------------------------------------------------------------ events
def test_kink_crossing_the_domain_end_is_an_event():
    p = problem(1)
    y0 = [math.atan(-0.05), 1.0, -0.5]  # kink -tan(phi) = 0.05 inside (0, 1)
    traj = simulate(p, y0, 2.0)
    assert traj.success
    assert traj.events, "the kink should leave [0, 1] through x = 0"
    te, idx = traj.events[0]
    assert 0 < te < 2.0
    phi_e = traj(te)[0]
    assert abs(-math.tan(phi_e)) < 1e-8  # the kink is at a = 0 at the event
    kinks = -np.tan(traj.y[:, 0])
    assert kinks[0] > 0 and kinks[-1] < 0
    # the recorded switching function changes sign there
    d = 1e-3
    g_before = p.switching_functions(traj(te - d), flow="normalized")[idx]
    g_after = p.switching_functions(traj(te + d), flow="normalized")[idx]
    assert g_before * g_after < 0
    # the event time is a segment boundary and a sample
    assert np.any(np.abs(traj.t - te) < 1e-14)
    assert np.any(np.abs(traj.sol.breakpoints - te) < 1e-14)


def test_every_sign_change_between_samples_is_a_recorded_event():
    p = Problem(target="Abs(x - 1/3)", width=2)  # a breakpoint: more switching surfaces
    traj = simulate(p, [-0.31, 1.46, 1.96, 1.8, 1.32], 10.0)
    assert traj.success and len({i for _, i in traj.events}) >= 3
    assert traj.unresolved_events == []
    g = np.array([p.switching_functions(y, flow="normalized") for y in traj.y])
    times = np.array([te for te, _ in traj.events])
    for k in range(len(traj.t) - 1):
        changed = np.flatnonzero(np.sign(g[k]) * np.sign(g[k + 1]) < 0)
        for i in changed:
            assert any(traj.t[k] <= te <= traj.t[k + 1] and j == i for te, j in traj.events)
    # and every recorded event is such a sign change (the samples include event times)
    for te, i in traj.events:
        k = int(np.argmin(np.abs(traj.t - te)))
        assert abs(traj.t[k] - te) < 1e-14
        assert abs(g[k, i]) < 1e-9
    assert np.all(np.diff(times) >= 0)


def test_dead_neuron_stays_frozen():
    p = problem(2)
    # neuron 1: w = cos(-pi/3) > 0, kink at tan(pi/3) ~ 1.73 > 1: dead on [0, 1]
    y0 = [-math.pi / 3, -0.3, 0.8, 0.7, 0.1]
    traj = simulate(p, y0, 6.0)
    assert traj.success
    assert np.all(traj.y[:, 0] == y0[0])  # velocities of a dead neuron are exactly 0
    assert np.all(traj.y[:, 2] == y0[2])
    assert np.ptp(traj.y[:, 1]) > 1e-3 and np.ptp(traj.y[:, 4]) > 1e-3  # the rest moves


def test_only_dead_neuron_lets_c_converge_to_the_mean():
    traj = simulate(problem(1), [-math.pi / 3, 0.5, 0.0], 40.0)
    assert np.all(traj.y[:, :2] == traj.y[0, :2])
    assert traj.final[2] == pytest.approx(1 / 3, abs=1e-8)  # mean of x**2 on [0, 1]
    assert traj.events == []


# ------------------------------------------------------------------- dense output
def test_dense_output_matches_samples(trajectories):
    traj = trajectories["normalized", 2]
    assert np.allclose(traj.sol(traj.t), traj.y, rtol=0, atol=1e-12)
    assert traj(traj.t[3]).shape == (traj.dim,)
    assert traj(np.array([0.0, 1.0])).shape == (2, traj.dim)
    t_eval = np.linspace(0, 8.0, 17)
    other = simulate(problem(2), INIT["normalized", 2], 8.0, t_eval=t_eval)
    assert np.array_equal(other.t, t_eval)
    assert np.allclose(other.y, traj(t_eval), rtol=0, atol=1e-7)
    with pytest.raises(ValueError):
        traj(9.0)


def test_dense_output_across_events_is_continuous():
    traj = simulate(problem(1), [math.atan(-0.05), 1.0, -0.5], 2.0)
    te = traj.events[0][0]
    left, right = traj(te - 1e-9), traj(te + 1e-9)
    assert np.max(np.abs(left - right)) < 1e-7


def test_error_estimate_is_optional_and_small():
    p = problem(1)
    plain = simulate(p, INIT["normalized", 1], 3.0)
    assert plain.error_estimate is None
    est = simulate(p, INIT["normalized", 1], 3.0, estimate_error=True)
    assert 0 <= est.error_estimate < 1e-6


def test_norms(trajectories):
    traj = trajectories["standard", 2]
    nrm = traj.norms()
    w, b, v, c = traj.split()
    assert np.allclose(nrm["max_abs_v"], np.max(np.abs(v), axis=1))
    assert np.allclose(nrm["abs_c"], np.abs(c))
    assert np.allclose(nrm["max_abs_w"], np.max(np.abs(w), axis=1))
    assert nrm["max_abs_state"].shape == traj.t.shape


# ------------------------------------------------------------------- bad inputs
@pytest.mark.parametrize(
    "kwargs",
    [
        {"y0": [0.1, 0.2]},
        {"y0": [0.1, 0.2, 0.3, 0.4]},
        {"y0": [0.1, float("nan"), 0.3]},
        {"y0": [0.1, float("inf"), 0.3]},
        {"y0": [[0.1, 0.2, 0.3]]},
        {"y0": ["a", "b", "c"]},
        {"horizon": 0.0},
        {"horizon": -1.0},
        {"horizon": float("nan")},
        {"flow": "sideways"},
        {"rtol": 0.0},
        {"signs": (1,)},  # signs with the normalized flow
        {"flow": "normalized-weights", "signs": (2,)},
        {"flow": "normalized-weights", "signs": (1, 1)},
        {"t_eval": [0.0, 20.0]},
        {"t_eval": [1.0, 0.5]},
    ],
)
def test_bad_inputs_raise_one_line_value_errors(kwargs):
    args = {"y0": [0.1, 0.2, 0.3], "horizon": 1.0}
    args.update(kwargs)
    with pytest.raises(ValueError) as info:
        simulate(problem(1), args.pop("y0"), args.pop("horizon"), **args)
    msg = str(info.value)
    assert msg and "\n" not in msg


def test_standard_flow_stops_at_a_degenerate_neuron():
    traj = simulate(problem(1), [0.0, 0.0, 0.5, 0.1], 1.0, flow="standard")
    assert traj.status == SimulationStatus.DEGENERATE_NEURON == "degenerate-neuron"
    assert not traj.success and "w_1" in traj.message


# --------------------------------------------------- switching machinery (toy field)
class _Toy:
    """A toy 'problem' exercising the event loop: y1' = 1, y2' = 0; switching functions
    sin(k y1) (crossings at multiples of pi/k) and one that vanishes identically."""

    width = 1
    a, b = 0.0, 1.0

    def __init__(self, k: float) -> None:
        self.k = k

    def dim(self, flow):
        return 2

    def gradient(self, y, flow="normalized", signs=None):
        return np.array([-1.0, 0.0])

    def switching_functions(self, y, flow="normalized", signs=None):
        return np.array([math.sin(self.k * y[0]), y[1] - y[1]])

    def risk(self, y, flow="normalized", signs=None):
        return 0.0


def test_event_loop_locates_every_crossing_and_tolerates_identical_zero():
    # max_step: the toy field is linear, DOP853 would otherwise step over several crossings
    traj = simulate(_Toy(5.0), [0.0, 1.0], 3.0, max_step=0.1)
    assert traj.success
    times = np.array([te for te, _ in traj.events])
    assert [i for _, i in traj.events] == [0] * times.size
    assert np.allclose(times, np.pi / 5 * np.arange(1, 5), atol=1e-12)
    assert traj.unresolved_events == []


def test_event_limit_stops_the_run():
    traj = simulate(_Toy(50.0), [0.1, 0.0], 10.0, max_step=0.01, max_events=5)
    assert traj.status == "too-many-events" and len(traj.events) == 5
    assert traj.t_final < 10.0


class _Shrink:
    """Toy standard-flow 'problem' (H = 1): (w, b) decay like exp(-t) to the origin."""

    width = 1

    def dim(self, flow):
        return 4

    def gradient(self, y, flow="standard", signs=None):
        return np.array([y[0], y[1], 0.0, 0.0])

    def switching_functions(self, y, flow="standard", signs=None):
        return np.zeros(0)

    def risk(self, y, flow="standard", signs=None):
        return 0.0


def test_standard_flow_stops_when_a_neuron_collapses():
    traj = simulate(_Shrink(), [0.6, 0.8, 0.5, 0.0], 40.0, flow="standard", atol=1e-24,
                    t_eval=[0.0, 20.0, 30.0])
    assert traj.status == "degenerate-neuron" and "w_1" in traj.message
    assert traj.t_final == pytest.approx(12 * math.log(10), rel=1e-6)  # |(w, b)| = 1e-12
    assert np.array_equal(traj.t, [0.0, 20.0])  # samples after the stop are dropped


# ----------------------------------------------------------------------- plotting
def test_plots(trajectories):
    traj = trajectories["normalized", 2]
    ax = plot_coordinates(traj)
    assert len(ax.lines) == traj.dim
    assert [t.get_text() for t in ax.get_legend().get_texts()][: traj.dim] == [
        "$\\varphi_{1}$", "$\\varphi_{2}$", "$v_{1}$", "$v_{2}$", "$c$"]
    ax = plot_realization(traj, [0.0, 4.0])
    assert len(ax.lines) == 3  # target + 2 times
    ax = plot_risk(traj)
    assert len(ax.lines) == 1 and ax.get_yscale() == "log"
    fig = traj.plot()
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    assert [len(a.lines) for a in fig.axes] == [traj.dim, 4, 1]
    fig = plot_trajectory(traj, times=[1.0])
    assert len(fig.axes[1].lines) == 2


def test_event_lines_are_drawn():
    traj = simulate(problem(1), [math.atan(-0.05), 1.0, -0.5], 2.0)
    ax = plot_coordinates(traj)
    assert len(ax.lines) == 3 and len(ax.collections) == 1


# ---------------------------------------------------------------------------- CLI
def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="verifier")
    sub = parser.add_subparsers(dest="verb")
    simulate_cli.add_parser(sub)
    args = parser.parse_args(argv)
    return simulate_cli.run(args)


BASE = ["simulate", "--target", "x**2", "--width", "1", "--horizon", "5"]


def test_cli_runs_and_prints_a_summary(capsys, tmp_path):
    csv, png = tmp_path / "out.csv", tmp_path / "out.png"
    code = _cli(BASE + ["--init", "0.3,0.7,-0.1", "--csv", str(csv), "--plot", str(png)])
    out = capsys.readouterr().out
    assert code == 0
    for key in ("final state", "final risk", "switching events", "|v_j|", "|c|"):
        assert key in out
    table = np.loadtxt(csv, delimiter=",", skiprows=1)
    assert table.shape[1] == 1 + 3 + 1
    assert open(csv).readline().strip() == "t,phi_1,v_1,c,risk"
    assert png.stat().st_size > 0


def test_cli_other_flows(capsys):
    code = _cli(["simulate", "--target", "x**2", "--width", "2", "--horizon", "2",
                 "--flow", "normalized-weights", "--signs", "1,-1",
                 "--init=-0.4,0.6,0.9,0.5,0.0", "--domain", "0,1", "--samples", "5"])
    assert code == 0
    assert "normalized-weights" in capsys.readouterr().out


@pytest.mark.parametrize(
    "extra",
    [
        ["--init", "0.3,0.7"],
        ["--init", "0.3,x,0.1"],
        ["--init", "0.3,nan,0.1"],
        ["--init", "0.3,0.7,-0.1", "--signs", "1"],
        ["--init", "0.3,0.7,-0.1", "--domain", "0"],
        ["--init", "0.3,0.7,-0.1", "--domain", "0,b"],
        ["--init", "0.3,0.7,-0.1", "--domain", "1,0"],
        ["--init", "0.3,0.7,-0.1", "--samples", "1"],
        ["--init", "0.3,0.7,-0.1", "--flow", "standard"],
        ["--init", "0.3,0.7,-0.1", "--width", "0"],
    ],
)
def test_cli_bad_input_returns_2(capsys, extra):
    code = _cli(BASE + extra)
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "error" in err


def test_cli_through_the_dispatcher(capsys):
    from verifier.cli import main

    assert main(BASE + ["--init", "0.3,0.7,-0.1"]) == 0
    assert "final risk" in capsys.readouterr().out
    assert main(BASE + ["--init", "0.3,0.7"]) == 2
    assert capsys.readouterr().err.startswith("error:")


def test_cli_early_stop_returns_1(capsys):
    code = _cli(["simulate", "--target", "x**2", "--flow", "standard", "--horizon", "1",
                 "--init", "0,0,1,0.1"])
    captured = capsys.readouterr()
    assert code == 1 and "degenerate-neuron" in captured.out
    assert captured.err.count("\n") == 1


def test_cli_bad_target_and_horizon(capsys):
    assert _cli(["simulate", "--target", "__import__('os')", "--width", "1", "--horizon",
                 "5", "--init", "0.3,0.7,-0.1"]) == 2
    assert _cli(["simulate", "--target", "x**2", "--width", "1", "--horizon", "0",
                 "--init", "0.3,0.7,-0.1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2
