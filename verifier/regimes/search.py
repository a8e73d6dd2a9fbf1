"""Find a regime cover for a width-1 problem and a box of initial values.

The search only *proposes*: it subdivides the direction coordinate into cells, gives each
cell the first argument that its own checks prove (dead, Lyapunov for a partially active
neuron, Gram, and near a degenerate fully active direction the Polyak-Lojasiewicz
argument), merges runs of equal arguments into pieces, rounds every constant outward to
a short decimal and finally runs the verifier (:class:`verifier.proof.regimes.cover.CoverChecker`)
on the result, exactly as the checker will from the file. What it returns is proven.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from flint import arb

from verifier.arith.exact import decimal_bounds
from verifier.arith.numbers import ball
from verifier.arith.precision import precision
from verifier.proof.regimes.affine import jacobian_floor
from verifier.proof.regimes.cover import (
    Cover,
    CoverChecker,
    CoverError,
    Piece,
    Verified,
    rho_of_amplitude,
)
from verifier.proof.regimes.geometry import Cell
from verifier.proof.regimes.lyapunov import LyapunovError, check_cell
from verifier.proof.regimes.static import gram_bounds, inactive_bound
from verifier.proof.regimes.statistics import StatisticsError

#: Significant digits of the constants written into a cover.
DIGITS = 8
#: Cells narrower than this fraction of the direction range are not bisected further.
MIN_FRACTION = Fraction(1, 2 ** 16)
#: Classifications spent on refining the cells with the largest bounds.
REFINE_BUDGET = 400
#: Candidate thresholds of the affine piece (the best one is kept).
AFFINE_THRESHOLDS = (Fraction(1), Fraction(2), Fraction(4))


def up(x: arb) -> Fraction:
    """A short decimal rational ``>= x``."""
    return Fraction(decimal_bounds(x.upper(), DIGITS)[1])


def down(x: arb) -> Fraction:
    """A short decimal rational ``<= x``."""
    return Fraction(decimal_bounds(x.lower(), DIGITS)[0])


@dataclass
class _CellResult:
    cell: Cell
    kind: str
    side: int = 0
    u: arb | None = None
    c: arb | None = None
    threshold: arb | None = None
    slope: arb | None = None


class CoverSearch:
    """The search for one problem, flow, signs and initial box."""

    def __init__(self, problem: Any, flow: str, signs: Any,
                 box: list[tuple[Fraction, Fraction]], level: Fraction, prec: int = 64):
        self.problem = problem
        self.flow = flow
        self.signs = signs
        self.box = box
        self.level = level
        self.prec = prec
        self.checker = CoverChecker(problem, flow, signs, box)
        self.nu = self.checker.nu

    # -- the direction range ---------------------------------------------------------------
    def _range(self) -> tuple[Fraction, Fraction, list[Cell]]:
        """The finite range to subdivide and the infinite end cells (weights)."""
        a, b = (float(t.mid()) for t in (self.nu.x0, self.nu.x1))
        if self.flow == "normalized-weights":
            s = self.nu.sign
            # dead iff sigma <= 0 at both ends, fully active iff >= 0 at both: monotone in b
            dead_at = min(-s * a, -s * b)
            full_at = max(-s * a, -s * b)
            lo = Fraction(math.floor(dead_at * 64) - 1, 64)
            hi = Fraction(math.ceil(full_at * 64) + 1, 64)
            return lo, hi, [Cell(None, lo), Cell(hi, None)]
        # the angle: start in the middle of the dead arc
        grid = [2 * math.pi * k / 720 for k in range(720)]
        dead = [g for g in grid if math.cos(g) * a + math.sin(g) <= -1e-9
                and math.cos(g) * b + math.sin(g) <= -1e-9]
        if dead:
            # the dead arc is an interval of the circle: its circular mean
            xs = sum(math.cos(g) for g in dead)
            ys = sum(math.sin(g) for g in dead)
            mid = math.atan2(ys, xs)
        else:
            mid = -math.pi / 2
        lo = Fraction(round(mid * 4096), 4096)
        turn = Fraction(decimal_bounds((2 * arb.pi()).upper(), 12)[1])
        return lo, lo + turn, []

    # -- cells -------------------------------------------------------------------------
    def _classify(self, cell: Cell, span: Fraction) -> _CellResult | None:
        """The first argument proven on the cell (None: bisect it)."""
        level = ball(self.level)
        nu = self.nu
        if nu.dead(cell):
            return _CellResult(cell, "dead", c=inactive_bound(self.problem, nu, cell, level))
        if not cell.finite:
            return None
        for side in (1, -1):
            if nu.partial(cell, side):
                try:
                    lc = check_cell(nu, self.checker.stats, self.checker.fp.slope, cell, side)
                    c = self.checker._static_c(cell, level)
                except (LyapunovError, StatisticsError, CoverError):
                    return None
                return _CellResult(cell, "lyapunov", side, c=c, threshold=lc.threshold,
                                   slope=lc.slope)
        if self.flow != "normalized-weights" and nu.fully_active(cell):
            return _CellResult(cell, "affine")
        try:
            U, C = gram_bounds(self.problem, nu, cell, level)
            return _CellResult(cell, "gram", u=U, c=C)
        except ArithmeticError:
            return None

    @staticmethod
    def _score(r: _CellResult) -> float:
        """The bound a cell contributes (what refinement tries to lower)."""
        vals = [x for x in (r.u, r.c) if x is not None]
        return max((float(x.upper()) for x in vals), default=0.0)

    def _cells(self, lo: Fraction, hi: Fraction) -> list[_CellResult]:
        span = hi - lo
        out: list[_CellResult] = []
        stack = [Cell(lo + span * k / 64, lo + span * (k + 1) / 64) for k in range(63, -1, -1)]
        while stack:
            cell = stack.pop()
            r = self._classify(cell, span)
            if r is not None:
                out.append(r)
                continue
            if cell.width <= span * MIN_FRACTION:
                raise CoverError(f"no regime argument closes the directions near "
                                 f"{float(cell.lo):.6g}")
            mid = (cell.lo + cell.hi) / 2
            stack += [Cell(mid, cell.hi), Cell(cell.lo, mid)]
        return self._refine(out, span)

    def _refine(self, cells: list[_CellResult], span: Fraction) -> list[_CellResult]:
        """Bisect the cells with the largest static bounds while that lowers them (by at
        least a fifth), largest first, within a budget."""
        budget = REFINE_BUDGET
        while budget > 0:
            order = sorted(range(len(cells)), key=lambda i: -self._score(cells[i]))
            changed = False
            for i in order[:8]:
                r = cells[i]
                if r.kind not in ("gram", "lyapunov") or r.cell.width <= span * MIN_FRACTION:
                    continue
                mid = (r.cell.lo + r.cell.hi) / 2
                kids = [self._classify(Cell(r.cell.lo, mid), span),
                        self._classify(Cell(mid, r.cell.hi), span)]
                budget -= 2
                if any(k is None for k in kids):
                    continue
                if max(self._score(k) for k in kids) <= 0.8 * self._score(r):  # type: ignore
                    cells[i:i + 1] = kids  # type: ignore[assignment]
                    changed = True
                    break
            if not changed:
                break
        return cells

    # -- pieces ------------------------------------------------------------------------
    @staticmethod
    def _runs(cells: list[_CellResult]) -> list[list[_CellResult]]:
        runs: list[list[_CellResult]] = []
        for r in cells:
            if runs and runs[-1][0].kind == r.kind and runs[-1][0].side == r.side:
                runs[-1].append(r)
            else:
                runs.append([r])
        return runs

    def _static_piece(self, run: list[_CellResult]) -> Piece:
        cells = [r.cell for r in run]
        c = max((r.c for r in run), key=lambda x: float(x.upper()))
        if run[0].kind == "dead":
            return Piece("dead", cells, {"c": up(c)})
        u = max((r.u for r in run), key=lambda x: float(x.upper()))  # type: ignore[union-attr]
        return Piece("gram", cells, {"u": up(u), "c": up(c)})

    def _pieces(self, cells: list[_CellResult], ends: list[Cell]) -> list[Piece]:
        runs = self._runs(cells)
        pieces: list[Piece] = []
        for run in runs:
            kind = run[0].kind
            if kind in ("dead", "gram"):
                pieces.append(self._static_piece(run))
            elif kind == "lyapunov":
                th = max((r.threshold for r in run), key=lambda x: float(x.upper()))
                osc = sum((r.slope * ball(r.cell.width) for r in run), arb(0))  # type: ignore
                c = max((r.c for r in run), key=lambda x: float(x.upper()))
                pieces.append(Piece("lyapunov", [r.cell for r in run],
                                    {"threshold": up(th), "osc": up(osc), "c": up(c)},
                                    side=run[0].side))
            else:
                pieces.append(Piece("affine", [r.cell for r in run], {}))
        if ends:  # normalized-weights: dead at -inf, fully active at +inf
            lo_end, hi_end = ends
            level = ball(self.level)
            if not self.nu.dead(lo_end):
                raise CoverError("the neuron is not dead at the lower end of b")
            first = Piece("dead", [lo_end], {"c": up(inactive_bound(self.problem, self.nu,
                                                                    lo_end, level))})
            last = Piece("affine-log", [hi_end], {})
            pieces = [first, *pieces, last]
        # merge neighbouring dead pieces (the dead arc is split by the start of the turn)
        return pieces

    # -- constants of the dynamic pieces ---------------------------------------------------
    def _fill(self, pieces: list[Piece]) -> None:
        statics = {}
        level = ball(self.level)
        for i, p in enumerate(pieces):
            if p.kind in ("dead", "gram"):
                statics[i] = self.checker._dead(p, level) if p.kind == "dead" else \
                    self.checker._gram(p, level)
        fit = self.checker.fit
        room = level - fit.lstar
        room = room.upper() if room.upper() > 0 else arb(0)
        Z1, Z2 = fit.z_bounds(level)
        for i, p in enumerate(pieces):
            if p.kind == "lyapunov":
                E = self.checker._entry_u(statics, i, pieces, p.numbers["threshold"])
                p.numbers["entry"] = up(E)
                e2 = ball(p.numbers["entry"]) ** 2
                if self.flow == "standard":
                    st = self.checker.start
                    rho = rho_of_amplitude(ball(p.numbers["entry"]), st.d_lo)
                    r0 = ball(st.rho2).sqrt()
                    rho = r0 if r0 > rho else rho
                    rho = rho * (ball(p.numbers["osc"]) / 2).exp()
                    v2 = rho * rho + ball(st.d_hi)
                    p.numbers["u"] = up(v2.sqrt() if v2 > 0 else arb(0))
                else:
                    p.numbers["u"] = up((e2 + ball(p.numbers["osc"])).sqrt())
            elif p.kind == "affine":
                best = None
                # a threshold up to the neighbours' bound costs nothing at the entry
                natural = up(self.checker._entry_u(statics, i, pieces, Fraction(0)))
                for th in (*AFFINE_THRESHOLDS, natural):
                    mu = down(4 * fit.lam_min * jacobian_floor(self.flow, ball(th)))
                    length = up(2 / ball(mu).sqrt() * room.sqrt())
                    E = up(self.checker._entry_u(statics, i, pieces, th))
                    nums = {"threshold": th, "mu": mu, "length": length, "entry": E}
                    if self.flow == "standard":
                        st = self.checker.start
                        rho_e = rho_of_amplitude(ball(E), st.d_lo)
                        for r in ((ball(th) ** 2 - ball(st.d_lo)).sqrt(),
                                  ball(st.rho2).sqrt()):
                            rho_e = r if r > rho_e else rho_e
                        v_e = (rho_e * rho_e + ball(st.d_hi))
                        v_e = v_e.sqrt() if v_e > 0 else arb(0)
                        v_e = ball(st.v) if ball(st.v) > v_e else v_e
                        u = up(v_e + ball(length))
                        c = up(Z2 + ball(u) * (rho_e + ball(length)))
                    else:
                        u = up(ball(E) + ball(length))
                        c = up(Z2 + ball(u))
                    nums.update(u=u, c=c)
                    if best is None or u < best["u"]:
                        best = nums
                p.numbers = best  # type: ignore[assignment]
            elif p.kind == "affine-log":
                kappa = down(2 * fit.lam_min.sqrt())
                end = p.cells[0].lo if p.cells[0].lo is not None else p.cells[0].hi
                r2 = arb(2).sqrt()
                b0 = ball(max(abs(end), self.checker.start.b))  # type: ignore[arg-type]
                B = up((r2 + b0) * (2 / ball(kappa) * room.sqrt()).exp() - r2)
                p.numbers = {"kappa": kappa, "b": B, "u": up(Z1),
                             "c": up(Z2 + Z1 * ball(B))}

    # -- the whole search -------------------------------------------------------------
    def run(self) -> tuple[Cover, Verified]:
        with precision(self.prec):
            lo, hi, ends = self._range()
            cells = self._cells(lo, hi)
            pieces = self._pieces(cells, ends)
            self._fill(pieces)
            bounds = {"v": Fraction(0), "c": Fraction(0)}
            cover = Cover(self.level, pieces, bounds)
            # the bounds: the verifier computes them; round up and verify again
            probe = Cover(self.level, pieces, {"v": Fraction(10) ** 30, "c": Fraction(10) ** 30,
                                               "b": Fraction(10) ** 30,
                                               "rho": Fraction(10) ** 30})
            ver = self.checker.verify(probe)
            cover.bounds = {"v": up(ver.v), "c": up(ver.c)}
            for k, x in ver.extra.items():
                cover.bounds[k] = up(x)
            ver = self.checker.verify(cover)
        return cover, ver
