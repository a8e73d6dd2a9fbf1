"""The manifest of ``proofs_data/``: one entry per evidence file, and its consistency check.

``manifest.json`` (format ``ngf-manifest/1``) lists, per case, the inputs it was
built from (:meth:`verifier.report.cases.Case.inputs`: problem, flow, initial set,
horizon, precision, options), the file name, its size and SHA-256, and a summary
read back from the file (status, bounds, time reached, steps, the trapping
argument's kind) and, for certificates, the notes the run gave for people (the reason
no stronger claim was made, the terminal configuration, the package version), which are
not in the certificate.

Rebuilding the evidence gives the same bytes: the certificates and finished sweeps hold
no run time, and neither does the manifest. Wall times and the machine
(Python version, platform, cores) go to ``timings.csv`` beside it
(:func:`write_timings`, :func:`read_timings`), which no hash covers. Manifests written
before that have a ``wall_seconds`` per entry.

The manifest claims nothing by itself: the certificates are the claims and
``verifier check`` re-proves them. :func:`verify_manifest` only checks that the
manifest describes the files that are there (hashes, sizes, statuses, bounds,
inputs), so a table made from the manifest shows what the files prove.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from verifier.arith.numbers import parse_rational

FORMAT = "ngf-manifest/1"
MANIFEST = "manifest.json"
#: The wall times of the runs, beside the manifest (not hashed, not evidence).
TIMINGS = "timings.csv"
#: Largest manifest read (bytes).
MAX_MANIFEST_BYTES = 16 * 1024 * 1024


def _no_constant(name: str) -> Any:
    raise ValueError(f"non-finite number {name}")


def sha256_file(path: str | Path) -> str:
    """SHA-256 (hex) of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def certificate_summary(doc: dict) -> dict[str, Any]:
    """The manifest's summary of a certificate document (read, not re-proven)."""
    steps = doc.get("steps", [])
    return {
        "status": doc["status"],
        "bounds": doc["bounds"],
        "t_reached": doc["t_reached"],
        "steps": len(steps),
        "low_order_steps": sum(1 for s in steps if s.get("kind") == "low-order"),
        "trapping": (doc.get("trapping") or {}).get("kind", "none"),
    }


def certificate_notes(notes: dict) -> dict[str, Any]:
    """What a certificate's ``notes`` tell people (not in the file, not proven): why no
    stronger claim was made, the terminal configuration, the version that made it."""
    return {"reason": notes.get("reason", ""),
            "configuration": notes.get("configuration", []),
            "version": (notes.get("generator") or {}).get("version")}


def sweep_summary(path: str | Path) -> dict[str, Any]:
    """The manifest's summary of a sweep results file (``ngf-sweep/1`` JSON lines).

    Read from the file's header and summary line (not re-proven): the leaves per status,
    the volume fractions of the root box, the number of bisections, an overall status
    (``bounded-forever`` / ``bounded-on-horizon`` when every leaf is, ``partial`` when
    some leaves failed, ``failed`` when all did, ``incomplete`` without a summary line),
    the bounds over the whole region for all ``t >= 0`` when every leaf is bounded
    forever, else over the non-failed leaves (``0 <= t <= T``), and the leaves and
    volume per argument (``regime-cover``, ``tube``; ``None`` for files written before
    region arguments).
    """

    header: dict = {}
    summary: dict | None = None
    with open(path, encoding="utf-8") as fh:
        for k, line in enumerate(fh):
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if not isinstance(rec, dict):
                continue
            if k == 0 and rec.get("kind") == "header":
                header = rec
            elif rec.get("kind") == "summary":
                summary = rec
    version = (header.get("generator") or {}).get("version")
    if summary is None:
        return {"status": "incomplete", "boxes": {}, "fractions": {}, "splits": None,
                "bounds": None, "arguments": None, "version": version}
    counts = summary.get("counts", {})
    fractions = summary.get("fractions", {})
    fr = {k: parse_rational(v, "fraction", strict=True) for k, v in fractions.items()}
    if fr.get("bounded-forever", 0) == 1:
        status = "bounded-forever"
    elif fr.get("failed", 0) == 0:
        status = "bounded-on-horizon"
    elif fr.get("failed", 0) == 1:
        status = "failed"
    else:
        status = "partial"
    statements = summary.get("statements") or {}
    g = statements.get("region" if status == "bounded-forever" else "horizon")
    bounds = None if not g else {k: g[k] for k in ("v", "c", "b", "rho", "over") if k in g}
    return {"status": status, "boxes": counts, "fractions": fractions,
            "splits": summary.get("splits"), "bounds": bounds,
            "arguments": summary.get("arguments"), "version": version}


def file_entry(case: Any, path: str | Path, notes: dict | None = None) -> dict[str, Any]:
    """The manifest entry of ``case`` whose evidence file is ``path`` (``notes``: the
    certificate's notes, :func:`certificate_notes`)."""
    path = Path(path)
    if case.kind == "sweep":
        summary = sweep_summary(path)
    else:
        from verifier.checker.load import load_json

        summary = {**certificate_summary(load_json(path)), **certificate_notes(notes or {})}
    return {
        "name": case.name,
        "group": case.group,
        "kind": case.kind,
        "description": case.description,
        "file": path.name,
        "bytes": path.stat().st_size,
        "sha256": sha256_file(path),
        "inputs": case.inputs(),
        **summary,
    }


def generator() -> dict[str, str]:
    import flint

    from verifier.version import __version__

    return {"package": "ngf-verifier", "version": __version__,
            "python-flint": flint.__version__}


def machine() -> str:
    """The machine a run's wall times were measured on (for ``timings.csv``)."""
    return (f"python {platform.python_version()}, {platform.platform(terse=True)}, "
            f"{os.cpu_count()} cores")


