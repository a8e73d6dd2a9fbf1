"""``sweep``: certify every initial value of a region by adaptive bisection.

The algorithm (a tree unfolding, :mod:`verifier.sweep._region`):

1. The root box ``R`` is certified as a set (:func:`verifier.certificates.certify.certify`,
   with ``width_limit`` and ``max_steps`` so that hopeless boxes fail fast).
2. A box whose status asks for it (``failed``; ``bounded-on-horizon`` too when the
   infinite-horizon argument was requested and ``split_horizon``) is bisected at the
   exact midpoint of one free coordinate (:func:`verifier.sweep._task.choose_axis`),
   as long as no child gets narrower than ``min_size``; its two children are
   certified in turn. Otherwise the box is a *leaf*, with its status, bounds and
   certificate.
3. When no box is pending, the summary (:mod:`verifier.sweep._summary`) is computed
   from the leaves.

Every decision is a function of the node's box and certificate, so equal
configurations give equal trees, whatever the order in which boxes finish (the one
caveat: the trapping search has a wall-clock budget, ``trap_budget``; a box whose
infinite-horizon argument is found just within the budget on one run may miss it on
a much slower one). Records are streamed to the results file as boxes finish; an
interrupted sweep is continued with ``resume=True`` (finished boxes are kept, the
pending ones are the children of recorded bisections without a record).
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from verifier.arith.numbers import decimal_text
from verifier.sweep._config import SweepConfig, make_config
from verifier.sweep._runner import make_executor
from verifier.sweep._store import (
    SweepFileError,
    SweepResult,
    Writer,
    header,
    read_sweep,
    write_canonical,
)
from verifier.sweep._summary import summarize

#: A progress report: ``progress(done, total, note)``.
Progress = Callable[[int, int, str], None]


def sweep(
    problem: Any,
    ranges: Any = None,
    horizon: Any = 20,
    *,
    out: str | Path,
    flow: str = "normalized",
    signs: Any = None,
    prec: int = 53,
    order: int | None = None,
    forever: bool = True,
    trap_budget: float = 20.0,
    max_steps: int = 1000,
    width_limit: float = 1.0,
    min_size: Any = None,
    split: str = "widest",
    split_horizon: bool = True,
    digits: int = 4,
    energy_tail: bool = True,
    regimes: bool = True,
    set_type: str = "auto",
    degree: int = 4,
    resume: bool = False,
    scheduler: str | None = None,
    workers: int | None = None,
    client: Any = None,
    progress: bool | None | Progress = None,
) -> SweepResult:
    """Cover a region of initial values by certified boxes (module docstring).

    **What is claimed** (in the summary of the returned result and the file): the
    leaves' boxes partition the exact rational root box ``R`` (which contains the
    requested region); every trajectory from a leaf of status ``bounded-forever``
    satisfies the leaf's bounds ``|v_j(t)| <= R_v[j]``, ``|c(t)| <= R_c`` for all
    ``t >= 0``, from a ``bounded-on-horizon`` leaf for ``0 <= t <= T``, from a
    ``failed`` leaf for ``0 <= t <= t_reached`` of that leaf; the summary takes the
    maxima over the groups (:mod:`verifier.sweep._summary`). Each leaf records the
    argument that closed it: a regime cover (``bounded-forever`` without integrating)
    or a tube certificate.

    Parameters
    ----------
    problem: a :class:`verifier.Problem`.
    ranges: ``{name: (lo, hi) | value}`` per coordinate (``phi1``, ``v1``, ``c``; for
        ``H = 1`` also ``phi``, ``v``); ``lo``/``hi`` are real constants as strings
        (``"-pi"``, ``"1/3"``), irrational ones rounded outward to ``digits`` decimals;
        a single exact value fixes the coordinate (slices). For ``H = 1`` and the
        normalized flow missing coordinates default to ``phi in [-pi, pi]``,
        ``v, c in [-3, 3]``.
    horizon: ``T``.
    out: the JSON-lines results file (refused if it exists, unless ``resume``).
    flow, signs, prec, order, forever, trap_budget, max_steps, width_limit: passed to
        :func:`~verifier.certificates.certify.certify` for every box.
    min_size: smallest leaf width: one exact value for every coordinate, or
        ``{name: value}`` (``"*"`` for the rest); default 1/8 of each root width.
    split: ``"widest"`` or ``"sensitive"`` (:func:`verifier.sweep._task.choose_axis`).
    split_horizon: also bisect ``bounded-on-horizon`` boxes (with ``forever``).
    energy_tail: a box whose enclosure is lost before ``T`` is still bounded on
        ``[0, T]`` by the energy inequality (:mod:`verifier.proof.energy`),
        status ``bounded-on-horizon``; it is bisected like a failed box.
    regimes: first try to close every box by a regime cover
        (:func:`verifier.regimes.prove_region`, width 1), which proves it bounded for
        all ``t >= 0`` without integrating; the tube runs only where none closes.
    set_type, degree: the set representation of the tubes (``"taylor-model"``: Taylor
        models of ``degree`` in the initial coordinates for every leaf with a coordinate
        of positive width; docs/taylor-models.md).
    resume: continue the sweep recorded in ``out`` (same configuration required).
    scheduler, workers, client: where the boxes run (:mod:`verifier.sweep._runner`).
    progress: a tqdm bar on stderr (default: when stderr is a terminal), or a function
        ``progress(done, total, note)`` called after every finished box (boxes done, done
        plus pending, the counts by status).

    Scripts that use the embedded cluster need an ``if __name__ == "__main__":``
    guard (its worker processes are spawned).
    """
    config = make_config(problem, ranges, horizon, flow=flow, signs=signs, prec=prec,
                         order=order, forever=forever, trap_budget=trap_budget,
                         max_steps=max_steps, width_limit=width_limit, min_size=min_size,
                         split=split, split_horizon=split_horizon, digits=digits,
                         energy_tail=energy_tail, regimes=regimes, set_type=set_type,
                         degree=degree)
    return run_config(config, out, resume=resume, scheduler=scheduler, workers=workers,
                      client=client, progress=progress)


def open_store(config: SweepConfig | None, out: Path, resume: bool) -> SweepResult:
    """The state recorded in ``out`` (a fresh file with a header when there is none).

    ``config=None`` takes the configuration from the file (resume only)."""
    if out.is_dir():
        raise ValueError(f"{out} is a directory")
    if out.exists() and out.stat().st_size > 0:
        if not resume:
            raise ValueError(f"{out} exists: resume it (--resume) or choose another file")
        try:
            state = read_sweep(out, repair=True)
        except SweepFileError as e:
            if "no header line" not in str(e):
                raise
            state = None  # killed while writing the header: start afresh
        if state is not None:
            if config is not None and state.header["config_hash"] != config.digest:
                raise ValueError(f"{out} was made with a different configuration "
                                 f"(hash {state.header['config_hash'][:12]}, now "
                                 f"{config.digest[:12]}); use another file")
            return state
        out.write_bytes(b"")
    if config is None:
        raise ValueError(f"nothing to resume in {out}")
    if not out.parent.exists():
        raise ValueError(f"directory {out.parent} does not exist")
    with Writer(out) as w:
        w.write(header(config))
    return SweepResult(path=out, config=config, header=header(config))


def run_config(config: SweepConfig | None, out: str | Path, *, resume: bool = False,
               scheduler: str | None = None, workers: int | None = None, client: Any = None,
               progress: bool | None | Progress = None) -> SweepResult:
    """Run (or continue) the sweep of ``config`` into ``out``; :func:`sweep` builds
    the config. ``config=None`` resumes the configuration stored in ``out``."""
    out = Path(out)
    if out.is_dir():
        raise ValueError(f"{out} is a directory")
    lock = _lock(out)
    try:
        return _run(config, out, resume, scheduler, workers, client, progress)
    finally:
        os.close(lock)


def _lock(out: Path) -> int:
    """An exclusive advisory lock on the results file (released by the kernel even on
    SIGKILL), so that two processes never append to one sweep."""
    if not out.parent.exists():
        raise ValueError(f"directory {out.parent} does not exist")
    if out.exists() and not out.is_file():
        raise ValueError(f"{out} is not a regular file")
    fd = os.open(out, os.O_RDWR | os.O_CREAT | os.O_NONBLOCK, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise ValueError(f"another sweep is writing to {out}") from None
    return fd


def _run(config: SweepConfig | None, out: Path, resume: bool, scheduler: str | None,
         workers: int | None, client: Any, progress: bool | None | Progress
         ) -> SweepResult:
    state = open_store(config, out, resume)
    config = state.config
    if state.complete:
        return state
    pending = state.pending()
    if pending:
        config_text = json.dumps(config.to_dict(), sort_keys=True, separators=(",", ":"))
        executor = make_executor(config_text, f"ngf-sweep-{config.digest[:16]}",
                                 scheduler=scheduler, workers=workers, client=client)
        bar = _bar(progress, len(state.splits) + len(state.leaves), len(pending))
        counts = Counter(r["status"] for r in state.leaves.values())
        try:
            with Writer(out) as writer:
                for node in pending:
                    executor.submit(node)
                n_pending = len(pending)
                for rec in executor:
                    n_pending -= 1
                    children = _record(config, rec, state, writer)
                    for ch in children:
                        executor.submit(ch)
                    n_pending += len(children)
                    if rec["axis"] is None:
                        counts[rec["status"]] += 1
                    if bar is not None:
                        bar.total = bar.n + 1 + n_pending
                        bar.set_postfix_str(_postfix(counts, n_pending), refresh=False)
                        bar.update(1)
                    elif callable(progress):
                        finished = len(state.splits) + len(state.leaves)
                        progress(finished, finished + n_pending, _postfix(counts, n_pending))
        finally:
            executor.close()
            if bar is not None:
                bar.close()
    state.summary = summarize(config, state.leaves.values(), len(state.splits))
    write_canonical(out, state)
    return state


def _record(config: SweepConfig, rec: dict, state: SweepResult, writer: Writer) -> list[str]:
    """Write the record of one finished node; return the children to certify."""
    region = config.region
    node = rec["node"]
    box = region.box(node)
    common = {"node": node, "box": region.initial(box), "status": rec["status"],
              "reason": rec["reason"], "t_reached": rec["t_reached"], "bounds": rec["bounds"],
              "error": rec["error"]}
    if rec["axis"] is not None:
        record = {"kind": "split", **common, "axis": rec["axis"]}
        state.seconds[node] = rec["seconds"]
        writer.write(record)
        state.splits[node] = record
        return list(region.children(node, region.names.index(rec["axis"])))
    record = {"kind": "leaf", **common, "fraction": decimal_text(region.fraction(box))}
    if config.regimes is None:  # a file from before region arguments: tube leaves
        record["certificate"] = rec["argument"]["certificate"]
    else:
        record["argument"] = rec["argument"]
    state.seconds[node] = rec["seconds"]
    writer.write(record)
    state.leaves[node] = record
    return []


def _postfix(counts: Counter, pending: int) -> str:
    return (f"forever {counts['bounded-forever']}, horizon {counts['bounded-on-horizon']}, "
            f"failed {counts['failed']}, pending {pending}")


def _bar(progress: bool | None | Progress, done: int, pending: int):
    if callable(progress):
        return None
    if progress is None:
        progress = sys.stderr.isatty()
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(total=done + pending, initial=done, unit="box", file=sys.stderr,
                desc="sweep", smoothing=0.1)
