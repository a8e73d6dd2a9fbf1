"""The region of initial values, its exact root box and the bisection tree.

**Coordinates.** A sweep names the state coordinates of the flow without the
underscore: ``phi1..phiH, v1..vH, c`` for the normalized flow (``b1..bH`` for
``normalized-weights``; ``w1..wH, b1..bH`` first for ``standard``). For ``H = 1``
the unindexed names ``phi``, ``v`` (``b``, ``w``) are accepted on input.

**Ranges and the root box.** Each coordinate is either *free*, with a range
``[given_lo, given_hi]`` whose ends are real constants (``-pi``, ``1/3``,
``sqrt(2)``), or *fixed* at an exact rational value (a 2-D slice fixes all but two).
Certificates need exact rational corners, so an irrational end is replaced by a
decimal with ``digits`` places rounded *outward* (the lower end down, the upper
end up), proven in ball arithmetic: the root box

    R = prod_i [lo_i, hi_i],   lo_i <= given_lo_i,  hi_i >= given_hi_i,  lo_i, hi_i in Q,

contains the requested region, and every claim of a sweep is about ``R`` (a fixed
coordinate has ``lo_i = hi_i``).

**The bisection tree.** A node is named by its path from the root, ``"R"`` followed
by one token ``.NAMEs`` per bisection, ``s`` being ``-`` (lower half) or ``+``
(upper half) of the named free coordinate at its exact midpoint. The box of a node
is a function of the root and the path alone (:meth:`Region.box`), so a reader
recomputes it exactly. Because ``[lo, mid] ∪ [mid, hi] = [lo, hi]``, the leaves of
any finite tree of such bisections cover ``R``, and their interiors are disjoint.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from verifier.arith.numbers import (
    MAX_COORDINATE,
    coordinate_or_none,
    decimal_text,
    exact_value,
    parse_coordinate,
)
from verifier.checker.sweep_text import describe_region
from verifier.field import flows

#: Default number of decimal places of an outward-rounded irrational range end.
DEFAULT_DIGITS = 4
#: Default ranges for ``H = 1`` in the normalized flow (docs/sweeps.md).
DEFAULT_RANGES = {"phi": ("-pi", "pi"), "v": ("-3", "3"), "c": ("-3", "3")}

Box = tuple[tuple[Fraction, Fraction], ...]
_TOKEN = re.compile(r"([a-z]+[0-9]*)([-+])\Z")


# -- exact numbers as text -------------------------------------------------------------
def outward(text: str | int | Fraction, digits: int, up: bool, what: str) -> Fraction:
    """An exact rational ``q`` with ``q <= value`` (``up=False``) or ``q >= value``
    (``up=True``) for the real constant ``text`` (parsed by the whitelist parser).

    Rationals are returned unchanged. Irrational values are enclosed in a ball at
    256 bits; the ball's exact end is rounded outward to ``digits`` decimal places,
    so the inequality is proven, not estimated."""
    if isinstance(text, int | Fraction) and not isinstance(text, bool):
        return Fraction(text)
    exact = coordinate_or_none(text)
    if exact is not None:
        return exact
    ball = constant_ball(text, what)
    q = exact_value(ball.upper() if up else ball.lower())
    scale = 10**digits
    n = math.ceil(q * scale) if up else math.floor(q * scale)
    return Fraction(n, scale)


def constant_ball(text: Any, what: str):
    """A ``flint.arb`` enclosing the real constant ``text`` at 256 bits."""
    from verifier.arith.precision import precision
    from verifier.expr.values import constant_ball as ball_of

    with precision(256):
        ball = ball_of(text, what)
        if not (ball.is_finite() and abs(ball) <= MAX_COORDINATE):
            raise ValueError(f"{what}: cannot enclose {text!r} within +-{MAX_COORDINATE:g}")
        return ball


# -- names -------------------------------------------------------------------------------
def sweep_names(flow: str, width: int) -> list[str]:
    """Coordinate names of a sweep (``phi1, v1, c``): the flow's names without ``_``."""
    return [n.replace("_", "") for n in flows.coordinate_names(flow, width)]


