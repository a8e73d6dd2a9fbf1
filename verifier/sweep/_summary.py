"""The summary of a sweep: what the leaves prove about the root box ``R``.

Let the leaves ``B_1..B_N`` partition ``R`` (up to shared faces) and let
``vol`` be the volume over the free coordinates, normalized so that ``vol(R) = 1``.
Each leaf certificate proves, for every initial value in ``B_k``, bounds
``|v_j(t)| <= Rv_k[j]``, ``|c(t)| <= Rc_k`` on its time set ``S_k``:
``t >= 0`` (bounded-forever), ``[0, T]`` (bounded-on-horizon), ``[0, t_k]``,
``t_k < T`` (failed). Taking maxima over a group of leaves gives a statement about
the union of the group, on the intersection of their time sets:

* ``horizon``: the non-failed leaves, volume fraction ``1 - f``, on ``[0, T]``;
* ``forever``: the bounded-forever leaves, volume fraction ``q``, for all ``t >= 0``;
* ``failed``: the failed leaves, volume fraction ``f``, on ``[0, t_min]``,
  ``t_min = min_k t_k`` (each failed leaf's own, longer interval is in its record);
* ``region``: all of ``R``, on ``[0, tau]``, ``tau = min(T, t_min)``.

A group without leaves has the statement ``null``. Every number is exact: fractions
as ``p/q`` or decimal strings, bounds as the maximum of the leaves' decimal strings.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

from verifier.sweep._region import Region, fraction_text

STATUSES = ("bounded-forever", "bounded-on-horizon", "failed")


def _group(leaves: list[dict], over: str, fraction: Fraction, H: int) -> dict:
    v = [max(Fraction(r["bounds"]["v"][j]) for r in leaves) for j in range(H)]
    c = max(Fraction(r["bounds"]["c"]) for r in leaves)
    return {"fraction": fraction_text(fraction), "leaves": len(leaves), "over": over,
            "v": [fraction_text(x) for x in v], "c": fraction_text(c)}


def summarize(region: Region, horizon: Fraction, width: int, leaves: Iterable[dict],
              splits: int) -> dict:
    """The summary record of a finished sweep (module docstring)."""
    rows = sorted(leaves, key=lambda r: r["node"])
    frac = {s: Fraction(0) for s in STATUSES}
    count = {s: 0 for s in STATUSES}
    for r in rows:
        frac[r["status"]] += Fraction(r["fraction"])
        count[r["status"]] += 1
    T = fraction_text(horizon)
    ok = [r for r in rows if r["status"] != "failed"]
    fe = [r for r in rows if r["status"] == "bounded-forever"]
    fa = [r for r in rows if r["status"] == "failed"]
    t_min = min((Fraction(r["t_reached"]) for r in fa), default=None)
    tau = horizon if t_min is None else min(horizon, t_min)
    statements = {
        "horizon": _group(ok, f"0 <= t <= {T}", 1 - frac["failed"], width) if ok else None,
        "forever": _group(fe, "t >= 0", frac["bounded-forever"], width) if fe else None,
        "failed": None if not fa else {
            **_group(fa, f"0 <= t <= {fraction_text(t_min)}", frac["failed"], width),
            "t_reached_min": fraction_text(t_min)},
        "region": _group(rows, f"0 <= t <= {fraction_text(tau)}", Fraction(1), width),
    }
    out = {
        "kind": "summary",
        "region": region.describe(),
        "horizon": T,
        "leaves": len(rows),
        "splits": splits,
        "counts": count,
        "errors": sum(r["error"] is not None for r in rows),
        "fractions": {s: fraction_text(frac[s]) for s in STATUSES},
        "statements": statements,
    }
    out["text"] = summary_text(out)
    return out


def _approx(q: str) -> str:
    return f"{float(Fraction(q)):.4g}"


def _bounds(g: dict) -> str:
    vs = ", ".join(f"|v_{j + 1}| <= {r}" for j, r in enumerate(g["v"]))
    return f"{vs}, |c| <= {g['c']}"


def summary_text(s: dict) -> str:
    """The summary as sentences (a pure function of the summary's fields)."""
    st = s["statements"]
    fr = s["fractions"]
    lines = [f"Region R: {s['region']} ({s['leaves']} leaves, {s['splits']} bisections)."]
    lines.append("Volume fractions of R: " + ", ".join(
        f"{k} {fr[k]} (~{_approx(fr[k])})" for k in STATUSES) + ".")
    if st["horizon"] is not None:
        g = st["horizon"]
        lines.append(f"For {g['over']}: every trajectory from the non-failed leaves "
                     f"(fraction {g['fraction']}) satisfies {_bounds(g)}.")
    else:
        lines.append(f"No leaf was certified up to T = {s['horizon']}.")
    if st["forever"] is not None:
        g = st["forever"]
        lines.append(f"For all t >= 0: every trajectory from the bounded-forever leaves "
                     f"(fraction {g['fraction']}) satisfies {_bounds(g)}.")
    if st["failed"] is not None:
        g = st["failed"]
        lines.append(f"Failed leaves (fraction {g['fraction']}): bounds hold only up to "
                     f"each leaf's t_reached, at least {g['t_reached_min']}: {_bounds(g)} "
                     f"for {g['over']}.")
    g = st["region"]
    lines.append(f"Whole region R: {_bounds(g)} for {g['over']}.")
    if s["errors"]:
        lines.append(f"{s['errors']} failed leaves are boxes on which certification raised an "
                     "error (see their records' error field).")
    return "\n".join(lines)
