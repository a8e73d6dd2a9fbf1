"""The controller: step sizes, orders and retries (floats propose; nothing here is part of
a proof).

:class:`Controller` is the explicit state of an integration's control, in the manner of
diffrax's step-size controllers: the step strategies (:mod:`verifier.integrate._steps`)
ask it for a proposal (``propose_*``), prove the step, and report the outcome
(``accept_*`` when proven and small enough, ``reject_*`` otherwise), from which it learns
the next proposal. The functions below it are the formulas it uses.

The rules (docs/integrator.md, "Control"):

1. A step is accepted when its remainder is below :data:`ACCEPT` local tolerances
   ``2^-prec max(1, |xhat|)``; the proposal comes from the decay of the last two Taylor
   coefficients, times a learned ``safety`` factor, at most four times the last full
   step.
2. The Jacobian order ``q`` is raised while the tail bounded over the hull
   (``O(width h^(q+1))``) exceeds the tolerance or :data:`TAIL_RELATIVE` of the set's
   width, and lowered when it is far below.
3. A wide set's Taylor step is shortened while its Jacobian's orders ``k >= 2``, bounded
   over the hull, would add more than :data:`WRAP_SLACK` of the first order's wrapping
   error, and while the reference point's image orders ``k >= 2`` add more than
   :data:`HEAD_SLACK` times what its first order adds (:func:`wrapping_step`).
4. A set lying across a switching surface is in *straddle mode*: low-order steps, with
   full-order attempts retried with exponential backoff; likewise failed split attempts
   are skipped with exponential backoff, and a successful split step makes the next step
   try a split first.
5. Taylor-model steps (:mod:`verifier.integrate._tm_steps`): the remainder per unit time
   of the Picard step is aimed at :data:`TM_RATE` times the set's width (at least
   :data:`TM_ULPS` units in the last place); the step grows by at most :data:`TM_GROW`;
   after :data:`TM_PATIENCE` shortened attempts a proven step is accepted whatever its
   remainder (the degree's truncation may keep the rate from decreasing with ``h``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from flint import arb

from verifier.integrate._frames import max_width
from verifier.proof.step import StepData

#: Significant bits kept in a proposed step, so that ``t + h`` stays a short dyadic.
STEP_BITS = 30
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
#: Taylor-model steps: target remainder per unit time relative to the set's width, its
#: floor in units in the last place, the largest growth of the step, the shrink factor
#: of a failed attempt and the attempts after which any proven step is accepted.
TM_RATE = 1e-4
TM_ULPS = 4.0
TM_GROW = 1.25
TM_SHRINK = 0.7
TM_PATIENCE = 4


def default_order(prec: int) -> int:
    """Taylor order: 20 at double precision, growing with the precision."""
    return 20 if prec <= 64 else min(60, max(20, round(0.3 * prec)))


def tolerance(prec: int, scale: float) -> float:
    """Local error target per step: one unit in the last place of the state."""
    return 2.0 ** (-prec) * max(1.0, scale)


def propose_step(centre: Sequence[Sequence[arb]], order: int, tol: float) -> float:
    """Step from the decay of the last two Taylor coefficients (Jorba & Zou)."""
    h = math.inf
    for k in (order - 1, order):
        rho = max(abs(float(cs[k].mid())) for cs in centre)
        if rho > 0 and math.isfinite(rho):
            h = min(h, (tol / rho) ** (1.0 / k))
    return 0.9 * h


def dyadic(h: float) -> Fraction:
    """``h`` rounded down to ``STEP_BITS`` significant bits (an exact dyadic)."""
    if not h > 0 or not math.isfinite(h):
        raise ValueError(f"bad step {h!r}")
    m, e = math.frexp(h)
    mant = math.floor(m * 2**STEP_BITS)
    return Fraction(mant) * Fraction(2) ** (e - STEP_BITS)


def wrapping_rates(ex, hull: Sequence[arb]) -> list[float]:
    """``rho_k`` for ``k = 0..q``: the wrapping error that order ``k`` of a Taylor step
    from the expansion ``ex`` injects into the set per ``h^k``.

    First-order sets (the mean-value form ``x(h) in image + A (x0 - xhat)``, ``A =
    sum_k V_k([X]) h^k``): ``rho_k = max_i sum_j rad(V_k,ij) e_j``, ``e`` the hull's
    radii. Second-order sets (``ex.hess``): the Jacobian is taken at ``xhat`` and the
    error is that of the second-order term, ``rho_k = max_i sum_jl rad(D_k,ijl) e_j e_l
    / 2`` (third order in the width)."""
    e = [float(x.rad()) for x in hull]
    n = len(e)
    q = ex.jet_order
    if ex.hess is None:
        return [max(sum(float(ex.ders[i][j][k].rad()) * e[j] for j in range(n))
                    for i in range(n)) for k in range(q + 1)]
    return [max(sum(float(ex.hess[i][j][m][k].rad()) * e[j] * e[m]
                    for j in range(n) for m in range(n)) / 2 for i in range(n))
            for k in range(q + 1)]


def head_rates(ex) -> list[float]:
    """``rho_k = max_i rad(y_k,i(xhat))``: the radius that order ``k`` of the reference
    point's Taylor polynomial adds to the image per ``h^k``.

    Where the field's formula cancels (the continued side of a dying neuron) the
    point's coefficients carry radii far above their rounding, and the image of a long
    step would gain ``sum_k rho_k h^k``, superlinear in ``h``: :func:`wrapping_step` on
    these rates keeps the orders ``k >= 2`` in proportion to the first."""
    return [max(float(cs[k].rad()) for cs in ex.centre) for k in range(ex.order + 1)]


def wrapping_step(rho: Sequence[float], h: float, tol: float, slack: float,
                  floor: float = 0.0) -> float:
    """The largest step ``<= h`` whose wrapping error from the orders ``k >= 2``,
    ``sum_{k>=2} rho_k h^k`` (:func:`wrapping_rates`), is below ``tol``, below
    ``slack`` times the first-order part ``rho_1 h``, or below ``floor h`` (an error per
    unit time too small to matter, e.g. a small fraction of the set's width).

    Why: the first-order part ``~ h |D^2 F| width^2`` injects the same error per unit
    time whatever the step, whereas ball evaluation over the hull makes ``rho_k`` grow
    geometrically in ``k`` (faster than the solution's own coefficients), so the long
    steps that high orders allow on points would multiply the error a wide set gains per
    unit time, and the set would be lost. Floats only: nothing here is part of a proof."""
    if len(rho) < 3 or not (h > 0 and math.isfinite(h)):
        return h

    def ok(s: float) -> bool:
        excess = sum(r * s**k for k, r in enumerate(rho) if k >= 2)
        return excess <= max(tol, (slack * rho[1] + floor) * s)

    if ok(h):
        return h
    lo, hi = 0.0, h
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if ok(mid) else (lo, mid)
    return lo if lo > 0 else h


@dataclass
class Controller:
    """The state of an integration's control (module docstring): the last accepted step of
    each kind, the learned safety factor, the Jacobian order, the straddle and split
    backoffs, and the count of rejected attempts."""

    order: int
    prec: int
    #: Jacobian order ``q`` of Taylor and split steps, adapted (rule 2).
    jet_order: int = 0
    #: The last accepted full-order, low-order and split step sizes (floats).
    h_full: float | None = None
    h_low: float | None = None
    h_split: float | None = None
    #: Learned factor between the coefficient-based proposal and accepted steps.
    safety: float = 1.0
    #: Whether the last split attempt succeeded (the next step tries a split first).
    splitting: bool = False
    #: Split attempts still to skip after a failed one, and the next backoff.
    split_skip: int = 0
    split_backoff: int = 1
    #: Straddle mode (rule 4): full-order attempts are retried only every ``retry_in``
    #: steps, with exponential backoff.
    straddle: bool = False
    retry_in: int = 0
    backoff: int = 1
    #: In straddle mode, whether the reference point's own full-order step failed.
    point_straddles: bool = False
    rejected: int = 0
    #: Low-order crossings of switching surfaces: ``(t, label)``.
    crossings: list[tuple[float, str]] = field(default_factory=list)
    #: Taylor-model steps (rule 5): the last accepted step, the growth allowed for the
    #: next one, and the last proven remainder (the next step's first candidate).
    h_tm: float | None = None
    tm_grow: float = TM_GROW
    tm_remainder: list | None = None

    def __post_init__(self) -> None:
        if not self.jet_order:
            self.jet_order = max(2, (self.order + 1) // 2)

    def tolerance(self, xhat: Sequence[arb]) -> float:
        """The local error target at the reference point ``xhat``."""
        return tolerance(self.prec, max(abs(float(x)) for x in xhat))

    # -- Taylor steps ------------------------------------------------------------------
    def wrap(self, ex, hull, h: float, tol: float) -> float:
        """The step ``<= h`` allowed by the wrapping control and by the radius of the
        reference point's image (rule 3)."""
        h = wrapping_step(wrapping_rates(ex, hull), h, tol, WRAP_SLACK,
                          WRAP_RELATIVE * max_width(hull))
        return wrapping_step(head_rates(ex), h, ACCEPT * tol, HEAD_SLACK)

    def propose_taylor(self, ex, hull, tol: float, remaining: Fraction) -> float:
        """The first proposal of a full-order step (rules 1 and 3)."""
        h = self.safety * propose_step(ex.centre, self.order, tol)
        if self.h_full is not None:
            h = min(h, 4.0 * self.h_full)
        return min(self.wrap(ex, hull, h, tol), float(remaining))

    def reject_apriori(self, hq: Fraction) -> float:
        """The a priori inclusion failed: too long a step. The next proposal."""
        self.rejected += 1
        self.safety = max(1e-3, 0.7 * self.safety)
        return 0.7 * float(hq)

    def reject_remainder(self, hq: Fraction, data: StepData, tol: float) -> float:
        """The remainder is above :data:`ACCEPT` tolerances. The next proposal."""
        self.rejected += 1
        shrink = 0.9 * (tol / data.remainder) ** (1.0 / (self.order + 1))
        self.safety = max(1e-3, self.safety * shrink)
        return float(hq) * shrink

    def accept_taylor(self, first_attempt: bool, hq: Fraction, data: StepData, hull,
                      tol: float) -> None:
        if first_attempt:
            self.safety = min(1.0, self.safety * 1.1)
        self.h_full = float(hq)
        self.adapt_jet_order(data, hull, tol)
        self.leave_straddle()
        self.point_straddles = False

    def adapt_jet_order(self, data: StepData, hull, tol: float) -> None:
        """Wrapping needs the tail far below the set's width (rule 2)."""
        tail_tol = max(tol, TAIL_RELATIVE * max_width(hull))
        if data.tail > tail_tol:
            self.jet_order = min(self.order, self.jet_order + 2)
        elif data.tail < 1e-2 * tail_tol:
            self.jet_order = max((self.order + 1) // 2, self.jet_order - 1)

    def crossing_length(self, centre, tol: float) -> float:
        """Length of a low-order crossing step: second-order term about ``tol``."""
        m = max(abs(float(cs[2].mid())) for cs in centre) if self.order >= 2 else 0.0
        m = max(m, 1e-3)
        return math.sqrt(tol / m)

    # -- Taylor-model steps (rule 5) ----------------------------------------------------
    def tm_target(self, hull: Sequence[arb]) -> float:
        """The remainder per unit time a Taylor-model step aims at."""
        scale = max(1.0, max(abs(float(x.mid())) for x in hull))
        return max(TM_RATE * max_width(hull), TM_ULPS * 2.0 ** (-self.prec) * scale)

    def propose_tm(self, h: float, remaining: Fraction) -> float:
        """The first proposal, ``h`` from the coefficients' decay, bounded by the growth
        allowed after the last step."""
        if self.h_tm is not None:
            h = min(h, self.tm_grow * self.h_tm)
        return min(h, float(remaining))

    def tm_guess(self, hq: Fraction) -> list | None:
        """The last proven remainder (inflated) as the first candidate, for a step no
        longer than the last one."""
        if self.h_tm is not None and float(hq) <= self.h_tm:
            return self.tm_remainder
        return None

    def reject_tm(self, hq: Fraction, excess: float | None) -> float:
        """Not proven (``excess`` None) or a remainder ``excess`` times the target."""
        self.rejected += 1
        if excess is None:
            return TM_SHRINK * float(hq)
        return float(hq) * min(TM_SHRINK, max(0.5, 0.9 * excess ** (-1 / 3)))

    def accept_tm(self, hq: Fraction, excess: float, guess: list) -> None:
        self.h_tm = float(hq)
        self.tm_grow = min(TM_GROW, max(1.0, 0.9 * max(excess, 1e-300) ** (-1 / 3)))
        self.tm_remainder = guess

    # -- straddle mode -----------------------------------------------------------------
    def skip_full_order(self) -> bool:
        """In straddle mode, whether this step skips the full-order attempt (and counts
        down to the next retry)."""
        if self.straddle and self.retry_in > 0:
            self.retry_in -= 1
            return True
        return False

    def leave_straddle(self) -> None:
        self.straddle, self.backoff, self.retry_in = False, 1, 0

    # -- split steps -------------------------------------------------------------------
    def skip_split(self) -> bool:
        """Whether a split attempt is skipped (backoff after a failed one)."""
        if self.split_skip > 0:
            self.split_skip -= 1
            return True
        return False

    def split_hint(self) -> float | None:
        """A bound for the proposal of a split step."""
        return self.h_split or (self.h_full and 4.0 * self.h_full)

    def reject_split(self, first: bool) -> None:
        """No split step: the run of split steps ends; unless this was the ``first``
        attempt (tried before the plain step), the next attempts are skipped with
        exponential backoff."""
        self.splitting = False
        if not first:
            self.split_skip = self.split_backoff
            self.split_backoff = min(2 * self.split_backoff, 64)

    def accept_split(self, data: StepData, hq: Fraction, hull, tol: float) -> None:
        self.split_backoff = 1
        self.adapt_jet_order(data, hull, tol)
        # Next proposal from this step's remainder (~ h^(p+1)), as for Taylor steps.
        grow = 0.9 * (tol / max(data.remainder, 1e-300)) ** (1.0 / (self.order + 1))
        self.h_split = float(hq) * min(1.5, max(0.5, grow))
        self.splitting = True
        self.leave_straddle()

    # -- low-order steps ---------------------------------------------------------------
    def propose_low_order(self, length: float | None, clarke: Callable[[], float],
                          tol: float, remaining: Fraction) -> float:
        """A forced ``length`` (a crossing), the last low-order step, or the step whose
        second-order term ``h^2 |J F| / 2`` is :data:`ACCEPT` tolerances (``clarke()`` the
        bound of ``|J F|`` over the hull, computed only when needed)."""
        if length is not None:
            h = length
        elif self.h_low is not None:
            h = self.h_low
        else:
            h = math.sqrt(2.0 * ACCEPT * tol / max(clarke(), 1e-300))
        if not (math.isfinite(h) and h > 0):
            h = 1e-3
        return min(h, float(remaining))

    def allowed_error(self, hq: Fraction, tol: float, width: float) -> float:
        """The reference point's local error a low-order step may have: errors far below
        the width of a set that straddles a surface buy nothing."""
        return max(ACCEPT * tol, STRADDLE_RELATIVE * float(hq) * width)

    def reject_point_error(self, hq: Fraction, error: float, allowed: float) -> float:
        """The point's low-order error is above ``allowed``. The next proposal (an
        infinite error estimate, a wide box, only halves the step)."""
        self.rejected += 1
        ratio = allowed / error
        return float(hq) * (0.9 * math.sqrt(ratio) if ratio > 0 else 0.5)

    def reject_halve(self, hq: Fraction) -> float:
        """No witness at this step: half of it next."""
        self.rejected += 1
        return 0.5 * float(hq)

    def accept_low_order(self, hq: Fraction, error: float, allowed: float,
                         straddling: bool) -> None:
        """A controlled low-order step: the next proposal from its error (second order:
        error ~ h^2); ``straddling`` (the hull lies across a surface) enters or continues
        straddle mode, where a full-order retry that just failed doubles the backoff."""
        grow = 0.9 * math.sqrt(allowed / max(error, 1e-300))
        self.h_low = float(hq) * min(2.0, max(0.5, grow))
        if straddling:
            if not self.straddle:
                self.straddle, self.backoff = True, 1
            elif self.retry_in == 0:  # a full-order retry just failed: back off
                self.backoff = min(2 * self.backoff, 64)
            if self.retry_in == 0:
                self.retry_in = self.backoff
