"""ngf-verifier: rigorous enclosures of gradient flows of shallow ReLU networks.

Public API:

* :class:`Problem` -- target, domain, density, width; risk, gradient and
  Hessian in float, mpmath and ball arithmetic for the ``normalized``,
  ``normalized-weights`` and ``standard`` flows;
* :func:`integrate` -- validated enclosures of a flow (a :class:`Tube`);
* :func:`simulate` -- non-rigorous reference trajectories (floats);
* :func:`certify` -- a :class:`Certificate` of explicit bounds (forever or on the
  horizon), and :func:`check` -- its independent re-verification from the file (or from
  the :class:`Certificate` object, by the JSON it would save).

Numbers may be what users hold: exact decimal text, ``int``, ``Fraction``, NumPy scalars
and arrays, ``flint.arb``; a float is its exact binary value (``"0.1"`` is one tenth,
``0.1`` is not). Targets and densities are text or SymPy expressions in one real symbol.

The names are loaded on first use, so that importing one part of the package (the
checker, the command line) imports nothing else (docs/architecture.md). This package is
the top layer: it also tells :mod:`verifier.presentation` where the presenters of rich
display and figures live.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

from verifier import presentation as _presentation
from verifier.version import __version__

#: Public name -> (module, attribute).
_PUBLIC = {
    "Certificate": ("verifier.certificates.certificate", "Certificate"),
    "CertificateStatus": ("verifier.certificates.status", "CertificateStatus"),
    "IntegrationStatus": ("verifier.integrate._status", "IntegrationStatus"),
    "SimulationStatus": ("verifier.simulate.trajectory", "SimulationStatus"),
    "CheckResult": ("verifier.checker.check", "CheckResult"),
    "Problem": ("verifier.problem", "Problem"),
    "ProblemError": ("verifier.problem", "ProblemError"),
    "Trajectory": ("verifier.simulate.trajectory", "Trajectory"),
    "Tube": ("verifier.integrate._tube", "Tube"),
    "certify": ("verifier.certificates.certify", "certify"),
    "check": ("verifier.checker.check", "check_file"),
    "check_certificate": ("verifier.checker.check", "check_certificate"),
    "check_file": ("verifier.checker.check", "check_file"),
    "integrate": ("verifier.integrate._timemap", "integrate"),
    "simulate": ("verifier.simulate.solver", "simulate"),
}

__all__ = [
    "Certificate", "CertificateStatus", "CheckResult", "IntegrationStatus", "Problem",
    "ProblemError", "SimulationStatus", "Trajectory", "Tube", "__version__",
    "certify", "check", "check_certificate", "check_file", "integrate", "simulate",
]


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'verifier' has no attribute {name!r}")
    module, attribute = _PUBLIC[name]
    return getattr(importlib.import_module(module), attribute)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def _function(name: str) -> property:
    """``verifier.integrate`` and ``verifier.simulate`` are functions that share their
    names with subpackages: importing a subpackage binds it as an attribute of this
    package, which must not hide the function (the subpackage stays in ``sys.modules``)."""
    return property(lambda self: __getattr__(name), lambda self, value: None)


class _Package(types.ModuleType):
    integrate = _function("integrate")
    simulate = _function("simulate")


sys.modules[__name__].__class__ = _Package


def _load_display() -> None:
    import verifier.report.display  # noqa: F401  (registers the Jupyter presenters)


def _load_figures() -> None:
    import verifier.plotting.trajectory  # noqa: F401  (registers the plot methods)
    import verifier.plotting.tube  # noqa: F401


for _kind, _loader in (("html", _load_display), ("latex", _load_display),
                       ("plot", _load_figures)):
    _presentation.add_loader(_kind, _loader)