def write_timings(directory: str | Path, seconds: dict[str, float]) -> Path:
    """Merge ``seconds`` (case name -> wall seconds) into ``directory/timings.csv``
    (written atomically; a comment line names the machine of the latest run)."""
    path = Path(directory) / TIMINGS
    merged = {**read_timings(directory), **{k: float(v) for k, v in seconds.items()}}
    lines = [f"# wall seconds of verifier reproduce; last run on {machine()}",
             "name,wall_seconds", *(f"{k},{v:.2f}" for k, v in merged.items())]
    tmp = path.with_name(path.name + ".part")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def read_timings(directory: str | Path) -> dict[str, float]:
    """``timings.csv`` of ``directory`` as case name -> wall seconds (empty when there is
    none; lines that do not parse are skipped: the file is a note, not evidence)."""
    path = Path(directory) / TIMINGS
    if not path.is_file():
        return {}
    out: dict[str, float] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines()[:10_000]:
        name, _, value = line.partition(",")
        try:
            out[name] = float(value)
        except ValueError:
            continue
    return out


def new_manifest(entries: Iterable[dict], quick: bool = False) -> dict[str, Any]:
    return {"format": FORMAT, "generator": generator(), "quick": bool(quick),
            "entries": list(entries)}


def write_manifest(path: str | Path, manifest: dict) -> Path:
    """Write ``manifest`` (indented JSON) atomically."""
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def load_manifest(path: str | Path) -> dict[str, Any]:
    """Read a manifest (a directory means its ``manifest.json``); one-line ``ValueError``
    when it is not one."""
    path = Path(path)
    if path.is_dir():
        path = path / MANIFEST
    from verifier.files import read_text

    text = read_text(path, MAX_MANIFEST_BYTES, "manifest")
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as e:
        raise ValueError(f"manifest {path} is not valid JSON: "
                         f"{str(e).splitlines()[0] if str(e) else type(e).__name__}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{path} is not a manifest (format {FORMAT!r} expected)")
    if not isinstance(data.get("entries"), list):
        raise ValueError(f"manifest {path} has no list of entries")
    return data


def _same_inputs(entry: dict, doc: dict) -> list[str]:
    """Differences between a certificate entry's inputs and the certificate itself."""

    from verifier.problem import Problem

    inp = entry.get("inputs", {})
    out: list[str] = []
    try:
        want = Problem(inp["target"], inp["domain"], inp["density"], inp["width"]).to_dict()
    except (KeyError, ValueError) as e:
        return [f"inputs: {e}"]
    if want != doc.get("problem"):
        out.append(f"problem {doc.get('problem')} differs from the inputs {want}")
    if inp.get("flow") != doc.get("flow"):
        out.append(f"flow {doc.get('flow')!r} differs from the inputs {inp.get('flow')!r}")
    if inp.get("signs") != doc.get("signs"):
        out.append("signs differ from the inputs")
    if inp.get("initial") != doc.get("initial"):
        out.append("initial set differs from the inputs")
    try:
        if parse_rational(inp.get("horizon")) != parse_rational(doc.get("horizon"),
                                                                strict=True):
            out.append(f"horizon {doc.get('horizon')} differs from the inputs")
    except ValueError:
        out.append("horizon is not a number")
    if inp.get("prec") != doc.get("prec"):
        out.append("precision differs from the inputs")
    return out


def verify_manifest(path: str | Path) -> list[str]:
    """Every way the manifest and the files beside it disagree (empty: they agree).

    Checks for each entry that its file exists with the recorded size and SHA-256,
    that the recorded summary (status, bounds, steps, ...) is the one read from the
    file, and, for certificates, that the recorded inputs are the file's problem,
    flow, signs, initial set, horizon and precision; and that every ``*.json`` /
    ``*.jsonl`` file in the directory (except the manifest) has an entry.
    It does **not** re-prove the certificates: that is ``verifier check``.
    """
    path = Path(path)
    if path.is_dir():
        path = path / MANIFEST
    try:
        manifest = load_manifest(path)
    except ValueError as e:
        return [str(e)]
    root = path.parent
    problems: list[str] = []
    seen: set[str] = set()
    for k, e in enumerate(manifest["entries"]):
        name = e.get("name", f"entry {k}")
        if name in seen:
            problems.append(f"{name}: duplicate case name")
        seen.add(name)
        f = root / str(e.get("file", ""))
        if not e.get("file") or Path(e["file"]).name != e["file"] or not f.is_file():
            problems.append(f"{name}: file {e.get('file')!r} is missing")
            continue
        if f.stat().st_size != e.get("bytes"):
            problems.append(f"{name}: {f.name} has {f.stat().st_size} bytes, the manifest says "
                            f"{e.get('bytes')}")
        if sha256_file(f) != e.get("sha256"):
            problems.append(f"{name}: SHA-256 of {f.name} differs from the manifest")
            continue
        if e.get("kind") == "sweep":
            summary = sweep_summary(f)
        else:
            from verifier.checker.load import LoadError, load_json

            try:
                doc = load_json(f)
                summary = certificate_summary(doc)
            except (LoadError, KeyError, TypeError) as exc:
                problems.append(f"{name}: {f.name} is not a readable certificate ({exc})")
                continue
            problems += [f"{name}: {m}" for m in _same_inputs(e, doc)]
        for key, value in summary.items():
            if e.get(key) != value:
                problems.append(f"{name}: {key} is {e.get(key)!r} in the manifest but "
                                f"{value!r} in {f.name}")
    listed = {str(e.get("file")) for e in manifest["entries"]}
    for f in sorted(root.iterdir()):
        if f.suffix in (".json", ".jsonl") and f.name != MANIFEST and f.name not in listed:
            problems.append(f"{f.name}: not listed in the manifest")
    return problems
