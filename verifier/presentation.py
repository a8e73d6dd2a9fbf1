"""Presentation of core objects (Jupyter's rich display, figures) without the core
importing the layers that present them.

A core class (:class:`verifier.Problem`, :class:`verifier.integrate.Tube`,
:class:`verifier.simulate.Trajectory`, :class:`verifier.certificates.certificate.Certificate`)
asks this registry for its presenter: ``_repr_html_`` is ``present(self, "html")``, ``plot``
is ``present(self, "plot", ...)``. The presenters live above the core
(:mod:`verifier.report.display` for ``"html"`` and ``"latex"``, :mod:`verifier.plotting`
for ``"plot"``) and register themselves when they are imported (:func:`register`); the
top-level package :mod:`verifier`, which sits above every layer and runs before any of
its modules, adds the loaders that import them on first use (:func:`add_loader`). So the
core never imports ``report`` or ``plotting``, and importing the checker imports neither
(docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_PRESENTERS: dict[tuple[type, str], Callable[..., Any]] = {}
_LOADERS: dict[str, list[Callable[[], None]]] = {}


def register(cls: type, kind: str, presenter: Callable[..., Any]) -> None:
    """Present instances of ``cls`` (and its subclasses) as ``kind`` with
    ``presenter(obj, *args, **kwargs)``."""
    _PRESENTERS[(cls, kind)] = presenter


def add_loader(kind: str, loader: Callable[[], None]) -> None:
    """Run ``loader`` (which imports presenters of ``kind``) the first time a presenter
    of ``kind`` is asked for and none is registered."""
    _LOADERS.setdefault(kind, []).append(loader)


def presenter(obj: Any, kind: str) -> Callable[..., Any] | None:
    """The presenter of ``obj`` as ``kind`` (loading the registered loaders of ``kind``
    once), or None."""
    for _ in range(2):
        for cls in type(obj).__mro__:
            found = _PRESENTERS.get((cls, kind))
            if found is not None:
                return found
        loaders = _LOADERS.pop(kind, [])
        if not loaders:
            return None
        for load in loaders:
            load()
    return None


def present(obj: Any, kind: str, *args: Any, **kwargs: Any) -> Any:
    """``obj`` presented as ``kind`` (``"html"``, ``"latex"``, ``"plot"``)."""
    found = presenter(obj, kind)
    if found is None:
        raise LookupError(f"nothing presents a {type(obj).__name__} as {kind!r} "
                          "(import verifier.report.display or verifier.plotting)")
    return found(obj, *args, **kwargs)
