"""Property tests (hypothesis) of the ball-arithmetic risk, gradient and Hessian.

For random boxes (radius 1e-12 .. 1e-1, given either as ``flint.arb`` balls or
as ``(lo, hi)`` pairs; some centred exactly on a switching configuration: a
kink at ``a``, at ``b``, at a target breakpoint, two equal kinks, ``cos phi =
0``, dead neurons) and random points inside each box:

* ``p.risk/gradient(box, arithmetic="arb")`` contain the implementation's
  mpmath values at 100 bits (exactly: only the mpf's own rounding, 2^-90
  relative, is allowed), the float values (up to the acceptance tolerance
  1e-12) and the independent reference values (``tests/reference.py``);
* ``p.hessian(box)`` contains central differences of the exact (200-bit)
  mpmath gradient at points of the box away from switching surfaces;
* risk, gradient and Hessian enclosures are finite on boxes where no ``cos
  phi_j`` (standard flow: ``w_j``) can vanish; risk and gradient are finite
  also on boxes containing ``phi = +-pi/2``;
* on boxes inside one analytic piece, halving the radius twice shrinks every
  enclosure at least linearly (``width(r/4) <= 0.6 width(r)`` + rounding).

Whether a box may straddle a switching surface is decided here, independently
of the implementation, by enclosing every kink ``-b_j/w_j`` over the box in
``arb`` arithmetic.
"""

from __future__ import annotations

import functools
import itertools
import math
import zlib

import flint
import mpmath
import numpy as np
import pytest
from flint import arb
from hypothesis import HealthCheck, given, settings
from hypothesis import event as _hevent
from hypothesis import note as _hnote
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from reference import CASES, FLOWS, random_state, smooth_state, special_states

BALL_CASES = ["sq-unif", "sq-wide", "abs-2x", "pwl-wide", "sin-unif", "exprat-2x",
              "sqrt-wide"]
FLOAT_SLACK = 1e-12   # acceptance tolerance of the float path (absolute)
MP_PREC = 100
FD_PREC = 200

COMMON = dict(deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.filter_too_much])


@functools.cache
def problem(name: str, H: int):
    from verifier import Problem

    return Problem(**CASES[name].problem_kwargs(), width=H)


# ------------------------------------------------------------------ helpers
def note(msg):
    """hypothesis.note when running under @given, otherwise nothing."""
    try:
        _hnote(msg)
    except InvalidArgument:
        pass


def event(msg):
    """hypothesis.event when running under @given, otherwise nothing."""
    try:
        _hevent(msg)
    except InvalidArgument:
        pass


def mpf_to_arb(v, rel=2.0 ** -90) -> arb:
    """Exact conversion of an mpf, with radius rel*(1+|v|) (its own rounding)."""
    v = mpmath.mpf(v)
    if not mpmath.isfinite(v):
        return arb.nan()
    sign, man, exp, _ = v._mpf_  # note: mpf.man_exp drops the sign
    x = arb((-int(man) if sign else int(man), int(exp))) if man else arb(0)
    r = rel * (1 + abs(float(v)))
    return arb(x, r)


def float_to_arb(v, slack) -> arb:
    return arb(float(v), slack * (1 + abs(float(v)))) if slack else arb(float(v))


def is_finite(x: arb) -> bool:
    return x.is_finite()


def width(x: arb) -> float:
    return 2 * float(x.rad()) if x.is_finite() else math.inf


def box_to_input(box, form):
    if form == "pair":
        return [(lo, hi) for lo, hi in box]
    return [arb(lo) if lo == hi else arb(lo).union(arb(hi)) for lo, hi in box]


def box_theta(case, flow, signs, box):
    """Enclosures (arb) of w_j, b_j over the box."""
    H = (len(box) - 1) // (3 if flow == "standard" else 2)
    iv = [arb(lo) if lo == hi else arb(lo).union(arb(hi)) for lo, hi in box]
    with flint.ctx.workprec(80):
        if flow == "normalized":
            W = [t.cos() for t in iv[:H]]
            B = [t.sin() for t in iv[:H]]
        elif flow == "normalized-weights":
            s = signs or [1] * H
            W = [arb(t) for t in s]
            B = iv[:H]
        else:
            W = iv[:H]
            B = iv[H:2 * H]
    return W, B


