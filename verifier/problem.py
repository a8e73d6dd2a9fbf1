"""The problem: target, input domain and density, network width.

``Problem(target, domain=(0, 1), density=None, width=1)`` fixes the risk

    L(theta) = int_a^b (N_theta(x) - f(x))^2 p(x) dx,
    N_theta(x) = c + sum_{j<=H} v_j max(w_j x + b_j, 0),

and evaluates it, its gradient and its Hessian in the three flows of
:mod:`verifier.field.flows`, in float, mpmath or ball arithmetic.

Hypotheses checked at construction (each failure is a one-line ``ValueError``):
``a < b`` finite; ``f`` defined at every point of ``[a, b]``, continuous and
Lipschitz there (piecewise analytic with a bounded derivative on every closed piece;
the pieces are proven, :mod:`verifier.field.pieces`); ``p`` defined almost
everywhere and bounded on every closed piece, nonnegative, of positive finite mass
(it is normalized to mass 1, and the mass of the normalized density is proven to be 1
in ball arithmetic). A rigorous upper bound of the Lipschitz constant of ``f`` is
computed in ball arithmetic.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import sympy as sp
from flint import arb

from verifier.arith import (
    BallArithmetic,
    FloatArithmetic,
    JetArithmetic,
    MpmathArithmetic,
    check_prec,
    compile_expr,
    precision,
)
from verifier.arith.batch import BatchArithmetic
from verifier.arith.bounds import lower_bound, upper_bound
from verifier.expr import ExpressionError, X, parse_expression, parse_number, to_text
from verifier.expr.values import constant_ball
from verifier.field import flows
from verifier.field.kernel import evaluate
from verifier.field.moments import Moments
from verifier.field.pieces import PieceError, Pieces, first_bad_point, split
from verifier.field.taylor_cells import TaylorCellAntiderivative
from verifier.field.vector_field import VectorField
from verifier.presentation import present

#: A state: numbers, balls or ``(lo, hi)`` pairs in the flow's order, or a NumPy array
#: (a 2-D array of states is evaluated row by row in floats).
State = Any
#: The frozen weights ``+1``/``-1`` of the ``normalized-weights`` flow (default all +1).
Signs = Sequence[int] | None

MAX_WIDTH = 256
#: The normalised density's mass must be enclosed by a ball around 1 of radius below this.
MASS_TOLERANCE = arb(2) ** -60
ARITHMETICS = ("float", "mpmath", "arb")


class ProblemError(ValueError):
    """A one-line reason why a problem is not well posed."""


def _fmt(e: sp.Expr) -> str:
    return to_text(e)


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _check_width(width: Any) -> int:
    if isinstance(width, bool) or not isinstance(width, int | np.integer):
        raise ProblemError(f"width must be an integer >= 1, got {width!r}")
    if not 1 <= int(width) <= MAX_WIDTH:
        raise ProblemError(f"width must be between 1 and {MAX_WIDTH}, got {width}")
    return int(width)


def _check_domain(domain: Any) -> tuple[sp.Expr, sp.Expr]:
    if isinstance(domain, str):
        domain = domain.split(",")
    try:
        lo, hi = domain
    except (TypeError, ValueError):
        raise ProblemError(f"domain must be a pair (a, b), got {domain!r}") from None
    a = parse_number(lo, what="domain end")
    b = parse_number(hi, what="domain end")
    with precision(256):
        gap = BallArithmetic().const(b - a)
    if not gap > 0:  # certainly positive, decided in ball arithmetic
        if gap <= 0:
            raise ProblemError(f"domain must have a < b, got [{_fmt(a)}, {_fmt(b)}]")
        if sp.simplify(b - a) == 0:
            raise ProblemError(f"domain must have a < b, got [{_fmt(a)}, {_fmt(b)}]")
        raise ProblemError(f"cannot decide whether a < b for the domain [{_fmt(a)}, {_fmt(b)}]")
    return a, b


def _lipschitz_bound(pieces: Pieces) -> arb:
    """Rigorous upper bound of max |f'| over all closed pieces (an exact ball)."""
    best = arb(0)
    B = BallArithmetic()
    with precision(64):
        for lo, hi, e in pieces.cells():
            d = sp.diff(e, X)
            if d == 0:
                continue
            g = compile_expr(d, (X,))
            U, _ = upper_bound(lambda t, g=g: abs(g(B, t)), B.const(lo), B.const(hi))
            best = U if U > best else best
    return best.upper()


