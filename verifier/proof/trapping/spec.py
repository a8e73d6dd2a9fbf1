"""What every trapping section shares: its setting, its common parts, and the hypotheses
that every argument checks.

A section is a JSON object with exactly the keys of its kind; ``kind`` names the
argument, ``frozen`` the neurons dead over ``X_T``, ``box`` a box ``U`` (one exact
``[lo, hi]`` per coordinate) and ``bounds`` the claimed ``{"v": [...], "c": ...}``. Its
numbers are exact strings in the file form (:func:`verifier.arith.numbers.parse_constant`);
nothing is evaluated. Malformed input raises :class:`~verifier.proof.verdict.Rejected`
(or, for a number, :class:`~verifier.arith.numbers.NumberError`); a hypothesis that is
not established raises :class:`~verifier.proof.verdict.Rejected` too, and the registry
(:mod:`verifier.proof.trapping`) turns either into a verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from flint import arb

from verifier.arith.numbers import ball, exact_value, parse_constant
from verifier.arith.precision import check_prec
from verifier.field import flows
from verifier.proof.trapping.cells import Box, Budget, RiskField, prove_bound
from verifier.proof.trapping.neurons import neuron_coordinates, neuron_dead, v_index
from verifier.proof.verdict import Rejected, require

#: An exact interval per coordinate (``None``: a periodic angle, unrestricted).
Intervals = Sequence[tuple[Fraction, Fraction] | None]


def _show(x: Any) -> str:
    s = repr(x)
    return s if len(s) <= 40 else s[:37] + "..."


@dataclass(frozen=True)
class Setting:
    """The data a trapping section is checked against: the problem, the flow and its
    signs, the terminal box ``X_T`` (one finite ball per coordinate), the precision and
    the branch-and-bound cell budget."""

    problem: Any
    flow: str
    signs: tuple[int, ...]
    terminal: list[arb]
    prec: int
    max_cells: int

    @classmethod
    def of(cls, problem: Any, flow: str, signs: Any, terminal: Any, prec: int,
           max_cells: int) -> Setting:
        """Validate the setting (flow, precision, signs, terminal balls)."""
        flows.check_flow(flow)
        check_prec(prec)
        H = problem.width
        dim = flows.dim(flow, H)
        s = flows.check_signs(signs, H, flow)
        if not isinstance(terminal, list | tuple) or len(terminal) != dim:
            raise Rejected(f"terminal enclosure must be a list of {dim} balls")
        for i, t in enumerate(terminal):
            if not isinstance(t, arb) or not t.is_finite():
                raise Rejected(f"terminal enclosure entry {i} is not a finite ball")
        return cls(problem, flow, s, list(terminal), prec, max_cells)

    @property
    def H(self) -> int:
        return self.problem.width

    @property
    def dim(self) -> int:
        return flows.dim(self.flow, self.H)

    @property
    def names(self) -> list[str]:
        return flows.coordinate_names(self.flow, self.H)

    def coordinates(self, neurons: Sequence[int]) -> list[int]:
        """The state indices of the given neurons, sorted."""
        return sorted(i for j in neurons for i in neuron_coordinates(self.flow, self.H, j))

    def field(self) -> RiskField:
        return RiskField(self.problem, self.flow, self.signs)

    def terminal_ends(self) -> list[tuple[Fraction, Fraction]]:
        """The exact ends of the terminal balls."""
        return [(exact_value(t.lower()), exact_value(t.upper())) for t in self.terminal]

    def require_dead(self, frozen: Sequence[int]) -> None:
        """Every frozen neuron is dead at every point of ``X_T``."""
        for j in frozen:
            require(neuron_dead(self.problem, self.flow, self.signs, j, self.terminal),
                    f"neuron {j + 1} is not certainly dead over the terminal box")


# -- parsing -----------------------------------------------------------------------------
def check_keys(spec: Any, keys: set[str]) -> None:
    """``spec`` is an object with exactly ``keys``."""
    if not isinstance(spec, dict):
        raise Rejected("trapping section must be an object")
    extra = set(spec) - keys
    missing = keys - set(spec)
    if extra:
        raise Rejected(f"trapping section: unknown key(s) {sorted(extra)}")
    if missing:
        raise Rejected(f"trapping section: missing key(s) {sorted(missing)}")


def parse_index_list(v: Any, H: int, what: str) -> list[int]:
    """Sorted distinct neuron indices in ``[0, H)``."""
    if not isinstance(v, list):
        raise Rejected(f"{what}: expected a list of neuron indices")
    out = []
    for t in v:
        if isinstance(t, bool) or not isinstance(t, int) or not 0 <= t < H:
            raise Rejected(f"{what}: {_show(t)} is not a neuron index in [0, {H})")
        out.append(t)
    if len(set(out)) != len(out):
        raise Rejected(f"{what}: repeated neuron index")
    return sorted(out)


def parse_neuron(v: Any, H: int, what: str) -> int:
    """One neuron index in ``[0, H)``."""
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < H:
        raise Rejected(f"{what}: not a neuron index in [0, {H})")
    return v


def parse_header(spec: Any, keys: set[str], kind: str, H: int) -> list[int]:
    """The prologue of every section: exactly ``keys``, the ``kind``, and the ``frozen``
    neurons (returned)."""
    check_keys(spec, keys)
    if spec["kind"] != kind:
        raise Rejected(f"trapping kind must be '{kind}'")
    return parse_index_list(spec["frozen"], H, "frozen")


def parse_box(box: Any, dim: int, periodic: Sequence[int] = ()) -> list:
    """An exact ``[lo, hi]`` interval for every coordinate (``null`` exactly for the
    ``periodic`` ones, which become ``None``)."""
    if not isinstance(box, list) or len(box) != dim:
        raise Rejected(f"box: expected {dim} intervals")
    out: list[tuple[Fraction, Fraction] | None] = []
    for i, iv in enumerate(box):
        if i in periodic:
            if iv is not None:
                raise Rejected(f"box[{i}]: a periodic angle's interval must be null")
            out.append(None)
            continue
        if not isinstance(iv, list) or len(iv) != 2:
            raise Rejected(f"box[{i}]: expected [lo, hi]")
        lo = parse_constant(iv[0], f"box[{i}] lo")
        hi = parse_constant(iv[1], f"box[{i}] hi")
        if lo > hi:
            raise Rejected(f"box[{i}]: empty interval")
        out.append((lo, hi))
    return out


def parse_bounds(bounds: Any, H: int) -> tuple[list[Fraction], Fraction]:
    """``{"v": [H numbers], "c": number}`` as Fractions."""
    if not isinstance(bounds, dict) or set(bounds) != {"v", "c"}:
        raise Rejected("bounds: expected an object with exactly the keys v, c")
    if not isinstance(bounds["v"], list) or len(bounds["v"]) != H:
        raise Rejected(f"bounds.v: expected {H} numbers")
    bv = [parse_constant(t, f"bounds.v[{j}]") for j, t in enumerate(bounds["v"])]
    return bv, parse_constant(bounds["c"], "bounds.c")


def parse_numbers(spec: dict, keys: Sequence[str]) -> dict[str, Fraction]:
    """The exact numbers ``spec[key]`` for ``key`` in ``keys``."""
    return {key: parse_constant(spec[key], key) for key in keys}


# -- hypotheses every argument checks ----------------------------------------------------
def extent(iv: tuple[Fraction, Fraction]) -> Fraction:
    return max(abs(iv[0]), abs(iv[1]))


def require_contained(S: Setting, K: Intervals, frozen_idx: Sequence[int]) -> None:
    """``X_T`` inside ``K``: frozen coordinates' intervals contain their terminal
    interval, every other coordinate's terminal interval lies in the open interval
    (periodic coordinates, ``None``, are unrestricted)."""
    for i, (t_lo, t_hi) in enumerate(S.terminal_ends()):
        iv = K[i]
        if iv is None:
            continue
        if i in frozen_idx:
            require(iv[0] <= t_lo and t_hi <= iv[1],
                    f"box for frozen {S.names[i]} does not contain its terminal interval")
        else:
            require(iv[0] < t_lo and t_hi < iv[1],
                    f"terminal {S.names[i]} is not strictly inside the box")


def require_bounds_cover(S: Setting, bv: Sequence[Fraction], bc: Fraction,
                         K: Intervals) -> None:
    """The claimed bounds dominate ``K``'s ``v`` and ``c`` extents."""
    for j in range(S.H):
        require(bv[j] >= extent(K[v_index(S.flow, S.H, j)]),
                f"bound for |v_{j + 1}| is below the box extent")
    require(bc >= extent(K[S.dim - 1]), "bound for |c| is below the box extent")


