"""Write the notebooks of this directory (stored without outputs) from the cells below.

Run ``python notebooks/make_notebooks.py`` after editing a notebook's cells here; the
``.ipynb`` files are generated, never edited by hand, so they carry no outputs and
no execution counts. ``tests/test_notebooks.py`` executes every notebook top to
bottom (nbclient) and checks that this script reproduces the stored files.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent


def setup(first_party: str, std: str = "", third: str = "") -> str:
    """The first code cell: imports (stdlib, third party, ``verifier``) and ``ROOT``."""
    return ("%matplotlib inline\n" + std + "from pathlib import Path\n\nimport numpy as np\n"
            "from IPython.display import Markdown, display\n" + third + "\n"
            + first_party.strip("\n") + "\n" + ROOT_CELL)


ROOT_CELL = '''
# the repository root: the first parent holding proofs_data/
ROOT = next((p for p in [Path.cwd(), *Path.cwd().parents] if (p / "proofs_data").is_dir()),
            Path.cwd())
MANIFEST = ROOT / "proofs_data" / "manifest.json"
print("proofs_data:", MANIFEST.parent, "(manifest present)" if MANIFEST.exists() else
      "(no manifest yet: run `verifier reproduce`)")'''


def md(text: str):
    return new_markdown_cell(text.strip("\n"))


def code(text: str):
    return new_code_cell(text.strip("\n"))


# ------------------------------------------------------------------------------------------
QUICKSTART = [
    md("""
# 01 — Quickstart: define, derive, simulate, certify, check, plot

A shallow ReLU network with one input, `H` hidden neurons and one output,
`N(x) = c + Σ_j v_j max(w_j x + b_j, 0)`, is trained on `[a, b]` by the gradient flow of
the risk `L = ∫ (N − f)² p dx`. The **normalized** flow keeps `w_j² + b_j² = 1`
(state `(φ_j, v_j, c)`, `(w_j, b_j) = (cos φ_j, sin φ_j)`).

This notebook walks through the toolkit on `f(x) = x³ − x`, `H = 1`:

1. **define** the problem (`Problem`, shown as an HTML table);
2. **derive** the closed-form risk on each switching region (SymPy);
3. **simulate** a reference trajectory (floating point, *not* a proof);
4. **certify** boundedness with rigorous ball arithmetic (a `Certificate`);
5. **check** the certificate file independently of the integrator;
6. **plot** the certified tube against the reference simulation.
"""),
    code(setup(std="import tempfile\n", first_party='''from verifier import Problem, simulate
from verifier.certificates.certify import certify
from verifier.checker.check import check_file
from verifier.plotting.realization import plot_realization_bands
from verifier.plotting.tube import plot_risk_band, plot_tube
''')),
    md("## 1. Define"),
    code('''
problem = Problem(target="x**3 - x", domain=("0", "1"), density=None, width=1)
problem'''),
    code('''
print(problem.describe())
display(Markdown(problem._repr_latex_()))'''),
    md("""
## 2. Derive

The risk is a polynomial in `cos φ, sin φ, v, c` and the moments of `f` and `p` on
each *switching region* (which part of `[0, 1]` the neuron is active on). Here are the
regions and the risk on the first two (the same as `verifier derive --target ...`).
"""),
    code('''
from verifier.symbolic.explicit import explicit_regions

symbols, regions = explicit_regions(problem)
print(f"state {symbols}: {len(regions)} switching regions of positive measure")
for r in regions[:2]:
    print("region:", r.conditions)
    print("   L =", r.risk)'''),
    md("""
## 3. Simulate (floating point, not rigorous)

`simulate` integrates the flow with DOP853 and restarts at every switching event. The
neuron is active on `[0, −tan φ]`; its kink moves from `0.747` towards `0.33` while the
risk drops.
"""),
    code('''
y0 = np.array([2.5, 1.0, 0.0])        # (phi_1, v_1, c): active on [0, 0.747]
traj = simulate(problem, y0, horizon=20)
print(traj.summary())
traj.plot()'''),
    md("""
