"""The import graph of the ``verifier`` package, lazy imports (inside functions) included.

``python .ci/import_graph.py`` prints the edges between packages (the units of
docs/architecture.md: the subpackages of ``verifier`` and its top-level modules) and
every cycle, between modules or between packages; ``tests/test_architecture.py`` runs the
same functions and holds the package graph to the layer table of docs/architecture.md.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "verifier"


def modules(root: Path = ROOT) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package."""
    out = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _resolve(name: str, level: int, current: str, is_package: bool) -> str:
    if not level:
        return name
    base = current.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def module_edges(root: Path = ROOT) -> dict[str, dict[str, bool]]:
    """``edges[a][b]``: module ``a`` imports module ``b``; the value is True when every
    such import of ``a`` is lazy (inside a function or class body). A string constant
    that names a module of the package counts as a lazy import of it (a module loaded by
    name)."""
    mods = modules(root)
    edges: dict[str, dict[str, bool]] = defaultdict(dict)
    for name, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = {id(node) for node in tree.body}
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.ImportFrom):
                base = _resolve(node.module or "", node.level, name, is_package)
                if base.split(".")[0] != PACKAGE:
                    continue
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    targets.append(sub if sub in mods else base)
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.split(".")[0] == PACKAGE]
            elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
                  and "." in node.value and node.value in mods):
                # a module named by a string (``importlib.import_module``): a lazy import
                targets = [node.value]
            for target in targets:
                while target not in mods and "." in target:
                    target = target.rsplit(".", 1)[0]
                if target == name:
                    continue
                lazy = id(node) not in top
                edges[name][target] = edges[name].get(target, True) and lazy
    return edges


def unit(module: str) -> str:
    """The package of a module: ``verifier.proof.trapping.cells`` -> ``proof``;
    ``verifier.problem`` -> ``problem``; the package itself and ``__main__`` -> ``api``."""
    parts = module.split(".")
    if len(parts) == 1 or parts[1] == "__main__":
        return "api"
    return parts[1]


def package_edges(edges: dict[str, dict[str, bool]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for a, targets in edges.items():
        for b in targets:
            if unit(a) != unit(b):
                out[unit(a)].add(unit(b))
    return out


def cycles(graph: dict[str, set[str]] | dict[str, dict[str, bool]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    nodes = set(graph) | {b for targets in graph.values() for b in targets}

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(max(10_000, sys.getrecursionlimit()))
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return sorted(out)


def closure(starts: list[str], edges: dict[str, dict[str, bool]],
            mods: dict[str, Path]) -> set[str]:
    """Every module that running the modules ``starts`` may load: their imports (lazy
    ones included), transitively, and the packages Python initializes on the way (a
    package's ``__init__`` runs; its own lazy imports are followed only when it is
    imported for itself)."""
    seen: set[str] = set()
    stack = [(m, True) for m in starts]
    while stack:
        m, follow_lazy = stack.pop()
        if m in seen:
            continue
        seen.add(m)
        parts = m.split(".")
        stack += [(".".join(parts[:k]), False) for k in range(1, len(parts))
                  if ".".join(parts[:k]) in mods]
        stack += [(b, True) for b, lazy in edges.get(m, {}).items() if follow_lazy or not lazy]
    return seen


def trusted_base(root: Path = ROOT) -> dict[str, int]:
    """The checker's trusted base: module -> lines, for every module the checker
    (``verifier.checker`` and its imports) may run."""
    mods = modules(root)
    start = [m for m in mods if m == "verifier.checker" or m.startswith("verifier.checker.")]
    return {m: len(mods[m].read_text(encoding="utf-8").splitlines())
            for m in sorted(closure(start, module_edges(root), mods))}


def main() -> int:
    edges = module_edges()
    pkg = package_edges(edges)
    for a in sorted(pkg):
        print(f"{a:13} -> {', '.join(sorted(pkg[a]))}")
    bad = cycles(edges) + cycles(pkg)
    for comp in bad:
        print("cycle:", " <-> ".join(comp))
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
