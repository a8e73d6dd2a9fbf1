"""Options shared by the verbs: the problem, the flow, initial values; values that start
with a minus sign."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from verifier.examples import example
from verifier.field.flows import FLOWS


def attach_values(parser: argparse.ArgumentParser, argv: Sequence[str]) -> list[str]:
    """``argv`` with ``--opt VALUE`` written ``--opt=VALUE`` when ``--opt`` takes one value
    and ``VALUE`` starts with a minus sign (``--init-box "-2.501:-2.499,..."``,
    ``--range phi=-1:1`` is fine already, ``--domain -1,1``).

    argparse reads an argument that starts with ``-`` and is not a plain negative number as
    an option, so ``--init-box -2.5:-2.4`` would fail with "expected one argument"; the
    ``=`` form is read as a value. ``VALUE`` is left alone when it is itself an option of
    ``parser`` (``--horizon --prec 53`` stays an error), and so is everything after ``--``.
    Abbreviated option names are matched as argparse matches them (a unique prefix)."""
    takes_value = {}
    for action in parser._actions:
        if action.option_strings and action.nargs is None:
            for name in action.option_strings:
                takes_value[name] = True
    options = {name for action in parser._actions for name in action.option_strings}
    longs = sorted(name for name in takes_value if name.startswith("--"))
    out: list[str] = []
    args = list(argv)
    k = 0
    while k < len(args):
        arg = args[k]
        if arg == "--":
            out.extend(args[k:])
            break
        name = arg if arg in options or not arg.startswith("--") else _unique_prefix(arg, longs)
        nxt = args[k + 1] if k + 1 < len(args) else None
        if (name in takes_value and nxt is not None and nxt.startswith("-") and nxt != "--"
                and nxt not in options):
            out.append(f"{arg}={nxt}")
            k += 2
            continue
        out.append(arg)
        k += 1
    return out


def _unique_prefix(arg: str, names: list[str]) -> str:
    found = [n for n in names if n.startswith(arg)]
    return found[0] if len(found) == 1 else arg


def add_problem_args(p: argparse.ArgumentParser, flow: bool = True) -> None:
    g = p.add_argument_group("problem")
    g.add_argument("--example", metavar="NAME",
                   help="built-in problem: x2, abs, sin, pwl, exp, cubic")
    g.add_argument("--target", metavar="EXPR", help='target f(x), e.g. "x**2", "Abs(x - 1/3)"')
    g.add_argument("--domain", metavar="A,B", default="0,1",
                   help="input interval, exact ends allowed (default 0,1)")
    g.add_argument("--density", metavar="EXPR", help="input density (default uniform)")
    g.add_argument("--width", metavar="H", type=int, default=1, help="hidden neurons (default 1)")
    if flow:
        g.add_argument("--flow", choices=FLOWS, default="normalized")
        g.add_argument("--signs", metavar="S1,S2,...",
                       help="frozen weights (+1/-1) for --flow normalized-weights")


def add_start_args(p: argparse.ArgumentParser) -> None:
    """The initial set (``--init`` or ``--init-box``), the horizon and the precision of an
    integration."""
    g = p.add_mutually_exclusive_group()
    g.add_argument("--init", metavar="Y1,Y2,...",
                   help="initial point (exact decimals; default with --example: its state)")
    g.add_argument("--init-box", metavar="LO:HI,...",
                   help="initial box, one LO:HI per coordinate (a single value is a point)")
    p.add_argument("--horizon", required=True, metavar="T", help="final time T > 0")
    p.add_argument("--prec", type=int, default=53, help="working precision in bits (default 53)")


def problem_from_args(args: argparse.Namespace):
    from verifier.problem import Problem

    target = args.target
    if args.example:
        ex = example(args.example)
        if target is None:
            target = ex["target"]
    if target is None:
        raise ValueError("give --target EXPR or --example NAME")
    domain = [t.strip() for t in args.domain.split(",")]
    if len(domain) != 2:
        raise ValueError(f"--domain needs two values A,B, got {args.domain!r}")
    return Problem(target=target, domain=domain, density=args.density, width=args.width)


def output_file(text: str, what: str):
    """The path of a file to write: refused when it exists and is not a regular file (a
    FIFO would block the writer, a device such as ``/dev/zero`` would be replaced) or when
    its directory does not exist."""
    from pathlib import Path

    path = Path(text)
    if path.exists() and not path.is_file():
        raise ValueError(f"{what} {path} exists and is not a regular file")
    if not path.parent.is_dir():
        raise ValueError(f"{what}: directory {path.parent} does not exist")
    return path


def parse_signs(text: str | None) -> list[int] | None:
    if text is None:
        return None
    try:
        return [int(s) for s in text.split(",")]
    except ValueError:
        raise ValueError(f"--signs must be comma-separated +1/-1 values, got {text!r}") from None


def parse_floats(text: str, what: str) -> list[float]:
    """Comma-separated finite floats (exact decimals within the limits of
    :func:`verifier.arith.numbers.parse_coordinate`, then rounded to floats)."""
    from verifier.arith.numbers import parse_coordinate

    return [float(parse_coordinate(s, what)) for s in text.split(",")]


def initial_text(args: argparse.Namespace) -> str:
    """``--init``, or the built-in example's initial state (width 1, normalized flow)."""
    if args.init is not None:
        return args.init
    if args.example:
        if args.width != 1 or getattr(args, "flow", "normalized") != "normalized":
            raise ValueError("the examples' initial states are for --width 1 and the normalized "
                             "flow; give --init")
        return example(args.example)["init"]
    raise ValueError("give --init Y1,Y2,... (or --example NAME)")


def add_set_args(p: argparse.ArgumentParser, choices: tuple[str, ...],
                 default: str = "auto") -> None:
    """``--set`` (the set representation of the tube) and ``--degree`` (of Taylor-model
    sets in the initial coordinates)."""
    p.add_argument("--set", dest="set_type", choices=choices, default=default,
                   help="set representation (default auto: a Lohner QR doubleton, with a "
                        "quadratic part for initial boxes at least 1e-5 wide; taylor-model: "
                        "a preconditioned Taylor model for wide boxes, docs/taylor-models.md)")
    p.add_argument("--degree", type=int, default=4,
                   help="degree of a taylor-model set in the initial coordinates (default 4)")
