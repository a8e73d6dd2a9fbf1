"""Re-verify a sweep file: every leaf certificate, exact coverage, the summary.

A sweep file (:mod:`verifier.sweep._store`) claims that its leaves cover the root
box ``R`` of its header and that the summary follows from the leaves. The checker
reads the file strictly (:func:`verifier.checker.load.parse_json` per line, exact
numbers by :func:`~verifier.arith.numbers.parse_rational`, the file form) and proves, in this order
(cheap checks first, the first failure is reported):

1. **Header.** The config hash is the SHA-256 of the config's canonical JSON; the
   problem parses (whitelist parser); the coordinates are the flow's; each free
   root interval ``[lo_i, hi_i]`` is rational with ``lo_i < hi_i`` and *contains*
   the requested one: ``lo_i <= given_lo_i`` and ``hi_i >= given_hi_i``, decided
   exactly for rationals and in ball arithmetic (256 bits, only certain answers
   count) for constants such as ``pi``; fixed coordinates are exact values.
2. **Geometry of each record.** The node name is a bisection path of ``R``; the
   checker recomputes the node's box from ``R`` and the path with exact rationals,
   and the stated box and the leaf's volume fraction must equal it exactly. A leaf
   closed by a *tube* (argument ``tube``; every leaf of a file written before region
   arguments): the certificate's initial set is that box, its problem, flow, signs,
   horizon and precision are the header's, its status, ``t_reached`` and bounds the
   leaf's. A leaf closed by a *regime cover*: the header has region arguments on, the
   status is ``bounded-forever`` with ``t_reached`` null and bounds over ``t >= 0``.
3. **Coverage.** The leaf paths are the leaves of one finite binary bisection tree
   of ``R``: every proper prefix of a leaf path is an internal node that bisects one
   coordinate (the same one for all leaves below it), no leaf is a prefix of another,
   and *both* children of every internal node are leaves or internal nodes. Hence,
   by induction from the leaves upward (``[lo, mid] ∪ [mid, hi] = [lo, hi]``), the
   union of the leaf boxes is ``R``: there is no gap. Two different leaves part at
   a common internal node on opposite sides of its midpoint, so their interiors are
   disjoint, and the volume fractions add up to exactly 1 (checked as well). The
   split records must be exactly the internal nodes, with the same axes.
4. **Summary.** Recomputed from the leaves with exact rationals (volume fraction per
   status and per argument; per group the maxima of the leaves' bounds and the time
   set on which all of the group's leaves speak: ``t >= 0`` for the whole region only
   when every leaf is bounded-forever) and compared field by field, its text too
   (:mod:`verifier.checker.sweep_text`).
5. **Arguments.** Every tube certificate is re-verified by
   :func:`verifier.checker.check.check_certificate`; every regime cover is re-proven by
   :func:`verifier.checker.regimes.check_region` on the box the checker recomputed from
   the leaf's path (never the box written in the file), and the leaf's bounds must be
   at least the cover's. In parallel worker processes (:mod:`concurrent.futures`;
   ``workers=1`` checks in this process).

The result is a :class:`~verifier.checker.check.CheckResult`: ``VERIFIED`` or
``REJECTED: <first failing item>``.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

from verifier.arith.numbers import (
    NumberError,
    coordinate_or_none,
    decimal_text,
    parse_coordinate,
    parse_horizon,
    parse_rational,
)
from verifier.checker.check import FORMAT_TAYLOR_MODEL, CheckResult, check_certificate
from verifier.checker.load import MAX_BYTES, LoadError, parse_json
from verifier.checker.sweep_text import (
    ARGUMENTS,
    EXTRA_BOUNDS,
    REGION_ARGUMENTS,
    STATUSES,
    describe_region,
    flow_text,
    group,
    problem_text,
    summary_text,
)
from verifier.files import FileError, read_bytes
from verifier.proof.verdict import Rejected

FORMAT = "ngf-sweep/1"
_HEADER_KEYS = {"format", "kind", "config", "config_hash", "generator"}
_LEAF_BASE = {"kind", "node", "box", "fraction", "status", "reason", "t_reached", "bounds",
              "error"}
#: A record's run time: written by files before byte-reproducible sweeps, a note for
#: people that is neither required nor proven.
_TIMING = {"seconds"}
#: A leaf of a file written before region arguments: its tube certificate.
_LEGACY_LEAF_KEYS = _LEAF_BASE | {"certificate"}
_LEAF_KEYS = _LEAF_BASE | {"argument"}
_TUBE_KEYS = {"kind", "certificate", "cover_error"}
_SPLIT_KEYS = {"kind", "node", "box", "status", "reason", "t_reached", "bounds", "error",
               "axis"}
_CONFIG_KEYS = {"problem", "flow", "signs", "coordinates", "region", "horizon", "prec",
                "order", "forever", "trap_budget", "max_steps", "width_limit", "min_size",
                "split", "split_horizon", "digits"}
#: Added later; files written before them have no such key (without ``regimes``: a
#: file from before region arguments, whose leaves are tubes).
_OPTIONAL_CONFIG_KEYS = {"energy_tail", "regimes", "set", "degree"}
_TOKEN = re.compile(r"([a-z]+[0-9]*)([-+])\Z")
#: Longest ``reason`` note of a record (a note for people: not proven, docs/sweeps.md).
MAX_NOTE = 2000


def is_sweep_file(path: str | Path) -> bool:
    """A ``.jsonl`` file, or a regular file whose first line is a sweep header."""
    path = Path(path)
    if path.suffix == ".jsonl":
        return True
    try:
        head = read_bytes(path, 1 << 20, "file", head=True).split(b"\n", 1)[0]
    except FileError:
        return False
    return b'"ngf-sweep/1"' in head and b'"header"' in head


# -- the header -----------------------------------------------------------------------
def _canonical_hash(config: Any) -> str:
    text = json.dumps(config, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _certainly_le(a: Fraction, text: str, what: str) -> bool:
    """``a <= value(text)``, proven (``text`` a real constant)."""
    return _compare(a, text, what, below=True)


def _certainly_ge(a: Fraction, text: str, what: str) -> bool:
    return _compare(a, text, what, below=False)


def _compare(a: Fraction, text: Any, what: str, below: bool) -> bool:
    if not isinstance(text, str) or len(text) > 200:
        raise Rejected(f"{what}: not a constant")
    g = coordinate_or_none(text, what)
    if g is not None:
        return a <= g if below else a >= g
    from verifier.arith.precision import precision
    from verifier.expr import ExpressionError
    from verifier.expr.values import constant_ball

    with precision(256):
        try:
            ball = constant_ball(text, what)
        except ExpressionError as e:
            raise Rejected(str(e).splitlines()[0]) from None
        if not ball.is_finite():
            return False
        q = constant_ball(a, what)
        return bool(q <= ball) if below else bool(q >= ball)


class _Config:
    """The header's config, validated."""

    def __init__(self, d: Any) -> None:
        from verifier.arith.precision import check_prec
        from verifier.field import flows
        from verifier.problem import Problem, ProblemError

        if not isinstance(d, dict) or not _CONFIG_KEYS <= set(d) <= (_CONFIG_KEYS
                                                                   | _OPTIONAL_CONFIG_KEYS):
            raise Rejected(f"header: config must have exactly the keys "
                           f"{', '.join(sorted(_CONFIG_KEYS))}")
        try:
            self.problem = Problem.from_dict(d["problem"], canonical=True)
        except (ProblemError, ValueError) as e:
            raise Rejected(f"header: problem: {str(e).splitlines()[0]}") from None
        self.problem_doc = d["problem"]
        self.flow = d["flow"]
        H = self.problem.width
        self.H = H
        try:
            flows.check_flow(self.flow)
            self.signs = d["signs"]
            if self.signs is not None:
                flows.check_signs(self.signs, H, self.flow)
            self.prec = check_prec(d["prec"])
        except (ValueError, TypeError) as e:
            raise Rejected(f"header: {str(e).splitlines()[0]}") from None
        self.legacy = "regimes" not in d
        self.regimes = d.get("regimes")
        if not (self.legacy or isinstance(self.regimes, bool)):
            raise Rejected("header: regimes must be true or false")
        # The leaves' set representation (a producer's choice: their certificates are
        # checked whatever it is), stored only when not the default.
        self.taylor_models = "set" in d
        if ("set" in d) != ("degree" in d) or (self.taylor_models and not (
                d["set"] == "taylor-model" and isinstance(d["degree"], int)
                and not isinstance(d["degree"], bool) and 1 <= d["degree"] <= 12)):
            raise Rejected("header: set and degree are absent, or taylor-model and an "
                           "integer in [1, 12]")
        self.names = [n.replace("_", "") for n in flows.coordinate_names(self.flow, H)]
        if d["coordinates"] != self.names:
            raise Rejected(f"header: coordinates must be {', '.join(self.names)}")
        self.horizon = parse_horizon(d["horizon"], strict=True)
        region = d["region"]
        if not isinstance(region, list) or len(region) != len(self.names):
            raise Rejected("header: region needs one entry per coordinate")
        self.root: list[tuple[Fraction, Fraction]] = []
        self.free: list[int] = []
        for i, (name, r) in enumerate(zip(self.names, region)):
            if not isinstance(r, dict) or set(r) != {"name", "given", "box"} or r["name"] != name:
                raise Rejected(f"header: region entry {i} must be {{name: {name}, given, box}}")
            g, b = r["given"], r["box"]
            if isinstance(b, list):
                if not (isinstance(g, list) and len(g) == 2 and len(b) == 2):
                    raise Rejected(f"header: region {name}: given and box must be pairs")
                lo = parse_coordinate(b[0], f"region {name}", strict=True)
                hi = parse_coordinate(b[1], f"region {name}", strict=True)
                if not lo < hi:
                    raise Rejected(f"header: region {name}: empty or degenerate interval")
                if not (_certainly_le(lo, g[0], f"region {name}")
                        and _certainly_ge(hi, g[1], f"region {name}")):
                    raise Rejected(f"header: region {name}: [{b[0]}, {b[1]}] is not proven to "
                                   f"contain [{g[0]}, {g[1]}]")
                self.root.append((lo, hi))
                self.free.append(i)
            else:
                v = parse_coordinate(b, f"region {name}", strict=True)
                if not isinstance(g, str) or parse_rational(g, f"region {name}",
                                                            strict=True) != v:
                    raise Rejected(f"header: region {name}: a fixed value must be given exactly")
                self.root.append((v, v))
        self.doc = d

    def path(self, node: Any) -> tuple[tuple[int, int], ...]:
        if not isinstance(node, str) or len(node) > 100_000:
            raise Rejected("a node name must be a string")
        parts = node.split(".")
        if parts[0] != "R":
            raise Rejected(f"node {node[:60]!r}: must start with R")
        out = []
        for tok in parts[1:]:
            m = _TOKEN.match(tok)
            if not m or m.group(1) not in self.names:
                raise Rejected(f"node {node[:60]!r}: bad token {tok[:20]!r}")
            i = self.names.index(m.group(1))
            if i not in self.free:
                raise Rejected(f"node {node[:60]!r}: bisects the fixed coordinate {m.group(1)}")
            out.append((i, 0 if m.group(2) == "-" else 1))
        return tuple(out)

    def box(self, path: tuple[tuple[int, int], ...]) -> list[tuple[Fraction, Fraction]]:
        box = list(self.root)
        for i, side in path:
            lo, hi = box[i]
            mid = (lo + hi) / 2
            box[i] = (lo, mid) if side == 0 else (mid, hi)
        return box

    def same_box(self, stated: Any, box: list[tuple[Fraction, Fraction]], what: str) -> None:
        """``stated`` (pairs for free, strings for fixed coordinates) equals ``box``."""
        if not isinstance(stated, list) or len(stated) != len(box):
            raise Rejected(f"{what}: needs {len(box)} coordinates")
        for i, (s, (lo, hi)) in enumerate(zip(stated, box)):
            name = self.names[i]
            if i in self.free:
                if not (isinstance(s, list) and len(s) == 2
                        and parse_rational(s[0], f"{what} {name}", strict=True) == lo
                        and parse_rational(s[1], f"{what} {name}", strict=True) == hi):
                    raise Rejected(f"{what}: {name} is not the node's interval [{lo}, {hi}]")
            elif isinstance(s, list) or parse_rational(s, f"{what} {name}", strict=True) != lo:
                raise Rejected(f"{what}: {name} is not the fixed value {lo}")

    def fraction(self, box: list[tuple[Fraction, Fraction]]) -> Fraction:
        q = Fraction(1)
        for i in self.free:
            q *= (box[i][1] - box[i][0]) / (self.root[i][1] - self.root[i][0])
        return q


