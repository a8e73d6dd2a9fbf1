"""Rebuild the evidence: run every case, write its file and the manifest.

:func:`reproduce` runs the cases one after the other (certify for a
:class:`~verifier.report.cases.Case`, the region sweep for a
:class:`~verifier.report.cases.SweepCase`), writes ``<name>.json`` /
``<name>.jsonl`` into the output directory and rewrites ``manifest.json`` after
every case (atomically), so an interrupted run leaves a manifest that matches
the files written so far. Rebuilding a subset keeps the other entries of an
existing manifest in the same directory.

The files are byte-reproducible: certificates and finished sweeps hold no run time
(a sweep file is rewritten in canonical order when it is complete), and the manifest
holds none either; the wall times and the machine go to ``timings.csv``
(:func:`verifier.report.manifest.write_timings`). What can differ on another machine is
whether the trapping search, which has a wall-clock budget, found its argument in time
(then the status differs, and ``--compare`` says so); every file, old or new, is
re-proven by ``verifier check``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from verifier.report.cases import Case, SweepCase
from verifier.report.manifest import (
    MANIFEST,
    file_entry,
    load_manifest,
    new_manifest,
    write_manifest,
    write_timings,
)


def run_certificate_case(case: Case, out_dir: Path) -> dict[str, Any]:
    """Certify one case, save ``<name>.json``, return its manifest entry."""
    from verifier.certificates.certify import certify

    problem = case.problem()
    cert = certify(problem, case.initial_list(), case.horizon, flow=case.flow,
                   signs=None if case.signs is None else list(case.signs), prec=case.prec,
                   order=case.order, forever=case.forever, trap_budget=case.trap_budget)
    path = cert.save(out_dir / case.file)
    return file_entry(case, path, notes=cert.notes)


def run_sweep_case(case: SweepCase, out_dir: Path) -> dict[str, Any]:
    """Sweep one region (what ``verifier sweep`` does with :func:`sweep_argv`), return its
    manifest entry."""
    from verifier.sweep import run_config

    path = out_dir / case.file
    if path.exists():
        path.unlink()
    config, run_options = sweep_config(case)
    run_config(config, path, progress=False, **run_options)
    return file_entry(case, path)


def sweep_argv(case: SweepCase, out: Path) -> list[str]:
    """The ``verifier sweep`` command line of a sweep case."""
    argv = ["sweep", "--target", case.target, "--domain", ",".join(case.domain),
            "--width", str(case.width), "--flow", case.flow, "--horizon", case.horizon,
            "--out", str(out), "--no-progress"]
    for name, spec in case.region:
        argv += ["--range", f"{name}={spec}"]
    if case.density is not None:
        argv += ["--density", case.density]
    if case.signs is not None:
        argv.append("--signs=" + ",".join(str(s) for s in case.signs))
    for key, value in case.options:
        flag = "--" + key.replace("_", "-")
        if value is True:
            argv.append(flag)
        elif value not in (False, None):
            argv += [flag, str(value)]
    return argv


#: The ``verifier sweep`` options a case may give, and how their text is read.
_VALUES = {"max_steps": int, "width_limit": float, "trap_budget": float, "prec": int,
           "order": int, "digits": int, "split": str}
#: The flags, and the argument of :func:`verifier.sweep.make_config` each turns off.
_FLAGS = {"no_regimes": "regimes", "no_forever": "forever", "no_energy_tail": "energy_tail",
          "no_split_horizon": "split_horizon"}


def sweep_config(case: SweepCase) -> tuple[Any, dict[str, Any]]:
    """The configuration of a sweep case and the options of
    :func:`verifier.sweep.run_config`: what ``verifier sweep`` builds from
    :func:`sweep_argv` (the defaults are :func:`verifier.sweep.make_config`'s)."""
    from verifier.problem import Problem
    from verifier.sweep import make_config, parse_range_text

    kwargs: dict[str, Any] = {}
    run: dict[str, Any] = {}
    min_size: dict[str, str] = {}
    for key, value in case.options:
        if key == "min_size":
            name, sep, size = str(value).rpartition("=")
            min_size[name.strip() if sep else "*"] = size.strip()
        elif key == "workers":
            run["workers"] = int(value)
        elif key == "scheduler":
            run["scheduler"] = str(value)
        elif key in _FLAGS:
            kwargs[_FLAGS[key]] = not value
        elif key in _VALUES:
            kwargs[key] = _VALUES[key](value)
        else:
            raise ValueError(f"sweep case {case.name}: unknown option {key!r}")
    problem = Problem(case.target, list(case.domain), case.density, case.width)
    ranges = [parse_range_text(f"{name}={spec}") for name, spec in case.region]
    config = make_config(problem, ranges, case.horizon, flow=case.flow,
                         signs=None if case.signs is None else list(case.signs),
                         min_size=min_size or None, **kwargs)
    return config, run


def reproduce(cases: Sequence[Case | SweepCase], out_dir: str | Path, *, quick: bool = False,
              log: Callable[[str], None] | None = print,
              progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Run ``cases`` into ``out_dir`` and write its manifest (module docstring).

    ``progress(done, total)`` is called after every case.
    Entries of an existing manifest in ``out_dir`` whose case is not rerun are kept;
    entries are listed in the order of the case list. Returns the manifest.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    mpath = out / MANIFEST
    names = {c.name for c in cases}
    kept: list[dict] = []
    if mpath.exists():
        try:
            old = load_manifest(mpath)
            kept = [e for e in old["entries"] if e.get("name") not in names]
            quick = quick and bool(old.get("quick", False))
        except ValueError:
            kept = []
    done: list[dict] = []
    for k, case in enumerate(cases):
        if log:
            log(f"[{k + 1}/{len(cases)}] {case.name}: {case.description}")
        start = time.perf_counter()
        if case.kind == "sweep":
            entry = run_sweep_case(case, out)
        else:
            entry = run_certificate_case(case, out)
        seconds = time.perf_counter() - start
        done.append(entry)
        write_manifest(mpath, new_manifest(_ordered(done + kept), quick=quick))
        write_timings(out, {case.name: seconds})
        if progress is not None:
            progress(k + 1, len(cases))
        if log:
            log(f"    {entry['status']}  ({seconds:.1f} s, {entry['bytes'] / 1024:.0f} KiB)")
    return new_manifest(_ordered(done + kept), quick=quick)


def _ordered(entries: list[dict]) -> list[dict]:
    """Entries in the order of :data:`verifier.report.cases.CASES` (others last, as given)."""
    from verifier.report.cases import all_cases

    rank = {c.name: k for k, c in enumerate(all_cases())}
    return sorted(entries, key=lambda e: rank.get(e.get("name"), len(rank)))
