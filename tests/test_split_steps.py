"""Split steps across a dying surface, the orientation flip ``w = 0``, and the energy tail.

* A dying neuron (its kink tends to an end of the domain and never crosses) is
  integrated by full-order split steps, not by thousands of low-order steps, and the
  enclosure contains a reference solution.
* A set lying across the dying surface is wrapped once per side: its width stays
  of the order of the initial width instead of growing exponentially; a witness for
  one side only is rejected on such a set.
* A neuron active on the whole domain stays analytic when ``w`` passes 0 (its kink
  passes infinity): no low-order steps.
* The energy tail bounds ``[t_reached, T]`` after a lost enclosure; the checker
  re-proves it and rejects tampering.
"""

from __future__ import annotations

import copy
import json
import math
from fractions import Fraction

import numpy as np
import pytest
from flint import arb

from verifier import Problem, integrate
from verifier.arith.precision import precision
from verifier.certificates.certify import certify
from verifier.checker.check import check_certificate
from verifier.proof.split import sides_of
from verifier.simulate import simulate

DYING = [str(math.atan(-0.8)), "-1", "0.3"]


def _kinds(tube) -> set[str]:
    return {s.kind.value for s in tube.steps}


def test_dying_neuron_is_integrated_at_full_order():
    p = Problem("x**2")
    tube = integrate(p, DYING, 8)
    assert tube.ok, tube.message
    assert "low-order" not in _kinds(tube) and "split" in _kinds(tube)
    assert len(tube.steps) < 200
    ref = simulate(p, [float(x) for x in DYING], 8.0, rtol=1e-13)
    for x, y in zip(tube.final, ref.y[-1]):
        assert x.rad() < 1e-9
        assert abs(float(x.mid()) - y) <= float(x.rad()) + 1e-10


def test_side_of_a_set():
    F = Problem("x**2").vector_field()
    with precision(53):
        live = [arb(-math.pi / 4 + 1e-3, 1e-6), arb(-1), arb(0.3)]
        dead = [arb(-math.pi / 4 - 1e-3, 1e-6), arb(-1), arb(0.3)]
        both = [arb(-math.pi / 4, 1e-6), arb(-1), arb(0.3)]
        assert sides_of(F, 0, live) == ("live",)
        assert sides_of(F, 0, dead) == ("dead",)
        assert sides_of(F, 0, both) == ("live", "dead")


@pytest.fixture(scope="module")
def straddling_cert():
    """A box of width 2e-9 in phi lying across the dying surface ``kink = 1``."""
    phi = Fraction(-785398163397, 10**12)  # -pi/4 to 12 digits: kink = 1 - 4.5e-13
    box = [(str(phi - Fraction(1, 10**9)), str(phi + Fraction(1, 10**9))), "-0.99", "0.33"]
    return certify(Problem("x**2"), box, 3, forever=False)


def test_straddling_set_is_wrapped_per_side(straddling_cert):
    c = straddling_cert
    assert c.status == "bounded-on-horizon", c.reason
    steps = c.data["steps"]
    both = [s for s in steps if s["kind"] == "split" and {"live", "dead"} <= set(s["witness"])]
    assert both, "the box should straddle the surface"
    tube = c.tube
    width = max(float(x.rad()) for x in tube.final)
    # A united Jacobian grows the set like exp(k t); per-side wrapping keeps it near 1e-9.
    assert width < 1e-8, width
    assert check_certificate(json.loads(c.to_json())).ok


def test_one_sided_witness_on_a_straddling_set_is_rejected(straddling_cert):
    doc = json.loads(straddling_cert.to_json())
    k = next(i for i, s in enumerate(doc["steps"])
             if s["kind"] == "split" and "dead" in s["witness"])
    bad = copy.deepcopy(doc)
    del bad["steps"][k]["witness"]["dead"]
    r = check_certificate(bad)
    assert not r.ok and "side" in str(r), str(r)
    bad = copy.deepcopy(doc)
    bad["steps"][k]["witness"]["neuron"] = 1
    assert not check_certificate(bad).ok


def test_orientation_flip_stays_at_full_order():
    """phi crosses pi/2 (w = cos phi passes 0) while the neuron is active on [0, 1]."""
    p = Problem("x**2")
    y0 = ["2.024397", "0.2201", "-1.3399"]
    tube = integrate(p, y0, 3)
    assert tube.ok, tube.message
    phis = [float(s.enclosure[0].mid()) for s in tube.steps]
    assert min(phis) < math.pi / 2 < max(phis)
    assert "low-order" not in _kinds(tube)
    ref = simulate(p, [float(x) for x in y0], 3.0, rtol=1e-13)
    for x, y in zip(tube.final, ref.y[-1]):
        assert abs(float(x.mid()) - y) <= float(x.rad()) + 1e-10 and x.rad() < 1e-10


# -- the energy tail ---------------------------------------------------------------------------
BOX = [("-1.5", "-0.5"), ("-1", "0"), ("0", "1")]


@pytest.fixture(scope="module")
def tail_cert():
    return certify(Problem("x**2"), BOX, 20, energy_tail=True, max_steps=5, width_limit=4,
                   forever=False)


def test_energy_tail_is_verified_and_honest(tail_cert):
    c = tail_cert
    assert c.status == "bounded-on-horizon" and "tail" in c.data
    assert Fraction(c.data["t_reached"]) < 20 and c.bounds["over"] == "0 <= t <= 20"
    assert "energy inequality" in c.reason
    assert check_certificate(json.loads(c.to_json())).ok
    p = Problem("x**2")
    rng = np.random.default_rng(1)
    Rv, Rc = float(Fraction(c.bounds["v"][0])), float(Fraction(c.bounds["c"]))
    for _ in range(12):
        y0 = [rng.uniform(float(lo), float(hi)) for lo, hi in BOX]
        tr = simulate(p, y0, 20.0, rtol=1e-9)
        assert np.max(np.abs(tr.y[:, 1])) <= Rv and np.max(np.abs(tr.y[:, 2])) <= Rc


def test_without_the_tail_the_same_run_fails():
    c = certify(Problem("x**2"), BOX, 20, max_steps=5, width_limit=4, forever=False)
    assert c.status == "failed" and "tail" not in c.data


@pytest.mark.parametrize("name", ["risk_sup", "from", "drop", "status", "bounds", "flow"])
def test_energy_tail_tampering_is_rejected(tail_cert, name):
    doc = json.loads(tail_cert.to_json())
    tail = doc["tail"]
    if name == "risk_sup":
        tail["risk_sup"] = str(Fraction(tail["risk_sup"]) / 2)
    elif name == "from":
        tail["from"] = "0"
    elif name == "drop":
        del doc["tail"]
    elif name == "status":
        doc["status"] = "failed"
    elif name == "bounds":
        v = Fraction(doc["bounds"]["v"][0])
        doc["bounds"]["v"][0] = str(v - Fraction(1, 10))
    elif name == "flow":
        doc["problem"] = dict(doc["problem"])
        doc["flow"] = "standard"
    assert not check_certificate(doc).ok
