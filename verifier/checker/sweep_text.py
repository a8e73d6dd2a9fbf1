"""The words of a sweep's summary: pure functions of the summary's fields and of the
header's configuration.

The sweep writes its summary with these functions and the checker recomputes it with
them from the leaves, then compares field by field and the text as a whole. Nothing is
decided here: every number that appears in a sentence is a field of the summary, which
the checker recomputes in exact arithmetic (:mod:`verifier.checker.sweep`). The module
lives with the checker so that the checker needs nothing of the sweep's code.
"""

from __future__ import annotations

from fractions import Fraction

from verifier.arith.numbers import (
    coordinate_or_none,
    decimal_text,
    parse_coordinate,
    parse_rational,
)

#: Leaf statuses, in the order of the summary.
STATUSES = ("bounded-forever", "bounded-on-horizon", "failed")
#: The arguments that close a leaf: a regime cover (width 1, no integration), a dead
#: reduction (all neurons but one dead on the box, the last by a regime cover), or a tube
#: certificate.
ARGUMENTS = ("regime-cover", "dead-reduction", "tube")
#: The arguments re-proven by :func:`verifier.checker.regimes.check_region`.
REGION_ARGUMENTS = ("regime-cover", "dead-reduction")
#: Bounds besides ``v`` and ``c`` that a leaf may state, per flow (one value per neuron).
EXTRA_BOUNDS = {"normalized": (), "normalized-weights": ("b",), "standard": ("rho",)}
_FLOW_WORDS = {"normalized": "the normalized gradient flow",
               "normalized-weights": "the normalized-weights gradient flow",
               "standard": "the standard gradient flow"}


def group(rows: list[dict], over: str, fraction: Fraction, H: int, flow: str) -> dict:
    """A statement of the summary about the leaves ``rows``: their volume ``fraction``,
    their count, the time set ``over`` and the largest of each of their bounds (a bound
    besides ``v`` and ``c`` is stated only when every leaf of the group states it)."""
    def top(key: str, j: int | None = None) -> str:
        return decimal_text(max(parse_rational(r["bounds"][key] if j is None
                                               else r["bounds"][key][j], "bounds", strict=True)
                                for r in rows))

    out = {"fraction": decimal_text(fraction), "leaves": len(rows), "over": over,
           "v": [top("v", j) for j in range(H)], "c": top("c")}
    for key in EXTRA_BOUNDS[flow]:
        if all(key in r["bounds"] for r in rows):
            out[key] = [top(key, j) for j in range(H)]
    return out


def describe_region(region: list[dict]) -> str:
    """The root box of a config's ``region`` entries as a statement:
    ``phi1 in [-3.1416, 3.1416] ⊇ [-pi, pi], v1 in [-1, 1], c = 0``."""
    parts = []
    for r in region:
        if not isinstance(r["given"], list):
            parts.append(f"{r['name']} = {decimal_text(parse_coordinate(r['box']))}")
            continue
        lo, hi = parse_coordinate(r["box"][0]), parse_coordinate(r["box"][1])
        box = f"[{decimal_text(lo)}, {decimal_text(hi)}]"
        g0, g1 = r["given"]
        exact = coordinate_or_none(g0) == lo and coordinate_or_none(g1) == hi
        parts.append(f"{r['name']} in {box}" if exact else f"{r['name']} in {box} ⊇ [{g0}, {g1}]")
    return ", ".join(parts)


def problem_text(problem: dict) -> str:
    """``f(x) = x**2 on [0, 1] (uniform density)`` from a problem document."""
    a, b = problem["domain"]
    dens = problem.get("density")
    p = "uniform density" if dens is None else f"input density proportional to {dens}"
    return f"f(x) = {problem['target']} on [{a}, {b}] ({p})"


def flow_text(flow: str, width: int, signs: list[int] | None) -> str:
    """``the normalized gradient flow with one hidden neuron`` (and the frozen weights of
    ``normalized-weights``, default all +1)."""
    neurons = "one hidden neuron" if width == 1 else f"{width} hidden neurons"
    out = f"{_FLOW_WORDS[flow]} with {neurons}"
    if flow == "normalized-weights":
        s = [1] * width if signs is None else list(signs)
        ws = ", ".join(f"w_{j + 1} = {'+1' if x > 0 else '-1'}" for j, x in enumerate(s))
        out += f" (frozen weight{'s' if width > 1 else ''} {ws})"
    return out


def _approx(q: str) -> str:
    return f"{float(parse_rational(q, 'fraction', strict=True)):.4g}"


def _bound_items(g: dict) -> list[str]:
    items = [f"|v_{j + 1}| <= {r}" for j, r in enumerate(g["v"])]
    items.append(f"|c| <= {g['c']}")
    items += [f"|b_{j + 1}| <= {r}" for j, r in enumerate(g.get("b", []))]
    items += [f"|(w_{j + 1}, b_{j + 1})| <= {r}" for j, r in enumerate(g.get("rho", []))]
    return items


def _bounds(g: dict) -> str:
    return ", ".join(_bound_items(g))


def _theorem(s: dict, g: dict) -> str:
    items = _bound_items(g)
    said = ", ".join(items[:-1]) + " and " + items[-1]
    when = "all t >= 0" if g["over"] == "t >= 0" else g["over"]
    return (f"For {s['problem']}, every trajectory of {s['flow']} that starts in "
            f"R = {{{s['region']}}} satisfies {said} for {when}.")


def summary_text(s: dict) -> str:
    """The summary as sentences (a pure function of the summary's fields).

    Summaries written before region arguments existed have no ``arguments`` (nor
    ``problem``, ``flow``) field; their text is kept as it was."""
    st = s["statements"]
    fr = s["fractions"]
    lines = [f"Region R: {s['region']} ({s['leaves']} leaves, {s['splits']} bisections)."]
    lines.append("Volume fractions of R: " + ", ".join(
        f"{k} {fr[k]} (~{_approx(fr[k])})" for k in STATUSES) + ".")
    if "arguments" in s:
        lines.append("Leaves per argument: " + ", ".join(
            f"{k} {a['leaves']} (fraction {a['fraction']})"
            for k, a in s["arguments"].items()) + ".")
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
    if "arguments" in s:
        lines.append(("Theorem. " if g["over"] == "t >= 0" else "Whole region: ")
                     + _theorem(s, g))
    else:
        lines.append(f"Whole region R: {_bounds(g)} for {g['over']}.")
    if s["errors"]:
        lines.append(f"{s['errors']} failed leaves are boxes on which certification raised an "
                     "error (see their records' error field).")
    return "\n".join(lines)
