"""Sweeps of tubes: region boxes, exact coverage, Dask (embedded and external),
kill/resume, tampering rejected, plots. Region arguments are off here (``--no-regimes``),
so every leaf is a tube certificate; tests/test_region_sweep.py covers the regime covers.

Budget: the whole module runs in about two minutes on two shared cores. The CI
region sweep is deliberately coarse (4 leaves of width ~pi/2 in phi, all of which
fail within a few steps: boxes that wide lose the enclosure); the boxes that do get
certified (bounded forever) are 1e-9-wide slices, cheap enough for the kill/resume
and scheduler tests. ``--runslow`` adds a finer region sweep.
"""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import pytest

from verifier import Problem
from verifier.arith.numbers import decimal_text
from verifier.checker.sweep import check_sweep_file, check_sweep_records, read_lines
from verifier.sweep import (
    SweepResult,
    make_config,
    parse_range_text,
    read_sweep,
    sweep,
)
from verifier.sweep._config import config_digest
from verifier.sweep._region import outward, resolve_name, sweep_names
from verifier.sweep._task import choose_axis

ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}

#: The CI region sweep: phi in [-pi, pi], |v|, |c| <= 1, T = 20, four phi slabs.
REGION_ARGS = ["--target", "x**2", "--width", "1", "--range", "phi=-pi:pi", "--range", "v=-1:1",
               "--range", "c=-1:1", "--horizon", "20", "--min-size", "1.5", "--min-size", "v=2",
               "--min-size", "c=2", "--width-limit", "4", "--max-steps", "6", "--order", "4",
               "--trap-budget", "2", "--no-regimes"]
#: A 1-D slice of width 8e-9 in c (dead neuron, phi = -2.45): bisected (width limit
#: 1.5e-9) into 8 leaves, each bounded forever in well under a second.
SLICE = {"phi": "-2.45", "v": "0.55", "c": ("0.55", "0.550000008")}
SLICE_ARGS = ["--target", "x**2", "--range", "phi=-2.45", "--range", "v=0.55",
              "--range", "c=0.55:0.550000008", "--horizon", "20", "--min-size", "1e-9",
              "--width-limit", "1.5e-9", "--trap-budget", "5", "--no-regimes"]
SLICE_KW = {"min_size": "1e-9", "width_limit": 1.5e-9, "trap_budget": 5, "regimes": False}


def cli(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "verifier", *args], capture_output=True,
                          text=True, timeout=timeout, env=ENV)


# -- fixtures ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def region_sweep(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess, float]:
    out = tmp_path_factory.mktemp("region") / "sweep.jsonl"
    start = time.perf_counter()
    proc = cli("sweep", *REGION_ARGS, "--out", str(out), "--workers", "2", "--no-progress")
    return out, proc, time.perf_counter() - start


@pytest.fixture(scope="module")
def slice_sweep(tmp_path_factory) -> Path:
    """The 8-leaf slice, run in-process (the synchronous executor)."""
    out = tmp_path_factory.mktemp("slice") / "slice.jsonl"
    sweep(Problem("x**2"), SLICE, 20, out=out, scheduler="synchronous", **SLICE_KW)
    return out


# -- the region, exact numbers, the tree ---------------------------------------------------
def test_fraction_text_is_exact():
    for q in [Fraction(0), Fraction(-31416, 10000), Fraction(1, 8), Fraction(1, 3),
              Fraction(-7, 6), Fraction(10**20 + 1, 2**70), Fraction(5)]:
        assert Fraction(decimal_text(q)) == q
    assert decimal_text(Fraction(-31416, 10000)) == "-3.1416"
    assert decimal_text(Fraction(1, 3)) == "1/3"


def test_outward_rounding_contains_the_given_interval():
    from flint import arb, fmpq

    lo, hi = outward("-pi", 4, up=False, what="x"), outward("pi", 4, up=True, what="x")
    assert (lo, hi) == (Fraction("-3.1416"), Fraction("3.1416"))
    assert arb(fmpq(hi.numerator, hi.denominator)) > arb.pi()  # certainly
    assert outward("pi/2", 6, up=False, what="x") == Fraction("1.570796")
    assert outward("1/3", 2, up=True, what="x") == Fraction(1, 3)  # rationals stay exact
    assert outward("-sqrt(2)", 3, up=True, what="x") == Fraction("-1.414")