def resolve_name(name: str, names: Sequence[str]) -> str:
    """The canonical name for ``name`` (``phi``/``v`` for ``H = 1``, ``phi_1`` too)."""
    key = name.strip().lower().replace("_", "")
    if key in names:
        return key
    if f"{key}1" in names and f"{key}2" not in names:
        return f"{key}1"
    raise ValueError(f"unknown coordinate {name!r} (the coordinates are {', '.join(names)})")


# -- the region ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Range:
    """One coordinate of the region: ``given`` as typed, ``lo``/``hi`` exact.

    ``fixed`` coordinates have ``lo == hi`` and are never bisected."""

    name: str
    given: tuple[str, str] | str
    lo: Fraction
    hi: Fraction

    @property
    def fixed(self) -> bool:
        return isinstance(self.given, str)

    def to_dict(self) -> dict:
        if self.fixed:
            return {"name": self.name, "given": self.given, "box": decimal_text(self.lo)}
        return {"name": self.name, "given": list(self.given),
                "box": [decimal_text(self.lo), decimal_text(self.hi)]}


def make_range(name: str, spec: Any, digits: int = DEFAULT_DIGITS) -> Range:
    """A :class:`Range` from ``(lo, hi)`` (real constants) or one exact value (fixed)."""
    if isinstance(spec, tuple | list):
        if len(spec) != 2:
            raise ValueError(f"range of {name}: give (lo, hi)")
        glo, ghi = (_text(s) for s in spec)
        lo = outward(glo, digits, up=False, what=f"lower end of {name}")
        hi = outward(ghi, digits, up=True, what=f"upper end of {name}")
        if coordinate_or_none(glo) is None or coordinate_or_none(ghi) is None:
            # irrational ends: the requested interval must be non-empty too
            if not constant_ball(ghi, name).upper() >= constant_ball(glo, name).lower():
                raise ValueError(f"range of {name}: empty interval [{glo}, {ghi}]")
        if not lo < hi:
            raise ValueError(f"range of {name}: [{glo}, {ghi}] must have lo < hi "
                             "(give one value for a fixed coordinate)")
        return Range(name, (glo, ghi), lo, hi)
    text = _text(spec)
    value = coordinate_or_none(text)
    if value is None:
        raise ValueError(f"fixed {name} = {text!r}: a fixed coordinate must be an exact "
                         "rational (give a decimal, or a range LO:HI)")
    return Range(name, text, value, value)


def _text(v: Any) -> str:
    if isinstance(v, bool) or isinstance(v, float):
        raise ValueError(f"give exact numbers as strings (decimals, fractions, pi), not {v!r}")
    if isinstance(v, int | Fraction):
        return decimal_text(Fraction(v))
    if not isinstance(v, str) or not v.strip():
        raise ValueError(f"not a number: {v!r}")
    return v.strip()


def parse_range_text(text: str) -> tuple[str, Any]:
    """``"phi=-pi:pi"`` -> ``("phi", ("-pi", "pi"))``; ``"c=0"`` -> ``("c", "0")``."""
    if "=" not in text:
        raise ValueError(f"--range {text!r}: expected NAME=LO:HI or NAME=VALUE")
    name, _, rest = text.partition("=")
    if ":" in rest:
        lo, _, hi = rest.partition(":")
        return name.strip(), (lo.strip(), hi.strip())
    return name.strip(), rest.strip()


