"""``verifier check FILE...``: re-verify certificates from the files alone.

Prints one line per file, ``FILE: VERIFIED`` or ``FILE: REJECTED: <first failing
item>``; a directory is searched for ``*.json`` certificates. Exit code 0 only
when every file was verified, 1 otherwise (2 on bad usage). Files are untrusted:
they are parsed strictly and nothing in them is executed.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from verifier.cli.progress import Progress

HELP = "re-verify certificate files (VERIFIED / REJECTED: reason)"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the ``check`` verb."""
    p = subparsers.add_parser("check", help=HELP, description=HELP + ".")
    p.add_argument("files", nargs="+", metavar="FILE", help="certificate files or directories")
    p.add_argument("-q", "--quiet", action="store_true", help="print only rejections")
    p.add_argument("--workers", type=int, default=None,
                   help="processes per certificate (default: idle cores for long certificates)")
    p.set_defaults(func=run)
    return p


def expand_paths(items: list[str]) -> list[Path]:
    """Files as given; directories replaced by their ``*.json`` certificates and ``*.jsonl``
    sweeps (sorted, recursive; ``manifest.json`` excluded)."""
    out: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            found = sorted(q for q in [*p.rglob("*.json"), *p.rglob("*.jsonl")]
                           if q.name != "manifest.json")
            if not found:
                raise ValueError(f"no certificate (*.json) in directory {p}")
            out.extend(found)
        else:
            out.append(p)
    return out


def run(args: argparse.Namespace) -> int:
    """Run the verb; return the exit code."""
    from verifier.checker.check import check_file
    from verifier.checker.sweep import check_sweep_file, is_sweep_file

    paths = expand_paths(args.files)
    failed = 0
    for path in paths:
        with Progress(f"verifier check {path.name}", unit="step",
                      label="{done:.0f} of {total:.0f}") as progress:
            if is_sweep_file(path):
                result = check_sweep_file(path, progress=progress, workers=args.workers)
            else:
                result = check_file(path, progress=progress, workers=args.workers)
        if not result.ok:
            failed += 1
            print(f"{path}: {result}")
        elif not args.quiet:
            print(f"{path}: {result} ({result.steps} steps, {result.seconds:.2f} s)")
    if len(paths) > 1 and not args.quiet:
        print(f"{len(paths) - failed} of {len(paths)} verified")
    return 0 if failed == 0 else 1