def box_degenerate(case, flow, signs, box) -> bool:
    """Some w_j (cos phi_j) may vanish on the box."""
    W, _ = box_theta(case, flow, signs, box)
    return any(w.contains(0) for w in W)


def box_may_straddle(case, flow, signs, box) -> bool:
    """Conservative: False only if every kink provably stays away from a, b, the
    breakpoints and the other kinks (the box lies in one analytic piece)."""
    W, B = box_theta(case, flow, signs, box)
    if any(w.contains(0) for w in W):
        return True
    a, b = arb(str(case.a_q)), arb(str(case.b_q))
    fixed = [a, b] + [arb(str(t)) for t in case.bp_q]
    dom = a.union(b)
    with flint.ctx.workprec(80):
        K = [-bj / wj for wj, bj in zip(W, B, strict=True)]
    for i, k in enumerate(K):
        if any(k.overlaps(t) for t in fixed):
            return True
        for j in range(i + 1, len(K)):
            if k.overlaps(K[j]) and (k.overlaps(dom) or K[j].overlaps(dom)):
                return True
    return False


def points_in_box(box, rng, n):
    pts = [[(lo + hi) / 2 if lo != hi else lo for lo, hi in box]]
    for _ in range(n - 1):
        y = []
        for lo, hi in box:
            t = lo + rng.uniform() * (hi - lo)
            y.append(min(max(t, lo), hi))
        pts.append(y)
    # one corner
    pts.append([lo if rng.uniform() < 0.5 else hi for lo, hi in box])
    return pts


def make_box(y, r, rng, zero_mask_p=0.15):
    box = []
    for t in y:
        if rng.uniform() < zero_mask_p:
            box.append((t, t))
        else:
            rr = r * rng.uniform(0.3, 1.0)
            lo, hi = t - rr, t + rr
            box.append((lo, hi))
    return box


@st.composite
def box_examples(draw, allow_special=True, hs=(1, 2, 3)):
    name = draw(st.sampled_from(BALL_CASES))
    flow = draw(st.sampled_from(FLOWS))
    H = draw(st.sampled_from(hs))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    case = CASES[name]
    special = allow_special and draw(st.booleans())
    if special:
        choices = special_states(case, flow, H, rng)
        label, y, signs = draw(st.sampled_from(choices))
    else:
        label = "random"
        y, signs = random_state(case, flow, H, rng)
    r = 10.0 ** draw(st.floats(-12, -1))
    form = draw(st.sampled_from(["arb", "pair"]))
    box = make_box(y, r, rng)
    return dict(name=name, case=case, flow=flow, H=H, label=label, signs=signs, box=box,
                r=r, form=form, rng=rng)


def _evaluate_box(ex, hessian=True):
    prob = problem(ex["name"], ex["H"])
    inp = box_to_input(ex["box"], ex["form"])
    kw = dict(flow=ex["flow"], signs=ex["signs"])
    R = prob.risk(inp, arithmetic="arb", prec=53, **kw)
    G = prob.gradient(inp, arithmetic="arb", prec=53, **kw)
    Hs = prob.hessian(inp, prec=53, **kw) if hessian else None
    assert isinstance(R, arb)
    assert len(G) == len(ex["box"]) and all(isinstance(g, arb) for g in G)
    if Hs is not None:
        n = len(ex["box"])
        assert len(Hs) == n and all(len(row) == n for row in Hs)
    return R, G, Hs


def _describe(ex):
    return (f"case={ex['name']} flow={ex['flow']} H={ex['H']} label={ex['label']!r}"
            f" form={ex['form']} r={ex['r']:.3g} signs={ex['signs']}\n"
            f"box={[(float(lo), float(hi)) for lo, hi in ex['box']]}")


def _fd_hessian(prob, y, flow, signs):
    """Central differences of the 200-bit mpmath gradient, h = 2^-30."""
    n = len(y)
    cols = []
    with mpmath.workprec(FD_PREC):
        h = mpmath.mpf(2) ** -30
        for i in range(n):
            yp = [mpmath.mpf(t) for t in y]
            ym = list(yp)
            yp[i] += h
            ym[i] -= h
            gp = prob.gradient(yp, flow=flow, signs=signs, arithmetic="mpmath", prec=FD_PREC)
            gm = prob.gradient(ym, flow=flow, signs=signs, arithmetic="mpmath", prec=FD_PREC)
            cols.append([(mpmath.mpf(u) - mpmath.mpf(v)) / (2 * h) for u, v in zip(gp, gm,
                                                                                    strict=True)])
    # hess[k][i] = d G_k / d y_i
    return [[cols[i][k] for i in range(n)] for k in range(n)]


