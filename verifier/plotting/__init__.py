"""Matplotlib figures (floats only, never used in proofs)."""

from verifier.plotting.trajectory import (
    plot_coordinates,
    plot_realization,
    plot_risk,
    plot_trajectory,
)

__all__ = ["plot_coordinates", "plot_realization", "plot_risk", "plot_trajectory"]