## 4. Certify

`certify` encloses every solution from the initial point (or box) in ball arithmetic up
to `T`, then looks for an argument for all later times (a dead neuron is frozen
forever; a sublevel set of `L` trapped in a box). The initial values are exact decimal
strings. Status `bounded-forever` means: `|v_1(t)| ≤ R_v`, `|c(t)| ≤ R_c` for every
`t ≥ 0`.
"""),
    code('''
cert = certify(problem, ["2.5", "1", "0"], horizon=20)
cert'''),
    code('''
print(cert.summary())
cert.tube   # the validated tube: status and enclosure at T'''),
    md("""
## 5. Check

The checker re-proves every step and claim from the file alone (it shares no step
control or search with the integrator); `verifier check FILE` does the same on the
command line.
"""),
    code('''
path = Path(tempfile.mkdtemp()) / "cubic.json"
cert.save(path)
result = check_file(path)
print(f"{path.name}: {result} ({result.steps} steps, {path.stat().st_size / 1024:.0f} KiB)")
assert result.ok'''),
    md("""
## 6. Plot

Shaded: the certified enclosure (a priori box of every step: every trajectory from the
initial set lies inside). Dashed: the reference simulation, which must stay inside.
"""),
    code('''
plot_tube(cert, reference=traj)'''),
    code('''
ax = plot_realization_bands(cert, problem, reference=traj)
ax.figure'''),
    code('''
plot_risk_band(cert, problem, reference=traj).figure'''),
]

# ------------------------------------------------------------------------------------------
THEOREM_H1 = [
    md("""
# 02 — Evidence for the theorem (H = 1)

**Theorem (Eberle, Jentzen, Riekert, Weiss 2022).** For `H = 1` and every Lipschitz
target, every trajectory of the normalized gradient flow is bounded.

This notebook collects evidence on six targets and several initial values:

1. the **certified** cases in `proofs_data/` (rigorous, re-checkable: the table is read
   from the manifest, whose hashes are checked against the files);
2. a fresh **certificate** for a small box of initial values;
3. **reference simulations** (floating point, not proofs) from random initial values:
   `max_t |v(t)|` and `max_t |c(t)|` stay of the order of the initial values and the
   risk decreases.
"""),
    code(setup(first_party='''from verifier import Problem, simulate
from verifier.certificates.certify import certify
from verifier.report.cases import LABELS, TARGETS
from verifier.report.manifest import load_manifest, verify_manifest
from verifier.report.tables import markdown_table
''')),
    md("## 1. Certified cases (proofs_data)"),
    code('''
if MANIFEST.exists():
    manifest = load_manifest(MANIFEST)
    problems = verify_manifest(MANIFEST)
    print("manifest matches the files" if not problems else "\\n".join(problems))
    h1 = dict(manifest, entries=[e for e in manifest["entries"] if e["group"] == "H=1"])
    display(Markdown(markdown_table(h1)))
else:
    print("no manifest: run `verifier reproduce` first")'''),
    md("""
