"""``certify``: integrate rigorously to the horizon, then try to prove boundedness forever.

**What a certificate claims.** For every initial value in the initial set, the
trajectory of the flow satisfies ``|v_j(t)| <= R_v[j]`` and ``|c(t)| <= R_c`` for

* every ``t >= 0`` when the status is ``bounded-forever`` (the tube to ``T`` plus a
  trapping argument for ``t >= T``, :mod:`verifier.certificates.trapping`);
* ``0 <= t <= T`` when the status is ``bounded-on-horizon`` (the infinite-horizon
  argument failed);
* ``0 <= t <= t_reached < T`` when the status is ``failed`` (the enclosure could not
  be kept beyond ``t_reached``);
* ``0 <= t <= T`` with status ``bounded-on-horizon`` also when the enclosure was lost
  at ``t_reached < T`` but ``energy_tail`` bounds the rest by the energy inequality
  (:mod:`verifier.proof.energy`; the file's ``tail``).

Everything a claim rests on is written exactly into the file, so that
:mod:`verifier.checker` re-proves it without this module, and nothing else is: the
reason a stronger claim failed, the terminal configuration, the Taylor order and the
timings are the returned certificate's ``notes`` (shown by its summary), not part of
the file.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import flint
from flint import arb

from verifier.arith.exact import canonical_vector, decimal_bounds
from verifier.arith.numbers import (
    exact_text,
    fraction_text,
    parse_horizon,
    parse_rational,
    unpack_array,
)
from verifier.arith.precision import precision
from verifier.certificates.certificate import FORMAT, FORMAT_TAYLOR_MODEL, Certificate
from verifier.certificates.encode import encode_steps
from verifier.field import flows
from verifier.integrate import integrate
from verifier.problem import Problem
from verifier.proof.bounds import box_maxima, upper_text
from verifier.proof.energy import ENERGY_FLOWS, radius, risk_upper, tail_box

STATUSES = ("bounded-forever", "bounded-on-horizon", "failed")
#: What a certificate may state (the checker's schema refuses more): precision in bits,
#: network width.
MAX_CERTIFICATE_PREC = 4096
MAX_CERTIFICATE_WIDTH = 64


def normalize_initial(initial: Any, names: Sequence[str]) -> list:
    """The initial set as exact strings: a string per point coordinate, a
    ``[lo, hi]`` pair per box coordinate."""
    if isinstance(initial, str):
        initial = initial.split(",")
    entries = [unpack_array(e) for e in unpack_array(initial)]
    if len(entries) != len(names):
        raise ValueError(f"initial value needs {len(names)} coordinates ({', '.join(names)}), "
                         f"got {len(entries)}")
    out: list = []
    for name, e in zip(names, entries):
        if isinstance(e, tuple | list):
            if len(e) != 2:
                raise ValueError(f"initial {name}: a box entry is a (lo, hi) pair")
            lo, hi = exact_text(e[0], f"initial {name}"), exact_text(e[1], f"initial {name}")
            if parse_rational(lo, name) > parse_rational(hi, name):
                raise ValueError(f"initial {name}: empty interval [{lo}, {hi}]")
            out.append([lo, hi])
        else:
            out.append(exact_text(e, f"initial {name}"))
    return out


def certify(
    problem: Problem,
    initial: Any,
    horizon: Any,
    flow: str = "normalized",
    signs: Sequence[int] | None = None,
    prec: int = 53,
    order: int | None = None,
    *,
    forever: bool = True,
    trap_budget: float = 20.0,
    max_steps: int = 200_000,
    width_limit: float = 10.0,
    energy_tail: bool = False,
    set_type: str = "auto",
    degree: int = 4,
    progress: Callable[[float], None] | None = None,
) -> Certificate:
    """Prove explicit bounds for every trajectory from ``initial`` (module docstring).

    ``initial``: a point (numbers or exact decimal strings) or a box (a ``(lo, hi)``
    pair per coordinate) in the state order of ``flow``. ``forever=False`` skips the
    infinite-horizon argument. ``max_steps`` and ``width_limit`` are passed to
    :func:`verifier.integrate` (a sweep uses them to give up early on a box that must
    be split). ``energy_tail``: when the enclosure is lost before ``T`` (normalized
    flows), bound ``[t_reached, T]`` by the energy inequality instead of failing.
    ``set_type``/``degree``: the set representation of the tube
    (:func:`verifier.integrate`; ``"taylor-model"`` writes format ``ngf-certificate/3``).
    Returns a :class:`Certificate` (``.status``, ``.bounds``, ``.save(path)``); the
    enclosure itself failing is a status, not an
    exception.
    """
    flows.check_flow(flow)
    T = parse_horizon(horizon)
    H = problem.width
    if H > MAX_CERTIFICATE_WIDTH:
        raise ValueError(f"certificates are for width <= {MAX_CERTIFICATE_WIDTH}, got {H}")
    if isinstance(prec, int) and not isinstance(prec, bool) and prec > MAX_CERTIFICATE_PREC:
        raise ValueError(f"certificates are for precisions <= {MAX_CERTIFICATE_PREC} bits, "
                         f"got {prec}")
    if not (isinstance(trap_budget, int | float) and math.isfinite(trap_budget)
            and trap_budget >= 0):
        raise ValueError(f"trap_budget must be a finite number of seconds >= 0, "
                         f"got {trap_budget!r}")
    names = problem.coordinate_names(flow)
    init = normalize_initial(initial, names)
    if signs is not None:
        signs = list(flows.check_signs(signs, H, flow))
    start = time.perf_counter()
    tube = integrate(problem, [tuple(e) if isinstance(e, list) else e for e in init], T,
                     flow=flow, signs=signs, prec=prec, order=order, max_steps=max_steps,
                     width_limit=width_limit, set_type=set_type, degree=degree,
                     progress=progress)
    t_int = time.perf_counter() - start
    steps = encode_steps(tube)
    with precision(prec):
        # From the a priori boxes as a reader decodes them (radii may round up).
        Rv, Rc = box_maxima([tube.initial] + [canonical_vector(s.apriori) for s in tube.steps],
                            flow, H)
    trapping: dict = {"kind": "none"}
    configuration: list[str] = []
    tail: dict | None = None
    if not tube.ok and energy_tail and flow in ENERGY_FLOWS:
        with precision(prec):
            tail, Rv, Rc = _energy_tail(problem, flow, signs, tube, T, Rv, Rc)
    if not tube.ok and tail is None:
        status, reason = "failed", tube.message
        over = f"0 <= t <= {fraction_text(tube.t_reached)}"
    elif not tube.ok:
        status, over = "bounded-on-horizon", f"0 <= t <= {fraction_text(T)}"
        reason = (f"{tube.message}; on [{float(tube.t_reached):.6g}, {float(T):.6g}] the "
                  f"bounds come from the energy inequality (risk <= {tail['risk_sup']})")
    else:
        status, reason = "bounded-on-horizon", ""
        over = f"0 <= t <= {fraction_text(T)}"
        if forever:
            from verifier.certificates.trapping import find_trapping

            trap = find_trapping(problem, flow, signs, tube.final, prec=prec,
                                 budget_seconds=trap_budget)
            configuration = list(trap.configuration)
            if trap.ok:
                status, over = "bounded-forever", "t >= 0"
                trapping = trap.spec
                with precision(prec):
                    Rv = [_max_text(a, b) for a, b in zip(Rv, trap.spec["bounds"]["v"])]
                    Rc = _max_text(Rc, trap.spec["bounds"]["c"])
            else:
                reason = f"no infinite-horizon argument: {trap.reason}"
        else:
            reason = "the infinite-horizon argument was not attempted"
    with precision(prec):
        final = [decimal_bounds(x) for x in tube.final]
        bounds = {"v": [r if isinstance(r, str) else upper_text(r) for r in Rv],
                  "c": Rc if isinstance(Rc, str) else upper_text(Rc), "over": over}
    data = {
        "format": (FORMAT_TAYLOR_MODEL if any(s["kind"] == "taylor-model" for s in steps)
                   else FORMAT),
        "problem": problem.to_dict(),
        "flow": flow,
        "signs": signs,
        "initial": init,
        "horizon": fraction_text(T),
        "prec": prec,
        "status": status,
        "t_reached": fraction_text(tube.t_reached),
        "bounds": bounds,
        "final_enclosure": final,
        "trapping": trapping,
        **({} if tail is None else {"tail": tail}),
        "steps": steps,
    }
    # For people only, never written into the file: the checker could not prove them.
    notes = {"reason": reason, "configuration": configuration, "order": tube.order,
             "steps": tube.n_steps, "low_order_steps": tube.n_low_order,
             "integrate_seconds": round(t_int, 3),
             "certify_seconds": round(time.perf_counter() - start, 3),
             "generator": {"package": "ngf-verifier", "version": _version(),
                           "python-flint": flint.__version__}}
    return Certificate(data, tube=tube, notes=notes)


def _energy_tail(problem, flow, signs, tube, T: Fraction, Rv, Rc):
    """``(tail, Rv, Rc)``: the energy tail from the last set, or ``(None, Rv, Rc)`` when
    the risk is not bounded there."""
    field = problem.vector_field(flow=flow, signs=signs)
    final = canonical_vector(tube.final)
    L = risk_upper(field, final)
    if not (L.is_finite() and all(x.is_finite() for x in final)):
        return None, Rv, Rc
    # Room for the checker's own reconstruction of the last set (rounding differs).
    risk_text = upper_text(L * (1 + arb(2) ** -20) + arb(2) ** -60)
    rho = radius(T - tube.t_reached, parse_rational(risk_text, "risk", strict=True))
    tv, tc = box_maxima([tail_box(final, rho)], flow, problem.width)
    Rv = [b if b > a else a for a, b in zip(Rv, tv)]
    Rc = tc if tc > Rc else Rc
    tail = {"kind": "energy", "from": fraction_text(tube.t_reached),
            "risk_sup": risk_text}
    return tail, Rv, Rc


def _max_text(a, b: str) -> str:
    """The larger of an exact ball ``a`` and a decimal string ``b``, as a decimal."""
    ta = a if isinstance(a, str) else upper_text(a)
    larger = parse_rational(ta, "bound", strict=True) >= parse_rational(b, "bound", strict=True)
    return ta if larger else b


def _version() -> str:
    from verifier.version import __version__

    return __version__