def test_names_and_ranges():
    names = sweep_names("normalized", 2)
    assert names == ["phi1", "phi2", "v1", "v2", "c"]
    assert resolve_name("phi_2", names) == "phi2"
    with pytest.raises(ValueError, match="unknown coordinate"):
        resolve_name("phi", names)  # ambiguous for H = 2
    assert resolve_name("phi", sweep_names("normalized", 1)) == "phi1"
    assert parse_range_text("phi=-pi:pi") == ("phi", ("-pi", "pi"))
    assert parse_range_text("c=0") == ("c", "0")
    with pytest.raises(ValueError, match="exact rational"):
        make_config(Problem("x**2"), {"phi": "pi", "v": "0", "c": ("0", "1")}, 1)
    with pytest.raises(ValueError, match="give a range"):
        make_config(Problem("x**2", width=2), {"phi1": ("0", "1")}, 1)
    cfg = make_config(Problem("x**2"), None, 20)  # the H = 1 defaults
    assert cfg.region.root == ((Fraction("-3.1416"), Fraction("3.1416")),
                               (Fraction(-3), Fraction(3)), (Fraction(-3), Fraction(3)))
    assert "phi1 in [-3.1416, 3.1416] ⊇ [-pi, pi]" in cfg.region.describe()


def test_bisection_boxes_and_deterministic_axes():
    cfg = make_config(Problem("x**2"), {"phi": ("-pi", "pi"), "v": ("-1", "1"), "c": "0"}, 20,
                      min_size={"phi": "1.5", "v": "0.5"})
    region = cfg.region
    box = region.box("R.phi1+.v1-")
    assert box == ((Fraction(0), Fraction("3.1416")), (Fraction(-1), Fraction(0)),
                   (Fraction(0), Fraction(0)))
    assert region.fraction(box) == Fraction(1, 4)
    assert region.initial(box) == [["0", "3.1416"], ["-1", "0"], "0"]
    with pytest.raises(ValueError, match="fixed"):
        region.path("R.c-")
    # widest = most halvings left (width / min size): phi 4.19 > v 4, then v 4 > phi 2.09,
    # then phi 2.09 > v 2; phi (1.57 < 2 * 1.5) is then done, v once more
    axes, node = [], "R"
    while (axis := choose_axis(cfg, region.box(node))) is not None:
        axes.append(region.names[axis])
        node = region.children(node, axis)[0]
    assert axes == ["phi1", "v1", "phi1", "v1"]


def test_sensitive_split_is_deterministic():
    cfg = make_config(Problem("x**2"), {"phi": ("0.1", "0.3"), "v": ("0.5", "0.9"),
                                        "c": ("-0.2", "0.2")}, 20, split="sensitive")
    problem = Problem("x**2")
    box = cfg.region.root
    axis = choose_axis(cfg, box, problem)
    assert axis is not None and axis == choose_axis(cfg, box, problem)


def test_progress_bar_counts_boxes(tmp_path, capsys):
    out = tmp_path / "bar.jsonl"
    ranges = {"phi": "-2.45", "v": "0.55", "c": ("0.55", "0.550000002")}
    res = sweep(Problem("x**2"), ranges, 20, out=out, scheduler="synchronous", progress=True,
                **SLICE_KW)
    err = capsys.readouterr().err
    assert len(res.leaves) == 2 and "3/3" in err and "pending 0" in err
    assert "forever 2" in err


