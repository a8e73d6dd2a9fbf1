"""Mutation suite: tampered copies of the committed certificates and sweep.

Every mutation either makes a claim stronger or false, or breaks the proof the file
carries (a witness, a set, a time, a proof parameter pushed to a value for which the
argument is certainly invalid), or adds or removes a field: the checker must REJECT it.
The mutations that only *weaken* a claim (a larger bound, a wider final enclosure or a
priori box, a weaker status) are listed in :data:`WEAKENING` and must be accepted --
exactly those. Changing a proof parameter to another value for which the argument still
holds is no tampering and is not generated: e.g. a neuron that is dead keeps its
coordinates exactly, so their error radius may well be 0; the frame ``B`` of a set and the
Jacobian order of a step may take many values for which the step's inclusions still hold.

The quick part mutates the two smallest certificates (``h1-abs``: Taylor steps and a
sublevel argument with a frozen neuron; ``std-pwl``: the standard flow on a three-piece
target); ``--runslow`` adds an arc-length argument (``h1-x2``), a ``bounded-on-horizon``
certificate (``h1-sin``), low-order steps (``std-abs``), split steps and the
``normalized-weights`` flow (``h1-abs-weights``), sets with a quadratic part from a box
(``h1-sin-box``) and the region sweep with its energy-tail leaves (``sweep-h1-x2``).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest

from verifier.arith.numbers import decimal_text
from verifier.checker.check import check_certificate
from verifier.checker.sweep import check_sweep_records

DATA = Path(__file__).resolve().parent.parent / "proofs_data"
QUICK = ("h1-abs",)
#: std-pwl gets every generic mutation, the others :data:`FOCUS` and their own kinds'.
SLOW = ("std-pwl", "h1-x2", "h1-sin", "std-abs", "h1-abs-weights", "h1-sin-box")

Mutation = tuple[str, Callable[[dict], None]]

#: Mutations that only weaken a claim: the checker accepts them.
WEAKENING = {
    "bounds v_1 up", "bounds c up", "final enclosure 0 wider", "final enclosure last wider",
    "step 0 a priori 0 wider", "step last a priori 0 wider", "status forever -> horizon",
    "trapping bounds and bounds up",
}


# -- numbers and balls ----------------------------------------------------------------------
def _q(text: str) -> Fraction:
    return Fraction(text)


def _nudge(text: str, up: bool) -> str:
    """``text`` moved by a relative 1e-15 (more than the 17-digit rounding of the file)."""
    q = _q(text)
    step = abs(q) / 10**15 + Fraction(1, 10**40)
    return decimal_text(q + step if up else q - step)


def _plus(text: str, amount: int = 1) -> str:
    return decimal_text(_q(text) + amount)


def _ball_shrunk(b: dict) -> dict:
    return {"mid": list(b["mid"]), "rad": ["0", 0]}


def _ball_wider(b: dict) -> dict:
    R, F = b["rad"]
    return {"mid": list(b["mid"]), "rad": [str(2 * int(R) + 1), F]}


def _ball_shifted(b: dict, k: int = 3) -> dict:
    M, E = b["mid"]
    return {"mid": [str(int(M) + k), E], "rad": list(b["rad"])}


# -- the generic mutations of a certificate -------------------------------------------------
def _set(path: list, value) -> Callable[[dict], None]:
    def fn(d: dict) -> None:
        obj = d
        for key in path[:-1]:
            obj = obj[key]
        obj[path[-1]] = value(obj[path[-1]]) if callable(value) else copy.deepcopy(value)
    return fn


def _header(doc: dict) -> list[Mutation]:
    H = doc["problem"]["width"]
    n = len(doc["initial"])
    last = len(doc["final_enclosure"]) - 1
    out: list[Mutation] = [
        ("format 1", _set(["format"], "ngf-certificate/1")),
        ("format 3", _set(["format"], "ngf-certificate/3")),
        ("flow", _set(["flow"], "standard" if doc["flow"] != "standard" else "normalized")),
        ("signs", _set(["signs"], [1] * H if doc["signs"] is None else None)),
        ("prec up", _set(["prec"], doc["prec"] + 11)),
        ("prec down", _set(["prec"], doc["prec"] - 11)),
        ("horizon up", _set(["horizon"], lambda t: _plus(t))),
        ("horizon down", _set(["horizon"], lambda t: decimal_text(_q(t) / 2))),
        ("horizon 1e999", _set(["horizon"], "1e999")),
        ("t_reached down", _set(["t_reached"], lambda t: decimal_text(_q(t) / 2))),
        ("t_reached up", _set(["t_reached"], lambda t: _plus(t))),
        ("status failed", _set(["status"], "failed")),
        ("bounds v_1 down", _set(["bounds", "v", 0], lambda t: _nudge(t, False))),
        ("bounds c down", _set(["bounds", "c"], lambda t: _nudge(t, False))),
        ("bounds c halved", _set(["bounds", "c"], lambda t: decimal_text(_q(t) / 2))),
        ("bounds v missing", _set(["bounds", "v"], lambda v: v[:-1])),
        ("bounds v extra", _set(["bounds", "v"], lambda v: v + v)),
        ("bounds over", _set(["bounds", "over"], "t >= 1")),
        ("bounds v_1 up", _set(["bounds", "v", 0], lambda t: _plus(t))),
        ("bounds c up", _set(["bounds", "c"], lambda t: _plus(t))),
        ("final enclosure 0 lo up", _set(["final_enclosure", 0, 0], lambda t: _nudge(t, True))),
        ("final enclosure 0 hi down",
         _set(["final_enclosure", 0, 1], lambda t: _nudge(t, False))),
        ("final enclosure last lo up",
         _set(["final_enclosure", last, 0], lambda t: _nudge(t, True))),
        ("final enclosure last hi down",
         _set(["final_enclosure", last, 1], lambda t: _nudge(t, False))),
        ("final enclosure 0 wider", _set(["final_enclosure", 0], lambda p: [
            _plus(p[0], -1), _plus(p[1], 1)])),
        ("final enclosure last wider", _set(["final_enclosure", last], lambda p: [
            _plus(p[0], -1), _plus(p[1], 1)])),
        ("final enclosure short", _set(["final_enclosure"], lambda f: f[:-1])),
        ("initial 0 moved", _set(["initial", 0], lambda e: [_nudge(x, True) for x in e]
                                 if isinstance(e, list) else _nudge(e, True))),
        ("initial last moved", _set(["initial", n - 1], lambda e: [_plus(x) for x in e]
                                    if isinstance(e, list) else _plus(e))),
        ("initial 0 box", _set(["initial", 0], lambda e: [_plus(e[0], -1), _plus(e[1], 1)]
                               if isinstance(e, list) else [e, _plus(e)])),
        ("initial short", _set(["initial"], lambda v: v[:-1])),
        ("target other", _set(["problem", "target"], "x**2 + 1/1000")),
        ("target pole", _set(["problem", "target"],
                             "Piecewise((10 - 29*x, 1/(3*x - 1) < 0), (x, True))")),
        ("target spaces", _set(["problem", "target"],
                               lambda t: t.replace(" ", "") if " " in t else f" {t}")),
        ("target comment", _set(["problem", "target"], lambda t: t + " # + 5*x")),
        ("target fullwidth", _set(["problem", "target"], lambda t: t.replace("x", "\uff58"))),
        ("target caret", _set(["problem", "target"], lambda t: t.replace("**", "^"))
         if "**" in doc["problem"]["target"] else _set(["problem", "target"], "x^2")),
        ("domain", _set(["problem", "domain"], ["0", "2"])),
        ("domain text", _set(["problem", "domain"], ["0.0", "1"])),
        ("density", _set(["problem", "density"], "2*x")),
        ("width", _set(["problem", "width"], H + 1)),
        ("problem extra key", _set(["problem", "note"], "x")),
        ("bounds extra key", _set(["bounds", "note"], "1")),
        ("extra key", _set(["comment"], "proven by hand")),
        ("configuration", _set(["configuration"], ["dead"] * H)),
        ("reason", _set(["reason"], "")),
        ("stats", _set(["stats"], {"steps": 1})),
        ("generator", _set(["generator"], {"package": "ngf-verifier"})),
        ("order", _set(["order"], 20)),
        ("no steps", _set(["steps"], [])),
        ("no trapping", lambda d: d.pop("trapping")),
        ("tail added", _set(["tail"], {"kind": "energy", "from": doc["t_reached"],
                                       "risk_sup": "1"})),
    ]
    if doc["status"] == "bounded-forever":
        def downgrade(d: dict) -> None:
            d["status"] = "bounded-on-horizon"
            d["trapping"] = {"kind": "none"}
            d["bounds"]["over"] = f"0 <= t <= {d['horizon']}"
        out.append(("status forever -> horizon", downgrade))
    else:
        out.append(("status horizon -> forever", _set(["status"], "bounded-forever")))
        out.append(("trapping reason", _set(["trapping", "reason"], "none")))
        out.append(("trapping claimed", _set(["trapping"], {
            "kind": "sublevel", "frozen": [], "periodic": [], "box": [["-9", "9"]] * n,
            "level": "100", "bounds": {"v": ["9"] * H, "c": "9"}})))
    return out


def _steps(doc: dict) -> list[Mutation]:
    steps = doc["steps"]
    n = len(doc["initial"])
    last = len(steps) - 1
    mid = len(steps) // 2
    out: list[Mutation] = [
        ("drop first step", lambda d: d["steps"].pop(0)),
        ("drop last step", lambda d: d["steps"].pop()),
        ("drop middle step", lambda d: d["steps"].pop(mid)),
        ("swap steps", lambda d: d["steps"].__setitem__(slice(0, 2), d["steps"][1::-1])),
        ("duplicate step", lambda d: d["steps"].insert(1, copy.deepcopy(d["steps"][0]))),
        ("step extra key", _set(["steps", 0, "note"], 1)),
        ("set extra key", _set(["steps", 0, "set", "note"], 1)),
        ("ball extra key", _set(["steps", 0, "apriori", 0, "note"], 1)),
        ("witness extra key", _set(["steps", 0, "witness", "note"], 1)),
    ]
    for label, k in (("0", 0), ("middle", mid), ("last", last)):
        st = steps[k]
        out += [
            (f"step {label} t1 later", _set(["steps", k, "t1"],
                                            lambda t: decimal_text(_q(t) + Fraction(1, 1024)))),
            (f"step {label} t0 earlier", _set(["steps", k, "t0"],
                                              lambda t: decimal_text(_q(t) - Fraction(1, 1024)))),
            (f"step {label} a priori last shrunk",
             _set(["steps", k, "apriori", n - 1], _ball_shrunk)),
            (f"step {label} xhat 0", _set(["steps", k, "set", "xhat", 0], _ball_shifted)),
            (f"step {label} xhat last", _set(["steps", k, "set", "xhat", n - 1], _ball_shifted)),
            (f"step {label} B singular", _set(["steps", k, "set", "B", n - 1],
                                              lambda row: [_ball_shrunk(
                                                  {"mid": ["0", 0], "rad": ["0", 0]})
                                                  for _ in row])),
            (f"step {label} r shrunk", _set(["steps", k, "set", "r"],
                                            lambda r: [_ball_shrunk(b) for b in r])),
            (f"step {label} r widest shrunk", _set(["steps", k, "set", "r", _widest(st)],
                                                   _ball_shrunk)),
            (f"step {label} kind", _set(["steps", k, "kind"],
                                        "low-order" if st["kind"] != "low-order" else "taylor")),
            (f"step {label} order", _set(["steps", k, "order"], lambda o: max(1, o - 5))),
            (f"step {label} jet order", _set(["steps", k, "jet_order"], st["order"] + 1)),
            (f"step {label} witness shrunk", _shrink_witness(k, st)),
        ]
        if any(doc["initial"][i] != [] and isinstance(doc["initial"][i], list)
               for i in range(n)):
            out.append((f"step {label} C", _set(["steps", k, "set", "C", 0, 0],
                                                 lambda b: _ball_shifted(b, 2**45))))
        if "S" in st["set"]:
            out.append((f"step {label} S", _set(["steps", k, "set", "S", 0, 0, 0],
                                                 lambda b: _ball_shifted(b, 2**45))))
    out += [
        ("step 0 a priori 0 wider", _set(["steps", 0, "apriori", 0], _ball_wider)),
        ("step last a priori 0 wider", _set(["steps", last, "apriori", 0], _ball_wider)),
    ]
    for kind in ("low-order", "split"):
        ks = [k for k, s in enumerate(steps) if s["kind"] == kind]
        if not ks:
            continue
        k = ks[len(ks) // 2]
        w = steps[k]["witness"]
        if kind == "low-order":
            out += [
                (f"{kind} {k} W shrunk", _set(["steps", k, "witness", "W"],
                                              lambda W: [[_ball_shrunk(b) for b in row]
                                                         for row in W])),
                (f"{kind} {k} point", _set(["steps", k, "witness", "point"],
                                           lambda p: {**p, "kind": "taylor"})),
                (f"{kind} {k} as taylor", _set(["steps", k, "kind"], "taylor")),
            ]
        else:
            sides = [s for s in ("live", "dead") if s in w]
            out += [
                (f"{kind} {k} neuron", _set(["steps", k, "witness", "neuron"],
                                            lambda j: j + 1)),
                (f"{kind} {k} as taylor", _set(["steps", k, "kind"], "taylor")),
                (f"{kind} {k} side dropped" if len(sides) > 1 else f"{kind} {k} side swapped",
                 (lambda d, k=k, s=sides[0]: d["steps"][k]["witness"].pop(s)) if len(sides) > 1
                 else _swap_side(k, sides[0])),
            ]
            out.append((f"{kind} {k} guess shrunk", _shrink_witness(k, steps[k])))
    return out


def _widest(st: dict) -> int:
    """The coordinate of the step's error box ``r`` with the largest radius."""
    radii = [Fraction(int(b["rad"][0])) * Fraction(2) ** b["rad"][1] for b in st["set"]["r"]]
    return max(range(len(radii)), key=radii.__getitem__)


