# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 04 — Beyond the theorem: H ≥ 2
#
# For `H ≥ 2` the paper proves nothing. This notebook shows
#
# 1. the **certified** `H = 2` and `H = 3` cases of `proofs_data/` (tube plots read
#    from the certificate files);
# 2. a **search** for trajectories whose norm keeps growing: random initial values,
#    reference simulations, and fits of the growth of `|θ(t)|` on the second half of the
#    run (power law `|θ| ≈ C t^α` and linear `|θ| ≈ a + s t`). A positive exponent over a
#    finite window is a *candidate* for unbounded growth, not evidence of it; such
#    candidates are where certification (or a proof of the opposite) is worth trying.

# %%
# %matplotlib inline
from pathlib import Path

import numpy as np
from IPython.display import Markdown, display
from matplotlib.figure import Figure

from verifier import Certificate, Problem, simulate
from verifier.plotting import parameter_norm
from verifier.report import load_manifest, markdown_table

# the repository root: the first parent holding proofs_data/
ROOT = next((p for p in [Path.cwd(), *Path.cwd().parents] if (p / "proofs_data").is_dir()),
            Path.cwd())
MANIFEST = ROOT / "proofs_data" / "manifest.json"
print("proofs_data:", MANIFEST.parent, "(manifest present)" if MANIFEST.exists() else
      "(no manifest yet: run `verifier reproduce`)")

# %% [markdown]
# ## 1. Certified cases with H = 2 and H = 3

# %%
entries = []
if MANIFEST.exists():
    manifest = load_manifest(MANIFEST)
    entries = [e for e in manifest["entries"] if e["inputs"].get("width", 1) >= 2]
    display(Markdown(markdown_table(dict(manifest, entries=entries))))
else:
    print("no manifest: run `verifier reproduce` first")

# %%
for e in entries[:2]:
    cert = Certificate.load(MANIFEST.parent / e["file"])
    display(cert.plot(title=f"{e['name']}: {e['description']} ({e['status']})"))


# %% [markdown]
# ## 2. Searching for growing norms

# %%
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
display(Markdown("\n".join(lines)))

# %%
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
fig

# %% [markdown]
# The exponents are fitted over a finite window of a floating-point simulation. A
# trajectory that keeps growing would show a stable positive `α` as `T` grows; the ones
# found here with these small parameters settle (`α ≈ 0`), consistent with boundedness.
