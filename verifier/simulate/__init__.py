"""Non-rigorous reference simulation of the gradient flows (floats; never used in proofs)."""

from verifier.simulate.integrate import simulate
from verifier.simulate.trajectory import PiecewiseSolution, Status, Trajectory

__all__ = ["PiecewiseSolution", "Status", "Trajectory", "simulate"]