def _shrink_witness(k: int, st: dict) -> Callable[[dict], None]:
    def fn(d: dict) -> None:
        w = d["steps"][k]["witness"]
        if st["kind"] == "split":
            boxes = [w[s]["guess"] for s in ("live", "dead") if s in w]
        elif st["kind"] == "taylor":
            boxes = [w["guess"]]
        else:
            boxes = [w["picard"]]
        for box in boxes:
            for j in range(len(box)):
                box[j] = {"mid": box[j]["mid"], "rad": ["1", -200]}
    return fn


def _swap_side(k: int, side: str) -> Callable[[dict], None]:
    other = "dead" if side == "live" else "live"

    def fn(d: dict) -> None:
        w = d["steps"][k]["witness"]
        w[other] = w.pop(side)
    return fn


def _trapping(doc: dict) -> list[Mutation]:
    tr = doc["trapping"]
    kind = tr["kind"]
    if kind == "none":
        return []
    H = doc["problem"]["width"]
    out: list[Mutation] = [
        ("trapping kind", _set(["trapping", "kind"],
                               "arc-length" if kind != "arc-length" else "sublevel")),
        ("trapping extra key", _set(["trapping", "note"], 1)),
        ("trapping bounds extra key", _set(["trapping", "bounds", "note"], 1)),
        ("trapping bounds v down", _set(["trapping", "bounds", "v", 0],
                                        lambda t: decimal_text(_q(t) / 2))),
        ("trapping bounds c down", _set(["trapping", "bounds", "c"],
                                        lambda t: decimal_text(_q(t) / 2))),
        ("trapping level 0", _set(["trapping", "level"], "0")),
        ("trapping level negative", _set(["trapping", "level"], "-1")),
        ("trapping box collapsed", _set(["trapping", "box"], lambda K: [
            [iv[0], iv[0]] for iv in K])),
        ("trapping box last shifted", _set(["trapping", "box", len(tr["box"]) - 1], lambda iv: [
            _plus(iv[0], 10), _plus(iv[1], 10)])),
        ("trapping frozen extra", _set(["trapping", "frozen"], list(range(H)))
         if len(tr["frozen"]) < H else _set(["trapping", "frozen"], [])),
        ("trapping number text", _set(["trapping", "level"], "nan")),
    ]

    def weaker(d: dict) -> None:
        t = d["trapping"]["bounds"]
        t["v"][0] = _plus(t["v"][0], 1)
        t["c"] = _plus(t["c"], 1)
        d["bounds"]["v"][0] = _plus(d["bounds"]["v"][0], 2)
        d["bounds"]["c"] = _plus(d["bounds"]["c"], 2)
    out.append(("trapping bounds and bounds up", weaker))
    if kind == "sublevel":
        out.append(("trapping periodic", _set(["trapping", "periodic"], list(range(H)))))
    if kind == "arc-length":
        out += [
            ("trapping lstar 0", _set(["trapping", "lstar"], "0")),
            ("trapping mu up", _set(["trapping", "mu"], lambda t: decimal_text(_q(t) * 10))),
            ("trapping Lambda 0", _set(["trapping", "Lambda"], "0")),
            ("trapping length 0", _set(["trapping", "length"], "0")),
            ("trapping active none", _set(["trapping", "active"], [])),
        ]
    return out


