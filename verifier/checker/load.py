"""Reading untrusted certificate files: size limit, strict JSON, the shipped schema.

Nothing in a file is executed: JSON is parsed by the standard library with
``NaN``/``Infinity`` and duplicate keys refused, the document is validated
against ``certificate.schema.json`` (shipped in the package), and numbers are
decoded by :mod:`verifier.arith.exact` and :func:`parse_rational` (patterns
checked before any arithmetic). Every failure is a :class:`LoadError` with one
line.
"""

from __future__ import annotations

import json
import re
from fractions import Fraction
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

#: Largest file read (bytes).
MAX_BYTES = 512 * 1024 * 1024
_RATIONAL = re.compile(r"-?[0-9]{1,400}(\.[0-9]{1,400})?([eE][-+]?[0-9]{1,4})?(/[0-9]{1,400})?\Z")


class LoadError(ValueError):
    """The file is not a well-formed certificate (one-line message)."""


def _no_constants(name: str) -> Any:
    raise LoadError(f"non-finite number {name} in the file")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    out: dict = {}
    for k, v in pairs:
        if k in out:
            raise LoadError(f"duplicate key {k!r}")
        out[k] = v
    return out


def parse_json(text: str | bytes) -> Any:
    """Strict JSON (no NaN/Infinity, no duplicate keys, bounded nesting)."""
    try:
        return json.loads(text, parse_constant=_no_constants,
                          object_pairs_hook=_no_duplicates)
    except LoadError:
        raise
    except RecursionError:
        raise LoadError("the JSON nesting is too deep") from None
    except (ValueError, UnicodeDecodeError) as e:
        raise LoadError(f"not valid JSON: {str(e).splitlines()[0]}") from None


def load_json(path: str | Path) -> Any:
    """The parsed JSON of a file, refusing files beyond :data:`MAX_BYTES`."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as e:
        raise LoadError(f"cannot read {path}: {e.strerror or e}") from None
    if size > MAX_BYTES:
        raise LoadError(f"{path} is {size} bytes, more than the limit {MAX_BYTES}")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise LoadError(f"cannot read {path}: {e.strerror or e}") from None
    return parse_json(data)


@cache
def _validator():
    import jsonschema

    schema = json.loads(resources.files("verifier.checker").joinpath(
        "certificate.schema.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate(doc: Any, steps: bool = True) -> None:
    """Raise :class:`LoadError` unless ``doc`` follows the shipped schema.

    ``steps=False`` validates everything but the items of ``steps`` (the checker
    decodes those itself, as strictly, and much faster than a generic validator)."""
    if not steps and isinstance(doc, dict) and isinstance(doc.get("steps"), list):
        doc = {**doc, "steps": []}
    err = next(iter(_validator().iter_errors(doc)), None)
    if err is not None:
        where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
        msg = err.message if len(err.message) <= 160 else err.message[:157] + "..."
        raise LoadError(f"schema: at {where}: {msg}")


def parse_rational(text: Any, what: str) -> Fraction:
    """An exact rational from a decimal or ``p/q`` string (pattern checked first)."""
    if not isinstance(text, str) or not _RATIONAL.match(text):
        raise LoadError(f"{what}: not an exact decimal or fraction string")
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise LoadError(f"{what}: not a valid number {text!r}") from None
