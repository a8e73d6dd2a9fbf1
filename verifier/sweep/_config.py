"""The configuration of a sweep: everything its result depends on, and its hash.

Two runs with equal configurations (equal :attr:`SweepConfig.digest`) compute the
same tree: the root box, the certification parameters of every box and the
splitting rule are all in here; where the work runs (scheduler, workers) and where
it is written are not.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from verifier.arith.numbers import decimal_text, parse_coordinate, parse_horizon
from verifier.sweep._region import Box, Region

#: Schema version of sweep files.
FORMAT = "ngf-sweep/1"
#: Splitting rules (:func:`verifier.sweep._task.choose_axis`).
SPLIT_RULES = ("widest", "sensitive")
#: Most decimal places of an outward-rounded irrational range end.
MAX_DIGITS = 30
#: Default minimum size of a leaf, relative to the root's width in each coordinate.
DEFAULT_MIN_FRACTION = Fraction(1, 8)
#: Set representations of the leaves' tubes (:func:`verifier.certificates.certify.certify`).
SET_TYPES = ("auto", "taylor-model")


@dataclass(frozen=True)
class SweepConfig:
    """Problem, region and certification parameters of a sweep.

    ``min_size[i]``: a free coordinate ``i`` is bisected only while its width is at
    least ``2 * min_size[i]`` (so no leaf is narrower than ``min_size[i]``).
    ``split_horizon``: with ``forever``, boxes whose infinite-horizon argument
    failed (``bounded-on-horizon``) are bisected too, not only ``failed`` ones.
    ``regimes``: try a regime cover (:func:`verifier.regimes.prove_region`) on every
    box before its tube; ``None`` is a file written before region arguments existed
    (its config has no such key, its leaves are all tubes).
    ``set_type``/``degree``: the set representation of the tubes of leaves with a
    coordinate of positive width (``"taylor-model"``: Taylor models of that degree in
    the initial coordinates, docs/taylor-models.md); stored in the config (and hashed)
    unless ``"auto"``, so files written before the key existed keep their hash.
    """

    problem: dict
    flow: str
    signs: list[int] | None
    region: Region
    horizon: Fraction
    prec: int = 53
    order: int | None = None
    forever: bool = True
    trap_budget: float = 20.0
    max_steps: int = 1000
    width_limit: float = 1.0
    min_size: tuple[Fraction, ...] = ()
    split: str = "widest"
    split_horizon: bool = True
    digits: int = 4
    energy_tail: bool = True
    regimes: bool | None = True
    set_type: str = "auto"
    degree: int = 4
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.split not in SPLIT_RULES:
            raise ValueError(f"split must be one of {', '.join(SPLIT_RULES)}, got {self.split!r}")
        if len(self.min_size) != len(self.region.names):
            raise ValueError("min_size needs one value per coordinate")
        if any(m <= 0 for i, m in enumerate(self.min_size) if i in self.region.free):
            raise ValueError("min_size must be positive")
        if not self.horizon > 0:
            raise ValueError("horizon must be positive")
        if not self.width_limit > 0 or not self.trap_budget >= 0 or self.max_steps < 1:
            raise ValueError("width_limit and max_steps must be positive, trap_budget >= 0")
        if self.set_type not in SET_TYPES:
            raise ValueError(f"set must be one of {', '.join(SET_TYPES)}, got {self.set_type!r}")
        if (isinstance(self.degree, bool) or not isinstance(self.degree, int)
                or not 1 <= self.degree <= 12):
            raise ValueError(f"degree must be an integer between 1 and 12, got {self.degree!r}")

    # -- the document ---------------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "problem": self.problem,
            "flow": self.flow,
            "signs": self.signs,
            "coordinates": self.region.names,
            "region": self.region.to_list(),
            "horizon": decimal_text(self.horizon),
            "prec": self.prec,
            "order": self.order,
            "forever": self.forever,
            "trap_budget": self.trap_budget,
            "max_steps": self.max_steps,
            "width_limit": self.width_limit,
            "min_size": [decimal_text(m) for m in self.min_size],
            "split": self.split,
            "split_horizon": self.split_horizon,
            "digits": self.digits,
            "energy_tail": self.energy_tail,
        } | ({} if self.regimes is None else {"regimes": self.regimes}) | (
            {} if self.set_type == "auto" else {"set": self.set_type, "degree": self.degree})

    @classmethod
    def from_dict(cls, d: dict) -> SweepConfig:
        try:
            return cls(
                problem=d["problem"], flow=d["flow"], signs=d["signs"],
                region=Region.from_list(d["region"]),
                horizon=parse_horizon(d["horizon"]),
                prec=d["prec"], order=d["order"], forever=d["forever"],
                trap_budget=d["trap_budget"], max_steps=d["max_steps"],
                width_limit=d["width_limit"],
                min_size=tuple(parse_coordinate(m, "min_size") for m in d["min_size"]),
                split=d["split"], split_horizon=d["split_horizon"], digits=d["digits"],
                energy_tail=d.get("energy_tail", False), regimes=d.get("regimes"),
                set_type=d.get("set", "auto"), degree=d.get("degree", 4),
            )
        except (KeyError, TypeError, IndexError) as e:
            raise ValueError(f"not a sweep configuration ({type(e).__name__}: {e})") from None

    @property
    def digest(self) -> str:
        """SHA-256 of the canonical JSON of :meth:`to_dict`."""
        cached = self._cache.get("digest")
        if cached is None:
            cached = config_digest(self.to_dict())
            self._cache["digest"] = cached
        return cached

    # -- the tree ---------------------------------------------------------------------
    def splittable(self, box: Box) -> list[int]:
        """Free coordinates that may still be bisected in ``box``."""
        return [i for i in self.region.free
                if box[i][1] - box[i][0] >= 2 * self.min_size[i]]

    def wants_split(self, status: str, tail: bool = False) -> bool:
        """Whether a box with this certificate status is bisected (when it can be); a
        box whose enclosure was lost (``failed``, or bounded by the energy ``tail``)
        always is."""
        if status == "failed" or tail:
            return True
        return status == "bounded-on-horizon" and self.forever and self.split_horizon


def config_digest(d: dict) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces) of a config document."""
    text = json.dumps(d, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def make_config(problem: Any, ranges: Any = None, horizon: Any = 20, *,
                flow: str = "normalized", signs: Any = None, prec: int = 53,
                order: int | None = None, forever: bool = True, trap_budget: float = 20.0,
                max_steps: int = 1000, width_limit: float = 1.0,
                min_size: Any = None, split: str = "widest", split_horizon: bool = True,
                digits: int = 4, energy_tail: bool = True,
                regimes: bool = True, set_type: str = "auto", degree: int = 4) -> SweepConfig:
    """A :class:`SweepConfig` from user values (see :func:`verifier.sweep.sweep`)."""
    from verifier.field import flows
    from verifier.sweep._region import DEFAULT_RANGES, resolve_name, sweep_names

    flows.check_flow(flow)
    H = problem.width
    if signs is not None:
        signs = list(flows.check_signs(signs, H, flow))
    names = sweep_names(flow, H)
    defaults = DEFAULT_RANGES if (H == 1 and flow == "normalized") else None
    region = Region.build(names, ranges, digits=digits, defaults=defaults)
    widths = [r.hi - r.lo for r in region.ranges]
    if min_size is None:
        mins = [w * DEFAULT_MIN_FRACTION for w in widths]
    elif isinstance(min_size, dict):
        mins = [w * DEFAULT_MIN_FRACTION for w in widths]
        for k, v in min_size.items():
            if k == "*":
                mins = [parse_coordinate(_s(v), "min_size")] * len(names)
        for k, v in min_size.items():
            if k != "*":
                mins[names.index(resolve_name(k, names))] = parse_coordinate(_s(v), "min_size")
    else:
        mins = [parse_coordinate(_s(min_size), "min_size")] * len(names)
    if flow == "standard":
        _refuse_singular(region, H)
    mins = [m if i in region.free else Fraction(0) for i, m in enumerate(mins)]
    if not isinstance(prec, int) or isinstance(prec, bool):
        raise ValueError(f"prec must be an integer, got {prec!r}")
    if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits <= MAX_DIGITS:
        raise ValueError(f"digits must be an integer between 0 and {MAX_DIGITS}, got {digits!r}")
    if not (isinstance(trap_budget, int | float) and math.isfinite(trap_budget)):
        raise ValueError(f"trap_budget must be a finite number of seconds, got {trap_budget!r}")
    if not (isinstance(width_limit, int | float) and math.isfinite(width_limit)):
        raise ValueError(f"width_limit must be a finite number, got {width_limit!r}")
    return SweepConfig(
        problem=problem.to_dict(), flow=flow, signs=signs, region=region,
        horizon=parse_horizon(horizon), prec=prec, order=order, forever=bool(forever),
        trap_budget=float(trap_budget), max_steps=int(max_steps),
        width_limit=float(width_limit), min_size=tuple(mins), split=split,
        split_horizon=bool(split_horizon), digits=int(digits), energy_tail=bool(energy_tail),
        regimes=bool(regimes), set_type=set_type, degree=degree,
    )


def _refuse_singular(region: Region, H: int) -> None:
    """The standard flow is not defined where some ``(w_j, b_j) = (0, 0)``: a root box
    that contains such a state is refused before any work."""
    for j in range(H):
        (wl, wh), (bl, bh) = region.root[j], region.root[H + j]
        if wl <= 0 <= wh and bl <= 0 <= bh:
            raise ValueError(f"the region meets (w{j + 1}, b{j + 1}) = (0, 0), where the "
                             "standard flow is not defined: give a w or b range without 0")


def _s(v: Any) -> Any:
    return repr(v) if isinstance(v, float) else v