def _point_far_from_switch(case, flow, signs, y, dist=1e-5, min_w=0.05):
    ref = case.reference
    if ref.switch_distance(y, flow, signs) <= dist:
        return False
    with mpmath.workdps(ref.dps):
        w = ref._theta(y, flow, signs)[0]
    ks = ref.kinks(y, flow, signs)
    return not any(k is not None and ref.a - 1 <= k <= ref.b + 1 and abs(wj) < min_w
                   for k, wj in zip(ks, w, strict=True))


# ------------------------------------------------------------------ containment
def _containment(ex):
    note(_describe(ex))
    case, flow, signs, box = ex["case"], ex["flow"], ex["signs"], ex["box"]
    prob = problem(ex["name"], ex["H"])
    degenerate = box_degenerate(case, flow, signs, box)
    straddle = box_may_straddle(case, flow, signs, box)
    event(f"box: {'degenerate' if degenerate else 'straddling' if straddle else 'one piece'}")
    R, G, Hs = _evaluate_box(ex, hessian=True)
    bad = []
    # finiteness
    if flow != "standard" or not degenerate:
        if not R.is_finite() or not all(g.is_finite() for g in G):
            bad.append(f"risk/gradient enclosure not finite: R={R} G={G}")
    if not degenerate and not all(h.is_finite() for row in Hs for h in row):
        bad.append(f"Hessian enclosure not finite on a non-degenerate box: {Hs}")
    rng = ex["rng"]
    pts = points_in_box(box, rng, 3)
    fd_done = False  # one FD Hessian per box is enough
    for ip, y in enumerate(pts):
        kw = dict(flow=flow, signs=signs)
        # mpmath at 100 bits: must lie in the ball up to its own rounding
        Lm = prob.risk(list(y), arithmetic="mpmath", prec=MP_PREC, **kw)
        gm = prob.gradient(list(y), arithmetic="mpmath", prec=MP_PREC, **kw)
        if not R.overlaps(mpf_to_arb(Lm)):
            bad.append(f"point {y}: mpmath risk {mpmath.nstr(Lm, 25)} not in {R}")
        for k, (g, v) in enumerate(zip(G, gm, strict=True)):
            if not g.overlaps(mpf_to_arb(v)):
                bad.append(f"point {y}: mpmath gradient[{k}] {mpmath.nstr(v, 25)} not in {g}")
        # float path
        Lf = prob.risk(list(y), **kw)
        gf = prob.gradient(list(y), **kw)
        if not R.overlaps(float_to_arb(Lf, FLOAT_SLACK)):
            bad.append(f"point {y}: float risk {Lf!r} not in {R} (+{FLOAT_SLACK})")
        for k, (g, v) in enumerate(zip(G, gf, strict=True)):
            if not g.overlaps(float_to_arb(v, FLOAT_SLACK)):
                bad.append(f"point {y}: float gradient[{k}] {v!r} not in {g} (+{FLOAT_SLACK})")
        # independent reference (one point per box: it is the expensive one)
        if ip == 1:
            Lr, gr = case.reference.risk_gradient_mp(y, flow, signs)
            if not R.overlaps(mpf_to_arb(Lr, 1e-24)):
                bad.append(f"point {y}: reference risk {mpmath.nstr(Lr, 25)} not in {R}")
            for k, (g, v) in enumerate(zip(G, gr, strict=True)):
                if not g.overlaps(mpf_to_arb(v, 1e-24)):
                    bad.append(f"point {y}: reference gradient[{k}] {mpmath.nstr(v, 25)}"
                               f" not in {g}")
        # Hessian vs finite differences, at the first point far from switches
        if not fd_done and ip >= 1 and _point_far_from_switch(case, flow, signs, y):
            fd_done = True
            event("FD Hessian checked")
            fd = _fd_hessian(prob, y, flow, signs)
            for k in range(len(y)):
                for i in range(len(y)):
                    v = fd[k][i]
                    tol = 1e-7 * (1 + abs(float(v)))
                    if not Hs[k][i].overlaps(arb(float(v), tol)):
                        bad.append(f"point {y}: FD Hessian[{k}][{i}] = {mpmath.nstr(v, 15)}"
                                   f" not in {Hs[k][i]} (+{tol:.1e})")
    if bad:
        pytest.fail(_describe(ex) + "\n" + "\n".join(bad[:12]), pytrace=False)