#: Generic mutations repeated on the larger certificates (with their own kinds' ones).
FOCUS = {
    "bounds v_1 up", "bounds c up", "bounds c down", "final enclosure 0 wider",
    "final enclosure last lo up", "status forever -> horizon", "status horizon -> forever",
    "trapping claimed", "trapping reason", "target spaces", "no trapping", "extra key",
    "step 0 witness shrunk", "step 0 r shrunk", "step 0 a priori 0 wider", "step 0 xhat 0",
    "step 0 C", "step 0 S", "step last C", "step last S", "step middle C", "step middle S",
}


def certificate_mutations(doc: dict, full: bool = True) -> list[Mutation]:
    """The mutations of one certificate: all generic ones (``full``) or :data:`FOCUS`,
    plus those of its step kinds and trapping kind."""
    steps = _steps(doc)
    if not full:
        kinds = ("low-order", "split")
        steps = [m for m in steps if m[0] in FOCUS or m[0].startswith(kinds)]
    out = [m for m in _header(doc) if full or m[0] in FOCUS] + steps + _trapping(doc)
    names = [name for name, _ in out]
    assert len(names) == len(set(names)), "mutation names must be unique"
    return out


def _load(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text())


def _outcomes(name: str, full: bool = True) -> tuple[int, list[str], list[str]]:
    doc = _load(name)
    assert check_certificate(doc, workers=1).ok, name
    accepted, rejected = [], []
    for label, fn in certificate_mutations(doc, full):
        d = copy.deepcopy(doc)
        try:
            fn(d)
        except (IndexError, KeyError):  # a mutation that does not apply to this file
            continue
        r = check_certificate(d, workers=1)
        assert "\n" not in r.message, (label, r.message)
        (accepted if r.ok else rejected).append(label)
    return len(accepted) + len(rejected), accepted, rejected


