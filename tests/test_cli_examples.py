"""Every example in a verb's ``--help`` runs as written (issue: negative range ends).

The examples are read from the parsers' epilogs, so a new example is tested without a
new test. Values that start with a minus sign (``--init-box "-2.501:-2.499,..."``,
``--domain -1,1``) are values in both spellings, ``--opt VALUE`` and ``--opt=VALUE``.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
from pathlib import Path

import pytest

from verifier.cli import VERBS, build_parser, main
from verifier.cli.common import attach_values

ROOT = Path(__file__).resolve().parent.parent

#: Examples that take long (tube sweeps, every case of the evidence, every figure): slow.
_SLOW = ("--no-regimes", "--from-manifest", "--out proofs_data", "--in-place",
         "--horizon 50", "--flow standard", "report --manifest", "report --paper")


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def help_examples() -> list[tuple[str, str]]:
    """``(verb, command line)`` of every example line of every verb's epilog (continued
    lines joined, shell comments and output redirections dropped)."""
    out = []
    for verb, sub in _subparsers(build_parser()).items():
        lines = (sub.epilog or "").splitlines()
        k = 0
        while k < len(lines):
            line = lines[k].strip()
            while line.endswith("\\") and k + 1 < len(lines):
                k += 1
                line = line[:-1] + " " + lines[k].strip()
            k += 1
            if line.startswith("verifier "):
                out.append((verb, line))
    return out


EXAMPLES = help_examples()


def _argv(line: str) -> list[str]:
    words = shlex.split(line, comments=True)[1:]
    if ">" in words:
        words = words[:words.index(">")]
    return words


def test_every_verb_with_options_has_examples():
    verbs = {v for v, _ in EXAMPLES}
    assert set(VERBS) - {"check"} <= verbs, set(VERBS) - verbs


@pytest.mark.parametrize("verb,line", EXAMPLES, ids=[f"{v}-{k}" for k, (v, _) in
                                                     enumerate(EXAMPLES)])
def test_help_example_parses(verb, line):
    """Every example is accepted by the parser (no "expected one argument")."""
    argv = _argv(line)
    if "..." in argv:  # a template (`verifier sweep ... --scheduler ADDRESS`)
        argv = [a for a in argv if a != "..."] + ["--target", "x**2", "--out", "t.jsonl"]
    args = build_parser().parse_args(argv)
    assert args.verb == verb


@pytest.mark.parametrize("verb,line", EXAMPLES, ids=[f"{v}-{k}" for k, (v, _) in
                                                     enumerate(EXAMPLES)])
def test_help_example_runs(verb, line, tmp_path, monkeypatch, capsys, request):
    """Every example runs from a working directory holding a copy of the evidence (its
    manifest and files) and exits 0; templates with ``...`` and examples that need a
    running Dask scheduler are parse-only."""
    argv = _argv(line)
    if "..." in argv:
        pytest.skip("a template, parsed by test_help_example_parses")
    if any(s in line for s in _SLOW) and not request.config.getoption("--runslow"):
        pytest.skip("slow example: run with --runslow")
    shutil.copytree(ROOT / "proofs_data", tmp_path / "proofs_data")
    (tmp_path / "figures").mkdir()
    monkeypatch.chdir(tmp_path)
    if "--resume" in argv:  # continues the sweep of an earlier example
        assert main(["sweep", "--target", "x**2", "--range", "phi=-pi:pi", "--range", "v=-1:1",
                     "--range", "c=-1:1", "--out", "sweep.jsonl", "--no-progress"]) == 0
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 0, err
    assert "error" not in err


# -- values that start with a minus sign ------------------------------------------------
def test_negative_values_both_spellings():
    parser = build_parser()
    box = "-2.501:-2.499,0.999:1.001,0.3:0.3"
    for argv in (["integrate", "--example", "abs", "--init-box", box, "--horizon", "1"],
                 ["integrate", "--example", "abs", f"--init-box={box}", "--horizon", "1"],
                 ["integrate", "--example", "abs", "--init-b", box, "--horizon", "1"]):
        args = parser.parse_args(argv)
        assert args.init_box == box and args.horizon == "1"
    args = parser.parse_args(["sweep", "--target", "x", "--domain", "-1,1", "--range",
                              "phi=-1:1", "--range", "-0.5", "--min-size", "-1", "--out", "o"])
    assert args.domain == "-1,1" and args.range == ["phi=-1:1", "-0.5"]
    assert args.min_size == ["-1"]
    args = parser.parse_args(["simulate", "--target", "x", "--init", "-0.3,0.5,-1e-3",
                              "--horizon", "1"])
    assert args.init == "-0.3,0.5,-1e-3"


def test_negative_value_does_not_swallow_an_option(capsys):
    """``--init-box --horizon 1`` is still an error, and ``--`` ends the options."""
    with pytest.raises(SystemExit) as e:
        build_parser().parse_args(["integrate", "--example", "abs", "--init-box",
                                   "--horizon", "1"])
    assert e.value.code == 2
    assert "expected one argument" in capsys.readouterr().err
    parser = build_parser()
    sub = _subparsers(parser)["check"]
    assert attach_values(sub, ["--workers", "-1", "--", "--x", "-1"]) == \
        ["--workers=-1", "--", "--x", "-1"]


def test_negative_box_certifies_and_checks(tmp_path, capsys):
    """The help's example box with negative ends, end to end (the issue's first item)."""
    out = tmp_path / "neg.json"
    assert main(["certify", "--example", "abs", "--init-box",
                 "-2.501:-2.499,0.999:1.001,0.3", "--horizon", "2", "--no-forever",
                 "--out", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["initial"][0] == ["-2.501", "-2.499"]
    assert main(["check", str(out)]) == 0
    assert "VERIFIED" in capsys.readouterr().out
