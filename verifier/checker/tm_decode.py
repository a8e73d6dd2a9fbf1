"""Decoding the Taylor-model step records of a certificate (format ``ngf-certificate/3``).

A record (docs/certificates.md, "Taylor-model steps") holds the witness ``{"degree",
"orders", "P", "J", "Q", "sigma"}`` and the next set ``{"c", "p"}``. The space of the
models is ``(n, degree)`` with ``n`` the state's dimension; ``orders`` are the time
orders per degree (non-increasing); ``P`` has, per coordinate, its non-zero exact
coefficients as terms ``[a, k, M, E]`` (``M 2^E`` times ``r^a tau^k``, ``a`` a monomial's
index in the space's order, ``k <= orders[|a|]``, ``(a, k)`` strictly increasing); a
right model has its non-zero exact coefficients as terms ``[a, M, E]`` (``a``
increasing) and a remainder ball. Everything is
checked here before a proof uses it (shapes, exactness of ``P``); what it proves is
:func:`verifier.proof.tm.step.taylor_model_step`'s business.
"""

from __future__ import annotations

from typing import Any

from flint import arb, arb_poly

from verifier.arith.exact import (
    EncodingError,
    decode_ball,
    decode_matrix,
    decode_vector,
    parse_dyadic,
)
from verifier.arith.taylor_model import ZERO, TaylorModel, space
from verifier.arith.timed_model import TimedModel, TimedSpace, timed_space
from verifier.checker import budget
from verifier.checker.replay import TaylorModelRecord

#: Largest degree of a Taylor-model set in the initial coordinates.
MAX_DEGREE = budget.MAX_DEGREE
#: Largest time order of a witness.
MAX_ORDER = 200
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
            or not all(isinstance(o, int) and not isinstance(o, bool) and 0 <= o <= MAX_ORDER
                       for o in orders)
            or any(a < b for a, b in zip(orders, orders[1:]))):
        raise EncodingError("orders must be degree + 1 non-increasing integers in "
                            f"[0, {MAX_ORDER}]")
    return timed_space(n, d, tuple(orders))


def _terms(v: Any, size: int, width: int, what: str) -> list[tuple[tuple[int, ...], arb]]:
    """Sparse exact terms ``[*key, M, E]`` (``key`` of ``width`` indices, the first a
    monomial's index below ``size``; keys strictly increasing; ``M`` non-zero)."""
    if not isinstance(v, list) or len(v) > size * (MAX_ORDER + 1):
        raise EncodingError(f"{what}: expected a list of terms")
    out: list[tuple[tuple[int, ...], arb]] = []
    last: tuple[int, ...] | None = None
    for t in v:
        if not isinstance(t, list) or len(t) != width + 2:
            raise EncodingError(f"{what}: a term is [{'a, k' if width == 2 else 'a'}, M, E]")
        key = tuple(t[:width])
        if (not all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in key)
                or key[0] >= size):
            raise EncodingError(f"{what}: a term's indices are in range")
        if last is not None and key <= last:
            raise EncodingError(f"{what}: the terms are in strictly increasing order")
        x = parse_dyadic(t[width], t[width + 1], what)
        if x.is_zero():
            raise EncodingError(f"{what}: a stored term is non-zero")
        out.append((key, x))
        last = key
    return out


def _timed(v: Any, ts: TimedSpace) -> TimedModel:
    coeffs: list[list[arb]] = [[] for _ in range(ts.space.size)]
    for (a, k), x in _terms(v, ts.space.size, 2, "P"):
        if k > ts.order_of[a]:
            raise EncodingError(f"P: monomial {a} has at most {ts.order_of[a] + 1} "
                                "time coefficients")
        coeffs[a] += [arb(0)] * (k - len(coeffs[a])) + [x]
    return TimedModel(ts, [arb_poly(cs) if cs else None for cs in coeffs])


def _model(v: Any, sp) -> TaylorModel:
    if not isinstance(v, dict) or set(v) != {"c", "rem"}:
        raise EncodingError("a right model has exactly the keys c, rem")
    c = [ZERO] * sp.size
    for (a,), x in _terms(v["c"], sp.size, 1, "a right model's coefficients"):
        c[a] = x
    return TaylorModel(sp, c, decode_ball(v["rem"]))


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
