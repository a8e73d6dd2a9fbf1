"""Progress of long runs on stderr, in a terminal and outside one.

In a terminal a tqdm bar; otherwise (a CI log, a cluster job's output file) one line
every :func:`period` seconds with the fraction done, the elapsed time and an estimate
of the time left::

    verifier certify: 42.0% (t = 8.4 of 20), 1m02s elapsed, ETA 1m25s

The estimate assumes the rest goes at the average speed so far (floats: a guess for
people, like every time printed here). The period is ``VERIFIER_PROGRESS_SECONDS``
(default 30; ``0`` prints at every update).
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any, TextIO

#: Environment variable: seconds between two log lines outside a terminal.
PERIOD_ENV = "VERIFIER_PROGRESS_SECONDS"
DEFAULT_PERIOD = 30.0


def period() -> float:
    """The seconds between log lines (:data:`PERIOD_ENV`, default 30)."""
    text = os.environ.get(PERIOD_ENV, "")
    try:
        value = float(text) if text.strip() else DEFAULT_PERIOD
    except ValueError:
        raise ValueError(f"{PERIOD_ENV} must be a number of seconds, got {text!r}") from None
    if not value >= 0:
        raise ValueError(f"{PERIOD_ENV} must be >= 0, got {text!r}")
    return value


def clock(seconds: float) -> str:
    """``1h02m03s``, ``2m05s``, ``7.3s``."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    m, s = divmod(int(round(seconds)), 60)
    h, m = divmod(m, 60)
    return f"{h}h{m:02d}m{s:02d}s" if h else f"{m}m{s:02d}s"


class Progress:
    """``progress(done, total)`` reports that ``done`` of ``total`` units are done (module
    docstring); ``label`` formats the amounts (``"t = {done:.4g} of {total:.4g}"``)."""

    def __init__(self, what: str, total: float = 0.0, *, unit: str = "",
                 label: str = "{done:.4g} of {total:.4g}", stream: TextIO | None = None,
                 enabled: bool = True) -> None:
        self.what = what
        self.total = float(total)
        self.label = label
        self.stream = sys.stderr if stream is None else stream
        self.enabled = enabled
        self.start = time.monotonic()
        self.last = self.start
        self.period = period()
        self.bar: Any = None
        if enabled and self.stream.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=self.total, unit=unit or "it", file=self.stream,
                            leave=False, desc=what)

    def __call__(self, done: float, total: float | None = None, note: str = "") -> None:
        if not self.enabled:
            return
        if total is not None:
            self.total = float(total)
        if self.bar is not None:
            self.bar.total = self.total
            if note:
                self.bar.set_postfix_str(note, refresh=False)
            self.bar.update(float(done) - self.bar.n)
            return
        now = time.monotonic()
        if now - self.last < self.period:
            return
        self.last = now
        self.stream.write(self.line(float(done), now - self.start, note) + "\n")
        self.stream.flush()

    def line(self, done: float, elapsed: float, note: str = "") -> str:
        """One log line: fraction done, amounts, elapsed time, ETA."""
        total = self.total
        fraction = done / total if total > 0 else 0.0
        eta = (f"ETA {clock(elapsed * (total - done) / done)}" if 0 < done < total
               else "ETA unknown" if done <= 0 else "done")
        amounts = self.label.format(done=done, total=total)
        extra = f", {note}" if note else ""
        return (f"{self.what}: {100 * fraction:.1f}% ({amounts}){extra}, "
                f"{clock(elapsed)} elapsed, {eta}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def time_progress(what: str, horizon: Any) -> Progress:
    """The progress of an integration to ``horizon``, reported by the time reached."""
    return Progress(what, float(horizon), unit="t", label="t = {done:.4g} of {total:.4g}")