# -- records ---------------------------------------------------------------------------
def _bounds_ok(b: Any, H: int, what: str, extra: tuple[str, ...] = ()) -> None:
    keys = {"v", "c", "over", *extra}
    if not (isinstance(b, dict) and set(b) == keys and isinstance(b["over"], str)
            and all(isinstance(b[k], list) and len(b[k]) == H for k in ("v", *extra))):
        lists = "".join(f", {k}: [{H} values]" for k in extra)
        raise Rejected(f"{what}: bounds must be {{v: [{H} values], c{lists}, over}}")
    for k in ("v", *extra):
        for j, x in enumerate(b[k]):
            parse_rational(x, f"{what} bounds {k}_{j + 1}", strict=True)
    parse_rational(b["c"], f"{what} bounds c", strict=True)


def _check_leaf(cfg: _Config, rec: dict, path: tuple, where: str) -> tuple[Fraction, tuple]:
    """The leaf's geometry and the consistency of its claim with its argument; returns
    its volume fraction and the work item that re-proves the argument."""
    keys = _LEGACY_LEAF_KEYS if cfg.legacy else _LEAF_KEYS
    if set(rec) - _TIMING != keys:
        raise Rejected(f"{where}: a leaf has exactly the keys {', '.join(sorted(keys))}")
    box = cfg.box(path)
    cfg.same_box(rec["box"], box, f"{where} box")
    frac = cfg.fraction(box)
    if parse_rational(rec["fraction"], f"{where} fraction", strict=True) != frac:
        raise Rejected(f"{where}: fraction {rec['fraction']} is not the box's volume "
                       f"fraction {frac}")
    if rec["status"] not in STATUSES:
        raise Rejected(f"{where}: unknown status")
    if rec["error"] is not None and not (isinstance(rec["error"], str)
                                         and rec["status"] == "failed"):
        raise Rejected(f"{where}: error must be null, or a message on a failed leaf")
    if cfg.legacy:
        return frac, _check_tube(cfg, rec, rec["certificate"], box, where)
    arg = rec["argument"]
    if not isinstance(arg, dict) or arg.get("kind") not in ARGUMENTS:
        raise Rejected(f"{where}: argument must be one of {', '.join(ARGUMENTS)}")
    if arg["kind"] in REGION_ARGUMENTS:
        return frac, _check_cover_leaf(cfg, rec, box, where)
    if set(arg) != _TUBE_KEYS:
        raise Rejected(f"{where}: a tube argument has exactly the keys "
                       f"{', '.join(sorted(_TUBE_KEYS))}")
    if arg["cover_error"] is not None and not isinstance(arg["cover_error"], str):
        raise Rejected(f"{where}: cover_error must be null or a message")
    return frac, _check_tube(cfg, rec, arg["certificate"], box, where)


