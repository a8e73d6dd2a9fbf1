"""The independent checker: re-verifies certificates and sweep files from the file alone.

It reads the file strictly (:mod:`~verifier.checker.load`, :mod:`verifier.arith.numbers`),
bounds its work (:mod:`~verifier.checker.budget`), replays every step
(:mod:`~verifier.checker.replay`), checks a certificate (:mod:`~verifier.checker.check`), a
region argument (:mod:`~verifier.checker.regimes`) and a sweep
(:mod:`~verifier.checker.sweep`). It imports the proof functions (:mod:`verifier.proof`),
the field, the arithmetics, the expressions and the problem, and none of the integrator's
search or control, the producers, the report, the plotting or the simulation
(docs/architecture.md; its trusted base is listed in docs/certificates.md).
"""
