"""What ships with the package and what a user may cite: LICENSE (MIT), CITATION.cff
(Citation File Format 1.2.0), ``verifier/py.typed`` (PEP 561), and a built wheel that
contains them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

import verifier

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_license_is_the_mit_text_pyproject_names():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n\nCopyright (c) 2026 The ngf-verifier developers\n")
    assert "Permission is hereby granted, free of charge" in text
    assert 'THE SOFTWARE IS PROVIDED "AS IS"' in text
    assert PYPROJECT["project"]["license"] == {"text": "MIT"}


def test_citation_file():
    yaml = pytest.importorskip("yaml")  # PyYAML comes with jupytext (dev extra)
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    # the keys CFF 1.2.0 requires, and their types
    assert cff["cff-version"] == "1.2.0"
    assert isinstance(cff["message"], str) and isinstance(cff["title"], str)
    assert cff["authors"] and all("name" in a or "family-names" in a for a in cff["authors"])
    # the software, as released
    assert cff["type"] == "software"
    assert cff["version"] == PYPROJECT["project"]["version"] == verifier.__version__
    assert cff["license"] == "MIT"
    # the mathematics: the article behind the normalized flow
    (article,) = [r for r in cff["references"] if r["type"] == "article"]
    assert article["doi"] == "10.48550/arXiv.2207.06246"
    assert [a["family-names"] for a in article["authors"]] == [
        "Eberle", "Jentzen", "Riekert", "Weiss"]
    assert "arXiv:2207.06246" in (ROOT / "docs" / "design.md").read_text(encoding="utf-8")


def test_py_typed_is_package_data():
    assert (ROOT / "verifier" / "py.typed").is_file()
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["verifier"]
    shipped = {p.relative_to(ROOT / "verifier").as_posix()
               for pat in patterns for p in (ROOT / "verifier").glob(pat)}
    assert {"py.typed", "checker/certificate.schema.json"} <= shipped


def test_wheel_ships_the_license_types_and_schema(tmp_path):
    """Build a wheel from a copy of the sources (the tree stays clean)."""
    src = tmp_path / "src"
    shutil.copytree(ROOT / "verifier", src / "verifier",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                        str(tmp_path / "dist"), str(src)], capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "verifier/py.typed" in names and "verifier/checker/certificate.schema.json" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") or n.endswith(".dist-info/LICENSE")
               for n in names)


_LOADED = """
import runpy, sys
sys.argv = ["verifier"] + sys.argv[1:]
try:
    runpy.run_module("verifier", run_name="__main__")
except SystemExit as e:
    code = e.code
heavy = sorted(m for m in ("sympy", "numpy", "flint", "scipy", "matplotlib") if m in sys.modules)
print("LOADED", code, ",".join(heavy))
"""


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["integrate", "--help"],
                                  ["sweep", "--help"], ["check", "--help"]])
def test_help_imports_no_sympy(argv):
    """``verifier --help`` (and every verb's help) runs in a fresh interpreter without
    importing SymPy, numpy, python-flint, scipy or matplotlib: the verbs import them in
    ``run``."""
    r = subprocess.run([sys.executable, "-c", _LOADED, *argv], capture_output=True, text=True,
                       cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    line = [x for x in r.stdout.splitlines() if x.startswith("LOADED")][-1]
    assert line.split(" ")[1] == "0", r.stderr
    assert line == "LOADED 0 ", line




def _missing_hints() -> list[str]:
    import inspect

    missing: list[str] = []

    def check(qual: str, fn: object) -> None:
        sig = inspect.signature(fn)
        for p in sig.parameters.values():
            if p.name not in ("self", "cls") and p.annotation is inspect.Parameter.empty:
                missing.append(f"{qual}({p.name})")
        if sig.return_annotation is inspect.Signature.empty and not qual.endswith("__init__"):
            missing.append(f"{qual} -> ?")

    for name in verifier.__all__:
        obj = getattr(verifier, name)
        if inspect.isfunction(obj):
            check(name, obj)
        elif inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if attr.startswith("_") and attr != "__init__":
                    continue
                fn = (member.fget if isinstance(member, property)
                      else member.__func__ if isinstance(member, classmethod | staticmethod)
                      else member if inspect.isfunction(member) else None)
                if fn is not None:
                    check(f"{name}.{attr}", fn)
    return missing


def test_the_public_api_has_type_hints():
    """Every parameter and return value of the functions and public methods the facade
    exports is annotated (PEP 561: the package ships ``py.typed``)."""
    assert _missing_hints() == []
    assert len(verifier.__all__) >= 15