def _check_tube(cfg: _Config, rec: dict, cert: Any, box: list, where: str) -> tuple:
    """A tube leaf: its certificate speaks about the leaf's box under the header's
    problem and says what the leaf says."""
    _bounds_ok(rec["bounds"], cfg.H, where)
    t = parse_rational(rec["t_reached"], f"{where} t_reached", strict=True)
    if not isinstance(cert, dict):
        raise Rejected(f"{where}: certificate must be an object")
    if cert.get("problem") != cfg.problem_doc:
        raise Rejected(f"{where}: the certificate is for another problem")
    if cert.get("flow") != cfg.flow or cert.get("signs") != cfg.signs:
        raise Rejected(f"{where}: the certificate is for another flow or signs")
    if cert.get("prec") != cfg.prec:
        raise Rejected(f"{where}: the certificate's precision is not the header's")
    if parse_rational(cert.get("horizon"), f"{where} certificate horizon",
                      strict=True) != cfg.horizon:
        raise Rejected(f"{where}: the certificate's horizon is not the header's")
    cfg.same_box(cert.get("initial"), box, f"{where} certificate initial")
    if cert.get("format") == FORMAT_TAYLOR_MODEL and not cfg.taylor_models:
        raise Rejected(f"{where}: a Taylor-model tube in a sweep whose config has no set")
    if (cert.get("status") != rec["status"] or cert.get("bounds") != rec["bounds"]
            or not isinstance(cert.get("t_reached"), str)
            or parse_rational(cert["t_reached"], f"{where} certificate t_reached",
                              strict=True) != t):
        raise Rejected(f"{where}: status, t_reached or bounds differ from its certificate's")
    if not (isinstance(rec["reason"], str) and len(rec["reason"]) <= MAX_NOTE):
        raise Rejected(f"{where}: reason must be a note of at most {MAX_NOTE} characters")
    return (rec["node"], "tube", cert)


