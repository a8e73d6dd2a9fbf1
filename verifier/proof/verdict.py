"""Verdicts: what a proof returns, and the one exception that carries a failed hypothesis.

A check that proves one statement returns a :data:`Verdict`: :data:`PROVEN`, or
:class:`NotProven` with a one-line reason. Inside a longer proof a hypothesis that is not
established raises :class:`Rejected` (``verdict.require()``, :func:`require`), and the
proof's boundary turns it back into a :class:`NotProven` (:func:`verdict_of`). A verdict
has no truth value: ``if verdict:`` raises, so that "not proven" can never be read as
"proven" by accident; ask ``verdict.ok``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar


class Rejected(Exception):
    """A claim or hypothesis that is not established; the message is one line naming the
    first failing item."""


class _Verdict:
    ok: ClassVar[bool]
    reason: str

    def __bool__(self) -> bool:
        raise TypeError("a verdict has no truth value: use verdict.ok")

    def require(self, prefix: str = "") -> None:
        """Raise :class:`Rejected` (``prefix`` + the reason) unless proven."""
        if not self.ok:
            raise Rejected(prefix + self.reason)


@dataclass(frozen=True)
class Proven(_Verdict):
    """The statement holds: every hypothesis was established in ball arithmetic."""

    ok: ClassVar[bool] = True
    reason: str = ""


@dataclass(frozen=True)
class NotProven(_Verdict):
    """The statement was not established (it may still be true): ``reason`` says what
    failed."""

    reason: str
    ok: ClassVar[bool] = False


Verdict = Proven | NotProven
PROVEN = Proven()


def require(condition: bool, reason: str) -> None:
    """Raise :class:`Rejected` with ``reason`` unless ``condition`` (a certain answer)."""
    if not condition:
        raise Rejected(reason)


def verdict_of(proof: Callable[..., Any], *args: Any, **kwargs: Any) -> Verdict:
    """Run a proof that raises :class:`Rejected` on a failed hypothesis: its verdict."""
    try:
        proof(*args, **kwargs)
    except Rejected as e:
        return NotProven(str(e))
    return PROVEN
