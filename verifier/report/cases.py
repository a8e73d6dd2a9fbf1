"""The curated cases of ``proofs_data/``: what is certified, from where, for how long.

Each :class:`Case` is one ``certify`` run (one certificate file); each
:class:`SweepCase` is one region sweep (a JSON-lines file of boxes). The list
:data:`CASES` is the single source of truth: ``verifier reproduce`` rebuilds
``proofs_data/`` from it (or from the inputs recorded in a manifest, which are
the same fields), and ``verifier report`` groups the table by :attr:`Case.group`.

The groups:

* ``H=1``: the paper's theorem (every NGF trajectory is bounded for ``H = 1``),
  one trajectory per target on six targets, plus boxes of initial values, a
  non-uniform density and the ``normalized-weights`` reading of the flow;
* ``H=2``, ``H=3``: beyond the theorem (no proof in the paper);
* ``standard``: the standard gradient flow (boundedness open even for ``H = 1``),
  started from the *same initial realization* as a normalized case (``pair``);
* ``sweep``: a box of initial values covered by certified sub-boxes (tubes);
* ``region``: regions of initial values proven bounded for all time by regime covers
  (``verifier sweep`` with region arguments; the standard flow only where
  ``v^2 < w^2 + b^2``, the rest stated as fractions).

A case marked ``quick`` belongs to the CI-sized subset (``verifier reproduce --quick``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: The six targets of the built-in examples (``verifier --example``).
TARGETS: dict[str, str] = {
    "x2": "x**2",
    "abs": "Abs(x - 1/3)",
    "sin": "sin(3*x)",
    "pwl": "Piecewise((2*x, x < 1/3), (1 - x, x < 2/3), (x - 1/3, True))",
    "exp": "exp(x)",
    "cubic": "x**3 - x",
}

#: ``atan2(4/5, 3/5) = atan(4/3)`` lies in this interval (checked in the tests): a
#: normalized state with ``phi`` in it has the realization of the standard state
#: ``(w, b) = (3/5, 4/5)``.
ATAN_4_3 = ("0.92729521800161", "0.92729521800162")


@dataclass(frozen=True)
class Case:
    """One certificate of ``proofs_data/`` (the arguments of :func:`certify`).

    ``initial`` entries are exact decimal strings (a point coordinate) or
    ``(lo, hi)`` pairs (a box coordinate), in the state order of ``flow``.
    ``pair`` names the case that starts from the same initial realization under
    the other flow (used by the comparison figures).
    """

    name: str
    group: str
    description: str
    target: str
    initial: tuple
    horizon: str = "20"
    width: int = 1
    flow: str = "normalized"
    domain: tuple[str, str] = ("0", "1")
    density: str | None = None
    signs: tuple[int, ...] | None = None
    prec: int = 53
    order: int | None = None
    forever: bool = True
    trap_budget: float = 20.0
    quick: bool = False
    pair: str | None = None
    kind: str = field(default="certificate", init=False)

    @property
    def file(self) -> str:
        return f"{self.name}.json"

    def problem(self):
        """The :class:`verifier.Problem` of the case."""
        from verifier.problem import Problem

        return Problem(self.target, self.domain, self.density, self.width)

    def initial_list(self) -> list:
        """``initial`` as :func:`certify` takes it (pairs as tuples)."""
        return [tuple(e) if isinstance(e, list | tuple) else e for e in self.initial]

    def inputs(self) -> dict[str, Any]:
        """The recorded inputs (the manifest's fields from which the case is rebuilt)."""
        d = asdict(self)
        d["initial"] = [list(e) if isinstance(e, list | tuple) else e for e in self.initial]
        d["domain"] = list(self.domain)
        d["signs"] = None if self.signs is None else list(self.signs)
        return d

    @classmethod
    def from_inputs(cls, d: dict[str, Any]) -> Case:
        """The inverse of :meth:`inputs` (unknown keys are refused)."""
        d = dict(d)
        if d.pop("kind", "certificate") != "certificate":
            raise ValueError("not a certificate case")
        d["initial"] = tuple(tuple(e) if isinstance(e, list) else e for e in d["initial"])
        d["domain"] = tuple(d.get("domain", ("0", "1")))
        if d.get("signs") is not None:
            d["signs"] = tuple(d["signs"])
        return cls(**d)


@dataclass(frozen=True)
class SweepCase:
    """A region sweep of ``proofs_data/`` (``verifier sweep``): ``region`` is a tuple of
    ``(coordinate, "LO:HI" or "VALUE")`` pairs (``--range NAME=SPEC``); ``signs`` the
    frozen weights of ``normalized-weights``; ``options`` are further ``verifier sweep``
    options as ``(name, value)`` pairs (``min_size`` -> ``--min-size``; ``True`` for a
    flag)."""

    name: str
    group: str
    description: str
    target: str
    region: tuple[tuple[str, str], ...]
    horizon: str = "20"
    width: int = 1
    flow: str = "normalized"
    domain: tuple[str, str] = ("0", "1")
    density: str | None = None
    options: tuple[tuple[str, Any], ...] = ()
    quick: bool = False
    signs: tuple[int, ...] | None = None
    kind: str = field(default="sweep", init=False)

    @property
    def file(self) -> str:
        return f"{self.name}.jsonl"

    def problem(self):
        from verifier.problem import Problem

        return Problem(self.target, self.domain, self.density, self.width)

    def inputs(self) -> dict[str, Any]:
        d = asdict(self)
        d["region"] = [[k, v] for k, v in self.region]
        d["domain"] = list(self.domain)
        d["options"] = [[k, v] for k, v in self.options]
        if self.signs is None:
            del d["signs"]  # entries written before sweeps had signs stay as they were
        else:
            d["signs"] = list(self.signs)
        return d

    @classmethod
    def from_inputs(cls, d: dict[str, Any]) -> SweepCase:
        d = dict(d)
        if d.pop("kind", "sweep") != "sweep":
            raise ValueError("not a sweep case")
        d["region"] = tuple((str(k), str(v)) for k, v in d["region"])
        d["domain"] = tuple(d.get("domain", ("0", "1")))
        d["options"] = tuple((str(k), v) for k, v in d.get("options") or ())
        if d.get("signs") is not None:
            d["signs"] = tuple(d["signs"])
        return cls(**d)


#: Short names of the targets for descriptions.
LABELS: dict[str, str] = {"x2": "x^2", "abs": "|x - 1/3|", "sin": "sin(3x)",
                          "pwl": "a 3-piece linear function", "exp": "e^x", "cubic": "x^3 - x"}


def _h1(key: str, init: tuple, quick: bool = False, **kw: Any) -> Case:
    return Case(name=f"h1-{key}", group="H=1",
                description=f"NGF, H = 1, f(x) = {LABELS[key]}, one trajectory",
                target=TARGETS[key], initial=init, quick=quick, **kw)


CASES: tuple[Case | SweepCase, ...] = (
    # -- H = 1: the paper's theorem, six targets ------------------------------------------
    _h1("x2", ("0.6", "0.5", "0.2")),
    _h1("abs", ("-2.5", "1", "0.3"), quick=True),
    _h1("sin", ("0.3", "0.7", "-0.1")),
    _h1("pwl", ("-1.2", "0.8", "0.1"), quick=True),
    _h1("exp", ("0.2", "0.5", "0.5")),
    _h1("cubic", ("2.5", "1", "0")),
    Case("h1-sin-box", "H=1", "NGF, H = 1, f(x) = sin(3x), a box of initial values "
         "(width 0.002 in each coordinate)", TARGETS["sin"],
         (("0.299", "0.301"), ("0.699", "0.701"), ("-0.101", "-0.099")), horizon="20"),
    Case("h1-x2-density", "H=1", "NGF, H = 1, f(x) = x^2 with the input density 2x",
         TARGETS["x2"], ("0.6", "0.5", "0.2"), density="2*x", horizon="20"),
    Case("h1-abs-weights", "H=1", "normalized-weights flow (|w| = 1 frozen, w = -1), H = 1, "
         "f(x) = |x - 1/3|", TARGETS["abs"], ("0.5", "0.8", "0.1"),
         flow="normalized-weights", signs=(-1,), horizon="20"),
    Case("h1-x2-pair", "H=1", "NGF, H = 1, f(x) = x^2, (w, b) = (3/5, 4/5) up to a box "
         "of width 1e-14 in phi around atan(4/3) (paired with std-x2)",
         TARGETS["x2"], (ATAN_4_3, "0.5", "0.2"), horizon="20", pair="std-x2"),
    # -- beyond the theorem ------------------------------------------------------------
    Case("h2-abs", "H=2", "NGF, H = 2, f(x) = |x - 1/3|, one trajectory", TARGETS["abs"],
         ("-2.5", "0.5", "1", "0.5", "0.3"), width=2, horizon="20"),
    Case("h2-x2-box", "H=2", "NGF, H = 2, f(x) = x^2, a box of width 0.02 in phi_1",
         TARGETS["x2"], (("0.59", "0.61"), "-2.2", "0.5", "0.4", "0.1"), width=2,
         horizon="10", quick=True),
    Case("h3-sin", "H=3", "NGF, H = 3, f(x) = sin(3x), one trajectory", TARGETS["sin"],
         ("0.3", "-2.5", "1.5", "0.7", "0.5", "-0.4", "-0.1"), width=3, horizon="10"),
    # -- the standard flow (open even for H = 1) ------------------------------------------
    Case("std-x2", "standard", "standard GF, H = 1, f(x) = x^2, (w, b) = (3/5, 4/5) "
         "(the realization of h1-x2-pair)", TARGETS["x2"], ("0.6", "0.8", "0.5", "0.2"),
         flow="standard", horizon="20", pair="h1-x2-pair"),
    Case("std-abs", "standard", "standard GF, H = 1, f(x) = |x - 1/3|",
         TARGETS["abs"], ("-0.8", "0.6", "1", "0.3"), flow="standard", horizon="20"),
    Case("std-pwl", "standard", "standard GF, H = 1, f(x) = a 3-piece linear function",
         TARGETS["pwl"], ("0.4", "-0.9", "0.8", "0.1"), flow="standard", horizon="20",
         quick=True),
    Case("std-sin-h2", "standard", "standard GF, H = 2, f(x) = sin(3x)", TARGETS["sin"],
         ("0.8", "-0.6", "0.6", "0.8", "1.1", "-0.5", "0.1"), width=2, flow="standard",
         horizon="10"),
    # -- a region sweep of tubes (H = 1) ------------------------------------------------
    # Boxes this wide lose their enclosure at once; every leaf is bounded on [0, T] by
    # the energy inequality (docs/certificates.md), a statement for the whole region.
    # Region arguments are off: the same region closes by one regime cover below.
    SweepCase("sweep-h1-x2", "sweep", "NGF, H = 1, f(x) = x^2: every initial value with "
              "phi in [-pi, pi], |v|, |c| <= 1 (energy-tail bounds on [0, 20])",
              TARGETS["x2"], (("phi", "-pi:pi"), ("v", "-1:1"), ("c", "-1:1")),
              horizon="20", options=(("min_size", "1.5"), ("min_size", "v=2"),
                                     ("min_size", "c=2"), ("max_steps", "6"),
                                     ("width_limit", "4"), ("trap_budget", "2"),
                                     ("workers", "2"), ("no_regimes", True))),
)


#: The region of issue 14 for the angle flows: phi in [-pi, pi], |v|, |c| <= 1.
_R = (("phi", "-pi:pi"), ("v", "-1:1"), ("c", "-1:1"))
_UNIT = (("b", "-1:1"), ("v", "-1:1"), ("c", "-1:1"))
_SERIAL = (("scheduler", "synchronous"),)  # one leaf: no cluster needed


def _region(name: str, description: str, region: tuple = _R, **kw: Any) -> SweepCase:
    return SweepCase(name, "region", description, TARGETS["x2"], region, **kw)


REGION_CASES: tuple[SweepCase, ...] = (
    _region("region-h1-x2", "NGF, H = 1, f(x) = x^2: every initial value with phi in "
            "[-pi, pi], |v|, |c| <= 1, bounded for all t >= 0 (regime cover)",
            options=_SERIAL, quick=True),
    _region("region-h1-x2-density", "NGF, H = 1, f(x) = x^2, input density 3x^2 (vanishing "
            "at 0): phi in [-pi, pi], |v|, |c| <= 1, bounded for all t >= 0",
            density="3*x**2", options=_SERIAL),
    _region("region-h1-x2-weights-plus", "normalized-weights flow, w = +1, H = 1, "
            "f(x) = x^2: |b|, |v|, |c| <= 1, bounded for all t >= 0", _UNIT,
            flow="normalized-weights", signs=(1,), options=_SERIAL),
    _region("region-h1-x2-weights-minus", "normalized-weights flow, w = -1, H = 1, "
            "f(x) = x^2: |b|, |v|, |c| <= 1, bounded for all t >= 0", _UNIT,
            flow="normalized-weights", signs=(-1,), options=_SERIAL, quick=True),
    # Only boxes inside {v^2 < w^2 + b^2} can close (D = v^2 - w^2 - b^2 is conserved;
    # with D >= 0 a trajectory may reach (w, b) = 0): the fraction proven is stated.
    # c does not decide whether a cover closes and is not bisected; the tubes of the
    # other boxes fail at t = 0 (c is wider than the width limit).
    _region("region-std-x2", "standard GF, H = 1, f(x) = x^2: w in [1/4, 1], |b|, |v|, "
            "|c| <= 1; bounded for all t >= 0 on the part of the region that closes",
            (("w", "1/4:1"), ("b", "-1:1"), ("v", "-1:1"), ("c", "-1:1")), flow="standard",
            options=(("min_size", "w=0.046875"), ("min_size", "b=0.125"),
                     ("min_size", "v=0.125"), ("min_size", "c=2"), ("workers", "2"))),
    # Width 2: a box on which one neuron is dead closes by reducing to width 1 (the dead
    # neuron is frozen and contributes nothing); boxes with two live neurons have no region
    # argument (docs/regions.md, section 8) and their tubes fail at t = 0. Only the angles
    # are bisected, to 2 pi / 16.
    _region("region-h2-x2", "NGF, H = 2, f(x) = x^2: phi_1, phi_2 in [-pi, pi], |v_j|, "
            "|c| <= 1; bounded for all t >= 0 where a neuron starts dead",
            (("phi1", "-pi:pi"), ("phi2", "-pi:pi"), ("v1", "-1:1"), ("v2", "-1:1"),
             ("c", "-1:1")), width=2,
            options=(("min_size", "phi1=0.3927"), ("min_size", "phi2=0.3927"),
                     ("min_size", "v1=2"), ("min_size", "v2=2"), ("min_size", "c=2"),
                     ("workers", "2"))),
)

CASES = CASES + REGION_CASES


def all_cases() -> tuple[Case | SweepCase, ...]:
    """Every case of ``proofs_data/``, in table order."""
    return CASES


def quick_cases() -> tuple[Case | SweepCase, ...]:
    """The CI-sized subset (``verifier reproduce --quick``)."""
    return tuple(c for c in CASES if c.quick)


def case_by_name(name: str) -> Case | SweepCase:
    for c in CASES:
        if c.name == name:
            return c
    raise ValueError(f"unknown case {name!r} (choose from {', '.join(c.name for c in CASES)})")


def case_from_inputs(d: dict[str, Any]) -> Case | SweepCase:
    """A case rebuilt from a manifest entry's ``inputs``."""
    if not isinstance(d, dict):
        raise ValueError("a case's inputs must be an object")
    return SweepCase.from_inputs(d) if d.get("kind") == "sweep" else Case.from_inputs(d)
