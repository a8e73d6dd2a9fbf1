"""A regime cover as JSON (the ``argument`` of a region leaf), and back.

```text
{"kind": "regime-cover",
 "level": "7.62544",                          // >= sup L over the leaf's box
 "pieces": [
   {"kind": "dead", "cells": [["-1.9633789", "-1.7179565"], ...], "c": "3.0947533"},
   {"kind": "lyapunov", "side": 1, "cells": [...], "threshold": "4.7282566",
    "osc": "0.32104772", "entry": "13.540274", "u": "13.552125", "c": "6.2402138"},
   {"kind": "gram", "cells": [...], "u": "13.540273", "c": "7.3466572"},
   {"kind": "affine", "cells": [...], "threshold": "21.652514", "mu": "0.26184878",
    "length": "10.788944", "entry": "21.652515", "u": "32.44146", "c": "38.128955"},
   {"kind": "affine-log", "cells": [["1.015625", null]], "kappa": "0.51280192",
    "b": "16444.647", "u": "8.8339297", "c": "145275.55"}, ...],
 "bounds": {"v": "32.441461", "c": "38.128956"}}   // + "b" (normalized-weights), "rho" (standard)
```

Numbers are exact decimal or ``p/q`` strings (:func:`verifier.arith.numbers.parse_constant`:
length, exponent and magnitude limits); cell ends may be ``null`` (infinite) only where the
cover allows it. Nothing is evaluated.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from verifier.arith.numbers import NumberError, fraction_text, parse_constant
from verifier.proof.regimes.cover import KINDS, NUMBERS, Cover, CoverError, Piece
from verifier.proof.regimes.geometry import Cell

#: At most this many cells in one cover (the checker's work is linear in it).
MAX_CELLS = 20_000
#: The bound keys of each flow.
BOUND_KEYS = {"normalized": {"v", "c"}, "normalized-weights": {"v", "c", "b"},
              "standard": {"v", "c", "rho"}}


def encode(cover: Cover) -> dict:
    pieces = []
    for p in cover.pieces:
        d: dict[str, Any] = {"kind": p.kind}
        if p.kind == "lyapunov":
            d["side"] = p.side
        d["cells"] = [[None if c.lo is None else fraction_text(c.lo),
                       None if c.hi is None else fraction_text(c.hi)] for c in p.cells]
        for k in NUMBERS[p.kind]:
            d[k] = fraction_text(p.numbers[k])
        pieces.append(d)
    return {"kind": "regime-cover", "level": fraction_text(cover.level), "pieces": pieces,
            "bounds": {k: fraction_text(v) for k, v in cover.bounds.items()}}


def number(x: Any, what: str) -> Fraction:
    """An exact number of a cover (:func:`verifier.arith.numbers.parse_constant`)."""
    try:
        return parse_constant(x, what)
    except NumberError as e:
        raise CoverError(str(e)) from None


def decode(d: Any, flow: str) -> Cover:
    """Parse strictly; raise :class:`CoverError` with a one-line reason."""
    if not isinstance(d, dict) or set(d) != {"kind", "level", "pieces", "bounds"}:
        raise CoverError("a regime cover has exactly the keys kind, level, pieces, bounds")
    if d["kind"] != "regime-cover":
        raise CoverError("the argument kind must be regime-cover")
    level = number(d["level"], "level")
    if not isinstance(d["pieces"], list) or not d["pieces"]:
        raise CoverError("pieces must be a non-empty list")
    total = 0
    pieces = []
    for i, pd in enumerate(d["pieces"]):
        if not isinstance(pd, dict) or pd.get("kind") not in KINDS:
            raise CoverError(f"piece {i}: unknown kind")
        kind = pd["kind"]
        keys = {"kind", "cells", *NUMBERS[kind]} | ({"side"} if kind == "lyapunov" else set())
        if set(pd) != keys:
            raise CoverError(f"piece {i} ({kind}) has exactly the keys "
                             f"{', '.join(sorted(keys))}")
        side = 0
        if kind == "lyapunov":
            side = pd["side"]
            if isinstance(side, bool) or side not in (1, -1):
                raise CoverError(f"piece {i}: side must be 1 or -1")
        cells_d = pd["cells"]
        if not isinstance(cells_d, list) or not cells_d:
            raise CoverError(f"piece {i}: cells must be a non-empty list")
        total += len(cells_d)
        if total > MAX_CELLS:
            raise CoverError(f"more than {MAX_CELLS} cells")
        cells = []
        for c in cells_d:
            if not isinstance(c, list) or len(c) != 2:
                raise CoverError(f"piece {i}: a cell is [lo, hi]")
            lo = None if c[0] is None else number(c[0], "cell lo")
            hi = None if c[1] is None else number(c[1], "cell hi")
            cells.append(Cell(lo, hi))
        nums = {k: number(pd[k], f"piece {i} {k}") for k in NUMBERS[kind]}
        pieces.append(Piece(kind, cells, nums, side))
    b = d["bounds"]
    if not isinstance(b, dict) or set(b) != BOUND_KEYS[flow]:
        raise CoverError(f"bounds has exactly the keys {', '.join(sorted(BOUND_KEYS[flow]))}")
    bounds = {k: number(v, f"bounds {k}") for k, v in b.items()}
    return Cover(level, pieces, bounds)
