"""The package's architecture (docs/architecture.md): no import cycle, the layer table,
and a checker that imports no producer, with its trusted base listed in
docs/certificates.md."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / ".ci"))

import import_graph as graph  # noqa: E402
import trusted_base  # noqa: E402

ROW = re.compile(r"^\| (\d+) \| `(\w+)` \| (.*) \|$")


def layer_table() -> dict[str, tuple[int, set[str]]]:
    """package -> (layer, packages it may import), read from docs/architecture.md."""
    out = {}
    for line in (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8").splitlines():
        m = ROW.match(line)
        if m:
            out[m.group(2)] = (int(m.group(1)), set(re.findall(r"`(\w+)`", m.group(3))))
    return out


@pytest.fixture(scope="module")
def edges():
    return graph.module_edges()


def test_the_graph_sees_every_kind_of_import(tmp_path):
    pkg = tmp_path / "verifier"
    (pkg / "a").mkdir(parents=True)
    for name in ("__init__.py", "a/__init__.py", "b.py", "c.py", "d.py"):
        (pkg / name).write_text("")
    (pkg / "a" / "x.py").write_text(
        "import verifier.b\nfrom verifier import c\n"
        "def f():\n    from . import y\n    return 'verifier.d'\n")
    (pkg / "a" / "y.py").write_text("from .x import f\n")
    e = graph.module_edges(tmp_path)
    assert e["verifier.a.x"] == {"verifier.b": False, "verifier.c": False,
                                 "verifier.a.y": True, "verifier.d": True}
    assert graph.cycles(e) == [["verifier.a.x", "verifier.a.y"]]
    assert graph.package_edges(e) == {"a": {"b", "c", "d"}}


def test_no_cycle_between_modules(edges):
    assert graph.cycles(edges) == []


def test_no_cycle_between_packages(edges):
    assert graph.cycles(graph.package_edges(edges)) == []


def test_the_layer_table_has_no_upward_arrow():
    table = layer_table()
    assert len(table) >= 20
    for name, (layer, allowed) in table.items():
        for other in allowed:
            assert other in table, f"{name} may import the unknown package {other}"
            assert table[other][0] < layer, f"{name} (layer {layer}) may import {other}"


def test_every_package_imports_only_what_the_table_allows(edges):
    table = layer_table()
    actual = graph.package_edges(edges)
    packages = {graph.unit(m) for m in graph.modules()}
    assert packages == set(table), "docs/architecture.md must list exactly the packages"
    for name, targets in actual.items():
        assert targets <= table[name][1], (
            f"{name} imports {sorted(targets - table[name][1])}, which docs/architecture.md "
            "does not allow")


PRODUCERS = ("integrate", "certificates", "sweep", "report", "plotting", "simulate",
             "regimes", "cli", "symbolic")
CHECKER_BASE = {"api", "arith", "checker", "expr", "field", "files", "presentation",
                "problem", "proof", "version"}


def _loaded_after(code: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys, json\n"
                          "print(json.dumps(sorted(m for m in sys.modules "
                          "if m.split('.')[0] == 'verifier')))"],
                         capture_output=True, text=True, cwd=ROOT, check=True).stdout
    return json.loads(out.splitlines()[-1])


def test_importing_the_checker_imports_no_producer():
    loaded = _loaded_after("import verifier.checker.check, verifier.checker.sweep")
    assert {graph.unit(m) for m in loaded} <= CHECKER_BASE, loaded
    assert not any(m.split(".")[1] in PRODUCERS for m in loaded if "." in m)
    # lazy: the problem, SymPy's integrator and the regime covers load when needed
    assert "verifier.problem" not in loaded


def test_checking_files_loads_the_trusted_base_only():
    data = ROOT / "proofs_data"
    code = ("from verifier.checker.check import check_file\n"
            "from verifier.checker.sweep import check_sweep_file\n"
            f"assert check_file({str(data / 'h1-abs.json')!r}, workers=1).ok\n"
            f"assert check_sweep_file({str(data / 'region-h1-x2.jsonl')!r}, workers=1).ok\n")
    loaded = set(_loaded_after(code))
    assert {graph.unit(m) for m in loaded} <= CHECKER_BASE
    base = set(graph.trusted_base())
    assert loaded <= base, sorted(loaded - base)
    assert {"verifier.proof.trapping.sublevel", "verifier.proof.regimes.cover",
            "verifier.problem"} <= loaded


def test_the_trusted_base_is_listed_in_the_certificates_page():
    page = (ROOT / "docs" / "certificates.md").read_text(encoding="utf-8")
    assert trusted_base.block() in page, "run: python .ci/trusted_base.py --write"


def test_version_is_single_sourced():
    import verifier
    from verifier.version import __version__

    assert verifier.__version__ == __version__
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'version = "{__version__}"' in text


def test_the_facade_is_lazy_and_its_functions_stay_functions():
    code = ("import verifier, sys\n"
            "assert 'verifier.problem' not in sys.modules\n"
            "import verifier.integrate._tube, verifier.simulate.trajectory\n"
            "assert callable(verifier.integrate) and callable(verifier.simulate)\n"
            "assert verifier.integrate.__module__ == 'verifier.integrate._timemap'\n"
            "from verifier import Problem, certify, check\n")
    _loaded_after(code)


def test_core_modules_do_not_reach_up_for_presentation():
    """The core shows itself through :mod:`verifier.presentation` only."""
    for rel in ("problem.py", "integrate/_tube.py", "simulate/trajectory.py",
                "certificates/certificate.py"):
        tree = ast.parse((ROOT / "verifier" / rel).read_text(encoding="utf-8"))
        names = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert not any(str(m).startswith(("verifier.report", "verifier.plotting"))
                       for m in names), rel
