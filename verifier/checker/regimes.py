"""Re-verify a region leaf closed by a regime cover (``docs/regions.md``).

From the file alone: the cover is parsed strictly (:mod:`verifier.regimes.spec`); its
level is proven ``>= sup L`` over the leaf's box by this checker's branch and bound
(:func:`verifier.regimes.level.prove_level`); every piece, the coverage of the direction
space and the claimed bounds are verified by :class:`verifier.regimes.cover.CoverChecker`
(the proof functions shared with the search; no search code runs here). The leaf's
claimed bounds must dominate the cover's.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from verifier.arith.precision import precision
from verifier.regimes.cover import CoverChecker, CoverError
from verifier.regimes.level import prove_level
from verifier.regimes.prove import PREC
from verifier.regimes.spec import decode


def check_region(problem: Any, flow: str, signs: Any, box: list[tuple[Fraction, Fraction]],
                 spec: Any, prec: int = PREC) -> tuple[str | None, dict[str, Fraction]]:
    """``(None, bounds)`` when the cover is verified (``bounds`` its exact claims), else
    ``(reason, {})``. Never raises on malformed input."""
    try:
        cover = decode(spec, flow)
        why = prove_level(problem, flow, signs, box, cover.level, prec=prec)
        if why is not None:
            return f"level: cannot prove L <= {cover.level} on the box: {why}", {}
        with precision(prec):
            CoverChecker(problem, flow, signs, box).verify(cover)
    except (CoverError, ValueError, ArithmeticError) as e:
        return (str(e).splitlines()[0] if str(e) else type(e).__name__), {}
    except Exception as e:  # a checker rejects what it cannot process
        return f"checker error: {type(e).__name__}: {str(e)[:100]}", {}
    return None, dict(cover.bounds)
