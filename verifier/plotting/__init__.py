"""Matplotlib figures (floats only, never used in proofs).

Public API:

* reference simulations: :func:`plot_trajectory`, :func:`plot_coordinates`,
  :func:`plot_realization`, :func:`plot_risk`;
* certified tubes (from a :class:`~verifier.Tube`, a :class:`~verifier.Certificate` or
  a certificate document): :func:`plot_enclosure` (behind ``Tube.plot`` and
  ``Certificate.plot``), :func:`plot_tube`, :func:`plot_coordinate_band`,
  :func:`plot_risk_band`, :func:`plot_realization_bands`, and the float bands
  themselves (:class:`Bands`, :func:`as_bands`);
* the normalized and the standard flow side by side: :func:`plot_flow_comparison` and
  its helpers;
* the look: :func:`paper_style` (journal column widths :data:`COLUMN_WIDTH`),
  :func:`save_figure`.
"""

from verifier.plotting.bands import Bands, as_bands
from verifier.plotting.compare import (
    neuron_norms,
    normalized_to_standard,
    parameter_norm,
    plot_flow_comparison,
    simulate_both,
    standard_invariants,
    standard_to_normalized,
)
from verifier.plotting.realization import plot_realization_bands
from verifier.plotting.style import COLUMN_WIDTH, paper_style, save_figure
from verifier.plotting.trajectory import (
    plot_coordinates,
    plot_realization,
    plot_risk,
    plot_trajectory,
)
from verifier.plotting.tube import (
    plot_coordinate_band,
    plot_enclosure,
    plot_risk_band,
    plot_tube,
)

__all__ = [
    "COLUMN_WIDTH", "Bands", "as_bands", "neuron_norms", "normalized_to_standard",
    "paper_style", "parameter_norm", "plot_coordinate_band", "plot_coordinates",
    "plot_enclosure", "plot_flow_comparison", "plot_realization", "plot_realization_bands",
    "plot_risk", "plot_risk_band", "plot_trajectory", "plot_tube", "save_figure",
    "simulate_both", "standard_invariants", "standard_to_normalized",
]
