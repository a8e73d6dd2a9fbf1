"""Prove whole regions of initial values bounded: adaptive bisection on Dask, resumable.

``sweep(problem, ranges, horizon, out=...)`` covers the exact rational root box of
a region by boxes, closes each by a regime cover (bounded for all time without
integrating, :mod:`verifier.regimes`) or else certifies it with a tube, bisects where
neither closes, and streams every finished box to a JSON-lines file; ``read_sweep``
reads one back.
The claim and the file format are described in :mod:`verifier.sweep._sweep`,
:mod:`verifier.sweep._summary` and :mod:`verifier.sweep._store`; ``verifier check``
re-verifies a sweep file (:mod:`verifier.checker.sweep`).
"""

from verifier.sweep._config import FORMAT, SweepConfig, make_config
from verifier.sweep._notes import energy_leaves, sweep_notes, undecided_leaves
from verifier.sweep._region import Range, Region, parse_range_text, sweep_names
from verifier.sweep._runner import SYNCHRONOUS, default_workers
from verifier.sweep._store import SweepFileError, SweepResult, read_sweep
from verifier.sweep._summary import summarize, summary_text
from verifier.sweep._sweep import run_config, sweep

__all__ = [
    "energy_leaves", "sweep_notes", "undecided_leaves",
    "FORMAT", "SYNCHRONOUS", "Range", "Region", "SweepConfig", "SweepFileError", "SweepResult",
    "default_workers", "make_config", "parse_range_text", "read_sweep",
    "run_config", "summarize", "summary_text", "sweep", "sweep_names",
]