def _expect(name: str, full: bool = True) -> tuple[int, int]:
    total, accepted, rejected = _outcomes(name, full)
    expected = sorted(m for m in WEAKENING if m in accepted + rejected)
    assert sorted(accepted) == expected, (
        f"{name}: accepted {sorted(set(accepted) - WEAKENING)} (not weakening), "
        f"rejected {sorted(set(rejected) & WEAKENING)} (weakening)")
    return total, len(rejected)


@pytest.mark.parametrize("name", QUICK)
def test_mutations_of_small_certificates(name: str) -> None:
    total, rejected = _expect(name)
    assert total >= 75 and rejected >= total - len(WEAKENING)


@pytest.mark.slow
@pytest.mark.parametrize("name", SLOW)
def test_mutations_of_every_kind(name: str) -> None:
    full = name == "std-pwl"
    total, rejected = _expect(name, full)
    assert total >= (75 if full else 15)


# -- the sweep ------------------------------------------------------------------------------
def _sweep_lines() -> list:
    return [json.loads(line) for line in
            (DATA / "sweep-h1-x2.jsonl").read_text().splitlines()]


def sweep_mutations(lines: list) -> list[Mutation]:
    leaves = [k for k, r in enumerate(lines) if r.get("kind") == "leaf"]
    splits = [k for k, r in enumerate(lines) if r.get("kind") == "split"]
    # a tube leaf carries its certificate in its argument
    tails = [k for k in leaves if "tail" in lines[k]["argument"]["certificate"]]
    stepped = [k for k in leaves if lines[k]["argument"]["certificate"]["steps"]]
    leaf, split, tail, summ = leaves[0], splits[-1], tails[0], len(lines) - 1
    out: list[Mutation] = [
        ("header extra key", _set([0, "note"], 1)),
        ("header hash", _set([0, "config_hash"], "0" * 64)),
        ("header horizon", _set([0, "config", "horizon"], "40")),
        ("header target", _set([0, "config", "problem", "target"], "x^2")),
        ("drop a leaf", lambda ls: ls.pop(leaf)),
        ("drop a split", lambda ls: ls.pop(split)),
        ("drop the summary", lambda ls: ls.pop()),
        ("duplicate a leaf", lambda ls: ls.insert(leaf, copy.deepcopy(ls[leaf]))),
        ("leaf extra key", _set([leaf, "note"], 1)),
        ("leaf box", _set([leaf, "box", 1], ["-1", "0.5"])),
        ("leaf fraction", _set([leaf, "fraction"], "0.5")),
        ("leaf status", _set([leaf, "status"], "bounded-forever")),
        ("leaf bounds", _set([leaf, "bounds", "c"], lambda t: _nudge(t, False))),
        ("leaf node", _set([leaf, "node"], "R.phi1+")),
        ("leaf argument kind", _set([leaf, "argument", "kind"], "regime-cover")),
        ("leaf argument extra key", _set([leaf, "argument", "note"], 1)),
        ("leaf certificate bounds", _set([leaf, "argument", "certificate", "bounds", "c"],
                                         lambda t: _nudge(t, False))),
        ("leaf certificate initial", _set([leaf, "argument", "certificate", "initial", 2],
                                          ["-1", "0"])),
        ("leaf certificate reason", _set([leaf, "argument", "certificate", "reason"], "")),
        ("tail risk_sup down", _set([tail, "argument", "certificate", "tail", "risk_sup"],
                                    lambda t: decimal_text(_q(t) / 2))),
        ("tail from", _set([tail, "argument", "certificate", "tail", "from"], "1")),
        ("tail extra key", _set([tail, "argument", "certificate", "tail", "note"], 1)),
        ("tail dropped", lambda ls: ls[tail]["argument"]["certificate"].pop("tail")),
        ("split axis", _set([split, "axis"], "c")),
        ("split box", _set([split, "box", 2], ["-1", "0"])),
        ("summary text", _set([summ, "text"], lambda t: t.replace("13.9", "3.9"))),
        ("summary bound", _set([summ, "statements", "horizon", "c"], "1")),
        ("summary fraction", _set([summ, "fractions", "failed"], "1/2")),
    ]
    if stepped:
        k = stepped[0]
        r_path = [k, "argument", "certificate", "steps", 0, "set", "r"]
        out.append(("leaf step r shrunk",
                    _set(r_path, lambda r: [_ball_shrunk(b) for b in r])))
    return out


