"""One task of a sweep: close the box of one node, or decide whether to bisect it.

:func:`certify_node` is a pure function of ``(config, node)`` (it runs on a Dask
worker; the problem is built once per worker process and cached). With region
arguments on (``config.regimes``) it first searches a *regime cover* of the box
(:func:`verifier.regimes.prove_region`, exact rationals from the region): when one
closes, the box is a leaf, ``bounded-forever`` with the cover's bounds for all
``t >= 0``, no integration. Otherwise (or with ``regimes`` off) it certifies the box
with a tube exactly as before (:func:`~verifier.certificates.certify.certify`; wide
boxes fail fast) and the bisection rules apply. It returns the node's record: status,
bounds, the argument (the cover, or the tube's full certificate with the reason why no
cover closed), plus ``axis``, the coordinate to bisect along, or ``None`` for a leaf.

When :func:`~verifier.certificates.certify.certify` *raises* on a box (a bug, not a
lost enclosure: that is a status), the exception text is kept in ``error`` and the
box gets the certificate of zero steps (status ``failed`` at ``t = 0``, still a valid
and checkable claim); it is bisected like any failed box. A long sweep thus survives
one bad box, and the summary counts such boxes.
"""

from __future__ import annotations

import json
import time
from functools import lru_cache
from typing import Any

from verifier.arith.numbers import decimal_text
from verifier.sweep._config import SweepConfig
from verifier.sweep._region import Box


class SweepTaskError(ValueError):
    """Certifying one node raised (a bug or bad input, not a failed enclosure: those are
    a status). The sweep stops; its file stays resumable."""


@lru_cache(maxsize=8)
def _problem(text: str):
    from verifier.problem import Problem

    return Problem.from_dict(json.loads(text))


@lru_cache(maxsize=8)
def _config(text: str) -> SweepConfig:
    return SweepConfig.from_dict(json.loads(text))


def choose_axis(config: SweepConfig, box: Box, problem: Any = None) -> int | None:
    """The free coordinate to bisect ``box`` along, or ``None`` if none may be.

    ``widest``: the largest ``width_i / min_size_i`` (the most halvings left; with the
    default minimum sizes, a fixed fraction of the root, this is round-robin over the
    coordinates); ties go to the lowest index. ``sensitive``: the largest
    ``width_i * max_k |dF_k/dx_i|`` at the box centre (floats; a heuristic that only
    steers the splitting, never a claim), ties and an all-zero Jacobian falling back to
    ``widest``. Both are deterministic functions of the box.
    """
    cand = config.splittable(box)
    if not cand:
        return None
    rel = {i: (box[i][1] - box[i][0]) / config.min_size[i] for i in cand}
    widest = max(cand, key=lambda i: (rel[i], -i))
    if config.split == "widest" or problem is None:
        return widest
    centre = [float((lo + hi) / 2) for lo, hi in box]
    try:
        J = problem.hessian(centre, flow=config.flow, signs=config.signs, prec=53)
        col = [max(abs(float(J[k][i].mid())) for k in range(len(box))) for i in cand]
    except (ValueError, ArithmeticError, OverflowError):
        return widest
    score = {i: float(box[i][1] - box[i][0]) * c for i, c in zip(cand, col)}
    if not all(s == s and s < float("inf") for s in score.values()) or max(score.values()) <= 0:
        return widest
    return max(cand, key=lambda i: (score[i], rel[i], -i))


def _line(e: BaseException) -> str:
    return str(e).splitlines()[0] if str(e) else ""


def regime_cover(problem: Any, config: SweepConfig, box: Box) -> tuple[Any, str | None]:
    """``(proof, None)`` when a regime cover closes ``box``, else ``(None, reason)``.

    The search only proposes; :func:`~verifier.regimes.prove_region` returns a cover
    that its verifier (the checker's code) has proven. An exception other than
    "not closed" is a bug in the search: it is kept as the reason, and the tube runs."""
    from verifier.proof.regimes.cover import CoverError
    from verifier.regimes import prove_region

    try:
        return prove_region(problem, list(box), flow=config.flow, signs=config.signs), None
    except (CoverError, ArithmeticError) as e:
        return None, _line(e) or type(e).__name__
    except Exception as e:  # noqa: BLE001 - recorded with the box, the tube still runs
        return None, f"{type(e).__name__}: {_line(e)}"


def _cover_record(node: str, proof: Any, start: float) -> dict:
    """The record of a box closed by a regime cover: bounded for all ``t >= 0``."""
    b = proof.bounds
    bounds: dict[str, Any] = {"v": [decimal_text(x) for x in b["v"]],
                              "c": decimal_text(b["c"])}
    for key in ("b", "rho"):
        if key in b:
            bounds[key] = [decimal_text(x) for x in b[key]]
    bounds["over"] = "t >= 0"
    return {"node": node, "status": "bounded-forever", "reason": "", "t_reached": None,
            "bounds": bounds, "axis": None, "error": None, "argument": proof.spec,
            "seconds": round(time.perf_counter() - start, 3)}


def certify_node(config_text: str, node: str) -> dict:
    """Close or certify the box of ``node`` under the config (canonical JSON text) and
    return its record (see :mod:`verifier.sweep._store` for the fields)."""
    from verifier.certificates.certify import certify

    start = time.perf_counter()
    config = _config(config_text)
    problem = _problem(json.dumps(config.problem, sort_keys=True))
    box = config.region.box(node)
    cover_error = None
    if config.regimes:
        proof, cover_error = regime_cover(problem, config, box)
        if proof is not None:
            return _cover_record(node, proof, start)
    kw = {"flow": config.flow, "signs": config.signs, "prec": config.prec,
          "order": config.order, "forever": config.forever, "trap_budget": config.trap_budget,
          "max_steps": config.max_steps, "width_limit": config.width_limit,
          "energy_tail": config.energy_tail}
    initial = config.region.initial(box)
    if config.set_type != "auto" and any(lo < hi for lo, hi in box):
        kw |= {"set_type": config.set_type, "degree": config.degree}
    error = None
    try:
        cert = certify(problem, initial, config.horizon, **kw)
    except Exception as e:  # noqa: BLE001 - recorded with the box, the sweep goes on
        error = f"{type(e).__name__}: {_line(e)}"
        try:  # no step at all: a valid certificate of status failed at t = 0
            cert = certify(problem, initial, config.horizon,
                           **{**kw, "max_steps": 0, "energy_tail": False})
        except Exception as e2:  # noqa: BLE001
            raise SweepTaskError(f"box {node}: {error}; then {type(e2).__name__}: "
                                 f"{_line(e2)}") from e2
    status = cert.data["status"]
    split = config.wants_split(status, "tail" in cert.data)
    axis = choose_axis(config, box, problem) if split else None
    return {
        "node": node,
        "status": status,
        "reason": cert.reason,
        "t_reached": cert.data["t_reached"],
        "bounds": cert.bounds,
        "axis": None if axis is None else config.region.names[axis],
        "error": error,
        "argument": {"kind": "tube", "certificate": cert.data, "cover_error": cover_error},
        "seconds": round(time.perf_counter() - start, 3),
    }
