"""Re-verify a region argument (``docs/regions.md``) from the file alone.

* ``regime-cover`` (width 1): the cover is parsed strictly (:mod:`verifier.proof.regimes.spec`);
  its level is proven ``>= sup L`` over the box by branch and bound
  (:func:`verifier.proof.regimes.level.prove_level`); every piece, the coverage of the direction
  space and the claimed bounds are verified by :class:`verifier.proof.regimes.cover.CoverChecker`
  (proof functions shared with the search; no search code runs here).
* ``dead-reduction``: the listed neurons are proven dead at every point
  of the box, at most one neuron is left, and its ``regime-cover`` of the width-1 problem is
  verified on its coordinates and ``c`` as above; the dead neurons' bounds must dominate
  their initial coordinates (``c``, if no neuron is left: ``max(|c(0)|, |int f p|)``).

The caller passes the box it computed itself (never one read from the file); the claimed
per-neuron bounds returned here must be dominated by the leaf's.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from verifier.arith.numbers import ball
from verifier.arith.precision import precision
from verifier.proof.regimes.cover import PREC, CoverChecker, CoverError
from verifier.proof.regimes.level import prove_level
from verifier.proof.regimes.reduction import (
    EXTRA,
    all_dead_c,
    check_shape,
    dead_neurons,
    reduced,
    start_extent,
    width_one,
)
from verifier.proof.regimes.spec import decode, number


def _check_cover(problem: Any, flow: str, signs: Any, box: list, spec: Any,
                 prec: int) -> dict[str, Fraction]:
    cover = decode(spec, flow)
    why = prove_level(problem, flow, signs, box, cover.level, prec=prec)
    if not why.ok:
        raise CoverError(f"level: cannot prove L <= {cover.level} on the box: {why.reason}")
    with precision(prec):
        CoverChecker(problem, flow, signs, box).verify(cover)
    return dict(cover.bounds)


def _fractions(v: Any, n: int, what: str) -> list[Fraction]:
    if not isinstance(v, list) or len(v) != n:
        raise CoverError(f"{what}: expected {n} numbers")
    return [number(x, what) for x in v]


def _check_reduction(problem: Any, flow: str, signs: Any, box: list, spec: Any,
                     prec: int) -> dict[str, Any]:
    H = problem.width
    extra = EXTRA[flow]
    if not isinstance(spec, dict) or set(spec) != {"kind", "dead", "cover", "bounds"}:
        raise CoverError("a dead reduction has exactly the keys kind, dead, cover, bounds")
    dead = spec["dead"]
    if (not isinstance(dead, list) or any(isinstance(j, bool) or not isinstance(j, int)
                                          or not 0 <= j < H for j in dead)
            or len(set(dead)) != len(dead)):
        raise CoverError("dead must list distinct neuron indices")
    proven = dead_neurons(problem, flow, signs, box, prec)
    if not set(dead) <= set(proven):
        raise CoverError("a listed neuron is not certainly dead on the box")
    alive = [j for j in range(H) if j not in dead]
    if len(alive) > 1:
        raise CoverError("a dead reduction leaves at most one neuron alive")
    b = spec["bounds"]
    if not isinstance(b, dict) or set(b) != {"v", "c", *extra}:
        raise CoverError(f"bounds has exactly the keys {', '.join(sorted({'v', 'c', *extra}))}")
    claim = {"v": _fractions(b["v"], H, "bounds v"), "c": number(b["c"], "bounds c"),
             **{k: _fractions(b[k], H, f"bounds {k}") for k in extra}}
    vpos = 2 * H if flow == "standard" else H
    for j in dead:
        if claim["v"][j] < start_extent(box, vpos + j):
            raise CoverError(f"bound v_{j + 1} is below the dead neuron's initial |v|")
        if flow == "normalized-weights" and claim["b"][j] < start_extent(box, j):
            raise CoverError(f"bound b_{j + 1} is below the dead neuron's initial |b|")
        if flow == "standard":
            r2 = start_extent(box, j) ** 2 + start_extent(box, H + j) ** 2
            if not ball(claim["rho"][j]) ** 2 >= ball(r2):
                raise CoverError(f"bound rho_{j + 1} is below the dead neuron's initial one")
    if alive:
        i = alive[0]
        sub, s1 = reduced(flow, signs, H, box, i)
        inner = _check_cover(width_one(problem), flow, s1, sub, spec["cover"], prec)
        if claim["v"][i] < inner["v"] or claim["c"] < inner["c"]:
            raise CoverError("the bounds are below the live neuron's regime cover")
        for k in extra:
            if claim[k][i] < inner[k]:
                raise CoverError(f"bound {k}_{i + 1} is below the regime cover's")
    else:
        if spec["cover"] is not None:
            raise CoverError("no neuron is alive: the cover must be null")
        if not ball(claim["c"]) >= all_dead_c(problem, box, prec):
            raise CoverError("bound c is below max(|c(0)|, |int f p|)")
    return claim


def check_region(problem: Any, flow: str, signs: Any, box: list[tuple[Fraction, Fraction]],
                 spec: Any, prec: int = PREC) -> tuple[str | None, dict[str, Any]]:
    """``(None, bounds)`` when the region argument is verified (``bounds`` as in
    :class:`verifier.regimes.prove.RegionProof`), else ``(reason, {})``. Never raises."""
    try:
        check_shape(flow, problem.width, box)
        kind = spec.get("kind") if isinstance(spec, dict) else None
        if problem.width == 1 and kind == "regime-cover":
            b = _check_cover(problem, flow, signs, box, spec, prec)
            bounds = {"v": [b["v"]], "c": b["c"], **{k: [b[k]] for k in EXTRA[flow]}}
        elif kind == "dead-reduction":
            bounds = _check_reduction(problem, flow, signs, box, spec, prec)
        else:
            raise CoverError(f"unknown region argument {kind!r} for width {problem.width}")
    except (CoverError, ValueError, ArithmeticError) as e:
        return (str(e).splitlines()[0] if str(e) else type(e).__name__), {}
    except Exception as e:  # a checker rejects what it cannot process
        return f"checker error: {type(e).__name__}: {str(e)[:100]}", {}
    return None, bounds
