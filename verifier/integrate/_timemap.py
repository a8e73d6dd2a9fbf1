"""The time map: the loop over steps, step control and switching surfaces.

Rules of the loop (each step either proves something or is not taken):

1. At the current set ``X`` (hull ``[X]``, reference point ``xhat``) a Taylor
   step of order ``p`` is tried first: a Picard a priori box ``E`` for a
   proposed ``h`` (:mod:`._enclosure`), then the Taylor step data
   (:mod:`._taylor`), whose series arithmetic refuses (``NotOnePiece``) when
   ``[X]`` or ``E`` is not inside one analytic piece of the field.
2. When ``E`` straddles a switching surface, the first crossing time ``tau``
   of a switching function along the Taylor polynomial of ``xhat`` is located
   (:mod:`._events`); full-order steps go to ``tau - Delta`` (``Delta`` doubled
   until ``E`` stays in one piece), and once ``tau`` is below the crossing
   length ``delta`` one low-order step of length ``tau + delta / 2`` crosses.
   ``delta`` is chosen so that the low-order step's second-order remainder is
   of the order of the local tolerance.
3. When ``[X]`` itself straddles a surface (a set that lies across it, e.g. a
   kink that tends to a domain end without crossing), low-order steps are
   taken, with error control, until a Taylor step is possible again.
4. A step is accepted when its remainder is below a multiple of the local
   tolerance ``2^-prec max(1, |xhat|)``; the set then moves (:mod:`._sets`).
   The Jacobian order ``q`` of the next steps (Taylor and split) is raised while the
   tail bounded over the hull (``O(width h^(q+1))``) exceeds the tolerance or
   ``TAIL_RELATIVE`` of the set's width, and lowered when it is far below.
5. A wide set's Taylor step is also shortened while its Jacobian's orders ``k >= 2``,
   bounded over the hull, would add more than ``WRAP_SLACK`` of the first order's
   wrapping error (:func:`._controller.wrapping_step`): ball evaluation over the
   hull makes them grow geometrically, so the long steps of high orders would lose
   the set. Likewise while the orders ``k >= 2`` of the reference point's image add
   more than ``HEAD_SLACK`` times the radius its first order adds
   (:func:`._controller.head_rates`: where the field's formula cancels, the point's
   coefficients carry radii far above rounding). A dying neuron's surface is crossed
   by split steps (:mod:`._split`), under the same control; after one, the next step
   tries a split first.
6. Failure is explicit (:class:`Status`): a non-finite bound, a width beyond
   ``width_limit``, no step validated after many attempts, the standard flow
   touching ``(w_j, b_j) = 0``, or the step budget.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

from flint import arb, fmpq

from verifier.arith.balls import BallArithmetic
from verifier.arith.numbers import parse_horizon
from verifier.arith.precision import check_prec, precision
from verifier.arith.series import NotOnePiece
from verifier.expr.values import parse_initial
from verifier.field import flows
from verifier.integrate._controller import (
    default_order,
    dyadic,
    head_rates,
    propose_step,
    tolerance,
    wrapping_rates,
    wrapping_step,
)
from verifier.integrate._enclosure import picard_witness
from verifier.integrate._events import Surfaces
from verifier.integrate._frames import max_width
from verifier.integrate._sets import SET_TYPES
from verifier.integrate._split import split_attempt
from verifier.integrate._status import Status
from verifier.integrate._taylor import (
    flow_jacobian,
    low_order_step,
    point_low_order,
    point_taylor,
    taylor_step,
)
from verifier.integrate._tube import StepRecord, Tube
from verifier.proof.linalg import all_finite, matvec
from verifier.proof.picard import clarke_jacobian, second_order_enclosure
from verifier.proof.step import StepData
from verifier.proof.taylor import expand

#: Attempts (shrinking the step) before giving up on one step.
MAX_ATTEMPTS = 60
#: Full-order steps are accepted when the remainder radius is below this many tolerances.
#: (The remainder is the radius of ``y_{p+1}(G) h^(p+1)``: with tight enclosures of
#: ``y_{p+1}`` steps come close to this bound, and 3 keeps the width gained per unit
#: time at what looser enclosures gave with 4.)
ACCEPT = 3.0
#: Taylor steps: the tail bounded over the hull should add at most this much width,
#: relative to the set's width (else the Jacobian order is raised).
TAIL_RELATIVE = 1e-6
#: Low-order steps on a set that straddles a surface may add this much local error
#: per unit time, relative to the set's width.
STRADDLE_RELATIVE = 1e-3
#: Taylor steps on a wide set: the Jacobian's orders ``k >= 2`` may add at most this
#: fraction of the first order's wrapping error (:func:`wrapping_step`).
WRAP_SLACK = 0.1
#: ... unless their error per unit time is below this fraction of the set's width.
WRAP_RELATIVE = 1e-3
#: The orders ``k >= 2`` of the reference point's image may add at most this multiple of
#: the radius its first order adds (:func:`head_rates`).
HEAD_SLACK = 16.0
#: ``set_type="auto"``: initial boxes at least this wide get a quadratic part. The
#: doubleton's second-order wrapping error (``~ |D^2 F| width^2`` per unit time) is
#: negligible below it, and second-order steps cost about twice as much.
QUADRATIC_WIDTH = 1e-5


def _exact(h: Fraction) -> arb:
    return arb(fmpq(h.numerator, h.denominator))


class _Run:
    """State of one integration (the books; the mathematics is in the step modules)."""

    def __init__(self, problem, flow: str, signs, prec: int, order: int, set_type: str,
                 width_limit: float, max_steps: int,
                 progress: Callable[[float], None] | None) -> None:
        self.problem = problem
        self.flow = flow
        self.field = problem.vector_field(flow=flow, signs=signs)
        self.surfaces = Surfaces(problem, flow, signs)
        self.prec = prec
        self.order = order
        self.set_cls = SET_TYPES[set_type]
        #: Sets with a quadratic part take second-order Taylor steps (:class:`QuadraticSet`).
        self.second_order = set_type == "quadratic"
        self.width_limit = width_limit
        self.max_steps = max_steps
        self.progress = progress
        self.eps = arb(2) ** (-prec)
        #: Inflation floor of a priori boxes (a few hundred units in the last place).
        self.floor = arb(2) ** (8 - prec)
        self.h_full: float | None = None
        #: Jacobian order ``q`` of Taylor steps (:func:`expand`), adapted so that the tail
        #: bounded over the hull (width ``O(width h^(q+1))``) stays below the tolerance.
        self.jet_order = max(2, (order + 1) // 2)
        self.h_low: float | None = None
        self.h_split: float | None = None
        #: Whether the last split attempt succeeded (the next step tries a split first).
        self.splitting = False
        #: Backoff of split attempts after a failed one (see :meth:`split`).
        self.split_skip = 0
        self.split_backoff = 1
        #: Learned factor between the coefficient-based proposal and accepted steps.
        self.safety = 1.0
        self.rejected = 0
        self.crossings: list[tuple[float, str]] = []
        self.t = Fraction(0)
        #: Straddle mode (a set lying across a switching surface, rule 3): full-order
        #: attempts are retried only every ``retry_in`` steps, with exponential backoff.
        self.straddle = False
        self.retry_in = 0
        self.backoff = 1
        #: In straddle mode, whether the reference point's own full-order step failed.
        self.point_straddles = False

    # -- one step --------------------------------------------------------------------
    def step(self, X, remaining: Fraction) -> tuple[StepData, Fraction] | tuple[Status, str]:
        """Propose, prove and return the next step (or a failure status)."""
        hull = X.hull()
        xhat = X.centre()
        F = self.field
        if not all_finite(F(BallArithmetic(), hull)):
            return Status.NOT_FINITE, "the vector field is unbounded on the enclosure"
        scale = max(abs(float(x)) for x in xhat)
        tol = tolerance(self.prec, scale)
        if self.straddle and self.retry_in > 0:  # floats propose: skip hopeless attempts
            self.retry_in -= 1
            return self.split_or_low_order(X, hull, xhat, remaining, tol, True)
        if self.splitting and not self.second_order:
            # The last step was a split step: the set is still near a dying surface, where
            # a plain Taylor step's a priori box would straddle it; try the split first.
            # (Second-order sets keep their Taylor steps, which wrap to third order.)
            found = self.split(hull, xhat, remaining, tol, first=True)
            if found is not None:
                return found
        try:
            ex = expand(F, xhat, hull, self.order, self.jet_order, self.second_order)
        except NotOnePiece:  # the set itself lies across a switching surface
            return self.split_or_low_order(X, hull, xhat, remaining, tol, True)
        h = self.safety * propose_step(ex.centre, self.order, tol)
        if self.h_full is not None:
            h = min(h, 4.0 * self.h_full)
        h = min(self.wrap(ex, hull, h, tol), float(remaining))
        delta = self.crossing_length(ex.centre, tol)
        gap: float | None = None
        for attempt in range(MAX_ATTEMPTS):
            hq = min(dyadic(h), remaining)
            try:
                data = taylor_step(F, ex, _exact(hq), self.floor)
            except NotOnePiece:  # the a priori box straddles a switching surface
                self.rejected += 1
                cr = self.surfaces.first_crossing(ex.centre, 1.5 * float(hq))
                if cr is None:
                    # No surface crossed by the centre: the box reaches a dying surface.
                    split = self.split(hull, xhat, remaining, tol)
                    if split is not None:
                        return split
                    h = 0.5 * float(hq)
                    if h < delta or self.straddle:
                        return self.low_order(X, hull, xhat, remaining, tol, None, "",
                                              self.straddle)
                    continue
                tau = float(cr.time)
                if tau <= delta:
                    return self.low_order(X, hull, xhat, remaining, tol, tau + 0.5 * delta,
                                          cr.label)
                gap = 0.5 * delta if gap is None else 2.0 * gap
                h = tau - gap if gap < 0.5 * tau else 0.5 * tau
                continue
            if data is None:  # a priori inclusion not verified: too long a step
                self.rejected += 1
                self.safety = max(1e-3, 0.7 * self.safety)
                h = 0.7 * float(hq)
                continue
            if data.remainder > ACCEPT * tol:
                self.rejected += 1
                shrink = 0.9 * (tol / data.remainder) ** (1.0 / (self.order + 1))
                self.safety = max(1e-3, self.safety * shrink)
                h = float(hq) * shrink
                continue
            if attempt == 0:
                self.safety = min(1.0, self.safety * 1.1)
            self.h_full = float(hq)
            self.adapt_jet_order(data, hull, tol)
            self.straddle, self.backoff, self.retry_in = False, 1, 0
            self.point_straddles = False
            return data, hq
        return Status.STEP_UNDERFLOW, f"no Taylor step validated at t = {float(self.t):.6g}"

    def wrap(self, ex, hull, h: float, tol: float) -> float:
        """The step ``<= h`` allowed by the wrapping control and by the radius of the
        reference point's image (rule 5)."""
        h = wrapping_step(wrapping_rates(ex, hull), h, tol, WRAP_SLACK,
                          WRAP_RELATIVE * max_width(hull))
        return wrapping_step(head_rates(ex), h, ACCEPT * tol, HEAD_SLACK)

    def adapt_jet_order(self, data: StepData, hull, tol: float) -> None:
        """Floats propose: wrapping needs the tail far below the set's width (rule 4)."""
        tail_tol = max(tol, TAIL_RELATIVE * max_width(hull))
        if data.tail > tail_tol:
            self.jet_order = min(self.order, self.jet_order + 2)
        elif data.tail < 1e-2 * tail_tol:
            self.jet_order = max((self.order + 1) // 2, self.jet_order - 1)

    def split(self, hull, xhat, remaining: Fraction, tol: float, first: bool = False
              ) -> tuple[StepData, Fraction] | None:
        """A full-order split step across a dying surface (:mod:`._split`), or ``None``.

        After a failed attempt (the set lies across some other surface) the next
        attempts are skipped with exponential backoff, as full-order retries are in
        straddle mode: a failed search costs several expansions per neuron. A failed
        ``first`` attempt (tried before the plain step because the last step split)
        only ends the run of split steps."""
        if self.split_skip > 0:
            self.split_skip -= 1
            return None
        found = split_attempt(self.field, xhat, hull, self.order, self.jet_order, remaining,
                              tol, self.floor,
                              self.h_split or (self.h_full and 4.0 * self.h_full),
                              accept=ACCEPT,
                              shorten=lambda ex, h: self.wrap(ex, hull, h, tol))
        if found is None:
            self.splitting = False
            if first:
                return None
            self.split_skip = self.split_backoff
            self.split_backoff = min(2 * self.split_backoff, 64)
            return None
        self.split_backoff = 1
        self.adapt_jet_order(found[0], hull, tol)
        # Next proposal from this step's remainder (~ h^(p+1)), as for Taylor steps.
        grow = 0.9 * (tol / max(found[0].remainder, 1e-300)) ** (1.0 / (self.order + 1))
        self.h_split = float(found[1]) * min(1.5, max(0.5, grow))
        self.splitting = True
        self.straddle, self.backoff, self.retry_in = False, 1, 0
        return found

    def split_or_low_order(self, X, hull, xhat, remaining: Fraction, tol: float,
                           straddling: bool):
        """A set lying across a surface: a split step if it is a dying surface, else a
        low-order step."""
        found = self.split(hull, xhat, remaining, tol)
        if found is not None:
            return found
        return self.low_order(X, hull, xhat, remaining, tol, None, "", straddling)

    def crossing_length(self, centre, tol: float) -> float:
        """Length of a low-order crossing step: second-order term about ``tol``."""
        m = max(abs(float(cs[2].mid())) for cs in centre) if self.order >= 2 else 0.0
        m = max(m, 1e-3)
        return math.sqrt(tol / m)

    def low_order(self, X, hull, xhat, remaining: Fraction, tol: float, length: float | None,
                  label: str, straddling: bool = False,
                  ) -> tuple[StepData, Fraction] | tuple[Status, str]:
        """A step valid across switching surfaces (:func:`low_order_step`).

        ``length`` forces the step length (a crossing); otherwise the length is
        controlled so that the reference point's local error stays below
        ``max(tol, STRADDLE_RELATIVE * h * width)``: once a set straddles a surface,
        errors far below its width buy nothing. ``straddling`` (the hull itself lies
        across a surface) enters or continues straddle mode: full-order attempts are then
        retried with exponential backoff, and the point's full-order attempt is skipped
        once it failed.
        """
        F = self.field
        width = max_width(hull)
        if length is not None:
            h = length
        elif self.h_low is not None:
            h = self.h_low
        else:
            FX, JX = clarke_jacobian(F, hull)
            m = max(float(abs(v).upper()) for v in matvec(JX, FX))
            h = math.sqrt(2.0 * ACCEPT * tol / max(m, 1e-300))
        if not (math.isfinite(h) and h > 0):
            h = 1e-3
        h = min(h, float(remaining))
        for _ in range(MAX_ATTEMPTS):
            hq = min(dyadic(h), remaining)
            harb = _exact(hq)
            allowed = max(ACCEPT * tol, STRADDLE_RELATIVE * float(hq) * width)
            found = picard_witness(F, hull, harb, self.eps)
            if found is None:
                self.rejected += 1
                h = 0.5 * float(hq)
                continue
            E, picard = found
            E, JE = second_order_enclosure(F, hull, harb, E)
            point, order = None, 1
            if not (straddling and self.point_straddles):
                try:
                    pt = point_taylor(F, xhat, harb, self.order, self.floor)
                    if pt is not None and pt[1] <= allowed:
                        point, order = pt, self.order
                except NotOnePiece:
                    self.point_straddles = straddling
            if point is None:
                pt = point_low_order(F, xhat, harb, self.eps)
                if pt is None:
                    self.rejected += 1
                    h = 0.5 * float(hq)
                    continue
                if pt[1] > allowed:
                    self.rejected += 1
                    # an infinite error estimate (a wide box) only halves the step
                    ratio = allowed / pt[1]
                    h = float(hq) * (0.9 * math.sqrt(ratio) if ratio > 0 else 0.5)
                    continue
                point = pt
            found_J = flow_jacobian(F, E, harb, self.floor, JE)
            if found_J is None:
                self.rejected += 1
                h = 0.5 * float(hq)
                continue
            J, W = found_J
            if length is None:
                # Next proposal from this step's error (second order: error ~ h^2).
                grow = 0.9 * math.sqrt(allowed / max(point[1], 1e-300))
                self.h_low = float(hq) * min(2.0, max(0.5, grow))
                if straddling:
                    if not self.straddle:
                        self.straddle, self.backoff = True, 1
                    elif self.retry_in == 0:  # a full-order retry just failed: back off
                        self.backoff = min(2 * self.backoff, 64)
                    if self.retry_in == 0:
                        self.retry_in = self.backoff
            else:
                self.crossings.append((float(self.t), label))
            return low_order_step(F, point, J, harb, E, order,
                                  {"picard": picard, "W": W}), hq
        return Status.STEP_UNDERFLOW, f"no low-order step validated at t = {float(self.t):.6g}"

    # -- checks ------------------------------------------------------------------------
    def singular(self, hull: Sequence[arb]) -> str | None:
        """Standard flow: a neuron whose ``(w_j, b_j)`` enclosure contains the origin."""
        if self.flow != "standard":
            return None
        H = self.problem.width
        for j in range(H):
            if hull[j].contains(0) and hull[H + j].contains(0):
                return f"(w_{j + 1}, b_{j + 1}) may be 0 at t = {float(self.t):.6g}"
        return None


def integrate(
    problem,
    initial: Any,
    horizon: Any,
    flow: str = "normalized",
    signs: Sequence[int] | None = None,
    prec: int = 53,
    order: int | None = None,
    *,
    set_type: str = "auto",
    width_limit: float = 10.0,
    max_steps: int = 200_000,
    progress: Callable[[float], None] | None = None,
) -> Tube:
    """Enclose every gradient-flow trajectory from ``initial`` on ``[0, horizon]``.

    **What is proven.** For every initial value ``x0`` in the initial set
    (a point, possibly given by exact decimals, or a box), the solution of
    ``x' = F(x)``, ``F = -grad L`` of ``problem`` in the coordinates of ``flow``
    (docs/design.md, section 1), exists on ``[0, t_reached]`` and, for every step record,
    lies in ``apriori`` for all ``t`` in ``[t0, t1]`` and in ``enclosure`` at ``t1``;
    ``tube.final`` encloses it at ``t_reached`` (``= horizon`` when
    ``tube.status`` is ``REACHED``). Hypotheses: the field is continuous,
    piecewise analytic and Lipschitz (guaranteed by :class:`verifier.Problem`), so
    the solution is unique; all balls are computed at ``prec`` bits.

    Parameters
    ----------
    problem: a :class:`verifier.Problem`.
    initial: per coordinate a number / exact decimal string / ``flint.arb``, or a
        ``(lo, hi)`` pair for a box.
    horizon: final time ``T > 0`` (exact decimal strings allowed).
    flow, signs: as in :meth:`verifier.Problem.vector_field`.
    prec: working precision in bits (used for every ball operation).
    order: Taylor order ``p`` (default 20 at 53 bits, about ``0.3 prec`` above).
    set_type: ``"doubleton"`` (Lohner QR), ``"quadratic"`` (the doubleton with a
        quadratic part in the initial coordinates and second-order Taylor steps: its
        wrapping error is third order in the initial width instead of second), ``"box"``
        (no wrapping control), or ``"auto"`` (default): quadratic for initial boxes at
        least ``QUADRATIC_WIDTH`` wide, else doubleton.
    width_limit: stop (``WIDTH_LIMIT``) when an enclosure gets wider than this.
    max_steps: stop (``MAX_STEPS``) after this many accepted steps.
    progress: called with the float time after every accepted step.

    Returns
    -------
    Tube
        With ``status``, ``reason``, ``t_reached``, ``steps`` and ``final``.
    """
    flows.check_flow(flow)
    check_prec(prec)
    if order is None:
        order = default_order(prec)
    if isinstance(order, bool) or not isinstance(order, int) or not 2 <= order <= 200:
        raise ValueError(f"order must be an integer between 2 and 200, got {order!r}")
    if set_type != "auto" and set_type not in SET_TYPES:
        raise ValueError(f"set_type must be auto or one of {', '.join(SET_TYPES)}, "
                         f"got {set_type!r}")
    if not width_limit > 0:
        raise ValueError(f"width_limit must be positive, got {width_limit!r}")
    T = parse_horizon(horizon)
    names = problem.coordinate_names(flow)
    with precision(prec):
        x0 = parse_initial(initial, names)
    if set_type == "auto":
        set_type = "quadratic" if max_width(x0) >= QUADRATIC_WIDTH else "doubleton"
    run = _Run(problem, flow, signs, prec, order, set_type, float(width_limit), int(max_steps),
               progress)
    with precision(prec):
        tube = Tube(names=names, flow=flow, prec=prec, order=order, horizon=T, initial=x0)
        X = run.set_cls.from_box(x0)
        tube.initial_set = X
        tube.signs = None if signs is None else tuple(signs)
        status, reason = Status.REACHED, ""
        if max_width(x0) > run.width_limit:
            status = Status.WIDTH_LIMIT
            reason = f"the initial set is {max_width(x0):.3g} wide > {run.width_limit:g}"
        while run.t < T and status is Status.REACHED:
            if len(tube.steps) >= run.max_steps:
                status, reason = Status.MAX_STEPS, f"{run.max_steps} steps"
                break
            hull = X.hull()
            why = run.singular(hull)
            if why is not None:
                status, reason = Status.SINGULAR, why
                break
            out = run.step(X, T - run.t)
            if isinstance(out[0], Status):
                status, reason = out  # type: ignore[assignment]
                break
            data, hq = out  # type: ignore[misc]
            Xn = X.move(data)
            enc = Xn.hull()
            if not all_finite(enc):
                status, reason = Status.NOT_FINITE, f"at t = {float(run.t + hq):.6g}"
                break
            if max_width(enc) > run.width_limit:
                status = Status.WIDTH_LIMIT
                reason = f"width {max_width(enc):.3g} > {run.width_limit:g} at " \
                         f"t = {float(run.t + hq):.6g}"
                break
            t1 = run.t + hq
            tube.steps.append(StepRecord(run.t, t1, data.apriori, enc, data.kind, data.order,
                                         data.jet_order, Xn, data.witness))
            X, run.t = Xn, t1
            if run.progress is not None:
                run.progress(float(t1))
        tube.status, tube.reason = status, reason
        tube.final = X.hull()
        tube.t_reached = run.t
        tube.rejected = run.rejected
        tube.crossings = run.crossings
    return tube
