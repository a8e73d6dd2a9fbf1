"""Decoding the Taylor-model step records of a certificate (format ``ngf-certificate/3``).

A record (docs/certificates.md, "Taylor-model steps") holds the witness ``{"degree",
"orders", "P", "J", "Q", "sigma"}`` and the next set ``{"c", "p"}``. The space of the
models is ``(n, degree)`` with ``n`` the state's dimension; ``orders`` are the time
orders per degree (non-increasing); ``P`` has, per coordinate and monomial ``r^a`` (in
the space's order), the exact coefficients of ``p_a(tau)``, at most ``orders[|a|] + 1``
of them; a right model has one ball per monomial and a remainder ball. Everything is
checked here before a proof uses it (shapes, exactness of ``P``); what it proves is
:func:`verifier.proof.tm.step.taylor_model_step`'s business.
"""

from __future__ import annotations

from typing import Any

from flint import arb_poly

from verifier.arith.exact import EncodingError, decode_ball, decode_matrix, decode_vector
from verifier.arith.taylor_model import ZERO, TaylorModel, space
from verifier.arith.timed_model import TimedModel, TimedSpace, timed_space
from verifier.checker import budget
from verifier.checker.replay import TaylorModelRecord

#: Largest degree of a Taylor-model set in the initial coordinates.
MAX_DEGREE = budget.MAX_DEGREE
_WITNESS_KEYS = {"degree", "orders", "P", "J", "Q", "sigma"}


def tm_space(w: Any, n: int) -> TimedSpace:
    """The timed space a witness states (degree and orders checked)."""
    if not isinstance(w, dict) or set(w) != _WITNESS_KEYS:
        raise EncodingError("a Taylor-model witness has exactly the keys "
                            + ", ".join(sorted(_WITNESS_KEYS)))
    d, orders = w["degree"], w["orders"]
    if isinstance(d, bool) or not isinstance(d, int) or not 1 <= d <= MAX_DEGREE:
        raise EncodingError(f"degree must be an integer in [1, {MAX_DEGREE}]")
    if (not isinstance(orders, list) or len(orders) != d + 1
            or not all(isinstance(o, int) and not isinstance(o, bool) and 0 <= o <= 200
                       for o in orders)
            or any(a < b for a, b in zip(orders, orders[1:]))):
        raise EncodingError("orders must be degree + 1 non-increasing integers in [0, 200]")
    return timed_space(n, d, tuple(orders))


def _timed(v: Any, ts: TimedSpace) -> TimedModel:
    if not isinstance(v, list) or len(v) != ts.space.size:
        raise EncodingError(f"P: a coordinate has one list per monomial ({ts.space.size})")
    polys: list[arb_poly | None] = []
    for i, cs in enumerate(v):
        if not isinstance(cs, list) or len(cs) > ts.order_of[i] + 1:
            raise EncodingError(f"P: monomial {i} has at most {ts.order_of[i] + 1} "
                                "time coefficients")
        balls = decode_vector(cs, None, "P")
        if not all(b.rad() == 0 for b in balls):
            raise EncodingError("P: the coefficients must be exact")
        polys.append(None if not balls or all(b.is_zero() for b in balls)
                     else arb_poly(balls))
    return TimedModel(ts, polys)


def _model(v: Any, sp) -> TaylorModel:
    if not isinstance(v, dict) or set(v) != {"c", "rem"}:
        raise EncodingError("a right model has exactly the keys c, rem")
    cs = decode_vector(v["c"], sp.size, "a right model's coefficients")
    return TaylorModel(sp, [ZERO if c.is_zero() else c for c in cs], decode_ball(v["rem"]))


def decode_tm(w: Any, s: Any, n: int) -> TaylorModelRecord:
    """The decoded witness and stored set of a Taylor-model step (module docstring);
    raises :class:`~verifier.arith.exact.EncodingError` with one line."""
    ts = tm_space(w, n)
    if not isinstance(s, dict) or set(s) != {"c", "p"}:
        raise EncodingError("a Taylor-model set has exactly the keys c, p")
    if not isinstance(w["P"], list) or len(w["P"]) != n:
        raise EncodingError(f"P must have {n} coordinates")
    if not isinstance(s["p"], list) or len(s["p"]) != n:
        raise EncodingError(f"p must have {n} right models")
    sp = space(n, ts.degree)
    return TaylorModelRecord(
        degree=ts.degree, orders=ts.orders, P=[_timed(v, ts) for v in w["P"]],
        J=decode_vector(w["J"], n, "J"), Q=decode_matrix(w["Q"], n, "Q"),
        sigma=decode_vector(w["sigma"], n, "sigma"), c=decode_vector(s["c"], n, "c"),
        p=[_model(v, sp) for v in s["p"]])