def test_existing_file_needs_resume_and_the_same_config(slice_sweep, tmp_path):
    with pytest.raises(ValueError, match="exists"):
        sweep(Problem("x**2"), SLICE, 20, out=slice_sweep, scheduler="synchronous", **SLICE_KW)
    with pytest.raises(ValueError, match="different configuration"):
        sweep(Problem("x**2"), SLICE, 10, out=slice_sweep, resume=True,
              scheduler="synchronous", **SLICE_KW)
    import fcntl

    with open(slice_sweep, "rb") as f:  # as if another sweep process held the file
        fcntl.flock(f, fcntl.LOCK_EX)
        with pytest.raises(ValueError, match="another sweep"):
            sweep(Problem("x**2"), SLICE, 20, out=slice_sweep, resume=True,
                  scheduler="synchronous", **SLICE_KW)
    # resuming a complete sweep returns it unchanged, without certifying anything
    before = slice_sweep.read_bytes()
    res = sweep(Problem("x**2"), SLICE, 20, out=slice_sweep, resume=True,
                scheduler="synchronous", **SLICE_KW)
    assert res.complete and slice_sweep.read_bytes() == before


def test_a_box_whose_certification_raises_is_a_failed_leaf(tmp_path, monkeypatch):
    import verifier.certificates.certify as C

    real = C.certify

    def flaky(problem, initial, *args, **kw):
        if initial[2] == ["0.55", "0.550000001"] and kw["max_steps"] != 0:
            raise RuntimeError("injected bug")
        return real(problem, initial, *args, **kw)

    monkeypatch.setattr(C, "certify", flaky)
    out = tmp_path / "err.jsonl"
    ranges = {"phi": "-2.45", "v": "0.55", "c": ("0.55", "0.550000002")}
    res = sweep(Problem("x**2"), ranges, 20, out=out, scheduler="synchronous", **SLICE_KW)
    bad = res.leaves["R.c-"]
    assert bad["status"] == "failed" and bad["error"] == "RuntimeError: injected bug"
    assert bad["t_reached"] == "0" and res.leaves["R.c+"]["status"] == "bounded-forever"
    assert res.summary["errors"] == 1 and res.summary["fractions"]["failed"] == "0.5"
    assert "raised an error" in res.statement
    assert check_sweep_file(out, workers=1).ok


# -- acceptance: the H = 1 region sweep ------------------------------------------------------
def test_region_sweep_covers_and_verifies(region_sweep):
    out, proc, seconds = region_sweep
    assert proc.returncode == 0, proc.stderr
    res = read_sweep(out)
    assert res.complete
    s = res.summary
    print(f"\nCI region sweep: {len(res.leaves)} leaves, {len(res.splits)} bisections, "
          f"fractions {s['fractions']}, {seconds:.1f} s")
    print(s["text"])
    # the exact root box contains [-pi, pi] x [-1, 1]^2 and is stated
    assert "phi1 in [-3.1416, 3.1416] ⊇ [-pi, pi], v1 in [-1, 1], c in [-1, 1]" in s["text"]
    assert s["text"] in proc.stdout
    # the fractions add up to 1 and are the sums over the leaves
    fr = {k: Fraction(v) for k, v in s["fractions"].items()}
    assert sum(fr.values()) == 1
    for status, q in fr.items():
        assert q == sum((Fraction(r["fraction"]) for r in res.leaves.values()
                         if r["status"] == status), Fraction(0))
        assert s["counts"][status] == sum(r["status"] == status for r in res.leaves.values())
    for node, r in res.leaves.items():
        assert Fraction(r["fraction"]) == Fraction(1, 2 ** node.count("."))
    # the checker proves coverage and re-verifies every leaf
    chk = cli("check", str(out))
    assert chk.returncode == 0, chk.stdout + chk.stderr
    assert "VERIFIED" in chk.stdout


def test_slice_sweep_bounded_forever_and_plots(slice_sweep, tmp_path):
    res = read_sweep(slice_sweep)
    assert len(res.leaves) == 8 and len(res.splits) == 7
    assert {r["status"] for r in res.leaves.values()} == {"bounded-forever"}
    st = res.summary["statements"]
    assert st["forever"]["fraction"] == "1" and st["failed"] is None
    assert st["region"]["over"] == "t >= 0"  # every leaf is bounded forever
    assert res.summary["arguments"]["tube"] == {"leaves": 8, "fraction": "1"}
    assert "Theorem. For f(x) = x**2 on [0, 1] (uniform density)" in res.statement
    assert Fraction(st["forever"]["v"][0]) >= Fraction("0.55")
    r = check_sweep_file(slice_sweep, workers=2)
    assert r.ok, r.message
    from verifier.plotting.sweep import plot_sweep

    files = plot_sweep(res, tmp_path / "fig")
    assert sorted(f.name for f in files) == ["sweep_arguments.pdf", "sweep_arguments.png",
                                             "sweep_bounds.pdf", "sweep_bounds.png",
                                             "sweep_status.pdf", "sweep_status.png"]
    assert all(f.stat().st_size > 1000 for f in files)


