"""Sweep summaries name the leaves bounded by the energy inequality and say how to refine
the leaves left undecided at the minimum size (the hint is a command line that works)."""

from __future__ import annotations

import json
import shlex

from verifier.cli import main
from verifier.sweep import energy_leaves, read_sweep, sweep_notes, undecided_leaves

BASE = ["sweep", "--target", "x**2", "--range", "phi=0.1:0.3", "--range", "v=0.5:0.7",
        "--range", "c=0", "--no-regimes", "--horizon", "5", "--max-steps", "3",
        "--scheduler", "synchronous", "--no-progress"]


def _raw_leaves(path) -> dict[str, dict]:
    """The leaf records read as plain JSON (independent of verifier.sweep's reader)."""
    recs = [json.loads(line) for line in path.read_text().splitlines()]
    return {r["node"]: r for r in recs if r.get("kind") == "leaf"}


def test_energy_leaves_and_the_min_size_hint(tmp_path, capsys):
    out = tmp_path / "e.jsonl"
    assert main([*BASE, "--min-size", "0.1", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    raw = _raw_leaves(out)
    tail = sorted(n for n, r in raw.items() if "tail" in r["argument"]["certificate"])
    assert tail and energy_leaves(read_sweep(out)) == tail
    assert f"Energy inequality: {len(tail)} leaves" in text
    assert all(n in text for n in tail[:5])
    assert undecided_leaves(read_sweep(out)) == sorted(raw)  # all at the minimum size
    line = next(x for x in text.splitlines() if x.startswith("Undecided at the minimum size"))
    assert "--min-size phi1=0.05 --min-size v1=0.05" in line
    # the hint refines: rerun with the suggested options
    hint = shlex.split(line.split("e.g. ")[1].split(" (or")[0])
    finer = tmp_path / "finer.jsonl"
    assert main([*BASE, *hint, "--out", str(finer)]) == 0
    capsys.readouterr()
    assert len(_raw_leaves(finer)) == 4 * len(raw)


def test_failed_leaves_without_energy_tail(tmp_path, capsys):
    out = tmp_path / "f.jsonl"
    assert main([*BASE, "--no-energy-tail", "--min-size", "1", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    raw = _raw_leaves(out)
    assert [r["status"] for r in raw.values()] == ["failed"]
    assert "Energy inequality" not in text
    assert "Undecided at the minimum size: 1 leaves (volume fraction 1; failed)" in text


def test_no_notes_when_everything_is_bounded_forever(tmp_path, capsys):
    out = tmp_path / "r.jsonl"
    assert main(["sweep", "--target", "x**2", "--range", "phi=-pi:pi", "--range", "v=-1:1",
                 "--range", "c=-1:1", "--out", str(out), "--no-progress",
                 "--scheduler", "synchronous"]) == 0
    text = capsys.readouterr().out
    assert sweep_notes(read_sweep(out)) == []
    assert "Energy inequality" not in text and "Undecided" not in text
