"""Region arguments searched: prove every trajectory from a box of initial values bounded
for all time, without integrating (``docs/regions.md``).

``prove_region(problem, box, flow=..., signs=...)`` searches a *regime cover* of a
width-1 problem (:mod:`verifier.regimes.search`), or reduces a wider problem whose other
neurons are dead on the box, and returns it verified, with its exact bounds and its JSON
form. The proof functions it uses, and that the checker uses to re-prove a cover from the
JSON alone (:func:`verifier.checker.regimes.check_region`), are
:mod:`verifier.proof.regimes`.
"""

from verifier.regimes.prove import RegionProof, prove_region

__all__ = ["RegionProof", "prove_region"]