`bounded-forever` rows are complete proofs of the theorem's conclusion for that initial
value (with explicit bounds); `bounded-on-horizon` rows prove the bounds on `[0, T]` —
the infinite-horizon argument could not be closed there (typically the trajectory
approaches a degenerate minimum, where the sublevel set is not bounded in a box).
"""),
    md("## 2. A box of initial values, certified now"),
    code('''
sin3 = Problem(TARGETS["sin"])
box = [("0.299", "0.301"), ("0.699", "0.701"), ("-0.101", "-0.099")]
cert_box = certify(sin3, box, horizon=4, trap_budget=5)
print(cert_box.summary())
widths = [float(hi) - float(lo) for lo, hi in cert_box.data["final_enclosure"]]
print("widths of the enclosure at T:", np.round(widths, 5))'''),
    md("## 3. Reference simulations from random initial values"),
    code('''
rng = np.random.default_rng(7)
T = 60
rows, trajs = [], {}
for key, target in TARGETS.items():
    problem = Problem(target)
    for k in range(2):
        y0 = [rng.uniform(-np.pi, np.pi), rng.normal(0, 1.5), rng.normal(0, 1)]
        tr = simulate(problem, y0, T, rtol=1e-8)
        n = tr.norms()
        trajs[(key, k)] = tr
        rows.append((LABELS[key], np.round(y0, 3), n["max_abs_v"].max(), n["abs_c"].max(),
                     tr.risk[0], tr.risk[-1], tr.status.value))
lines = ["| target | y0 | max abs(v) | max abs(c) | L(0) | L(T) | status |",
         "|---|---|---:|---:|---:|---:|---|"]
for r in rows:
    lines.append(f"| {r[0]} | {r[1]} | {r[2]:.3g} | {r[3]:.3g} | {r[4]:.3g} | {r[5]:.3g} "
                 f"| {r[6]} |")
display(Markdown("\\n".join(lines)))'''),
    code('''
from matplotlib.figure import Figure

fig = Figure(figsize=(12, 4), layout="constrained")
ax1, ax2 = fig.subplots(1, 2)
for (key, k), tr in trajs.items():
    n = tr.norms()
    ax1.plot(tr.t, np.maximum(n["max_abs_v"], n["abs_c"]), lw=1, label=f"{LABELS[key]} #{k}")
    ax2.semilogy(tr.t, tr.risk, lw=1)
ax1.set(xlabel="t", ylabel="max(|v|, |c|)", title="sizes stay bounded (reference simulations)")
ax2.set(xlabel="t", ylabel="L", title="risk")
ax1.legend(fontsize="x-small", ncols=2)
fig'''),
    md("""
The simulations are floating point and only suggest the behaviour; the certified rows of
section 1 and the box of section 2 are the proofs.
"""),
]

# ------------------------------------------------------------------------------------------
STANDARD_VS_NORMALIZED = [
    md("""
# 03 — The standard and the normalized flow from the same initial realization

The normalized state `(φ, v, c)` and the standard state `(w, b, v, c) = (cos φ, sin φ, v, c)`
define the same network function. From there the flows differ:

* under the **standard** flow each `v_j² − w_j² − b_j²` is conserved, and a neuron's
  `(w_j, b_j)` can approach `0`, where the flow is not regular;
* under the **normalized** flow `w_j² + b_j² = 1` always.

Boundedness of the standard flow is open even for `H = 1`.
"""),
    code(setup(first_party='''from verifier import Problem, simulate
from verifier.plotting.compare import (
    neuron_norms,
    normalized_to_standard,
    plot_flow_comparison,
    simulate_both,
    standard_invariants,
)
''')),
    md("## 1. One initial realization, both flows"),
    code('''
problem = Problem("x**2")
y_norm = [float(np.arctan2(0.8, 0.6)), 0.5, 0.2]      # (w, b) = (3/5, 4/5)
print("standard initial state:", normalized_to_standard(y_norm, 1))
tn, ts = simulate_both(problem, y_norm, 30)
plot_flow_comparison(problem, y_norm, 30, trajectories=(tn, ts))'''),
    md("## 2. The conserved quantities of the standard flow"),
    code('''
inv = standard_invariants(ts)
drift = np.abs(inv - inv[0]).max()
print(f"v^2 - w^2 - b^2 = {inv[0, 0]:.12f} at t = 0; max drift over the run: {drift:.2e}")
assert drift < 1e-6'''),
    md("""
## 3. Where does the standard flow approach `(w, b) = 0`?

