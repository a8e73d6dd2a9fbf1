"""The leaves of a sweep as a pandas DataFrame, for analysis (pandas is an optional extra:
``pip install "ngf-verifier[pandas]"``).

One row per leaf, sorted by node: ``node``, ``status``, ``argument`` (``regime-cover``,
``dead-reduction``, ``tube``), ``energy`` (its bounds after ``t_r`` come from the energy
inequality), ``fraction`` (of the root box's volume), ``t_reached`` (NaN for a regime
cover, which integrates nothing), the box as ``<name>_lo``, ``<name>_hi`` per coordinate
and the bounds ``bound_v1``, ..., ``bound_c`` (and ``bound_b1`` / ``bound_rho1``... when
the leaf states them).

The columns are floats, rounded **outward** from the file's exact numbers: box ends down
and up, bounds up (a bound read from the table is still a bound); ``fraction`` and
``t_reached`` to nearest. The exact texts are in the file (:func:`verifier.sweep.read_sweep`).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from verifier.arith.numbers import parse_rational
from verifier.sweep._leaf import leaf_argument, leaf_certificate


def _exact(text: str) -> Fraction:
    return parse_rational(text, "number", strict=True)


def _down(q: Fraction) -> float:
    x = float(q)
    return math.nextafter(x, -math.inf) if Fraction(x) > q else x


def _up(q: Fraction) -> float:
    x = float(q)
    return math.nextafter(x, math.inf) if Fraction(x) < q else x


def leaf_rows(result: Any) -> list[dict[str, Any]]:
    """The rows of :func:`to_dataframe` as dictionaries (no pandas needed)."""
    names = result.config.region.names
    rows = []
    for node, r in sorted(result.leaves.items()):
        row: dict[str, Any] = {
            "node": node, "status": r["status"], "argument": leaf_argument(r),
            "energy": "tail" in (leaf_certificate(r) or {}),
            "fraction": float(_exact(r["fraction"])),
            "t_reached": math.nan if r["t_reached"] is None else float(_exact(r["t_reached"])),
        }
        for name, entry in zip(names, r["box"]):
            lo, hi = (entry, entry) if isinstance(entry, str) else entry
            row[f"{name}_lo"], row[f"{name}_hi"] = _down(_exact(lo)), _up(_exact(hi))
        for key in ("v", "b", "rho"):
            for j, text in enumerate(r["bounds"].get(key) or [], start=1):
                row[f"bound_{key}{j}"] = _up(_exact(text))
        row["bound_c"] = _up(_exact(r["bounds"]["c"]))
        rows.append(row)
    return rows


def to_dataframe(result: Any) -> Any:
    """A :class:`pandas.DataFrame` of the leaves (module docstring)."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError('to_dataframe needs pandas: pip install "ngf-verifier[pandas]"'
                          ) from None
    return pd.DataFrame(leaf_rows(result))
