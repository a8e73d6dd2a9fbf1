"""Built-in example problems (``--example NAME`` on the command line)."""

from __future__ import annotations

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
