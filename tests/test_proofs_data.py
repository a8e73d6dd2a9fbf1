"""``proofs_data/``: the committed certificates are re-proven and the manifest matches them.

* the manifest describes exactly the files there (sizes, SHA-256, statuses, bounds,
  inputs) and every case of :data:`verifier.report.cases.CASES` is in it with the same
  inputs, so ``verifier reproduce`` rebuilds the same cases;
* the required coverage: six ``H = 1`` targets, ``H = 2``, ``H = 3``, standard flow,
  a region sweep;
* ``verifier check`` verifies the certificates: by default the CI subset (the quick
  cases, and the small files up to a time budget); all of ``proofs_data/`` with
  ``--runslow``;
* ``verifier reproduce --quick`` rebuilds the quick cases with the committed statuses, the
  same bytes twice (and the committed bytes where the quick set overlaps them), into a
  directory of its own: ``proofs_data/`` is written only with ``--in-place``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from verifier.report.cases import TARGETS, all_cases, quick_cases
from verifier.report.manifest import load_manifest, read_timings, sha256_file, verify_manifest
from verifier.sweep import read_sweep

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "proofs_data"
MANIFEST = DATA / "manifest.json"

pytestmark = pytest.mark.skipif(not MANIFEST.exists(), reason="proofs_data/ has no manifest")


@pytest.fixture(scope="module")
def manifest() -> dict:
    return load_manifest(MANIFEST)


def _verifier(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "verifier", *args], capture_output=True,
                          text=True, timeout=3600, cwd=ROOT)


def test_manifest_matches_the_files():
    assert verify_manifest(MANIFEST) == []


def test_manifest_lists_every_case_with_its_inputs(manifest):
    entries = {e["name"]: e for e in manifest["entries"]}
    for case in all_cases():
        assert case.name in entries, f"{case.name} missing: run verifier reproduce --only ..."
        assert entries[case.name]["inputs"] == json.loads(json.dumps(case.inputs())), case.name
        assert entries[case.name]["kind"] == case.kind


def test_coverage(manifest):
    entries = manifest["entries"]
    h1 = {e["inputs"]["target"] for e in entries if e["inputs"].get("width") == 1
          and e["inputs"].get("flow") == "normalized" and e["kind"] == "certificate"}
    assert set(TARGETS.values()) <= h1
    widths = {e["inputs"]["width"] for e in entries}
    assert {1, 2, 3} <= widths
    assert any(e["inputs"]["flow"] == "standard" for e in entries)
    assert any(e["status"] == "bounded-forever" for e in entries)
    for e in entries:
        assert e["version"] and len(e["sha256"]) == 64


def test_a_region_sweep_is_included(manifest):
    sweeps = [e for e in manifest["entries"] if e["kind"] == "sweep"]
    if not sweeps:
        pytest.skip("no region sweep in proofs_data yet (verifier sweep not available)")
    assert any(e["inputs"]["width"] == 1 for e in sweeps)


def test_region_cases(manifest):
    """The regions of issue 14: closed for all t >= 0 by regime covers (the standard
    flow only in part, with the fraction stated)."""
    entries = {e["name"]: e for e in manifest["entries"] if e["group"] == "region"}
    assert {"region-h1-x2", "region-h1-x2-density", "region-h1-x2-weights-plus",
            "region-h1-x2-weights-minus", "region-std-x2"} <= set(entries)
    for name, e in entries.items():
        cover = e["arguments"]["regime-cover"]
        if name == "region-std-x2":
            assert e["status"] == "partial" and 0 < Fraction(cover["fraction"]) < 1
        elif name == "region-h2-x2":  # two live neurons: only dead reductions close boxes
            forever = Fraction(e["fractions"]["bounded-forever"])
            assert 0 < forever < 1 and forever == Fraction(
                e["arguments"]["dead-reduction"]["fraction"])
            assert cover["fraction"] == "0" and e["status"] == "bounded-on-horizon"
        else:
            assert e["status"] == "bounded-forever" and cover["fraction"] == "1", name
            assert e["bounds"]["over"] == "t >= 0"


def test_size_is_reasonable():
    total = sum(p.stat().st_size for p in DATA.iterdir() if p.is_file())
    assert total < 40 * 2**20


def _ci_subset(manifest: dict, budget_bytes: int = 600_000) -> list[Path]:
    """The quick cases' files, then the smallest others up to ``budget_bytes`` in total."""
    quick = {c.name for c in quick_cases()}
    files = [e for e in manifest["entries"] if e["kind"] == "certificate"]
    chosen = [e for e in files if e["name"] in quick]
    total = sum(e["bytes"] for e in chosen)
    for e in sorted((e for e in files if e["name"] not in quick), key=lambda e: e["bytes"]):
        if total + e["bytes"] > budget_bytes:
            break
        chosen.append(e)
        total += e["bytes"]
    return [DATA / e["file"] for e in chosen]


