"""Dead neurons reduce a wider network to one neuron (``docs/regions.md``, section 8).

If neuron ``j`` is dead (``sigma_j <= 0`` on ``[a, b]``) at every point of a box of initial
values, it stays dead with all its coordinates constant for all time (the dead set is
invariant and the solution unique), and it contributes nothing to the network: the other
coordinates follow exactly the flow of the network without neuron ``j``. So a box on which
all neurons but ``i`` are dead is closed by a regime cover of the width-1 problem (same
target, density and domain) on neuron ``i``'s coordinates and ``c``; the dead neurons keep
their initial ``v_j`` (and ``b_j``, ``(w_j, b_j)``). If every neuron is dead,
``c' = -2 (c - int f p)``: ``c(t) = F0 + (c(0) - F0) e^{-2t}``, so ``|c(t)| <= max(|c(0)|,
|F0|)``.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from typing import Any

from verifier.arith.balls import BallArithmetic
from verifier.arith.numbers import hull
from verifier.arith.precision import precision
from verifier.field import flows
from verifier.problem import Problem
from verifier.proof.regimes.cover import CoverError
from verifier.proof.trapping.neurons import neuron_coordinates, neuron_dead

#: Per-neuron bound keys besides v (the state coordinates that may grow).
EXTRA = {"normalized": (), "normalized-weights": ("b",), "standard": ("rho",)}


def _avoids_origin(box: list[tuple[Fraction, Fraction]], H: int, j: int) -> bool:
    """Standard flow: neuron ``j``'s ``(w_j, b_j)`` rectangle does not contain ``(0, 0)``."""
    (w0, w1), (b0, b1) = box[j], box[H + j]
    return not (w0 <= 0 <= w1 and b0 <= 0 <= b1)


def dead_neurons(problem: Any, flow: str, signs: Any,
                 box: list[tuple[Fraction, Fraction]], prec: int) -> list[int]:
    """The neurons certainly dead at every point of the box.

    For the standard flow a neuron whose ``(w_j, b_j)`` rectangle contains the origin is
    never counted: the field is discontinuous at ``(w_j, b_j) = 0`` (the direction of the
    generalized gradient depends on the angle), so a trajectory from there need not be
    unique and the frozen solution need not be the only one."""
    H = problem.width
    s = flows.check_signs(signs, H, flow)
    with precision(prec):
        balls = [hull(lo, hi) for lo, hi in box]
        return [j for j in range(H) if neuron_dead(problem, flow, s, j, balls)
                and (flow != "standard" or _avoids_origin(box, H, j))]


@lru_cache(maxsize=16)
def _width_one(text: tuple) -> Any:
    target, domain, density = text
    return Problem(target, list(domain), density, 1)


def width_one(problem: Any) -> Any:
    """The same target, domain and density with one neuron."""
    d = problem.to_dict()
    return _width_one((d["target"], tuple(d["domain"]), d["density"]))


def reduced(flow: str, signs: Any, H: int, box: list, i: int) -> tuple[list, Any]:
    """Neuron ``i``'s coordinates and ``c`` (the width-1 state), and its sign."""
    idx = neuron_coordinates(flow, H, i) + [len(box) - 1]
    s = None if signs is None else [list(signs)[i]]
    return [box[k] for k in idx], s


def start_extent(box: list[tuple[Fraction, Fraction]], k: int) -> Fraction:
    lo, hi = box[k]
    return max(abs(lo), abs(hi))


def all_dead_c(problem: Any, box: list[tuple[Fraction, Fraction]], prec: int) -> Any:
    """An exact upper bound of ``max(sup |c(0)|, |F0|)`` (a ball)."""
    with precision(prec):
        _, F0 = problem.moments.constants(BallArithmetic())
        c0 = hull(*box[-1])
        a, b = abs(F0).upper(), abs(c0).upper()
        return a if a > b else b


def check_shape(flow: str, H: int, box: list) -> None:
    if len(box) != flows.dim(flow, H):
        raise CoverError(f"the box needs {flows.dim(flow, H)} coordinates")
