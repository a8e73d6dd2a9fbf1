"""``prove_region``: the level of a box, a regime cover at that level, verified."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from verifier.regimes.cover import Cover, CoverError
from verifier.regimes.level import propose_level, prove_level
from verifier.regimes.search import CoverSearch
from verifier.regimes.spec import encode

#: Working precision of the region arguments (bits).
PREC = 64


@dataclass(frozen=True)
class RegionProof:
    """A verified regime cover of a box: for every initial value in the box and all
    ``t >= 0``, ``|v(t)| <= bounds["v"]`` and ``|c(t)| <= bounds["c"]`` (and
    ``|b(t)| <= bounds["b"]`` for ``normalized-weights``, ``|(w, b)(t)| <= bounds["rho"]``
    for ``standard``)."""

    cover: Cover
    spec: dict
    bounds: dict[str, Fraction]


def prove_region(problem: Any, box: list[tuple[Fraction, Fraction]], flow: str = "normalized",
                 signs: Any = None, prec: int = PREC) -> RegionProof:
    """Search and verify a regime cover of ``box`` (exact ``(lo, hi)`` per coordinate, in
    the flow's state order); raise :class:`CoverError` with a one-line reason when no
    cover is found (the region is then *not* closed by this argument)."""
    if problem.width != 1:
        raise CoverError("regime covers are implemented for width 1")
    box = [(Fraction(lo), Fraction(hi)) for lo, hi in box]
    level = propose_level(problem, flow, signs, box, prec=prec)
    why = prove_level(problem, flow, signs, box, level, prec=prec)
    if why is not None:
        raise CoverError(f"cannot prove the level {level} of the box: {why}")
    cover, _ = CoverSearch(problem, flow, signs, box, level, prec).run()
    return RegionProof(cover, encode(cover), dict(cover.bounds))
