"""The time map: the loop over steps of a validated integration.

Each step either proves something or is not taken: the stepper
(:mod:`verifier.integrate._steps`) returns an accepted step, which moves the set
(:mod:`verifier.integrate._sets`), or a failure, which ends the tube with its status.
Failure is explicit (:class:`~verifier.integrate._status.IntegrationStatus`): a
non-finite bound, a width beyond ``width_limit``, no step validated after many attempts,
the standard flow touching ``(w_j, b_j) = 0``, or the step budget. A tube never reports a
horizon it did not reach.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from verifier.arith.precision import precision
from verifier.integrate._controller import Controller
from verifier.integrate._frames import max_width
from verifier.integrate._inputs import read_inputs
from verifier.integrate._sets import SET_TYPES, TaylorModelSet
from verifier.integrate._status import Failed, IntegrationStatus
from verifier.integrate._steps import Stepper
from verifier.integrate._tube import StepRecord, Tube
from verifier.proof.linalg import all_finite


def integrate(
    problem: Any,
    initial: Any,
    horizon: Any,
    flow: str = "normalized",
    signs: Sequence[int] | None = None,
    prec: int = 53,
    order: int | None = None,
    *,
    set_type: str = "auto",
    degree: int = 4,
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
        (no wrapping control), ``"taylor-model"`` (a preconditioned Taylor model of
        ``degree`` in the initial coordinates, moved by Picard steps of time order
        ``order``, default 10: wrapping error of order ``degree + 1``; for wide boxes,
        docs/taylor-models.md), or ``"auto"`` (default): quadratic for initial boxes at
        least ``QUADRATIC_WIDTH`` wide, else doubleton.
    degree: degree of Taylor-model sets in the initial coordinates (1 to 12).
    width_limit: stop (``WIDTH_LIMIT``) when an enclosure gets wider than this.
    max_steps: stop (``MAX_STEPS``) after this many accepted steps.
    progress: called with the float time after every accepted step.

    Returns
    -------
    Tube
        With ``status``, ``reason``, ``t_reached``, ``steps`` and ``final``.
    """
    inp = read_inputs(problem, initial, horizon, flow, signs, prec, order, set_type,
                      width_limit, max_steps, degree)
    control = Controller(inp.order, inp.prec)
    stepper = Stepper(problem, inp.flow, inp.signs, inp.prec, inp.order,
                      inp.set_type == "quadratic", control)
    T, x0 = inp.horizon, inp.initial
    with precision(inp.prec):
        tube = Tube(names=inp.names, flow=inp.flow, prec=inp.prec, order=inp.order, horizon=T,
                    initial=x0)
        X = (TaylorModelSet.from_box(x0, inp.degree) if inp.set_type == "taylor-model"
             else SET_TYPES[inp.set_type].from_box(x0))
        tube.initial_set = X
        tube.signs = None if signs is None else tuple(signs)
        status, reason = IntegrationStatus.REACHED, ""
        if max_width(x0) > inp.width_limit:
            status = IntegrationStatus.WIDTH_LIMIT
            reason = f"the initial set is {max_width(x0):.3g} wide > {inp.width_limit:g}"
        while stepper.t < T and status is IntegrationStatus.REACHED:
            if len(tube.steps) >= inp.max_steps:
                status, reason = IntegrationStatus.MAX_STEPS, f"{inp.max_steps} steps"
                break
            hull = X.hull()
            why = stepper.singular(hull)
            if why is not None:
                status, reason = IntegrationStatus.SINGULAR, why
                break
            out = stepper.next_step(X, T - stepper.t)
            if isinstance(out, Failed):
                status, reason = out.status or IntegrationStatus.STEP_UNDERFLOW, out.reason
                break
            data, hq = out.data, out.h
            Xn = X.move(data)
            enc = Xn.hull()
            if not all_finite(enc):
                status, reason = IntegrationStatus.NOT_FINITE, f"at t = {float(stepper.t + hq):.6g}"
                break
            if max_width(enc) > inp.width_limit:
                status = IntegrationStatus.WIDTH_LIMIT
                reason = f"width {max_width(enc):.3g} > {inp.width_limit:g} at " \
                         f"t = {float(stepper.t + hq):.6g}"
                break
            t1 = stepper.t + hq
            tube.steps.append(StepRecord(stepper.t, t1, data.apriori, enc, data.kind,
                                         data.order, data.jet_order, Xn, data.witness))
            X, stepper.t = Xn, t1
            if progress is not None:
                progress(float(t1))
        tube.status, tube.reason = status, reason
        tube.final = X.hull()
        tube.t_reached = stepper.t
        tube.rejected = control.rejected
        tube.crossings = control.crossings
    return tube
