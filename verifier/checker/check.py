"""``check``: re-prove a certificate from the file alone.

The checker rebuilds the problem from its text (whitelist parser), the initial
set from its exact strings, and then proves, in order:

1. every step of the tube (:mod:`verifier.checker.replay`), the steps forming a
   chain from ``t = 0`` (the first step starts from the initial box) to
   ``t_reached``, which is the horizon unless the status is ``failed``;
2. the final enclosure (outward decimals) contains the last set;
3. the bounds: ``R_v[j]`` and ``R_c`` are at least the largest ``|v_j|``, ``|c|``
   over the initial box and every claimed a priori box (each verified to contain
   the proven one), and, for ``bounded-forever``, at least the trapping box's extents;
4. for ``bounded-forever``, the trapping argument on the last set's hull
   (:func:`verifier.proof.trapping.verify_trapping`).

Before any of this, the problem text must be canonical (parsing and printing it gives
the same text, :meth:`verifier.problem.Problem.from_dict`), a certificate whose status is
not ``bounded-forever`` carries no trapping argument (``{"kind": "none"}``), and the
work the steps need must be within the checker's budget
(:mod:`verifier.checker.budget`).

The result is ``VERIFIED`` or ``REJECTED: <first failing item>``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction
from os import PathLike
from pathlib import Path
from typing import Any

from flint import arb, arb_mat

from verifier.arith.exact import decode_matrix, decode_vector
from verifier.arith.numbers import (
    NumberError,
    ball,
    exact_value,
    fraction_text,
    parse_horizon,
    parse_rational,
)
from verifier.arith.precision import check_prec, precision
from verifier.checker.budget import MAX_STEPS, BudgetError, check_steps
from verifier.checker.load import LoadError, load_json, parse_json, validate
from verifier.checker.replay import Step, check_step
from verifier.checker.tm_decode import decode_tm
from verifier.field import flows
from verifier.proof.bounds import box_maxima
from verifier.proof.energy import ENERGY_FLOWS, radius, risk_upper, tail_box
from verifier.proof.sets import Doubleton
from verifier.proof.tm.sets import TaylorSet
from verifier.proof.trapping import verify_trapping
from verifier.proof.verdict import Rejected

#: The format of certificates with Taylor-model steps (format 2 plus that step kind).
FORMAT_TAYLOR_MODEL = "ngf-certificate/3"
#: A progress report: ``progress(steps done, steps)``.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    message: str
    steps: int = 0
    seconds: float = 0.0

    def __str__(self) -> str:
        return "VERIFIED" if self.ok else f"REJECTED: {self.message}"


def _initial(entries: list, names: list[str]) -> list[arb]:
    """The initial box, built from the exact strings as the integrator builds it."""
    if len(entries) != len(names):
        raise Rejected(f"initial: {len(entries)} coordinates, the flow has {len(names)}")
    out = []
    for name, e in zip(names, entries):
        if isinstance(e, list):
            lo = ball(parse_rational(e[0], f"initial {name}", strict=True))
            hi = ball(parse_rational(e[1], f"initial {name}", strict=True))
            if not lo.lower() <= hi.upper():
                raise Rejected(f"initial {name}: empty interval")
            out.append(arb.union(lo.lower(), hi.upper()))
        else:
            out.append(ball(parse_rational(e, f"initial {name}", strict=True)))
    return out


def _witness(w: Any, kind: str, n: int, where: str) -> dict:
    if not isinstance(w, dict):
        raise Rejected(f"{where}: witness must be an object")
    if kind == "split":
        if "neuron" not in w or set(w) - {"neuron"} not in ({"live"}, {"dead"},
                                                             {"live", "dead"}):
            raise Rejected(f"{where}: a split witness has the key neuron and live, dead "
                           "or both")
        j = w["neuron"]
        if isinstance(j, bool) or not isinstance(j, int) or not 0 <= j < 64:
            raise Rejected(f"{where}: split neuron out of range")
        out: dict = {"neuron": j}
        for side in [s for s in ("live", "dead") if s in w]:
            if not isinstance(w[side], dict) or set(w[side]) != {"guess"}:
                raise Rejected(f"{where}: a split side's witness has exactly the key guess")
            out[side] = {"guess": decode_vector(w[side]["guess"], n, "guess")}
        return out
    if kind == "taylor":
        if set(w) != {"guess"}:
            raise Rejected(f"{where}: a Taylor witness has exactly the key guess")
        return {"guess": decode_vector(w["guess"], n, "guess")}
    if set(w) != {"picard", "W", "point"}:
        raise Rejected(f"{where}: a low-order witness has exactly the keys picard, W, point")
    pt = w["point"]
    if not isinstance(pt, dict):
        raise Rejected(f"{where}: point witness must be an object")
    if pt.get("kind") == "taylor" and set(pt) == {"kind", "order", "guess"}:
        order = pt["order"]
        if isinstance(order, bool) or not isinstance(order, int) or not 1 <= order <= 200:
            raise Rejected(f"{where}: point order out of range")
        point = {"kind": "taylor", "order": order, "guess": decode_vector(pt["guess"], n)}
    elif pt.get("kind") == "second-order" and set(pt) == {"kind", "picard"}:
        point = {"kind": "second-order", "picard": decode_vector(pt["picard"], n)}
    else:
        raise Rejected(f"{where}: unknown point witness")
    return {"picard": decode_vector(w["picard"], n, "picard"),
            "W": decode_matrix(w["W"], n, "W"), "point": point}


_STEP_KEYS = {"t0", "t1", "kind", "order", "jet_order", "apriori", "witness", "set"}


def _int(v: Any, lo: int, hi: int, what: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise LoadError(f"{what} must be an integer in [{lo}, {hi}]")
    return v


def _step(d: dict, n: int, where: str) -> Step:
    try:
        if set(d) != _STEP_KEYS:
            raise LoadError(f"a step has exactly the keys {', '.join(sorted(_STEP_KEYS))}")
        if d["kind"] not in ("taylor", "low-order", "split", "taylor-model"):
            raise LoadError("kind must be taylor, low-order, split or taylor-model")
        _int(d["order"], 1, 200, "order")
        _int(d["jet_order"], 0, 200, "jet_order")
        if d["kind"] == "taylor-model":
            return Step(
                t0=parse_rational(d["t0"], f"{where} t0", strict=True),
                t1=parse_rational(d["t1"], f"{where} t1", strict=True),
                kind=d["kind"], order=d["order"], jet_order=d["jet_order"],
                apriori=decode_vector(d["apriori"], n, "apriori"), witness={},
                tm=decode_tm(d["witness"], d["set"], n))
        s = d["set"]
        if not isinstance(s, dict) or set(s) - {"S"} != {"xhat", "C", "B", "r"}:
            raise LoadError("set must have exactly the keys xhat, C, B, r (and S)")
        S = None
        if "S" in s:
            if not isinstance(s["S"], list) or len(s["S"]) != n:
                raise LoadError(f"S must be a list of {n} matrices")
            S = tuple(decode_matrix(m, n, "S") for m in s["S"])
        return Step(
            t0=parse_rational(d["t0"], f"{where} t0", strict=True),
            t1=parse_rational(d["t1"], f"{where} t1", strict=True),
            kind=d["kind"], order=d["order"], jet_order=d["jet_order"],
            apriori=decode_vector(d["apriori"], n, "apriori"),
            witness=_witness(d["witness"], d["kind"], n, where),
            xhat=decode_vector(s["xhat"], n, "xhat"),
            C=decode_matrix(s["C"], n, "C"), B=decode_matrix(s["B"], n, "B"),
            r=decode_vector(s["r"], n, "r"), S=S,
        )
    except (NumberError, LoadError) as e:
        raise Rejected(f"{where}: {e}") from None


def _fail(message: str, start: float, steps: int = 0) -> CheckResult:
    return CheckResult(False, message, steps, time.perf_counter() - start)


def _decode_steps(steps: list, n: int, fmt: str = FORMAT_TAYLOR_MODEL) -> list[Step]:
    """Decode every step and check that they form a chain in time from ``t = 0``, of one
    family of sets (Taylor-model steps only, in format ``ngf-certificate/3``, or none)."""
    out = []
    t = Fraction(0)
    for k, d in enumerate(steps):
        where = f"step {k} [{d.get('t0')}, {d.get('t1')}]"
        st = _step(d, n, where)
        if st.t0 != t:
            raise Rejected(f"{where}: starts at {st.t0}, the previous step ended at {t}")
        if (st.tm is None) != (out[0].tm is None if out else st.tm is None):
            raise Rejected(f"{where}: a tube's steps are all Taylor-model steps or none is")
        if st.tm is not None and fmt != FORMAT_TAYLOR_MODEL:
            raise Rejected(f"{where}: a Taylor-model step needs format {FORMAT_TAYLOR_MODEL}")
        if st.tm is not None and out and st.tm.degree != out[0].tm.degree:
            raise Rejected(f"{where}: the degree of a tube's Taylor models changed")
        out.append(st)
        t = st.t1
    if fmt == FORMAT_TAYLOR_MODEL and not (out and out[0].tm is not None):
        raise Rejected(f"format {FORMAT_TAYLOR_MODEL} is for tubes of Taylor-model steps")
    return out


def _start(k: int, x0: list[arb], steps: list[Step]) -> Doubleton | TaylorSet:
    """The set step ``k`` starts from: the initial box, or the set stored by step ``k-1``."""
    tm = next((s.tm for s in steps if s is not None), None)
    if tm is not None:  # a tube of Taylor-model sets
        return (TaylorSet.from_box(x0, tm.degree) if k == 0
                else steps[k - 1].tm.stored_set())
    X0 = Doubleton.from_box(x0)
    if k == 0:
        if steps and steps[0].S is not None:  # a quadratic part that starts at zero
            n = len(x0)
            return replace(X0, S=tuple(arb_mat(n, n) for _ in range(n)))
        return X0
    s = steps[k - 1]
    return Doubleton(list(s.xhat), s.C, list(X0.r0), s.B, list(s.r), s.S)


def _verify_range(field, x0: list[arb], steps: list[Step], a: int, b: int,
                  progress=None) -> None:
    """Re-prove steps ``a..b-1``, each from the set stored before it (every stored set is
    proven to contain the image of its predecessor, so the chain is proven by induction)."""
    for k in range(a, b):
        st = steps[k]
        where = f"step {k} [{st.t0}, {st.t1}]"
        check_step(field, _start(k, x0, steps), st, where)
        if progress is not None:
            progress(k + 1, len(steps))


def _chunk_worker(doc_part: dict, a: int, b: int) -> str | None:
    """Process-pool entry: rebuild everything from the JSON and re-prove steps a..b-1."""
    from verifier.problem import Problem

    try:
        problem = Problem.from_dict(doc_part["problem"])
        field = problem.vector_field(flow=doc_part["flow"], signs=doc_part["signs"])
        names = flows.coordinate_names(doc_part["flow"], problem.width)
        with precision(doc_part["prec"]):
            x0 = _initial(doc_part["initial"], names)
            raw = doc_part["steps"]
            lo = max(a - 1, 0)
            decoded = [_step(d, len(names), f"step {lo + i}") for i, d in enumerate(raw)]
            steps: list[Step] = [None] * lo + decoded  # type: ignore[list-item]
            _verify_range(field, x0, steps, a, b)
    except Rejected as e:
        return str(e)
    except Exception as e:  # never a traceback from untrusted input
        return f"internal error while checking steps {a}..{b - 1}: {type(e).__name__}: {e}"
    return None


def _workers(requested: int | None, n_steps: int) -> int:
    import multiprocessing
    import os

    if requested is not None:
        return max(1, int(requested))
    if n_steps < 200 or multiprocessing.current_process().daemon:
        return 1
    cpus = os.cpu_count() or 1
    try:  # only the idle cores: on a busy machine extra processes only add start-up cost
        idle = cpus - os.getloadavg()[0]
    except OSError:
        idle = cpus
    return max(1, min(cpus, 8, int(idle + 0.5)))


def _verify_parallel(doc: dict, n_steps: int, workers: int, progress=None) -> None:
    """Re-prove the steps in ``workers`` processes (chunks of consecutive steps)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chunks = max(workers * 4, 1)
    bounds = sorted({n_steps * i // chunks for i in range(chunks + 1)})
    head = {k: doc[k] for k in ("problem", "flow", "signs", "prec", "initial")}
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futures = []
        for a, b in zip(bounds[:-1], bounds[1:]):
            part = dict(head, steps=doc["steps"][max(a - 1, 0):b])
            futures.append(pool.submit(_chunk_worker, part, a, b))
        done = 0
        first: str | None = None
        for b, fut in zip(bounds[1:], futures):
            msg = fut.result()
            done = b
            if progress is not None:
                progress(done, n_steps)
            if msg is not None and first is None:
                first = msg
                for f in futures:
                    f.cancel()
                break
    if first is not None:
        raise Rejected(first)


def _document(source: Any) -> Any:
    """The document to check: a parsed document (a ``dict``) as it is; an object with a
    ``to_json()`` method (a :class:`verifier.Certificate`) by the JSON text it saves, read
    strictly as a file would be; a path (``str`` or path-like) by the file's content."""
    if isinstance(source, dict):
        return source
    if isinstance(source, str | PathLike):
        return load_json(source)
    to_json = getattr(source, "to_json", None)
    if callable(to_json):
        text = to_json()
        if not isinstance(text, str | bytes):
            raise LoadError(f"{type(source).__name__}.to_json() did not return JSON text")
        return parse_json(text)
    raise LoadError(f"give a certificate file, a Certificate or a parsed document, "
                    f"not {type(source).__name__}")


def check_certificate(doc: Any, progress: Progress | None = None, workers: int | None = None
                      ) -> CheckResult:
    """Re-verify a certificate (module docstring): a parsed document (``dict``), a
    :class:`verifier.Certificate` (the JSON it would save) or the path of a file.

    ``workers``: processes for re-proving the steps (default: the idle cores, for
    certificates of 200 steps or more; steps are independent given the stored sets)."""
    start = time.perf_counter()
    try:
        doc = _document(doc)
    except LoadError as e:
        return _fail(str(e), start)
    try:
        return _check(doc, progress, workers, start)
    except Exception as e:  # never a traceback from untrusted input
        return _fail(f"internal error while checking: {type(e).__name__}: "
                     f"{str(e).splitlines()[0] if str(e) else ''}", start)


def _check(doc: Any, progress, workers: int | None, start: float) -> CheckResult:
    try:
        validate(doc, steps=False)
        if len(doc["steps"]) > MAX_STEPS:
            raise LoadError(f"{len(doc['steps'])} steps, more than the limit {MAX_STEPS}")
        if not all(isinstance(d, dict) for d in doc["steps"]):
            raise LoadError("schema: every step must be an object")
    except LoadError as e:
        return _fail(str(e), start)
    from verifier.problem import Problem, ProblemError

    try:
        problem = Problem.from_dict(doc["problem"], canonical=True)
    except (ProblemError, ValueError) as e:
        return _fail(f"problem: {str(e).splitlines()[0]}", start)
    flow = doc["flow"]
    H = problem.width
    try:
        signs = doc["signs"]
        if signs is not None:
            signs = list(flows.check_signs(signs, H, flow))
        prec = check_prec(doc["prec"])
    except ValueError as e:
        return _fail(str(e).splitlines()[0], start)
    names = flows.coordinate_names(flow, H)
    n = len(names)
    try:
        check_steps(doc["steps"], n, len(problem.moments.cells), prec)
    except BudgetError as e:
        return _fail(str(e), start)
    field = problem.vector_field(flow=flow, signs=signs)
    n_steps = len(doc["steps"])
    try:
        horizon = parse_horizon(doc["horizon"], strict=True)
        t_reached = parse_rational(doc["t_reached"], "t_reached", strict=True)
        with precision(prec):
            x0 = _initial(doc["initial"], names)
            steps = _decode_steps(doc["steps"], n, doc["format"])
            t = steps[-1].t1 if steps else Fraction(0)
            if t != t_reached:
                raise Rejected(f"the steps end at {t}, the file claims t_reached = {t_reached}")
            status = doc["status"]
            tail = doc.get("tail")
            if status != "bounded-forever" and doc["trapping"] != {"kind": "none"}:
                raise Rejected("trapping: only a bounded-forever certificate carries a "
                               "trapping argument (kind none otherwise)")
            if status == "failed":
                if not t_reached < horizon:
                    raise Rejected("status failed but the horizon was reached")
                if tail is not None:
                    raise Rejected("status failed with an energy tail")
            elif tail is not None:
                if status != "bounded-on-horizon" or not t_reached < horizon:
                    raise Rejected("an energy tail belongs to a bounded-on-horizon "
                                   "certificate whose steps end before the horizon")
            elif t_reached != horizon:
                raise Rejected(f"status {status} but the steps end at {t_reached} < horizon")
            k = _workers(workers, n_steps)
            if k > 1:
                _verify_parallel(doc, n_steps, k, progress)
            else:
                _verify_range(field, x0, steps, 0, n_steps, progress)
            final = _start(n_steps, x0, steps).hull()
            _check_final(doc["final_enclosure"], final, n)
            boxes = [x0] + [s.apriori for s in steps]
            if tail is not None:
                boxes.append(_check_tail(field, flow, tail, final, horizon, t_reached))
            Rv, Rc = box_maxima(boxes, flow, H)
            _check_bounds(doc["bounds"], Rv, Rc, H, status,
                          horizon if tail is not None else t_reached)
            if status == "bounded-forever":
                _check_trapping(problem, flow, signs, final, doc, prec, H)
    except Rejected as e:
        return _fail(str(e), start, n_steps)
    except (LoadError, NumberError) as e:
        return _fail(str(e), start)
    return CheckResult(True, "verified", n_steps, time.perf_counter() - start)


def _check_final(claim: list, final: list[arb], n: int) -> None:
    if len(claim) != n:
        raise Rejected(f"final_enclosure: {len(claim)} entries, expected {n}")
    for i, (pair, x) in enumerate(zip(claim, final)):
        lo = parse_rational(pair[0], f"final_enclosure {i}", strict=True)
        hi = parse_rational(pair[1], f"final_enclosure {i}", strict=True)
        if not (x.is_finite() and lo <= exact_value(x.lower())
                and exact_value(x.upper()) <= hi):
            raise Rejected(f"final_enclosure {i}: [{pair[0]}, {pair[1]}] does not contain the "
                           "last set")


def _check_tail(field, flow: str, tail: dict, final: list[arb], horizon: Fraction,
                t_reached: Fraction) -> list[arb]:
    """Re-prove the energy tail (:mod:`verifier.proof.energy`): ``L <= risk_sup``
    on the last set; return the box that contains the trajectory on
    ``[t_reached, horizon]``."""
    if flow not in ENERGY_FLOWS:
        raise Rejected(f"tail: the energy inequality does not apply to the {flow} flow")
    if parse_rational(tail["from"], "tail from", strict=True) != t_reached:
        raise Rejected("tail: 'from' must be t_reached")
    risk_sup = parse_rational(tail["risk_sup"], "tail risk_sup", strict=True)
    L = risk_upper(field, final)
    if not (all(x.is_finite() for x in final) and L.is_finite()
            and exact_value(L) <= risk_sup):
        raise Rejected(f"tail: the risk on the last set is not <= {tail['risk_sup']}")
    return tail_box(final, radius(horizon - t_reached, risk_sup))


def _check_bounds(b: dict, Rv: list[arb], Rc: arb, H: int, status: str,
                  t_reached: Fraction) -> None:
    if len(b["v"]) != H:
        raise Rejected(f"bounds: {len(b['v'])} values for v, expected {H}")
    want = "t >= 0" if status == "bounded-forever" else f"0 <= t <= {fraction_text(t_reached)}"
    if b["over"] != want:
        raise Rejected(f"bounds: 'over' must read {want!r} for status {status}")
    for j, (claim, r) in enumerate(zip(b["v"], Rv)):
        if not (r.is_finite() and parse_rational(claim, f"bounds v_{j + 1}", strict=True)
                >= exact_value(r)):
            raise Rejected(f"bounds: |v_{j + 1}| <= {claim} fails on the tube")
    if not (Rc.is_finite()
            and parse_rational(b["c"], "bounds c", strict=True) >= exact_value(Rc)):
        raise Rejected(f"bounds: |c| <= {b['c']} fails on the tube")


def _check_trapping(problem, flow, signs, final, doc, prec, H) -> None:
    spec = doc["trapping"]
    verify_trapping(problem, flow, signs, final, spec, prec).require("trapping: ")
    b = doc["bounds"]
    for j in range(H):
        if (parse_rational(b["v"][j], "bounds", strict=True)
                < parse_rational(spec["bounds"]["v"][j], "trap", strict=True)):
            raise Rejected(f"bounds: |v_{j + 1}| bound below the trapping box's")
    if (parse_rational(b["c"], "bounds", strict=True)
            < parse_rational(spec["bounds"]["c"], "trap", strict=True)):
        raise Rejected("bounds: |c| bound below the trapping box's")


def check_file(path: str | Path | Any, progress: Progress | None = None,
               workers: int | None = None
               ) -> CheckResult:
    """Load (strictly) and check one certificate file (``verifier.check``); it also takes
    what :func:`check_certificate` takes (a :class:`verifier.Certificate`, a document)."""
    return check_certificate(path, progress=progress, workers=workers)
