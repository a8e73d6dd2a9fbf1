"""Bounded work: the checker's budget, exact numbers with limits, regular files only."""

from __future__ import annotations

import json
import os
from fractions import Fraction
from pathlib import Path

import pytest

from verifier.arith.numbers import (
    MAX_HORIZON,
    NumberError,
    exact_text,
    parse_coordinate,
    parse_horizon,
    parse_rational,
)
from verifier.checker.budget import (
    DEFAULT_TRAPPING_CELLS,
    MAX_STEP_WORK,
    MAX_TOTAL_WORK,
    check_steps,
    trapping_cells,
)
from verifier.checker.check import check_certificate, check_file
from verifier.files import FileError, read_bytes, read_text
from verifier.problem import Problem

DATA = Path(__file__).resolve().parent.parent / "proofs_data"


def _ball(m: str = "1", e: int = 0) -> dict:
    return {"mid": [m, e], "rad": ["0", 0]}


def test_one_heavy_step_is_refused_before_any_proof() -> None:
    """Issue 13: a ~1.2 MB certificate with one step of order 200 and width 64."""
    doc = json.loads((DATA / "h1-abs.json").read_text())
    H = 64
    n = 2 * H + 1
    doc["problem"]["width"] = H
    doc["initial"] = ["0.5"] * n
    doc["final_enclosure"] = [["0", "1"]] * n
    doc["bounds"] = {"v": ["1"] * H, "c": "1", "over": "0 <= t <= 20"}
    doc["status"] = "bounded-on-horizon"
    doc["trapping"] = {"kind": "none"}
    row = [_ball() for _ in range(n)]
    doc["steps"] = [{"t0": "0", "t1": "20", "kind": "taylor", "order": 200, "jet_order": 200,
                     "apriori": row, "witness": {"guess": row},
                     "set": {"xhat": row, "C": [row] * n, "B": [row] * n, "r": row}}]
    assert len(json.dumps(doc)) > 1_000_000
    r = check_certificate(doc, workers=1)
    assert not r.ok and "work units" in r.message and r.steps == 0, r.message


def test_committed_certificates_are_far_inside_the_budget() -> None:
    for path in sorted(DATA.glob("*.json")):
        if path.name == "manifest.json":
            continue
        doc = json.loads(path.read_text())
        p = Problem.from_dict(doc["problem"], canonical=True)
        n, C = len(doc["initial"]), len(p.moments.cells)
        assert check_steps(doc["steps"], n, C, doc["prec"]) < MAX_TOTAL_WORK / 1000, path.name
        assert trapping_cells(n, p.width, C, doc["prec"]) == DEFAULT_TRAPPING_CELLS


def test_budget_limits() -> None:
    step = {"kind": "taylor", "order": 20, "jet_order": 10, "set": {}}
    assert check_steps([step] * 10, 3, 1, 53) < MAX_STEP_WORK
    from verifier.checker.budget import BudgetError

    with pytest.raises(BudgetError, match="more than"):
        check_steps([step] * 100_001, 3, 1, 53)
    with pytest.raises(BudgetError, match="order"):
        check_steps([{**step, "order": 10**4}], 3, 1, 53)
    with pytest.raises(BudgetError, match="work units"):
        check_steps([{**step, "order": 200, "jet_order": 200}], 129, 1, 53)
    assert trapping_cells(129, 64, 1, 53) < 1000


@pytest.mark.parametrize(("text", "value"), [
    ("20", Fraction(20)), ("1/3", Fraction(1, 3)), ("1e-3", Fraction(1, 1000)),
    (".5", Fraction(1, 2)), ("+2.", Fraction(2)), ("-0.25", Fraction(-1, 4)), (7, Fraction(7)),
    (0.5, Fraction(1, 2)), (0.1, Fraction(3602879701896397, 36028797018963968)),
])
def test_exact_numbers(text, value) -> None:
    assert parse_rational(text) == value


@pytest.mark.parametrize("text", ["nan", "NaN", "inf", "Infinity", "1e999999999", "0x10",
                                  "1_000", "1/0", "", "1 2", "pi", float("nan"), True, None])
def test_exact_numbers_refused(text) -> None:
    with pytest.raises(NumberError):
        parse_rational(text)


@pytest.mark.parametrize("value", [0.5, 7, Fraction(1, 2), " 1", "+1", "1."])
def test_files_hold_text_only(value) -> None:
    """A float is a number people hold (its exact binary value), never a file's number."""
    with pytest.raises(NumberError):
        parse_rational(value, strict=True)


def test_horizon_and_coordinate_limits() -> None:
    assert parse_horizon("1e6") == MAX_HORIZON
    for bad in ("1e999", "0", "-1", "1000001"):
        with pytest.raises(NumberError, match="horizon"):
            parse_horizon(bad)
    with pytest.raises(NumberError, match="beyond"):
        parse_coordinate("1e999")
    assert exact_text(".5") == "0.5" and exact_text("+1") == "1" and exact_text(0.5) == "0.5"
    assert Fraction(exact_text(0.1)) == Fraction(0.1)  # a float: its exact binary value
    assert exact_text("1e-3") == "1e-3"  # the strict form is kept as typed


def test_sweep_ranges_are_exact_with_limits() -> None:
    from verifier.sweep import make_config

    p = Problem("x**2")
    with pytest.raises(ValueError, match="beyond"):
        make_config(p, {"phi": ("0", "1e999")})
    with pytest.raises(ValueError, match="digits"):
        make_config(p, {"phi": ("0", "pi")}, digits=10**6)
    cfg = make_config(p, {"phi": ("-pi", "pi"), "v": ("-1", "1"), "c": "0"}, horizon="1e1")
    assert cfg.horizon == 10


def test_a_typed_initial_value_is_stored_as_the_checker_reads_it() -> None:
    from verifier.certificates.certify import certify

    c = certify(Problem("x**2"), [".6", "+0.5", "2e-1"], "1/8", forever=False)
    assert c.data["initial"] == ["0.6", "0.5", "2e-1"]
    assert check_certificate(json.loads(c.to_json()), workers=1).ok


def test_regular_files_only(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.json"
    zero.symlink_to("/dev/zero")
    for path, kind in ((fifo, "FIFO"), (zero, "character device"), (tmp_path, "directory")):
        with pytest.raises(FileError, match=kind):
            read_bytes(path)
        r = check_file(path)
        assert not r.ok and kind in r.message
    big = tmp_path / "big"
    big.write_bytes(b"x" * 100)
    with pytest.raises(FileError, match="larger than"):
        read_bytes(big, limit=99)
    assert read_bytes(big, limit=10, head=True) == b"x" * 10
    for data, what in ((b"\xef\xbb\xbf{}", "byte-order mark"), ("{}".encode("utf-16"), "UTF-16"),
                       (b"\xff\x00", "UTF")):
        big.write_bytes(data)
        with pytest.raises(FileError, match=what):
            read_text(big)
