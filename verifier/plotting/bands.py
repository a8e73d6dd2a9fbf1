"""Tubes as float bands for plots: from an in-memory :class:`~verifier.Tube` or a certificate.

A :class:`Bands` object holds, per step ``[t0, t1]``, the a priori box (it contains
every solution from the initial set for *all* ``t`` in ``[t0, t1]``), as float
lower/upper bounds rounded outward. Drawn as a step band, it is a picture of what
the tube proves: every trajectory from the initial set stays inside the band.
Floats only: for plots and tables, never for proofs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from flint import arb

from verifier.arith.numbers import parse_rational


def _value(text: str) -> float:
    """A number of a file (exact text) as a float, for drawing."""
    return float(parse_rational(text, "number", strict=True))


def _down(x: arb) -> float:
    return float(np.nextafter(float(x.lower()), -np.inf))


def _up(x: arb) -> float:
    return float(np.nextafter(float(x.upper()), np.inf))


def _rows(boxes: list[list[arb]]) -> tuple[np.ndarray, np.ndarray]:
    lo = np.array([[_down(x) for x in r] for r in boxes], dtype=float)
    hi = np.array([[_up(x) for x in r] for r in boxes], dtype=float)
    return lo, hi


@dataclass
class Bands:
    """Float bands of a tube (see the module docstring).

    ``t0, t1``: step ends, shape ``(steps,)``; ``lo, hi``: a priori bounds, shape
    ``(steps, dim)``; ``initial_lo/hi`` and ``final_lo/hi``: the initial box and the
    enclosure at ``t_reached``, shape ``(dim,)``.
    """

    names: list[str]
    flow: str
    width: int
    signs: tuple[int, ...] | None
    t0: np.ndarray
    t1: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    initial_lo: np.ndarray
    initial_hi: np.ndarray
    final_lo: np.ndarray
    final_hi: np.ndarray
    status: str
    problem: dict | None = None
    horizon: float = float("nan")

    @property
    def t_reached(self) -> float:
        return float(self.t1[-1]) if self.t1.size else 0.0

    def index(self, name: str) -> int:
        try:
            return self.names.index(name)
        except ValueError:
            raise ValueError(f"no coordinate {name!r} (have {', '.join(self.names)})") from None

    def box_at(self, t: float) -> tuple[np.ndarray, np.ndarray]:
        """Float bounds of a box containing every solution at time ``t``: the initial box
        at ``t = 0``, the final enclosure at ``t_reached``, otherwise the intersection of
        the a priori boxes of the steps whose interval contains ``t``."""
        if t <= 0 or not self.t1.size:
            return self.initial_lo.copy(), self.initial_hi.copy()
        if t > self.t_reached:
            raise ValueError(f"t = {t} lies beyond the tube (t_reached = {self.t_reached})")
        if t == self.t_reached:
            return self.final_lo.copy(), self.final_hi.copy()
        mask = (self.t0 <= t) & (t <= self.t1)
        return self.lo[mask].max(0), self.hi[mask].min(0)

    def step_band(self, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(t, lo, hi)`` arrays of coordinate ``k`` drawn as a step function
        (two points per step) for ``fill_between``."""
        t = np.column_stack([self.t0, self.t1]).ravel()
        lo = np.repeat(self.lo[:, k], 2)
        hi = np.repeat(self.hi[:, k], 2)
        return t, lo, hi


def bands_from_tube(tube: Any, problem: Any = None) -> Bands:
    """The bands of an in-memory :class:`verifier.Tube`."""
    lo, hi = tube.bounds("apriori")
    ilo, ihi = _rows([list(tube.initial)])
    flo, fhi = _rows([list(tube.final)]) if tube.final else (ilo, ihi)
    width = problem.width if problem is not None else _width(tube.flow, len(tube.names))
    return Bands(
        names=list(tube.names), flow=tube.flow, width=width,
        signs=None if tube.signs is None else tuple(tube.signs),
        t0=np.array([float(s.t0) for s in tube.steps], dtype=float),
        t1=np.array([float(s.t1) for s in tube.steps], dtype=float),
        lo=lo.reshape(len(tube.steps), len(tube.names)),
        hi=hi.reshape(len(tube.steps), len(tube.names)),
        initial_lo=ilo[0], initial_hi=ihi[0], final_lo=flo[0], final_hi=fhi[0],
        status=tube.status.value, problem=None if problem is None else problem.to_dict(),
        horizon=float(tube.horizon),
    )


def bands_from_certificate(doc: dict) -> Bands:
    """The bands of a certificate document (parsed JSON; not re-checked here).

    The a priori boxes are decoded exactly from the file; the initial box from its
    exact strings; the final box from the file's outward decimal ``final_enclosure``
    (all rounded outward to floats).
    """
    from verifier.arith.exact import decode_vector
    from verifier.field import flows

    H = int(doc["problem"]["width"])
    names = flows.coordinate_names(doc["flow"], H)
    n = len(names)
    steps = doc["steps"]
    boxes = [decode_vector(s["apriori"], n, "apriori") for s in steps]
    lo, hi = _rows(boxes) if boxes else (np.empty((0, n)), np.empty((0, n)))

    def ends(e: Any) -> tuple[float, float]:  # exact decimals, rounded outward to floats
        a, b = (e[0], e[1]) if isinstance(e, list) else (e, e)
        return (float(np.nextafter(_value(a), -np.inf)),
                float(np.nextafter(_value(b), np.inf)))

    init = np.array([ends(e) for e in doc["initial"]], dtype=float)
    fin = np.array([ends(e) for e in doc["final_enclosure"]], dtype=float)
    signs = doc.get("signs")
    return Bands(
        names=names, flow=doc["flow"], width=H,
        signs=None if signs is None else tuple(signs),
        t0=np.array([_value(s["t0"]) for s in steps], dtype=float),
        t1=np.array([_value(s["t1"]) for s in steps], dtype=float),
        lo=lo, hi=hi, initial_lo=init[:, 0], initial_hi=init[:, 1],
        final_lo=fin[:, 0], final_hi=fin[:, 1], status=doc["status"],
        problem=doc["problem"], horizon=_value(doc["horizon"]),
    )


def as_bands(obj: Any, problem: Any = None) -> Bands:
    """A :class:`Bands` from bands, a Tube, a Certificate or a certificate document."""
    if isinstance(obj, Bands):
        return obj
    if isinstance(obj, dict):
        return bands_from_certificate(obj)
    if hasattr(obj, "data") and isinstance(obj.data, dict):  # a Certificate
        return bands_from_certificate(obj.data)
    if hasattr(obj, "steps") and hasattr(obj, "names"):  # a Tube
        return bands_from_tube(obj, problem)
    raise TypeError(f"cannot draw bands of {type(obj).__name__}")


def _width(flow: str, dim: int) -> int:
    return (dim - 1) // 3 if flow == "standard" else (dim - 1) // 2
