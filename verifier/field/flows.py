"""The three flows: state coordinates, network parameters and the gradient.

* ``normalized`` (default): state ``(phi_1..phi_H, v_1..v_H, c)``,
  ``(w_j, b_j) = (cos phi_j, sin phi_j)``; the risk restricted to the product of
  circles ``w_j^2 + b_j^2 = 1`` in angle coordinates, with
  ``dL/dphi_j = -sin(phi_j) G_w_j + cos(phi_j) G_b_j = 2 v_j (w_j Y_j - b_j X_j)``.
* ``normalized-weights``: only ``|w_j| = 1``; ``w_j = s_j`` is frozen (``signs``),
  state ``(b_1..b_H, v_1..v_H, c)``, gradient ``(G_b, G_v, G_c)``.
* ``standard``: state ``(w_1..w_H, b_1..b_H, v_1..v_H, c)``, gradient ``G``.

The flow is ``y' = -gradient(y)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the kernel (and SymPy) only for annotations: `verifier --help` stays light
    from verifier.field.kernel import KernelResult

FLOWS = ("normalized", "normalized-weights", "standard")


def check_flow(flow: str) -> str:
    if flow not in FLOWS:
        raise ValueError(f"unknown flow {flow!r} (choose one of {', '.join(FLOWS)})")
    return flow


def check_signs(signs: Sequence[int] | None, H: int, flow: str) -> tuple[int, ...]:
    """The frozen weights of ``normalized-weights`` (default all +1)."""
    if signs is None:
        return (1,) * H
    if flow != "normalized-weights":
        raise ValueError(f"signs= applies only to flow 'normalized-weights', not {flow!r}")
    try:
        vals = list(signs)
        out = tuple(int(s) for s in vals)
    except (TypeError, ValueError):
        raise ValueError(f"signs must be a list of +1/-1, got {signs!r}") from None
    if len(out) != H or any(s not in (1, -1) or s != v for s, v in zip(out, vals)):
        raise ValueError(f"signs must be {H} values each +1 or -1, got {list(signs)}")
    return out


def dim(flow: str, H: int) -> int:
    return 3 * H + 1 if check_flow(flow) == "standard" else 2 * H + 1


def coordinate_names(flow: str, H: int) -> list[str]:
    first = {"normalized": "phi", "normalized-weights": "b", "standard": "w"}[check_flow(flow)]
    names = [f"{first}_{j + 1}" for j in range(H)]
    if flow == "standard":
        names += [f"b_{j + 1}" for j in range(H)]
    return names + [f"v_{j + 1}" for j in range(H)] + ["c"]


def parameters(ar, flow: str, y: Sequence[Any], H: int, signs: Sequence[int]):
    """``(w, b, v, c)`` of the network at state ``y``."""
    if flow == "normalized":
        phi = y[:H]
        w = [ar.fn("cos")(t) for t in phi]
        b = [ar.fn("sin")(t) for t in phi]
        return w, b, list(y[H:2 * H]), y[2 * H]
    if flow == "normalized-weights":
        w = [ar.rational(s, 1) for s in signs]
        return w, list(y[:H]), list(y[H:2 * H]), y[2 * H]
    return list(y[:H]), list(y[H:2 * H]), list(y[2 * H:3 * H]), y[3 * H]


def gradient(flow: str, w, b, v, res: KernelResult) -> list:
    """The gradient of the risk in the flow's state coordinates."""
    H = len(w)
    Gv = [2 * (w[j] * res.X[j] + b[j] * res.Y[j]) for j in range(H)]
    if flow == "normalized":
        first = [2 * v[j] * (w[j] * res.Y[j] - b[j] * res.X[j]) for j in range(H)]
    elif flow == "normalized-weights":
        first = [2 * v[j] * res.Y[j] for j in range(H)]
    else:
        first = [2 * v[j] * res.X[j] for j in range(H)] + [2 * v[j] * res.Y[j] for j in range(H)]
    return first + Gv + [res.Gc]
