"""What a certificate claims: its status, an enum that compares equal to the file's text.

* ``BOUNDED_FOREVER``: the bounds hold for all ``t >= 0``;
* ``BOUNDED_ON_HORIZON``: the bounds hold for ``0 <= t <= T``;
* ``FAILED``: the enclosure was lost at ``t_reached < T``; the bounds hold on
  ``[0, t_reached]`` only.

``.ok`` is true when a claim up to the horizon (or beyond) was made, as for
:class:`verifier.integrate.IntegrationStatus` (the horizon was reached) and
:class:`verifier.simulate.SimulationStatus` (the simulation reached it). The checker reads
the file's strings and needs no enum (docs/architecture.md).
"""

from __future__ import annotations

from enum import StrEnum


class CertificateStatus(StrEnum):
    """The status of a :class:`verifier.Certificate` (module docstring); ``str(status)`` and
    ``status == "bounded-forever"`` are the file's text."""

    BOUNDED_FOREVER = "bounded-forever"
    BOUNDED_ON_HORIZON = "bounded-on-horizon"
    FAILED = "failed"

    @property
    def ok(self) -> bool:
        """A claim was produced: bounded for all time or on the whole horizon."""
        return self is not CertificateStatus.FAILED

    @property
    def forever(self) -> bool:
        """The bounds hold for all ``t >= 0``."""
        return self is CertificateStatus.BOUNDED_FOREVER
