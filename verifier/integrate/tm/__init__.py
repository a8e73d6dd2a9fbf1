"""The search of Taylor-model steps (docs/taylor-models.md); floats propose.

:mod:`.series` (relaxed time series), :mod:`.float_poly` (truncated float
polynomials), :mod:`.search` (the candidate ``(h, P, J)`` and the next frame
``(c', Q, sigma)``), :mod:`.loop` (a standalone loop inside one analytic piece). What
a step proves, for given witnesses, is in :mod:`verifier.proof.tm`, which the checker
shares.
"""
