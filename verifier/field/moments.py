"""The moment functions of docs/closed-forms.md, in any arithmetic.

With ``p`` the normalized density and ``f`` the target, the risk and the
gradient of a shallow network are polynomials in the network parameters and in

    P_k(x) = int_a^x t^k p(t) dt   (k = 0, 1, 2),
    Q_k(x) = int_a^x t^k f(t) p(t) dt   (k = 0, 1),

evaluated at the ends of the neurons' active intervals, plus the constants
``Q_0(b)`` and ``int_a^b f^2 p``. On each cell between consecutive breakpoints
of ``f`` and ``p`` every integrand is analytic; its antiderivative there is a
verified SymPy closed form when one exists, otherwise a rigorous Taylor-cell
model (:mod:`verifier.field.taylor_cells`). The functions are continuous
(antiderivatives), so at a ball straddling a breakpoint the union of the
adjacent cells' values encloses them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import sympy as sp

from verifier.arith.balls import BallArithmetic
from verifier.arith.compile import compile_expr, constant_slot
from verifier.arith.precision import precision
from verifier.arith.series import NotOnePiece
from verifier.field.antiderivative import antiderivative
from verifier.field.pieces import Pieces
from verifier.field.taylor_cells import TaylorCellAntiderivative

#: Names of the integrands, in the order of the tuples returned by :meth:`Moments.at`.
INTEGRANDS = ("p", "x p", "x^2 p", "f p", "x f p", "f^2 p")


@dataclass
class _Cell:
    lo: sp.Expr
    hi: sp.Expr
    f: sp.Expr
    p: sp.Expr
    closed: list[sp.Expr | None]  # antiderivative per integrand, or None (Taylor model)
    integrands: list[sp.Expr]
    compiled: list = field(default_factory=list)


def _merge_cuts(*cut_lists: Sequence[sp.Expr]) -> list[sp.Expr]:
    pts = sorted({c for cuts in cut_lists for c in cuts}, key=lambda q: sp.N(q, 50))
    out: list[sp.Expr] = []
    for p in pts:
        if out and sp.simplify(p - out[-1]) == 0:
            continue
        out.append(p)
    return out


def _pick(pieces: Pieces, lo: sp.Expr, hi: sp.Expr) -> sp.Expr:
    mid = sp.N((lo + hi) / 2, 50)
    for a, b, e in pieces.cells():
        if sp.N(a, 50) <= mid <= sp.N(b, 50):
            return e
    raise ValueError("cell outside the pieces")


class Moments:
    """``P_0, P_1, P_2, Q_0, Q_1`` and the constants, for one problem."""

    def __init__(self, x: sp.Symbol, target: Pieces, density: Pieces) -> None:
        self.x = x
        cuts = _merge_cuts(target.cuts, density.cuts)
        self.cuts = tuple(cuts)
        self.cells: list[_Cell] = []
        for lo, hi in zip(cuts, cuts[1:]):
            f = _pick(target, lo, hi)
            p = _pick(density, lo, hi)
            gs = [p, x * p, x**2 * p, f * p, x * f * p, f**2 * p]
            closed = [antiderivative(g, x) for g in gs]
            cell = _Cell(lo, hi, f, p, closed, gs)
            cell.compiled = [
                None if A is None else compile_expr(A, (x,)) for A in closed
            ]
            self.cells.append(cell)
        self._models: dict[int, list[list[TaylorCellAntiderivative | None]]] = {}
        self._closed_form = all(A is not None for c in self.cells for A in c.closed)
        # Exact cell integrals (None where a model is needed).
        self._exact = [
            [None if A is None else sp.simplify(A.subs(x, c.hi) - A.subs(x, c.lo))
             for A in c.closed]
            for c in self.cells
        ]
        self._anchor = [
            [None if A is None else A.subs(x, c.lo) for A in c.closed] for c in self.cells
        ]
        # Where the cell and all cells left of it have closed forms, the value on
        # the cell is A(x) + offset with one exact constant offset.
        self._offset_slot: list[list[int | None]] = []
        for i, c in enumerate(self.cells):
            row: list[int | None] = []
            for kk in range(len(INTEGRANDS)):
                prefix = [self._exact[j][kk] for j in range(i)]
                if c.closed[kk] is None or any(t is None for t in prefix):
                    row.append(None)
                else:
                    off = sp.simplify(sp.Add(*prefix) - self._anchor[i][kk])
                    row.append(constant_slot(off))
            self._offset_slot.append(row)
        self._cut_slots = [constant_slot(cut) for cut in self.cuts]
        self._pieces_cache: dict = {}
        #: Values at the ends of the domain, per :meth:`Arithmetic.constant_key`.
        self._at_ends: dict = {}
        #: Straight-line programs of the vector fields of this problem, per flow
        #: (:meth:`verifier.field.vector_field.VectorField.program`).
        self.programs: dict = {}

    # -- description -----------------------------------------------------------
    @property
    def closed_form(self) -> bool:
        return self._closed_form

    def describe(self) -> list[str]:
        """One line per cell: which antiderivatives are closed forms."""
        lines = []
        for c in self.cells:
            kinds = [
                f"{name}: {'closed form' if A is not None else 'Taylor-cell model (rigorous)'}"
                for name, A in zip(INTEGRANDS, c.closed)
            ]
            lines.append(f"[{c.lo}, {c.hi}]: " + "; ".join(kinds))
        return lines

    # -- Taylor models, per working precision ----------------------------------
    def _models_at(self, prec: int) -> list[list[TaylorCellAntiderivative | None]]:
        try:
            return self._models[prec]
        except KeyError:
            pass
        out = []
        with precision(prec):
            B = BallArithmetic()
            for c in self.cells:
                row = []
                for g, A in zip(c.integrands, c.closed):
                    if A is not None:
                        row.append(None)
                    else:
                        gc = compile_expr(g, (self.x,))
                        row.append(TaylorCellAntiderivative(gc, B.const(c.lo), B.const(c.hi)))
                out.append(row)
        self._models[prec] = out
        return out

    def _models_for(self, ar):
        if self.closed_form or getattr(ar, "symbolic", False):
            return None
        return self._models_at(ar.working_prec())

    def _cell_integral(self, ar, i: int, k: int, models):
        exact = self._exact[i][k]
        if exact is not None:
            return ar.const(exact)
        if models is None:  # symbolic arithmetic: leave the integral unevaluated
            c = self.cells[i]
            return sp.Integral(c.integrands[k], (self.x, c.lo, c.hi))
        return ar.from_ball(models[i][k].total)

    def _piece(self, i: int, models, ks: Sequence[int]):
        cell = self.cells[i]

        slots = self._offset_slot[i]

        def f(ar, xv):
            vals = []
            for k in ks:
                if slots[k] is not None:
                    vals.append(cell.compiled[k](ar, xv) + ar.k(slots[k]))
                    continue
                acc = None
                for j in range(i):
                    t = self._cell_integral(ar, j, k, models)
                    acc = t if acc is None else acc + t
                A = cell.compiled[k]
                if A is not None:
                    v = A(ar, xv) - ar.const(self._anchor[i][k])
                elif models is None:
                    t = sp.Dummy("t")
                    v = sp.Integral(cell.integrands[k].subs(self.x, t), (t, cell.lo, xv))
                else:
                    v = models[i][k].evaluate(ar, xv)
                vals.append(v if acc is None else acc + v)
            return tuple(vals)

        return f

    def at(self, ar, xv, ks: Sequence[int] = (0, 1, 2, 3, 4)) -> tuple:
        """``(P_0, P_1, P_2, Q_0, Q_1)(x)`` (or the integrands ``ks``) for ``x`` in ``[a, b]``."""
        models = self._models_for(ar)
        key = (id(models), tuple(ks))
        pieces = self._pieces_cache.get(key)
        if pieces is None:
            pieces = [self._piece(i, models, ks) for i in range(len(self.cells))]
            self._pieces_cache[key] = pieces
        if len(pieces) == 1:
            return pieces[0](ar, xv)
        cuts = [ar.k(s) for s in self._cut_slots]
        return ar.piecewise(xv, cuts, pieces)

    def at_end(self, ar, i: int) -> tuple:
        """:meth:`at` the end ``cuts[i]`` (``i`` is 0 or -1) of the domain, computed once
        per :meth:`~verifier.arith.base.Arithmetic.constant_key` of ``ar``."""
        key = ar.constant_key()
        if key is None:
            return self.at(ar, ar.const(self.cuts[i]))
        key = (key, i)
        got = self._at_ends.get(key)
        if got is None:
            got = self._at_ends[key] = self.at(ar, ar.const(self.cuts[i]))
        return got

    def at_extended(self, ar, xv, end: str, ks: Sequence[int] = (0, 1, 2, 3, 4)) -> tuple:
        """The moments at ``x`` by the formula of the first (``end="lo"``) or last
        (``end="hi"``) cell, *continued analytically beyond* ``a`` or ``b``.

        Used for the analytic continuation of one side's vector field across a
        "dying" surface (:func:`verifier.field.kernel.evaluate` with ``sides``): only a
        closed form continues, so a cell with a Taylor-cell model refuses
        (``NotOnePiece``), as does ``x`` not certainly inside that cell's interior side.
        """
        i = len(self.cells) - 1 if end == "hi" else 0
        cell = self.cells[i]
        if any(cell.compiled[k] is None for k in ks):
            raise NotOnePiece("no closed form to continue beyond the domain")
        if len(self.cells) > 1:
            cut = ar.k(self._cut_slots[i] if end == "hi" else self._cut_slots[1])
            inside = ar.ge(xv, cut) if end == "hi" else ar.ge(cut, xv)
            if inside is not True:
                raise NotOnePiece("the continued end is not inside the end cell")
        models = self._models_for(ar)
        return self._piece(i, models, ks)(ar, xv)

    def constants(self, ar) -> tuple:
        """``(int_a^b f^2 p, int_a^b f p)`` (computed once per constant key of ``ar``)."""
        key = ar.constant_key()
        if key is None:
            return self._constants(ar)
        got = self._at_ends.get((key, "constants"))
        if got is None:
            got = self._at_ends[(key, "constants")] = self._constants(ar)
        return got

    def _constants(self, ar) -> tuple:
        models = self._models_for(ar)
        out = []
        for k in (5, 3):
            acc = None
            for i in range(len(self.cells)):
                t = self._cell_integral(ar, i, k, models)
                acc = t if acc is None else acc + t
            out.append(acc)
        return tuple(out)