def _stack(g: list) -> np.ndarray:
    """Gradient entries as an array: shape (dim,) for one state, (n, dim) for a batch."""
    if not any(isinstance(t, np.ndarray) and t.ndim for t in g):
        return np.array(g, dtype=float)
    n = max(np.shape(t)[0] for t in g if np.ndim(t))
    return np.stack([np.broadcast_to(np.asarray(t, float), (n,)) for t in g], axis=1)


class Problem:
    """A 1-input shallow ReLU regression problem (see the module docstring)."""

    def __init__(
        self,
        target: str | sp.Expr = "x**2",
        domain: Sequence[Any] | str = (0, 1),
        density: str | sp.Expr | None = None,
        width: int = 1,
    ) -> None:
        try:
            self._build(target, domain, density, width)
        except (ExpressionError, PieceError, ArithmeticError) as exc:  # BoundError is one
            raise ProblemError(str(exc).splitlines()[0]) from None

    # -- construction and checks ------------------------------------------------
    def _build(self, target, domain, density, width) -> None:
        self.width = _check_width(width)
        a, b = _check_domain(domain)
        self.domain = (a, b)
        self.a, self.b = float(a), float(b)
        f = parse_expression(target, what="target")
        self.target_expr = f
        self.target_pieces = split(f, X, a, b, "target", pointwise=True)
        for lo, hi, e in self.target_pieces.cells():
            bad = first_bad_point(e, X, lo, hi)
            if bad is not None:
                raise ProblemError(
                    f"target {_fmt(f)} is undefined at x = {_fmt(bad)} in [{_fmt(a)}, {_fmt(b)}]"
                )
            bad = first_bad_point(sp.diff(e, X), X, lo, hi)
            if bad is not None:
                raise ProblemError(
                    f"target {_fmt(f)} is not Lipschitz on [{_fmt(a)}, {_fmt(b)}]: "
                    f"its derivative is unbounded near x = {_fmt(bad)}"
                )
        self._density_input = None if density is None else parse_expression(
            density, what="density"
        )
        raw = sp.Integer(1) if density is None else self._density_input
        dens = split(raw, X, a, b, "density")
        mass = self._check_density(dens, raw)
        self.density_expr = sp.simplify(raw / mass)
        self.density_pieces = Pieces(dens.cuts, tuple(sp.simplify(e / mass) for e in dens.exprs))
        self.lipschitz_bound = _lipschitz_bound(self.target_pieces)
        self.moments = Moments(X, self.target_pieces, self.density_pieces)
        self._check_mass(raw)
        self._float = FloatArithmetic()
        self._mp = MpmathArithmetic()
        self._ball = BallArithmetic()
        self._batch = BatchArithmetic()
        self._target_fn = [compile_expr(e, (X,)) for e in self.target_pieces.exprs]

    def _check_density(self, dens: Pieces, raw: sp.Expr) -> sp.Expr:
        a, b = self.domain
        B = BallArithmetic()
        mass = sp.Integer(0)
        for lo, hi, e in dens.cells():
            bad = first_bad_point(e, X, lo, hi)
            if bad is not None:
                raise ProblemError(
                    f"density {_fmt(raw)} is undefined or unbounded near x = {_fmt(bad)} "
                    f"(its mass on [{_fmt(a)}, {_fmt(b)}] is infinite or undefined)"
                )
            g = compile_expr(e, (X,))
            with precision(64):
                Lb, reached = lower_bound(lambda t, g=g: g(B, t), B.const(lo), B.const(hi))
            if not Lb >= 0:
                if reached < 0:
                    raise ProblemError(
                        f"density {_fmt(raw)} is negative somewhere on [{_fmt(a)}, {_fmt(b)}]"
                    )
                try:
                    m = sp.minimum(e, X, sp.Interval(lo, hi))
                except (NotImplementedError, ValueError, TypeError):
                    m = None
                if m is None or not m.is_number or m.is_negative is not False:
                    raise ProblemError(
                        f"cannot prove that the density {_fmt(raw)} is nonnegative on "
                        f"[{_fmt(lo)}, {_fmt(hi)}]"
                    )
            part = sp.integrate(e, (X, lo, hi))
            if part.has(sp.Integral):
                raise ProblemError(f"density {_fmt(raw)} has no closed-form mass")
            mass += part
        mass = sp.nsimplify(sp.simplify(mass)) if mass.is_Float else sp.simplify(mass)
        if not mass.is_finite:
            raise ProblemError(f"density {_fmt(raw)} has infinite mass on [{_fmt(a)}, {_fmt(b)}]")
        if mass.is_zero or not bool(sp.N(mass, 30) > 0):
            raise ProblemError(f"density {_fmt(raw)} has zero mass on [{_fmt(a)}, {_fmt(b)}]")
        return mass

    def _check_mass(self, raw: sp.Expr) -> None:
        """Prove in ball arithmetic that the normalised density has mass 1: the closed-form
        (or Taylor-model) moment ``P_0(b)`` and an independent rigorous quadrature of each
        piece (:class:`~verifier.field.taylor_cells.TaylorCellAntiderivative`, no SymPy
        integral) both enclose 1, to ``MASS_TOLERANCE``. SymPy's definite integral only
        proposes the normalising constant."""
        B = BallArithmetic()
        a, b = self.domain
        with precision(128):
            (p0,) = self.moments.at(B, B.const(b), ks=(0,))
            quad = arb(0)
            for lo, hi, e in self.density_pieces.cells():
                g = compile_expr(e, (X,))
                quad += TaylorCellAntiderivative(g, B.const(lo), B.const(hi)).total
            for what, m in (("closed-form", p0), ("quadrature", quad)):
                if not (m.is_finite() and m.contains(1) and m.rad() < MASS_TOLERANCE):
                    raise ProblemError(
                        f"density {_fmt(raw)}: the {what} mass of the normalised density on "
                        f"[{_fmt(a)}, {_fmt(b)}] is {m.str(10, radius=True)}, not proven to "
                        "be 1")

    # -- description ------------------------------------------------------------
    def to_dict(self) -> dict:
        """Canonical, re-parseable description (used by certificates)."""
        return {
            "target": to_text(self.target_expr),
            "domain": [to_text(self.domain[0]), to_text(self.domain[1])],
            "density": None if self._density_input is None else to_text(self._density_input),
            "width": self.width,
        }

    @classmethod
    def from_dict(cls, d: dict, canonical: bool = False) -> Problem:
        """The problem of :meth:`to_dict`. ``canonical``: also require every text to be
        canonical (reading and printing it gives it back), as a certificate stores it, so
        that the text a person reads is the function that is proven."""
        if not isinstance(d, dict):
            raise ProblemError("problem must be an object with target, domain, density, width")
        problem = cls(d.get("target"), d.get("domain"), d.get("density"), d.get("width"))
        if canonical:
            want = problem.to_dict()
            for key in ("target", "domain", "density"):
                if d.get(key) != want[key]:
                    raise ProblemError(f"the {key} text {_short(d.get(key))} is not canonical "
                                       f"(its canonical text is {_short(want[key])})")
        return problem

    @property
    def digest(self) -> str:
        """SHA-256 of the canonical description."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def __repr__(self) -> str:
        d = self.to_dict()
        dens = "uniform" if d["density"] is None else d["density"]
        return (
            f"Problem(target={d['target']!r}, domain=({d['domain'][0]}, {d['domain'][1]}), "
            f"density={dens!r}, width={self.width})"
        )

    def _repr_html_(self) -> str:
        """Jupyter: a table of the problem (:func:`verifier.report.display.problem_html`)."""
        return present(self, "html")

    def _repr_latex_(self) -> str:
        """Jupyter: the risk functional (:func:`verifier.report.display.problem_latex`)."""
        return present(self, "latex")

    def describe(self) -> str:
        """A few lines: the problem, its pieces, how the moments are evaluated."""
        a, b = self.domain
        lines = [repr(self)]
        bps = ", ".join(_fmt(p) for p in self.moments.cuts[1:-1]) or "none"
        lines.append(f"breakpoints of target/density in ({_fmt(a)}, {_fmt(b)}): {bps}")
        lines.append(f"Lipschitz constant of the target <= {float(self.lipschitz_bound):.6g}")
        lines += ["moments " + s for s in self.moments.describe()]
        return "\n".join(lines)

    # -- state handling ------------------------------------------------------------
    def dim(self, flow: str = "normalized") -> int:
        return flows.dim(flow, self.width)

    def coordinate_names(self, flow: str = "normalized") -> list[str]:
        return flows.coordinate_names(flow, self.width)

    def _check_state(self, y: Sequence[Any], flow: str, batch: bool = False) -> list:
        flows.check_flow(flow)
        if batch:
            y = list(y)
        else:
            y = list(y) if not isinstance(y, np.ndarray) else list(y.ravel())
        if len(y) != self.dim(flow):
            raise ValueError(
                f"state for flow {flow!r} with width {self.width} needs {self.dim(flow)} "
                f"coordinates {tuple(self.coordinate_names(flow))}, got {len(y)}"
            )
        return y

    def vector_field(self, flow: str = "normalized", signs: Signs = None) -> VectorField:
        """``F = -gradient`` of the flow as a callable ``F(ar, y)`` in any arithmetic."""
        flows.check_flow(flow)
        return VectorField(self.moments, flow, self.width, flows.check_signs(signs, self.width,
                                                                            flow))

    def split_state(self, y: State, flow: str = "normalized", signs: Signs = None
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        """``(w, b, v, c)`` as numpy arrays and a float (float arithmetic)."""
        y = [float(t) for t in self._check_state(y, flow)]
        s = flows.check_signs(signs, self.width, flow)
        w, b, v, c = flows.parameters(self._float, flow, y, self.width, s)
        return np.array(w, float), np.array(b, float), np.array(v, float), float(c)

    # -- evaluation ------------------------------------------------------------------
    def _convert(self, y: list, arithmetic: str) -> tuple[Any, list]:
        if arithmetic == "float":
            return self._float, [float(t) for t in y]
        if arithmetic == "batch":
            return self._batch, [np.asarray(t, dtype=float) for t in y]
        if arithmetic == "mpmath":
            import mpmath

            return self._mp, [t if isinstance(t, mpmath.mpf) else mpmath.mpf(
                t if not isinstance(t, str) else self._mp.const(parse_number(t))) for t in y]
        if arithmetic == "arb":
            return self._ball, [constant_ball(t, coordinate=False) for t in y]
        raise ValueError(f"unknown arithmetic {arithmetic!r} (choose one of {ARITHMETICS})")

    def _run(self, y, flow, signs, arithmetic, prec, want_risk, want_grad, jets=False):
        if arithmetic == "float" and np.ndim(y) == 2:
            arr = np.asarray(y, dtype=float)
            y = self._check_state(arr.T, flow, batch=True)
            arithmetic = "batch"
        else:
            y = self._check_state(y, flow)
        s = flows.check_signs(signs, self.width, flow)
        if arithmetic in ("float", "batch"):  # no precision scope needed: doubles only
            return self._evaluate(y, flow, s, arithmetic, want_risk, want_grad, jets)
        check_prec(prec)
        with precision(prec):
            return self._evaluate(y, flow, s, arithmetic, want_risk, want_grad, jets)

    def _evaluate(self, y, flow, s, arithmetic, want_risk, want_grad, jets):
        ar, vals = self._convert(y, arithmetic)
        if jets:
            ar = JetArithmetic(ar, len(vals))
            vals = [ar.variable(i, t) for i, t in enumerate(vals)]
        w, b, v, c = flows.parameters(ar, flow, vals, self.width, s)
        res = evaluate(ar, self.moments, w, b, v, c, want_risk=want_risk)
        grad = flows.gradient(flow, w, b, v, res) if want_grad else None
        return res.risk, grad

    def risk(self, y: State, flow: str = "normalized", signs: Signs = None,
             arithmetic: str = "float", prec: int = 53) -> Any:
        """The risk at ``y`` (float / mpf at ``prec`` bits / ball enclosing the risk over the
        box ``y``, whose entries may be balls or ``(lo, hi)`` pairs)."""
        r, _ = self._run(y, flow, signs, arithmetic, prec, True, False)
        if arithmetic == "float":
            return np.asarray(r, dtype=float) if np.ndim(y) == 2 else float(r)
        return r

    def gradient(self, y: State, flow: str = "normalized", signs: Signs = None,
                 arithmetic: str = "float", prec: int = 53) -> Any:
        """The gradient of the risk in the flow's coordinates; the flow is ``y' = -gradient``.

        Float: a numpy array (for a 2-D array of states, one row per state,
        evaluated in one vectorized pass). mpmath: a list of mpf. arb: a list of balls that
        enclose the generalized gradient at every point of the box ``y``.
        """
        _, g = self._run(y, flow, signs, arithmetic, prec, False, True)
        if arithmetic == "float":
            return _stack(g)
        return g

    def hessian(self, y: State, flow: str = "normalized", signs: Signs = None,
                prec: int = 53) -> list[list[arb]]:
        """Balls enclosing the Jacobian of the gradient over the box ``y``.

        Across switching surfaces this encloses the hull of the pieces'
        Jacobians (the Clarke generalized Jacobian). The vector field's Jacobian
        is its negative. Entries are infinite where the box contains a point
        with ``cos phi_j = 0`` whose neuron is neither certainly dead nor
        certainly active on all of ``[a, b]``.
        """
        _, g = self._run(y, flow, signs, "arb", prec, False, True, jets=True)
        n = len(g)
        return [[g[i].der[k] if hasattr(g[i], "der") else arb(0) for k in range(n)]
                for i in range(n)]

    def risk_and_gradient(self, y: State, flow: str = "normalized", signs: Signs = None,
                          arithmetic: str = "float", prec: int = 53) -> tuple[Any, Any]:
        r, g = self._run(y, flow, signs, arithmetic, prec, True, True)
        if arithmetic == "float":
            g = _stack(g)
            return (np.asarray(r, float), g) if g.ndim == 2 else (float(r), g)
        return r, g

    # -- floats for exploration and plotting -------------------------------------------
    def switching_functions(self, y: State, flow: str = "normalized", signs: Signs = None
                            ) -> np.ndarray:
        """Functions of the state whose zero sets contain every switching surface:
        ``sigma_j(a)``, ``sigma_j(b)``, ``sigma_j(xi)`` for the breakpoints ``xi``, and
        ``b_i w_j - b_j w_i`` (equal kinks) for ``i < j``."""
        w, b, _, _ = self.split_state(y, flow, signs)
        pts = [float(p) for p in self.moments.cuts]
        out = [w * p + b for p in pts]
        H = self.width
        pairs = [b[i] * w[j] - b[j] * w[i] for i in range(H) for j in range(i + 1, H)]
        return np.concatenate(out + [np.array(pairs, float)])

    def realization(self, y: State, xs: Any, flow: str = "normalized", signs: Signs = None
                    ) -> np.ndarray:
        """``N_theta(x)`` at the points ``xs`` (floats)."""
        w, b, v, c = self.split_state(y, flow, signs)
        xs = np.asarray(xs, dtype=float)
        pre = np.multiply.outer(xs, w) + b
        return c + np.maximum(pre, 0.0) @ v

    def target_values(self, xs: Any) -> np.ndarray:
        """The target at the points ``xs`` (floats)."""
        ar = self._float
        cuts = [ar.const(c) for c in self.target_pieces.cuts]
        out = [ar.piecewise(float(x), cuts, self._target_fn) for x in np.ravel(xs)]
        return np.reshape(np.array(out, float), np.shape(xs))
