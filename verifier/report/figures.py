"""The report's figures, drawn from the evidence files (PDF and PNG).

Per certificate ``<name>`` (the tube as stored in the file, not recomputed):

* ``<name>-tube``: every coordinate's certified band over time, with a reference
  simulation (floats) from the centre of the initial set, which must stay inside;
* ``<name>-realization``: bands of the realization ``N_theta`` against the target at
  ``t = 0, T/4, T/2, T``;
* ``<name>-risk``: the enclosure of the risk over the tube (log scale).

Per pair of cases with the same initial realization (``Case.pair``):
``compare-<normalized case>``, the normalized and the standard flow side by side
(:func:`verifier.plotting.compare.plot_flow_comparison`).

Per region sweep ``<name>``: ``<name>-status``, the map of the leaves coloured by
status, ``<name>-arguments``, coloured by the argument that closed them, and
``<name>-bounds``, their bounds (:mod:`verifier.plotting.sweep`).

Titles and labels are mathtext (``$f(x) = x^{2}$``, ``$\\varphi_{1}$``), PDF output is
vector with embedded fonts (:func:`verifier.plotting.style.save_figure`), and figures
are drawn in the paper style (:func:`verifier.plotting.style.paper_style`) when
:func:`write_figures` is called with ``paper=True`` (``verifier report --paper``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from verifier.arith.numbers import parse_rational

FORMATS = ("pdf", "png")


def _save(fig: Any, out: Path, stem: str, formats: Sequence[str]) -> list[Path]:
    from verifier.plotting.style import save_figure

    return save_figure(fig, out, stem, formats)


def centre(initial: list) -> list[float]:
    """The centre of an initial set given as exact strings / ``[lo, hi]`` pairs."""
    out = []
    for e in initial:
        if isinstance(e, list | tuple):
            lo, hi = (parse_rational(x, "initial", strict=True) for x in e)
            out.append(float((lo + hi) / 2))
        else:
            out.append(float(parse_rational(e, "initial", strict=True)))
    return out


def reference_for(doc: dict, problem: Any) -> Any:
    """A reference simulation from the centre of the certificate's initial set to its
    ``t_reached`` (``None`` if the simulation fails)."""
    from verifier.simulate import simulate

    T = float(parse_rational(doc["t_reached"], "t_reached", strict=True))
    if T <= 0:
        return None
    try:
        return simulate(problem, centre(doc["initial"]), T, flow=doc["flow"],
                        signs=doc.get("signs"), rtol=1e-10)
    except (ValueError, ArithmeticError):
        return None


def certificate_figures(doc: dict, name: str, out: Path,
                        formats: Sequence[str] = FORMATS) -> list[Path]:
    """The three figures of one certificate (module docstring)."""
    from verifier.plotting.bands import bands_from_certificate
    from verifier.plotting.realization import plot_realization_bands
    from verifier.plotting.tube import describe, plot_risk_band, plot_tube
    from verifier.problem import Problem

    problem = Problem.from_dict(doc["problem"])
    bands = bands_from_certificate(doc)
    ref = reference_for(doc, problem)
    title = f"{name}: {describe(bands)}, status {bands.status}"
    paths = _save(plot_tube(bands, reference=ref, title=title), out, f"{name}-tube", formats)
    ax = plot_realization_bands(bands, problem, reference=ref)
    ax.set_title(f"{name}: realization (bands: certified, lines: reference)")
    paths += _save(ax.figure, out, f"{name}-realization", formats)
    ax = plot_risk_band(bands, problem, reference=ref)
    ax.set_title(f"{name}: risk along the tube")
    paths += _save(ax.figure, out, f"{name}-risk", formats)
    return paths


def comparison_figure(doc_n: dict, doc_s: dict, name: str, out: Path,
                      formats: Sequence[str] = FORMATS) -> list[Path]:
    """Normalized vs standard flow from the normalized case's initial realization."""
    from verifier.plotting.bands import bands_from_certificate
    from verifier.plotting.compare import plot_flow_comparison
    from verifier.problem import Problem

    problem = Problem.from_dict(doc_n["problem"])
    T = float(min(parse_rational(d["t_reached"], "t_reached", strict=True)
                  for d in (doc_n, doc_s)))
    fig = plot_flow_comparison(
        problem, centre(doc_n["initial"]), T, bands_normalized=bands_from_certificate(doc_n),
        bands_standard=bands_from_certificate(doc_s),
        title=f"{name}: the same initial realization under the normalized and the standard "
              "flow (bands: certified tubes; lines: reference simulations)")
    return _save(fig, out, f"compare-{name}", formats)


