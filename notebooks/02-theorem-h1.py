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
# # 02 — Evidence for the theorem (H = 1)
#
# **Theorem (Eberle, Jentzen, Riekert, Weiss 2022).** For `H = 1` and every Lipschitz
# target, every trajectory of the normalized gradient flow is bounded.
#
# This notebook collects evidence on six targets and several initial values:
#
# 1. the **certified** cases in `proofs_data/` (rigorous, re-checkable: the table is read
#    from the manifest, whose hashes are checked against the files);
# 2. a fresh **certificate** for a small box of initial values;
# 3. **reference simulations** (floating point, not proofs) from random initial values:
#    `max_t |v(t)|` and `max_t |c(t)|` stay of the order of the initial values and the
#    risk decreases.

# %%
# %matplotlib inline
from pathlib import Path

import numpy as np
from IPython.display import Markdown, display

from verifier import Problem, certify, simulate
from verifier.report import LABELS, TARGETS, load_manifest, markdown_table, verify_manifest

# the repository root: the first parent holding proofs_data/
ROOT = next((p for p in [Path.cwd(), *Path.cwd().parents] if (p / "proofs_data").is_dir()),
            Path.cwd())
MANIFEST = ROOT / "proofs_data" / "manifest.json"
print("proofs_data:", MANIFEST.parent, "(manifest present)" if MANIFEST.exists() else
      "(no manifest yet: run `verifier reproduce`)")

# %% [markdown]
# ## 1. Certified cases (proofs_data)

# %%
if MANIFEST.exists():
    manifest = load_manifest(MANIFEST)
    problems = verify_manifest(MANIFEST)
    print("manifest matches the files" if not problems else "\n".join(problems))
    h1 = dict(manifest, entries=[e for e in manifest["entries"] if e["group"] == "H=1"])
    display(Markdown(markdown_table(h1)))
else:
    print("no manifest: run `verifier reproduce` first")

# %% [markdown]
# `bounded-forever` rows are complete proofs of the theorem's conclusion for that initial
# value (with explicit bounds); `bounded-on-horizon` rows prove the bounds on `[0, T]` —
# the infinite-horizon argument could not be closed there (typically the trajectory
# approaches a degenerate minimum, where the sublevel set is not bounded in a box).

# %% [markdown]
# ## 2. A box of initial values, certified now

# %%
sin3 = Problem(TARGETS["sin"])
box = [("0.299", "0.301"), ("0.699", "0.701"), ("-0.101", "-0.099")]
cert_box = certify(sin3, box, horizon=4, trap_budget=5)
print(cert_box.summary())
widths = [float(hi) - float(lo) for lo, hi in cert_box.data["final_enclosure"]]
print("widths of the enclosure at T:", np.round(widths, 5))

# %% [markdown]
# ## 3. Reference simulations from random initial values

# %%
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
display(Markdown("\n".join(lines)))

# %%
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
fig

# %% [markdown]
# The simulations are floating point and only suggest the behaviour; the certified rows of
# section 1 and the box of section 2 are the proofs.
