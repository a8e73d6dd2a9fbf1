"""The infinite-horizon trapping arguments, proven for a given section: one module per
kind, and the registry that checks a section of any kind.

A validated integration gives a box ``X_T`` that contains the state at time ``T``; a
trapping section (a JSON object, ``docs/trapping.md``, ``docs/infinite-horizon.md``)
claims that the solution then stays in an explicit bounded box for all ``t >= T``, by
one of the arguments

* ``sublevel`` (:mod:`~verifier.proof.trapping.sublevel`): frozen dead neurons and a box
  on whose faces the risk exceeds its value on ``X_T``;
* ``arc-length`` (:mod:`~verifier.proof.trapping.arc_length`): a Polyak–Łojasiewicz
  inequality bounds the path length when every live neuron is fully active or dying;
* ``dying`` (:mod:`~verifier.proof.trapping.dying`): kinks tending exponentially to an
  end of the domain, the other coordinates kept by an inward field or the level;
* ``saturating`` (:mod:`~verifier.proof.trapping.saturating`): the only live neuron
  becoming fully active.

Each kind module has ``KIND``, ``KEYS``, ``parse(spec, setting)`` (the section's structure
and exact numbers; malformed input raises) and ``check(setting, parsed)``, which raises
:class:`~verifier.proof.verdict.Rejected` naming the first hypothesis that is not
established. They share the risk bounds and the branch and bound (:mod:`.cells`), the
neurons' geometry (:mod:`.neurons`) and the section's common parts (:mod:`.spec`).
:func:`verify_trapping` is what the checker and the certificate search call: it returns a
verdict and never raises. The search (:mod:`verifier.certificates.trapping`) proposes
sections; a found argument is exactly what this registry accepts.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import Any

from flint import arb

from verifier.arith.precision import precision
from verifier.proof.trapping import arc_length, dying, saturating, sublevel
from verifier.proof.trapping.spec import Setting
from verifier.proof.verdict import NotProven, Rejected, Verdict, verdict_of

#: The arguments, by the ``kind`` of their section.
KINDS: dict[str, ModuleType] = {m.KIND: m for m in (sublevel, arc_length, dying, saturating)}
#: The default number of branch-and-bound cells of one argument (terminal sup and faces).
DEFAULT_MAX_CELLS = 100_000
#: Cells x (per-cell work ``n^2 H C f``) at most this (bounded work on large problems).
MAX_TRAPPING_WORK = 2 * 10**7


def trapping_cells(n: int, width: int, cells: int, prec: int) -> int:
    """The cell budget of a trapping argument: :data:`DEFAULT_MAX_CELLS`, fewer for large
    problems so that ``cells x n^2 H C f`` stays below :data:`MAX_TRAPPING_WORK`
    (``n`` the dimension, ``C`` the moments' analytic cells, ``f = max(1, prec / 64)``)."""
    per_cell = n * n * width * cells * max(1.0, prec / 64)
    return int(max(1, min(DEFAULT_MAX_CELLS, MAX_TRAPPING_WORK // per_cell)))


def check_trapping(problem: Any, flow: str, signs: Any, terminal: Sequence[arb], spec: Any,
                   prec: int, max_cells: int = DEFAULT_MAX_CELLS) -> Verdict:
    """The verdict on a trapping section of any kind; malformed input (the setting, the
    section's structure or its numbers) raises :class:`~verifier.proof.verdict.Rejected`
    or a ``ValueError``."""
    S = Setting.of(problem, flow, signs, terminal, prec, max_cells)
    if not isinstance(spec, dict):
        raise Rejected("trapping section must be an object")
    module = KINDS.get(spec.get("kind"))
    if module is None:
        shown = repr(spec.get("kind"))[:40]
        raise Rejected(f"trapping kind must be one of {', '.join(KINDS)}, got {shown}")
    sp = module.parse(spec, S)
    with precision(prec):
        return verdict_of(module.check, S, sp)


def verify_trapping(problem: Any, flow: str, signs: Any, terminal: Sequence[arb], spec: Any,
                    prec: int, max_cells: int = DEFAULT_MAX_CELLS) -> Verdict:
    """Re-verify a trapping section; never raises (malformed input and internal failures
    are reasons).

    Proven: for every solution of the flow whose state at time ``T`` lies in
    ``terminal``, the state stays in the section's box for all ``t >= T`` (frozen neurons
    at their terminal coordinates, periodic angles unrestricted), so ``|v_j(t)| <=
    spec["bounds"]["v"][j]`` and ``|c(t)| <= spec["bounds"]["c"]``. At most
    :func:`trapping_cells` cells are used, whatever ``max_cells`` asks for.
    """
    try:
        cap = trapping_cells(len(terminal), problem.width, len(problem.moments.cells), prec)
        return check_trapping(problem, flow, signs, terminal, spec, prec, min(max_cells, cap))
    except (Rejected, ValueError, TypeError, ArithmeticError) as exc:
        return NotProven(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    except Exception as exc:  # a checker rejects what it cannot process
        return NotProven(f"checker error: {type(exc).__name__}: {str(exc)[:100]}")


__all__ = ["DEFAULT_MAX_CELLS", "KINDS", "check_trapping", "trapping_cells", "verify_trapping"]
