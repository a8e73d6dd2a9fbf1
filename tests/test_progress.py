"""Progress outside a terminal: periodic log lines on stderr with the fraction done and an
ETA, for integrate, certify, sweep, check and reproduce (``VERIFIER_PROGRESS_SECONDS``
sets the period; 0 here, so that every update prints)."""

from __future__ import annotations

import io
import re

import pytest

from verifier.cli import main
from verifier.cli.progress import PERIOD_ENV, Progress, clock

LINE = re.compile(r"^verifier (?P<verb>[a-z]+)[^:]*: (?P<pct>\d+\.\d)% \((?P<amounts>[^)]*)\)"
                  r"(, [^,]*(, [^,]*)*)?, (?P<elapsed>\S+) elapsed, "
                  r"(?P<eta>ETA \S+|ETA unknown|done)$")


def _lines(err: str, verb: str) -> list[re.Match]:
    found = [LINE.match(x) for x in err.splitlines() if x.startswith(f"verifier {verb}")]
    assert found and all(found), err
    return found


def test_a_line_states_fraction_elapsed_and_eta(monkeypatch):
    monkeypatch.setenv(PERIOD_ENV, "0")
    out = io.StringIO()
    p = Progress("verifier certify", 20, label="t = {done:.4g} of {total:.4g}", stream=out)
    assert p.line(5, 10.0) == ("verifier certify: 25.0% (t = 5 of 20), 10.0s elapsed, "
                               "ETA 30.0s")
    assert p.line(20, 125.0).endswith("2m05s elapsed, done")
    assert p.line(0, 1.0).endswith("ETA unknown")
    p(4)
    p(8, note="forever 1")
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and lines[1].startswith("verifier certify: 40.0% (t = 8 of 20), "
                                                   "forever 1, ")
    assert clock(3723) == "1h02m03s" and clock(59.94) == "59.9s"


def test_the_period_is_respected(monkeypatch):
    monkeypatch.setenv(PERIOD_ENV, "3600")
    out = io.StringIO()
    p = Progress("verifier sweep", 10, stream=out)
    for k in range(11):
        p(k)
    assert out.getvalue() == ""
    p = Progress("verifier sweep", 10, stream=out, enabled=False)
    monkeypatch.setenv(PERIOD_ENV, "0")
    p(5)
    assert out.getvalue() == ""


def test_a_bad_period_is_a_one_line_error(monkeypatch, capsys):
    monkeypatch.setenv(PERIOD_ENV, "soon")
    assert main(["integrate", "--example", "abs", "--horizon", "1"]) == 2
    assert capsys.readouterr().err.startswith(f"error: {PERIOD_ENV} must be a number")


def _run(argv: list[str], monkeypatch, capsys, tmp_path) -> str:
    monkeypatch.setenv(PERIOD_ENV, "0")
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 0
    return capsys.readouterr().err


def test_integrate_and_certify_log_the_time_reached(monkeypatch, capsys, tmp_path):
    for verb, extra in (("integrate", []), ("certify", ["--out", "abs.json"])):
        err = _run([verb, "--example", "abs", "--horizon", "5", *extra], monkeypatch, capsys,
                   tmp_path)
        lines = _lines(err, verb)
        pcts = [float(m["pct"]) for m in lines]
        assert pcts == sorted(pcts) and pcts[-1] == 100.0 and len(lines) >= 3
        assert all(m["amounts"].startswith("t = ") and m["amounts"].endswith(" of 5")
                   for m in lines)
        assert any(m["eta"].startswith("ETA ") and m["eta"] != "ETA unknown" for m in lines)
    err = _run(["check", "abs.json"], monkeypatch, capsys, tmp_path)
    lines = _lines(err, "check")
    assert lines[-1]["pct"] == "100.0" and lines[-1]["eta"] == "done"


def test_sweep_and_reproduce_log_boxes_and_cases(monkeypatch, capsys, tmp_path):
    err = _run(["sweep", "--target", "x**2", "--range", "phi=-pi:pi", "--range", "v=-1:1",
                "--range", "c=-1:1", "--no-regimes", "--horizon", "1", "--min-size", "2",
                "--scheduler", "synchronous", "--out", "s.jsonl"], monkeypatch, capsys, tmp_path)
    lines = _lines(err, "sweep")
    assert lines[-1]["pct"] == "100.0" and lines[-1]["amounts"].endswith(" boxes")
    err = _run(["check", "s.jsonl"], monkeypatch, capsys, tmp_path)
    assert _lines(err, "check")[-1]["pct"] == "100.0"
    err = _run(["reproduce", "--only", "h1-abs", "h1-pwl", "--out", "ev"], monkeypatch, capsys,
               tmp_path)
    lines = _lines(err, "reproduce")
    assert [m["amounts"] for m in lines] == ["1 of 2 cases", "2 of 2 cases"]
    assert lines[0]["eta"].startswith("ETA ") and lines[1]["eta"] == "done"


def test_no_progress_means_no_lines(monkeypatch, capsys, tmp_path):
    err = _run(["sweep", "--target", "x**2", "--range", "phi=-pi:pi", "--range", "v=-1:1",
                "--range", "c=-1:1", "--scheduler", "synchronous", "--no-progress",
                "--out", "s.jsonl"], monkeypatch, capsys, tmp_path)
    assert "verifier sweep" not in err


@pytest.fixture(autouse=True)
def _no_terminal(monkeypatch):
    """The captured stderr is not a terminal (what a CI log or a batch job sees)."""
    import sys

    assert not sys.stderr.isatty()
