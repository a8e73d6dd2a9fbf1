"""ngf-verifier: rigorous enclosures of gradient flows of shallow ReLU networks.

Public API:

* :class:`Problem` -- target, domain, density, width; risk, gradient and
  Hessian in float, mpmath and ball arithmetic for the ``normalized``,
  ``normalized-weights`` and ``standard`` flows;
* :func:`integrate` -- validated enclosures of a flow (a :class:`Tube`);
* :func:`simulate` -- non-rigorous reference trajectories (floats).
"""

from verifier.integrate import Tube, integrate
from verifier.problem import Problem, ProblemError
from verifier.simulate import Trajectory, simulate

__version__ = "0.1.0"

__all__ = [
    "Problem", "ProblemError", "Trajectory", "Tube", "__version__", "integrate", "simulate",
]