def _check_cover_leaf(cfg: _Config, rec: dict, box: list, where: str) -> tuple:
    """A regime-cover leaf claims bounds for all ``t >= 0`` and nothing else; the cover
    itself is re-proven later (:func:`_check_one`) on the recomputed ``box``."""
    if cfg.regimes is not True:
        raise Rejected(f"{where}: a regime-cover leaf in a sweep without region arguments")
    if (rec["status"] != "bounded-forever" or rec["reason"] != "" or rec["error"] is not None
            or rec["t_reached"] is not None):
        raise Rejected(f"{where}: a regime-cover leaf is bounded-forever with an empty "
                       "reason, no error and t_reached null")
    _bounds_ok(rec["bounds"], cfg.H, where, EXTRA_BOUNDS[cfg.flow])
    if rec["bounds"]["over"] != "t >= 0":
        raise Rejected(f"{where}: the bounds of a regime-cover leaf are over t >= 0")
    return (rec["node"], rec["argument"]["kind"], rec["argument"], cfg.problem_doc, cfg.flow,
            cfg.signs, box, rec["bounds"])


def _check_split(cfg: _Config, rec: dict, path: tuple, where: str) -> int:
    if set(rec) - _TIMING != _SPLIT_KEYS:
        raise Rejected(f"{where}: a split has exactly the keys {', '.join(sorted(_SPLIT_KEYS))}")
    cfg.same_box(rec["box"], cfg.box(path), f"{where} box")
    if rec["error"] is not None and not isinstance(rec["error"], str):
        raise Rejected(f"{where}: error must be null or a message")
    if rec["axis"] not in cfg.names or cfg.names.index(rec["axis"]) not in cfg.free:
        raise Rejected(f"{where}: axis must be a free coordinate")
    return cfg.names.index(rec["axis"])


