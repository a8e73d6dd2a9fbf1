"""Reading untrusted certificate files: size limit, strict JSON, the shipped schema.

Nothing in a file is executed. Only a regular file is read, at most :data:`MAX_BYTES`
bytes whatever its size claims (:mod:`verifier.files`: FIFOs, devices and directories
are refused), as UTF-8 without a byte-order mark; JSON is parsed by the standard library
with ``NaN``/``Infinity`` and duplicate keys refused, the document is validated
against ``certificate.schema.json`` (shipped in the package), and numbers are
decoded by :mod:`verifier.arith.exact` and :mod:`verifier.arith.numbers` (the file
form, patterns checked before any arithmetic). Every failure is a :class:`LoadError`
(or, for a number, a :class:`~verifier.arith.numbers.NumberError`) with one line.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from verifier.files import FileError, decode_text, read_bytes

#: Largest file read (bytes). The committed certificates are below 1 MB; a certificate of
#: this size has tens of thousands of steps.
MAX_BYTES = 64 * 1024 * 1024


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
    """Strict JSON (UTF-8 without BOM, no NaN/Infinity, no duplicate keys, bounded nesting)."""
    if isinstance(text, bytes):
        try:
            text = decode_text(text, "the JSON text")
        except FileError as e:
            raise LoadError(str(e)) from None
    try:
        return json.loads(text, parse_constant=_no_constants,
                          object_pairs_hook=_no_duplicates)
    except LoadError:
        raise
    except (RecursionError, MemoryError):
        raise LoadError("the JSON nesting is too deep") from None
    except (ValueError, UnicodeDecodeError) as e:
        raise LoadError(f"not valid JSON: {str(e).splitlines()[0]}") from None


def load_json(path: str | Path) -> Any:
    """The parsed JSON of a regular file of at most :data:`MAX_BYTES` bytes."""
    try:
        data = read_bytes(path, MAX_BYTES, "certificate")
    except FileError as e:
        raise LoadError(str(e)) from None
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
    want = _validator().schema["properties"]["format"]["enum"]
    if (isinstance(doc, dict) and isinstance(doc.get("format"), str)
            and doc.get("format") not in want):
        raise LoadError(f"format {doc['format'][:40]!r} is not {' or '.join(map(repr, want))} "
                        "(a certificate of another format version: make it again with this "
                        "version)")
    if not steps and isinstance(doc, dict) and isinstance(doc.get("steps"), list):
        doc = {**doc, "steps": []}
    err = next(iter(_validator().iter_errors(doc)), None)
    if err is not None:
        where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
        msg = err.message if len(err.message) <= 160 else err.message[:157] + "..."
        raise LoadError(f"schema: at {where}: {msg}")