# -- tampering -------------------------------------------------------------------------------
def _leaf_lines(lines):
    return [k for k, d in enumerate(lines) if d.get("kind") == "leaf"]


def _rehash(lines):
    lines[0]["config_hash"] = config_digest(lines[0]["config"])


def _drop_leaf(lines):
    del lines[_leaf_lines(lines)[-1]]


def _summary_fraction(lines):
    """Move the volume of the largest status to bounded-forever (or away from it)."""
    fr = lines[-1]["fractions"]
    big = max(fr, key=lambda k: Fraction(fr[k]))
    other = "bounded-forever" if big != "bounded-forever" else "failed"
    fr[big], fr[other] = fr[other], fr[big]


def _summary_bound(lines):
    g = lines[-1]["statements"]["region"]
    g["c"] = decimal_text(Fraction(g["c"]) / 2)


def _summary_text(lines):
    lines[-1]["text"] = lines[-1]["text"].replace("Whole region", "Whole plane")


def _cert(lines, k=0):
    return lines[_leaf_lines(lines)[k]]["argument"]["certificate"]


def _certificate_final(lines):
    cert = _cert(lines)
    lo, hi = cert["final_enclosure"][2]
    cert["final_enclosure"][2] = [lo, decimal_text((Fraction(lo) + Fraction(hi)) / 2)]


def _certificate_step(lines):
    cert = _cert(lines)
    cert["steps"][1]["t1"] = decimal_text(Fraction(cert["steps"][1]["t1"]) * 2)


def _certificate_trapping(lines):
    cert = _cert(lines)
    cert["trapping"] = {"kind": "none"}


def _leaf_box(lines):
    rec = lines[_leaf_lines(lines)[0]]
    rec["box"][2][1] = decimal_text(Fraction(rec["box"][2][1]) + Fraction(1, 10**12))


def _leaf_and_certificate_box(lines):
    """A certified leaf renamed to its sibling's node (its box is not that node's)."""
    rec = lines[_leaf_lines(lines)[0]]
    rec["node"] = rec["node"][:-1] + ("+" if rec["node"][-1] == "-" else "-")


def _duplicate_leaf(lines):
    k = _leaf_lines(lines)[0]
    lines.insert(k, copy.deepcopy(lines[k]))


def _leaf_status(lines):
    rec = lines[_leaf_lines(lines)[0]]
    stronger = "bounded-forever" if rec["status"] != "bounded-forever" else "bounded-on-horizon"
    rec["status"], rec["error"] = stronger, None


def _region_claim(lines):
    """Claim a root box that does not contain [-pi, pi] (hash recomputed)."""
    reg = lines[0]["config"]["region"][0]
    reg["given"] = ["-pi", "pi"]
    reg["box"] = ["-3.14159", "3.1416"]
    _rehash(lines)


def _config_hash(lines):
    lines[0]["config"]["horizon"] = "21"


def _no_summary(lines):
    lines.pop()


def _drop_split(lines):
    del lines[next(k for k, d in enumerate(lines) if d.get("kind") == "split")]


