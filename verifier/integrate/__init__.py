"""Validated integration of the gradient flows in ball arithmetic.

``integrate(problem, initial, horizon, ...) -> Tube`` encloses every
trajectory from a point or a box of initial values (docs/integrator.md):
Picard a priori boxes, Taylor steps of high order with Lagrange remainders,
Lohner QR doubleton sets, rigorous low-order steps across switching surfaces.
"""

from verifier.integrate._status import IntegrationStatus
from verifier.integrate._timemap import integrate
from verifier.integrate._tube import StepRecord, Tube
from verifier.proof.step import StepKind

__all__ = ["IntegrationStatus", "StepKind", "StepRecord", "Tube", "integrate"]
