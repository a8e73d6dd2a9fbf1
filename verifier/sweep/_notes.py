"""Notes on a finished sweep for people (not claims: the summary states what is proven).

:func:`sweep_notes` says which leaves' bounds come from the energy inequality (a tube
whose enclosure was lost at ``t_r`` and whose certificate bounds the rest of ``[0, T]`` by
``|x(t) - x(t_r)| <= sqrt((t - t_r) L(x(t_r)))``: proven, but looser than a tube), and
which leaves were left undecided at the minimum size (the sweep would have bisected them
further: ``failed``, bounded by the energy inequality, or ``bounded-on-horizon`` when
``bounded-forever`` was asked for), with the ``--min-size`` that refines them.
"""

from __future__ import annotations

from fractions import Fraction

from verifier.arith.numbers import decimal_text, parse_rational
from verifier.sweep._leaf import leaf_certificate
from verifier.sweep._store import SweepResult

#: Most leaves named in a note.
MAX_NAMED = 5


def energy_leaves(result: SweepResult) -> list[str]:
    """The leaves (nodes, sorted) whose bounds on part of ``[0, T]`` come from the energy
    inequality: a tube certificate with an energy ``tail``."""
    return sorted(n for n, r in result.leaves.items()
                  if "tail" in (leaf_certificate(r) or {}))


def undecided_leaves(result: SweepResult) -> list[str]:
    """The leaves (sorted) the sweep would have bisected had they not reached the minimum
    size in every coordinate (:meth:`verifier.sweep.SweepConfig.wants_split`)."""
    cfg = result.config
    return sorted(n for n, r in result.leaves.items()
                  if cfg.wants_split(r["status"], "tail" in (leaf_certificate(r) or {})))


def _fraction(result: SweepResult, nodes: list[str]) -> str:
    total = sum((parse_rational(result.leaves[n]["fraction"], "fraction", strict=True)
                 for n in nodes), Fraction(0))
    return decimal_text(total)


def _named(nodes: list[str]) -> str:
    shown = ", ".join(nodes[:MAX_NAMED])
    return shown + (f" and {len(nodes) - MAX_NAMED} more" if len(nodes) > MAX_NAMED else "")


def min_size_hint(result: SweepResult) -> str:
    """The ``--min-size`` options that halve the present minimum size of every free
    coordinate."""
    cfg = result.config
    names = cfg.region.names
    return " ".join(f"--min-size {names[i]}={decimal_text(cfg.min_size[i] / 2)}"
                    for i in cfg.region.free)


def sweep_notes(result: SweepResult) -> list[str]:
    """One line per note (module docstring); empty when there is nothing to say."""
    out: list[str] = []
    energy = energy_leaves(result)
    if energy:
        out.append(
            f"Energy inequality: {len(energy)} leaves (volume fraction "
            f"{_fraction(result, energy)}) lost their enclosure before T; their bounds after "
            f"that time come from |x(t) - x(t_r)| <= sqrt((t - t_r) L(x(t_r))) (proven, "
            f"looser than a tube): {_named(energy)}.")
    undecided = undecided_leaves(result)
    if undecided:
        statuses = sorted({result.leaves[n]["status"] for n in undecided})
        out.append(
            f"Undecided at the minimum size: {len(undecided)} leaves (volume fraction "
            f"{_fraction(result, undecided)}; {', '.join(statuses)}) would have been bisected "
            f"further: {_named(undecided)}. To refine them, rerun with a smaller minimum "
            f"size, e.g. {min_size_hint(result)} (or a larger --max-steps or "
            f"--width-limit).")
    return out