REGION_TAMPER = {
    "dropped leaf": (_drop_leaf, "gap"),
    "summary fraction": (_summary_fraction, "summary"),
    "summary bound": (_summary_bound, "summary"),
    "summary text": (_summary_text, "summary"),
    "certificate final enclosure": (_certificate_final, "certificate"),
    "leaf box": (_leaf_box, "box"),
    "duplicate leaf": (_duplicate_leaf, "twice"),
    "leaf status": (_leaf_status, "differ"),
    "region claim": (_region_claim, "not proven to contain"),
    "config hash": (_config_hash, "config_hash"),
    "no summary": (_no_summary, "incomplete"),
    "dropped split": (_drop_split, "split records"),
}
SLICE_TAMPER = {
    "certificate step": (_certificate_step, "certificate"),
    "certificate trapping": (_certificate_trapping, "certificate"),
    "moved leaf": (_leaf_and_certificate_box, "box"),
    "dropped leaf": (_drop_leaf, "gap"),
}


@pytest.mark.parametrize("name", sorted(REGION_TAMPER))
def test_tampered_region_sweep_rejected(region_sweep, name):
    out, proc, _ = region_sweep
    assert proc.returncode == 0, proc.stderr
    lines = read_lines(out)
    assert check_sweep_records(lines, workers=1, certificates=False).ok
    mutate, why = REGION_TAMPER[name]
    mutate(lines)
    r = check_sweep_records(lines, workers=1)
    assert not r.ok and why in r.message, r.message


@pytest.mark.parametrize("name", sorted(SLICE_TAMPER))
def test_tampered_slice_sweep_rejected(slice_sweep, name):
    lines = read_lines(slice_sweep)
    mutate, why = SLICE_TAMPER[name]
    mutate(lines)
    r = check_sweep_records(lines, workers=1)
    assert not r.ok and why in r.message, r.message


def test_check_cli_rejects_tampered_file(region_sweep, tmp_path):
    out, proc, _ = region_sweep
    raw = out.read_bytes().split(b"\n")
    leaf = next(k for k, x in enumerate(raw) if b'"kind":"leaf"' in x)
    bad = tmp_path / "dropped.jsonl"
    bad.write_bytes(b"\n".join(raw[:leaf] + raw[leaf + 1:]))
    chk = cli("check", str(bad))
    assert chk.returncode == 1 and "REJECTED: coverage: gap" in chk.stdout, chk.stdout
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(out.read_bytes()[:-20])
    chk = cli("check", str(cut))
    assert chk.returncode == 1 and "incomplete" in chk.stdout, chk.stdout


def test_a_file_from_before_region_arguments_reads_and_checks():
    """A sweep written before region arguments (the CI region sweep as committed then):
    no ``regimes`` key, tube leaves with a top-level ``certificate``. It reads back with
    the same config hash and still verifies, certificates included."""
    from verifier.sweep._store import leaf_argument, leaf_certificate

    path = Path(__file__).resolve().parent / "data" / "sweep-before-regimes.jsonl"
    res = read_sweep(path)
    assert res.config.regimes is None and "regimes" not in res.header["config"]
    assert res.config.digest == res.header["config_hash"]
    assert all(leaf_argument(r) == "tube" and leaf_certificate(r)["format"]
               for r in res.leaves.values())
    assert "arguments" not in res.summary
    assert check_sweep_file(path, workers=2).ok
    lines = read_lines(path)
    # a leaf in the new format does not belong in an old file
    k = _leaf_lines(lines)[0]
    lines[k]["argument"] = {"kind": "tube", "certificate": lines[k].pop("certificate"),
                            "cover_error": None}
    r = check_sweep_records(lines, workers=1, certificates=False)
    assert not r.ok and "exactly the keys" in r.message, r.message


def test_resuming_a_file_from_before_region_arguments_keeps_its_form(tmp_path):
    from verifier.sweep import run_config

    raw = (Path(__file__).resolve().parent / "data" / "sweep-before-regimes.jsonl"
           ).read_bytes().split(b"\n")[:-1]
    last = max(k for k, x in enumerate(raw) if b'"kind":"leaf"' in x)
    out = tmp_path / "old.jsonl"  # as if killed before its last leaf and the summary
    out.write_bytes(b"\n".join(raw[:last] + raw[last + 1:-1]) + b"\n")
    res = run_config(None, out, resume=True, scheduler="synchronous")
    assert res.complete and "regimes" not in res.header["config"]
    assert all("certificate" in r and "argument" not in r for r in res.leaves.values())
    assert "arguments" not in res.summary
    assert check_sweep_file(out, workers=1).ok


