"""Taylor-model sets in preconditioned form, and how a step moves them.

A :class:`TaylorSet` is

    X = { c + C z :  z in p(r) + I,  r in D = [-1, 1]^n },      p(D) + I in [-1, 1]^n,

``c`` an exact vector, ``C`` an exact invertible matrix (the *left* factor, the
*preconditioner*), ``p`` a vector of polynomials of degree ``d`` in the normalised
initial coordinates ``r`` with exact coefficients and ``I`` a box (the *right* Taylor
models ``p_i + I_i``). This is the preconditioned Taylor model of Makino and Berz
("Suppression of the wrapping effect by Taylor model-based verified integrators:
long-term stabilization by preconditioning", 2005), with QR preconditioning as in
Flow*: the flow acts on the linear map ``z -> c + C z`` over the box ``[-1, 1]^n``, and
the set's nonlinear shape stays in ``p``, in coordinates that follow the flow. It
generalises the quadratic set ``xhat + C r0 + q(r0) + B r``
(:mod:`verifier.integrate._sets`) to degree ``d``: its wrapping error is of order ``d +
1`` in the width of the initial box, and the remainder ``I`` lives in the frame ``C``,
where (as the error box of a Lohner set) it is not wrapped into the coordinate axes.

**Move** (:func:`move_check`). A Picard step (:mod:`verifier.proof.tm.picard`)
from the initial models ``c + C z`` over ``z`` in ``[-1, 1]^n`` gives models ``Y(z)``
enclosing ``Phi_h(c + C z)``. For an exact vector ``c'``, an exact orthogonal-ish
matrix ``Q`` with a ball inverse, and exact scales ``sigma > 0``:

    Yt = Q^-1 (Y - c')            (models in z),
    pt = Yt o (p + I)             (composition: models in r),
    p' + I' = pt / sigma          (exact coefficients, radii into the remainder),

and, if ``p'(D) + I'`` lies in ``[-1, 1]^n``, the next set is ``(c', Q diag(sigma),
p' + I')``. *Proof.* For ``x = c + C z`` in ``X``, ``z = p(r) + i``: ``Phi_h(x)`` is in
``Y(z)``, so ``Q^-1 (Phi_h(x) - c')`` is in ``Yt(z)`` and, ``z`` being in ``p(r) + I``,
in ``pt(r)``, hence in ``sigma (p'(r) + I')``: ``Phi_h(x) = c' + Q diag(sigma) z'``
with ``z'`` in ``p'(r) + I'``. ∎ Floats propose ``c'``, ``Q`` (the QR factor of the
midpoint linear part ``DY(0) Dp(0)``, columns sorted by extent) and ``sigma`` (the
ranges of ``pt``); every inclusion is ball algebra, and the next set is a function of
``(Y, c', Q, sigma)``, so a checker recomputes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flint import arb, arb_mat, ctx

from verifier.arith.taylor_model import ZERO, TaylorModel, combination, space
from verifier.proof.linalg import rigorous_inverse

#: Significant bits of the proposed scales ``sigma`` (short, so that ``Q diag(sigma)``
#: is computed exactly).
SCALE_BITS = 20


@dataclass(frozen=True)
class TaylorSet:
    """``{c + C z : z in p(r) + I, r in [-1, 1]^n}`` (module docstring); the right
    models ``p`` carry the box ``I`` as their remainders."""

    c: tuple[arb, ...]
    C: arb_mat
    p: tuple[TaylorModel, ...]

    @classmethod
    def from_box(cls, box: Sequence[arb], degree: int) -> TaylorSet:
        """The set of the ball vector ``box``: ``c = mid``, ``C = diag(rad)``, ``p(r) =
        r``; it equals the box. A coordinate of zero width (an exact value) has ``C_jj =
        0`` and ``p_j = 0``: nothing inverts ``C``, and the step's frame ``Q diag(sigma)``
        replaces it after the first step."""
        n = len(box)
        sp = space(n, degree)
        for i, x in enumerate(box):
            if not x.is_finite():
                raise ValueError(f"coordinate {i} of the initial box must be finite")
        C = arb_mat([[arb(box[i].rad()) if i == j else arb(0) for j in range(n)]
                     for i in range(n)])
        p = tuple(TaylorModel.variable(sp, i) if box[i].rad() > 0 else sp.constant(0)
                  for i in range(n))
        return cls(tuple(x.mid() for x in box), C, p)

    @property
    def dim(self) -> int:
        return len(self.c)

    @property
    def space(self):
        return self.p[0].space

    def initial(self) -> list[TaylorModel]:
        """The left models ``c + C z`` over ``z`` in ``[-1, 1]^n`` (exact, remainder 0):
        the initial values of the next step."""
        sp = self.space
        out = []
        for i in range(self.dim):
            coeffs = [ZERO] * sp.size
            coeffs[0] = self.c[i]
            for j in range(self.dim):
                coeffs[sp.variables[j]] = self.C[i, j]
            out.append(TaylorModel(sp, coeffs))
        return out

    def models(self) -> list[TaylorModel]:
        """Models over ``r`` enclosing the set: ``c + C (p(r) + I)``."""
        return [combination(self.space, self.c[i],
                            [(self.C[i, j], self.p[j]) for j in range(self.dim)], ZERO)
                for i in range(self.dim)]

    def hull(self) -> list[arb]:
        """A box containing the set (:meth:`~verifier.arith.taylor_model.TaylorModel.range`
        of its models over ``r``)."""
        return [m.range() for m in self.models()]

    def centre(self) -> list[arb]:
        return list(self.c)


def compose(Y: Sequence[TaylorModel], z: Sequence[TaylorModel]) -> list[TaylorModel]:
    """Models of ``Y(z(r))``: the polynomials of ``Y`` (over one space in ``len(z)``
    variables) at the models ``z`` (over ``r``), plus ``Y``'s remainders."""
    ysp = Y[0].space
    target = z[0].space
    if ysp.n != len(z):
        raise ValueError("one model per variable of Y")
    powers: list[TaylorModel] = [target.constant(1)]
    for m in ysp.monomials[1:]:
        i = next(k for k, e in enumerate(m) if e)
        lower = list(m)
        lower[i] -= 1
        powers.append(powers[ysp.index[tuple(lower)]] * z[i])
    return [combination(target, y.c[0], [(v, w) for v, w in zip(y.c[1:], powers[1:])
                                         if v is not ZERO], y.rem)
            for y in Y]


