"""Region arguments proven for a given cover: every trajectory from a box of initial values
bounded for all time, without integrating (``docs/regions.md``).

A *regime cover* of a width-1 problem lists pieces of the neuron's direction coordinate
with one lemma each (:mod:`~verifier.proof.regimes.cover`): the geometry of the neuron
over a cell (:mod:`~verifier.proof.regimes.geometry`), static bounds on a sublevel set
(:mod:`~verifier.proof.regimes.static`), the active piece's statistics
(:mod:`~verifier.proof.regimes.statistics`), a Lyapunov function while the neuron dies
(:mod:`~verifier.proof.regimes.lyapunov`), a Polyak–Łojasiewicz inequality while it is
fully active (:mod:`~verifier.proof.regimes.affine`); the level of the box
(:mod:`~verifier.proof.regimes.level`), the cover's JSON (:mod:`~verifier.proof.regimes.spec`)
and the reduction of a wider problem whose other neurons are dead
(:mod:`~verifier.proof.regimes.reduction`). The search is :mod:`verifier.regimes`; the
checker re-proves a cover from the file with these functions
(:mod:`verifier.checker.regimes`).
"""
