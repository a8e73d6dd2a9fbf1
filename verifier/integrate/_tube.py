"""The result of a validated integration: a tube of step records.

Every number a claim rests on is a ball (``flint.arb``) or an exact rational
(``fractions.Fraction`` times); the float helpers at the end are for plots and
reports only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, SupportsFloat

import numpy as np
from flint import arb

from verifier.integrate._status import IntegrationStatus
from verifier.presentation import present
from verifier.proof.step import StepKind


@dataclass(frozen=True)
class StepRecord:
    """One step ``[t0, t1]`` of the tube.

    * ``apriori``: a box containing every solution from the initial set for all
      ``t`` in ``[t0, t1]``;
    * ``enclosure``: a box containing every solution from the initial set at ``t1``;
    * ``kind``/``order``: a Taylor step of order ``p`` (inside one analytic piece)
      or a low-order step (valid across switching surfaces);
    * ``set``/``witness``: the set representation at ``t1`` and the witnesses
      (a priori boxes, the flow-Jacobian box) that make the step re-checkable.
    """

    t0: Fraction
    t1: Fraction
    apriori: list[arb]
    enclosure: list[arb]
    kind: StepKind
    order: int
    #: Jacobian order ``q`` of a Taylor step (0 for low-order steps).
    jet_order: int = 0
    #: The set at ``t1`` (a :class:`DoubletonSet` or :class:`BoxSet`), which the next
    #: step starts from.
    set: Any = None
    #: The witnesses of the step's inclusions (:class:`StepData.witness`), so that a
    #: checker re-proves the step without searching.
    witness: dict = field(default_factory=dict)

    @property
    def h(self) -> Fraction:
        return self.t1 - self.t0

    def __repr__(self) -> str:
        return (f"StepRecord(t={float(self.t0):.6g}..{float(self.t1):.6g}, "
                f"{self.kind.value}, order={self.order})")


@dataclass
class Tube:
    """Enclosures of all solutions from an initial set (see :func:`integrate`)."""

    names: list[str]
    flow: str
    prec: int
    order: int
    horizon: Fraction
    initial: list[arb]
    steps: list[StepRecord] = field(default_factory=list)
    #: The set representation of the initial box (the first step starts from it).
    initial_set: Any = None
    signs: tuple[int, ...] | None = None
    status: IntegrationStatus = IntegrationStatus.REACHED
    reason: str = ""
    final: list[arb] = field(default_factory=list)
    t_reached: Fraction = Fraction(0)
    rejected: int = 0
    crossings: list[tuple[float, str]] = field(default_factory=list)

    # -- summary ------------------------------------------------------------------
    @property
    def ok(self) -> bool:
        return self.status is IntegrationStatus.REACHED

    @property
    def message(self) -> str:
        """The status message with its reason."""
        return self.status.value + (f" ({self.reason})" if self.reason else "")

    @property
    def n_steps(self) -> int:
        return len(self.steps)

    @property
    def n_low_order(self) -> int:
        return sum(1 for s in self.steps if s.kind is StepKind.LOW_ORDER)

    @property
    def low_order_share(self) -> float:
        """Fraction of steps that are low-order (switching) steps."""
        return self.n_low_order / self.n_steps if self.steps else 0.0

    def final_widths(self) -> np.ndarray:
        return np.array([float(2 * x.rad()) for x in self.final], dtype=float)

    def max_width(self) -> float:
        w = self.final_widths()
        return float(w.max()) if w.size else 0.0

    def contains(self, point: Iterable[SupportsFloat]) -> bool:
        """Whether the final enclosure contains ``point`` (floats taken exactly)."""
        return all(b.contains(arb(float(p))) for b, p in zip(self.final, point))

    @property
    def set_kind(self) -> str:
        """The set representation: a name of ``SET_TYPES`` (``doubleton``, ``quadratic``,
        ``box``, ``taylor-model``, ...)."""
        from verifier.integrate._sets import SET_TYPES

        return next((name for name, cls in SET_TYPES.items()
                     if type(self.initial_set) is cls), "unknown")

    def summary(self) -> str:
        lines = [
            f"status: {self.message}",
            f"time reached: {float(self.t_reached):.12g} of {float(self.horizon):.12g}",
            f"steps: {self.n_steps} ({self.n_low_order} low-order, "
            f"{100 * self.low_order_share:.1f}%), rejected attempts: {self.rejected}, "
            f"order {self.order}, precision {self.prec} bits, set: {self.set_kind}",
            "final enclosure:",
        ]
        for name, x in zip(self.names, self.final):
            lines.append(f"  {name:>6} = {x.str(radius=True)}   width {float(2 * x.rad()):.3e}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        """One line: status, time span, steps, set and the widest final width (the full
        view is :meth:`summary` and, in Jupyter, :meth:`_repr_html_`)."""
        width = f"{self.max_width():.3g}" if self.final else "n/a"
        return (f"Tube(status={self.status.value!r}, flow={self.flow}, "
                f"t=0..{float(self.t_reached):.6g} of {float(self.horizon):.6g}, "
                f"steps={self.n_steps}, set={self.set_kind}, max width={width})")

    def plot(self, kind: str = "tube", problem: Any = None, reference: Any = None,
             **kwargs: Any) -> Any:
        """A matplotlib Figure of the tube (:func:`verifier.plotting.plot_enclosure`):
        ``kind="tube"`` (every coordinate's band), ``"realization"`` or ``"risk"`` (these
        two need ``problem``); ``reference``: a :class:`verifier.Trajectory` drawn on top."""
        return present(self, "plot", kind, problem=problem, reference=reference, **kwargs)

    def _repr_html_(self) -> str:
        """Jupyter: status and final enclosure (:func:`verifier.report.display.tube_html`)."""
        return present(self, "html")

    def _repr_latex_(self) -> str:
        """Jupyter: the final enclosure (:func:`verifier.report.display.tube_latex`)."""
        return present(self, "latex")

    # -- floats for plotting --------------------------------------------------------
    def times(self) -> np.ndarray:
        """``t1`` of every step (floats)."""
        return np.array([float(s.t1) for s in self.steps], dtype=float)

    def widths(self) -> np.ndarray:
        """Widths of the enclosures at the step ends, shape ``(steps, dim)``."""
        return np.array([[float(2 * x.rad()) for x in s.enclosure] for s in self.steps],
                        dtype=float).reshape(len(self.steps), len(self.names))

    def bounds(self, which: str = "enclosure") -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper float bounds (rounded outward) of the enclosures at the
        step ends (``which="enclosure"``) or of the a priori boxes (``"apriori"``)."""
        rows = [getattr(s, which) for s in self.steps]
        lo = np.array([[_down(x) for x in r] for r in rows], dtype=float)
        hi = np.array([[_up(x) for x in r] for r in rows], dtype=float)
        return lo, hi


def _down(x: arb) -> float:
    v = float(x.lower())
    return float(np.nextafter(v, -np.inf))


def _up(x: arb) -> float:
    v = float(x.upper())
    return float(np.nextafter(v, np.inf))