def sweep_figures(path: Path, name: str, out: Path,
                  formats: Sequence[str] = FORMATS) -> list[Path]:
    """The status, argument and bounds maps of a sweep (the first two free
    coordinates), drawn by :mod:`verifier.plotting.sweep`."""
    from verifier.plotting.sweep import argument_figure, bounds_figure, status_figure
    from verifier.sweep import read_sweep

    result = read_sweep(path)
    paths: list[Path] = []
    for kind, draw in (("status", status_figure), ("arguments", argument_figure),
                       ("bounds", bounds_figure)):
        fig = draw(result)
        fig.suptitle(name, fontsize="medium")
        paths += _save(fig, out, f"{name}-{kind}", formats)
    return paths


def write_figures(manifest: dict, root: str | Path, out: str | Path,
                  formats: Sequence[str] = FORMATS, only: Sequence[str] | None = None,
                  log: Callable[[str], None] | None = None,
                  paper: int | None = None) -> list[Path]:
    """All figures of a manifest whose files lie in ``root``, written into ``out``;
    ``paper``: draw them in the paper style for 1 or 2 columns."""
    if paper is None:
        return _write_figures(manifest, root, out, formats, only, log)
    from verifier.plotting.style import paper_style

    with paper_style(paper):
        return _write_figures(manifest, root, out, formats, only, log)


def _write_figures(manifest: dict, root: str | Path, out: str | Path,
                   formats: Sequence[str], only: Sequence[str] | None,
                   log: Callable[[str], None] | None) -> list[Path]:
    from verifier.checker.load import load_json

    root, out = Path(root), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    entries = [e for e in manifest["entries"] if only is None or e["name"] in only]
    docs: dict[str, dict] = {}
    paths: list[Path] = []
    for e in entries:
        if log:
            log(f"figures: {e['name']}")
        if e.get("kind") == "sweep":
            paths += sweep_figures(root / e["file"], e["name"], out, formats)
            continue
        doc = load_json(root / e["file"])
        docs[e["name"]] = doc
        if doc["steps"]:
            paths += certificate_figures(doc, e["name"], out, formats)
    by_name = {e["name"]: e for e in manifest["entries"]}
    for e in entries:
        pair = (e.get("inputs") or {}).get("pair")
        if not pair or e.get("kind") == "sweep" or e["inputs"].get("flow") != "normalized":
            continue
        if pair not in by_name:
            continue
        if pair not in docs:
            docs[pair] = load_json(root / by_name[pair]["file"])
        if docs[e["name"]]["steps"] and docs[pair]["steps"]:
            paths += comparison_figure(docs[e["name"]], docs[pair], e["name"], out, formats)
    return paths


def figure_index(paths: Sequence[Path], relative_to: Path) -> str:
    """Markdown list of the PNG figures (links relative to ``relative_to``)."""
    pngs = sorted(p for p in paths if p.suffix == ".png")
    lines = []
    for p in pngs:
        rel = p.relative_to(relative_to) if p.is_relative_to(relative_to) else p
        lines.append(f"![{p.stem}]({rel.as_posix()})")
    return "\n\n".join(lines) + ("\n" if lines else "")


__all__ = ["FORMATS", "centre", "certificate_figures", "comparison_figure", "figure_index",
           "reference_for", "sweep_figures", "write_figures"]
