"""Reading a file into text: encodings, byte-order marks, and refusing what is not text.

A file larger than a limit (``DEFAULT_MAX_BYTES``; ``kg build --max-size``) is
refused before it is read, and never more than the limit is read, so memory
stays bounded whatever the input.
"""

from __future__ import annotations

import codecs
import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError
from kg.language.characters import is_cjk

DEFAULT_MAX_MIB = 4
DEFAULT_MAX_BYTES = DEFAULT_MAX_MIB * 2**20

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class Source:
    path: Path
    text: str
    sha256: str
    encoding: str

    @property
    def name(self) -> str:
        return self.path.name


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    controls = sum(1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\n\r\t\f\v")
    return controls > max(2, len(sample) // 200)


def _utf16_without_bom(data: bytes) -> str | None:
    """The encoding of UTF-16 text that lacks a byte-order mark, or None.

    In UTF-16 every ASCII character (digits, spaces, line breaks) has a zero
    byte on the same side of its pair; in binary data zero bytes fall on both
    sides alike.
    """
    sample = data[:8192]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if len(data) % 2 or even + odd < 4:
        return None
    if odd >= 9 * even:
        return "utf-16-le"
    if even >= 9 * odd:
        return "utf-16-be"
    return None


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """Decode ``data``; returns ``(text, encoding)``.

    UTF-8 is the norm. A byte-order mark selects UTF-8/16/32, and UTF-16
    without one is recognised by where its zero bytes fall. Legacy Chinese
    files (GBK, GB2312, GB18030) are read as GB18030 when they decode cleanly and
    read as Chinese; anything else is refused with the offending byte named.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise InputError(f"starts with a {encoding.upper()} byte-order mark but is not valid "
                                 f"{encoding.upper()} (byte {exc.start})", path=path) from None
    if b"\x00" in data[:4096]:
        encoding = _utf16_without_bom(data)
        if encoding is not None:
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                text = None
            if text is not None and not _looks_binary(text):
                return text, encoding
        raise InputError("binary file (contains NUL bytes), not a text report", path=path)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            text = None
        if text is not None:
            letters = [c for c in text[:20000] if c.isalpha()]
            if letters and sum(map(is_cjk, letters)) / len(letters) > 0.5:
                return text, "gb18030"
        line = data.count(b"\n", 0, utf8_error.start) + 1
        raise InputError(f"not UTF-8 text: byte 0x{data[utf8_error.start]:02x} at offset "
                         f"{utf8_error.start} cannot be decoded (convert the file to UTF-8)",
                         path=path, line=line) from None


def _mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"


def _too_large(path: Path, size: int | None, max_bytes: int) -> InputError:
    actual = f"{_mib(size)}, " if size is not None else ""
    return InputError(f"file too large ({actual}the limit is {_mib(max_bytes)}; "
                      "raise it with --max-size MIB)", path=path)


def source_from_bytes(data: bytes, path: Path) -> Source:
    """The text of a report file's bytes; every way they can fail is a one-line :class:`InputError`."""
    path = Path(path)
    if not data.strip():
        raise InputError("empty file", path=path)
    text, encoding = decode(data, path)
    if _looks_binary(text):
        raise InputError("binary file (control characters), not a text report", path=path)
    if not text.strip():
        raise InputError("empty file (only whitespace)", path=path)
    return Source(path=path, text=text, sha256=hashlib.sha256(data).hexdigest(), encoding=encoding)


def read_source(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Source:
    """Read a report file of at most ``max_bytes``; every way it can fail is a one-line :class:`InputError`."""
    path = Path(path)
    if not path.exists():
        raise InputError("no such file", path=path)
    if path.is_dir():
        raise InputError("is a directory, not a report file", path=path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise _too_large(path, size, max_bytes)
        with path.open("rb") as stream:
            # Bounded even when the size lied (a pipe, a file still growing).
            data = stream.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=path) from None
    if len(data) > max_bytes:
        raise _too_large(path, None, max_bytes)
    return source_from_bytes(data, path)
