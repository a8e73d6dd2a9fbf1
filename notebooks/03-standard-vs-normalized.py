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
# # 03 — The standard and the normalized flow from the same initial realization
#
# The normalized state `(φ, v, c)` and the standard state `(w, b, v, c) = (cos φ, sin φ, v, c)`
# define the same network function. From there the flows differ:
#
# * under the **standard** flow each `v_j² − w_j² − b_j²` is conserved, and a neuron's
#   `(w_j, b_j)` can approach `0`, where the flow is not regular;
# * under the **normalized** flow `w_j² + b_j² = 1` always.
#
# Boundedness of the standard flow is open even for `H = 1`.

# %%
# %matplotlib inline
from pathlib import Path

import numpy as np
from IPython.display import Markdown, display

from verifier import Problem, simulate
from verifier.plotting import (
    neuron_norms,
    normalized_to_standard,
    plot_flow_comparison,
    simulate_both,
    standard_invariants,
)

# the repository root: the first parent holding proofs_data/
ROOT = next((p for p in [Path.cwd(), *Path.cwd().parents] if (p / "proofs_data").is_dir()),
            Path.cwd())
MANIFEST = ROOT / "proofs_data" / "manifest.json"
print("proofs_data:", MANIFEST.parent, "(manifest present)" if MANIFEST.exists() else
      "(no manifest yet: run `verifier reproduce`)")

# %% [markdown]
# ## 1. One initial realization, both flows

# %%
problem = Problem("x**2")
y_norm = [float(np.arctan2(0.8, 0.6)), 0.5, 0.2]      # (w, b) = (3/5, 4/5)
print("standard initial state:", normalized_to_standard(y_norm, 1))
tn, ts = simulate_both(problem, y_norm, 30)
plot_flow_comparison(problem, y_norm, 30, trajectories=(tn, ts))

# %% [markdown]
# ## 2. The conserved quantities of the standard flow

# %%
inv = standard_invariants(ts)
drift = np.abs(inv - inv[0]).max()
print(f"v^2 - w^2 - b^2 = {inv[0, 0]:.12f} at t = 0; max drift over the run: {drift:.2e}")
assert drift < 1e-6

# %% [markdown]
# ## 3. Where does the standard flow approach `(w, b) = 0`?
#
# With `κ = v² − w² − b²` conserved, `|(w, b)|² = v² − κ`: for `κ < 0` it stays above
# `−κ > 0`, so the neuron never reaches the origin; for `κ ≥ 0` it reaches it exactly when
# `v²` comes down to `κ` (for the balanced case `κ = 0`, `|v| = |(w, b)|` shrink together).
# We start neurons with `|(w, b)| = r_0` and
# `v_0 ∈ {−r_0, r_0/2, 3r_0/2}` and record the smallest `|(w, b)|` along the run (reference
# simulations; a run stops with status `degenerate-neuron` when `|(w, b)| < 1e-12`).

# %%
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
display(Markdown("\n".join(lines)))

# %%
from matplotlib.figure import Figure

fig = Figure(figsize=(6.4, 4), layout="constrained")
ax = fig.subplots()
for label, tr, r in shrinking:
    ax.semilogy(tr.t, r, label=label)
ax.set(xlabel="t", ylabel="|(w, b)|", title="standard flow, κ = 0: neuron norms over time")
ax.legend(fontsize="small")
fig

# %% [markdown]
# ## 4. Certified: the pair in `proofs_data/`
#
# `h1-x2-pair` (normalized, `φ` in a box of width `1e-14` around `atan(4/3)`) and
# `std-x2` (standard, `(w, b) = (3/5, 4/5)`) start from the same realization; their
# certified tubes are drawn as bands.

# %%
from fractions import Fraction

from verifier import Certificate
from verifier.report import centre, load_manifest

if MANIFEST.exists():
    names = {e["name"]: e for e in load_manifest(MANIFEST)["entries"]}
    if "h1-x2-pair" in names and "std-x2" in names:
        cn = Certificate.load(MANIFEST.parent / names["h1-x2-pair"]["file"])
        cs = Certificate.load(MANIFEST.parent / names["std-x2"]["file"])
        T = float(Fraction(cn.data["t_reached"]))
        display(plot_flow_comparison(problem, centre(cn.data["initial"]), T,
                                     bands_normalized=cn, bands_standard=cs))
    else:
        print("the pair is not in this manifest")
