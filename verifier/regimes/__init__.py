"""Region arguments: prove every trajectory from a box of initial values bounded for all
time, without integrating (``docs/regions.md``).

``prove_region(problem, box, flow=..., signs=...)`` searches a *regime cover* of a
width-1 problem (:mod:`verifier.regimes.cover`), or reduces a wider problem whose other
neurons are dead on the box (:mod:`verifier.regimes.reduction`), and returns it verified,
with its exact bounds and its JSON form; the checker re-proves it from the JSON alone
(:func:`verifier.checker.regimes.check_region`). The proof modules (``geometry``,
``statistics``, ``static``, ``lyapunov``, ``affine``, ``cover``, ``spec``, ``level``,
``reduction``) import nothing of the search (``search``, ``prove``), which this package
loads only on first use of its public names.
"""

from __future__ import annotations

from typing import Any

__all__ = ["RegionProof", "prove_region"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from verifier.regimes import prove

        return getattr(prove, name)
    raise AttributeError(f"module 'verifier.regimes' has no attribute {name!r}")
