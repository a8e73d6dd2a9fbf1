"""Non-rigorous reference simulation of the gradient flows (floats; never used in proofs)."""

from verifier.simulate.solver import simulate
from verifier.simulate.trajectory import PiecewiseSolution, SimulationStatus, Trajectory

__all__ = ["PiecewiseSolution", "SimulationStatus", "Trajectory", "simulate"]
