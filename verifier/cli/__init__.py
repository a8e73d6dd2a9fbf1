"""The ``verifier`` command line: one module per verb, dispatched here.

Every verb exits 0 on success, 2 with a one-line ``error: ...`` on bad input,
and 1 when the work itself failed (a verb says which); an unexpected failure is a
one-line ``error: internal error ...`` with exit code 1, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Any

VERBS = ("derive", "simulate", "integrate", "certify", "check", "sweep", "reproduce", "report")


class _Parser(argparse.ArgumentParser):
    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        # Values that start with '-' ("-2.5:-2.4,...") are values, not options; the
        # subparser of a verb comes through here too, with its own options.
        from verifier.cli.common import attach_values

        argv = sys.argv[1:] if args is None else list(args)
        return super().parse_known_args(attach_values(self, argv), namespace)

    def error(self, message: str) -> None:  # one line, exit code 2
        self.exit(2, f"error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    from verifier.version import __version__

    parser = _Parser(prog="verifier", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"ngf-verifier {__version__}")
    sub = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)
    sub.required = True
    for verb in VERBS:
        importlib.import_module(f"verifier.cli.{verb}").add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    module = importlib.import_module(f"verifier.cli.{args.verb}")
    try:
        return int(module.run(args) or 0)
    except (ValueError, OSError) as exc:
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # never a traceback, whatever the input
        print(f"error: internal error ({type(exc).__name__}): {_one_line(exc)}", file=sys.stderr)
        return 1


def _one_line(exc: BaseException) -> str:
    text = str(exc).splitlines()[0].strip() if str(exc).strip() else type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