def require_regular(S: Setting, K: Intervals) -> None:
    """Standard flow: no neuron's ``(w_j, b_j)`` rectangle of ``K`` contains ``(0, 0)``,
    where the flow is not even continuous (nothing to check for the other flows)."""
    if S.flow != "standard":
        return
    for j in range(S.H):
        wi, bi = K[j], K[S.H + j]
        require(wi[0] > 0 or wi[1] < 0 or bi[0] > 0 or bi[1] < 0,
                f"box contains (w_{j + 1}, b_{j + 1}) = (0, 0), where the standard flow "
                "is not regular")


def require_sup_at_most(S: Setting, level: Fraction, budget: Budget) -> None:
    """``L <= level`` on the terminal box, by branch and bound."""
    tbox = [(t.lower(), t.upper()) for t in S.terminal]
    prove_bound(S.field(), tbox, ball(level), -1, budget).require(
        "cannot prove sup L(X_T) <= level: ")


def require_gap(S: Setting, K: Intervals, coords: Sequence[int], length: Fraction) -> None:
    """``length`` is below the distance from ``X_T`` to the boundary of ``K`` in the
    coordinates ``coords`` (an arc-length bound keeps the solution inside)."""
    ends = S.terminal_ends()
    gap = min(min(ends[i][0] - K[i][0], K[i][1] - ends[i][1]) for i in coords)
    require(length < gap, f"the arc length bound {float(length):.6g} is not below the "
                          f"distance {float(gap):.6g} from X_T to the boundary of the box")


def face_box(K: Intervals, i: int, side: int) -> Box:
    """The face ``y_i = K_i[side]`` of ``K`` (periodic angles over ``[0, 2 pi]``)."""
    box: Box = []
    for k, iv in enumerate(K):
        if iv is None:
            box.append((arb(0), (2 * arb.pi()).upper()))
        elif k == i:
            q = iv[side]
            box.append((ball(q).lower(), ball(q).upper()))
        else:
            box.append((ball(iv[0]).lower(), ball(iv[1]).upper()))
    return box