@settings(max_examples=60, **COMMON)
@given(box_examples())
def test_ball_enclosures_contain_point_values(ex):
    _containment(ex)


@pytest.mark.slow
@settings(max_examples=600, **COMMON)
@given(box_examples(hs=(1, 2, 3, 5)))
def test_ball_enclosures_contain_point_values_many(ex):
    _containment(ex)


# ------------------------------------------------------------------ explicit straddling boxes
def _straddle_params():
    out = []
    for name in ("abs-2x", "pwl-wide", "sq-unif"):
        for flow in FLOWS:
            for H in (1, 2):
                out.append(pytest.param(name, flow, H, id=f"{name}-{flow}-H{H}"))
    return out


@pytest.mark.parametrize("name,flow,H", _straddle_params())
def test_boxes_centred_on_every_switch(name, flow, H):
    """Every special configuration, box radii 1e-9, 1e-4, 1e-2 (arb and pair)."""
    case = CASES[name]
    rng = np.random.default_rng(zlib.crc32(repr((name, flow, H)).encode()))
    specials = special_states(case, flow, H, rng)
    for i, (label, y, signs) in enumerate(specials):
        r = (1e-9, 1e-4, 1e-2)[i % 3]
        box = make_box(y, r, rng, zero_mask_p=0.0)
        ex = dict(name=name, case=case, flow=flow, H=H, label=label, signs=signs, box=box,
                  r=r, form=("arb", "pair")[i % 2], rng=rng)
        _containment(ex)


# ------------------------------------------------------------------ shrinking
@st.composite
def smooth_boxes(draw):
    name = draw(st.sampled_from(BALL_CASES))
    flow = draw(st.sampled_from(FLOWS))
    H = draw(st.sampled_from((1, 2, 3)))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    case = CASES[name]
    y, signs = smooth_state(case, flow, H, rng, min_dist=1e-2, min_w=0.5)
    r = 10.0 ** draw(st.floats(-8, -3))
    form = draw(st.sampled_from(["arb", "pair"]))
    return dict(name=name, case=case, flow=flow, H=H, label="smooth", signs=signs, y=y, r=r,
                form=form, rng=rng)


def _shrink(ex):
    case, flow, signs, y, r = ex["case"], ex["flow"], ex["signs"], ex["y"], ex["r"]
    res = []
    for rr in (r, r / 2, r / 4):
        box = [(t - rr, t + rr) for t in y]
        e = dict(ex, box=box, r=rr)
        note(_describe(e))
        if box_may_straddle(case, flow, signs, box):
            event("shrink: skipped (box may straddle)")
            return  # not a one-piece box after all (rare)
        R, G, Hs = _evaluate_box(e)
        res.append([R, *G, *[h for row in Hs for h in row]])
    n = len(y)
    names = ["risk"] + [f"gradient[{k}]" for k in range(n)] + [
        f"hessian[{k}][{i}]" for k in range(n) for i in range(n)]
    bad = []
    for j, nm in enumerate(names):
        w0, w1, w2 = (width(res[t][j]) for t in range(3))
        if not all(math.isfinite(t) for t in (w0, w1, w2)):
            bad.append(f"{nm}: infinite enclosure {res[0][j]} / {res[1][j]} / {res[2][j]}")
            continue
        floor = 2.0 ** -44 * (1 + abs(float(res[0][j].mid())))
        if not w2 <= 0.6 * w0 + floor:
            bad.append(f"{nm}: widths {w0:.3e} (r), {w1:.3e} (r/2), {w2:.3e} (r/4)")
    if bad:
        pytest.fail(_describe(dict(ex, box=[(t - r, t + r) for t in y])) + "\n"
                    + "\n".join(bad[:12]), pytrace=False)


@settings(max_examples=40, **COMMON)
@given(smooth_boxes())
def test_ball_width_shrinks_linearly(ex):
    _shrink(ex)


@pytest.mark.slow
@settings(max_examples=400, **COMMON)
@given(smooth_boxes())
def test_ball_width_shrinks_linearly_many(ex):
    _shrink(ex)


