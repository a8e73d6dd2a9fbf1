"""``verifier report``: tables (Markdown, LaTeX booktabs) and figures (PDF, PNG) of a manifest.

Reads ``--manifest`` (default ``proofs_data/manifest.json``) and the evidence files
beside it and writes into ``--out`` (default ``report/``): ``table.md``,
``table.tex``, ``report.md`` and ``figures/``. Exit codes: 0 on success, 2 on bad
input. The report does not re-prove anything: run ``verifier check`` for that.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

HELP = "write tables (Markdown, LaTeX) and figures (PDF, PNG) of a manifest"

_EPILOG = """\
examples:
  verifier report --manifest proofs_data/manifest.json --out report
  verifier report --no-figures --out report                 # tables only
  verifier report --only h1-x2 std-x2 --format png --out /tmp/figs
  verifier report --paper 1 --format pdf --out paper-figs   # one-column paper figures
"""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the ``report`` verb."""
    p = subparsers.add_parser(
        "report", help=HELP, description=HELP + ".", epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--manifest", default="proofs_data/manifest.json", metavar="FILE",
                   help="the manifest (or its directory); default proofs_data/manifest.json")
    p.add_argument("--out", default="report", metavar="DIR", help="output directory")
    p.add_argument("--no-figures", action="store_true", help="write the tables only")
    p.add_argument("--format", default="pdf,png", metavar="FMT[,FMT]",
                   help="figure formats (default pdf,png)")
    p.add_argument("--only", nargs="+", metavar="NAME", help="figures of these cases only")
    p.add_argument("--paper", type=int, choices=(1, 2), metavar="COLUMNS",
                   help="paper style (serif 8 pt, vector fonts) sized for 1 or 2 columns")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run the verb; return the exit code."""
    import matplotlib

    matplotlib.use("Agg")
    from verifier.report.build import write_report

    formats = [f.strip().lower() for f in args.format.split(",") if f.strip()]
    bad = [f for f in formats if f not in ("pdf", "png", "svg")]
    if bad or not formats:
        raise ValueError(f"--format: choose from pdf, png, svg (got {args.format!r})")

    def log(msg: str) -> None:
        if sys.stderr.isatty():
            print(msg, file=sys.stderr)

    written = write_report(args.manifest, args.out, figures=not args.no_figures,
                           formats=formats, only=args.only, log=log, paper=args.paper)
    print(f"wrote {len(written['tables'])} tables and {len(written['figures'])} figure files "
          f"to {args.out}")
    return 0