def _coverage(leaves: dict[tuple, str], splits: dict[tuple, int], names: list[str]) -> None:
    """The leaf paths are exactly the leaves of a bisection tree of the root (module
    docstring, item 3); ``splits`` must be its internal nodes."""
    internal: dict[tuple, int] = {}
    for path in leaves:
        for k in range(len(path)):
            pre, axis = path[:k], path[k][0]
            if internal.setdefault(pre, axis) != axis:
                raise Rejected(f"coverage: node {_name(pre, names)} is bisected along two "
                               "different coordinates")
    for pre in internal:
        if pre in leaves:
            raise Rejected(f"coverage: leaf {leaves[pre]} overlaps the leaves below it")
    if not leaves:
        raise Rejected("coverage: no leaves")
    for pre, axis in internal.items():
        for side in (0, 1):
            child = pre + ((axis, side),)
            if child not in leaves and child not in internal:
                raise Rejected(f"coverage: gap: no leaf covers {_name(child, names)}")
    if set(splits) != set(internal):
        extra = sorted(set(splits) ^ set(internal), key=len)[0]
        raise Rejected(f"coverage: the split records do not match the tree at "
                       f"{_name(extra, names)}")
    for pre, axis in splits.items():
        if internal[pre] != axis:
            raise Rejected(f"coverage: split {_name(pre, names)} has another axis than its "
                           "children")