@pytest.mark.slow
def test_mutations_of_the_sweep() -> None:
    lines = _sweep_lines()
    assert check_sweep_records(lines, workers=1).ok
    accepted = []
    muts = sweep_mutations(lines)
    for label, fn in muts:
        ls = copy.deepcopy(lines)
        fn(ls)
        r = check_sweep_records(ls, workers=1)
        assert "\n" not in r.message
        if r.ok:
            accepted.append(label)
    assert accepted == [] and len(muts) >= 25


# -- Taylor-model tubes (format ngf-certificate/3) ------------------------------------------
def _tm_certificate() -> dict:
    from verifier import Problem
    from verifier.certificates.certify import certify

    box = [["0.58", "0.62"], ["0.48", "0.52"], ["0.18", "0.22"]]
    return certify(Problem("x**2", width=1), box, "1/4", set_type="taylor-model", degree=3,
                   order=8, forever=False).data


def _term_shifted(k: int) -> Callable[[list], list]:
    """A sparse exact term ``[*key, M, E]`` with ``k`` added to its mantissa."""
    def fn(term: list) -> list:
        return [*term[:-2], str(int(term[-2]) + k), term[-1]]
    return fn


def _term_size(term: list) -> float:
    return abs(int(term[-2])) * 2.0 ** term[-1]