class Region:
    """The root box ``R`` of a sweep and the boxes of its bisection tree (module doc)."""

    def __init__(self, ranges: Sequence[Range]) -> None:
        self.ranges = tuple(ranges)
        self.names = [r.name for r in self.ranges]
        self.free = [i for i, r in enumerate(self.ranges) if not r.fixed]
        self.root: Box = tuple((r.lo, r.hi) for r in self.ranges)
        self._index = {n: i for i, n in enumerate(self.names)}

    @classmethod
    def build(cls, names: Sequence[str], ranges: dict[str, Any] | Iterable | None,
              digits: int = DEFAULT_DIGITS, defaults: dict[str, Any] | None = None) -> Region:
        """The region from ``{name: (lo, hi) | value}`` (names resolved as in
        :func:`resolve_name`); coordinates not given take ``defaults`` (by name,
        unindexed names apply to every index) and are an error otherwise."""
        items = list(ranges.items()) if isinstance(ranges, dict) else list(ranges or [])
        given: dict[str, Any] = {}
        for name, spec in items:
            key = resolve_name(name, names)
            if key in given:
                raise ValueError(f"coordinate {key} is given twice")
            given[key] = spec
        out = []
        for n in names:
            if n in given:
                spec = given[n]
            else:
                base = n.rstrip("0123456789")
                spec = (defaults or {}).get(n, (defaults or {}).get(base))
                if spec is None:
                    raise ValueError(f"give a range for {n} (--range {n}=LO:HI or {n}=VALUE)")
            out.append(make_range(n, spec, digits))
        return cls(out)

    # -- serialization -------------------------------------------------------------------
    def to_list(self) -> list[dict]:
        return [r.to_dict() for r in self.ranges]

    @classmethod
    def from_list(cls, items: list[dict]) -> Region:
        out = []
        for d in items:
            if d.get("given") is None or d.get("box") is None:
                raise ValueError("region entries need name, given and box")
            if isinstance(d["given"], list):
                lo = parse_coordinate(d["box"][0], d["name"])
                hi = parse_coordinate(d["box"][1], d["name"])
                out.append(Range(d["name"], tuple(d["given"]), lo, hi))
            else:
                v = parse_coordinate(d["box"], d["name"])
                out.append(Range(d["name"], d["given"], v, v))
        return cls(out)

    # -- the tree -------------------------------------------------------------------------
    def path(self, node: str) -> list[tuple[int, int]]:
        """``[(coordinate index, 0 lower | 1 upper), ...]`` of a node name."""
        parts = node.split(".")
        if parts[0] != "R":
            raise ValueError(f"node {node!r} must start with R")
        out = []
        for tok in parts[1:]:
            m = _TOKEN.match(tok)
            if not m or m.group(1) not in self._index:
                raise ValueError(f"node {node!r}: bad token {tok!r}")
            i = self._index[m.group(1)]
            if i not in self.free:
                raise ValueError(f"node {node!r}: {m.group(1)} is fixed")
            out.append((i, 0 if m.group(2) == "-" else 1))
        return out

    def box(self, node: str) -> Box:
        """The exact box of a node: bisect the root along its path."""
        box = list(self.root)
        for i, side in self.path(node):
            lo, hi = box[i]
            mid = (lo + hi) / 2
            box[i] = (lo, mid) if side == 0 else (mid, hi)
        return tuple(box)

    def children(self, node: str, axis: int) -> tuple[str, str]:
        name = self.names[axis]
        return f"{node}.{name}-", f"{node}.{name}+"

    def fraction(self, box: Box) -> Fraction:
        """Volume of ``box`` over the free coordinates, relative to the root's."""
        q = Fraction(1)
        for i in self.free:
            q *= (box[i][1] - box[i][0]) / (self.root[i][1] - self.root[i][0])
        return q

    def initial(self, box: Box) -> list:
        """The box as the exact initial set of :func:`certify` (a pair per free
        coordinate, one string per fixed one)."""
        out: list = []
        for i, (lo, hi) in enumerate(box):
            if i in self.free:
                out.append([decimal_text(lo), decimal_text(hi)])
            else:
                out.append(decimal_text(lo))
        return out

    def describe(self) -> str:
        """The root box as a statement: ``phi1 in [-3.1416, 3.1416] ⊇ [-pi, pi], ...``."""
        return describe_region(self.to_list())
