"""The regime cover of a width-1 problem: a proof that every trajectory from a box is
bounded for all time (``docs/regions.md``, Theorem).

A *cover* lists *pieces*; each piece is a run of consecutive cells of the neuron's
direction coordinate (:mod:`verifier.proof.regimes.geometry`) with one argument:

* ``dead``: the neuron is dead on every cell. A dead state stays dead with its neuron
  coordinates constant, forwards and backwards in time, so a trajectory whose direction is
  ever in this piece started there: its amplitude is its initial one.
* ``gram``: static bounds ``|u| <= u``, ``|c| <= c`` for every state of ``{L <= level}``
  whose direction is in the piece (:func:`verifier.proof.regimes.static.gram_bounds`).
* ``lyapunov``: the neuron faces ``side`` and is partially active (or dead) on every cell;
  ``Q`` (:mod:`verifier.proof.regimes.lyapunov`) does not increase while ``|u| >= threshold``,
  and ``G`` varies by at most ``osc`` over the piece.
* ``affine`` (``normalized``, ``standard``): fully active on every cell; the
  Polyak-Lojasiewicz inequality with constant ``mu`` holds on ``|v| >= threshold``, so a
  stay there moves the state by at most ``length`` (:mod:`verifier.proof.regimes.affine`).
* ``affine-log`` (``normalized-weights``, the infinite end where the neuron is fully
  active): a Polyak-Lojasiewicz inequality whose constant decays like ``(sqrt 2 + |b|)^-2``
  bounds ``log(sqrt 2 + |b|)``.

A *stay* in a dynamic piece (``lyapunov``, ``affine``) is a maximal time interval on which
the direction is in the piece and ``|u|`` at least the threshold. It begins at ``t = 0`` or
on the boundary of that set: at an end of the piece (then the state is also in the
neighbouring piece, which must be ``gram`` and bounds it, or ``dead``, which it cannot
come from) or at ``|u| = threshold``. This *entry* bound, the lemma of the piece and the
static bounds of every other piece give the final bounds (:func:`verify_cover`).

All numbers in a cover are exact rationals (Fractions here, strings in files); every
comparison against them is exact or a certain ball comparison.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from flint import arb

from verifier.arith.numbers import ball
from verifier.field.pointwise import PointFunctions
from verifier.proof.regimes.affine import affine_fit, jacobian_floor
from verifier.proof.regimes.geometry import Cell, Neuron
from verifier.proof.regimes.lyapunov import LyapunovError, check_cell
from verifier.proof.regimes.static import gram_bounds, inactive_bound
from verifier.proof.regimes.statistics import ActivePieceStatistics, StatisticsError

#: Working precision of the region arguments (bits), for the search and the checker.
PREC = 64
KINDS = ("dead", "gram", "lyapunov", "affine", "affine-log")
#: The numbers each kind of piece carries (besides its cells; ``side`` for lyapunov).
NUMBERS = {
    "dead": ("c",),
    "gram": ("u", "c"),
    "lyapunov": ("threshold", "osc", "entry", "u", "c"),
    "affine": ("threshold", "mu", "length", "entry", "u", "c"),
    "affine-log": ("kappa", "b", "u", "c"),
}


class CoverError(ValueError):
    """The cover is not proven (a one-line reason)."""


@dataclass
class Piece:
    kind: str
    cells: list[Cell]
    numbers: dict[str, Fraction]
    side: int = 0


@dataclass
class Cover:
    """A regime cover: the level, the pieces in order, and the claimed bounds."""

    level: Fraction
    pieces: list[Piece]
    bounds: dict[str, Fraction]  # "v", "c" (and "b" for normalized-weights, "rho" standard)


@dataclass(frozen=True)
class Start:
    """Exact bounds of the initial box (:func:`start_bounds`)."""

    v: Fraction  # sup |v|
    c: Fraction  # sup |c|
    b: Fraction = Fraction(0)  # normalized-weights: sup |b|
    rho2: Fraction = Fraction(0)  # standard: sup (w^2 + b^2)
    d_lo: Fraction = Fraction(0)  # standard: bounds of D = v^2 - w^2 - b^2
    d_hi: Fraction = Fraction(0)


def _sup_abs(iv: tuple[Fraction, Fraction]) -> Fraction:
    return max(abs(iv[0]), abs(iv[1]))


def _sup_sq(iv: tuple[Fraction, Fraction]) -> Fraction:
    return _sup_abs(iv) ** 2


def _inf_sq(iv: tuple[Fraction, Fraction]) -> Fraction:
    lo, hi = iv
    return Fraction(0) if lo <= 0 <= hi else min(lo * lo, hi * hi)


def start_bounds(flow: str, box: list[tuple[Fraction, Fraction]]) -> Start:
    """Exact bounds over the initial box (state order of :mod:`verifier.field.flows`,
    width 1)."""
    if flow == "standard":
        w, b, v, c = box
        r_hi = _sup_sq(w) + _sup_sq(b)
        r_lo = _inf_sq(w) + _inf_sq(b)
        return Start(_sup_abs(v), _sup_abs(c), rho2=r_hi, d_lo=_inf_sq(v) - r_hi,
                     d_hi=_sup_sq(v) - r_lo)
    t, v, c = box
    return Start(_sup_abs(v), _sup_abs(c), b=_sup_abs(t) if flow == "normalized-weights"
                 else Fraction(0))


# ----------------------------------------------------------------------------------------
# helpers of the standard flow: amplitude u = rho v, D = v^2 - rho^2 is conserved


def rho_of_amplitude(U: arb, d_lo: Fraction) -> arb:
    """Upper bound of ``rho`` from ``|rho v| <= U`` and ``v^2 = rho^2 + D``, ``D >= d_lo``:
    ``rho^2 (rho^2 + D) = (rho v)^2`` gives ``rho^2 = (-D + sqrt(D^2 + 4 u^2)) / 2``,
    increasing in ``|u|`` and decreasing in ``D``."""
    D = ball(d_lo)
    return ((-D + (D * D + 4 * U * U).sqrt()) / 2).sqrt()


def v_of_rho(rho: arb, d_hi: Fraction) -> arb:
    """Upper bound of ``|v| = sqrt(rho^2 + D)``, ``D <= d_hi``."""
    s = rho * rho + ball(d_hi)
    return s.sqrt() if s > 0 else arb(0)


# ----------------------------------------------------------------------------------------
# verification


@dataclass
class _Static:
    """What a static piece (gram, dead) proves for states of ``{L <= level}``."""

    u: arb | None  # bound of |u| (None: dead, the initial one)
    c: arb


@dataclass
class Verified:
    """The bounds a verified cover proves (exact balls)."""

    v: arb
    c: arb
    extra: dict[str, arb] = field(default_factory=dict)


def _le(x: arb, q: Fraction, what: str) -> None:
    """Require ``x <= q`` certainly."""
    if not (x.is_finite() and x <= ball(q)):
        raise CoverError(f"{what}: {float(x.upper()):.6g} is not certainly <= {float(q):.6g}")


def check_coverage(flow: str, pieces: list[Piece]) -> None:
    """The cells of the pieces, in order, are consecutive and cover the direction space:
    a full turn for the angle flows, the whole line for ``normalized-weights``."""
    cells = [c for p in pieces for c in p.cells]
    if not cells:
        raise CoverError("the cover has no cells")
    for a, b in zip(cells, cells[1:]):
        if a.hi is None or b.lo is None or a.hi != b.lo:
            raise CoverError("consecutive cells must share their end")
    for c in cells:
        if c.finite and not c.lo < c.hi:
            raise CoverError("a cell must have lo < hi")
    inner = cells[1:-1]
    if any(not c.finite for c in inner):
        raise CoverError("only the first and the last cell may be infinite")
    if flow == "normalized-weights":
        if cells[0].lo is not None or cells[-1].hi is not None:
            raise CoverError("the cover of b must run from -inf to +inf")
        return
    if not (cells[0].finite and cells[-1].finite):
        raise CoverError("angle cells must be finite")
    turn = ball(cells[-1].hi - cells[0].lo)  # type: ignore[operator]
    if not turn >= 2 * arb.pi():
        raise CoverError("the cells do not cover a full turn of the angle")
    # The list wraps around the circle (its ends may overlap): a dynamic piece must have
    # both neighbours inside the list, so that each end of its arc lies in the cell next to
    # it; the first and the last piece are therefore static.
    if pieces[0].kind not in ("dead", "gram") or pieces[-1].kind not in ("dead", "gram"):
        raise CoverError("the first and the last piece of an angle cover must be dead or gram")


def _neighbours(pieces: list[Piece], i: int) -> list[int]:
    """The pieces adjacent to piece ``i`` in the list (sharing a cell end with it)."""
    return [k for k in (i - 1, i + 1) if 0 <= k < len(pieces)]


class CoverChecker:
    """Verifies a :class:`Cover` for one problem, flow and initial box."""

    def __init__(self, problem: Any, flow: str, signs: Any, box: list[tuple[Fraction,
                 Fraction]]) -> None:
        if problem.width != 1:
            raise CoverError("regime covers are for width 1")
        self.problem = problem
        self.flow = flow
        self.nu = Neuron.of(problem, flow, signs)
        self.start = start_bounds(flow, box)
        if flow == "standard" and not self.start.d_hi < 0:
            raise CoverError("the box contains states with v^2 >= w^2 + b^2: their "
                             "trajectories may reach (w, b) = (0, 0), where the standard "
                             "flow is not defined")
        self.stats = ActivePieceStatistics(problem)
        self.fp = PointFunctions(problem)
        self.fit = affine_fit(problem)

    # -- static pieces -------------------------------------------------------------------
    def _dead(self, p: Piece, level: arb) -> _Static:
        for c in p.cells:
            if not self.nu.dead(c):
                raise CoverError("the neuron is not certainly dead on a cell of a dead piece")
            _le(inactive_bound(self.problem, self.nu, c, level), p.numbers["c"], "dead c")
        return _Static(None, ball(p.numbers["c"]))

    def _gram(self, p: Piece, level: arb) -> _Static:
        for c in p.cells:
            if not c.finite:
                raise CoverError("a gram cell must be finite")
            try:
                U, C = gram_bounds(self.problem, self.nu, c, level)
            except ArithmeticError as e:
                raise CoverError(f"gram cell [{c.lo}, {c.hi}]: {e}") from None
            _le(U, p.numbers["u"], "gram u")
            _le(C, p.numbers["c"], "gram c")
        return _Static(ball(p.numbers["u"]), ball(p.numbers["c"]))

    def _static_c(self, c: Cell, level: arb) -> arb:
        """The better of the inactive-mass and the Gram bound of ``|c|`` on a cell."""
        best = None
        for fn in (inactive_bound, lambda *a: gram_bounds(*a)[1]):
            try:
                x = fn(self.problem, self.nu, c, level)
            except ArithmeticError:
                continue
            best = x if best is None or x < best else best
        if best is None:
            raise CoverError(f"no static bound of |c| on the cell [{c.lo}, {c.hi}]")
        return best

    # -- the entry bound of a dynamic piece ------------------------------------------------
    def _entry_u(self, statics: dict[int, _Static], i: int, pieces: list[Piece],
                 threshold: Fraction) -> arb:
        """A bound of ``|u|`` at the start of any stay in piece ``i``."""
        E = ball(threshold)
        u0 = self._start_u()
        E = u0 if u0 > E else E
        for k in _neighbours(pieces, i):
            if k not in statics:
                raise CoverError(f"piece {i} ({pieces[i].kind}) has a neighbour that is "
                                 "neither gram nor dead")
            u = statics[k].u
            if u is not None and u > E:
                E = u
        return E

    def _start_u(self) -> arb:
        """``sup |u|`` at ``t = 0`` (``standard``: ``sup rho |v|``)."""
        if self.flow != "standard":
            return ball(self.start.v)
        return (ball(self.start.rho2).sqrt() * ball(self.start.v)).upper()

    # -- dynamic pieces ------------------------------------------------------------------
    def _lyapunov(self, p: Piece, level: arb, E: arb) -> dict[str, arb]:
        if p.side not in (1, -1):
            raise CoverError("a lyapunov piece needs side +1 or -1")
        osc = arb(0)
        C = arb(0)
        for c in p.cells:
            try:
                lc = check_cell(self.nu, self.stats, self.fp.slope, c, p.side)
            except (LyapunovError, StatisticsError) as e:
                raise CoverError(f"lyapunov cell [{c.lo}, {c.hi}]: {e}") from None
            _le(lc.threshold, p.numbers["threshold"], "lyapunov threshold")
            osc += lc.slope * ball(c.width)
            cc = self._static_c(c, level)
            C = cc if cc > C else C
        _le(osc, p.numbers["osc"], "lyapunov osc")
        _le(E, p.numbers["entry"], "lyapunov entry")
        _le(C, p.numbers["c"], "lyapunov c")
        out: dict[str, arb] = {}
        e2 = ball(p.numbers["entry"]) ** 2
        if self.flow == "standard":
            rho_e = rho_of_amplitude(ball(p.numbers["entry"]), self.start.d_lo)
            r0 = ball(self.start.rho2).sqrt()
            rho_e = r0 if r0 > rho_e else rho_e
            rho = rho_e * (ball(p.numbers["osc"]) / 2).exp()
            out["rho"] = rho
            _le(v_of_rho(rho, self.start.d_hi), p.numbers["u"], "lyapunov v")
        else:
            _le((e2 + ball(p.numbers["osc"])).sqrt(), p.numbers["u"], "lyapunov u")
        return out

    def _affine(self, p: Piece, level: arb, E: arb) -> dict[str, arb]:
        if self.flow == "normalized-weights":
            raise CoverError("use affine-log for the normalized-weights flow")
        for c in p.cells:
            if not (c.finite and self.nu.fully_active(c)):
                raise CoverError(f"the neuron is not certainly fully active on "
                                 f"[{c.lo}, {c.hi}]")
        th = ball(p.numbers["threshold"])
        if not th > 0:
            raise CoverError("the affine threshold must be positive")
        mu_max = 4 * self.fit.lam_min * jacobian_floor(self.flow, th)
        mu = ball(p.numbers["mu"])
        if not (mu > 0 and mu <= mu_max):
            raise CoverError("affine mu is not certainly in (0, 4 lambda_min(M) "
                             "lambda_min(J J^T)]")
        room = level - self.fit.lstar
        room = room.upper() if room.upper() > 0 else arb(0)
        _le(2 / mu.sqrt() * room.sqrt(), p.numbers["length"], "affine length")
        _le(E, p.numbers["entry"], "affine entry")
        length = ball(p.numbers["length"])
        Z1, Z2 = self.fit.z_bounds(level)
        out: dict[str, arb] = {}
        if self.flow == "standard":
            # the entry bound E is on u = rho v; v itself at entry: |v| <= sqrt(rho^2 + D)
            rho_e = rho_of_amplitude(ball(p.numbers["entry"]), self.start.d_lo)
            r_th = (th * th - ball(self.start.d_lo)).sqrt()  # rho on |v| <= threshold
            r0 = ball(self.start.rho2).sqrt()
            for r in (r_th, r0):
                rho_e = r if r > rho_e else rho_e
            v_e = v_of_rho(rho_e, self.start.d_hi)
            v_e = ball(self.start.v) if ball(self.start.v) > v_e else v_e
            v = v_e + length
            rho = rho_e + length
            out["rho"] = rho
            _le(v, p.numbers["u"], "affine v")
            _le(Z2 + ball(p.numbers["u"]) * rho, p.numbers["c"], "affine c")
        else:
            _le(ball(p.numbers["entry"]) + length, p.numbers["u"], "affine u")
            _le(Z2 + ball(p.numbers["u"]), p.numbers["c"], "affine c")
        return out

    def _affine_log(self, p: Piece, level: arb) -> dict[str, arb]:
        if self.flow != "normalized-weights" or len(p.cells) != 1 or p.cells[0].finite:
            raise CoverError("affine-log is one infinite cell of the normalized-weights flow")
        c = p.cells[0]
        if not self.nu.fully_active(c):
            raise CoverError("the neuron is not certainly fully active on the infinite cell")
        end = c.lo if c.lo is not None else c.hi
        kappa = ball(p.numbers["kappa"])
        if not (kappa > 0 and kappa <= 2 * self.fit.lam_min.sqrt()):
            raise CoverError("affine-log kappa is not certainly in (0, 2 sqrt(lambda_min(M))]")
        room = level - self.fit.lstar
        room = room.upper() if room.upper() > 0 else arb(0)
        r2 = arb(2).sqrt()
        b0 = ball(max(abs(end), self.start.b))  # type: ignore[arg-type]
        B = (r2 + b0) * (2 / kappa * room.sqrt()).exp() - r2
        _le(B, p.numbers["b"], "affine-log b")
        Z1, Z2 = self.fit.z_bounds(level)
        _le(Z1, p.numbers["u"], "affine-log v")
        _le(Z2 + Z1 * ball(p.numbers["b"]), p.numbers["c"], "affine-log c")
        return {"b": ball(p.numbers["b"])}

    # -- the theorem -------------------------------------------------------------------
    def verify(self, cover: Cover) -> Verified:
        """Verify every piece and the claimed bounds; raise :class:`CoverError`.

        The level must already be proven ``>= sup L`` over the initial box (the caller
        does it with its branch and bound)."""
        pieces = cover.pieces
        for p in pieces:
            if p.kind not in KINDS:
                raise CoverError(f"unknown piece kind {p.kind!r}")
            if set(p.numbers) != set(NUMBERS[p.kind]):
                raise CoverError(f"a {p.kind} piece has exactly the numbers "
                                 f"{', '.join(NUMBERS[p.kind])}")
        check_coverage(self.flow, pieces)
        level = ball(cover.level)
        statics: dict[int, _Static] = {}
        for i, p in enumerate(pieces):
            if p.kind == "dead":
                statics[i] = self._dead(p, level)
            elif p.kind == "gram":
                statics[i] = self._gram(p, level)
        v = ball(self.start.v)
        c = ball(self.start.c)
        extra: dict[str, arb] = {}

        def raise_to(key: str, x: arb) -> None:
            extra[key] = x if key not in extra or x > extra[key] else extra[key]

        for i, p in enumerate(pieces):
            if p.kind in ("lyapunov", "affine"):
                E = self._entry_u(statics, i, pieces, p.numbers["threshold"])
                more = (self._lyapunov if p.kind == "lyapunov" else self._affine)(p, level, E)
            elif p.kind == "affine-log":
                more = self._affine_log(p, level)
            else:
                more = {}
            for k, x in more.items():
                raise_to(k, x)
            pv = ball(p.numbers["u"]) if "u" in p.numbers else None
            if p.kind == "gram" and self.flow == "standard":
                rho = rho_of_amplitude(pv, self.start.d_lo)  # type: ignore[arg-type]
                raise_to("rho", rho)
                pv = v_of_rho(rho, self.start.d_hi)
            if pv is not None and pv > v:
                v = pv
            pc = ball(p.numbers["c"])
            c = pc if pc > c else c
        if self.flow == "standard":
            raise_to("rho", ball(self.start.rho2).sqrt())
        if self.flow == "normalized-weights":
            for cell in (cc for p in pieces for cc in p.cells if cc.finite):
                raise_to("b", ball(max(abs(cell.lo), abs(cell.hi))))  # type: ignore[arg-type]
            raise_to("b", ball(self.start.b))
        _le(v, cover.bounds["v"], "bound v")
        _le(c, cover.bounds["c"], "bound c")
        for k, x in extra.items():
            if k not in cover.bounds:
                raise CoverError(f"the cover must bound {k}")
            _le(x, cover.bounds[k], f"bound {k}")
        return Verified(v, c, extra)
