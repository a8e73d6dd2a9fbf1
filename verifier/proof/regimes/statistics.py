"""Scale-free statistics of the density on a neuron's active piece.

Let a neuron face ``side`` (``+1``: active right of its kink ``k``, dying end ``e = b``;
``-1``: active left of it, ``e = a``) with an active piece ``A`` of length ``eps > 0``,
and measure points of ``A`` by their distance ``s`` to the kink: ``x = k + side s``,
``s in [0, eps]``. With ``s = eps t``, ``t in [0, 1]``, the density on ``A`` is

    p(x) = p(e - side eps (1 - t)) =: eps^m p_hat(t),

where ``m >= 0`` is the order of vanishing of ``p`` at ``e`` (``m = 0`` unless the
density vanishes there). The lemma of :mod:`verifier.regimes.lemmas` needs

    t_bar = int t p_hat / int p_hat                    (s_bar = eps t_bar, the mean of s),
    rho   = int |t - t_bar| t p_hat / int (t - t_bar)^2 p_hat,

both invariant under scaling ``p_hat`` (``rho`` is the ratio
``int |s - s_bar| s p / int (s - s_bar)^2 p`` in the ``s`` variable). They are enclosed
for every ``eps`` of a range ``[eps_lo, eps_hi]`` at once by a Riemann enclosure: on each
of ``n`` sub-intervals ``T_i`` of ``[0, 1]`` the density is enclosed by a ball ``P_i`` (its
value over the ball of all ``x`` the sub-interval can reach), so that

    int_{T_i} g(t) p_hat(t) dt in int_{T_i} g(t) dt * P_i          for every g >= 0,

and the integrals of the polynomial weights ``g`` over ``T_i`` are exact. For the
denominator, ``int_{T_i} (t - T)^2 dt`` is minimized and for the numerator
``int_{T_i} |t - T| t dt`` maximized over ``T`` in the enclosure of ``t_bar`` (both are
convex in ``T``), so ``rho`` gets a valid upper bound whatever the true ``t_bar``.

When ``eps_lo = 0`` and the density may vanish at ``e``, ``p_hat`` comes from the Taylor
expansion of ``p`` at ``e``: ``p(e - side u) = sum_{k<K} c_k (-side u)^k + C_K (-side u)^K``
(``C_K`` encloses the ``K``-th coefficient over the whole range of ``x``), with
``c_0 = ... = c_{m-1} = 0`` exactly and ``c_m`` certainly nonzero; dividing by
``eps^m`` leaves a polynomial in ``eps`` and ``(1 - t)`` with ball coefficients.
"""

from __future__ import annotations

from dataclasses import dataclass

from flint import arb

from verifier.arith.balls import BallArithmetic
from verifier.field.pointwise import PointFunctions

#: Sub-intervals of [0, 1] in the Riemann enclosure.
SUBCELLS = 32
#: Taylor order of the density at a dying end (for vanishing densities).
JET_ORDER = 8


class StatisticsError(ArithmeticError):
    """The statistics cannot be enclosed on this cell (a one-line reason)."""


@dataclass(frozen=True)
class PieceStatistics:
    t_bar: arb  # encloses the mean of t
    rho: arb  # an exact upper bound of rho (a ball of radius 0)


def _int_square(lo: arb, hi: arb, T: arb) -> arb:
    """``int_lo^hi (t - T)^2 dt`` for the number ``T``."""
    return ((hi - T) ** 3 - (lo - T) ** 3) / 3


def _min_square(lo: arb, hi: arb, T: arb) -> arb:
    """A lower bound of ``int_lo^hi (t - T)^2 dt`` over ``T`` in the ball ``T``: the
    function is convex in ``T`` with its minimum at the midpoint of ``[lo, hi]``."""
    mid = (lo + hi) / 2
    tl, th = T.lower(), T.upper()
    if th < mid:
        return _int_square(lo, hi, th).lower()
    if tl > mid:
        return _int_square(lo, hi, tl).lower()
    return ((hi - lo) ** 3 / 12).lower()


