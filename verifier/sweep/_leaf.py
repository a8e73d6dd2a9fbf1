"""What closed a leaf of a sweep file: its argument and, for a tube, its certificate."""

from __future__ import annotations


def leaf_argument(rec: dict) -> str:
    """The argument that closed a leaf: ``"regime-cover"`` or ``"tube"``."""
    arg = rec.get("argument")
    return "tube" if arg is None else arg["kind"]


def leaf_certificate(rec: dict) -> dict | None:
    """The tube certificate of a leaf (``None`` for a regime cover)."""
    if "argument" not in rec:
        return rec["certificate"]
    return rec["argument"].get("certificate")