With `κ = v² − w² − b²` conserved, `|(w, b)|² = v² − κ`: for `κ < 0` it stays above
`−κ > 0`, so the neuron never reaches the origin; for `κ ≥ 0` it reaches it exactly when
`v²` comes down to `κ` (for the balanced case `κ = 0`, `|v| = |(w, b)|` shrink together).
We start neurons with `|(w, b)| = r_0` and
`v_0 ∈ {−r_0, r_0/2, 3r_0/2}` and record the smallest `|(w, b)|` along the run (reference
simulations; a run stops with status `degenerate-neuron` when `|(w, b)| < 1e-12`).
"""),
    code('''
rows, shrinking = [], []
for target in ["x**2", "Abs(x - 1/3)"]:
    p = Problem(target)
    for r0 in (0.3, 0.1):
        for v0 in (-r0, 0.5 * r0, 1.5 * r0):
            y = [r0 * 0.6, r0 * 0.8, v0, 0.2]
            tr = simulate(p, y, 40, flow="standard", rtol=1e-9)
            r = neuron_norms(tr)[:, 0]
            k = int(np.argmin(r))
            rows.append((target, r0, v0, v0**2 - r0**2, r[k], tr.t[k], tr.status.value))
            if v0 == -r0:
                shrinking.append((f"{target}, r0 = {r0}", tr, r))
lines = ["| target | r0 | v0 | kappa | min abs(w,b) | at t | status |",
         "|---|---:|---:|---:|---:|---:|---|"]
lines += [f"| {a} | {b:.2g} | {c:.2g} | {d:.3g} | {e:.3g} | {f:.3g} | {g} |"
          for a, b, c, d, e, f, g in rows]
display(Markdown("\\n".join(lines)))'''),
    code('''
from matplotlib.figure import Figure

fig = Figure(figsize=(6.4, 4), layout="constrained")
ax = fig.subplots()
for label, tr, r in shrinking:
    ax.semilogy(tr.t, r, label=label)
ax.set(xlabel="t", ylabel="|(w, b)|", title="standard flow, κ = 0: neuron norms over time")
ax.legend(fontsize="small")
fig'''),
    md("""
## 4. Certified: the pair in `proofs_data/`

`h1-x2-pair` (normalized, `φ` in a box of width `1e-14` around `atan(4/3)`) and
`std-x2` (standard, `(w, b) = (3/5, 4/5)`) start from the same realization; their
certified tubes are drawn as bands.
"""),
    code('''
from fractions import Fraction

from verifier.checker.load import load_json
from verifier.report.figures import centre

if MANIFEST.exists():
    names = {e["name"]: e for e in load_json(MANIFEST)["entries"]}
    if "h1-x2-pair" in names and "std-x2" in names:
        dn = load_json(MANIFEST.parent / names["h1-x2-pair"]["file"])
        ds = load_json(MANIFEST.parent / names["std-x2"]["file"])
        T = float(Fraction(dn["t_reached"]))
        display(plot_flow_comparison(problem, centre(dn["initial"]), T,
                                     bands_normalized=dn, bands_standard=ds))
    else:
        print("the pair is not in this manifest")'''),
]

# ------------------------------------------------------------------------------------------
BEYOND_H1 = [
    md("""
# 04 — Beyond the theorem: H ≥ 2

For `H ≥ 2` the paper proves nothing. This notebook shows

1. the **certified** `H = 2` and `H = 3` cases of `proofs_data/` (tube plots read
   from the certificate files);
2. a **search** for trajectories whose norm keeps growing: random initial values,
   reference simulations, and fits of the growth of `|θ(t)|` on the second half of the
   run (power law `|θ| ≈ C t^α` and linear `|θ| ≈ a + s t`). A positive exponent over a
   finite window is a *candidate* for unbounded growth, not evidence of it; such
   candidates are where certification (or a proof of the opposite) is worth trying.
