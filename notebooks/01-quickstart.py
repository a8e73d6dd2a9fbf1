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
# # 01 — Quickstart: define, derive, simulate, certify, check, plot
#
# A shallow ReLU network with one input, `H` hidden neurons and one output,
# `N(x) = c + Σ_j v_j max(w_j x + b_j, 0)`, is trained on `[a, b]` by the gradient flow of
# the risk `L = ∫ (N − f)² p dx`. The **normalized** flow keeps `w_j² + b_j² = 1`
# (state `(φ_j, v_j, c)`, `(w_j, b_j) = (cos φ_j, sin φ_j)`).
#
# This notebook walks through the toolkit on `f(x) = x³ − x`, `H = 1`:
#
# 1. **define** the problem (`Problem`, shown as an HTML table);
# 2. **derive** the closed-form risk on each switching region (SymPy);
# 3. **simulate** a reference trajectory (floating point, *not* a proof);
# 4. **certify** boundedness with rigorous ball arithmetic (a `Certificate`);
# 5. **check** the certificate file independently of the integrator;
# 6. **plot** the certified tube against the reference simulation.

# %%
# %matplotlib inline
import tempfile
from pathlib import Path

import numpy as np
from IPython.display import display

from verifier import Problem, certify, check, simulate

# the repository root: the first parent holding proofs_data/
ROOT = next((p for p in [Path.cwd(), *Path.cwd().parents] if (p / "proofs_data").is_dir()),
            Path.cwd())
MANIFEST = ROOT / "proofs_data" / "manifest.json"
print("proofs_data:", MANIFEST.parent, "(manifest present)" if MANIFEST.exists() else
      "(no manifest yet: run `verifier reproduce`)")

# %% [markdown]
# ## 1. Define

# %%
problem = Problem(target="x**3 - x", domain=("0", "1"), density=None, width=1)
problem

# %%
print(problem.describe())
display(problem, include=["text/latex"])  # the risk functional

# %% [markdown]
# ## 2. Derive
#
# The risk is a polynomial in `cos φ, sin φ, v, c` and the moments of `f` and `p` on
# each *switching region* (which part of `[0, 1]` the neuron is active on). Here are the
# regions and the risk on the first two (the same as `verifier derive --target ...`).

# %%
from verifier.symbolic import explicit_regions

symbols, regions = explicit_regions(problem)
print(f"state {symbols}: {len(regions)} switching regions of positive measure")
for r in regions[:2]:
    print("region:", r.conditions)  # only the binding condition of each kink
    print("   L =", r.risk)

# %% [markdown]
# ## 3. Simulate (floating point, not rigorous)
#
# `simulate` integrates the flow with DOP853 and restarts at every switching event. The
# neuron is active on `[0, −tan φ]`; its kink moves from `0.747` towards `0.33` while the
# risk drops.

# %%
y0 = np.array([2.5, 1.0, 0.0])        # (phi_1, v_1, c): active on [0, 0.747]
traj = simulate(problem, y0, horizon=20)
print(traj.summary())
traj.plot()

# %% [markdown]
# ## 4. Certify
#
# `certify` encloses every solution from the initial point (or box) in ball arithmetic up
# to `T`, then looks for an argument for all later times (a dead neuron is frozen
# forever; a sublevel set of `L` trapped in a box). The initial values are exact decimal
# strings. Status `bounded-forever` means: `|v_1(t)| ≤ R_v`, `|c(t)| ≤ R_c` for every
# `t ≥ 0`.

# %%
cert = certify(problem, ["2.5", "1", "0"], horizon=20)
cert

# %%
print(cert.summary())
cert.tube   # the validated tube: status and enclosure at T

# %% [markdown]
# ## 5. Check
#
# The checker re-proves every step and claim from the file alone (it shares no step
# control or search with the integrator); `verifier check FILE` does the same on the
# command line.

# %%
path = Path(tempfile.mkdtemp()) / "cubic.json"
cert.save(path)
result = check(path)
print(f"{path.name}: {result} ({result.steps} steps, {path.stat().st_size / 1024:.0f} KiB)")
assert result.ok

# %% [markdown]
# ## 6. Plot
#
# Shaded: the certified enclosure (a priori box of every step: every trajectory from the
# initial set lies inside). Dashed: the reference simulation, which must stay inside.

# %%
cert.plot("tube", reference=traj)

# %%
cert.plot("realization", reference=traj)

# %%
cert.plot("risk", reference=traj)
