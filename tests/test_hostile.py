"""Hostile inputs to every verb: one line, a non-zero exit, no hang, no traceback.

The inputs: a FIFO without a writer, a symbolic link to ``/dev/zero``, a directory, a
certificate with 10^6 steps, a step of order 10^4, the horizon ``1e999``, ``NaN`` and
``Infinity`` (as JSON literals and as text), 100 000 levels of nesting (JSON and
expression text), a UTF-8 byte-order mark and UTF-16. Each verb gets those that fit
what it reads (files, expression text, numbers). The quick test runs a representative
part in this process; ``--runslow`` runs every case as ``python -m verifier`` in its own
process, with a hang detector (:data:`HANG_SECONDS`, not a benchmark).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from verifier.cli import main

ROOT = Path(__file__).resolve().parent.parent
CERT = ROOT / "proofs_data" / "h1-abs.json"
HANG_SECONDS = 60.0  # a hang detector, not a benchmark
#: 100 000 levels of nesting; a command-line argument holds at most 128 KiB (Linux), so
#: the other process gets 60 000 levels.
DEEP_LEVELS = {"here": 100_000, "process": 60_000}


def _files(tmp: Path) -> dict[str, Path]:
    """Every hostile file, built in ``tmp``."""
    doc = json.loads(CERT.read_text())
    text = json.dumps(doc, separators=(",", ":"))
    out: dict[str, Path] = {}

    def put(file: str, data: bytes) -> None:
        key = file.rsplit(".", 1)[0]
        out[key] = tmp / file
        out[key].write_bytes(data)

    os.mkfifo(tmp / "fifo")
    out["fifo"] = tmp / "fifo"
    (tmp / "zero.json").symlink_to("/dev/zero")
    out["zero"] = tmp / "zero.json"
    (tmp / "dir").mkdir()
    out["dir"] = tmp / "dir"
    put("bom.json", b"\xef\xbb\xbf" + text.encode())
    put("utf16.json", text.encode("utf-16"))
    assert '"prec":53' in text
    put("nan.json", text.replace('"prec":53', '"prec":NaN').encode())
    put("infinity.json", text.replace('"prec":53', '"prec":Infinity').encode())
    put("deep.json", b"[" * 100_000 + b"]" * 100_000)
    steps = dict(doc, steps=[{}] * 10**6)
    put("steps.json", json.dumps(steps).encode())
    order = json.loads(text)
    order["steps"][0]["order"] = 10**4
    put("order.json", json.dumps(order).encode())
    horizon = dict(doc, horizon="1e999")
    put("horizon.json", json.dumps(horizon).encode())
    put("manifest-nan.json", b'{"format": "ngf-manifest/1", "entries": [NaN]}')
    put("sweep-deep.jsonl", b"[" * 100_000 + b"]" * 100_000 + b"\n")
    put("sweep-bom.jsonl", b"\xef\xbb\xbf" + (ROOT / "proofs_data" / "sweep-h1-x2.jsonl")
        .read_bytes())
    return out


def _cases(f: dict[str, Path], tmp: Path, levels: int) -> list[tuple[str, list[str]]]:
    """``(label, argv)`` for every verb and every hostile input it reads (expression text
    nested ``levels`` deep)."""
    deep_text = "(" * levels + "x" + ")" * levels
    rep = str(tmp / "report")
    cases: list[tuple[str, list[str]]] = []
    for name in ("fifo", "zero", "dir", "bom", "utf16", "nan", "infinity", "deep", "steps",
                 "order", "horizon"):
        cases.append((f"check {name}", ["check", str(f[name])]))
    for name in ("fifo", "zero", "dir", "bom", "utf16", "manifest-nan", "deep"):
        cases.append((f"report {name}", ["report", "--manifest", str(f[name]), "--out", rep,
                                         "--no-figures"]))
        cases.append((f"reproduce {name}", ["reproduce", "--from-manifest", str(f[name]),
                                            "--out", rep]))
    for name in ("fifo", "zero", "dir", "utf16", "sweep-deep", "sweep-bom"):
        cases.append((f"sweep --resume {name}", ["sweep", "--resume", "--out", str(f[name])]))
    problem = ["--target", "x**2"]
    required = {
        "derive": [], "simulate": ["--init", "0.6,0.5,0.2", "--horizon", "1"],
        "integrate": ["--init", "0.6,0.5,0.2", "--horizon", "1"],
        "certify": ["--init", "0.6,0.5,0.2", "--horizon", "1", "--out", str(tmp / "c.json")],
        "sweep": ["--out", str(tmp / "t.jsonl"), "--scheduler", "synchronous"],
    }
    for verb, rest in required.items():
        cases.append((f"{verb} deep target", [verb, "--target", deep_text, *rest]))
        cases.append((f"{verb} BOM target", [verb, "--target", "\ufeffx**2", *rest]))
        cases.append((f"{verb} NaN target", [verb, "--target", "x*NaN", *rest]))
    cases += [
        ("derive domain 1e999", ["derive", *problem, "--domain", "0,1e999"]),
        ("derive domain nan", ["derive", *problem, "--domain", "nan,1"]),
        ("derive width 1e4", ["derive", *problem, "--width", "10000"]),
        ("derive density BOM", ["derive", *problem, "--density", "\ufeff2*x"]),
    ]
    out = str(tmp / "out.json")
    init = ["--init", "0.6,0.5,0.2"]
    for verb in ("simulate", "integrate", "certify"):
        extra = ["--out", out] if verb == "certify" else []
        for h in ("1e999", "nan", "NaN", "Infinity", "-1"):
            cases.append((f"{verb} horizon {h}", [verb, *problem, *init, "--horizon", h,
                                                  *extra]))
        for init_text in ("nan,0.5,0.2", "Infinity,0.5,0.2", "1e999,0.5,0.2"):
            cases.append((f"{verb} init {init_text}", [verb, *problem, "--init", init_text,
                                                       "--horizon", "1", *extra]))
    for verb in ("integrate", "certify"):
        extra = ["--out", out] if verb == "certify" else []
        cases += [
            (f"{verb} order 1e4", [verb, *problem, *init, "--horizon", "1", "--order", "10000",
                                   *extra]),
            (f"{verb} prec 1e6", [verb, *problem, *init, "--horizon", "1", "--prec", "1000000",
                                  *extra]),
            (f"{verb} box 1e999", [verb, *problem, "--init-box", "0:1e999,0.5,0.2",
                                   "--horizon", "1", *extra]),
        ]
    for name in ("fifo", "zero", "dir"):
        cases.append((f"certify --out {name}", ["certify", *problem, *init, "--horizon", "1",
                                                "--out", str(f[name])]))
        cases.append((f"simulate --csv {name}", ["simulate", *problem, *init, "--horizon", "1",
                                                 "--csv", str(f[name])]))
    sweep = ["sweep", *problem, "--out", str(tmp / "s.jsonl"), "--scheduler", "synchronous"]
    cases += [
        ("sweep range 1e999", [*sweep, "--range", "phi=0:1e999"]),
        ("sweep range nan", [*sweep, "--range", "phi=nan:1"]),
        ("sweep horizon 1e999", [*sweep, "--horizon", "1e999"]),
        ("sweep horizon Infinity", [*sweep, "--horizon", "Infinity"]),
        ("sweep digits 1e6", [*sweep, "--digits", "1000000", "--range", "phi=0:pi"]),
        ("sweep min-size nan", [*sweep, "--min-size", "nan"]),
        ("sweep --out fifo", ["sweep", *problem, "--out", str(f["fifo"])]),
        ("sweep --out zero", ["sweep", *problem, "--out", str(f["zero"])]),
        ("sweep --out dir", ["sweep", *problem, "--out", str(f["dir"])]),
        ("reproduce --compare fifo", ["reproduce", "--only", "h1-abs", "--compare",
                                      str(f["fifo"]), "--out", rep]),
    ]
    return cases


#: The part run in this process by the quick test.
QUICK = {
    "check fifo", "check zero", "check dir", "check utf16", "check steps", "check order",
    "check horizon", "check nan", "check deep", "report fifo", "reproduce zero",
    "sweep --resume fifo", "derive deep target", "certify BOM target",
    "integrate horizon 1e999", "certify horizon nan", "simulate horizon Infinity",
    "simulate init nan,0.5,0.2", "certify --out zero", "simulate --csv fifo",
    "sweep range 1e999", "sweep digits 1e6", "integrate order 1e4",
}


def _one_line(text: str) -> bool:
    lines = [line for line in text.splitlines() if line.strip()]
    return len(lines) == 1 and "Traceback" not in text


def test_hostile_inputs_in_process(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    f = _files(tmp_path)
    cases = dict(_cases(f, tmp_path, DEEP_LEVELS["here"]))
    assert QUICK <= set(cases)
    for label in sorted(QUICK):
        try:
            code = main(cases[label])
        except SystemExit as e:  # argparse's own one-line errors
            code = e.code
        captured = capsys.readouterr()
        text = captured.out + captured.err
        assert code != 0, (label, text)
        assert _one_line(text), (label, text)


@pytest.mark.slow
def test_hostile_inputs_every_verb(tmp_path: Path) -> None:
    import time

    f = _files(tmp_path)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    verbs = set()
    slowest = (0.0, "")
    for label, argv in _cases(f, tmp_path, DEEP_LEVELS["process"]):
        start = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "verifier", *argv], capture_output=True,
                           text=True, timeout=HANG_SECONDS, env=env, cwd=tmp_path)
        seconds = time.perf_counter() - start
        slowest = max(slowest, (seconds, label))
        assert r.returncode != 0, (label, r.stdout, r.stderr)
        assert _one_line(r.stdout + r.stderr), (label, r.stdout, r.stderr)
        verbs.add(argv[0])
    assert verbs == {"derive", "simulate", "integrate", "certify", "check", "sweep",
                     "reproduce", "report"}
    print(f"slowest hostile case: {slowest[1]} ({slowest[0]:.1f} s)")
