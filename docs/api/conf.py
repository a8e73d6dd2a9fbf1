"""Sphinx configuration of the API reference (built from the docstrings).

Build: ``python -m sphinx -W -b html docs/api docs/api/_build/html`` (warnings are
errors; ``tests/test_docs.py`` runs the same build).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

project = "ngf-verifier"
author = "The ngf-verifier developers"
copyright = "2026, The ngf-verifier developers"

extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinx.ext.mathjax"]

# the public API is what the packages' __all__ export; members in source order
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
# Google/NumPy sections where a docstring uses them; most docstrings are plain reST
napoleon_google_docstring = True
napoleon_numpy_docstring = True

exclude_patterns = ["_build"]
html_theme = "alabaster"
html_title = "ngf-verifier API reference"