def times_diag(Q: arb_mat, sigma: Sequence[arb]) -> arb_mat:
    """``Q diag(sigma)`` exactly (53-bit entries times short scales)."""
    old = ctx.prec
    ctx.prec = max(old, 53 + SCALE_BITS + 8)
    try:
        n = Q.nrows()
        out = arb_mat([[Q[i, j] * sigma[j] for j in range(n)] for i in range(n)])
    finally:
        ctx.prec = old
    if not all(out[i, j].rad() == 0 for i in range(n) for j in range(n)):
        raise ArithmeticError("the scaled preconditioner is not exact")
    return out


def right_models(X: TaylorSet, Y: Sequence[TaylorModel], c: Sequence[arb], Q: arb_mat
                 ) -> list[TaylorModel] | None:
    """``pt = Q^-1 (Y - c) o (p + I)``: models over ``r`` of the image in the frame ``(c,
    Q)`` (module docstring); ``None`` when ``Q`` cannot be inverted."""
    Qinv = rigorous_inverse(Q)
    if Qinv is None:
        return None
    n = X.dim
    sp = Y[0].space
    shifted = [y - ci for y, ci in zip(Y, c)]
    Yt = [combination(sp, ZERO, [(Qinv[i, j], shifted[j]) for j in range(n)], ZERO)
          for i in range(n)]
    return compose(Yt, X.p)


def rescale(c: Sequence[arb], Q: arb_mat, pt: Sequence[TaylorModel], sigma: Sequence[arb]
            ) -> TaylorSet | None:
    """The set ``(c, Q diag(sigma), pt / sigma)`` (exact coefficients, radii into the
    remainders) when its right models lie in ``[-1, 1]^n``, else ``None``."""
    if len(sigma) != len(pt) or not all(s > 0 for s in sigma):
        return None
    p = tuple(q.scale(1 / s).exact() for q, s in zip(pt, sigma))
    for q in p:
        b = q.bound()
        if not (b.is_finite() and b.lower() >= -1 and b.upper() <= 1):
            return None
    return TaylorSet(tuple(c), times_diag(Q, sigma), p)


def move_check(X: TaylorSet, Y: Sequence[TaylorModel], c: Sequence[arb], Q: arb_mat,
               sigma: Sequence[arb]) -> TaylorSet | None:
    """The next set for the choices ``(c, Q, sigma)`` (module docstring), or ``None``
    when its right models leave ``[-1, 1]^n`` or ``Q`` cannot be inverted. A function of
    its arguments: a checker recomputes the next set from the stored choices."""
    pt = right_models(X, Y, c, Q)
    return None if pt is None else rescale(c, Q, pt, sigma)
