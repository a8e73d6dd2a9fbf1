"""The theorems that the producers and the checker share, evaluated for given witnesses.

Everything here proves a statement from data it is given (a box, a witness, a claimed
constant) in ball arithmetic and searches nothing: the integrator, the certificate
search and the region search propose the data, and the checker re-proves the same
statements from a file with the same functions (so it reproduces the producers' balls
bit for bit). The package holds

* the step theorems: Taylor coefficients and variational equations
  (:mod:`~verifier.proof.coefficients`), Taylor and low-order steps
  (:mod:`~verifier.proof.taylor`), Picard boxes and the Clarke Jacobian
  (:mod:`~verifier.proof.picard`), split steps across a dying surface
  (:mod:`~verifier.proof.split`), what a step proves (:mod:`~verifier.proof.step`) and
  the sets it moves (:mod:`~verifier.proof.sets`, :mod:`~verifier.proof.linalg`);
* what a certificate states besides its steps: the bounds over boxes
  (:mod:`~verifier.proof.bounds`) and the energy tail (:mod:`~verifier.proof.energy`);
* the infinite-horizon trapping arguments, one module per kind with a registry
  (:mod:`verifier.proof.trapping`), and the regime covers of whole boxes
  (:mod:`verifier.proof.regimes`);
* verdicts (:mod:`~verifier.proof.verdict`): ``Proven`` or ``NotProven(reason)``, and the
  one exception ``Rejected`` that carries a failed hypothesis.
"""