# ------------------------------------------------------------------ cos(phi) = 0 boxes
@settings(max_examples=30, **COMMON)
@given(name=st.sampled_from(BALL_CASES), H=st.sampled_from((1, 2, 3)),
       sign=st.sampled_from((1, -1)), lo=st.floats(-12, -1), hi=st.floats(-12, -1),
       seed=st.integers(0, 2**32 - 1), form=st.sampled_from(["arb", "pair"]))
def test_phi_boxes_containing_pi_half_are_finite(name, H, sign, lo, hi, seed, form):
    case = CASES[name]
    rng = np.random.default_rng(seed)
    y, _ = random_state(case, "normalized", H, rng)
    box = make_box(y, 10.0 ** rng.uniform(-12, -1), rng)
    c = sign * math.pi / 2
    box[0] = (c - 10.0 ** lo, c + 10.0 ** hi)
    ex = dict(name=name, case=case, flow="normalized", H=H, label="phi ~ pi/2", signs=None,
              box=box, r=10.0 ** max(lo, hi), form=form, rng=rng)
    note(_describe(ex))
    prob = problem(name, H)
    R, G, _ = _evaluate_box(ex, hessian=False)
    assert R.is_finite(), R
    assert all(g.is_finite() for g in G), G
    for y in points_in_box(box, rng, 2) + [[c, *[(lo_ + hi_) / 2 for lo_, hi_ in box[1:]]]]:
        Lm = prob.risk(y, arithmetic="mpmath", prec=MP_PREC)
        gm = prob.gradient(y, arithmetic="mpmath", prec=MP_PREC)
        assert R.overlaps(mpf_to_arb(Lm)), (y, Lm, R)
        for g, v in zip(G, gm, strict=True):
            assert g.overlaps(mpf_to_arb(v)), (y, v, g)


@pytest.mark.parametrize("b_box", [(0.5, 0.7), (-0.7, -0.5), (-1e-3, 2e-3), (-0.0, 0.0)])
@pytest.mark.parametrize("w_box", [(-1e-3, 1e-3), (0.0, 0.0), (-1e-12, 0.0)])
def test_standard_boxes_with_w_zero_are_finite(w_box, b_box):
    """Standard flow: risk and gradient are bounded near w = 0 (also at w = b = 0)."""
    name, H = "abs-2x", 2
    case = CASES[name]
    prob = problem(name, H)
    box = [w_box, (0.8, 0.8 + 1e-6), b_box, (-0.3, -0.3), (1.5, 1.5 + 1e-9), (-2.0, -2.0),
           (0.25, 0.25)]
    ex = dict(name=name, case=case, flow="standard", H=H, label="w ~ 0", signs=None, box=box,
              r=1e-3, form="pair", rng=np.random.default_rng(0))
    R, G, _ = _evaluate_box(ex, hessian=False)
    assert R.is_finite() and all(g.is_finite() for g in G), (R, G)
    for y in points_in_box(box, ex["rng"], 3):
        Lm = prob.risk(y, flow="standard", arithmetic="mpmath", prec=MP_PREC)
        gm = prob.gradient(y, flow="standard", arithmetic="mpmath", prec=MP_PREC)
        Lr, gr = case.reference.risk_gradient_mp(y, "standard")
        assert R.overlaps(mpf_to_arb(Lm)) and R.overlaps(mpf_to_arb(Lr, 1e-24)), (y, R)
        for g, v, vr in zip(G, gm, gr, strict=True):
            assert g.overlaps(mpf_to_arb(v)) and g.overlaps(mpf_to_arb(vr, 1e-24)), (y, g, v, vr)


def test_point_boxes_agree_with_mpmath():
    """Degenerate (radius-0) boxes: the arb result is a tight enclosure."""
    for name in ("sq-unif", "pwl-wide"):
        case = CASES[name]
        rng = np.random.default_rng(7)
        for flow in FLOWS:
            y, signs = random_state(case, flow, 2, rng)
            prob = problem(name, 2)
            pts = [arb(t) for t in y]
            R = prob.risk(pts, flow=flow, signs=signs, arithmetic="arb", prec=53)
            G = prob.gradient(pts, flow=flow, signs=signs, arithmetic="arb", prec=53)
            Lr, gr = case.reference.risk_gradient_mp(y, flow, signs)
            assert R.overlaps(mpf_to_arb(Lr, 1e-24)), (name, flow, y, R, Lr)
            assert width(R) <= 1e-9 * (1 + abs(float(Lr))), (name, flow, R)
            for g, v in zip(G, gr, strict=True):
                assert g.overlaps(mpf_to_arb(v, 1e-24)), (name, flow, y, g, v)
                assert width(g) <= 1e-9 * (1 + abs(float(v))), (name, flow, g)


