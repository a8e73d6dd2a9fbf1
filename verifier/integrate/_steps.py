"""The step strategies: a Taylor step, a split step, a low-order step.

Each strategy searches the witnesses of one step theorem (:mod:`verifier.proof`) for step
sizes the :class:`~verifier.integrate._controller.Controller` proposes, and returns
:class:`~verifier.integrate._status.Accepted` (a proven step) or
:class:`~verifier.integrate._status.Failed`. :meth:`Stepper.next_step` chooses among them
(each step either proves something or is not taken):

1. At the current set ``X`` (hull ``[X]``, reference point ``xhat``) a Taylor step of
   order ``p`` is tried first (:func:`verifier.proof.taylor.expand`, whose series
   arithmetic refuses, ``NotOnePiece``, when ``[X]`` or the a priori box is not inside one
   analytic piece of the field).
2. When the a priori box straddles a switching surface, the first crossing time ``tau``
   of a switching function along the Taylor polynomial of ``xhat`` is located
   (:mod:`._events`); full-order steps go to ``tau - Delta`` (``Delta`` doubled until the
   box stays in one piece), and once ``tau`` is below the crossing length ``delta`` one
   low-order step of length ``tau + delta / 2`` crosses (``delta``: the low-order step's
   second-order remainder is about the local tolerance). When no surface is crossed by
   the centre, the box reaches a dying surface: a split step (:mod:`._split`).
3. A Taylor-model set takes Picard steps (:mod:`._tm_steps`), which cross and straddle
   surfaces with the generic kernel in Taylor-model arithmetic.
4. When ``[X]`` itself straddles a surface (a set that lies across it, e.g. a kink that
   tends to a domain end without crossing), split or low-order steps are taken, with
   error control, until a Taylor step is possible again (straddle mode).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from flint import arb

from verifier.arith.balls import BallArithmetic
from verifier.arith.numbers import ball
from verifier.arith.series import NotOnePiece
from verifier.integrate._controller import ACCEPT, MAX_ATTEMPTS, Controller, dyadic
from verifier.integrate._enclosure import picard_witness
from verifier.integrate._events import Surfaces
from verifier.integrate._frames import max_width
from verifier.integrate._sets import TaylorModelSet
from verifier.integrate._split import split_attempt
from verifier.integrate._status import Accepted, Attempt, Failed, IntegrationStatus
from verifier.integrate._taylor import (
    flow_jacobian,
    low_order_step,
    point_low_order,
    point_taylor,
    taylor_step,
)
from verifier.integrate._tm_steps import taylor_model_step
from verifier.proof.linalg import all_finite, matvec
from verifier.proof.picard import clarke_jacobian, second_order_enclosure
from verifier.proof.taylor import expand


class Stepper:
    """The step strategies of one integration: the field and its switching surfaces, the
    Taylor order, the inflation floors, and the controller they consult."""

    def __init__(self, problem, flow: str, signs, prec: int, order: int, second_order: bool,
                 controller: Controller) -> None:
        self.problem = problem
        self.flow = flow
        self.field = problem.vector_field(flow=flow, signs=signs)
        self.surfaces = Surfaces(problem, flow, signs)
        self.order = order
        #: Sets with a quadratic part take second-order Taylor steps.
        self.second_order = second_order
        self.eps = arb(2) ** (-prec)
        #: Inflation floor of a priori boxes (a few hundred units in the last place).
        self.floor = arb(2) ** (8 - prec)
        self.control = controller
        self.t = Fraction(0)

    # -- choosing ------------------------------------------------------------------------
    def next_step(self, X, remaining: Fraction) -> Attempt:
        """Propose, prove and return the next step (module docstring)."""
        hull = X.hull()
        xhat = X.centre()
        F, ctl = self.field, self.control
        if not all_finite(F(BallArithmetic(), hull)):
            return Failed("the vector field is unbounded on the enclosure",
                          IntegrationStatus.NOT_FINITE)
        if isinstance(X, TaylorModelSet):
            return taylor_model_step(F, X, self.order, self.t, remaining, ctl)
        tol = ctl.tolerance(xhat)
        if ctl.skip_full_order():  # floats propose: skip hopeless attempts
            return self.split_or_low_order(X, hull, xhat, remaining, tol, True)
        if ctl.splitting and not self.second_order:
            # The last step was a split step: the set is still near a dying surface, where
            # a plain Taylor step's a priori box would straddle it; try the split first.
            # (Second-order sets keep their Taylor steps, which wrap to third order.)
            found = self.split(hull, xhat, remaining, tol, first=True)
            if isinstance(found, Accepted):
                return found
        return self.taylor(X, hull, xhat, remaining, tol)

    def split_or_low_order(self, X, hull, xhat, remaining: Fraction, tol: float,
                           straddling: bool) -> Attempt:
        """A set lying across a surface: a split step if it is a dying surface, else a
        low-order step."""
        found = self.split(hull, xhat, remaining, tol)
        if isinstance(found, Accepted):
            return found
        return self.low_order(X, hull, xhat, remaining, tol, None, "", straddling)

    # -- the strategies --------------------------------------------------------------------
    def taylor(self, X, hull, xhat, remaining: Fraction, tol: float) -> Attempt:
        """A full-order Taylor step (rules 1 and 2 of the module docstring), or the step
        that replaces it near a switching surface."""
        F, ctl = self.field, self.control
        try:
            ex = expand(F, xhat, hull, self.order, ctl.jet_order, self.second_order)
        except NotOnePiece:  # the set itself lies across a switching surface
            return self.split_or_low_order(X, hull, xhat, remaining, tol, True)
        h = ctl.propose_taylor(ex, hull, tol, remaining)
        delta = ctl.crossing_length(ex.centre, tol)
        gap: float | None = None
        for attempt in range(MAX_ATTEMPTS):
            hq = min(dyadic(h), remaining)
            try:
                data = taylor_step(F, ex, ball(hq), self.floor)
            except NotOnePiece:  # the a priori box straddles a switching surface
                ctl.rejected += 1
                cr = self.surfaces.first_crossing(ex.centre, 1.5 * float(hq))
                if cr is None:
                    # No surface crossed by the centre: the box reaches a dying surface.
                    found = self.split(hull, xhat, remaining, tol)
                    if isinstance(found, Accepted):
                        return found
                    h = 0.5 * float(hq)
                    if h < delta or ctl.straddle:
                        return self.low_order(X, hull, xhat, remaining, tol, None, "",
                                              ctl.straddle)
                    continue
                tau = float(cr.time)
                if tau <= delta:
                    return self.low_order(X, hull, xhat, remaining, tol, tau + 0.5 * delta,
                                          cr.label)
                gap = 0.5 * delta if gap is None else 2.0 * gap
                h = tau - gap if gap < 0.5 * tau else 0.5 * tau
                continue
            if data is None:  # a priori inclusion not verified: too long a step
                h = ctl.reject_apriori(hq)
                continue
            if data.remainder > ACCEPT * tol:
                h = ctl.reject_remainder(hq, data, tol)
                continue
            ctl.accept_taylor(attempt == 0, hq, data, hull, tol)
            return Accepted(data, hq)
        return Failed(f"no Taylor step validated at t = {float(self.t):.6g}")

    def split(self, hull, xhat, remaining: Fraction, tol: float, first: bool = False
              ) -> Attempt:
        """A full-order split step across a dying surface (:mod:`._split`). No split
        (skipped after a failed attempt, or not found) fails with status None: another
        strategy follows."""
        ctl = self.control
        if ctl.skip_split():
            return Failed("split attempts are backing off", None)
        found = split_attempt(self.field, xhat, hull, self.order, ctl.jet_order, remaining,
                              tol, self.floor, ctl.split_hint(), accept=ACCEPT,
                              shorten=lambda ex, h: ctl.wrap(ex, hull, h, tol))
        if found is None:
            ctl.reject_split(first)
            return Failed("no split step", None)
        data, hq = found
        ctl.accept_split(data, hq, hull, tol)
        return Accepted(data, hq)

    def low_order(self, X, hull, xhat, remaining: Fraction, tol: float, length: float | None,
                  label: str, straddling: bool = False) -> Attempt:
        """A step valid across switching surfaces (:func:`._taylor.low_order_step`).

        ``length`` forces the step length (a crossing); otherwise the controller proposes
        it so that the reference point's local error stays below its allowed error.
        ``straddling`` (the hull itself lies across a surface) enters or continues
        straddle mode, in which the point's full-order attempt is skipped once it failed.
        """
        F, ctl = self.field, self.control
        width = max_width(hull)

        def clarke() -> float:
            FX, JX = clarke_jacobian(F, hull)
            return max(float(abs(v).upper()) for v in matvec(JX, FX))

        h = ctl.propose_low_order(length, clarke, tol, remaining)
        for _ in range(MAX_ATTEMPTS):
            hq = min(dyadic(h), remaining)
            harb = ball(hq)
            allowed = ctl.allowed_error(hq, tol, width)
            found = picard_witness(F, hull, harb, self.eps)
            if found is None:
                h = ctl.reject_halve(hq)
                continue
            E, picard = found
            E, JE = second_order_enclosure(F, hull, harb, E)
            point, order = None, 1
            if not (straddling and ctl.point_straddles):
                try:
                    pt = point_taylor(F, xhat, harb, self.order, self.floor)
                    if pt is not None and pt[1] <= allowed:
                        point, order = pt, self.order
                except NotOnePiece:
                    ctl.point_straddles = straddling
            if point is None:
                pt = point_low_order(F, xhat, harb, self.eps)
                if pt is None:
                    h = ctl.reject_halve(hq)
                    continue
                if pt[1] > allowed:
                    h = ctl.reject_point_error(hq, pt[1], allowed)
                    continue
                point = pt
            found_J = flow_jacobian(F, E, harb, self.floor, JE)
            if found_J is None:
                h = ctl.reject_halve(hq)
                continue
            J, W = found_J
            if length is None:
                ctl.accept_low_order(hq, point[1], allowed, straddling)
            else:
                ctl.crossings.append((float(self.t), label))
            return Accepted(low_order_step(F, point, J, harb, E, order,
                                           {"picard": picard, "W": W}), hq)
        return Failed(f"no low-order step validated at t = {float(self.t):.6g}")

    # -- checks ----------------------------------------------------------------------------
    def singular(self, hull: Sequence[arb]) -> str | None:
        """Standard flow: a neuron whose ``(w_j, b_j)`` enclosure contains the origin."""
        if self.flow != "standard":
            return None
        H = self.problem.width
        for j in range(H):
            if hull[j].contains(0) and hull[H + j].contains(0):
                return f"(w_{j + 1}, b_{j + 1}) may be 0 at t = {float(self.t):.6g}"
        return None
