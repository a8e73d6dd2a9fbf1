"""Search for an infinite-horizon trapping argument after a validated integration: one
module per kind, tried in the order of the registry :data:`SEARCHES`.

Given a box ``X_T`` (one ``arb`` ball per state coordinate) that contains the state of
the gradient flow ``y' = -grad L(y)`` at time ``T``, :func:`find_trapping` looks for

1. **frozen neurons**: neurons dead (``w_j x + b_j <= 0`` on all of ``[a, b]``) at every
   point of ``X_T``; their coordinates are constant for all ``t >= T``;
2. **arc length** (:mod:`.arc_length`), when every live neuron is fully active (or dying,
   with at least one fully active): a Polyak–Łojasiewicz inequality on a box ``U`` bounds
   the arc length of the solution after ``T`` below the distance from ``X_T`` to the
   boundary of ``U``;
3. **dying neurons** (:mod:`.dying`): kinks tending exponentially to an end of ``[a, b]``,
   the other coordinates kept in ``U`` by the inward field or ``L > level`` on their faces;
4. **a saturating neuron** (:mod:`.saturating`): the only live neuron, its kink tending to
   an end from the long side;
5. **a sublevel trap** (:mod:`.sublevel`): a box ``K`` with ``X_T`` in its interior and
   ``sup L(X_T) <= level < min L`` over every face of ``K``.

The mathematics and the hypotheses are stated in :mod:`verifier.proof.trapping`,
``docs/trapping.md`` and ``docs/infinite-horizon.md``. Every search is heuristic (floats
and rigorous cell bounds propose, :mod:`.search`); for every kind the final answer is
:func:`verifier.proof.trapping.verify_trapping` on the exact JSON section that is
returned: a found argument is exactly what the checker accepts.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from flint import arb

from verifier.arith.precision import check_prec, precision
from verifier.certificates.trapping import arc_length, dying, saturating, sublevel
from verifier.certificates.trapping.search import Fail, Search, TrapResult
from verifier.field import flows

#: The searches, in the order ``"auto"`` tries them; each has ``KIND``, ``STRATEGIES``
#: (the values of ``strategy`` that run it) and ``attempt(search, strategy)``, which
#: returns the accepted section or the reasons why none was found.
SEARCHES = (arc_length, dying, saturating, sublevel)
#: ``strategy`` values of :func:`find_trapping`.
STRATEGIES = ("auto", "local", "periodic", "arc-length", "dying", "saturating")


def find_trapping(problem: Any, flow: str, signs: Any, terminal: list[arb], prec: int = 53,
                  budget_seconds: float = 20.0, strategy: str = "auto") -> TrapResult:
    """Search a trapping argument for ``t >= T`` (module docstring).

    ``terminal``: balls, one per state coordinate, containing the state at time ``T``.
    ``strategy``: ``"local"`` (a sublevel box around the local minimizer of ``L`` near
    ``X_T``, grown face by face), ``"periodic"`` (normalized flow: every live angle
    unrestricted, a sublevel box in ``(v, c)`` around 0), ``"arc-length"``, ``"dying"``,
    ``"saturating"`` or ``"auto"`` (arc-length, dying or saturating according to the
    terminal configuration, then local, then periodic).
    Returns a :class:`~.search.TrapResult`; ``ok`` is True only when
    :func:`verifier.proof.trapping.verify_trapping` accepts the returned ``spec``.
    Never raises on bad input or failure: ``ok=False`` with a one-line ``reason``.
    """
    t0 = time.monotonic()
    deadline = t0 + float(budget_seconds)
    config: list[str] = []

    def result(spec: dict | None, reason: str) -> TrapResult:
        return TrapResult(spec is not None, spec, reason, config,
                          dict(spec["bounds"]) if spec is not None else {},
                          seconds=time.monotonic() - t0)

    try:
        flows.check_flow(flow)
        check_prec(prec)
        s = flows.check_signs(signs, problem.width, flow)
        dim = flows.dim(flow, problem.width)
        if not isinstance(terminal, list | tuple) or len(terminal) != dim:
            raise Fail(f"terminal enclosure must be a list of {dim} balls")
        if not all(isinstance(t, arb) and t.is_finite() for t in terminal):
            raise Fail("terminal enclosure has a non-finite entry")
        if strategy not in STRATEGIES:
            raise Fail(f"unknown strategy {strategy!r} ({', '.join(STRATEGIES)})")
        if strategy == "periodic" and flow != "normalized":
            raise Fail("the periodic strategy needs the normalized flow")
        with precision(prec):
            S = Search(problem, flow, s, list(terminal), prec, deadline)
            config = S.configuration
            S.start()
            S.dying = dying.dying_candidates(S)
            reasons: list[str] = []
            for search in SEARCHES:
                if strategy in search.STRATEGIES:
                    res = search.attempt(S, strategy)
                    if isinstance(res, dict):
                        return result(res, "")
                    reasons += res
            return result(None, "; ".join(reasons))
    except Fail as exc:
        return result(None, str(exc))
    except (ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
        return result(None, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    except Exception as exc:  # a search that cannot proceed claims nothing
        return result(None, f"search error: {type(exc).__name__}: "
                            f"{str(exc).splitlines()[0] if str(exc) else ''}")


__all__ = ["SEARCHES", "STRATEGIES", "TrapResult", "find_trapping"]
