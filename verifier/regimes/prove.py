"""``prove_region``: the level of a box, a regime cover at that level, verified.

Width 1: a regime cover of the box (:mod:`verifier.proof.regimes.cover`). Width ``H >= 2``: the box
must make all neurons but at most one certainly dead; the live one gets a regime cover of the
width-1 problem (:mod:`verifier.proof.regimes.reduction`).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from verifier.arith.numbers import ball
from verifier.proof.regimes.cover import PREC, Cover, CoverError
from verifier.proof.regimes.level import propose_level, prove_level
from verifier.proof.regimes.reduction import (
    EXTRA,
    all_dead_c,
    check_shape,
    dead_neurons,
    reduced,
    start_extent,
    width_one,
)
from verifier.proof.regimes.spec import encode
from verifier.regimes.search import CoverSearch, up

__all__ = ["PREC", "RegionProof", "prove_region"]


@dataclass(frozen=True)
class RegionProof:
    """A verified region argument for a box: for every initial value in the box and all
    ``t >= 0``, ``|v_j(t)| <= bounds["v"][j]``, ``|c(t)| <= bounds["c"]`` (and
    ``|b_j(t)| <= bounds["b"][j]`` for ``normalized-weights``,
    ``|(w_j, b_j)(t)| <= bounds["rho"][j]`` for ``standard``). ``spec`` is its JSON."""

    spec: dict
    bounds: dict[str, Any]
    cover: Cover | None = None


def _cover(problem: Any, flow: str, signs: Any, box: list, prec: int) -> Cover:
    level = propose_level(problem, flow, signs, box, prec=prec)
    why = prove_level(problem, flow, signs, box, level, prec=prec)
    if not why.ok:
        raise CoverError(f"cannot prove the level {level} of the box: {why.reason}")
    cover, _ = CoverSearch(problem, flow, signs, box, level, prec).run()
    return cover


def prove_region(problem: Any, box: list[tuple[Fraction, Fraction]], flow: str = "normalized",
                 signs: Any = None, prec: int = PREC) -> RegionProof:
    """Search and verify a region argument for ``box`` (exact ``(lo, hi)`` per coordinate,
    in the flow's state order); raise :class:`CoverError` with a one-line reason when
    none is found (the box is then *not* closed by these arguments)."""
    box = [(Fraction(lo), Fraction(hi)) for lo, hi in box]
    H = problem.width
    check_shape(flow, H, box)
    extra = EXTRA[flow]
    dead = dead_neurons(problem, flow, signs, box, prec)
    if H == 1 and not dead:
        cover = _cover(problem, flow, signs, box, prec)
        b = cover.bounds
        bounds = {"v": [b["v"]], "c": b["c"], **{k: [b[k]] for k in extra}}
        return RegionProof(encode(cover), bounds, cover)
    alive = [j for j in range(H) if j not in dead]
    if len(alive) > 1:
        raise CoverError(f"{len(alive)} neurons may be alive on the box; region arguments "
                         "for two or more live neurons are not available")
    # the dead neurons keep their initial coordinates
    v = [start_extent(box, (2 * H if flow == "standard" else H) + j) for j in range(H)]
    ext = {k: [Fraction(0)] * H for k in extra}
    for j in dead:
        if flow == "normalized-weights":
            ext["b"][j] = start_extent(box, j)
        if flow == "standard":
            w, bb = box[j], box[H + j]
            ext["rho"][j] = up_sqrt(max(abs(w[0]), abs(w[1])) ** 2
                                    + max(abs(bb[0]), abs(bb[1])) ** 2)
    inner = None
    if alive:
        i = alive[0]
        sub, s1 = reduced(flow, signs, H, box, i)
        cover = _cover(width_one(problem), flow, s1, sub, prec)
        v[i] = cover.bounds["v"]
        c = cover.bounds["c"]
        for k in extra:
            ext[k][i] = cover.bounds[k]
        inner = encode(cover)
    else:
        c = up(all_dead_c(problem, box, prec))
    bounds = {"v": v, "c": c, **ext}
    spec = {"kind": "dead-reduction", "dead": dead, "cover": inner,
            "bounds": {"v": [str(x) for x in v], "c": str(c),
                       **{k: [str(x) for x in ext[k]] for k in extra}}}
    return RegionProof(spec, bounds)


def up_sqrt(q: Fraction) -> Fraction:
    """A short decimal ``>= sqrt(q)``."""
    return up(ball(q).sqrt())
