"""Argument checks shared by the reference simulation (floats only, nothing rigorous)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from verifier.field import flows

FLOWS: tuple[str, ...] = flows.FLOWS

#: Smallest relative tolerance DOP853 accepts without complaint (scipy clamps below it).
MIN_RTOL: float = 100.0 * float(np.finfo(float).eps)


def check_flow(flow: Any) -> str:
    """Return ``flow`` if it names one of :data:`FLOWS`, else raise a one-line ValueError."""
    return flows.check_flow(flow)


def check_signs(signs: Any, flow: str, width: int) -> tuple[int, ...] | None:
    """The frozen weight signs of ``normalized-weights`` (``None``: all +1), checked by
    :func:`verifier.field.flows.check_signs`."""
    if signs is None:
        return None
    try:
        signs = [s for s in np.ravel(np.asarray(signs, dtype=object))]
    except (TypeError, ValueError):
        raise ValueError(f"signs must be a sequence of +1/-1, got {signs!r}") from None
    return flows.check_signs(signs, width, flow)


def check_state(y0: Any, dim: int, name: str = "y0") -> np.ndarray:
    """Return ``y0`` as a fresh 1-D float array of length ``dim``; raise a one-line ValueError."""
    try:
        y = np.array(y0, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a sequence of {dim} real numbers") from None
    if y.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {y.shape}")
    if y.size != dim:
        raise ValueError(f"{name} has length {y.size}, expected {dim}")
    if not np.all(np.isfinite(y)):
        raise ValueError(f"{name} has non-finite entries: {y.tolist()}")
    return y


def check_positive(value: Any, name: str, *, allow_zero: bool = False) -> float:
    """Return ``value`` as a finite float that is > 0 (or >= 0); raise a one-line ValueError."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number, got {value!r}") from None
    if not math.isfinite(v) and not (name == "max_step" and v == math.inf):
        raise ValueError(f"{name} must be finite, got {v}")
    if v < 0 or (v == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, got {v}")
    return v


def check_t_eval(t_eval: Any, horizon: float) -> np.ndarray | None:
    """Validate requested output times: finite, non-decreasing, inside ``[0, horizon]``."""
    if t_eval is None:
        return None
    try:
        t = np.array(t_eval, dtype=float).ravel()
    except (TypeError, ValueError):
        raise ValueError("t_eval must be a sequence of real numbers") from None
    if t.size == 0:
        raise ValueError("t_eval is empty")
    if not np.all(np.isfinite(t)):
        raise ValueError("t_eval has non-finite entries")
    if np.any(np.diff(t) < 0):
        raise ValueError("t_eval must be sorted in increasing order")
    if t[0] < 0 or t[-1] > horizon:
        raise ValueError(f"t_eval must lie in [0, horizon] = [0, {horizon}]")
    return t
