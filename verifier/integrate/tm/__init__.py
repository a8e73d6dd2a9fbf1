"""Taylor-model sets and steps (docs/taylor-models.md).

Proof (what a checker recomputes): :mod:`.formula` (the field's piece on a box, in any
arithmetic instance), :mod:`.picard` (the Picard-operator step), :mod:`.taylor_set`
(preconditioned sets and :func:`.taylor_set.move_check`), over the arithmetic of
:mod:`verifier.arith.taylor_model` and :mod:`verifier.arith.timed_model`.

Search (floats propose): :mod:`.series` (relaxed time series), :mod:`.float_poly`,
:mod:`.search` (the candidate ``(h, P, J)`` and the next frame), :mod:`.run` (a
standalone loop inside one analytic piece).
"""
