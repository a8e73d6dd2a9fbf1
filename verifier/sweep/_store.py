"""The results file: JSON lines, streamed as boxes finish, resumable.

Line 1 is the header ``{"format": "ngf-sweep/1", "kind": "header", "config": {...},
"config_hash": "<sha256>", "generator": {...}}``. Then, in completion order while the
sweep runs, one line per certified node:

* ``{"kind": "split", "node", "box", "status", "reason", "t_reached", "bounds",
  "axis"}``: the node's box was certified, its status asked for a
  bisection along ``axis``; its two children follow somewhere later;
* ``{"kind": "leaf", "node", "box", "fraction", "status", "reason", "t_reached",
  "bounds", "error", "argument"}``: a leaf with its exact volume fraction
  of the root box and the argument that closed it (what ``verifier check``
  re-verifies): ``{"kind": "regime-cover", ...}``, a regime cover of the box
  (:mod:`verifier.proof.regimes.spec`; status ``bounded-forever``, ``t_reached`` null), or
  ``{"kind": "tube", "certificate": {...}, "cover_error": ...}``, the box's full
  certificate and the one-line reason why no regime cover closed it (null when none
  was tried). Files written before region arguments have ``certificate`` in place of
  ``argument``: tube leaves (:func:`leaf_argument`, :func:`leaf_certificate`);

and at the end ``{"kind": "summary", ...}`` (:mod:`verifier.sweep._summary`).
Boxes are lists with ``[lo, hi]`` exact strings per free coordinate and one exact
string per fixed coordinate, exactly as in the certificate's ``initial``.

Every line is written with one ``write`` and flushed to disk (``fsync``) before the
next task result is taken, so a killed sweep loses at most the line being written;
:func:`read_sweep` with ``repair=True`` cuts such a partial last line off.

When the sweep is complete, :func:`write_canonical` replaces the file (atomically) by its
canonical form: the header, the records sorted by node, the summary. A finished sweep is
therefore the same bytes whatever the order in which boxes finished, the number of
workers or the speed of the machine: run times are not in the file (the run keeps them in
:attr:`SweepResult.seconds`; files written before this have a ``seconds`` field per
record, which the checker ignores).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verifier.files import DEFAULT_LIMIT as MAX_SWEEP_BYTES
from verifier.files import FileError, decode_text, read_bytes
from verifier.sweep._config import FORMAT, SweepConfig, config_digest
from verifier.sweep._leaf import leaf_argument, leaf_certificate  # noqa: F401 (re-exported)


class SweepFileError(ValueError):
    """The file is not a sweep file of this format (one-line message)."""


def dumps(record: dict) -> bytes:
    """One record as a JSON line (compact, ASCII, newline-terminated)."""
    return (json.dumps(record, separators=(",", ":"), ensure_ascii=True) + "\n").encode()


def header(config: SweepConfig) -> dict:
    import flint

    from verifier.version import __version__

    return {"format": FORMAT, "kind": "header", "config": config.to_dict(),
            "config_hash": config.digest,
            "generator": {"package": "ngf-verifier", "version": __version__,
                          "python-flint": flint.__version__}}


class Writer:
    """Appends records to the results file, one durable line at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def write(self, record: dict) -> None:
        data = memoryview(dumps(record))
        while data:
            n = os.write(self._fd, data)
            data = data[n:]
        os.fsync(self._fd)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