def _drop_largest(terms: list) -> list:
    """The sparse terms without the largest one."""
    k = max(range(len(terms)), key=lambda i: _term_size(terms[i]))
    return terms[:k] + terms[k + 1:]


def _drop_smallest(terms: list) -> list:
    """The sparse terms without the smallest one (still above the rounding grid)."""
    k = min(range(len(terms)), key=lambda i: _term_size(terms[i]))
    return terms[:k] + terms[k + 1:]


def _drop_smallest_paid(model: dict) -> dict:
    """A stored right model without its smallest coefficient, the remainder's radius
    widened by its magnitude (rounded up): the same set or a larger one (a weakening)."""
    terms = model["c"]
    k = min(range(len(terms)), key=lambda i: _term_size(terms[i]))
    m, e = int(terms[k][-2]), terms[k][-1]
    r, f = int(model["rem"]["rad"][0]), model["rem"]["rad"][1]
    lo = min(e, f)
    rad = [str(r * 2 ** (f - lo) + abs(m) * 2 ** (e - lo) + 1), lo]
    return {"c": terms[:k] + terms[k + 1:], "rem": {"mid": model["rem"]["mid"], "rad": rad}}


def tm_mutations(doc: dict) -> list[Mutation]:
    """Every stored field of a Taylor-model step record, made stronger or false (and the
    a priori box wider: a weakening)."""
    last = len(doc["steps"]) - 1
    out: list[Mutation] = [
        ("tm format 2", _set(["format"], "ngf-certificate/2")),
        ("tm drop first step", lambda d: d["steps"].pop(0)),
        ("tm swap steps", lambda d: d["steps"].__setitem__(slice(0, 2), d["steps"][1::-1])),
        ("tm final enclosure 0 narrower", _set(["final_enclosure", 0],
                                               lambda e: [_nudge(e[0], True), e[1]])),
    ]
    for label, k in (("0", 0), ("last", last)):
        w = ["steps", k, "witness"]
        s = ["steps", k, "set"]
        out += [
            (f"tm step {label} t1 later", _set(["steps", k, "t1"],
                                               lambda t: decimal_text(_q(t) + Fraction(1, 64)))),
            (f"tm step {label} kind", _set(["steps", k, "kind"], "taylor")),
            (f"tm step {label} a priori shrunk", _set(["steps", k, "apriori", 1], _ball_shrunk)),
            (f"tm step {label} J shrunk", _set(w + ["J"], lambda J: [_ball_shrunk(b) for b in J])),
            (f"tm step {label} J 0 shifted", _set(w + ["J", 0], lambda b: _ball_shifted(
                b, 2 * int(b["rad"][0]) * 2 ** max(0, b["rad"][1] - b["mid"][1]) + 2**40))),
            (f"tm step {label} P moved", _set(w + ["P", 0, 0], _term_shifted(2**40))),
            (f"tm step {label} P drops a term", _set(w + ["P", 1], _drop_largest)),
            (f"tm step {label} Q", _set(w + ["Q", 0, 0], lambda b: _ball_shifted(b, 2**40))),
            (f"tm step {label} sigma smaller", _set(w + ["sigma", 0],
                                                    lambda b: _ball_shifted(b, -2**8))),
            (f"tm step {label} degree", _set(w + ["degree"], 2)),
            (f"tm step {label} orders", _set(w + ["orders"], lambda o: [o[0] - 1] * len(o))),
            (f"tm step {label} centre", _set(s + ["c", 0], _ball_shifted)),
            (f"tm step {label} p coefficient", _set(s + ["p", 0, "c", 0], _term_shifted(2**30))),
            # A dropped coefficient that the remainder does not pay for: the stored set no
            # longer contains the recomputed one (a true containment on [-1, 1]^n).
            (f"tm step {label} p drops a coefficient",
             _set(s + ["p", 0, "c"], _drop_largest)),
            (f"tm step {label} p drops a small coefficient",
             _set(s + ["p", 2, "c"], _drop_smallest)),
            (f"tm step {label} p remainder shrunk", _set(s + ["p", 1, "rem"], _ball_shrunk)),
            (f"tm step {label} witness extra key", _set(w + ["note"], 1)),
        ]
    out.append(("tm step 0 a priori 0 wider", _set(["steps", 0, "apriori", 0], _ball_wider)))
    return out


