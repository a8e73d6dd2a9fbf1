"""Taylor-model steps and sets, for given witnesses (docs/taylor-models.md).

:mod:`.formula` (the field's piece on a box, in any arithmetic instance),
:mod:`.picard` (the Picard-operator step), :mod:`.sets` (preconditioned sets and
:func:`.sets.move_check`), :mod:`.step` (one step of a tube: the Picard check then the
move check), over the arithmetic of :mod:`verifier.arith.taylor_model` and
:mod:`verifier.arith.timed_model`. The integrator searches the witnesses
(:mod:`verifier.integrate.tm`); the checker re-proves them with these functions.
"""
