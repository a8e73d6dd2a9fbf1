"""Reading files that come from users: regular files only, bounded reads, strict UTF-8.

A path given to ``check``, ``sweep --resume``, ``reproduce --from-manifest`` or ``report``
may name anything. :func:`read_bytes` opens it without blocking (a FIFO without a writer
would otherwise block the ``open``), refuses everything that is not a regular file after
following symbolic links (FIFOs, character and block devices such as ``/dev/zero``,
directories, sockets), and reads at most ``limit + 1`` bytes whatever the file's size
claims to be, refusing the file if there are more. :func:`read_text` also requires UTF-8
without a byte-order mark (UTF-16 and UTF-32 files are refused rather than guessed).
Every failure is a :class:`FileError` with one line.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

#: Default limit of a read (bytes).
DEFAULT_LIMIT = 128 * 1024 * 1024


class FileError(ValueError):
    """The path is not a readable regular file within the limit (one line)."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_bytes(path: str | Path, limit: int = DEFAULT_LIMIT, what: str = "file",
               head: bool = False) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them (module docstring);
    ``head``: the first ``limit`` bytes of a longer file instead of an error."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as e:
        raise FileError(f"cannot read {what} {path}: {e.strerror or e}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise FileError(f"{what} {path} is {_kind(mode)}, not a regular file")
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0:
            block = os.read(fd, min(left, 1 << 20))
            if not block:
                break
            chunks.append(block)
            left -= len(block)
    except OSError as e:
        raise FileError(f"cannot read {what} {path}: {e.strerror or e}") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if head:
        return data[:limit]
    if len(data) > limit:
        raise FileError(f"{what} {path} is larger than the limit of {limit} bytes")
    return data


def decode_text(data: bytes, what: str = "file") -> str:
    """``data`` as UTF-8 text without a byte-order mark."""
    if data.startswith(b"\xef\xbb\xbf"):
        raise FileError(f"{what} starts with a byte-order mark (UTF-8 without BOM expected)")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise FileError(f"{what} is UTF-16 or UTF-32 (UTF-8 expected)")
    try:
        return data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        raise FileError(f"{what} is not UTF-8 text (byte {e.start})") from None


def read_text(path: str | Path, limit: int = DEFAULT_LIMIT, what: str = "file") -> str:
    """The UTF-8 text of the regular file ``path`` (:func:`read_bytes`, :func:`decode_text`)."""
    return decode_text(read_bytes(path, limit, what), f"{what} {path}")