# ------------------------------------------------------------------ kink boxes (deterministic)
def _kink_intervals(case):
    a, b = float(case.a_q), float(case.b_q)
    m = (a + b) / 2
    return [(-0.5, 0.5), (-1e-9, 1e-9), (0.0, 0.25), (a, b), (a - 0.5, b + 0.5),
            (m - 0.1, m + 0.1), (m, b), (b - 0.3, b), (a, a + 0.3), (b - 1e-6, b + 1e-6)]


def _kink_box(case, flow, lo, hi, side):
    """Box (list of (lo, hi)) for H = 2: neuron 0's kink sweeps [lo, hi] and the
    neuron is active on side*(x - kink) > 0; neuron 1 and v, c are points."""
    v = [2.5, -1.25]
    c = 0.75
    if flow == "standard":
        w0 = (float(side), float(side))
        b0 = (-hi, -lo) if side > 0 else (lo, hi)
        return [w0, (-0.5, -0.5), b0, (0.25, 0.25), *[(t, t) for t in v], (c, c)], None
    if flow == "normalized-weights":
        b0 = (-hi, -lo) if side > 0 else (lo, hi)
        return [b0, (0.25, 0.25), *[(t, t) for t in v], (c, c)], [side, -1]
    if side > 0:
        p0 = (math.atan(-hi), math.atan(-lo))
    else:
        p0 = (math.pi - math.atan(hi), math.pi - math.atan(lo))
    return [p0, (2.0, 2.0), *[(t, t) for t in v], (c, c)], None


@pytest.mark.parametrize("flow", FLOWS)
@pytest.mark.parametrize("name", BALL_CASES)
def test_kink_boxes_are_finite_and_contain_point_values(name, flow):
    """Boxes in which one kink sweeps a given interval: through x = 0, the whole
    domain, beyond it, around a or b.  Risk, gradient and Hessian must be
    finite and contain the mpmath and reference values."""
    case = CASES[name]
    rng = np.random.default_rng(zlib.crc32(repr((name, flow)).encode()))
    bad = []
    for (lo, hi), side in itertools.product(_kink_intervals(case), (1, -1)):
        box, signs = _kink_box(case, flow, lo, hi, side)
        ex = dict(name=name, case=case, flow=flow, H=2, signs=signs, box=box, form="pair",
                  label=f"kink sweeps [{lo}, {hi}], side {side:+d}", r=(hi - lo) / 2, rng=rng)
        try:
            R, G, Hs = _evaluate_box(ex)
        except Exception as exc:
            bad.append(f"kink in [{lo}, {hi}] side {side:+d}: raised {exc!r}")
            continue
        if not (R.is_finite() and all(g.is_finite() for g in G)):
            bad.append(f"kink in [{lo}, {hi}] side {side:+d}: risk {R}, gradient {G}")
            continue
        if not all(h.is_finite() for row in Hs for h in row):
            bad.append(f"kink in [{lo}, {hi}] side {side:+d}: Hessian not finite")
        prob = problem(name, 2)
        for y in points_in_box(box, rng, 2):
            Lm = prob.risk(y, flow=flow, signs=signs, arithmetic="mpmath", prec=MP_PREC)
            gm = prob.gradient(y, flow=flow, signs=signs, arithmetic="mpmath", prec=MP_PREC)
            Lr, gr = case.reference.risk_gradient_mp(y, flow, signs)
            where = f"kink in [{lo}, {hi}] side {side:+d}, y={y}"
            if not (R.overlaps(mpf_to_arb(Lm)) and R.overlaps(mpf_to_arb(Lr, 1e-24))):
                bad.append(f"{where}: risk {Lm} / ref {Lr} not in {R}")
            for k, (g, u, ur) in enumerate(zip(G, gm, gr, strict=True)):
                if not (g.overlaps(mpf_to_arb(u)) and g.overlaps(mpf_to_arb(ur, 1e-24))):
                    bad.append(f"{where}: gradient[{k}] {u} / ref {ur} not in {g}")
    if bad:
        pytest.fail(f"case={name} flow={flow}:\n" + "\n".join(bad[:15]), pytrace=False)
