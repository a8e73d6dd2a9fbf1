"""The notebooks: each ``notebooks/<name>.py`` (jupytext percent format, the source that
is edited and reviewed) is paired with ``<name>.ipynb`` (stored without outputs); both
hold the same cells, use only the public API, and the notebook runs top to bottom
(nbclient, a fresh ``python3`` kernel per notebook).

After editing a ``.py`` source: ``jupytext --sync notebooks/<name>.py``.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
jupytext = pytest.importorskip("jupytext")

ROOT = Path(__file__).resolve().parent.parent
NB_DIR = ROOT / "notebooks"
NAMES = ["01-quickstart", "02-theorem-h1", "03-standard-vs-normalized", "04-beyond-h1"]


def test_every_notebook_is_listed():
    assert sorted(p.stem for p in NB_DIR.glob("*.ipynb")) == NAMES
    assert sorted(p.stem for p in NB_DIR.glob("*.py")) == NAMES


def _cells(nb) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source.strip()) for c in nb.cells]


@pytest.mark.parametrize("name", NAMES)
def test_paired_and_stored_without_outputs(name):
    nb = nbformat.read(NB_DIR / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    assert nb.metadata["jupytext"]["formats"] == "ipynb,py:percent"
    source = jupytext.read(NB_DIR / f"{name}.py")
    assert _cells(nb) == _cells(source), f"out of sync: jupytext --sync notebooks/{name}.py"


def _code(name: str) -> str:
    """The notebook's Python code, IPython magics removed."""
    nb = jupytext.read(NB_DIR / f"{name}.py")
    lines = [line for c in nb.cells if c.cell_type == "code" for line in c.source.splitlines()
             if not line.lstrip().startswith(("%", "!"))]
    return "\n".join(lines)


def private_uses(code: str) -> list[str]:
    """Imports from a ``verifier`` module that is not a package exporting the name in its
    ``__all__``, and attribute accesses of private names (``x._repr_latex_()``)."""
    bad = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            bad += [a.name for a in node.names if a.name.startswith("verifier.")]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "verifier":
            mod = importlib.import_module(node.module)
            public = getattr(mod, "__all__", ())
            if not hasattr(mod, "__path__"):  # a module, not a package
                bad.append(node.module)
            bad += [f"{node.module}.{a.name}" for a in node.names if a.name not in public]
        elif isinstance(node, ast.Attribute) and re.match(r"_(?!_)", node.attr):
            bad.append(f".{node.attr}")
    return bad


def test_private_use_is_detected():
    code = ("from verifier.plotting.tube import plot_tube\nfrom verifier.checker import load\n"
            "import verifier.report.figures\nx._repr_latex_()\n"
            "from verifier import Problem\nfrom verifier.plotting import plot_tube\n")
    assert private_uses(code) == ["verifier.plotting.tube", "verifier.plotting.tube.plot_tube",
                                  "verifier.checker.load", "verifier.report.figures",
                                  "._repr_latex_"]


@pytest.mark.parametrize("name", NAMES)
def test_public_imports_only(name):
    assert private_uses(_code(name)) == []


@pytest.mark.parametrize("name", NAMES)
def test_notebook_executes(name, tmp_path):
    nb = nbformat.read(NB_DIR / f"{name}.ipynb", as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(NB_DIR)}})
    client.execute()  # raises CellExecutionError with the failing cell on any error
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 1
    # no output carries a whole dataclass: the reprs are short
    texts = [o["data"]["text/plain"] for o in outputs if "text/plain" in o.get("data", {})]
    assert max(map(len, texts), default=0) < 2000
    nbformat.write(nb, tmp_path / f"{name}.ipynb")  # the executed copy, never the stored file
