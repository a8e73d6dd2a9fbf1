"""Evidence for papers: the curated cases, their manifest, tables, figures, rich display.

Public API:

* :data:`CASES`, :class:`Case`, :class:`SweepCase`, :func:`quick_cases` -- what
  ``proofs_data/`` holds (:mod:`verifier.report.cases`), with the targets of the
  evidence (:data:`TARGETS`) and their short labels (:data:`LABELS`);
* :func:`reproduce` -- rebuild the files and ``manifest.json``;
* :func:`load_manifest`, :func:`verify_manifest` -- read a manifest, check that it
  describes the files beside it (hashes, statuses, bounds, inputs);
* :func:`markdown_table`, :func:`latex_table`, :func:`write_figures`,
  :func:`write_report` -- the ``verifier report`` output; :func:`centre` -- the centre
  of a certificate's initial set (where the report's reference simulations start).
"""

from verifier.report.build import write_report
from verifier.report.cases import (
    CASES,
    LABELS,
    TARGETS,
    Case,
    SweepCase,
    all_cases,
    case_by_name,
    quick_cases,
)
from verifier.report.figures import centre, write_figures
from verifier.report.manifest import load_manifest, sha256_file, verify_manifest
from verifier.report.reproduce import reproduce
from verifier.report.tables import latex_table, markdown_table

__all__ = [
    "CASES", "LABELS", "TARGETS", "Case", "SweepCase", "all_cases", "case_by_name", "centre",
    "latex_table", "load_manifest", "markdown_table", "quick_cases", "reproduce", "sha256_file",
    "verify_manifest", "write_figures", "write_report",
]
