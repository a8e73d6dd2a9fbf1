"""A standalone time loop for Taylor-model sets inside one analytic piece of the field.

This is the first stage of Taylor-model integration: it moves a
:class:`~verifier.proof.tm.sets.TaylorSet` by Picard steps
(:mod:`verifier.proof.tm.picard`) as long as the states stay in one analytic
piece of the field, and stops (with a status saying why) when they do not. Crossing
switching surfaces, split steps and certificates belong to the integrator
(:mod:`verifier.integrate`); docs/taylor-models.md says how they carry over.

Each step: the candidate ``(h, P, J)`` (:mod:`verifier.integrate.tm.search`); the
Picard check proves it for the set's left models ``c + C z``; the image is composed
with the right models in a new frame (:func:`verifier.proof.tm.sets.move`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from flint import arb, fmpq

from verifier.arith.precision import check_prec, precision
from verifier.arith.timed_model import timed_space
from verifier.integrate._controller import dyadic
from verifier.integrate._frames import max_width
from verifier.integrate.tm.search import candidate, expansion, move, propose_step, prove_step
from verifier.proof.tm.formula import piece_on
from verifier.proof.tm.sets import TaylorSet

#: Attempts (shrinking the step) before giving up on one step.
MAX_ATTEMPTS = 20
#: Largest growth of the step from one accepted step to the next, and the factor a
#: failed step is shortened by. (The step is limited by the Picard operator's
#: contraction, ``h |DF| < 1`` roughly, as much as by the remainder.)
GROW = 1.25
SHRINK = 0.7
#: Smallest remainder per unit time aimed at, in units in the last place of the state.
ULPS = 4.0
#: Attempts after which a validated step is accepted whatever its remainder (the
#: remainder's rate may not decrease with the step: the degree's truncation).
PATIENCE = 4


def _size(balls) -> float:
    return max(float(b.rad()) + abs(float(b.mid())) for b in balls)


@dataclass
class StepSummary:
    """What one accepted step did (floats, for reports)."""

    t: float
    h: float
    remainder: float
    #: Largest radius of the right models' remainder (in the normalised frame).
    right: float
    width: float
    seconds: float


@dataclass
class PieceRun:
    """The outcome of :func:`integrate_piece`."""

    status: str
    t_reached: Fraction
    final: TaylorSet
    steps: list[StepSummary] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "reached"

    def final_widths(self) -> list[float]:
        return [float(2 * x.rad()) for x in self.final.hull()]


def default_orders(order: int, degree: int) -> tuple[int, ...]:
    """``tau``-orders per degree in ``r``: the full order for every degree."""
    return (order,) * (degree + 1)


def _exact(h: Fraction) -> arb:
    return arb(fmpq(h.numerator, h.denominator))


def integrate_piece(vector_field: Any, box: Sequence[arb], horizon: Fraction | int,
                    order: int = 10, degree: int = 4, orders: tuple[int, ...] | None = None,
                    prec: int = 53, rate: float = 1e-4, max_steps: int = 10_000,
                    log: Any = None) -> PieceRun:
    """Move the Taylor-model set of the ball vector ``box`` by Picard steps to
    ``horizon`` (one analytic piece of ``vector_field``; module docstring).

    ``order``: time order of the steps; ``degree``: degree of the polynomials in the
    initial coordinates; ``orders``: time orders per degree (default ``order`` for
    all); ``rate``: target of the steps' remainder per unit time, relative to the set's
    width (a step whose remainder exceeds it is shortened)."""
    check_prec(prec)
    T = Fraction(horizon)
    if T <= 0:
        raise ValueError(f"the horizon must be positive, got {horizon}")
    if order < 2 or degree < 1:
        raise ValueError(f"need order >= 2 and degree >= 1, got {order} and {degree}")
    orders = tuple(orders) if orders is not None else default_orders(order, degree)
    started = time.perf_counter()
    with precision(prec):
        X = TaylorSet.from_box(list(box), degree)
        n = X.dim
        ts = timed_space(n, degree, orders)
        t = Fraction(0)
        steps: list[StepSummary] = []
        h_last: float | None = None
        grow = GROW
        J_last = None
        status = "reached"
        while t < T:
            if len(steps) >= max_steps:
                status = "max-steps"
                break
            t0 = time.perf_counter()
            hull = X.hull()
            if not all(x.is_finite() for x in hull):
                status = "not-finite"
                break
            piece = piece_on(vector_field, hull)
            if piece is None:
                status = "left-piece"
                break
            # The remainder's target per unit time: ``rate`` times the set's width, but
            # not below a few units in the last place (a point, a degenerate set).
            width = max(max_width(hull), ULPS * 2.0 ** (-prec) / rate * max(
                1.0, max(abs(float(x.mid())) for x in hull)))
            x0 = X.initial()
            y = expansion(vector_field, piece, x0, order)
            h = propose_step(y, order, rate * width * (h_last or 0.1))
            if h_last is not None:
                h = min(h, grow * h_last)
            found = None
            for attempt in range(MAX_ATTEMPTS):
                hq = min(dyadic(h), T - t)
                guess = J_last if h_last is not None and float(hq) <= h_last else None
                found = prove_step(vector_field, x0, y, _exact(hq), ts, guess)
                if found is not None:
                    # Remainder per unit time against the target; ~h^3 near the limit.
                    excess = _size(found[1].remainder) / (rate * width * float(hq))
                    if excess <= 1 or attempt >= PATIENCE:
                        grow = min(GROW, max(1.0, 0.9 * excess ** (-1 / 3)))
                        break
                    found = None
                    shrink = min(SHRINK, max(0.5, 0.9 * excess ** (-1 / 3)))
                else:
                    shrink = SHRINK
                h = shrink * float(hq)
            if found is None:
                status = "step-underflow"
                break
            img = found[1]
            # The next step's first guess: this step's proven remainder, inflated.
            J_last = candidate(img.remainder, 1.5)
            moved = move(X, img.image())
            if moved is None:
                status = "no-frame"
                break
            X = moved[0]
            t += hq
            h_last = float(hq)
            right = max(float(q.rem.rad()) for q in X.p)
            steps.append(StepSummary(float(t), float(hq), _size(img.remainder), right,
                                     max_width(X.hull()), time.perf_counter() - t0))
            if log is not None:
                log(steps[-1])
    return PieceRun(status, t, X, steps, time.perf_counter() - started)