"""),
    code(setup(third="from matplotlib.figure import Figure\n",
               first_party='''from verifier import Problem, simulate
from verifier.checker.load import load_json
from verifier.plotting.compare import parameter_norm
from verifier.plotting.tube import plot_tube
from verifier.report.tables import markdown_table
''')),
    md("## 1. Certified cases with H = 2 and H = 3"),
    code('''
entries = []
if MANIFEST.exists():
    manifest = load_json(MANIFEST)
    entries = [e for e in manifest["entries"] if e["inputs"].get("width", 1) >= 2]
    display(Markdown(markdown_table(dict(manifest, entries=entries))))
else:
    print("no manifest: run `verifier reproduce` first")'''),
    code('''
for e in entries[:2]:
    doc = load_json(MANIFEST.parent / e["file"])
    display(plot_tube(doc, title=f"{e['name']}: {e['description']} ({e['status']})"))'''),
    md("## 2. Searching for growing norms"),
    code('''
def growth_fit(t, norm):
    """Fits on the second half of the run: (alpha, slope) of log|θ| ~ α log t and |θ| ~ s t."""
    m = t >= 0.5 * t[-1]
    alpha = np.polyfit(np.log(t[m]), np.log(norm[m]), 1)[0]
    slope = np.polyfit(t[m], norm[m], 1)[0]
    return alpha, slope

rng = np.random.default_rng(2022)
T = 80
runs = []
for target in ["x**2", "sin(3*x)", "Abs(x - 1/3)"]:
    for H in (2, 3):
        p = Problem(target, width=H)
        for _ in range(2):
            y0 = np.concatenate([rng.uniform(-np.pi, np.pi, H), rng.normal(0, 2, H),
                                 rng.normal(0, 1, 1)])
            tr = simulate(p, y0, T, rtol=1e-8)
            norm = parameter_norm(tr)
            t_pos = tr.t > 0
            alpha, slope = growth_fit(tr.t[t_pos], norm[t_pos])
            runs.append(dict(target=target, H=H, y0=y0, traj=tr, norm=norm, alpha=alpha,
                             slope=slope))
runs.sort(key=lambda r: -r["alpha"])
lines = ["| target | H | max norm | final norm | alpha | slope | final L | status |",
         "|---|---:|---:|---:|---:|---:|---:|---|"]
for r in runs:
    lines.append(f"| {r['target']} | {r['H']} | {r['norm'].max():.3g} | {r['norm'][-1]:.3g} "
                 f"| {r['alpha']:.3f} | {r['slope']:.2e} | {r['traj'].risk[-1]:.3g} "
                 f"| {r['traj'].status.value} |")
display(Markdown("\\n".join(lines)))'''),
    code('''
fig = Figure(figsize=(12, 4), layout="constrained")
ax1, ax2 = fig.subplots(1, 2)
for r in runs[:4]:
    t, n = r["traj"].t, r["norm"]
    m = t > 0
    line, = ax1.loglog(t[m], n[m], lw=1, label=f"{r['target']}, H={r['H']}: α={r['alpha']:.3f}")
    h = t >= 0.5 * t[-1]
    c = np.exp(np.mean(np.log(n[h]) - r["alpha"] * np.log(t[h])))
    ax1.loglog(t[h], c * t[h] ** r["alpha"], ls=":", color=line.get_color())
    ax2.semilogy(t, r["traj"].risk, lw=1, color=line.get_color())
ax1.set(xlabel="t", ylabel="|θ(t)|", title="largest growth exponents (dotted: fits)")
ax2.set(xlabel="t", ylabel="L", title="risk")
ax1.legend(fontsize="x-small")
fig'''),
    md("""
The exponents are fitted over a finite window of a floating-point simulation. A
trajectory that keeps growing would show a stable positive `α` as `T` grows; the ones
found here with these small parameters settle (`α ≈ 0`), consistent with boundedness.
"""),
]

NOTEBOOKS = {
    "01-quickstart.ipynb": QUICKSTART,
    "02-theorem-h1.ipynb": THEOREM_H1,
    "03-standard-vs-normalized.ipynb": STANDARD_VS_NORMALIZED,
    "04-beyond-h1.ipynb": BEYOND_H1,
}


def build(name: str) -> nbformat.NotebookNode:
    """The notebook ``name`` (no outputs, no execution counts)."""
    nb = new_notebook(cells=NOTEBOOKS[name])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for k, cell in enumerate(nb.cells):
        cell["id"] = f"{Path(name).stem[:2]}-{k:02d}"
    return nb


def render(name: str) -> str:
    return nbformat.writes(build(name)) + "\n"


def main(argv: list[str] | None = None) -> int:
    for name in NOTEBOOKS:
        (HERE / name).write_text(render(name), encoding="utf-8")
        print(f"wrote {HERE / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