def _int_abs_t(lo: arb, hi: arb, T: arb) -> arb:
    """``int_lo^hi |t - T| t dt`` for an exact ``T`` (``0 <= lo <= hi``)."""
    def F(t: arb) -> arb:  # antiderivative of (t - T) t
        return t ** 3 / 3 - T * t ** 2 / 2
    if T <= lo:
        return F(hi) - F(lo)
    if T >= hi:
        return F(lo) - F(hi)
    return (F(T) - F(lo)) * -1 + (F(hi) - F(T))


def _max_abs_t(lo: arb, hi: arb, T: arb) -> arb:
    """An upper bound of ``int_lo^hi |t - T| t dt`` over ``T`` in the ball (convex in
    ``T``: the maximum is at an end of the ball)."""
    a = _int_abs_t(lo, hi, T.lower()).upper()
    b = _int_abs_t(lo, hi, T.upper()).upper()
    return a if a >= b else b


class ActivePieceStatistics:
    """Encloses :class:`PieceStatistics` of one problem's density."""

    def __init__(self, problem) -> None:
        self.fp = PointFunctions(problem)
        self.ar = BallArithmetic()
        self._jets: dict[tuple[str, int], tuple[int, list[arb]] | None] = {}

    # -- the density on a sub-interval ------------------------------------------------
    def _direct(self, e: arb, side: int, eps: arb, t: arb, x0: arb, x1: arb) -> arb:
        x = e - side * eps * (1 - t)
        lo = x.lower() if x.lower() > x0.lower() else x0.lower()
        hi = x.upper() if x.upper() < x1.upper() else x1.upper()
        if not lo <= hi:
            raise StatisticsError("empty active piece")
        x = lo if lo == hi else arb.union(lo, hi)
        return self.fp.p(self.ar, x)

    def _jet(self, e: arb, side: int, reach: arb) -> tuple[int, list[arb]] | None:
        """``(m, [c_0..c_{K-1}, C_K])`` at the end ``e`` over ``[e - side reach, e]``."""
        key = (str(e), side, str(reach))
        if key in self._jets:
            return self._jets[key]
        out = None
        try:
            cs = self.fp.density_jet(e, e, JET_ORDER)
            far = e - side * reach
            ends = sorted([e, far.lower() if side == 1 else far.upper()],
                          key=lambda t: float(t.mid()))
            CK = self.fp.density_jet(ends[0], ends[1], JET_ORDER + 1)[JET_ORDER]
        except ArithmeticError:
            CK = None
        if CK is not None and CK.is_finite():
            m = 0
            while m < JET_ORDER and cs[m] == 0 and cs[m].rad() == 0:
                m += 1
            if m < JET_ORDER and (cs[m] > 0 or cs[m] < 0):
                out = (m, cs + [CK])
        self._jets[key] = out
        return out

    def _scaled(self, jet: tuple[int, list[arb]], side: int, eps: arb, t: arb) -> arb:
        """``p(e - side eps (1 - t)) / eps^m`` from the jet (all ``eps`` in the ball)."""
        m, co = jet
        u = 1 - t  # p(e - side eps u) = sum_k c_k (-side)^k eps^k u^k
        acc = arb(0)
        for k in range(m, len(co)):
            acc += co[k] * (-side) ** k * eps ** (k - m) * u ** k
        return acc

    # -- the statistics -------------------------------------------------------------
    def _density_balls(self, e: arb, side: int, eps_lo: arb, eps_hi: arb, x0: arb,
                       x1: arb, edges: list[arb]) -> list[tuple[arb, arb]]:
        """Exact ``(lo, hi)`` bounds of ``p_hat`` on each sub-interval of ``[0, 1]``."""
        eps = eps_hi if eps_lo == eps_hi else arb.union(eps_lo, eps_hi)
        jet = None
        if not self.fp.p(self.ar, e) > 0:  # the density may vanish at the dying end
            jet = self._jet(e, side, eps_hi)
            if jet is None:
                raise StatisticsError("the density's order of vanishing at the dying "
                                      "end cannot be decided")
        out = []
        for i in range(len(edges) - 1):
            t = arb.union(edges[i], edges[i + 1])
            val = self._scaled(jet, side, eps, t) if jet else self._direct(e, side, eps, t,
                                                                            x0, x1)
            if not val.is_finite():
                raise StatisticsError("the density is not bounded on the active piece")
            lo = val.lower() if val.lower() > 0 else arb(0)
            out.append((lo, val.upper()))
        return out

    def enclose(self, e: arb, side: int, eps_lo: arb, eps_hi: arb, x0: arb,
                x1: arb) -> PieceStatistics:
        """:class:`PieceStatistics` valid for every active length in ``[eps_lo, eps_hi]``
        (``0 <= eps_lo <= eps_hi``, ``eps_hi > 0``).

        With ``P_i = [lo_i, hi_i]`` the bounds of ``p_hat`` on the sub-interval ``T_i``
        and the exact moments ``C_i, B_i, A_i`` of ``1, t, t^2`` over ``T_i``:

        * the mean: for any ``p_hat`` within the bounds the mean is at most the mean of
          the density that takes the lower bound left of a threshold and the upper bound
          right of it (the mean is unimodal in the threshold, maximal at its fixed point);
          with the threshold in ``T_k`` this is at most
          ``(sum_{i<k} lo_i B_i + hi_k B_k + sum_{i>k} hi_i B_i) / (sum_{i<k} lo_i C_i +
          lo_k C_k + sum_{i>k} hi_i C_i)``; the maximum over ``k`` bounds ``t_bar`` above,
          symmetrically below;
        * the variance term ``int (t - t_bar)^2 p_hat = min_T int (t - T)^2 p_hat >=
          min_T sum_i lo_i (A_i - 2 T B_i + T^2 C_i) = sum lo A - (sum lo B)^2 / sum lo C``;
        * the numerator ``int |t - t_bar| t p_hat <= sum_i hi_i max_{T in [t_bar]}
          int_{T_i} |t - T| t dt``.
        """
        n = SUBCELLS
        edges = [arb(i) / n for i in range(n + 1)]
        P = self._density_balls(e, side, eps_lo, eps_hi, x0, x1, edges)
        C = [edges[i + 1] - edges[i] for i in range(n)]
        B = [(edges[i + 1] ** 2 - edges[i] ** 2) / 2 for i in range(n)]
        A = [(edges[i + 1] ** 3 - edges[i] ** 3) / 3 for i in range(n)]
        lo = [p[0] for p in P]
        hi = [p[1] for p in P]
        sC = sum((l * c for l, c in zip(lo, C)), arb(0))
        if not sC > 0:
            raise StatisticsError("the density has no certain mass on the active piece")
        sB = sum((l * b for l, b in zip(lo, B)), arb(0))
        sA = sum((l * a for l, a in zip(lo, A)), arb(0))
        den = (sA - sB * sB / sC).lower()
        if not den > 0:
            raise StatisticsError("cannot bound the variance of the active piece below")
        t_hi = arb(0)
        t_lo = arb(1)
        for k in range(n):
            up_num = sum((lo[i] * B[i] for i in range(k)), arb(0)) + hi[k] * B[k] + sum(
                (hi[i] * B[i] for i in range(k + 1, n)), arb(0))
            up_den = sum((lo[i] * C[i] for i in range(k)), arb(0)) + lo[k] * C[k] + sum(
                (hi[i] * C[i] for i in range(k + 1, n)), arb(0))
            dn_num = sum((hi[i] * B[i] for i in range(k)), arb(0)) + lo[k] * B[k] + sum(
                (lo[i] * B[i] for i in range(k + 1, n)), arb(0))
            dn_den = sum((hi[i] * C[i] for i in range(k)), arb(0)) + hi[k] * C[k] + sum(
                (lo[i] * C[i] for i in range(k + 1, n)), arb(0))
            if up_den > 0:
                u = (up_num / up_den).upper()
                t_hi = u if u > t_hi else t_hi
            else:
                t_hi = arb(1)
            if dn_den > 0:
                d = (dn_num / dn_den).lower()
                t_lo = d if d < t_lo else t_lo
            else:
                t_lo = arb(0)
        t_lo = t_lo if t_lo > 0 else arb(0)
        t_hi = t_hi if t_hi < 1 else arb(1)
        t_bar = t_lo if t_lo == t_hi else arb.union(t_lo, t_hi)
        num = sum((_max_abs_t(edges[i], edges[i + 1], t_bar) * hi[i] for i in range(n)),
                  arb(0)).upper()
        return PieceStatistics(t_bar, (num / den).upper())
