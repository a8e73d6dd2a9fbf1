"""The geometry of one neuron over a *cell* of its direction coordinate.

A neuron's realization ``u sigma^+`` with ``sigma(x) = w x + b`` depends on its
*direction* ``(w, b)`` up to a positive factor and on an *amplitude* ``u``:

* ``normalized``: direction coordinate ``theta = phi``, ``(w, b) = (cos phi, sin phi)``,
  amplitude ``u = v``;
* ``normalized-weights``: ``theta = b``, ``(w, b) = (s, b)`` with the frozen sign ``s``,
  amplitude ``u = v``;
* ``standard``: ``(w, b) = rho (cos phi, sin phi)``; ``theta = phi`` (the polar angle),
  amplitude ``u = rho v`` (the risk depends on ``(phi, rho v, c)`` only).

A *cell* is an interval of ``theta`` with exact rational ends; for ``normalized-weights``
an end may be infinite (``None``). This module encloses, over a cell, everything the
regime lemmas (:mod:`~verifier.proof.regimes.static`,
:mod:`~verifier.proof.regimes.lyapunov`, :mod:`~verifier.proof.regimes.affine`) need:
``w`` and ``b`` (for ``standard`` the unit direction), whether the neuron is certainly
dead (``sigma <= 0`` on ``[a, b]``), certainly fully active (``sigma >= 0`` on
``[a, b]``), its *facing* (the certain sign of ``w``) and the length of its active piece.
All answers are *certain* (ball arithmetic); ``False`` means "not proven", never "proven
false". Functions must run inside a precision scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from flint import arb

from verifier.arith.balls import BallArithmetic
from verifier.arith.numbers import ball, hull

FLOWS = ("normalized", "normalized-weights", "standard")


@dataclass(frozen=True)
class Cell:
    """``[lo, hi]`` in the direction coordinate; ``None`` is an infinite end."""

    lo: Fraction | None
    hi: Fraction | None

    @property
    def finite(self) -> bool:
        return self.lo is not None and self.hi is not None

    @property
    def width(self) -> Fraction:
        if not self.finite:
            raise ValueError("an infinite cell has no width")
        return self.hi - self.lo  # type: ignore[operator]


@dataclass(frozen=True)
class Neuron:
    """One neuron of a width-1 problem in one flow (the domain ends as balls)."""

    flow: str
    sign: int  # the frozen weight s of normalized-weights (+1 elsewhere)
    x0: arb  # domain end a
    x1: arb  # domain end b

    @classmethod
    def of(cls, problem: Any, flow: str, signs: Any = None) -> Neuron:
        if flow not in FLOWS:
            raise ValueError(f"unknown flow {flow!r}")
        ar = BallArithmetic()
        s = 1 if not signs else int(signs[0])
        return cls(flow, s, ar.const(problem.domain[0]), ar.const(problem.domain[1]))

    # -- the direction over a cell ---------------------------------------------------
    def direction(self, cell: Cell) -> tuple[arb, arb]:
        """Balls ``(w, b)`` containing the (unit, for ``standard``) direction at every
        ``theta`` of the finite cell."""
        t = hull(cell.lo, cell.hi)  # type: ignore[arg-type]
        if self.flow == "normalized-weights":
            return arb(self.sign), t
        return t.cos(), t.sin()

    def sigma(self, w: arb, b: arb, x: arb) -> arb:
        return w * x + b

    # -- certain classifications --------------------------------------------------------
    def _at_finite_end(self, cell: Cell, which: str) -> tuple[arb, arb]:
        """``(w, b)`` at the finite end of a half-infinite ``normalized-weights`` cell,
        where ``sigma`` (increasing in ``b``) takes its sup (``which = "hi"``) or its inf."""
        q = cell.hi if which == "hi" else cell.lo
        return arb(self.sign), ball(q)  # type: ignore[arg-type]

    def dead(self, cell: Cell) -> bool:
        """Certainly ``sigma(a) <= 0`` and ``sigma(b) <= 0`` on the whole cell."""
        if not cell.finite:
            if self.flow != "normalized-weights" or cell.hi is None:
                return False
            w, b = self._at_finite_end(cell, "hi")
        else:
            w, b = self.direction(cell)
        return (self.sigma(w, b, self.x0).upper() <= 0
                and self.sigma(w, b, self.x1).upper() <= 0)

    def fully_active(self, cell: Cell) -> bool:
        """Certainly ``sigma(a) >= 0`` and ``sigma(b) >= 0`` on the whole cell."""
        if not cell.finite:
            if self.flow != "normalized-weights" or cell.lo is None:
                return False
            w, b = self._at_finite_end(cell, "lo")
        else:
            w, b = self.direction(cell)
        return (self.sigma(w, b, self.x0).lower() >= 0
                and self.sigma(w, b, self.x1).lower() >= 0)

    def facing(self, cell: Cell) -> int | None:
        """+1 (``w > 0``: active right of the kink), -1, or None (undecided)."""
        if not cell.finite:
            return None
        w, _ = self.direction(cell)
        if w > 0:
            return 1
        if w < 0:
            return -1
        return None

    def partial(self, cell: Cell, side: int) -> bool:
        """Facing ``side`` and inactive at the far end of the domain on the whole cell
        (``sigma(a) <= 0`` for ``side = +1``, ``sigma(b) <= 0`` for ``-1``): the active set
        is the piece between the kink and the *dying end* (``b``, resp. ``a``), possibly
        empty."""
        if self.facing(cell) != side:
            return False
        w, b = self.direction(cell)
        far = self.x0 if side == 1 else self.x1
        return self.sigma(w, b, far).upper() <= 0

    def dying_end(self, side: int) -> arb:
        return self.x1 if side == 1 else self.x0

    def active_length(self, cell: Cell, side: int) -> tuple[arb, arb]:
        """Exact ``(eps_lo, eps_hi)`` with ``0 <= eps_lo <= eps <= eps_hi <= b - a`` for the
        length ``eps`` of the active piece at every ``theta`` of a :meth:`partial` cell."""
        w, b = self.direction(cell)
        kink = -b / w
        eps = (self.x1 - kink) if side == 1 else (kink - self.x0)
        span = (self.x1 - self.x0).upper()
        lo = eps.lower()
        hi = eps.upper()
        zero = arb(0)
        lo = zero if not lo > 0 else lo
        hi = span if hi > span else hi
        hi = zero if hi < 0 else hi
        return lo, hi

    def slope_coefficients(self, cell: Cell, side: int) -> tuple[arb, arb]:
        """``(alpha, gamma)`` with ``d sigma / d theta = alpha - gamma s`` at the point of the
        active piece at distance ``s`` from the kink (``x = kink + side * s``):
        ``normalized``/``standard``: ``d sigma/d phi = w - b x = 1/w - side b s``;
        ``normalized-weights``: ``d sigma / d b = 1``."""
        if self.flow == "normalized-weights":
            return arb(1), arb(0)
        w, b = self.direction(cell)
        return 1 / w, side * b
