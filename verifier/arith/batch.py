"""Batches of doubles: numpy arrays of states evaluated at once (floats only).

Every value is an array over the batch; case distinctions are made per element
with ``numpy.where``/``select`` instead of being decided once. Used for fast
exploration (many states per call); never for claims.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from verifier.arith.floats import FloatArithmetic


class BatchArithmetic(FloatArithmetic):
    """numpy float64 arrays; elementwise case logic."""

    name = "batch"

    def ge(self, x, y):
        r = np.asarray(x >= y)
        if r.all():
            return True
        if not r.any():
            return False
        return None

    def sign(self, x):
        raise TypeError("batch arithmetic decides cases elementwise")

    def max(self, x, y):
        return np.maximum(x, y)

    def min(self, x, y):
        return np.minimum(x, y)

    def tagged_max(self, p, q):
        sel = p[0] >= q[0]
        return np.where(sel, p[0], q[0]), tuple(np.where(sel, a, b) for a, b in zip(p[1], q[1]))

    def tagged_min(self, p, q):
        sel = p[0] <= q[0]
        return np.where(sel, p[0], q[0]), tuple(np.where(sel, a, b) for a, b in zip(p[1], q[1]))

    def active_interval(self, w, b, lo, hi):
        w = np.asarray(w, float)
        b = np.broadcast_to(np.asarray(b, float), w.shape) if w.ndim else np.asarray(b, float)
        with np.errstate(divide="ignore", invalid="ignore"):
            k = np.clip(np.where(w != 0, -b / np.where(w != 0, w, 1.0), 0.0), lo, hi)
        pos, neg = w > 0, w < 0
        flat = ~pos & ~neg
        left = np.where(pos, k, lo)
        right = np.where(pos, hi, np.where(neg, k, np.where(b > 0, hi, lo)))
        left = np.where(flat, lo, left)
        return left, right

    def piecewise(self, x, cuts, pieces):
        x = np.asarray(x, float)
        if len(pieces) == 1:
            return pieces[0](self, x)
        idx = np.searchsorted(np.asarray(cuts[1:-1], float), x, side="right")
        with np.errstate(all="ignore"):
            vals = [piece(self, x) for piece in pieces]
        if isinstance(vals[0], tuple):
            return tuple(
                np.choose(idx, [np.broadcast_to(v[k], x.shape) for v in vals])
                for k in range(len(vals[0]))
            )
        return np.choose(idx, [np.broadcast_to(v, x.shape) for v in vals])

    f_sin = staticmethod(np.sin)
    f_cos = staticmethod(np.cos)
    f_tan = staticmethod(np.tan)
    f_exp = staticmethod(np.exp)
    f_log = staticmethod(np.log)
    f_sqrt = staticmethod(np.sqrt)
    f_atan = staticmethod(np.arctan)
    f_asin = staticmethod(np.arcsin)
    f_acos = staticmethod(np.arccos)
    f_sinh = staticmethod(np.sinh)
    f_cosh = staticmethod(np.cosh)
    f_tanh = staticmethod(np.tanh)
    f_asinh = staticmethod(np.arcsinh)
    f_erf = staticmethod(special.erf)
    f_erfi = staticmethod(special.erfi)
    f_Ei = staticmethod(special.expi)
    f_Abs = staticmethod(np.abs)

    @staticmethod
    def f_Si(x):
        return special.sici(x)[0]

    @staticmethod
    def f_Ci(x):
        return special.sici(x)[1]
