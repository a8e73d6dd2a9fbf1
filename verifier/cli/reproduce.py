"""``verifier reproduce``: rebuild ``proofs_data/`` (certificates, sweeps, manifest).

Runs the curated cases of :mod:`verifier.report.cases` (or the cases recorded in
a manifest, ``--from-manifest``) and writes every file and ``manifest.json`` into
``--out``. Exit codes: 0 when every case ran (whatever its status), 1 when
``--compare`` found a status different from the reference manifest's, 2 on bad
input.
"""

from __future__ import annotations

import argparse
from typing import Any

HELP = "rebuild the committed evidence (proofs_data/) from the case list or a manifest"

_EPILOG = """\
examples:
  verifier reproduce --list
  verifier reproduce --quick --out /tmp/evidence       # the CI-sized subset
  verifier reproduce --out proofs_data                 # everything (about a minute)
  verifier reproduce --only h1-x2 h2-abs --out proofs_data
  verifier reproduce --from-manifest proofs_data/manifest.json --out /tmp/again \\
      --compare proofs_data/manifest.json

Then: verifier check DIR   and   verifier report --manifest DIR/manifest.json
"""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the ``reproduce`` verb."""
    p = subparsers.add_parser(
        "reproduce", help=HELP, description=HELP + ".", epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--out", default="proofs_data", metavar="DIR",
                   help="output directory (default proofs_data)")
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
    reference = load_manifest(args.compare) if args.compare else None
    manifest = reproduce(cases, args.out, quick=args.quick)
    print(f"wrote {len(cases)} case(s) and {args.out}/manifest.json; "
          f"re-check with: verifier check {args.out}")
    if reference is None:
        return 0
    ref = {e["name"]: e["status"] for e in reference["entries"]}
    diffs = [(e["name"], ref[e["name"]], e["status"]) for e in manifest["entries"]
             if e["name"] in ref and ref[e["name"]] != e["status"]]
    for name, old, new in diffs:
        print(f"{name}: status {new} (reference: {old})")
    return 1 if diffs else 0
