"""One results vocabulary: status enums with ``.ok`` (certificate, tube, simulation), an
exact numeric accessor of a certificate's bounds, and times printed in decimal wherever
people read them (the files keep exact rationals)."""

from __future__ import annotations

import json
import re
from fractions import Fraction

import pytest
from flint import arb

from verifier import (
    Certificate,
    CertificateStatus,
    IntegrationStatus,
    Problem,
    SimulationStatus,
    certify,
    check,
    integrate,
    simulate,
)
from verifier.arith.numbers import time_text
from verifier.cli import main

P = Problem("x**3 - x")
#: A big rational as the integrator's times are (a numerator or denominator of 8+ digits).
BIG_RATIONAL = re.compile(r"\d{8,}/\d+|\d+/\d{8,}")


@pytest.fixture(scope="module")
def forever():
    return certify(P, ["2.5", "1", "0"], horizon=2)


@pytest.fixture(scope="module")
def failed():
    """Stopped after 5 steps: ``t_reached`` is a dyadic rational with a long text."""
    return certify(P, ["2.5", "1", "0"], horizon=20, max_steps=5)


def test_certificate_status_is_an_enum_equal_to_the_file_text(forever, failed):
    assert forever.status is CertificateStatus.BOUNDED_FOREVER
    assert forever.status == "bounded-forever" and str(forever.status) == "bounded-forever"
    assert failed.status is CertificateStatus.FAILED
    assert forever.status.ok and forever.ok and forever.status.forever
    assert not failed.status.ok and not failed.ok
    assert CertificateStatus.BOUNDED_ON_HORIZON.ok
    assert not CertificateStatus.BOUNDED_ON_HORIZON.forever
    assert json.dumps({"s": forever.status}) == '{"s": "bounded-forever"}'
    assert {s.value for s in CertificateStatus} == {"bounded-forever", "bounded-on-horizon",
                                                    "failed"}


def test_every_status_has_ok():
    """Tube, Trajectory and Certificate share ``.ok`` on their status and on themselves."""
    tube = integrate(P, ["2.5", "1", "0"], horizon=1)
    assert tube.status is IntegrationStatus.REACHED and tube.status.ok and tube.ok
    short = integrate(P, ["2.5", "1", "0"], horizon=1, max_steps=2)
    assert not short.status.ok and not short.ok
    traj = simulate(P, [2.5, 1.0, 0.0], horizon=1)
    assert traj.status is SimulationStatus.SUCCESS and traj.status.ok and traj.ok
    assert [s for s in SimulationStatus if s.ok] == [SimulationStatus.SUCCESS]
    assert [s for s in IntegrationStatus if s.ok] == [IntegrationStatus.REACHED]


def test_bound_is_the_exact_outward_value(forever):
    b = forever.bounds
    assert forever.bound("v", 1) == Fraction(b["v"][0]) and forever.bound("c") == Fraction(b["c"])
    assert type(forever.bound("c")) is Fraction
    # an upper bound of |v|, |c| over every a priori box of the tube (an independent
    # reading of the tube the certificate was made from: outward, never a midpoint)
    for rec in forever.tube.steps:
        v, c = rec.apriori[1], rec.apriori[2]
        assert abs(v) <= arb(forever.bound("v", 1).numerator) / forever.bound("v", 1).denominator
        assert abs(c) <= arb(forever.bound("c").numerator) / forever.bound("c").denominator


@pytest.mark.parametrize("args", [("v",), ("v", 0), ("v", 2), ("c", 1), ("w", 1), ("v", True),
                                  ("v", "1")])
def test_bound_refuses_what_the_certificate_does_not_state(forever, args):
    with pytest.raises(ValueError, match="bound"):
        forever.bound(*args)


def test_a_tampered_bound_is_what_the_checker_rejects(forever):
    """The accessor reads the document: a strengthened document reads lower, and the
    checker rejects that document."""
    doc = json.loads(forever.to_json())
    doc["bounds"]["c"] = "0.001"
    bad = Certificate(doc)
    assert bad.bound("c") == Fraction(1, 1000) < forever.bound("c")
    assert not check(bad).ok


def test_time_text():
    assert time_text(Fraction(20)) == "20" and time_text(Fraction(21, 2)) == "10.5"
    q = Fraction(768427791642317777, 72057594037927936)
    assert time_text(q) == "10.664" and Fraction(time_text(q)) <= q
    assert time_text(Fraction(7, 3)) == "7/3"
    assert Fraction(time_text(Fraction(10**9 + 1, 3 * 10**8))) <= Fraction(10**9 + 1, 3 * 10**8)


def test_times_are_decimal_where_people_read_them(failed, tmp_path, capsys):
    assert BIG_RATIONAL.search(failed.data["t_reached"])  # the file keeps the exact time
    assert BIG_RATIONAL.search(failed.data["bounds"]["over"])
    shown = [repr(failed), failed.summary(), failed._repr_html_(), failed._repr_latex_()]
    for text in shown:
        assert not BIG_RATIONAL.search(text), text
    t = Fraction(failed.data["t_reached"])
    assert f"0 <= t <= {time_text(t)}" in failed.summary()
    assert Fraction(time_text(t)) <= t  # the shown upper end is a weaker, true statement
    path = failed.save(tmp_path / "failed.json")
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr()
    assert not BIG_RATIONAL.search(out.out + out.err)
    assert check(path).ok


def test_cli_certify_output_is_decimal(tmp_path, capsys):
    """A box too wide to keep: the certificate fails at a dyadic time, printed in decimal."""
    code = main(["certify", "--target", "x**3 - x", "--init-box", "2:3,0.5:1.5,-1:1",
                 "--horizon", "20", "--out", str(tmp_path / "wide.json")])
    out = capsys.readouterr()
    doc = json.loads((tmp_path / "wide.json").read_text())
    assert code == 1 and doc["status"] == "failed"
    assert BIG_RATIONAL.search(doc["t_reached"])  # exact in the file
    assert not BIG_RATIONAL.search(out.out + out.err), out.out
    assert f"reached {time_text(Fraction(doc['t_reached']))})" in out.out
