"""ngf-verifier: rigorous enclosures of gradient flows of shallow ReLU networks.

Public API:

* :class:`Problem` -- target, domain, density, width; risk, gradient and
  Hessian in float, mpmath and ball arithmetic for the ``normalized``,
  ``normalized-weights`` and ``standard`` flows;
* :func:`integrate` -- validated enclosures of a flow (a :class:`Tube`);
* :func:`simulate` -- non-rigorous reference trajectories (floats);
* :func:`certify` -- a :class:`Certificate` of explicit bounds (forever or on the
  horizon), and :func:`check` -- its independent re-verification from the file.
"""

from verifier.certificates.certificate import Certificate
from verifier.certificates.certify import certify
from verifier.checker.check import CheckResult, check_certificate, check_file
from verifier.integrate import Tube, integrate
from verifier.problem import Problem, ProblemError
from verifier.simulate import Trajectory, simulate

__version__ = "0.1.0"

check = check_file

__all__ = [
    "Certificate", "CheckResult", "Problem", "ProblemError", "Trajectory", "Tube", "__version__",
    "certify", "check", "check_certificate", "check_file", "integrate", "simulate",
]
