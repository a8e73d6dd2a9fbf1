"""The documentation: the API reference builds from the docstrings without a warning, the
design page exists with its sections, and every file the repository names is in it.

The API reference is a Sphinx project in ``docs/api`` (autodoc + napoleon); Sphinx is a
development dependency, so the build always runs (about ten seconds).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THIS = Path(__file__).resolve()


def _tracked_text_files() -> list[Path]:
    """The repository's text files (git's list when available, else a walk)."""
    try:
        out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.split()
        files = [ROOT / p for p in out]
    except (OSError, subprocess.CalledProcessError):
        files = [p for p in ROOT.rglob("*") if ".git" not in p.parts]
    keep = {".py", ".md", ".rst", ".toml", ".cff", ".txt", ".cfg", ".ipynb"}
    return [p for p in files if p.is_file() and (p.suffix in keep or p.name == "run")
            and "_build" not in p.parts]


def test_api_reference_builds_without_warnings(tmp_path):
    r = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
                        str(ROOT / "docs" / "api"), str(tmp_path / "html")],
                       capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert r.returncode == 0, r.stderr[-4000:]
    assert r.stderr.strip() == ""
    html = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "html").glob("*.html")}
    # the reference holds the public API, rendered from the docstrings
    for page, names in {
        "verifier.html": ["verifier.Problem", "verifier.certify", "verifier.Certificate.plot"],
        "integrate.html": ["verifier.integrate.Tube.plot", "verifier.integrate.StepRecord"],
        "plotting.html": ["verifier.plotting.paper_style", "verifier.plotting.plot_enclosure"],
        "symbolic.html": ["verifier.symbolic.explicit.simplify_conditions",
                          "verifier.symbolic.latex.derive_fragment"],
        "sweep.html": ["verifier.sweep.read_sweep"],
    }.items():
        for name in names:
            assert f'id="{name}"' in html[page], f"{name} missing from {page}"
    assert "Balls prove" not in html["index.html"]  # the reference is not the design page


DESIGN_SECTIONS = ["The problem and the three flows", "Closed forms of the risk and the gradient",
                   "Rigorous integration", "Certificates and the checker",
                   "The reference simulation", "Sweeps of initial values",
                   "Evidence for papers", "Contracts"]


def test_design_page_has_its_sections():
    text = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    found = re.findall(r"^## (\d+)\. (.+)$", text, flags=re.M)
    assert found == [(str(k), t) for k, t in enumerate(DESIGN_SECTIONS, 1)]
    assert "arXiv:2207.06246" in text


# A citation of a document that is not in the repository: the old design notes, shared
# folders of the development setup.
OUTSIDE = re.compile(r"DESIGN(\.md)?\s*(§|section|/)|DESIGN\.md|\.\./shared|(?<![\w.])shared/")


def outside_references(files: list[Path]) -> list[str]:
    hits = []
    for path in files:
        if path == THIS:
            continue
        for k, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(),
                                 1):
            if OUTSIDE.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{k}: {line.strip()[:80]}")
    return hits


def test_outside_reference_detector(tmp_path):
    samples = {"a.py": "see DESIGN section 4\n", "b.md": "(DESIGN.md section 3)\n",
               "c.md": "DESIGN §1 says\n", "d.py": "(DESIGN / issue 6)\n",
               "e.md": "cp ../shared/x .\n", "f.md": "docs/design.md, section 1; designs\n"}
    for name, text in samples.items():
        (tmp_path / name).write_text(text)
    global ROOT
    root, ROOT = ROOT, tmp_path
    try:
        hits = outside_references(sorted(tmp_path.iterdir()))
    finally:
        ROOT = root
    assert [h.split(":")[0] for h in hits] == ["a.py", "b.md", "c.md", "d.py", "e.md"]


def test_no_reference_outside_the_repository():
    hits = outside_references(_tracked_text_files())
    assert hits == [], "\n".join(hits)


# paths of files in the repository, as written in prose and docstrings
PATH = re.compile(r"(?<![\w/.-])((?:docs|verifier|tests|benchmarks|notebooks|proofs_data|\.ci)"
                  r"/[\w./-]*\w\.(?:md|py|json|jsonl|ipynb|toml|cff|rst|txt))\b")


def test_named_files_exist():
    missing = []
    for path in _tracked_text_files():
        for k, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(),
                                 1):
            for name in PATH.findall(line):
                if not (ROOT / name).exists():
                    missing.append(f"{path.relative_to(ROOT)}:{k}: {name}")
    assert missing == [], "\n".join(missing)
