"""Region arguments: prove every trajectory from a box of initial values bounded for all
time, without integrating (``docs/regions.md``).

``prove_region(problem, box, flow=..., signs=...)`` searches a *regime cover* of a
width-1 problem (:mod:`verifier.regimes.cover`) and returns it verified, with its exact
bounds and its JSON form; the checker re-proves it from the JSON alone
(:func:`verifier.checker.regimes.check_region`).
"""

from verifier.regimes.prove import RegionProof, prove_region

__all__ = ["RegionProof", "prove_region"]
