"""Built-in example problems (``--example NAME`` on the command line) and the initial
points of the acceptance suites (shared by the tests and the benchmarks)."""

from __future__ import annotations

import math
import random

EXAMPLES: dict[str, dict] = {
    "x2": {"target": "x**2", "init": "0.6,0.5,0.2",
           "about": "f(x) = x^2 on [0, 1]; the neuron stays fully active"},
    "abs": {"target": "Abs(x - 1/3)", "init": "-2.5,1,0.3",
            "about": "f(x) = |x - 1/3|, one breakpoint"},
    "sin": {"target": "sin(3*x)", "init": "0.3,0.7,-0.1", "about": "f(x) = sin(3x)"},
    "pwl": {"target": "Piecewise((2*x, x < 1/3), (1 - x, x < 2/3), (x - 1/3, True))",
            "init": "-1.2,0.8,0.1", "about": "a continuous three-piece linear target"},
    "exp": {"target": "exp(x)", "init": "0.2,0.5,0.5", "about": "f(x) = e^x"},
    "cubic": {"target": "x**3 - x", "init": "2.5,1,0", "about": "f(x) = x^3 - x"},
}


def example(name: str) -> dict:
    try:
        return EXAMPLES[name]
    except KeyError:
        raise ValueError(
            f"unknown example {name!r} (choose one of {', '.join(sorted(EXAMPLES))})"
        ) from None


def acceptance_points(k: int = 10, seed: int = 4) -> list[list[str]]:
    """The H = 1 acceptance suite's initial points (issues 4 and 5): ``k`` states
    ``(phi, v, c)`` as exact decimal strings, ``phi`` spread over ``[0, 2 pi)`` (one per
    ``2 pi / k`` sector) and ``|v|, |c| <= 3``, reproducible from ``seed``."""
    rng = random.Random(seed)
    out = []
    for i in range(k):
        phi = 2 * math.pi * (i + rng.random()) / k
        out.append([f"{phi:.6f}", f"{rng.uniform(-3, 3):.4f}", f"{rng.uniform(-3, 3):.4f}"])
    return out