# -- kill and resume ---------------------------------------------------------------------------
def _records(path: Path) -> list[dict]:
    out = []
    for line in path.read_bytes().split(b"\n"):
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


def test_sigkill_then_resume_gives_the_same_result(tmp_path, slice_sweep):
    out = tmp_path / "killed.jsonl"
    args = [sys.executable, "-m", "verifier", "sweep", *SLICE_ARGS, "--out", str(out),
            "--workers", "1", "--no-progress"]
    proc = subprocess.Popen(args, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=ENV)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if out.exists() and sum(r.get("kind") == "leaf" for r in _records(out)) >= 1:
                break
            if proc.poll() is not None:
                pytest.fail(f"the sweep ended before it was killed: {proc.stderr.read()}")
            time.sleep(0.05)
        else:
            pytest.fail("no leaf within 300 s")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the CLI and its cluster's workers
        proc.wait(timeout=60)
        proc.stderr.close()
    before = _records(out)
    assert not any(r.get("kind") == "summary" for r in before), "killed too late"
    done = {r["node"]: r for r in before if r.get("kind") in ("leaf", "split")}
    # as if the kill had hit the middle of a line
    with open(out, "ab") as f:
        f.write(b'{"kind":"leaf","node":"R.c-.c')
    res = cli("sweep", *SLICE_ARGS, "--out", str(out), "--resume", "--workers", "1",
              "--no-progress")
    assert res.returncode == 0, res.stderr
    resumed = read_sweep(out)
    # finished boxes were kept, not recomputed (the resumed run timed only the others)
    recs = {**resumed.splits, **resumed.leaves}
    assert all(recs[n] == r for n, r in done.items())
    assert f"{len(recs) - len(done)} boxes certified by this run" in res.stdout
    ref = read_sweep(slice_sweep)  # the same configuration, run without interruption
    assert ref.header["config_hash"] == resumed.header["config_hash"]
    assert resumed.outcome() == ref.outcome()
    print(f"\nkill/resume: {len(done)} of {len(recs)} records kept across SIGKILL; "
          f"result equal to the uninterrupted run ({len(ref.leaves)} leaves)")
    assert check_sweep_file(out, workers=1).ok


# -- an external Dask cluster on loopback -------------------------------------------------------
def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


@pytest.fixture
def dask_cluster(tmp_path, request):
    """A real ``dask scheduler`` and ``dask worker`` on 127.0.0.1 (subprocesses)."""
    sfile = tmp_path / "scheduler.json"
    logs = open(tmp_path / "dask.log", "wb")  # noqa: SIM115 - closed by the finalizer
    dask = [sys.executable, "-m", "dask"]
    procs = []

    def finish() -> None:
        for p in reversed(procs):
            _stop(p)
        logs.close()

    request.addfinalizer(finish)
    procs.append(subprocess.Popen(
        [*dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
         "--scheduler-file", str(sfile)], start_new_session=True, stdout=logs, stderr=logs))
    deadline = time.monotonic() + 120
    while not (sfile.exists() and sfile.stat().st_size > 0):
        if time.monotonic() > deadline or procs[0].poll() is not None:
            pytest.fail("the dask scheduler did not start")
        time.sleep(0.1)
    procs.append(subprocess.Popen(
        [*dask, "worker", "--scheduler-file", str(sfile), "--nworkers", "1", "--nthreads", "1",
         "--no-dashboard"], start_new_session=True, stdout=logs, stderr=logs))
    from distributed import Client

    with Client(scheduler_file=str(sfile), timeout="60s") as client:
        client.wait_for_workers(1, timeout=120)
    address = json.loads(sfile.read_text())["address"]
    assert address.startswith("tcp://127.0.0.1:")
    return address