#: The weakenings among :func:`tm_mutations` (accepted).
TM_WEAKENING = {"tm step 0 a priori 0 wider"}


def test_mutations_of_a_taylor_model_certificate() -> None:
    doc = _tm_certificate()
    assert check_certificate(doc, workers=1).ok
    accepted, rejected = [], []
    for label, fn in tm_mutations(doc):
        d = copy.deepcopy(doc)
        fn(d)
        r = check_certificate(d, workers=1)
        assert "\n" not in r.message, (label, r.message)
        (accepted if r.ok else rejected).append(label)
    assert sorted(accepted) == sorted(TM_WEAKENING), (accepted, len(rejected))
    assert len(rejected) >= 30


def test_a_dropped_coefficient_paid_by_the_remainder_is_a_larger_set() -> None:
    """The containment of the stored set is a set containment on the whole domain: a
    coefficient swept into the remainder passes the step's check; the larger set then
    no longer fits inside the next stored set (which was computed from the smaller one),
    so the certificate is refused at the next step, not at this one."""
    doc = _tm_certificate()
    d = copy.deepcopy(doc)
    _set(["steps", 0, "set", "p", 1], _drop_smallest_paid)(d)
    r = check_certificate(d, workers=1)
    assert not r.ok and r.message.startswith("step 1 "), r.message
    d = copy.deepcopy(doc)
    _set(["steps", 0, "set", "p", 1, "c"], _drop_smallest)(d)
    r = check_certificate(d, workers=1)
    assert not r.ok and r.message.startswith("step 0 "), r.message