def _name(path: tuple, names: list[str]) -> str:
    return "R" + "".join(f".{names[i]}{'-+'[s]}" for i, s in path)


# -- the summary ------------------------------------------------------------------------
def expected_summary(cfg: _Config, rows: list[dict], fracs: list[Fraction],
                     n_splits: int) -> dict:
    """The summary the leaves imply (exact), built independently of the sweep code."""
    total = {s: Fraction(0) for s in STATUSES}
    count = {s: 0 for s in STATUSES}
    for r, q in zip(rows, fracs):
        total[r["status"]] += q
        count[r["status"]] += 1
    if sum(total.values()) != 1:
        raise Rejected(f"coverage: the leaves' volume fractions add up to "
                       f"{sum(total.values())}, not 1")
    H, T, flow = cfg.H, cfg.horizon, cfg.flow
    ok = [r for r in rows if r["status"] != "failed"]
    fe = [r for r in rows if r["status"] == "bounded-forever"]
    fa = [r for r in rows if r["status"] == "failed"]
    t_min = min((parse_rational(r["t_reached"], "t_reached", strict=True) for r in fa),
                default=None)
    tau = T if t_min is None else min(T, t_min)
    # the whole region for all t >= 0 only when every leaf speaks about all t >= 0
    whole = "t >= 0" if len(fe) == len(rows) and not cfg.legacy else \
        f"0 <= t <= {decimal_text(tau)}"
    st = {
        "horizon": (group(ok, f"0 <= t <= {decimal_text(T)}", 1 - total["failed"], H, flow)
                    if ok else None),
        "forever": group(fe, "t >= 0", total["bounded-forever"], H, flow) if fe else None,
        "failed": None if not fa else {
            **group(fa, f"0 <= t <= {decimal_text(t_min)}", total["failed"], H, flow),
            "t_reached_min": decimal_text(t_min)},
        "region": group(rows, whole, Fraction(1), H, flow),
    }
    out = {"kind": "summary", "region": describe_region(cfg.doc["region"]),
           "horizon": decimal_text(T), "leaves": len(rows), "splits": n_splits,
           "counts": count, "errors": sum(r["error"] is not None for r in rows),
           "fractions": {s: decimal_text(total[s]) for s in STATUSES}, "statements": st}
    if not cfg.legacy:
        out["problem"] = problem_text(cfg.problem_doc)
        out["flow"] = flow_text(flow, H, cfg.signs)
        per = {a: [Fraction(0), 0] for a in ARGUMENTS}
        for r, q in zip(rows, fracs):
            per[r["argument"]["kind"]][0] += q
            per[r["argument"]["kind"]][1] += 1
        out["arguments"] = {a: {"leaves": n, "fraction": decimal_text(q)}
                            for a, (q, n) in per.items()}
    out["text"] = summary_text(out)
    return out