def test_sweep_through_an_external_scheduler(dask_cluster, tmp_path):
    out = tmp_path / "remote.jsonl"
    args = ["--target", "x**2", "--range", "phi=-2.45", "--range", "v=0.55",
            "--range", "c=0.55:0.550000002", "--horizon", "20", "--min-size", "1e-9",
            "--width-limit", "1.5e-9", "--trap-budget", "5", "--no-regimes"]
    res = cli("sweep", *args, "--out", str(out), "--scheduler", dask_cluster, "--no-progress")
    assert res.returncode == 0, res.stderr
    result = read_sweep(out)
    assert len(result.leaves) == 2 and result.summary["fractions"]["bounded-forever"] == "1"
    assert cli("check", str(out)).returncode == 0


# -- slow: a finer region sweep ------------------------------------------------------------------
@pytest.mark.slow
def test_finer_region_sweep(tmp_path):
    out = tmp_path / "fine.jsonl"
    res = sweep(Problem("x**2"), {"phi": ("-pi", "pi"), "v": ("-1", "1"), "c": ("-1", "1")}, 20,
                out=out, min_size={"phi": "0.75", "v": "1", "c": "1"}, width_limit=2.5,
                max_steps=20, order=8, trap_budget=5, workers=2, regimes=False)
    assert isinstance(res, SweepResult) and res.complete
    print("\n" + res.statement)
    assert sum(Fraction(q) for q in res.summary["fractions"].values()) == 1
    assert check_sweep_file(out).ok


# -- Taylor-model leaves ---------------------------------------------------------------------
TM_BOX = {"phi": ("0.59", "0.61"), "v": ("0.49", "0.51"), "c": ("0.19", "0.21")}
TM_KW = {"regimes": False, "forever": False, "min_size": "0.01", "set_type": "taylor-model",
         "degree": 3}


def test_taylor_model_leaves_are_stored_hashed_and_replayed(tmp_path):
    out = tmp_path / "tm.jsonl"
    res = sweep(Problem("x**2"), TM_BOX, "1/2", out=out, scheduler="synchronous", **TM_KW)
    cfg = res.header["config"]
    assert cfg["set"] == "taylor-model" and cfg["degree"] == 3
    assert res.config.set_type == "taylor-model" and res.config.digest == res.header["config_hash"]
    again = read_sweep(out).config
    assert (again.set_type, again.degree, again.digest) == ("taylor-model", 3, res.config.digest)
    (leaf,) = res.leaves.values()
    assert leaf["argument"]["certificate"]["format"] == "ngf-certificate/3"
    assert check_sweep_file(out, workers=1).ok
    # The default set is not written: a config without it keeps its old hash.
    plain = make_config(Problem("x**2"), TM_BOX, "1/2", regimes=False)
    assert "set" not in plain.to_dict() and "degree" not in plain.to_dict()
    lines = read_lines(out)
    for name, edit, why in [
            ("no set", lambda c: (c.pop("set"), c.pop("degree")), "config has no set"),
            ("other set", lambda c: c.__setitem__("set", "quadratic"), "set and degree"),
            ("degree", lambda c: c.__setitem__("degree", 13), "set and degree"),
            ("set alone", lambda c: c.pop("degree"), "set and degree")]:
        ls = copy.deepcopy(lines)
        edit(ls[0]["config"])
        _rehash(ls)
        r = check_sweep_records(ls, workers=1)
        assert not r.ok and why in r.message, (name, r.message)
    with pytest.raises(ValueError, match="set must be"):
        make_config(Problem("x**2"), TM_BOX, 1, set_type="quadratic")
    with pytest.raises(ValueError, match="degree"):
        make_config(Problem("x**2"), TM_BOX, 1, set_type="taylor-model", degree=0)


def test_cli_sweep_takes_the_set(tmp_path):
    out = tmp_path / "tm.jsonl"
    r = cli("sweep", "--target", "x**2", "--range", "phi=0.59:0.61", "--range", "v=0.49:0.51",
            "--range", "c=0.19:0.21", "--horizon", "1/4", "--no-regimes", "--no-forever",
            "--min-size", "0.01", "--set", "taylor-model", "--degree", "3",
            "--scheduler", "synchronous", "--no-progress", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert read_sweep(out).config.set_type == "taylor-model"
    r = cli("check", str(out))
    assert r.returncode == 0 and "VERIFIED" in r.stdout, r.stdout + r.stderr
