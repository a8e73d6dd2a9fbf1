"""The closed forms in SymPy: explicit Piecewise forms of the risk and its gradient, LaTeX.

Public API:

* :func:`explicit_regions`, :func:`explicit_forms` -- the risk and its gradient as
  single analytic expressions on each switching region (width <= 2), with the regions'
  conditions simplified exactly by :func:`simplify_conditions`;
* :func:`derive_fragment` -- the closed forms as a LaTeX fragment
  (``verifier derive --latex``), :func:`to_latex`, :func:`coordinate_tex`.

The package runs the field's kernel (:mod:`verifier.field`) in SymPy arithmetic; the
names are loaded on first use (``verifier derive`` and the figures need them, nothing
else does).
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "Region": "explicit", "explicit_forms": "explicit", "explicit_regions": "explicit",
    "simplify_conditions": "explicit", "coordinate_tex": "latex", "derive_fragment": "latex",
    "to_latex": "latex",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'verifier.symbolic' has no attribute {name!r}")
    return getattr(importlib.import_module(f"verifier.symbolic.{_WHERE[name]}"), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
