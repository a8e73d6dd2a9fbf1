"""The tube of a validated integration as exact JSON (certificate section ``steps``).

Every ball is stored exactly (:func:`verifier.arith.exact.encode_ball`: dyadic
mantissa/exponent integers), every time as an exact rational string. A step
record holds what the checker needs to re-prove the step without searching
(:mod:`verifier.checker.replay`): its times, kind, orders, the claimed a priori
box, the witnesses of its inclusions, and the set at its end.
"""

from __future__ import annotations

from verifier.arith.exact import encode_ball, encode_dyadic, encode_matrix, encode_vector
from verifier.arith.numbers import fraction_text
from verifier.arith.taylor_model import TaylorModel
from verifier.arith.timed_model import TimedModel
from verifier.integrate import StepRecord, Tube


def _witness(rec: StepRecord) -> dict:
    w = rec.witness
    if rec.kind.value == "taylor":
        return {"guess": encode_vector(w["guess"])}
    if rec.kind.value == "split":
        return {"neuron": w["neuron"],
                **{s: {"guess": encode_vector(w[s]["guess"])} for s in ("live", "dead")
                   if s in w}}
    pt = w["point"]
    if pt["kind"] == "taylor":
        point = {"kind": "taylor", "order": pt["order"], "guess": encode_vector(pt["guess"])}
    else:
        point = {"kind": "second-order", "picard": encode_vector(pt["picard"])}
    return {"picard": encode_vector(w["picard"]), "W": encode_matrix(w["W"]), "point": point}


def encode_model(q: TaylorModel, rem=None) -> dict:
    """A model with exact coefficients, sparse: ``[a, M, E]`` per non-zero coefficient
    ``M 2^E`` of the monomial of index ``a`` (increasing), and its remainder (``rem``:
    the ball the model's remainder was decoded from, when given)."""
    terms = []
    for a, v in enumerate(q.c):
        if v.rad() != 0:
            raise ValueError("a stored right model has exact coefficients")
        if not v.is_zero():
            terms.append([a, *encode_dyadic(v)])
    return {"c": terms, "rem": encode_ball(q.rem if rem is None else rem)}


def encode_timed(P: TimedModel) -> list[list]:
    """A timed polynomial (exact, remainder 0), sparse: ``[a, k, M, E]`` per non-zero
    coefficient ``M 2^E`` of ``r^a tau^k`` (``a`` the monomial's index), ``(a, k)``
    increasing."""
    terms = []
    for a, p in enumerate(P.c):
        if p is None:
            continue
        for k in range(p.length()):
            v = p[k]
            if v.rad() != 0:
                raise ValueError("the polynomial P has exact coefficients")
            if not v.is_zero():
                terms.append([a, k, *encode_dyadic(v)])
    return terms


def encode_taylor_model_step(rec: StepRecord) -> dict:
    """A Taylor-model step (:func:`verifier.proof.tm.step.taylor_model_step` re-proves
    it): the witness ``(degree, orders, P, J, Q, sigma)`` and the next set ``(c', p' +
    I')``, whose frame ``Q diag(sigma)`` the checker recomputes."""
    w = rec.witness
    S = rec.set.tm
    return {
        "t0": fraction_text(rec.t0),
        "t1": fraction_text(rec.t1),
        "kind": rec.kind.value,
        "order": rec.order,
        "jet_order": 0,
        "apriori": encode_vector(rec.apriori),
        "witness": {"degree": w["degree"], "orders": list(w["orders"]),
                    "P": [encode_timed(P) for P in w["P"]], "J": encode_vector(w["J"]),
                    "Q": encode_matrix(w["Q"]), "sigma": encode_vector(w["sigma"])},
        "set": {"c": encode_vector(S.c),
                "p": [encode_model(q, rem) for q, rem in zip(S.p, w["stored_rem"])]},
    }


def encode_step(rec: StepRecord) -> dict:
    X = rec.set
    if rec.kind.value == "taylor-model":
        return encode_taylor_model_step(rec)
    if not hasattr(X, "B"):
        raise ValueError("certificates need the doubleton set representation")
    return {
        "t0": fraction_text(rec.t0),
        "t1": fraction_text(rec.t1),
        "kind": rec.kind.value,
        "order": rec.order,
        "jet_order": rec.jet_order,
        "apriori": encode_vector(rec.apriori),
        "witness": _witness(rec),
        "set": _encode_set(X),
    }


def _encode_set(X) -> dict:
    out = {"xhat": encode_vector(X.xhat), "C": encode_matrix(X.C), "B": encode_matrix(X.B),
           "r": encode_vector(X.r if X.r_stored is None else X.r_stored)}
    if getattr(X, "S", None) is not None:
        out["S"] = [encode_matrix(S) for S in X.S]
    return out


def encode_steps(tube: Tube) -> list[dict]:
    return [encode_step(rec) for rec in tube.steps]