@dataclass
class SweepResult:
    """A sweep file read back: the config, split and leaf records, the summary.

    The *result* of a sweep is the set of its leaves (each with box, status,
    ``t_reached`` and bounds) and the summary computed from them: :meth:`outcome`
    returns it in a canonical order, independent of the order in which boxes
    finished and of timings."""

    path: Path | None
    config: SweepConfig
    header: dict
    splits: dict[str, dict] = field(default_factory=dict)
    leaves: dict[str, dict] = field(default_factory=dict)
    summary: dict | None = None
    #: Seconds each node certified by this run took (not in the file).
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return self.summary is not None

    def pending(self) -> list[str]:
        """Nodes still to certify: children of splits without a record (the root
        when nothing is recorded), sorted."""
        if not self.splits and not self.leaves:
            return ["R"]
        done = self.splits.keys() | self.leaves.keys()
        out = []
        region = self.config.region
        for node, rec in self.splits.items():
            axis = region.names.index(rec["axis"])
            out.extend(ch for ch in region.children(node, axis) if ch not in done)
        return sorted(out)

    def outcome(self) -> tuple[list[tuple], dict | None]:
        """``(leaves, summary)``: per leaf ``(node, box, status, t_reached, bounds,
        argument)`` sorted by node, and the summary (without the timing fields)."""
        rows = [(n, json.dumps(r["box"]), r["status"], r["t_reached"],
                 json.dumps(r["bounds"], sort_keys=True), leaf_argument(r))
                for n, r in sorted(self.leaves.items())]
        summ = None
        if self.summary is not None:
            summ = {k: v for k, v in self.summary.items() if k not in ("seconds",)}
        return rows, summ

    @property
    def statement(self) -> str:
        return "" if self.summary is None else self.summary["text"]

    def to_dataframe(self) -> Any:
        """The leaves as a pandas DataFrame, one row per leaf, floats rounded outward
        (:mod:`verifier.sweep._frame`; needs the ``pandas`` extra)."""
        from verifier.sweep._frame import to_dataframe

        return to_dataframe(self)

    def fractions(self) -> dict[str, str]:
        return {} if self.summary is None else dict(self.summary["fractions"])


def write_canonical(path: Path, state: SweepResult) -> None:
    """Replace the finished sweep's file by its canonical form (module docstring): header,
    split and leaf records sorted by node without run times, summary; written to a
    temporary file, flushed, then renamed over ``path``."""
    if state.summary is None:
        raise ValueError("only a finished sweep has a canonical form")
    records = sorted([*state.splits.values(), *state.leaves.values()], key=lambda r: r["node"])
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "wb") as fh:
        fh.write(dumps(state.header))
        for rec in records:
            fh.write(dumps({k: v for k, v in rec.items() if k != "seconds"}))
        fh.write(dumps(state.summary))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def read_sweep(path: str | Path, repair: bool = False) -> SweepResult:
    """Read a results file (not a check: use :func:`verifier.checker.sweep.check_sweep_file`).

    ``repair=True`` truncates a partial last line (a sweep killed while writing),
    which the resumed sweep then recomputes."""
    path = Path(path)
    try:
        raw = read_bytes(path, MAX_SWEEP_BYTES, "sweep file")
        if raw.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
            decode_text(raw[:4], f"sweep file {path}")  # refuses: UTF-8 without BOM expected
    except FileError as e:
        raise SweepFileError(str(e)) from None
    lines = raw.split(b"\n")
    tail = lines.pop()  # b"" when the file ends with a newline
    records = []
    for k, line in enumerate(lines):
        try:
            records.append(json.loads(line))
        except (ValueError, UnicodeDecodeError, RecursionError):
            if k == len(lines) - 1 and not tail and repair:
                tail = line  # a partial line that happens to end in a newline byte
                lines.pop()
                break
            raise SweepFileError(f"{path}: line {k + 1} is not valid JSON") from None
    if tail:
        if not repair:
            raise SweepFileError(f"{path}: the last line is incomplete (resume the sweep)")
        keep = sum(len(x) + 1 for x in lines)
        with open(path, "r+b") as f:
            f.truncate(keep)
    if not records:
        raise SweepFileError(f"{path}: no header line")
    head = records[0]
    if not isinstance(head, dict) or head.get("format") != FORMAT or head.get("kind") != "header":
        raise SweepFileError(f"{path}: not a sweep file (no {FORMAT} header)")
    config = SweepConfig.from_dict(head["config"])
    if config_digest(head["config"]) != head.get("config_hash"):
        raise SweepFileError(f"{path}: the header's config_hash does not match its config")
    result = SweepResult(path=path, config=config, header=head)
    for k, rec in enumerate(records[1:], start=2):
        kind = rec.get("kind") if isinstance(rec, dict) else None
        if kind in ("split", "leaf"):
            node = rec.get("node")
            if node in result.splits or node in result.leaves:
                raise SweepFileError(f"{path}: line {k}: node {node} appears twice")
            (result.splits if kind == "split" else result.leaves)[node] = rec
        elif kind == "summary":
            if result.summary is not None:
                raise SweepFileError(f"{path}: two summary lines")
            result.summary = rec
        else:
            raise SweepFileError(f"{path}: line {k}: unknown record kind {kind!r}")
    return result