def test_check_ci_subset(manifest):
    files = _ci_subset(manifest) + [DATA / e["file"] for e in manifest["entries"]
                                    if e["kind"] == "sweep" and e["bytes"] < 100_000]
    assert files
    r = _verifier("check", *map(str, files))
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.count("VERIFIED") == len(files)


@pytest.mark.slow
def test_check_all_of_proofs_data(manifest):
    r = _verifier("check", str(DATA))  # certificates and sweeps
    assert r.returncode == 0, r.stdout + r.stderr
    n = len(manifest["entries"])  # a directory's sweeps (*.jsonl) are checked too
    assert f"{n} of {n} verified" in r.stdout


def test_reproduce_quick_gives_the_committed_statuses(manifest, tmp_path):
    out = tmp_path / "quick"
    r = _verifier("reproduce", "--quick", "--out", str(out), "--compare", str(MANIFEST))
    assert r.returncode == 0, r.stdout + r.stderr
    assert verify_manifest(out) == []
    new = load_manifest(out)
    assert {e["name"] for e in new["entries"]} == {c.name for c in quick_cases()}
    r = _verifier("check", str(out))
    assert r.returncode == 0, r.stdout + r.stderr


def _hashes(directory: Path) -> dict[str, str]:
    return {f.name: sha256_file(f) for f in sorted(directory.iterdir())
            if f.name != "timings.csv"}


def test_reproduce_quick_is_byte_reproducible(tmp_path):
    """Two runs of ``reproduce --quick`` give the same bytes (manifest included); the
    certificates are the committed ones byte for byte, the sweeps state the committed
    outcome (the committed sweep files were written before sweeps dropped their run times,
    so only their leaves and summary are compared); the wall times are in timings.csv."""
    runs = []
    for name in ("first", "second"):
        r = _verifier("reproduce", "--quick", "--out", str(tmp_path / name))
        assert r.returncode == 0, r.stdout + r.stderr
        runs.append(_hashes(tmp_path / name))
    assert runs[0] == runs[1]
    assert set(runs[0]) == {"manifest.json"} | {c.file for c in quick_cases()}
    committed = {e["file"]: e for e in load_manifest(MANIFEST)["entries"]}
    for case in quick_cases():
        new = tmp_path / "first" / case.file
        if case.kind == "sweep":
            assert read_sweep(new).outcome() == read_sweep(DATA / case.file).outcome()
            assert b'"seconds"' not in new.read_bytes()
        else:
            assert runs[0][case.file] == committed[case.file]["sha256"] == sha256_file(
                DATA / case.file)
    timings = read_timings(tmp_path / "first")
    assert set(timings) == {c.name for c in quick_cases()}
    assert all(t >= 0 for t in timings.values())
    text = (tmp_path / "first" / "manifest.json").read_text()
    assert "wall_seconds" not in text and "python\"" not in text


def test_reproduce_writes_the_committed_files_only_when_asked(tmp_path):
    """Default ``evidence/``; ``--out proofs_data`` is refused without ``--in-place``;
    ``--in-place`` writes ``proofs_data/`` (here a copy, in another working directory)."""
    import shutil

    shutil.copytree(DATA, tmp_path / "proofs_data")
    before = _hashes(tmp_path / "proofs_data")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "verifier", "reproduce", *args],
                              capture_output=True, text=True, timeout=600, cwd=tmp_path,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})

    r = run("--only", "h1-abs")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "evidence" / "h1-abs.json").is_file()
    for bad in (["--out", "proofs_data"], ["--out", "./proofs_data/"],
                ["--in-place", "--out", "elsewhere"]):
        r = run("--only", "h1-abs", *bad)
        assert r.returncode == 2 and r.stderr.startswith("error: "), r.stderr
    assert _hashes(tmp_path / "proofs_data") == before
    r = run("--only", "h1-abs", "--in-place")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "proofs_data" / "timings.csv").is_file()
    assert verify_manifest(tmp_path / "proofs_data") == []
    after = _hashes(tmp_path / "proofs_data")
    assert after["h1-abs.json"] == before["h1-abs.json"]  # byte-reproducible