def _diff(a: Any, b: Any, where: str = "summary") -> str:
    """The first place where two JSON values differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{where}.{k}"
            if a[k] != b[k]:
                return _diff(a[k], b[k], f"{where}.{k}")
    return where


# -- arguments ----------------------------------------------------------------------------
@lru_cache(maxsize=4)
def _problem(text: str) -> Any:
    from verifier.problem import Problem

    return Problem.from_dict(json.loads(text))


def _check_cover(item: tuple) -> tuple[bool, str]:
    """Re-prove a regime cover on the recomputed box; the leaf's bounds must dominate
    the cover's (each leaf bound at least the cover's, exactly)."""
    from verifier.checker.regimes import check_region

    _, _, spec, problem_doc, flow, signs, box, bounds = item
    problem = _problem(json.dumps(problem_doc, sort_keys=True))
    why, proven = check_region(problem, flow, signs, box, spec)
    if why is not None:
        return False, f"regime cover: {why}"
    for key, q in proven.items():
        pairs = [(bounds[key], q)] if key == "c" else list(zip(bounds[key], q))
        for stated, want in pairs:
            if parse_rational(stated, f"bounds {key}", strict=True) < want:
                return False, (f"regime cover: the leaf's bound {key} <= {stated} is "
                               f"stronger than the argument's {decimal_text(want)}")
    return True, "verified"


def _check_one(item: tuple, workers: int | None = 1) -> tuple[str, bool, str, int]:
    """Re-prove one leaf's argument: ``(node, ok, message, steps)``."""
    node, kind = item[0], item[1]
    if kind in REGION_ARGUMENTS:
        try:
            ok, msg = _check_cover(item)
        except (LoadError, NumberError) as e:
            ok, msg = False, str(e)
        return node, ok, msg, 0
    r = check_certificate(item[2], workers=workers)
    return node, r.ok, f"certificate: {r.message}", r.steps


def _check_arguments(items: list[tuple], workers: int,
                        progress: Callable[[int, int], None] | None) -> int:
    n = len(items)
    steps = 0
    if workers <= 1 or n <= 1:
        for k, item in enumerate(items):  # one leaf: let its certificate use the cores
            node, ok, msg, st = _check_one(item, workers if n > 1 else None)
            if not ok:
                raise Rejected(f"leaf {node}: {msg}")
            steps += st
            if progress is not None:
                progress(k + 1, n)
        return steps
    # fork is cheap (the checker is already imported) and safe in a single-threaded
    # process; with other threads running (a Dask client, a notebook) use forkserver.
    method = "fork" if threading.active_count() == 1 else "forkserver"
    if method not in multiprocessing.get_all_start_methods():  # pragma: no cover
        method = "spawn"
    ctx = multiprocessing.get_context(method)
    pool = ProcessPoolExecutor(max_workers=min(workers, n), mp_context=ctx)
    try:
        pending = {pool.submit(_check_one, item) for item in items}
        done_count = 0
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                node, ok, msg, st = fut.result()
                if not ok:
                    raise Rejected(f"leaf {node}: {msg}")
                steps += st
                done_count += 1
                if progress is not None:
                    progress(done_count, n)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return steps


