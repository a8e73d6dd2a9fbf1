"""The summary of a sweep: what the leaves prove about the root box ``R``.

Let the leaves ``B_1..B_N`` partition ``R`` (up to shared faces) and let
``vol`` be the volume over the free coordinates, normalized so that ``vol(R) = 1``.
Each leaf proves, for every initial value in ``B_k``, bounds ``|v_j(t)| <= Rv_k[j]``,
``|c(t)| <= Rc_k`` (a regime cover also ``|b_j(t)|`` for ``normalized-weights``,
``|(w_j, b_j)(t)|`` for ``standard``) on its time set ``S_k``: ``t >= 0``
(bounded-forever: a regime cover, or a tube with its infinite-horizon argument),
``[0, T]`` (bounded-on-horizon), ``[0, t_k]``, ``t_k < T`` (failed). Taking maxima
over a group of leaves gives a statement about the union of the group, on the
intersection of their time sets:

* ``horizon``: the non-failed leaves, volume fraction ``1 - f``, on ``[0, T]``;
* ``forever``: the bounded-forever leaves, volume fraction ``q``, for all ``t >= 0``;
* ``failed``: the failed leaves, volume fraction ``f``, on ``[0, t_min]``,
  ``t_min = min_k t_k`` (each failed leaf's own, longer interval is in its record);
* ``region``: all of ``R``, for all ``t >= 0`` when every leaf is bounded-forever,
  else on ``[0, tau]``, ``tau = min(T, t_min)``.

A group states an extra bound (``b``, ``rho``) only when every one of its leaves does.
A group without leaves has the statement ``null``. ``arguments`` counts the leaves and
their volume per argument (``regime-cover``, ``tube``). Every number is exact:
fractions as ``p/q`` or decimal strings, bounds as the maximum of the leaves' decimal
strings. The sentences (``text``) are :func:`verifier.checker.sweep_text.summary_text`;
the last one states the whole region as a theorem.

Files written before region arguments (a config without ``regimes``) keep their
summary: no ``arguments``, ``problem``, ``flow`` fields and the region on ``[0, tau]``.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

from verifier.arith.numbers import decimal_text, parse_rational
from verifier.checker.sweep_text import (
    ARGUMENTS,
    STATUSES,
    flow_text,
    group,
    problem_text,
    summary_text,
)
from verifier.sweep._config import SweepConfig
from verifier.sweep._store import leaf_argument


def summarize(config: SweepConfig, leaves: Iterable[dict], splits: int) -> dict:
    """The summary record of a finished sweep (module docstring)."""
    region, horizon, flow = config.region, config.horizon, config.flow
    width = int(config.problem["width"])
    legacy = config.regimes is None
    rows = sorted(leaves, key=lambda r: r["node"])
    frac = {s: Fraction(0) for s in STATUSES}
    count = {s: 0 for s in STATUSES}
    for r in rows:
        frac[r["status"]] += parse_rational(r["fraction"], "fraction", strict=True)
        count[r["status"]] += 1
    T = decimal_text(horizon)
    ok = [r for r in rows if r["status"] != "failed"]
    fe = [r for r in rows if r["status"] == "bounded-forever"]
    fa = [r for r in rows if r["status"] == "failed"]
    t_min = min((parse_rational(r["t_reached"], "t_reached", strict=True) for r in fa),
                default=None)
    tau = horizon if t_min is None else min(horizon, t_min)
    whole = ("t >= 0" if len(fe) == len(rows) and not legacy
             else f"0 <= t <= {decimal_text(tau)}")
    statements = {
        "horizon": group(ok, f"0 <= t <= {T}", 1 - frac["failed"], width, flow) if ok else None,
        "forever": group(fe, "t >= 0", frac["bounded-forever"], width, flow) if fe else None,
        "failed": None if not fa else {
            **group(fa, f"0 <= t <= {decimal_text(t_min)}", frac["failed"], width, flow),
            "t_reached_min": decimal_text(t_min)},
        "region": group(rows, whole, Fraction(1), width, flow),
    }
    out = {
        "kind": "summary",
        "region": region.describe(),
        "horizon": T,
        "leaves": len(rows),
        "splits": splits,
        "counts": count,
        "errors": sum(r["error"] is not None for r in rows),
        "fractions": {s: decimal_text(frac[s]) for s in STATUSES},
        "statements": statements,
    }
    if not legacy:
        out["problem"] = problem_text(config.problem)
        out["flow"] = flow_text(flow, width, config.signs)
        args = {a: [r for r in rows if leaf_argument(r) == a] for a in ARGUMENTS}
        out["arguments"] = {a: {"leaves": len(rs), "fraction": decimal_text(
            sum((parse_rational(r["fraction"], "fraction", strict=True) for r in rs),
                Fraction(0)))} for a, rs in args.items()}
    out["text"] = summary_text(out)
    return out
