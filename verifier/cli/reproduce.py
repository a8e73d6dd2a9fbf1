"""``verifier reproduce``: rebuild the evidence (certificates, sweeps, manifest).

Runs the curated cases of :mod:`verifier.report.cases` (or the cases recorded in
a manifest, ``--from-manifest``) and writes every file, ``manifest.json`` and
``timings.csv`` into ``--out`` (default ``evidence/``). The committed evidence,
``proofs_data/``, is written only when asked: ``--in-place``. The files are
byte-reproducible, so ``sha256sum`` or ``git diff`` after ``--in-place`` shows what
changed. Exit codes: 0 when every case ran (whatever its status), 1 when
``--compare`` found a status different from the reference manifest's, 2 on bad
input.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from verifier.cli.progress import Progress

#: The committed evidence (relative to the repository root, the working directory).
COMMITTED = "proofs_data"
DEFAULT_OUT = "evidence"

HELP = "rebuild the committed evidence (proofs_data/) from the case list or a manifest"

_EPILOG = """\
examples:
  verifier reproduce --list
  verifier reproduce --quick                           # the CI-sized subset, into evidence/
  verifier reproduce --out again                       # everything (a few minutes)
  verifier reproduce --only h1-x2 h2-abs --in-place    # rewrite these in proofs_data/
  verifier reproduce --from-manifest proofs_data/manifest.json --out again \\
      --compare proofs_data/manifest.json

Then: verifier check DIR   and   verifier report --manifest DIR/manifest.json
"""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the ``reproduce`` verb."""
    p = subparsers.add_parser(
        "reproduce", help=HELP, description=HELP + ".", epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--out", default=None, metavar="DIR",
                   help=f"output directory (default {DEFAULT_OUT}; not {COMMITTED}, "
                        "see --in-place)")
    p.add_argument("--in-place", action="store_true",
                   help=f"rewrite the committed evidence in {COMMITTED}/")
    p.add_argument("--quick", action="store_true",
                   help="only the CI-sized subset of cases (a few seconds each)")
    p.add_argument("--only", nargs="+", metavar="NAME", help="only these cases")
    p.add_argument("--from-manifest", metavar="FILE",
                   help="rebuild the cases recorded in this manifest instead of the built-in list")
    p.add_argument("--compare", metavar="FILE",
                   help="afterwards, compare statuses with this manifest (exit 1 on a difference)")
    p.add_argument("--list", action="store_true", help="list the cases and exit")
    p.set_defaults(func=run)
    return p


def _select(args: argparse.Namespace) -> list:
    from verifier.report.cases import all_cases, case_from_inputs
    from verifier.report.manifest import load_manifest

    if args.from_manifest:
        entries = load_manifest(args.from_manifest)["entries"]
        cases = []
        for e in entries:
            try:
                cases.append(case_from_inputs(e["inputs"]))
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"manifest entry {e.get('name')!r}: bad inputs ({exc})") from None
    else:
        cases = list(all_cases())
    if args.quick:
        cases = [c for c in cases if c.quick]
    if args.only:
        known = {c.name for c in cases}
        missing = [n for n in args.only if n not in known]
        if missing:
            raise ValueError(f"unknown case(s) {', '.join(missing)} (see --list)")
        cases = [c for c in cases if c.name in set(args.only)]
    if not cases:
        raise ValueError("no case selected")
    return cases


def output_directory(out: str | None, in_place: bool) -> Path:
    """``--out``, or :data:`COMMITTED` with ``--in-place``; the committed evidence only
    when asked."""
    if in_place:
        if out is not None and Path(out).resolve() != Path(COMMITTED).resolve():
            raise ValueError(f"--in-place writes {COMMITTED}/; drop --out {out}")
        return Path(COMMITTED)
    path = Path(DEFAULT_OUT if out is None else out)
    if path.resolve() == Path(COMMITTED).resolve():
        raise ValueError(f"{COMMITTED}/ holds the committed evidence: rewrite it with "
                         "--in-place, or choose another --out")
    return path


def run(args: argparse.Namespace) -> int:
    """Run the verb; return the exit code."""
    from verifier.report.manifest import load_manifest
    from verifier.report.reproduce import reproduce

    cases = _select(args)
    if args.list:
        for c in cases:
            flag = " (quick)" if c.quick else ""
            print(f"{c.name:<16} {c.group:<9} T={c.horizon:<4} {c.description}{flag}")
        return 0
    out = output_directory(args.out, args.in_place)
    reference = load_manifest(args.compare) if args.compare else None
    with Progress("verifier reproduce", len(cases), unit="case",
                  label="{done:.0f} of {total:.0f} cases") as progress:
        manifest = reproduce(cases, out, quick=args.quick, progress=progress)
    print(f"wrote {len(cases)} case(s) and {out}/manifest.json; "
          f"re-check with: verifier check {out}")
    if reference is None:
        return 0
    ref = {e["name"]: e["status"] for e in reference["entries"]}
    diffs = [(e["name"], ref[e["name"]], e["status"]) for e in manifest["entries"]
             if e["name"] in ref and ref[e["name"]] != e["status"]]
    for name, old, new in diffs:
        print(f"{name}: status {new} (reference: {old})")
    return 1 if diffs else 0
