"""``write_report``: the tables and figures of a manifest in one directory.

Layout of the output directory::

    table.md        Markdown table of the manifest
    table.tex       LaTeX (booktabs) table, \\input{} it after \\usepackage{booktabs}
    report.md       the Markdown table followed by every figure (PNG)
    figures/        <case>-tube, <case>-realization, <case>-risk, compare-<case>,
                    <sweep>-status, each as PDF and PNG

The report reads the evidence files but does not re-prove them; run
``verifier check`` on the directory for that (the report says so).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from verifier.report.figures import FORMATS, figure_index, write_figures
from verifier.report.manifest import MANIFEST, load_manifest, read_timings
from verifier.report.tables import latex_table, markdown_table


def write_report(manifest_path: str | Path, out: str | Path, *, figures: bool = True,
                 formats: Sequence[str] = FORMATS, only: Sequence[str] | None = None,
                 log: Callable[[str], None] | None = None,
                 paper: int | None = None) -> dict[str, list[Path]]:
    """Write the tables (and, unless ``figures=False``, the figures) of the manifest at
    ``manifest_path`` (a file or a directory holding ``manifest.json``) into ``out``.

    ``only``: restrict the figures to these case names (the tables list every case);
    ``paper``: figures in the paper style, sized for 1 or 2 journal columns.
    Returns ``{"tables": [...], "figures": [...]}``.
    """
    mpath = Path(manifest_path)
    if mpath.is_dir():
        mpath = mpath / MANIFEST
    manifest = load_manifest(mpath)
    timings = read_timings(mpath.parent)
    for e in manifest["entries"]:  # the run times, for the tables (not in the manifest)
        if e.get("name") in timings:
            e["wall_seconds"] = timings[e["name"]]
    if only is not None:
        known = {e["name"] for e in manifest["entries"]}
        missing = [n for n in only if n not in known]
        if missing:
            raise ValueError(f"not in the manifest: {', '.join(missing)}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    md = markdown_table(manifest)
    tex = latex_table(manifest)
    (out / "table.md").write_text(md, encoding="utf-8")
    (out / "table.tex").write_text(tex, encoding="utf-8")
    fig_paths: list[Path] = []
    if figures:
        fig_paths = write_figures(manifest, mpath.parent, out / "figures", formats=formats,
                                  only=only, log=log, paper=paper)
    report = ["# ngf-verifier evidence", "",
              f"Manifest: `{mpath}`. The table is read from the manifest; the claims are the "
              f"certificate files, re-proven by `verifier check {mpath.parent}`.", "", md]
    if fig_paths:
        report += ["## Figures", "", figure_index(fig_paths, out)]
    (out / "report.md").write_text("\n".join(report), encoding="utf-8")
    return {"tables": [out / "table.md", out / "table.tex", out / "report.md"],
            "figures": fig_paths}