# -- entry points -----------------------------------------------------------------------
def check_sweep_records(lines: list[Any], workers: int | None = None,
                        progress: Callable[[int, int], None] | None = None,
                        certificates: bool = True) -> CheckResult:
    """Check parsed sweep lines (module docstring). ``certificates=False`` skips the
    re-verification of the leaf certificates (items 1-4 only)."""
    start = time.perf_counter()
    try:
        steps = _check(lines, workers, progress, certificates)
    except Rejected as e:
        return CheckResult(False, str(e), 0, time.perf_counter() - start)
    except (LoadError, NumberError) as e:
        return CheckResult(False, str(e), 0, time.perf_counter() - start)
    except Exception as e:  # never a traceback from untrusted input
        msg = str(e).splitlines()[0] if str(e) else ""
        return CheckResult(False, f"internal error while checking: {type(e).__name__}: {msg}",
                           0, time.perf_counter() - start)
    return CheckResult(True, "verified", steps, time.perf_counter() - start)


def _check(lines: list[Any], workers: int | None, progress, certificates: bool) -> int:
    if not lines:
        raise Rejected("empty file")
    head = lines[0]
    if not isinstance(head, dict) or head.get("format") != FORMAT or set(head) != _HEADER_KEYS \
            or head.get("kind") != "header":
        raise Rejected(f"line 1: not a {FORMAT} header")
    if _canonical_hash(head["config"]) != head["config_hash"]:
        raise Rejected("header: config_hash is not the SHA-256 of the config")
    cfg = _Config(head["config"])
    if len(lines) < 2 or not isinstance(lines[-1], dict) or lines[-1].get("kind") != "summary":
        raise Rejected("the last line is not a summary: the sweep is incomplete (resume it)")
    leaves: dict[tuple, str] = {}
    splits: dict[tuple, int] = {}
    rows: list[dict] = []
    fracs: list[Fraction] = []
    items: list[tuple] = []
    seen: set[str] = set()
    for k, rec in enumerate(lines[1:-1], start=2):
        where = f"line {k}"
        if not isinstance(rec, dict) or rec.get("kind") not in ("leaf", "split"):
            raise Rejected(f"{where}: expected a leaf or split record")
        path = cfg.path(rec.get("node"))
        node = rec["node"]
        where = f"{rec['kind']} {node}"
        if node in seen:
            raise Rejected(f"{where}: appears twice")
        seen.add(node)
        if rec["kind"] == "leaf":
            frac, item = _check_leaf(cfg, rec, path, where)
            fracs.append(frac)
            items.append(item)
            leaves[path] = node
            rows.append(rec)
        else:
            splits[path] = _check_split(cfg, rec, path, where)
    _coverage(leaves, splits, cfg.names)
    want = expected_summary(cfg, rows, fracs, len(splits))
    if lines[-1] != want:
        raise Rejected(f"summary: {_diff(lines[-1], want)} does not follow from the leaves")
    if not certificates:
        return 0
    items.sort(key=lambda x: x[0])
    return _check_arguments(items, _cores() if workers is None else workers, progress)


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def read_lines(path: str | Path) -> list[Any]:
    """The strictly parsed lines of a sweep file (every line must be complete)."""
    try:
        raw = read_bytes(path, MAX_BYTES, "sweep file")
    except FileError as e:
        raise LoadError(str(e)) from None
    if raw and not raw.endswith(b"\n"):
        raise LoadError("the last line is incomplete: the sweep was interrupted (resume it)")
    out = []
    for k, line in enumerate(raw.split(b"\n")[:-1], start=1):
        try:
            out.append(parse_json(line))
        except LoadError as e:
            raise LoadError(f"line {k}: {e}") from None
    return out


def check_sweep_file(path: str | Path, progress: Callable[[int, int], None] | None = None,
                     workers: int | None = None, certificates: bool = True) -> CheckResult:
    """Load (strictly) and check one sweep file; ``progress(k, n)`` counts leaves."""
    start = time.perf_counter()
    try:
        lines = read_lines(path)
    except LoadError as e:
        return CheckResult(False, str(e), 0, time.perf_counter() - start)
    return check_sweep_records(lines, workers=workers, progress=progress,
                               certificates=certificates)
